//! What one command does: wrappers and interpreters peeled off (`env`, `exec`,
//! `tini --`, `bundle exec`, `python -m`, `php`, `dotnet`, `java -jar`, shells with
//! `-c`), scripts followed into the text the stream gives for them, then the tool
//! table, then the generic rules (an app CLI's migrate verb, a migration script's
//! name, SQL DDL through a database client, waits and servers).

use super::script::{self, Cmd, Place};
use super::tools::{Tool, TOOLS};
use super::words::{self, glob, norm, program, says, Says};

/// What a command was found to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Does {
    /// Migrates.
    Migrate,
    /// Migrates, then runs the app (a long-running process).
    MigrateThenServe,
    /// Checks for pending migrations.
    Check,
    /// Waits for something (a database, a Job, migrations).
    Wait,
    /// Runs a server or other long-running process.
    Serve,
    /// Runs a known tool for something else (generate, roll back, …).
    Other,
}

/// Which rule found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A row of the tool table.
    Tool,
    /// An application CLI's migrate verb.
    Verb,
    /// The program's or script's name.
    ScriptName,
    /// SQL DDL through a database client.
    Sql,
    /// A user pattern.
    User,
    /// A known waiting program or a wait loop.
    Wait,
    /// A server process.
    Serve,
}

/// One finding about one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it does.
    pub does: Does,
    /// Which rule said so.
    pub rule: Rule,
    /// The tool, when a table row matched.
    pub tool: Option<&'static str>,
    /// The tool's check command.
    pub check: Option<&'static str>,
    /// The command, as found.
    pub command: String,
    /// The script it came from, when it came from a mounted script.
    pub script: Option<String>,
}

/// What the walk needs from outside: scripts by path, user patterns, the image.
pub struct Env<'a> {
    /// A mounted script's text by path.
    pub scripts: &'a dyn Fn(&str) -> Option<String>,
    /// User command globs: (include?, pattern).
    pub user: &'a [(bool, String)],
    /// The container's working directory.
    pub workdir: Option<&'a str>,
    /// The program the image runs by its entrypoint (an entrypoint script's args go to it).
    pub image_prog: Option<String>,
}

/// Programs that only print, set up the shell or move files.
const NOISE: &[&str] = &[
    "echo",
    "printf",
    "set",
    "export",
    "sleep",
    "true",
    "false",
    "exit",
    "cd",
    "source",
    ".",
    "mkdir",
    "cp",
    "mv",
    "rm",
    "ln",
    "chmod",
    "chown",
    "cat",
    "test",
    "[",
    "[[",
    "info",
    "log",
    "trap",
    "unset",
    "local",
    "shift",
    "wait",
    "ls",
    "touch",
    "tee",
    "date",
    "env",
    "id",
    "whoami",
    "hostname",
    "umask",
    "ulimit",
    "read",
    "return",
    ":",
    "pwd",
    "printenv",
    "declare",
    "readonly",
    "let",
    "type",
    "which",
    "tr",
    "sed",
    "awk",
    "grep",
    "cut",
    "head",
    "tail",
    "basename",
    "dirname",
    "debug",
    "warn",
    "error",
    "echo_info",
    "log_info",
    "sync",
];

/// Programs that are never an app CLI (no verb rule for them).
const SYSTEM: &[&str] = &[
    "apt-get",
    "apt",
    "apk",
    "yum",
    "dnf",
    "microdnf",
    "zypper",
    "pip",
    "pip3",
    "helm",
    "kubectl",
    "git",
    "curl",
    "wget",
    "brew",
    "kubeadm",
    "linkerd",
    "istioctl",
    "aws",
    "gcloud",
    "az",
    "gsutil",
    "tar",
    "gzip",
    "unzip",
    "find",
    "xargs",
    "openssl",
    "ssh",
    "scp",
    "rsync",
    "docker",
    "systemctl",
    "service",
    "update-ca-certificates",
    "composer",
    "gem",
    "go",
    "cargo",
    "conda",
    "snap",
    "flux",
    "argocd",
    "terraform",
    "vault",
    "jq",
    "yq",
    "envsubst",
    "nc",
    "ncat",
    "telnet",
    "ping",
    "nslookup",
    "dig",
    "mc",
    "s3cmd",
    "rclone",
    "pg_dump",
    "pg_restore",
    "mysqldump",
    "redis-cli",
    "java",
    "keytool",
];

