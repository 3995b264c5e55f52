//! The steps of a container's script that a Job running its migration must
//! run, as the chart wrote them: PM011 advises them, and detection's reading
//! (an entrypoint replaced by the image's program, `yarn-run`, a script seen
//! past its interpreter) is no command anyone can run.

use super::command::{self, Does, Env};
use super::script::{self, Cmd, Place};
use super::Rules;
use crate::yaml::Value;

/// How deep a script that runs a script is followed.
const MAX_DEPTH: usize = 3;

/// The container's simple commands, as written, from the first to the last
/// one that migrates before anything serves (`db createdb && db migrate &&
/// exec run` gives the first two; `cd /app`, `set -e` and waits before them
/// come along). Commands of loops and `if` conditions are left out. `None`
/// when no command of its own migrates (an image that migrates at start).
pub fn migration_steps(
    c: &Value,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &Rules,
) -> Option<Vec<String>> {
    let argv = super::command_line(c);
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let image_prog = (!image.is_empty()).then(|| super::classify::image_program(image));
    let env = Env {
        scripts,
        user: &rules.commands,
        workdir: c.get("workingDir").and_then(Value::as_str),
        image_prog: image_prog.as_deref(),
    };
    steps(&argv, &env, 0)
}

/// [`migration_steps`] of one command line.
fn steps(argv: &[String], env: &Env<'_>, depth: usize) -> Option<Vec<String>> {
    // `tini -- /startup.sh`: the script the wrapper runs.
    let unwrapped;
    let (argv, script) = match script_of(argv, env) {
        Some(text) => (argv, Some(text)),
        None => {
            unwrapped = command::unwrap(argv, None).0;
            match script_of(&unwrapped, env) {
                Some(text) => (&unwrapped[..], Some(text)),
                None => (argv, None),
            }
        }
    };
    let cmds = match script {
        Some(text) => script::parse(&text),
        None if argv.is_empty() => return None,
        None => vec![Cmd {
            argv: argv.to_vec(),
            ..Cmd::default()
        }],
    };
    let plain = |k: usize| cmds[k].place == Place::Plain;
    let mut last = None;
    for (k, cmd) in cmds.iter().enumerate().filter(|&(k, _)| plain(k)) {
        let words = [cmd.assignments.clone(), cmd.argv.clone()].concat();
        let found = command::argv(&words, env);
        let migrates = found.iter().any(|f| f.does == Does::Migrate);
        let serves = cmd.exec
            || found
                .iter()
                .any(|f| matches!(f.does, Does::Serve | Does::MigrateThenServe));
        if migrates && serves {
            // A script that runs a script (`bash /scripts/start.sh`): its steps.
            let inner = (depth < MAX_DEPTH && script_of(&cmd.argv, env).is_some())
                .then(|| steps(&cmd.argv, env, depth + 1))
                .flatten();
            return inner.map(|inner| {
                let before = (0..k).filter(|&j| plain(j)).map(|j| render(&cmds[j]));
                before.chain(inner).collect()
            });
        }
        if serves {
            break;
        }
        if migrates {
            last = Some(k);
        }
    }
    let last = last?;
    Some(
        (0..=last)
            .filter(|&k| plain(k))
            .map(|k| render(&cmds[k]))
            .collect(),
    )
}

/// Whether the container's own command migrates and then only idles: every
/// command after its first migration prints or waits for ever (`sleep
/// infinity`, `while true; do sleep 3600; done`, `tail -f /dev/null`), and
/// one of them idles. A pod's container that does so runs the migration on
/// every start (PM020). A command that just ends after migrating is left
/// out: a process named like a migration that serves (a migration status
/// service) reads the same.
pub fn idles_after_migration(
    c: &Value,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &Rules,
) -> bool {
    let argv = super::command_line(c);
    if argv.is_empty() {
        return false;
    }
    let env = Env {
        scripts,
        user: &rules.commands,
        workdir: c.get("workingDir").and_then(Value::as_str),
        image_prog: None,
    };
    let cmds = match script_of(&argv, &env) {
        Some(text) => script::parse(&text),
        None => return false,
    };
    let migrates = |cmd: &Cmd| {
        let words = [cmd.assignments.clone(), cmd.argv.clone()].concat();
        let found = command::argv(&words, &env);
        found.iter().any(|f| f.does == Does::Migrate)
    };
    let Some(first) = cmds.iter().position(migrates) else {
        return false;
    };
    let after = &cmds[first + 1..];
    let program = |cmd: &Cmd| cmd.argv.first().map(|w| super::words::program(w));
    let idles = |cmd: &Cmd| match program(cmd).as_deref() {
        Some("sleep") => {
            cmd.place == Place::LoopBody || cmd.argv.get(1).is_some_and(|a| a == "infinity")
        }
        Some("tail") => cmd.argv.iter().any(|a| a == "-f" || a == "-F"),
        _ => false,
    };
    let quiet = |cmd: &Cmd| {
        idles(cmd)
            || program(cmd).is_some_and(|p| super::vocab::PRINTS.contains(&p.as_str()) || p == ":")
    };
    after.iter().all(quiet) && after.iter().any(idles)
}

/// The script a command line runs: `sh [-e…] -c SCRIPT`, or a script of the
/// stream it runs (`/scripts/start.sh`, `bash /scripts/start.sh`).
fn script_of(argv: &[String], env: &Env<'_>) -> Option<String> {
    let first = argv.first()?;
    let shell = super::words::is_shell(&super::words::program(first));
    if !shell {
        return command::lookup(first, env);
    }
    let flags = argv[1..]
        .iter()
        .take_while(|a| a.starts_with('-') && a.len() > 1 && !a.starts_with("--"));
    let n = flags.clone().count();
    if flags.clone().any(|f| f.contains('c')) {
        return argv.get(1 + n).cloned();
    }
    argv.get(1 + n).and_then(|path| command::lookup(path, env))
}

