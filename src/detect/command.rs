//! What one command does: wrappers and interpreters peeled off (`env`, `exec`,
//! `tini --`, `bundle exec`, `python -m`, `php`, `dotnet`, `java -jar`, shells with
//! `-c`), scripts followed into the text the stream gives for them, then the tool
//! table, then the generic rules (an app CLI's migrate verb, a migration script's
//! name, SQL DDL through a database client, waits and servers).

use super::script::{self, Cmd, Place};
use super::tools::{self, Tool};
use super::words::{self, glob, program, says, Says};

pub use super::finding::{Does, Finding, Rule};

/// What the walk needs from outside: scripts by path, user patterns, the image.
pub struct Env<'a> {
    /// A mounted script's text by path.
    pub scripts: &'a dyn Fn(&str) -> Option<String>,
    /// User command globs: (include?, pattern).
    pub user: &'a [(bool, String)],
    /// The container's working directory.
    pub workdir: Option<&'a str>,
    /// The program the image runs by its entrypoint (an entrypoint script's args go to it).
    pub image_prog: Option<&'a str>,
}

const MAX_DEPTH: usize = 6;

/// Classifies a command line (argv) and everything it runs.
pub fn argv(argv: &[String], env: &Env<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    walk(argv, "", env, 0, None, &mut out);
    out
}

fn run_script(text: &str, env: &Env<'_>, depth: usize, from: Option<&str>, out: &mut Vec<Finding>) {
    let first = out.len();
    let cmds = script::parse(text);
    let sleeps = cmds
        .iter()
        .any(|c| c.argv.first().is_some_and(|p| p == "sleep"));
    for (k, cmd) in cmds.iter().enumerate() {
        let start = out.len();
        simple((cmd, k), env, depth, from, out);
        if cmd.place == Place::LoopCondition {
            loop_condition(&cmds[k..], start, from, out);
        }
    }
    // A script that checks and sleeps but never migrates waits (`for …; do if check; …`).
    if sleeps && !out[first..].iter().any(|f| f.does == Does::Migrate) {
        for f in out[first..].iter_mut().filter(|f| f.does == Does::Check) {
            f.does = Does::Wait;
        }
    }
}

/// A loop on anything but a migration waits (retrying a migration is still one): on a
/// check or on the database (said by the condition or by the loop's messages) it is a
/// waiter; on anything else (Redis, DNS, a search engine) it is ordinary work.
fn loop_condition(cmds: &[Cmd], start: usize, from: Option<&str>, out: &mut Vec<Finding>) {
    if out[start..].iter().any(|f| f.does == Does::Migrate) {
        return;
    }
    let body: Vec<String> = cmds[1..]
        .iter()
        .take_while(|c| c.place != Place::Plain)
        .flat_map(|c| c.argv.iter().cloned())
        .collect();
    let on_db = out[start..]
        .iter()
        .any(|f| matches!(f.does, Does::Check | Does::Wait))
        || super::simple::waits_for_db(&cmds[0].argv)
        || super::simple::waits_for_db(&body);
    let does = if on_db { Does::Wait } else { Does::Other };
    out.truncate(start);
    out.push(finding(does, Rule::Wait, None, &cmds[0].argv, from));
}

fn simple(
    (cmd, step): (&Cmd, usize),
    env: &Env<'_>,
    depth: usize,
    from: Option<&str>,
    out: &mut Vec<Finding>,
) {
    if let Some(a) = cmd.assignments.iter().find(|a| assignment_migrates(a)) {
        // `ENTRYPOINT=migrate node index.js down`: the command's verbs still count.
        let does = super::simple::window(
            Does::Migrate,
            &super::simple::positionals(cmd.argv.get(1..).unwrap_or(&[])),
        );
        if matches!(does, Does::Migrate | Does::Check) && !cmd.argv.is_empty() {
            out.push(finding(
                does,
                Rule::Verb,
                None,
                std::slice::from_ref(a),
                from,
            ));
        }
    }
    let start = out.len();
    walk(&cmd.argv, &cmd.input, env, depth, from, out);
    if cmd.exec && out.len() == start && !cmd.argv.is_empty() {
        out.push(finding(Does::Serve, Rule::Serve, None, &cmd.argv, from));
    }
    // Where each finding sits in the outermost script: a nested script's
    // commands (`exec sh -c 'migrate && exec serve'`) run in order inside
    // the command that runs it, whose place the outermost call writes last.
    for f in &mut out[start..] {
        f.arms.clone_from(&cmd.arms);
        f.exec = cmd.exec;
        f.step = step;
    }
}

