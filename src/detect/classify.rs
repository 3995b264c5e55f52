//! Verdicts for containers and Jobs, from the findings about their commands, their
//! image, their env, their names, their hook events and their credentials.

use super::command::{self, Does, Finding, Rule};
use super::image_rows::{image_cmd_args, image_rows, image_tool};
use super::rules::Rules;
use super::switches::{self, env_switch, switched_off};
use super::tools;
use super::verdict::{Confidence, Kind, Signal, SignalKind, Verdict};
use super::words::{self, says, Says};
use crate::yaml::Value;

/// The strings of a container's `command` or `args`.
pub(super) fn strings(c: &Value, key: &str) -> Vec<String> {
    c.get(key)
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter(|v| !matches!(v, Value::Null | Value::Seq(_) | Value::Map(_)))
        .map(super::text)
        .collect()
}

/// The program an image runs by its entrypoint: a tool whose image row matches,
/// else the repository's last path segment.
pub(crate) fn image_program(image: &str) -> String {
    let repo = super::image_repository(image).to_ascii_lowercase();
    image_rows()
        .iter()
        .find(|(g, _)| g.matches(&repo, image))
        .map_or_else(
            || repo.rsplit('/').next().unwrap_or(&repo).to_string(),
            |(_, program)| program.to_string(),
        )
}

/// The argv detection reads: command + args, or the image's program (from
/// `program`, asked only then) + args; and whether a command of its own runs
/// (the image's start written out, a row's `image_cmd`, is none: it reads the
/// image's env switches as the image's start does).
fn effective_argv(c: &Value, image: &str, program: impl FnOnce() -> String) -> (Vec<String>, bool) {
    let cmd = strings(c, "command");
    let args = strings(c, "args");
    if !cmd.is_empty() {
        let argv = [cmd, args].concat();
        if let Some(rest) = image_cmd_args(image, &argv) {
            return (std::iter::once(program()).chain(rest).collect(), false);
        }
        return (argv, true);
    }
    let runs_program = args.first().is_some_and(|a| {
        (a.contains('/') && !a.starts_with('-'))
            || matches!(
                words::program(a).as_str(),
                "sh" | "bash"
                    | "python"
                    | "python3"
                    | "node"
                    | "ruby"
                    | "php"
                    | "java"
                    | "dotnet"
                    // Ruby's task runners: an image's entrypoint execs them
                    // (Errbit's `args: [rake, db:migrate]`), none takes them as a verb.
                    | "rake"
                    | "rails"
                    | "bundle"
            )
    });
    if runs_program || image.is_empty() {
        return (args, false);
    }
    (std::iter::once(program()).chain(args).collect(), false)
}

/// Whether container `c` runs a command that never opens the database
/// (a tool row's `no_database`: Concourse's workers run the web's image).
pub fn never_opens_database(c: &Value) -> bool {
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    // Few rows have such commands: a container that names none of their
    // programs anywhere is not one (the full reading was 8% of a
    // 500-Deployment run, once per workload).
    let named = super::simple::names_a_no_database_program;
    if !named(image) && !super::command_line(c).iter().any(|w| named(w)) {
        return false;
    }
    let (argv, _) = effective_argv(c, image, || image_program(image));
    super::simple::never_opens_database(&argv)
}

/// Names an image's entrypoint script goes by.
const ENTRYPOINT_SCRIPTS: &[&str] = &[
    "docker-entrypoint.sh",
    "entrypoint.sh",
    "docker-entrypoint",
    "entrypoint",
    // Dolibarr's.
    "docker-run.sh",
];

/// Whether a container's command runs an image's entrypoint script
/// (`./web/entrypoint.sh true`): where an env switch of the image's start-up
/// migration is read.
pub fn runs_entrypoint_script(c: &Value) -> bool {
    super::command_line(c).iter().any(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        ENTRYPOINT_SCRIPTS.contains(&base)
    })
}

/// A script of the stream mounted over the image's entrypoint: without a
/// `command`, that script is what the container runs (Zammad's init Job mounts
/// its migration script at `/docker-entrypoint.sh`).
fn mounted_entrypoint(c: &Value, scripts: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    c.get("volumeMounts")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| m.get("mountPath").and_then(Value::as_str))
        .find(|p| {
            let base = p.rsplit('/').next().unwrap_or(p);
            ENTRYPOINT_SCRIPTS.contains(&base) && scripts(p).is_some()
        })
        .map(str::to_string)
}