/// Database clients whose input may carry SQL DDL.
const SQL_CLIENTS: &[&str] = &[
    "psql",
    "mysql",
    "mariadb",
    "sqlcmd",
    "cqlsh",
    "clickhouse-client",
    "clickhouse",
    "sqlite3",
    "sqlplus",
    "usql",
    "cockroach",
    "postgresql_remote_execute",
    "postgresql_execute",
    "mysql_remote_execute",
    "mysql_execute",
    "mariadb_remote_execute",
    "mariadb_execute",
    "isql",
    "mongosh",
    "ysqlsh",
    "vsql",
    "trino",
    "bq",
];

/// Programs that wait for something.
const WAITERS: &[&str] = &[
    "wait-for-it",
    "wait-for",
    "waitfor",
    "wait4x",
    "dockerize",
    "k8s-wait-for",
    "kubernetes-entrypoint",
    "pg_isready",
    "wait_for_db",
    "wait-for-db",
    "mysqladmin",
];

/// Programs that serve (long-running).
const SERVERS: &[&str] = &[
    "gunicorn",
    "uvicorn",
    "daphne",
    "hypercorn",
    "puma",
    "unicorn",
    "thin",
    "passenger",
    "php-fpm",
    "apache2-foreground",
    "httpd",
    "nginx",
    "caddy",
    "supervisord",
    "celery",
    "sidekiq",
    "granian",
    "waitress-serve",
    "runserver",
    "node",
    "frankenphp",
    "rr",
];

/// Positional words of an app CLI that serve.
const SERVE_VERBS: &[&str] = &[
    "serve",
    "server",
    "start",
    "run",
    "web",
    "worker",
    "runserver",
    "daemon",
    "s",
    "start-prod",
];

/// Flags that turn a migrate command into a check.
const CHECK_FLAGS: &[&str] = &[
    "--check",
    "--plan",
    "--dry-run",
    "--dryrun",
    "--status",
    "--pending*",
    "--list",
    "--check-only",
    "--exit-code",
    "--current-db-version",
    "--validate-only",
];

/// Flags that turn a migrate command into something else.
const OTHER_FLAGS: &[&str] = &[
    "--sql",
    "--help",
    "-h",
    "--version",
    "--supported-db-version",
    "--fake",
];

const MAX_DEPTH: usize = 6;

/// Classifies a command line (argv) and everything it runs.
pub fn argv(argv: &[String], env: &Env<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    walk(argv, "", env, 0, None, &mut out);
    out
}

fn run_script(text: &str, env: &Env<'_>, depth: usize, from: Option<&str>, out: &mut Vec<Finding>) {
    for cmd in script::parse(text) {
        let start = out.len();
        simple(&cmd, env, depth, from, out);
        if cmd.place == Place::LoopCondition {
            // A loop on anything but a migration waits (retrying a migration is still one).
            let migrates = out[start..].iter().any(|f| f.does == Does::Migrate);
            if !migrates {
                out.truncate(start);
                out.push(finding(Does::Wait, Rule::Wait, None, &cmd.argv, from));
            }
        }
    }
}

fn simple(cmd: &Cmd, env: &Env<'_>, depth: usize, from: Option<&str>, out: &mut Vec<Finding>) {
    if let Some(a) = cmd.assignments.iter().find(|a| assignment_migrates(a)) {
        // `ENTRYPOINT=migrate node index.js down`: the command's verbs still count.
        let does = window(
            Does::Migrate,
            &positionals(cmd.argv.get(1..).unwrap_or(&[])),
        );
        if does == Does::Migrate && !cmd.argv.is_empty() {
            out.push(finding(does, Rule::Verb, None, &[a.clone()], from));
        }
    }
    let start = out.len();
    walk(&cmd.argv, &cmd.input, env, depth, from, out);
    if cmd.exec && out.len() == start && !cmd.argv.is_empty() {
        out.push(finding(Does::Serve, Rule::Serve, None, &cmd.argv, from));
    }
}