pub(super) fn finding(
    does: Does,
    rule: Rule,
    t: Option<&Tool>,
    argv: &[String],
    from: Option<&str>,
) -> Finding {
    Finding {
        does,
        rule,
        tool: t.map(|t| t.name),
        check: t.and_then(|t| t.check),
        command: argv.join(" "),
        script: from.map(str::to_string),
        arms: Vec::new(),
        exec: false,
        step: 0,
    }
}

/// Peels wrappers off `argv` and classifies what remains.
fn walk(
    argv: &[String],
    input: &str,
    env: &Env<'_>,
    depth: usize,
    from: Option<&str>,
    out: &mut Vec<Finding>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(a) = argv
        .iter()
        .take_while(|w| script::is_assignment(w))
        .find(|a| assignment_migrates(a))
    {
        out.push(finding(
            Does::Migrate,
            Rule::Verb,
            None,
            std::slice::from_ref(a),
            from,
        ));
    }
    // An entrypoint script the stream holds is read, not taken for the image's
    // (Zammad mounts its init script over `/docker-entrypoint.sh`).
    let entrypoint_script = argv.first().is_some_and(|f| {
        matches!(program(f).as_str(), "docker-entrypoint" | "entrypoint")
            && lookup(f, env).is_some()
    });
    let (argv, prog) = match entrypoint_script {
        true => (argv.to_vec(), None),
        false => unwrap(argv, env.image_prog),
    };
    let Some(first) = argv.first() else { return };
    if let Some(f) = user_match(&argv, env, from) {
        return out.push(f);
    }
    let prog = prog.unwrap_or_else(|| program(first));
    let rest = &argv[1..];
    if super::words::is_shell(&prog) {
        return shell(rest, input, env, depth, from, out);
    }
    if prog == "su" || prog == "runuser" {
        if let Some(i) = argv.iter().position(|a| a == "-c" || a == "--command") {
            return run_script(
                argv.get(i + 1).map_or("", String::as_str),
                env,
                depth + 1,
                from,
                out,
            );
        }
    }
    if prog == "eval" {
        return run_script(&rest.join(" "), env, depth + 1, from, out);
    }
    if let Some(next) = interpreter(&prog, rest) {
        if let Some(code) = next.code {
            if code_polls_jobs(&code) {
                out.push(finding(Does::Wait, Rule::Wait, None, &argv, from));
            } else if code_migrates(&code) {
                out.push(finding(Does::Migrate, Rule::ScriptName, None, &argv, from));
            }
            return;
        }
        return walk(&next.argv, input, env, depth + 1, from, out);
    }
    if follow_script(&argv, env, depth, out) {
        return;
    }
    if let Some(f) = super::simple::classify(&argv, &prog, input) {
        out.push(Finding {
            script: from.map(str::to_string),
            ..f
        });
    }
}

/// A user command pattern that matches the command.
fn user_match(argv: &[String], env: &Env<'_>, from: Option<&str>) -> Option<Finding> {
    if env.user.is_empty() {
        return None; // no line to join
    }
    super::rules::command_match(env.user, &argv.join(" ")).map(|(include, _)| {
        let does = if include { Does::Migrate } else { Does::Other };
        finding(does, Rule::User, None, argv, from)
    })
}

/// Follows a program that is a script the stream holds; whether it said anything.
fn follow_script(argv: &[String], env: &Env<'_>, depth: usize, out: &mut Vec<Finding>) -> bool {
    let first = &argv[0];
    let Some(text) = lookup(first, env) else {
        return false;
    };
    let before = out.len();
    if is_shell_script(first, &text) {
        run_script(&text, env, depth + 1, Some(first), out);
    } else if super::simple::has_ddl(&text) {
        out.push(finding(Does::Migrate, Rule::Sql, None, argv, Some(first)));
    }
    out.len() > before
}