fn signal(kind: SignalKind, container: Option<&str>, detail: String) -> Signal {
    Signal {
        kind,
        container: container.map(str::to_string),
        detail,
    }
}

fn clip(s: &str) -> String {
    let one: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(79).collect::<String>())
    } else {
        one
    }
}

/// A command as detection reads it, as one could type it: a package runner's
/// script (`yarn-run predeploy`, read from `yarn predeploy`) is `yarn run
/// predeploy`, a task runner's target (`make-target migrate`) `make migrate`.
fn as_typed(command: &str) -> std::borrow::Cow<'_, str> {
    let (first, rest) = command.split_once(' ').unwrap_or((command, ""));
    let typed = match first.rsplit_once('-') {
        Some((p, "run")) if matches!(p, "npm" | "yarn" | "pnpm" | "bun" | "deno") => {
            format!("{p} run")
        }
        Some((p, "target")) if matches!(p, "make" | "just" | "task") => p.to_string(),
        _ => return std::borrow::Cow::Borrowed(command),
    };
    std::borrow::Cow::Owned(match rest.is_empty() {
        true => typed,
        false => format!("{typed} {rest}"),
    })
}

/// The signal a finding gives.
fn finding_signal(f: &Finding, c: Option<&str>) -> Signal {
    let kind = match (f.does, f.rule) {
        (_, Rule::User) => SignalKind::User,
        (Does::Wait, _) => SignalKind::Wait,
        (Does::Check, _) => SignalKind::Check,
        (Does::Serve, _) => SignalKind::Serves,
        (_, Rule::Sql) => SignalKind::Sql,
        (_, Rule::ScriptName) => SignalKind::Script,
        _ => SignalKind::Command,
    };
    let why = match (f.rule, f.tool) {
        (_, Some(t)) => t.to_string(),
        (Rule::Verb, _) => "an app CLI's migrate verb".into(),
        (Rule::ScriptName, _) => "named like a migration".into(),
        (Rule::Sql, _) => "SQL DDL".into(),
        (Rule::User, _) => "a user pattern".into(),
        (Rule::Wait, _) => "waits".into(),
        (Rule::Serve, _) => "a long-running process".into(),
        (Rule::Tool, None) => "a known tool".into(),
    };
    let from = f
        .script
        .as_ref()
        .map(|s| format!(" in script `{s}` from the stream"))
        .unwrap_or_default();
    signal(
        kind,
        c,
        format!("runs `{}` ({why}){from}", clip(&as_typed(&f.command))),
    )
}

