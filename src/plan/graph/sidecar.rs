//! A data service that runs beside an app in its pod, found by the Service in
//! front of it: the Service's target port is a port of a container that runs
//! none of the migrations' images (Bigcapital's MariaDB, in the app's own pod
//! and reached as `bc-bigcapital-database`). The workload then hosts a data
//! service, whatever its image is called: gating it on the migration would
//! hold the database the migration needs.

use super::images::{names_a_store, same_product};
use super::roles::{peek, pod_of, Svc};
use crate::index::Index;
use crate::yaml::Value;

/// Whether Service `s` sends its traffic only to containers of workload `w`'s
/// pod that run none of the images `ours`, and at least one of them.
pub(super) fn targets_a_sidecar(index: &Index<'_>, s: &Svc, w: usize, ours: &[String]) -> bool {
    let (Some(svc), Some(pod)) = (peek(index, s.doc), pod_of(index, w)) else {
        return false;
    };
    let ports = svc.at(&["spec", "ports"]).map(Value::items).unwrap_or(&[]);
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let targeted: Vec<&Value> = containers
        .iter()
        .filter(|c| ports.iter().any(|p| serves_port(c, p)))
        .collect();
    !targeted.is_empty()
        && targeted
            .iter()
            .all(|c| !runs_ours(c, ours) && holds_a_schema(c))
}

/// Ports of databases that hold a schema: a container of an image premigrate
/// does not know that listens on one is taken for such a database.
pub(crate) const SCHEMA_PORTS: &[u16] = &[3306, 5432, 27017, 26257, 9042, 1433];

/// Whether a container runs a database that holds a schema: by its image
/// (not a cache or queue: AWX's Redis beside its web server), or, when its
/// image names nothing, by a database's port it declares. A web server or
/// proxy in front of the app (PHP-FPM's nginx) is neither.
fn holds_a_schema(c: &Value) -> bool {
    use super::images::{data_container, schemaless_container};
    let schema_port = |p: &Value| match p.get("containerPort") {
        Some(Value::Int(n)) => u16::try_from(*n).is_ok_and(|n| SCHEMA_PORTS.contains(&n)),
        _ => false,
    };
    match data_container(c) {
        Some(_) => !schemaless_container(c),
        None => (c.get("ports").map(Value::items).unwrap_or(&[]))
            .iter()
            .any(schema_port),
    }
}

/// Whether container `c` runs one of the images `ours`, or another part of
/// the same product (as `roles::runs_image_of` reads a pod).
fn runs_ours(c: &Value, ours: &[String]) -> bool {
    let Some(image) = c.get("image").and_then(Value::as_str) else {
        return false;
    };
    let r = crate::detect::image_repository(image);
    ours.iter()
        .any(|o| o == r || (same_product(o, r) && !names_a_store(r)))
}

/// Whether container `c` declares the port Service port `p` targets: its
/// `targetPort` by name or number, else its `port`.
fn serves_port(c: &Value, p: &Value) -> bool {
    let target = p.get("targetPort").or_else(|| p.get("port"));
    let declared = c.get("ports").map(Value::items).unwrap_or(&[]);
    declared.iter().any(|d| match target {
        Some(Value::Str(name)) => d.get("name").and_then(Value::as_str) == Some(name.as_str()),
        Some(Value::Int(n)) => d.get("containerPort") == Some(&Value::Int(*n)),
        _ => false,
    })
}

/// A container of workload `w`'s pod other than `app` that a Service of the
/// stream in front of `w` sends its traffic to, when the app's `settings`
/// (env values) name that Service as a host: in words, for `--migrate`'s
/// refusal (the Job leaves that container out and would reach nothing).
pub(crate) fn reached_beside(
    index: &Index<'_>,
    w: usize,
    app: usize,
    settings: &[&str],
) -> Option<String> {
    let pod = pod_of(index, w)?;
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let single = crate::plan::context::single_namespace(index);
    super::roles::services(index).into_iter().find_map(|s| {
        if !settings.iter().any(|v| names_service(v, &s.name)) {
            return None;
        }
        if !super::roles::selected(index, &s, single.as_deref()).contains(&w) {
            return None;
        }
        let svc = peek(index, s.doc)?;
        let ports = svc.at(&["spec", "ports"]).map(Value::items).unwrap_or(&[]);
        let (k, c) = containers
            .iter()
            .enumerate()
            .find(|(_, c)| ports.iter().any(|p| serves_port(c, p)))?;
        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
        (k != app && holds_a_schema(c)).then(|| {
            format!(
                "Service/{} sends the app's database traffic to container `{name}` of the same pod",
                s.name
            )
        })
    })
}

/// Whether a setting's value names Service `name` as a host: a word of it
/// (split at URL punctuation) is the name, alone or before `.`.
fn names_service(value: &str, name: &str) -> bool {
    value
        .split(['/', '@', ':', ',', ';', ' ', '?', '='])
        .any(|w| w == name || w.strip_prefix(name).is_some_and(|r| r.starts_with('.')))
}