/// `FOO=migrate`, `RUN_MIGRATIONS=true` before a command.
fn assignment_migrates(a: &str) -> bool {
    let (k, v) = a.split_once('=').unwrap_or((a, ""));
    let truthy = matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on");
    let key = k.to_ascii_uppercase();
    (key.contains("MIGRAT") && truthy && !key.contains("SKIP") && !key.contains("CHECK"))
        || (!v.contains('/') && says(v) == Says::Migrate)
}

/// Whether a script is a shell script: a shell shebang, or none and no other
/// language's extension.
fn is_shell_script(path: &str, text: &str) -> bool {
    match text.lines().next().and_then(|l| l.strip_prefix("#!")) {
        Some(shebang) => ["sh", "bash", "ash", "dash", "zsh", "ksh"].iter().any(|s| {
            shebang.trim_end().ends_with(&format!("/{s}"))
                || shebang.trim_end().ends_with(&format!(" {s}"))
        }),
        None => {
            let p = path.to_ascii_lowercase();
            ![
                ".py", ".rb", ".js", ".pl", ".php", ".sql", ".json", ".yaml", ".conf",
            ]
            .iter()
            .any(|e| p.ends_with(e))
        }
    }
}

/// Drops `FOO=1` prefixes and wrappers that run the rest of the line; an entrypoint
/// script given only options runs the image's program. With the argv, the
/// [`program`] of its first word when that was read (the caller needs it too).
pub(super) fn unwrap(argv: &[String], image_prog: Option<&str>) -> (Vec<String>, Option<String>) {
    let mut v: &[String] = argv;
    while let Some(first) = v.first() {
        let p = program(first);
        let skip_opts = |v: &[String], with_value: &[&str]| -> usize {
            let mut i = 1;
            while i < v.len() && v[i].starts_with('-') {
                if v[i] == "--" {
                    return i + 1;
                }
                if with_value.contains(&v[i].as_str()) {
                    i += 1;
                }
                i += 1;
            }
            i
        };
        let n = match p.as_str() {
            _ if script::is_assignment(first) => 1,
            "exec" | "time" | "nohup" | "command" | "builtin" | "with-contenv" | "catatonit" => 1,
            "env" => {
                let mut i = skip_opts(v, &["-u", "--unset", "-C", "--chdir"]);
                while i < v.len() && script::is_assignment(&v[i]) {
                    i += 1;
                }
                i
            }
            "tini" | "dumb-init" | "stdbuf" | "setpriv" => skip_opts(v, &["-s", "-p", "-l"]),
            "nice" => skip_opts(v, &["-n"]),
            "timeout" => skip_opts(v, &["-s", "-k"]) + 1,
            "sudo" => skip_opts(v, &["-u", "-g", "-h"]),
            "runuser" | "chpst" => skip_opts(v, &["-u", "-g"]),
            "su-exec" | "gosu" | "s6-setuidgid" => 2,
            "bundle" | "poetry" | "pipenv" | "uv" | "pdm" | "hatch" | "rye" | "npx" | "bunx"
            | "pnpx" | "doppler" | "op" | "dotenv" | "xvfb-run" | "chamber" => {
                let mut i = skip_opts(v, &["-p", "--package", "-e", "--env"]);
                if i < v.len() && matches!(v[i].as_str(), "exec" | "run" | "x" | "dlx") {
                    i += 1;
                    i += skip_opts(&v[i - 1..], &[]) - 1;
                }
                i
            }
            // An image of the tool table whose entrypoint script is called with
            // what it runs (Bitnami's `…/entrypoint.sh …/run.sh`): the image's
            // tool with that argument, as when the image runs on its own.
            "docker-entrypoint" | "entrypoint" if image_prog.is_some_and(has_image_row) => {
                let mut out = vec![image_prog.unwrap_or_default().to_string()];
                out.extend(v[1..].iter().cloned());
                return (out, None);
            }
            "docker-entrypoint" | "entrypoint" | "docker-entrypoint.d" | "run" | "start"
                if v.len() > 1 && looks_like_program(&v[1]) =>
            {
                1
            }
            // A wait that runs its arguments once what it waits for is up:
            // `wait-for-it db:5432 -- CMD`, GitLab's `/scripts/wait-for-deps
            // /scripts/db-migrate`. What it runs is what the container does.
            _ if is_waiter_name(&p) && v.iter().any(|a| a == "--") => {
                v.iter().position(|a| a == "--").map_or(0, |i| i + 1)
            }
            _ if is_waiter_name(&p) && v.len() > 1 && v[1].contains('/') => 1,
            "docker-entrypoint" | "entrypoint" if image_prog.is_some() => {
                let mut out = vec![image_prog.unwrap_or_default().to_string()];
                out.extend(v[1..].iter().cloned());
                return (out, None);
            }
            _ => 0,
        };
        if n == 0 || n > v.len() {
            return (v.to_vec(), Some(p));
        }
        v = &v[n..];
    }
    (v.to_vec(), None)
}