fn finding(
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
        out.push(finding(Does::Migrate, Rule::Verb, None, &[a.clone()], from));
    }
    let argv = unwrap(argv, env.image_prog.as_deref());
    let Some(first) = argv.first() else { return };
    let line = argv.join(" ");
    for (include, pat) in env.user {
        if glob(pat, &line) || glob(pat, &line.to_ascii_lowercase()) {
            let does = if *include { Does::Migrate } else { Does::Other };
            out.push(finding(does, Rule::User, None, &argv, from));
            return;
        }
    }
    let prog = program(first);
    let rest = &argv[1..];
    if matches!(
        prog.as_str(),
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"
    ) {
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
            if code_migrates(&code) {
                out.push(finding(Does::Migrate, Rule::ScriptName, None, &argv, from));
            }
            return;
        }
        return walk(&next.argv, input, env, depth + 1, from, out);
    }
    if let Some(text) = lookup(first, env) {
        let before = out.len();
        if is_shell_script(first, &text) {
            run_script(&text, env, depth + 1, Some(first), out);
        } else if has_ddl(&text) {
            out.push(finding(Does::Migrate, Rule::Sql, None, &argv, Some(first)));
        }
        if out.len() > before {
            return;
        }
    }
    if let Some(f) = classify(&argv, input) {
        out.push(Finding {
            script: from.map(str::to_string),
            ..f
        });
    }
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
/// script given only options runs the image's program.
fn unwrap(argv: &[String], image_prog: Option<&str>) -> Vec<String> {
    let mut v: &[String] = argv;
    loop {
        let Some(first) = v.first() else { break };
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
            "docker-entrypoint" | "entrypoint" | "docker-entrypoint.d" | "run" | "start"
                if v.len() > 1 && looks_like_program(&v[1]) =>
            {
                1
            }
            "docker-entrypoint" | "entrypoint" if image_prog.is_some() => {
                let mut out = vec![image_prog.unwrap_or_default().to_string()];
                out.extend(v[1..].iter().cloned());
                return out;
            }
            _ => 0,
        };
        if n == 0 || n > v.len() {
            break;
        }
        v = &v[n..];
    }
    v.to_vec()
}

