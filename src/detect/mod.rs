//! Which Jobs and containers are migrations, how sure detection is, and why.
//!
//! Detection reads what a container really runs: its argv, `sh -c` scripts (with
//! `set -e`, `&&`/`;`/`||` chains, loops, `exec`, `FOO=1` prefixes), wrappers and
//! interpreters (`npx`, `bundle exec`, `python -m`, `php`, `dotnet`, `make`,
//! `/docker-entrypoint.sh`), scripts mounted from the stream's ConfigMaps and
//! Secrets, and the image's own entrypoint when only `args` are given. A table of
//! tools and app CLIs ([`tools::all`]) says which words migrate, which check and
//! which do something else; generic rules catch app CLIs' migrate verbs, migration
//! scripts by name, SQL DDL through a database client, waits and servers.
//!
//! Each [`Verdict`] carries its [`Signal`]s and a [`Confidence`]: *certain* (a user
//! pattern), *likely* (acted on) or *possible* (reported only). Checks and waiters are
//! never migrations, so premigrate's own check gate is never detected as one.
//!
//! The older, narrower API ([`migration_command`], [`Match`]) is kept for the plan.

mod classify;
mod command;
mod finding;
mod harmless;
mod image_rows;
mod rules;
pub mod script;
mod scripts;
mod selector;
mod set_up;
mod simple;
mod steps;
mod switches;
pub mod tools;
mod verdict;
mod vocab;
mod words;

use crate::yaml::Value;

pub use classify::{
    name_is_schema_ish, name_says_migration, name_says_waiter, never_opens_database,
    runs_entrypoint_script,
};
pub use rules::{Rules, Target};
pub use scripts::{decode_base64, env_from_names, reads, reads_overlap, references, Sources};
pub use selector::Selector;
pub use set_up::set_up_only;
pub use simple::runs_a_server;
pub use steps::{idles_after_migration, migration_steps};
pub use switches::{
    code_off_switch, file_database, file_database_line, off_switch, on_switch, reads_env,
};
pub use verdict::{Confidence, Kind, Signal, SignalKind, Verdict};
pub use words::is_shell;
pub use words::{glob, segments};

/// Why something is a migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    /// The rule, e.g. `command`, `name`, `annotation`, `--job`.
    pub rule: &'static str,
    /// The evidence, in words.
    pub detail: String,
}

/// The command line a container runs: command + args, as the container would run them.
pub fn command_line(container: &Value) -> Vec<String> {
    container
        .get("command")
        .into_iter()
        .chain(container.get("args"))
        .flat_map(|v| v.items().iter())
        .filter_map(scalar_string)
        .collect()
}

