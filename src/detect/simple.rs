//! What one unwrapped simple command does: the tool table first, then the generic
//! rules (database clients with DDL, waiting programs, servers, migration scripts by
//! name, an app CLI's migrate verb, migrate flags).

use super::command::{code_migrates, finding, Does, Finding, Rule};
use super::tools;
use super::vocab::*;
use super::words::{self, glob, norm, program, says, Says};
use crate::yaml::value::Text;

/// Classifies an unwrapped simple command; `prog` is the [`program`] of its first word.
pub fn classify(argv: &[String], prog: &str, input: &str) -> Option<Finding> {
    argv.first()?;
    if NOISE.contains(&prog) {
        return None;
    }
    let ws: Vec<String> = argv.iter().map(|w| norm(w)).collect();
    if let Some(f) = by_table(argv, &ws) {
        return Some(f);
    }
    let make = |does, rule| Some(finding(does, rule, None, argv, None));
    if SQL_CLIENTS.contains(&prog) {
        let text = format!("{} {input}", argv[1..].join(" "));
        return if has_ddl(&text) || runs_schema_file(argv) {
            make(Does::Migrate, Rule::Sql)
        } else {
            None
        };
    }
    if WAITERS.contains(&prog) || (prog == "kubectl" && argv.iter().any(|a| a == "wait")) {
        let on_db = DB_WAITERS.contains(&prog) || prog == "kubectl" || waits_for_db(argv);
        return make(if on_db { Does::Wait } else { Does::Other }, Rule::Wait);
    }
    if SERVERS.contains(&prog) {
        return make(Does::Serve, Rule::Serve);
    }
    if prog == "kubectl" && writes_config(argv) {
        return make(Does::Other, Rule::Verb);
    }
    if SYSTEM.contains(&prog) {
        return None;
    }
    let pos = positionals(&argv[1..]);
    let flagged = |does| adjust_by_flags(window(does, &pos), argv);
    if pos.first().is_some_and(|p| p == "eval" || p == "rpc") && code_migrates(&argv[1..].join(" "))
    {
        return make(Does::Migrate, Rule::Verb);
    }
    match says(prog) {
        Says::Migrate
            if pos
                .iter()
                .all(|p| matches!(says(p), Says::Nothing | Says::Migrate)) =>
        {
            return make(flagged(Does::Migrate), Rule::ScriptName)
        }
        Says::Wait => {
            let does = if waits_for_db(argv) {
                Does::Wait
            } else {
                Does::Other
            };
            return make(does, Rule::Wait);
        }
        Says::Check => return make(Does::Check, Rule::ScriptName),
        Says::Other => return make(Does::Other, Rule::ScriptName),
        _ => {}
    }
    if let Some(does) = verb(prog, &pos) {
        return make(flagged(does), Rule::Verb);
    }
    if argv[1..].iter().any(|a| flag_migrates(a)) {
        let does = match serves_too(argv, &pos) {
            true => Does::MigrateThenServe,
            false => flagged(Does::Migrate),
        };
        return make(does, Rule::Verb);
    }
    let serve_word = |p: &str| SERVE_VERBS.contains(&p);
    if pos.first().is_some_and(|p| serve_word(p)) || serve_word(prog) {
        return make(Does::Serve, Rule::Serve);
    }
    None
}

/// Whether a kubectl command writes a Secret or a ConfigMap (`kubectl patch
/// secret`, `create configmap`): a Job that generates keys or settings
/// (Passbolt's GPG and JWT key Jobs), never a migration.
fn writes_config(argv: &[String]) -> bool {
    let has = |set: &[&str]| argv.iter().any(|a| set.contains(&a.as_str()));
    has(&["create", "patch", "apply", "replace"])
        && has(&["secret", "secrets", "configmap", "configmaps", "cm"])
}

/// A check or other flag on a migrate command changes what it does.
fn adjust_by_flags(does: Does, argv: &[String]) -> Does {
    if does != Does::Migrate {
        return does;
    }
    let lower: Vec<String> = argv.iter().map(|a| a.to_ascii_lowercase()).collect();
    if lower.iter().any(|a| CHECK_FLAGS.iter().any(|f| glob(f, a))) {
        Does::Check
    } else if lower
        .iter()
        .any(|a| OTHER_FLAGS.contains(&a.as_str()) || other_verb_flag(a))
    {
        Does::Other
    } else {
        does
    }
}