/// Classifies one container, following scripts through `scripts`, with user patterns.
pub fn container(c: &Value, scripts: &dyn Fn(&str) -> Option<String>, rules: &Rules) -> Verdict {
    // A container that cannot start runs nothing (PM023 says so).
    if super::unrunnable_program(c).is_some() {
        return Verdict::other();
    }
    let name = c.get("name").and_then(Value::as_str);
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    if let Some((inc, p)) = rules.image(image) {
        return user(
            inc,
            name,
            format!("image `{image}` matches user pattern `{p}`"),
        );
    }
    if let Some((inc, p)) = name.and_then(|n| rules.name(n)) {
        let n = name.unwrap_or_default();
        return user(inc, name, format!("name `{n}` matches user pattern `{p}`"));
    }
    // The image's program, looked up once: the argv, the walk and the verdict read it.
    let image_prog = (!image.is_empty()).then(|| image_program(image));
    let prog = || image_prog.clone().unwrap_or_else(|| image_program(image));
    let (argv, has_command) = match mounted_entrypoint(c, scripts) {
        Some(path) if c.get("command").is_none() => (
            std::iter::once(path).chain(strings(c, "args")).collect(),
            true,
        ),
        _ => effective_argv(c, image, prog),
    };
    let env = command::Env {
        scripts,
        user: &rules.commands,
        workdir: c.get("workingDir").and_then(Value::as_str),
        image_prog: image_prog.as_deref(),
    };
    let found = command::argv(&argv, &env);
    if let Some(f) = found.iter().find(|f| f.rule == Rule::User) {
        let p = rules.command(&f.command).map_or("", |(_, p)| p);
        let why = format!("command `{}` matches user pattern `{p}`", clip(&f.command));
        return user(f.does == Does::Migrate, name, why);
    }
    let mut v = from_findings(&found, name);
    if !has_command && !image.is_empty() {
        // The image's own entrypoint ran it: say so.
        let prog = image_prog.as_deref().unwrap_or_default();
        for s in &mut v.signals {
            let by_image = s.detail.starts_with(&format!("runs `{prog} "))
                || s.detail.starts_with(&format!("runs `{prog}`"));
            if by_image && matches!(s.kind, SignalKind::Command | SignalKind::Script) {
                s.kind = SignalKind::Image;
                s.detail = format!("image `{image}` {} by its entrypoint", s.detail);
            }
        }
    }
    if v.kind == Kind::Other {
        by_image_env_name(&mut v, c, (image, image_prog.as_deref()), has_command, name);
    }
    // An image whose entrypoint migrates, then serves, with its env switches
    // turned off (`LANGFUSE_AUTO_*_MIGRATION_DISABLED=true`) only serves.
    // A database in a file of each pod races nobody, whatever the command.
    let file_db = || super::switches::file_database(c).is_some();
    // A switch named for the tool (`PREFECT_SERVER_DATABASE_MIGRATE_ON_START`)
    // is read by the tool itself, whatever command starts it.
    let own_switch = || {
        let prefix = v.tool.map(|t| t.to_ascii_uppercase() + "_");
        prefix.is_some_and(|p| switched_off(c) && super::switches::names_a_switch(c, &p))
    };
    let heeds = !v
        .tool
        .and_then(tools::named)
        .is_some_and(|t| t.ignores_switches);
    let off = heeds && ((!has_command && switched_off(c)) || own_switch());
    if v.kind == Kind::MigratesThenServes && (off || file_db()) {
        return Verdict::other();
    }
    v
}

fn user(include: bool, c: Option<&str>, detail: String) -> Verdict {
    Verdict {
        kind: if include {
            Kind::Migration
        } else {
            Kind::Other
        },
        confidence: Confidence::Certain,
        tool: None,
        signals: vec![signal(SignalKind::User, c, detail)],
        check: None,
        command: None,
    }
}

/// The verdict the findings about the commands give.
fn from_findings(found: &[Finding], c: Option<&str>) -> Verdict {
    let mut v = Verdict::other();
    let first_migration = found
        .iter()
        .position(|f| matches!(f.does, Does::Migrate | Does::MigrateThenServe));
    if let Some(i) = first_migration {
        let m = &found[i];
        v.kind = Kind::Migration;
        v.confidence = Confidence::Likely;
        v.tool = m.tool;
        v.check = m.check;
        // What a Job should run: not a command that serves after migrating
        // (`ak server`), but the tool's command that only migrates, if any.
        v.command = match m.does {
            Does::MigrateThenServe => m.tool.and_then(tools::migrate_only).map(str::to_string),
            _ => Some(m.command.clone()),
        };
        v.signals.push(finding_signal(m, c));
        let serves = found[i..].iter().find(|f| {
            (f.does == Does::Serve && m.may_precede(f)) || f.does == Does::MigrateThenServe
        });
        if let Some(s) = serves {
            v.kind = Kind::MigratesThenServes;
            if s.does == Does::Serve {
                v.signals.push(finding_signal(s, c));
            }
        }
        return v;
    }
    for (does, kind) in [(Does::Wait, Kind::Waiter), (Does::Check, Kind::Check)] {
        if let Some(f) = found.iter().find(|f| f.does == does) {
            v.kind = kind;
            v.confidence = Confidence::Likely;
            v.tool = f.tool;
            v.check = f.check;
            v.signals.push(finding_signal(f, c));
            return v;
        }
    }
    if let Some(f) = found.iter().find(|f| f.does == Does::Other) {
        v.confidence = Confidence::Likely;
        v.tool = f.tool;
        v.signals.push(finding_signal(f, c));
    }
    v
}

/// Makes a verdict a likely migration, for `why`.
fn migration_by(v: &mut Verdict, why: Signal) {
    (v.kind, v.confidence) = (Kind::Migration, Confidence::Likely);
    v.signals.push(why);
}

