//! Secrets an operator of the release fills in the cluster (mittwald's
//! kubernetes-secret-generator and kubernetes-replicator, emberstack's
//! reflector): the stream holds them empty, annotated. A migration that reads
//! one needs it and the operator's workloads: a hook copy of it would be
//! empty on a first install (the operator is not there yet) and filled with a
//! new random value on an upgrade (Activepieces' encryption key), and an
//! Argo CD wave that held the Secret but not the operator waited for ever.
//!
//! And Secrets a resource of the release makes (a SealedSecret its controller
//! decrypts, an ExternalSecret fetched from a vault): the stream has no
//! Secret of that name, only the resource. A migration or a database that
//! reads the Secret needs the resource before it (Indico's database
//! password in a SealedSecret: left in a later Argo CD wave than the
//! database, the database never started).

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

/// Resources that make a Secret in the cluster, by API group and kind, with
/// where the Secret's name is when it is not the resource's own (from each
/// controller's documentation).
const MAKERS: &[(&str, &str, &[&str])] = &[
    (
        "bitnami.com",
        "SealedSecret",
        &["spec", "template", "metadata", "name"],
    ),
    (
        "external-secrets.io",
        "ExternalSecret",
        &["spec", "target", "name"],
    ),
    (
        "secrets.hashicorp.com",
        "VaultStaticSecret",
        &["spec", "destination", "name"],
    ),
    (
        "secrets.hashicorp.com",
        "VaultDynamicSecret",
        &["spec", "destination", "name"],
    ),
    (
        "secrets.hashicorp.com",
        "VaultPKISecret",
        &["spec", "destination", "name"],
    ),
    ("onepassword.com", "OnePasswordItem", &[]),
    (
        "secrets.infisical.com",
        "InfisicalSecret",
        &["spec", "managedSecretReference", "secretName"],
    ),
];

/// The document of the stream (in namespace `ns`) that makes Secret `name`
/// in the cluster, and its kind, if one does.
fn maker(index: &Index<'_>, name: &str, ns: &str) -> Option<(usize, &'static str)> {
    (0..index.entries.len()).find_map(|d| {
        let info = &index.entries[d].info;
        let group = info.api_version.as_deref()?.split_once('/')?.0;
        let kind = info.kind.as_deref()?;
        let (_, kind, path) = MAKERS.iter().find(|(g, k, _)| *g == group && *k == kind)?;
        if !same_namespace(index, d, ns) {
            return None;
        }
        let v = super::roles::peek(index, d)?;
        let own = v.at(&["metadata", "name"]).and_then(Value::as_str);
        let made = match path.is_empty() {
            true => own,
            false => v.at(path).and_then(Value::as_str).or(own),
        };
        (made == Some(name)).then_some((d, *kind))
    })
}

/// The filled Secrets `pod` (of namespace `ns`; `who` in the reasons) reads,
/// and the workloads of the operators that fill them, with why; and the
/// resources that make the Secrets it reads that the stream does not hold.
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
            if let Some((d, kind)) = maker(index, name, ns) {
                let object = index.entries[d].info.object();
                let why = format!(
                    "{who} reads Secret/{name}, which {object} makes in the cluster (its {kind} controller writes it)"
                );
                out.push((d, why));
            }
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
