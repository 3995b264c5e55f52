//! Secrets an operator of the release fills in the cluster (mittwald's
//! kubernetes-secret-generator and kubernetes-replicator, emberstack's
//! reflector): the stream holds them empty, annotated. A migration that reads
//! one needs it and the operator's workloads: a hook copy of it would be
//! empty on a first install (the operator is not there yet) and filled with a
//! new random value on an upgrade (Activepieces' encryption key), and an
//! Argo CD wave that held the Secret but not the operator waited for ever.

use super::images::{image_name, repos};
use super::roles::{pod_of, SERVICE_KINDS};
use crate::index::Index;
use crate::yaml::Value;

/// The annotation that hands a Secret to an operator, and the operator's
/// image name.
const FILLERS: &[(&str, &str)] = &[
    (
        "secret-generator.v1.mittwald.de/autogenerate",
        "kubernetes-secret-generator",
    ),
    (
        "replicator.v1.mittwald.de/replicate-from",
        "kubernetes-replicator",
    ),
    ("reflector.v1.k8s.emberstack.com/reflects", "reflector"),
];

/// The filled Secrets `pod` (of namespace `ns`; `who` in the reasons) reads,
/// and the workloads of the operators that fill them, with why.
pub(super) fn by_filler(
    index: &Index<'_>,
    pod: &Value,
    ns: &str,
    who: &str,
) -> Vec<(usize, String)> {
    let read = super::operated::secrets_read(pod);
    let mut out = Vec::new();
    for name in &read {
        let Some(s) = super::lookup::find_doc(index, "Secret", name, None)
            .filter(|&s| same_namespace(index, s, ns))
        else {
            continue;
        };
        let Some((key, operator)) = filler(index, s) else {
            continue;
        };
        let why =
            format!("{who} reads Secret/{name}, which {operator} fills in the cluster ({key})");
        out.push((s, why.clone()));
        out.extend(
            operator_workloads(index, operator)
                .into_iter()
                .map(|w| (w, why.clone())),
        );
    }
    out
}

/// The filler row of Secret document `s`, if an operator fills it.
fn filler(index: &Index<'_>, s: usize) -> Option<(&'static str, &'static str)> {
    let v = &index.entries[s].parsed.as_ref()?.value;
    let annotations = v.at(&["metadata", "annotations"])?;
    FILLERS
        .iter()
        .copied()
        .find(|(key, _)| annotations.get(key).is_some())
}

/// Whether document `d` is in namespace `ns` (either spelling of the release's).
fn same_namespace(index: &Index<'_>, d: usize, ns: &str) -> bool {
    let at = index.entries[d]
        .info
        .namespace
        .as_deref()
        .unwrap_or_default();
    at.is_empty() || ns.is_empty() || at == ns
}

/// The stream's workloads that run the operator's image.
fn operator_workloads(index: &Index<'_>, operator: &str) -> Vec<usize> {
    (0..index.entries.len())
        .filter(|&w| {
            let kind = index.entries[w].info.kind.as_deref().unwrap_or("");
            SERVICE_KINDS.contains(&kind)
                && pod_of(index, w)
                    .is_some_and(|pod| repos(&pod).iter().any(|r| image_name(r) == operator))
        })
        .collect()
}