/// Evidence beyond the commands: a migrator image, an env switch, the name.
fn by_image_env_name(
    v: &mut Verdict,
    c: &Value,
    (image, program): (&str, Option<&str>),
    has_command: bool,
    name: Option<&str>,
) {
    if v.confidence == Confidence::Likely {
        return; // a known tool said "something else"
    }
    let base = &program.map_or_else(|| image_program(image), str::to_string);
    let args = strings(c, "args");
    let args_check = args
        .iter()
        .any(|a| says(a) == Says::Check || words::CHECK.contains(&a.as_str()));
    match says(base) {
        Says::Migrate | Says::Nothing if is_migrator_image(base) && !args_check => {
            let how = [" run by its entrypoint", ""][usize::from(has_command)];
            let what = format!("image `{image}` is a migrator image{how}");
            return migration_by(v, signal(SignalKind::Image, name, what));
        }
        Says::Wait => {
            v.kind = Kind::Waiter;
            v.confidence = Confidence::Likely;
            v.signals.push(signal(
                SignalKind::Wait,
                name,
                format!("image `{image}` waits"),
            ));
            return;
        }
        _ => {}
    }
    if let Some(why) = super::image_rows::env_mode(image, c) {
        return migration_by(v, signal(SignalKind::Env, name, why));
    }
    // A tool's own subcommand (wger's `./manage.py setup-powersync-storage`)
    // replaces the entrypoint that reads a switch the chart gives every container.
    let other_task = has_command && !runs_entrypoint_script(c) && switches::tool_task(c);
    if let Some(sw) = env_switch(c).filter(|_| !switches::a_worker(c, has_command) && !other_task) {
        v.kind = Kind::MigratesThenServes;
        v.confidence = Confidence::Likely;
        // The image's tool, when the table knows its command that only
        // migrates (Miniflux's `RUN_MIGRATIONS=1`: `miniflux -migrate`).
        if let Some(t) = image_tool(image).filter(|t| t.migrate_only.is_some()) {
            (v.tool, v.command) = (Some(t.name), t.migrate_only.map(str::to_string));
        }
        v.signals.push(signal(
            SignalKind::Env,
            name,
            format!("env `{sw}` switches migrations on at start"),
        ));
        return;
    }
    if let Some(n) = name {
        if name_says_waiter(n) {
            v.kind = Kind::Waiter;
            v.signals.push(signal(
                SignalKind::Name,
                name,
                format!("name `{n}` says it waits"),
            ));
        } else if name_says_migration(n) {
            v.kind = Kind::Migration;
            v.signals.push(signal(
                SignalKind::Name,
                name,
                format!("name `{n}` says migration"),
            ));
        }
    }
}

/// Images named like migrators: `*-migrate`, `*/migrator`, `*-migrations`, `*/bootloader`,
/// `*-db-init`, `*-schema-upgrade`, …
fn is_migrator_image(base: &str) -> bool {
    let segs = words::segments(base);
    says(base) == Says::Migrate
        || segs
            .iter()
            .any(|s| matches!(s.as_str(), "bootloader" | "schema" | "dbinit" | "initdb"))
}

/// Whether a name says migration, and not a wait for one or a check of one
/// (`*wait-for-migrations*`, `wait_on_database_migrations`, `*-migration-check`).
pub fn name_says_migration(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("migrat")
        && words::about_migrations(&words::segments(&n))
        && !name_says_waiter(&n)
        && says(&n) != Says::Check
}

/// Whether a name says it waits (`wait-for-db`, `wait-for-migrations`, `*-wait`).
pub fn name_says_waiter(name: &str) -> bool {
    words::segments(name)
        .iter()
        .any(|s| words::WAIT.contains(&s.as_str()))
}

/// Whether a name says schema work: migrations, `db-sync`, `db-init`, `init-db`,
/// `schema`, `db-upgrade`, `db-setup`, `seed`/`seeder`, `initializer`, `bootstrap`.
pub fn name_is_schema_ish(name: &str) -> bool {
    let segs = words::segments(name);
    let has = |set: &[&str]| segs.iter().any(|s| set.contains(&s.as_str()));
    !name_says_waiter(name)
        && (name_says_migration(name)
            || has(&[
                "schema",
                "dbsync",
                "dbinit",
                "initdb",
                "seed",
                "seeder",
                "initializer",
                "dbupgrade",
            ])
            || (has(&["db", "database"])
                && has(&[
                    "sync",
                    "init",
                    "upgrade",
                    "setup",
                    "update",
                    "create",
                    "bootstrap",
                ])))
}