/// Whether a program's name says it waits (`wait-for-it`, `wait-for-deps`).
fn is_waiter_name(p: &str) -> bool {
    crate::detect::vocab::WAITERS.contains(&p)
        || p.starts_with("wait-for")
        || p.starts_with("wait_for")
}

/// Whether `program` is the program of a tool the table knows by its image.
fn has_image_row(program: &str) -> bool {
    tools::all().any(|t| !t.images.is_empty() && t.programs.first() == Some(&program))
}

/// Whether a word is a program to run rather than an app verb.
fn looks_like_program(w: &str) -> bool {
    let p = program(w);
    w.contains('/')
        || matches!(
            p.as_str(),
            "sh" | "bash" | "python" | "python3" | "node" | "php" | "ruby"
        )
        || tools::all().any(|t| t.programs.iter().any(|g| glob(g, &p)))
}

/// `sh -c SCRIPT` or `sh FILE ARGS`.
fn shell(
    rest: &[String],
    input: &str,
    env: &Env<'_>,
    depth: usize,
    from: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let mut i = 0;
    let mut dash_c = false;
    while i < rest.len() && rest[i].starts_with('-') && rest[i] != "-" {
        if rest[i] == "--" {
            i += 1;
            break;
        }
        if !rest[i].starts_with("--") && rest[i].contains('c') {
            dash_c = true;
        }
        if rest[i] == "-o" || rest[i] == "+o" {
            i += 1;
        }
        i += 1;
    }
    if dash_c {
        if let Some(s) = rest.get(i) {
            run_script(s, env, depth + 1, from, out);
        }
    } else if i < rest.len() {
        walk(&rest[i..], input, env, depth + 1, from, out);
    } else if !input.is_empty() {
        run_script(input, env, depth + 1, from, out);
    }
}

/// What an interpreter runs: a script with its args, a module, or inline code.
struct Next {
    argv: Vec<String>,
    code: Option<String>,
}

fn interpreter(prog: &str, rest: &[String]) -> Option<Next> {
    let python = prog.starts_with("python") || prog == "pypy3";
    let known = python
        || matches!(
            prog,
            "node"
                | "nodejs"
                | "ruby"
                | "perl"
                | "php"
                | "ts-node"
                | "tsx"
                | "deno"
                | "bun"
                | "java"
                | "dotnet"
                | "npm"
                | "yarn"
                | "pnpm"
                | "make"
                | "just"
                | "task"
        );
    if !known {
        return build_run(prog, rest);
    }
    let mut i = 0;
    while i < rest.len() && rest[i].starts_with('-') {
        let f = rest[i].as_str();
        if (python && f == "-m") || (prog == "java" && f == "-jar") {
            return rest.get(i + 1).map(|m| Next {
                argv: std::iter::once(m.clone())
                    .chain(rest[i + 2..].iter().cloned())
                    .collect(),
                code: None,
            });
        }
        if matches!(f, "-c" | "-e" | "--eval" | "-r") && !matches!(prog, "npm" | "yarn" | "pnpm") {
            return Some(Next {
                argv: vec![],
                code: Some(rest[i + 1..].join(" ")),
            });
        }
        if matches!(
            f,
            "-cp" | "-classpath" | "--require" | "-W" | "-X" | "-C" | "-f" | "--filter"
        ) {
            i += 1;
        }
        i += 1;
    }
    let mut args = &rest[i.min(rest.len())..];
    if let Some(next) = runner(prog, args) {
        return Some(next);
    }
    if prog == "dotnet" && args.first().is_some_and(|a| a == "tool" || a == "run") {
        args = &args[args.len().min(2)..];
    }
    (!args.is_empty()).then(|| Next {
        argv: args.to_vec(),
        code: None,
    })
}