/// A simple command as a shell reads it: its `FOO=1` prefixes and words, each
/// quoted where a shell would split or expand it (a `$VAR` kept expandable).
fn render(cmd: &Cmd) -> String {
    let safe = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b))
    };
    cmd.assignments
        .iter()
        .chain(&cmd.argv)
        .map(|w| match w {
            w if safe(w) => w.clone(),
            w if w.contains('$') => {
                let escaped: String = w
                    .chars()
                    .flat_map(|ch| match ch {
                        '"' | '\\' | '`' => vec!['\\', ch],
                        ch => vec![ch],
                    })
                    .collect();
                format!("\"{escaped}\"")
            }
            w => format!("'{}'", w.replace('\'', "'\\''")),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::migration_steps;
    use crate::detect::Rules;

    fn steps(yaml: &str, scripts: &dyn Fn(&str) -> Option<String>) -> Option<Vec<String>> {
        let c = crate::yaml::Tree::read_value(yaml).unwrap().unwrap();
        migration_steps(&c, scripts, &Rules::new())
    }

    /// PM020's reading: a migration, then only printing and idling.
    #[test]
    fn a_migration_then_idling() {
        let none = |_: &str| None;
        let idles = |yaml: &str| {
            let c = crate::yaml::Tree::read_value(yaml).unwrap().unwrap();
            super::idles_after_migration(&c, &none, &Rules::new())
        };
        let loomio = "command: [bash, -c, \"while ! rake db:setup; do sleep 5; done\\necho done\\nwhile true; do sleep 86400; done\"]\n";
        assert!(idles(loomio));
        assert!(idles(
            "command: [sh, -c, 'alembic upgrade head && sleep infinity']\n"
        ));
        assert!(idles(
            "command: [sh, -c, 'rake db:migrate; tail -f /dev/null']\n"
        ));
        // Ends after migrating (a migration status service reads the same),
        // serves, or runs something unknown after it: not idling.
        assert!(!idles("command: [rake, db:migrate]\n"));
        assert!(!idles(
            "command: [sh, -c, 'rake db:migrate && exec puma']\n"
        ));
        assert!(!idles(
            "command: [sh, -c, 'rake db:migrate; ./worker; sleep infinity']\n"
        ));
        assert!(!idles("command: [sh, -c, 'sleep 5; echo ready']\n"));
        assert!(!idles("image: loomio/loomio:2.1.0\n"));
    }

    #[test]
    fn the_steps_before_the_server_as_written() {
        let none = |_: &str| None;
        // Plausible: the entrypoint as written, `createdb` kept, the server dropped.
        let plausible = "image: plausible/community-edition:v2.1.0\ncommand: [/bin/sh, -x, -c, '/entrypoint.sh db createdb && /entrypoint.sh db migrate && /entrypoint.sh run']\n";
        assert_eq!(
            steps(plausible, &none).unwrap(),
            ["/entrypoint.sh db createdb", "/entrypoint.sh db migrate"]
        );
        // The interpreter stays; a loop waiting for the database and the server go.
        let django = "image: acme/web:1\ncommand: [sh, -ec, \"cd /app\\nuntil pg_isready -h db; do sleep 1; done\\npython manage.py migrate --noinput\\nexec gunicorn app.wsgi\"]\n";
        assert_eq!(
            steps(django, &none).unwrap(),
            ["cd /app", "python manage.py migrate --noinput"]
        );
        // `yarn db:migrate` as written, not as detection reads it.
        let yarn =
            "image: acme/web:1\ncommand: [sh, -c, 'yarn db:migrate && exec node server.js']\n";
        assert_eq!(steps(yarn, &none).unwrap(), ["yarn db:migrate"]);
        // An image that migrates at start runs no command of its own.
        assert_eq!(steps("image: calcom/cal.com:v4.6.5\n", &none), None);
    }

    #[test]
    fn a_mounted_script_is_read_and_words_are_quoted() {
        let script = |p: &str| {
            (p == "/entrypoint.sh").then(|| {
                "#!/bin/bash\nexport REDIS_URL=\"redis://$REDIS_HOST\"\npython manage.py migrate --database \"$DB_ALIAS\" --skip 'a b'\nexec gunicorn app.wsgi\n".to_string()
            })
        };
        let c = "image: acme/web:1\ncommand: [/bin/bash, /entrypoint.sh]\n";
        assert_eq!(
            steps(c, &script).unwrap(),
            [
                "export \"REDIS_URL=redis://$REDIS_HOST\"",
                "python manage.py migrate --database \"$DB_ALIAS\" --skip 'a b'"
            ]
        );
    }

    /// A script run through a wrapper (`tini --`, Snipe-IT's chart) is read as one run directly.
    #[test]
    fn a_script_behind_a_wrapper_is_read() {
        let script = |p: &str| {
            (p == "/custom/startup.sh").then(|| {
                "#!/bin/sh\nphp artisan migrate --force\nexec httpd -DNO_DETACH\n".to_string()
            })
        };
        let c = "image: acme/web:1\ncommand: [/sbin/tini, --]\nargs: [/custom/startup.sh]\n";
        assert_eq!(steps(c, &script).unwrap(), ["php artisan migrate --force"]);
    }
}