/// Verbs of something else than migrating ([`super::words::OTHER`]) that, as a
/// flag of `migrate`, qualify a run that still migrates (`--seed` seeds
/// after it, `--backup` backs up before it); the others, as flags, make the
/// command no migration (`vendure migrate --revert`, `--rollback`, `--down`).
const QUALIFYING_FLAGS: &[&str] = &[
    "seed", "backup", "dump", "test", "tests", "lint", "clean", "cleanup", "purge", "export",
    "unlock", "notify", "complete", "mark", "make", "restore", "refresh", "rename", "delete",
];

/// Whether a (lowercased) word is `--VERB` or `--VERB=…` of a verb of something else.
fn other_verb_flag(a: &str) -> bool {
    let name = a
        .strip_prefix("--")
        .map(|f| f.split('=').next().unwrap_or(f));
    name.is_some_and(|n| super::words::OTHER.contains(&n) && !QUALIFYING_FLAGS.contains(&n))
}

/// The programs of the tool rows that have [`tools::Tool::no_database`]
/// commands, read once.
fn no_database_programs() -> &'static [&'static str] {
    static PROGRAMS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    PROGRAMS.get_or_init(|| {
        tools::all()
            .filter(|t| !t.no_database.is_empty())
            .flat_map(|t| t.programs.iter().copied())
            .collect()
    })
}

/// Whether `text` holds `part`, ASCII case aside.
fn contains_ci(text: &str, part: &str) -> bool {
    text.as_bytes()
        .windows(part.len())
        .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
}

/// Whether `text` names a program of a tool row with [`tools::Tool::no_database`]
/// commands (a quick look before reading the command).
pub(super) fn names_a_no_database_program(text: &str) -> bool {
    no_database_programs().iter().any(|p| contains_ci(text, p))
}

/// Whether `argv` runs a command a row of the tool table says never opens
/// the database ([`tools::Tool::no_database`]: Concourse's `worker`).
pub(super) fn never_opens_database(argv: &[String]) -> bool {
    let ws: Vec<String> = argv.iter().map(|w| norm(w)).collect();
    ws.iter().enumerate().any(|(i, w)| {
        let p = program(w);
        let after = words_after(argv, &ws, i);
        tools::named_by(&p, &words::segments_from(&p, tools::NAMING_PART))
            .iter()
            .any(|t| t.no_database.iter().any(|s| follows(&after, s)))
    })
}

/// The words after word `i`: each lowercased, then as normalized.
fn words_after(argv: &[String], ws: &[String], i: usize) -> Vec<String> {
    ws[i + 1..]
        .iter()
        .zip(&argv[i + 1..])
        .flat_map(|(b, r)| [r.to_ascii_lowercase(), b.clone()])
        .collect()
}

/// The tool table: the first program word a row knows decides.
fn by_table(argv: &[String], ws: &[String]) -> Option<Finding> {
    // Lowercased only once a row is named: most words name none.
    let mut raw: Option<Vec<String>> = None;
    for (i, w) in ws.iter().enumerate() {
        let p = program(w);
        for t in tools::named_by(&p, &words::segments_from(&p, tools::NAMING_PART)) {
            let raw =
                raw.get_or_insert_with(|| argv.iter().map(|a| a.to_ascii_lowercase()).collect());
            let after: Vec<String> = ws[i + 1..]
                .iter()
                .zip(&raw[i + 1..])
                .flat_map(|(b, r)| [r.clone(), b.clone()])
                .collect();
            let after = &after[..];
            let does = if t.checks.iter().any(|s| follows(after, s)) {
                Does::Check
            } else if t.not.iter().any(|s| follows(after, s)) {
                Does::Other
            } else if t.serves.iter().any(|s| serves_after(after, s))
                // A word that only its migrate-only command has (LiteLLM's
                // `--skip_server_startup`) says it does not serve.
                && !t.migrate.iter().any(|s| !s.is_empty() && follows(after, s))
            {
                Does::MigrateThenServe
            } else if t.migrate.iter().any(|s| follows(after, s)) {
                adjust_by_flags(Does::Migrate, &argv[i..])
            } else {
                continue;
            };
            return Some(finding(does, Rule::Tool, Some(t), argv, None));
        }
    }
    None
}