/// The program of a container's `command` when Kubernetes cannot run it: a
/// first item with a space in it (`command: [bundle exec rails db:migrate]`
/// is one word, no shell splits it: the runtime looks for an executable of
/// that whole name and the container never starts).
pub fn unrunnable_program(container: &Value) -> Option<&str> {
    let first = container.get("command")?.items().first()?.as_str()?;
    first.trim().contains([' ', '\t']).then_some(first)
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A scalar's text as a shell or a script would see it (`""` for non-scalars).
fn text(v: &Value) -> String {
    match v {
        Value::Float(f) => f.to_string(),
        _ => scalar_string(v).unwrap_or_default(),
    }
}

/// No scripts: a lookup that finds nothing.
pub fn no_scripts(_: &str) -> Option<String> {
    None
}

/// Classifies one container (a Job's, an init container, an app container):
/// `scripts` gives the text of a script by its path in the container, from the
/// stream's ConfigMaps and Secrets (see [`Sources::file`]).
pub fn classify_container(container: &Value, scripts: &dyn Fn(&str) -> Option<String>) -> Verdict {
    classify::container(container, scripts, &Rules::new())
}

/// [`classify_container`] with user patterns.
pub fn classify_container_with(
    container: &Value,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &Rules,
) -> Verdict {
    classify::container(container, scripts, rules)
}

/// Classifies a Job: its init containers and containers (a Job whose main container
/// is trivial and whose init containers migrate is a migration), then its name,
/// hook events (`helm.sh/hook`) and whether it reads the same database credentials
/// as the app's workloads. A hook Job with the app's credentials and a schema-ish
/// name is likely a migration; a post-install hook with an unknown command, or a
/// name alone, is possible.
pub fn classify_job(
    name: &str,
    pod_spec: &Value,
    hook_events: Option<&[String]>,
    shares_app_credentials: bool,
    scripts: &dyn Fn(&str) -> Option<String>,
) -> Verdict {
    classify::job(
        name,
        pod_spec,
        hook_events,
        shares_app_credentials,
        scripts,
        &Rules::new(),
    )
}

/// [`classify_job`] with user patterns.
pub fn classify_job_with(
    name: &str,
    pod_spec: &Value,
    hook_events: Option<&[String]>,
    shares_app_credentials: bool,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &Rules,
) -> Verdict {
    classify::job(
        name,
        pod_spec,
        hook_events,
        shares_app_credentials,
        scripts,
        rules,
    )
}

/// Which known tool a container's command runs as a migration, if any (the plan's
/// rule `command`; no scripts from the stream).
pub fn migration_command(container: &Value) -> Option<Match> {
    migration_command_with(container, &Rules::new())
}

/// [`migration_command`] with user patterns: a container a pattern makes a
/// migration is one by the rule `pattern` (certain), one a pattern excludes is not.
pub fn migration_command_with(container: &Value, rules: &Rules) -> Option<Match> {
    migration_command_in(container, &no_scripts, rules)
}

/// [`migration_command_with`], following the scripts the container runs from
/// files of the stream (`scripts`: a mounted path's text, from a ConfigMap or Secret).
pub fn migration_command_in(
    container: &Value,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &Rules,
) -> Option<Match> {
    let v = classify_container_with(container, scripts, rules);
    if !v.is_migration() {
        return None;
    }
    let s = v.signals.first()?;
    if s.kind == SignalKind::User {
        return Some(Match {
            rule: "pattern",
            detail: s.detail.clone(),
        });
    }
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let argv = command_line(container);
    let shown = clip(&argv.join(" "));
    let detail = if container.get("command").is_none() && !image.is_empty() && v.tool.is_some() {
        // No args either: the image's own entrypoint runs it (Bitnami Redmine).
        match shown.is_empty() {
            true => format!(
                "runs image `{image}` by its entrypoint ({})",
                v.tool.unwrap_or("")
            ),
            false => format!(
                "runs image `{image}` with `{shown}` ({})",
                v.tool.unwrap_or("")
            ),
        }
    } else if s.kind == SignalKind::Image {
        s.detail.clone()
    } else if s.detail.contains(" from the stream") {
        // What the script of the stream runs: the command line alone does not say it.
        s.detail.clone()
    } else if let Some(t) = v.tool {
        format!("runs `{shown}` ({t})")
    } else if s.kind == SignalKind::Script {
        format!(
            "runs `{shown}` (a migration script{})",
            migration_tool(container)
        )
    } else if ["npm run ", "yarn run ", "pnpm run "]
        .iter()
        .any(|r| s.detail.contains(r))
    {
        format!("runs `{shown}` (a package script)")
    } else {
        let why = s.detail.rsplit_once('(').map(|(_, w)| w).unwrap_or(")");
        format!("runs `{shown}` ({why}")
    };
    Some(Match {
        rule: "command",
        detail,
    })
}

/// `, MIGRATION_TOOL=x` when the container names its tool in that variable.
fn migration_tool(container: &Value) -> String {
    container
        .get("env")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .find(|e| e.get("name").and_then(Value::as_str) == Some("MIGRATION_TOOL"))
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
        .map(|t| format!(", MIGRATION_TOOL={t}"))
        .unwrap_or_default()
}

fn clip(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The repository part of an image reference: registry/name without tag or digest.
pub fn image_repository(image: &str) -> &str {
    // On bytes: `@`, `:` and `/` are ASCII, and the char searchers cost more
    // than these short strings.
    let at = image.bytes().position(|b| b == b'@');
    let no_digest = at.map_or(image, |i| &image[..i]);
    let b = no_digest.as_bytes();
    match b.iter().rposition(|&c| c == b':') {
        Some(i) if !b[i..].contains(&b'/') => &no_digest[..i],
        _ => no_digest,
    }
}

#[cfg(test)]
mod image_tests;
#[cfg(test)]
mod tests;
