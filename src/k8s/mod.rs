//! Read views of Kubernetes objects: the kinds premigrate knows (`kinds`), what
//! a pod spec references (`refs`), what each engine reads (`engines`), image references (`image_ref`).

pub(crate) mod engines;
pub(crate) mod image_ref;
pub(crate) mod kinds;
pub(crate) mod refs;

pub(crate) use kinds::{RefKind, POD_TEMPLATE_SPEC};
pub(crate) use refs::{binds_service_account, pod_refs, role_ref, service_account, Ref};

use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// The path of a kind's pod spec, if it is a workload.
pub(crate) fn pod_spec_path(kind: &str) -> Option<Vec<Seg>> {
    kinds::workload_kind(kind).map(|w| w.pod_spec.iter().map(|s| Seg::Key(s.to_string())).collect())
}

/// The pod spec of a workload of kind `kind` (no path is built: this runs for
/// every workload in several stages).
pub(crate) fn pod_spec<'v>(v: &'v Value, kind: &str) -> Option<&'v Value> {
    kinds::workload_kind(kind).and_then(|w| v.at(w.pod_spec))
}

/// Whether documents of kind `kind` hold a pod spec.
pub(crate) fn has_pod_spec(kind: &str) -> bool {
    kinds::workload_kind(kind).is_some()
}

/// Follows a path of segments in a value.
pub(crate) fn at<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.items().get(*i),
    })
}

/// Whether a document is a Helm test hook (`test`, `test-success`, …): run by
/// `helm test` only, never on an install or upgrade, and nothing of the
/// release waits for it.
pub(crate) fn is_test_hook(v: &Value) -> bool {
    v.at(&["metadata", "annotations"])
        .and_then(|a| a.get(engines::HELM_HOOK))
        .and_then(Value::as_str)
        .is_some_and(|h| h.split(',').any(|e| e.trim().starts_with("test")))
}

/// A pod spec's containers, its init containers first (the order they start in).
pub(crate) fn containers(pod: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers"]
        .into_iter()
        .flat_map(|l| pod.get(l).map(Value::items).unwrap_or(&[]))
}

/// [`containers`] of a pod spec that may be absent (none then).
pub(crate) fn containers_of(pod: Option<&Value>) -> impl Iterator<Item = &Value> {
    pod.into_iter().flat_map(containers)
}

/// A container's env variables that have a `value`, each with its index in
/// `env`: a name given twice counts once, with its last value, as Kubernetes
/// reads it (a chart's `DB_HOST`, then the user's).
pub(crate) fn env_values(c: &Value) -> impl Iterator<Item = (usize, &str, &Value)> {
    fn name(e: &Value) -> Option<&str> {
        e.get("name").and_then(Value::as_str)
    }
    let env = c.get("env").map(Value::items).unwrap_or(&[]);
    env.iter().enumerate().filter_map(move |(k, e)| {
        let n = name(e)?;
        let later = env[k + 1..].iter().any(|l| name(l) == Some(n));
        (!later).then_some(())?;
        Some((k, n, e.get("value")?))
    })
}

/// The names of the PersistentVolumeClaims a pod mounts (its volumes'
/// `persistentVolumeClaim.claimName`): not among its references, which get
/// hook copies, as a claim never does.
pub(crate) fn claim_names(pod: &Value) -> Vec<&str> {
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    volumes
        .iter()
        .filter_map(|v| v.at(&["persistentVolumeClaim", "claimName"]))
        .filter_map(Value::as_str)
        .collect()
}