/// Whether a `serves` sequence matches the words after the program (each
/// lower-cased, then as written): as [`follows`], but `""` is the program with
/// no positional word, flags and their values only (Langfuse's and NetBox's
/// entrypoints serve with no argument and only migrate with `true`; LiteLLM's
/// proxy serves with `--config FILE`).
fn serves_after(words: &[String], seq: &str) -> bool {
    match seq {
        "" => {
            let mut value_next = false;
            words.iter().step_by(2).all(|w| {
                let flag = w.starts_with('-');
                let ok = flag || value_next;
                value_next = flag && !w.contains('=');
                ok
            })
        }
        _ => follows(words, seq),
    }
}

/// Whether the words of `seq` (globs) follow in `words`, in order; `""` always does.
fn follows(words: &[String], seq: &str) -> bool {
    let mut it = words.iter();
    seq.split_whitespace()
        .all(|p| it.by_ref().any(|w| glob(p, w)))
}

/// An app CLI's verb: `<app> migrate`, `<app> db upgrade`, `<app> migrations up`, …
fn verb(prog: &str, pos: &[String]) -> Option<Does> {
    for (k, p) in pos.iter().enumerate().take(4) {
        let next = pos.get(k + 1).map(String::as_str);
        let next_is = |set: &[&str]| next.is_some_and(|n| words::has_segment(n, set));
        match p.as_str() {
            "migrate" | "migrations" | "migration" | "db" | "database" | "schema" => {
                if next_is(words::CHECK) {
                    return Some(Does::Check);
                }
                if next_is(words::OTHER) || next_is(&["create", "add", "init"]) && p != "db" {
                    return Some(Does::Other);
                }
                if p.starts_with("migrat") {
                    return Some(Does::Migrate);
                }
                if next.is_some_and(|n| {
                    matches!(
                        n,
                        "upgrade"
                            | "migrate"
                            | "sync"
                            | "deploy"
                            | "update"
                            | "setup"
                            | "apply"
                            | "init"
                            | "prepare"
                    )
                }) {
                    return Some(Does::Migrate);
                }
            }
            "upgrade" if k == 0 && !prog.ends_with("-run") && !prog.ends_with("-target") => {
                return Some(Does::Migrate)
            }
            _ => match says(p) {
                Says::Migrate => return Some(Does::Migrate),
                Says::Check => return Some(Does::Check),
                Says::Wait => return Some(Does::Wait),
                Says::Other => return Some(Does::Other),
                Says::Nothing => {}
            },
        }
    }
    None
}

/// A migrate verb followed (within the positional words) by a check or other word.
pub(super) fn window(does: Does, pos: &[String]) -> Does {
    if does != Does::Migrate {
        return does;
    }
    let any = |set: &[&str]| pos.iter().any(|p| words::has_segment(p, set));
    if any(words::CHECK) {
        Does::Check
    } else if any(words::OTHER) {
        Does::Other
    } else {
        does
    }
}

/// Whether a command with a migrate flag serves after it (Mender's `server
/// --automigrate`): its first positional is a serving verb (`run` left out:
/// `run --migrate` is as often a one-off), and no word says it exits after
/// (`--migrate-only`, `--exit-after-migrate`).
fn serves_too(argv: &[String], pos: &[String]) -> bool {
    let serving = pos
        .first()
        .is_some_and(|p| p != "run" && SERVE_VERBS.contains(&p.as_str()));
    let exits = argv.iter().any(|a| {
        let l = a.to_ascii_lowercase();
        l.contains("only") || l.contains("exit")
    });
    serving && !exits
}