/// `cargo run [--bin x] -- ARGS` (a migration crate's CLI: `cargo run -- up`) and
/// `go run ./cmd/x ARGS`: the crate or package runs with its args.
fn build_run(prog: &str, rest: &[String]) -> Option<Next> {
    if rest.first().is_none_or(|r| r != "run") {
        return None;
    }
    let argv = match prog {
        "cargo" => {
            let at = rest.iter().position(|a| a == "--")?;
            let bin = rest[..at]
                .windows(2)
                .find(|w| w[0] == "--bin")
                .map(|w| w[1].clone());
            std::iter::once(bin.unwrap_or_else(|| "cargo-run".into()))
                .chain(rest[at + 1..].iter().cloned())
                .collect()
        }
        "go" => rest[1..]
            .iter()
            .skip_while(|a| a.starts_with('-'))
            .cloned()
            .collect(),
        _ => return None,
    };
    Some(Next { argv, code: None })
}

/// Package runners and task runners: the script, bin or target is their verb
/// (`npm run x`, `yarn x`, `pnpm exec x`, `make x`).
fn runner(prog: &str, mut args: &[String]) -> Option<Next> {
    if matches!(prog, "npm" | "yarn" | "pnpm" | "bun" | "deno") {
        if let Some(w) = args.first() {
            if matches!(w.as_str(), "run" | "run-script" | "exec" | "dlx" | "x") {
                args = &args[1..];
            }
        }
        let mut v = vec![format!("{prog}-run")];
        v.extend(args.iter().cloned());
        if args.first().is_some_and(|a| looks_like_program(a)) {
            v.remove(0);
        }
        return Some(Next {
            argv: v,
            code: None,
        });
    }
    if matches!(prog, "make" | "just" | "task") {
        let mut v = vec![format!("{prog}-target")];
        v.extend(args.iter().cloned());
        return Some(Next {
            argv: v,
            code: None,
        });
    }
    None
}

/// Inline code (`python -c`, `node -e`, `bin/app eval`) that calls a migration.
pub(super) fn code_migrates(code: &str) -> bool {
    let segs = words::segments(code);
    segs.iter().any(|s| words::MIGRATE.contains(&s.as_str()))
        || segs.iter().any(|s| s == "create_all")
        || (segs.iter().any(|s| s == "alembic") && segs.iter().any(|s| s == "upgrade"))
}

/// Whether inline code reads Jobs from the Kubernetes API: a chart's own gate
/// that polls the migration Job (Formbricks' `node -e` waits for
/// `/apis/batch/v1/…/jobs/$FORMBRICKS_MIGRATION_JOB_NAME`), whatever it names.
fn code_polls_jobs(code: &str) -> bool {
    const JOB_READS: &[&str] = &["/apis/batch/", "read_namespaced_job", "BatchV1Api"];
    JOB_READS.iter().any(|r| code.contains(r))
}

/// A mounted script's text, by absolute path or relative to the working directory.
pub(super) fn lookup(path: &str, env: &Env<'_>) -> Option<String> {
    if let Some(t) = (env.scripts)(path) {
        return Some(t);
    }
    let rel = path.strip_prefix("./").unwrap_or(path);
    if path.starts_with('/') {
        return None;
    }
    let dir = env.workdir?;
    (env.scripts)(&format!("{}/{rel}", dir.trim_end_matches('/')))
}
