//! Which container of a workload runs `--migrate`'s command: the one named,
//! the only one, kubectl's default container, or the first app container
//! (no web server or proxy in front of the app, no data service beside it),
//! the first of those that reads a database setting when there is one.

use super::beside::database_setting;
use super::generate::Request;
use crate::diag::Error;
use crate::plan::context::Context;
use crate::yaml::Value;

/// Which container of the workload runs the command: the one named, the only
/// one, kubectl's default container, or (as kubectl does) the first that is
/// no web server or proxy in front of the app.
pub(super) fn container_index(
    ctx: &Context<'_>,
    r: &Request,
    object: &str,
    v: &Value,
    pod: &Value,
    fail: &dyn Fn(String, &str) -> Error,
) -> Result<usize, Error> {
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let names: Vec<&str> = containers
        .iter()
        .map(|c| c.get("name").and_then(Value::as_str).unwrap_or("?"))
        .collect();
    // kubectl's own default-container annotation says which container is the app.
    let default = v
        .at(&[
            "spec",
            "template",
            "metadata",
            "annotations",
            "kubectl.kubernetes.io/default-container",
        ])
        .and_then(Value::as_str);
    let index = match (&r.container, default) {
        (Some(want), _) => names.iter().position(|n| n == want).ok_or_else(|| {
            fail(
                format!("{}: {object} has no container `{want}`", r.said),
                &format!("use one of: {}", names.join(", ")),
            )
        })?,
        (None, _) if containers.len() == 1 => 0,
        (None, Some(d)) if names.contains(&d) => {
            names.iter().position(|n| *n == d).expect("contains")
        }
        (None, _) if containers.is_empty() => {
            return Err(fail(
                format!("{}: {object} has no containers", r.said),
                "fix the chart so the workload renders its containers",
            ))
        }
        (None, _) => default_app(ctx, containers),
    };
    Ok(index)
}

/// kubectl's convention, the first container, unless it is a web server or
/// proxy in front of the app (Pretalx's nginx: without the app's settings the
/// Job migrated a SQLite file of its own and opened the gates) or a data
/// service beside it; and of those, the first that reads a database setting
/// (Bigcapital's pod: its front end `webapp`, no env at all, comes before
/// `server`, which reads the database's Secret). The others are left out, each
/// named in a warning (PM301).
fn default_app(ctx: &Context<'_>, containers: &[Value]) -> usize {
    let apps: Vec<usize> = (0..containers.len())
        .filter(|&i| {
            let c = &containers[i];
            !fronts_the_app(c) && crate::plan::graph::images::data_container(c).is_none()
        })
        .collect();
    (apps.iter().copied())
        .find(|&i| reads_a_database(ctx, &containers[i]))
        .or_else(|| apps.first().copied())
        .unwrap_or(0)
}

/// Whether a container's env (with what its `envFrom` brings from the
/// stream) names a database setting, by name or by a database URL.
fn reads_a_database(ctx: &Context<'_>, c: &Value) -> bool {
    let env = ctx.sources.with_env_from(c, database_setting);
    (env.get("env").map(Value::items).unwrap_or(&[]))
        .iter()
        .any(|e| {
            let name = e.get("name").and_then(Value::as_str).unwrap_or("");
            let value = e.get("value").and_then(Value::as_str).unwrap_or("");
            database_setting(name, value)
        })
}

/// Images of web servers and proxies a pod runs in front of its app.
const FRONT_IMAGES: &[&str] = &[
    "nginx",
    "nginx-unprivileged",
    "openresty",
    "httpd",
    "caddy",
    "envoy",
    "haproxy",
    "traefik",
    "varnish",
    "cloud-sql-proxy",
    "cloudsql-proxy",
    "oauth2-proxy",
    "proxyv2",
];

/// Whether a container runs a web server or proxy ([`FRONT_IMAGES`]): its
/// image, or its program (Pretalx's chart runs `/usr/sbin/nginx` in the
/// app's own image).
fn fronts_the_app(c: &Value) -> bool {
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let program = c
        .get("command")
        .map(Value::items)
        .and_then(<[Value]>::first)
        .and_then(Value::as_str)
        .map(|p| p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase());
    let front = |n: &str| FRONT_IMAGES.contains(&n) || matches!(n, "varnishd" | "apache2");
    front(&crate::plan::graph::images::image_name(image)) || program.is_some_and(|p| front(&p))
}