/// `--migrate`, `-mode=migrate`, `--run-migrations` (not `--migrations-dir=…`).
fn flag_migrates(a: &str) -> bool {
    if !a.starts_with('-') {
        return false;
    }
    // Compared in place: every flag of every command is read.
    let bare = a.trim_start_matches('-').as_bytes();
    if ["no-", "skip", "without", "disable", "no_", "dont"]
        .iter()
        .any(|n| {
            bare.get(..n.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(n.as_bytes()))
        })
    {
        return false;
    }
    let (k, v) = a.split_once('=').unwrap_or((a, ""));
    let about_place = || {
        let places = [
            "dir",
            "path",
            "table",
            "folder",
            "source",
            "location",
            "locations",
            "file",
            "files",
            "url",
            "schema",
            "lock",
            "timeout",
            "to",
        ];
        words::has_segment(k, &places)
    };
    let verb_key = || {
        matches!(
            words::segments(k).last().map(Text::as_str),
            Some("mode" | "command" | "cmd" | "action" | "task" | "run")
        )
    };
    // `says` first: it rarely says migrate, and then the parts need not be read.
    (says(k) == Says::Migrate && !about_place() && (v.is_empty() || matches!(v, "true" | "1")))
        || (says(v) == Says::Migrate && verb_key())
}

/// SQL that changes a schema.
pub(super) fn has_ddl(text: &str) -> bool {
    let up = text.to_ascii_uppercase();
    let up: String = up.split_whitespace().collect::<Vec<_>>().join(" ");
    [
        "CREATE TABLE",
        "ALTER TABLE",
        "CREATE SCHEMA",
        "CREATE INDEX",
        "CREATE UNIQUE INDEX",
        "CREATE TYPE",
        "CREATE OR REPLACE FUNCTION",
        "CREATE VIEW",
        "CREATE OR REPLACE VIEW",
        "CREATE KEYSPACE",
        "CREATE MATERIALIZED VIEW",
    ]
    .iter()
    .any(|k| up.contains(k))
}

/// `psql -f schema.sql`, `mysql < migrations/001.sql` (a file named like a schema).
fn runs_schema_file(argv: &[String]) -> bool {
    argv.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        (a.ends_with(".sql") || a.ends_with(".cql"))
            && [
                "schema", "migrat", "init", "create", "ddl", "tables", "upgrade",
            ]
            .iter()
            .any(|k| a.contains(k))
    })
}

/// The words after the program that are not flags, paths or values.
pub(super) fn positionals(rest: &[String]) -> Vec<String> {
    rest.iter()
        .filter(|w| {
            !w.starts_with('-')
                && !(w.contains('/') && (w.starts_with(['/', '.', '~']) || w.contains('.')))
                && !w.contains('=')
                && !w.contains('$')
                && !w.contains('@')
                && ![
                    ".yaml", ".yml", ".json", ".conf", ".ini", ".toml", ".env", ".xml",
                ]
                .iter()
                .any(|e| w.ends_with(e))
        })
        .take(5)
        .map(|w| w.to_ascii_lowercase())
        .collect()
}

/// Whether a wait is for a database, migrations or a Job (not Redis, DNS, …).
pub(super) fn waits_for_db(argv: &[String]) -> bool {
    let text = argv.join(" ").to_ascii_lowercase();
    let segs = words::segments(&text);
    let db_seg = segs
        .iter()
        .any(|s| matches!(s.as_str(), "db" | "database" | "job" | "jobs"));
    db_seg
        || [
            "postgres",
            "pg_",
            "psql",
            "mysql",
            "maria",
            "sql",
            "migrat",
            "mongo",
            "cockroach",
            "cassandra",
            "clickhouse",
            "5432",
            "3306",
            "26257",
            "9042",
        ]
        .iter()
        .any(|k| text.contains(k))
}