/// A container of a pod spec that is a native sidecar (`restartPolicy: Always`).
fn is_sidecar(c: &Value) -> bool {
    c.get("restartPolicy").and_then(Value::as_str) == Some("Always")
}

/// Classifies a Job from its name, pod spec, hook events and whether it reads the
/// app workloads' database credentials.
pub fn job(
    name: &str,
    pod: &Value,
    hooks: Option<&[String]>,
    shares_credentials: bool,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &Rules,
) -> Verdict {
    if let Some((inc, p)) = rules.name(name) {
        return user(
            inc,
            None,
            format!("name `{name}` matches user pattern `{p}`"),
        );
    }
    let classify = |list: &str| -> Vec<Verdict> {
        let cs = pod.get(list).map(Value::items).unwrap_or(&[]);
        cs.iter()
            .filter(|c| !is_sidecar(c))
            .map(|c| container(c, scripts, rules))
            .collect()
    };
    let (inits, mains) = (classify("initContainers"), classify("containers"));
    let all = || inits.iter().chain(&mains);
    if let Some(v) = all().find(|v| v.confidence == Confidence::Certain) {
        return v.clone();
    }
    let context = job_context(name, hooks, shares_credentials);
    if let Some(v) = all().find(|v| v.is_migration()) {
        let mut v = v.clone();
        // A Job runs once: what it runs after migrating races with nothing.
        v.kind = Kind::Migration;
        v.signals.extend(context.signals);
        return v;
    }
    if super::harmless::only_prints(pod) {
        // A hook that only prints (PostHog's Grafana annotation Jobs) or
        // makes buckets (Teable's MinIO provisioning) is no migration,
        // whatever its name or events say.
        return Verdict::other();
    }
    if super::harmless::only_http_clients(pod) {
        return Verdict::other();
    }
    // Otherwise the main containers say what the Job is; waits and checks in its
    // init containers do not.
    let unknown = mains.iter().all(|v| v.confidence == Confidence::Possible);
    match context.confidence {
        Some(conf) if unknown => Verdict {
            kind: Kind::Migration,
            confidence: conf,
            tool: None,
            signals: context.signals,
            check: None,
            command: None,
        },
        _ => mains
            .into_iter()
            .max_by_key(|v| v.confidence)
            .unwrap_or_else(Verdict::other),
    }
}

/// What a Job's name, hook events and credentials say, without its commands.
struct Context {
    confidence: Option<Confidence>,
    signals: Vec<Signal>,
}

fn job_context(name: &str, hooks: Option<&[String]>, shares: bool) -> Context {
    let events: Vec<&str> = hooks.unwrap_or(&[]).iter().map(|e| e.trim()).collect();
    let install = events.iter().any(|e| {
        matches!(
            *e,
            "pre-install" | "pre-upgrade" | "post-install" | "post-upgrade"
        )
    });
    let post = install && events.iter().all(|e| e.starts_with("post-"));
    let named = name_says_migration(name);
    let schema = name_is_schema_ish(name);
    let mut signals = Vec::new();
    if named || schema {
        let what = if named { "migration" } else { "schema work" };
        signals.push(signal(
            SignalKind::Name,
            None,
            format!("name `{name}` says {what}"),
        ));
    }
    if install {
        signals.push(signal(
            SignalKind::Hook,
            None,
            format!("Helm hook `{}`", events.join(",")),
        ));
    }
    if shares {
        signals.push(signal(
            SignalKind::Credentials,
            None,
            "reads a Secret or ConfigMap that the app's workloads read too (their database settings, most often)".into(),
        ));
    }
    // A plain Job runs with the release like an install/upgrade hook does.
    let with_release = hooks.is_none() || install;
    let confidence = if (named && (install || shares)) || (with_release && shares && schema) {
        Some(Confidence::Likely)
    } else if named || post || (install && (shares || schema)) {
        Some(Confidence::Possible)
    } else {
        None
    };
    Context {
        confidence,
        signals,
    }
}