/// Whether a word is a program to run rather than an app verb.
fn looks_like_program(w: &str) -> bool {
    let p = program(w);
    w.contains('/')
        || matches!(
            p.as_str(),
            "sh" | "bash" | "python" | "python3" | "node" | "php" | "ruby"
        )
        || TOOLS.iter().any(|t| t.programs.iter().any(|g| glob(g, &p)))
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
        return None;
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
    if matches!(prog, "npm" | "yarn" | "pnpm" | "bun" | "deno") {
        // `npm run x`, `yarn x`, `pnpm exec x`: the script or bin is the verb of the runner.
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
    if prog == "dotnet" && args.first().is_some_and(|a| a == "tool" || a == "run") {
        args = &args[args.len().min(2)..];
    }
    (!args.is_empty()).then(|| Next {
        argv: args.to_vec(),
        code: None,
    })
}

/// Inline code (`python -c`, `node -e`, `bin/app eval`) that calls a migration.
fn code_migrates(code: &str) -> bool {
    let segs = words::segments(code);
    segs.iter().any(|s| words::MIGRATE.contains(&s.as_str()))
        || segs.iter().any(|s| s == "create_all")
        || (segs.iter().any(|s| s == "alembic") && segs.iter().any(|s| s == "upgrade"))
}

/// A mounted script's text, by absolute path or relative to the working directory.
fn lookup(path: &str, env: &Env<'_>) -> Option<String> {
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

/// The words after the program that are not flags, paths or values.
fn positionals(rest: &[String]) -> Vec<String> {
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

/// Classifies an unwrapped simple command.
pub fn classify(argv: &[String], input: &str) -> Option<Finding> {
    let prog = program(argv.first()?);
    if NOISE.contains(&prog.as_str()) {
        return None;
    }
    let ws: Vec<String> = argv.iter().map(|w| norm(w)).collect();
    if let Some(f) = by_table(argv, &ws) {
        return Some(f);
    }
    let make = |does, rule| Some(finding(does, rule, None, argv, None));
    if SQL_CLIENTS.contains(&prog.as_str()) {
        let text = format!("{} {input}", argv[1..].join(" "));
        return if has_ddl(&text) || runs_schema_file(argv) {
            make(Does::Migrate, Rule::Sql)
        } else {
            None
        };
    }
    if WAITERS.contains(&prog.as_str()) || (prog == "kubectl" && argv.iter().any(|a| a == "wait")) {
        return make(Does::Wait, Rule::Wait);
    }
    if SERVERS.contains(&prog.as_str()) {
        return make(Does::Serve, Rule::Serve);
    }
    if SYSTEM.contains(&prog.as_str()) {
        return None;
    }
    let pos = positionals(&argv[1..]);
    let flagged = |does| adjust_by_flags(window(does, &pos), argv);
    if pos.first().is_some_and(|p| p == "eval" || p == "rpc") && code_migrates(&argv[1..].join(" "))
    {
        return make(Does::Migrate, Rule::Verb);
    }
    match says(&prog) {
        Says::Migrate
            if pos
                .iter()
                .all(|p| matches!(says(p), Says::Nothing | Says::Migrate)) =>
        {
            return make(flagged(Does::Migrate), Rule::ScriptName)
        }
        Says::Wait => return make(Does::Wait, Rule::Wait),
        Says::Check => return make(Does::Check, Rule::ScriptName),
        Says::Other => return make(Does::Other, Rule::ScriptName),
        _ => {}
    }
    if let Some(does) = verb(&prog, &pos) {
        return make(flagged(does), Rule::Verb);
    }
    if argv[1..].iter().any(|a| flag_migrates(a)) {
        return make(flagged(Does::Migrate), Rule::Verb);
    }
    if pos
        .first()
        .is_some_and(|p| SERVE_VERBS.contains(&p.as_str()))
    {
        return make(Does::Serve, Rule::Serve);
    }
    None
}

/// A migrate verb followed (within the positional words) by a check or other word.
fn window(does: Does, pos: &[String]) -> Does {
    if does != Does::Migrate {
        return does;
    }
    let segs: Vec<String> = pos.iter().flat_map(|p| words::segments(p)).collect();
    if segs.iter().any(|s| words::CHECK.contains(&s.as_str())) {
        Does::Check
    } else if segs.iter().any(|s| words::OTHER.contains(&s.as_str())) {
        Does::Other
    } else {
        does
    }
}

/// `--migrate`, `-mode=migrate`, `--run-migrations` (not `--migrations-dir=…`).
fn flag_migrates(a: &str) -> bool {
    if !a.starts_with('-') {
        return false;
    }
    let lower = a.trim_start_matches('-').to_ascii_lowercase();
    if ["no-", "skip", "without", "disable", "no_", "dont"]
        .iter()
        .any(|n| lower.starts_with(n))
    {
        return false;
    }
    let (k, v) = a.split_once('=').unwrap_or((a, ""));
    let segs = words::segments(k);
    let about_place = segs.iter().any(|s| {
        matches!(
            s.as_str(),
            "dir"
                | "path"
                | "table"
                | "folder"
                | "source"
                | "location"
                | "locations"
                | "file"
                | "files"
                | "url"
                | "schema"
                | "lock"
                | "timeout"
                | "to"
        )
    });
    let verb_key = matches!(
        segs.last().map(String::as_str),
        Some("mode" | "command" | "cmd" | "action" | "task" | "run")
    );
    (says(k) == Says::Migrate && !about_place && (v.is_empty() || matches!(v, "true" | "1")))
        || (verb_key && says(v) == Says::Migrate)
}

/// A check or other flag on a migrate command changes what it does.
fn adjust_by_flags(does: Does, argv: &[String]) -> Does {
    if does != Does::Migrate {
        return does;
    }
    let lower: Vec<String> = argv.iter().map(|a| a.to_ascii_lowercase()).collect();
    if lower.iter().any(|a| CHECK_FLAGS.iter().any(|f| glob(f, a))) {
        Does::Check
    } else if lower.iter().any(|a| OTHER_FLAGS.contains(&a.as_str())) {
        Does::Other
    } else {
        does
    }
}

/// The tool table: the first program word a row knows decides.
fn by_table(argv: &[String], ws: &[String]) -> Option<Finding> {
    let raw: Vec<String> = argv.iter().map(|a| a.to_ascii_lowercase()).collect();
    for (i, w) in ws.iter().enumerate() {
        let p = program(w);
        let segs = words::segments(&p);
        for t in TOOLS {
            let named = t.programs.iter().any(|g| {
                glob(g, &p) || (g.len() >= 6 && !g.contains('*') && segs.iter().any(|s| s == g))
            });
            if !named {
                continue;
            }
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
            } else if t.serves.iter().any(|s| follows(after, s)) {
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
        let next_says = next.map(|n| words::segments(n));
        let next_is = |set: &[&str]| {
            next_says
                .as_ref()
                .is_some_and(|s| s.iter().any(|x| set.contains(&x.as_str())))
        };
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

/// SQL that changes a schema.
fn has_ddl(text: &str) -> bool {
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