/// The server a command line runs, when its program (or the program an
/// entrypoint script it names hands over to: `docker-run.sh
/// apache2-foreground`) is one that never exits ([`NEVER_EXITING_SERVERS`]),
/// without an option that makes it test and exit.
pub fn runs_a_server(argv: &[String]) -> Option<String> {
    let wrapper = |w: &str| {
        let p = program(w);
        w.ends_with(".sh")
            || p.contains("entrypoint")
            || matches!(p.as_str(), "exec" | "tini" | "dumb-init" | "--")
    };
    let start = argv.iter().take_while(|w| wrapper(w)).count();
    let rest = argv.get(start..)?;
    let first = rest.first()?;
    let prog = program(first);
    // A versioned binary (`php-fpm8.2`) is the same server.
    if let Some(script) = server_script(&prog, &rest[1..]) {
        return Some(format!("{prog} {script}"));
    }
    let known = NEVER_EXITING_SERVERS.iter().find(|s| {
        prog == **s
            || prog
                .strip_prefix(**s)
                .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    })?;
    let exits = rest[1..]
        .iter()
        .any(|a| SERVER_EXIT_FLAGS.contains(&a.as_str()));
    (!exits).then(|| known.to_string())
}

/// Script runtimes: `node server.js` runs the file it names.
const RUNTIMES: &[&str] = &["node", "bun", "deno", "python", "python3", "ruby"];

/// Names (the file's stem) of a script that starts an app's server
/// (Laminar's `node server.js`, Next.js' standalone `server.js`).
const SERVER_SCRIPTS: &[&str] = &["server", "www"];

/// The script a runtime `prog` runs when it is an app's server
/// ([`SERVER_SCRIPTS`]), from its first argument that is not an option.
fn server_script<'a>(prog: &str, args: &'a [String]) -> Option<&'a str> {
    if !RUNTIMES.contains(&prog) {
        return None;
    }
    let script = args.iter().find(|a| !a.starts_with('-'))?;
    let file = script.rsplit('/').next().unwrap_or(script);
    let stem = file.split('.').next().unwrap_or(file);
    SERVER_SCRIPTS.contains(&stem).then_some(script.as_str())
}

#[cfg(test)]
mod tests {
    use super::runs_a_server;

    /// A runtime running a server script serves; one running another script does not.
    #[test]
    fn runtime_server_scripts() {
        assert_eq!(
            runs_a_server(&argv("node server.js")).as_deref(),
            Some("node server.js")
        );
        assert_eq!(
            runs_a_server(&argv("node --max-old-space-size=512 ./bin/www")).as_deref(),
            Some("node ./bin/www")
        );
        assert_eq!(runs_a_server(&argv("node migrate.js")), None);
        assert_eq!(runs_a_server(&argv("python manage.py migrate")), None);
    }

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// A verb of something else than migrating, as a flag of `migrate`
    /// (Vendure's `migrate --revert`), makes it no migration.
    #[test]
    fn other_verbs_as_flags() {
        use super::{adjust_by_flags, Does};
        for cmd in [
            "vendure migrate --revert",
            "app migrate --rollback",
            "app migrate --down=1",
            "app migrate --generate add-users",
        ] {
            assert_eq!(
                adjust_by_flags(Does::Migrate, &argv(cmd)),
                Does::Other,
                "{cmd}"
            );
        }
        for cmd in [
            "app migrate --yes",
            "app migrate --backup-dir=/x",
            "app migrate -d x",
        ] {
            assert_eq!(
                adjust_by_flags(Does::Migrate, &argv(cmd)),
                Does::Migrate,
                "{cmd}"
            );
        }
    }

    /// A web server or worker, alone or handed over to by an entrypoint
    /// script, never exits; one told to test its config does, and so does a
    /// command that only names one.
    #[test]
    fn servers_that_never_exit() {
        for (cmd, server) in [
            ("apache2-foreground", Some("apache2-foreground")),
            (
                "docker-run.sh apache2-foreground",
                Some("apache2-foreground"),
            ),
            (
                "/usr/local/bin/docker-entrypoint.sh php-fpm",
                Some("php-fpm"),
            ),
            ("php-fpm8.2 -F", Some("php-fpm")),
            ("tini -- gunicorn app:app", Some("gunicorn")),
            ("nginx -g daemon-off;", Some("nginx")),
            ("nginx -t", None),
            ("php-fpm --test", None),
            ("docker-run.sh true", None),
            ("php artisan migrate", None),
            ("bundle exec puma-migrate", None),
            ("echo nginx", None),
        ] {
            assert_eq!(runs_a_server(&argv(cmd)).as_deref(), server, "{cmd}");
        }
    }
}
