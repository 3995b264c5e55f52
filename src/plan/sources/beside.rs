//! A database beside the app in its own pod: `--migrate` refuses to build a
//! Job from such a pod, as the Job leaves that container out and would reach
//! no database (the workload would then wait for it for ever).

use super::generate::Request;
use crate::diag::Error;
use crate::plan::context::Context;
use crate::yaml::Value;

/// Refuses a Job built from a pod that runs its own database beside the app:
/// the Job leaves that container out and would reach no database.
pub(super) fn beside_its_database(
    r: &Request,
    (containers, index): (&[Value], usize),
    fail: &dyn Fn(String, &str) -> Error,
) -> Result<(), Error> {
    let Some(why) = database_beside(containers, index) else {
        return Ok(());
    };
    beside_its_database_error(r, &why, fail)
}

/// The refusal of a Job whose database runs beside the app (`why`).
fn beside_its_database_error(
    r: &Request,
    why: &str,
    fail: &dyn Fn(String, &str) -> Error,
) -> Result<(), Error> {
    Err(fail(
        format!("{}: the workload's pods run their own database (or a proxy to it) beside the app ({why}): the Job leaves that container out (PM301), so the migration would reach no database, fail, and the workload would wait for it forever", r.said),
        "run the database as a workload of its own behind a Service and point the app at it, then --migrate; or leave the migration in the app's start-up",
    ))
}

/// Refuses a Job whose app reaches its database through a Service in front of
/// another container of its own pod (an image premigrate does not know):
/// the Job leaves that container out, as in [`beside_its_database`].
pub(super) fn reached_beside(
    ctx: &Context<'_>,
    r: &Request,
    (containers, index): (&[Value], usize),
    fail: &dyn Fn(String, &str) -> Error,
) -> Result<(), Error> {
    let Some(app) = containers.get(index) else {
        return Ok(());
    };
    let env = ctx.sources.with_env_from(app, database_setting);
    // Settings that name a host (`DB_HOST`, a URL), not any database
    // setting: Pimcore's database name is the app's own Service's name.
    let host = |n: &str, v: &str| {
        let up = n.to_ascii_uppercase();
        ["HOST", "URL", "URI", "DSN", "ADDR", "SERVER"]
            .iter()
            .any(|h| up.contains(h))
            || v.contains("://")
    };
    let settings: Vec<&str> = crate::k8s::env_values(&env)
        .filter_map(|(_, n, v)| Some((n, v.as_str()?)))
        .filter(|(n, v)| database_setting(n, v) && host(n, v))
        .map(|(_, v)| v)
        .collect();
    match crate::plan::graph::sidecar::reached_beside(ctx.index, r.doc, index, &settings) {
        Some(why) => beside_its_database_error(r, &why, fail),
        None => Ok(()),
    }
}

/// A container other than `index` that runs a data service (Misskey's
/// preview chart: PostgreSQL and Redis in the app's pod, reached at
/// `localhost`), in words.
pub(super) fn database_beside(containers: &[Value], index: usize) -> Option<String> {
    let loopback = containers.get(index).and_then(loopback_setting);
    containers.iter().enumerate().find_map(|(k, c)| {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
        if k == index {
            return None;
        }
        // A cache or queue beside the app holds no schema: the migration
        // does not need it (AWX 17's memcached and RabbitMQ beside its task).
        let schemaless = crate::plan::graph::images::schemaless_container(c);
        if let Some(why) = crate::plan::graph::images::data_container(c).filter(|_| !schemaless) {
            return Some(format!("container `{name}` {why}"));
        }
        // An image premigrate does not know (Leantime's MariaDB under a
        // registry of its own, a Cloud SQL proxy): the app reaches it at a
        // loopback address, on a port the other container listens on.
        let (setting, ports) = loopback.as_ref()?;
        let port = container_ports(c).find(|p| ports.contains(p) || DATA_PORTS.contains(p))?;
        Some(format!(
            "container `{name}` listens on port {port}, and the app reaches {setting}"
        ))
    })
}

/// Ports of data services, for a container reached at a loopback address
/// whose own port the app's settings do not name (its default).
const DATA_PORTS: &[u16] = &[3306, 5432, 6379, 27017, 26257, 9042, 5672, 1433];

/// The app's first database setting that names a loopback host
/// (`DB_HOST=127.0.0.1`, `DATABASE_URL=postgres://u@localhost:5432/app`), in
/// words, with the ports it and its sibling settings name (`DB_PORT`). Other
/// settings at a loopback address (a telemetry sidecar) say nothing of the
/// database.
fn loopback_setting(c: &Value) -> Option<(String, Vec<u16>)> {
    let env: Vec<(&str, &str)> = crate::k8s::env_values(c)
        .filter_map(|(_, n, v)| Some((n, v.as_str()?)))
        .collect();
    let local = |v: &str| {
        v.split(['/', '@', ':', ',', ' ', '?'])
            .any(|w| matches!(w, "127.0.0.1" | "localhost" | "::1"))
    };
    let (name, value) = env
        .iter()
        .find(|(n, v)| local(v) && database_setting(n, v))?;
    let up = name.to_ascii_uppercase();
    let prefix = up.strip_suffix("HOST").unwrap_or(&up);
    let sibling = |n: &str| {
        let n = n.to_ascii_uppercase();
        n.starts_with(prefix) && n.ends_with("PORT")
    };
    let ports = std::iter::once(*value)
        .chain(env.iter().filter(|(n, _)| sibling(n)).map(|(_, v)| *v))
        .flat_map(|v| v.split(|ch: char| !ch.is_ascii_digit()))
        .filter_map(|w| w.parse::<u16>().ok())
        .collect();
    Some((format!("it at `{name}={value}`"), ports))
}

/// Whether an env var is a database's setting: by its name, or a URL of a
/// database's scheme.
pub(super) fn database_setting(name: &str, value: &str) -> bool {
    const NAMES: &[&str] = &[
        "DB", "DATABASE", "SQL", "POSTGRES", "MYSQL", "MARIADB", "MONGO", "REDIS", "PG",
    ];
    const SCHEMES: &[&str] = &["postgres", "mysql", "mariadb", "mongodb", "redis", "jdbc:"];
    let up = name.to_ascii_uppercase();
    let v = value.to_ascii_lowercase();
    NAMES.iter().any(|n| up.contains(n)) || SCHEMES.iter().any(|s| v.starts_with(s))
}

/// The `containerPort`s a container declares.
fn container_ports(c: &Value) -> impl Iterator<Item = u16> + '_ {
    c.get("ports")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| match p.get("containerPort") {
            Some(Value::Int(n)) => u16::try_from(*n).ok(),
            _ => None,
        })
}
