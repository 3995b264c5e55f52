//! PM517 `migration-reads-missing-key`.
//!
//! ## What it does
//! Finds a migration Job that reads a key (an env variable's `secretKeyRef` or
//! `configMapKeyRef`, a volume's `items`) of a Secret or ConfigMap the stream
//! holds in its namespace, when that object has no such key and the reference
//! is not `optional: true`.
//!
//! ## Why is this bad?
//! The kubelet never starts a container whose env names a missing key
//! (`CreateContainerConfigError`) and never mounts a volume whose items do
//! (the pod stays `ContainerCreating`): the migration never runs, and every
//! pod gated on it waits for ever. A renamed value key (`password` →
//! `postgres-password` in a subchart upgrade) is the usual cause.
//!
//! ## Example
//! ```yaml
//! kind: Secret
//! metadata: {name: app-db}
//! stringData: {postgres-password: s3cret}
//! ---
//! kind: Job
//! spec:
//!   template:
//!     spec:
//!       containers:
//!         - name: migrate
//!           env:
//!             - name: DB_PASSWORD
//!               valueFrom: {secretKeyRef: {name: app-db, key: password}}
//! ```
//!
//! ## Fix
//! Not fixed by the post-renderer. Name a key the object has (its keys are
//! listed in the finding), or add the key to the object.

use super::{at, Fix, Rule};
use crate::diag::codes::PM517;
use crate::lint::{Cx, Hit};
use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM517,
    name: "migration-reads-missing-key",
    fix: Fix::No,
    engines: "all",
    check,
};

/// Where a pod spec reads keys of a Secret or ConfigMap: the reference's kind
/// of object, its key for the object's name, and its own path in the owner.
const KEY_REFS: &[(&str, &str, &str)] = &[
    ("secretKeyRef", "Secret", "name"),
    ("configMapKeyRef", "ConfigMap", "name"),
];

/// Volume sources that project keys of an object: (field, kind, name key).
const VOLUME_SOURCES: &[(&str, &str, &str)] = &[
    ("secret", "Secret", "secretName"),
    ("configMap", "ConfigMap", "name"),
];

/// The fields of each kind whose keys a reference can name.
const KEY_FIELDS: &[(&str, &[&str])] = &[
    ("Secret", &["data", "stringData"]),
    ("ConfigMap", &["data", "binaryData"]),
];

/// One key a pod reads from an object.
struct KeyRef {
    kind: &'static str,
    name: String,
    key: String,
    /// What reads it: `env DB_PASSWORD` of a container, or a volume.
    reader: String,
    path: Vec<Seg>,
}

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for (doc, pod, base) in cx.migration_pods() {
        let ns = cx.namespace(doc);
        for r in key_refs(pod, &base) {
            let Some(keys) = object_keys(cx, ns, r.kind, &r.name) else {
                continue;
            };
            if keys.is_empty() || keys.iter().any(|k| *k == r.key) {
                continue;
            }
            out.push(Hit::new(
                PM517,
                doc,
                r.path,
                format!(
                    "migration Job {}: {} reads key `{}` of {}/{}, which has no such key (it has: {}): the pod never starts, so the migration never runs and every pod waiting for it waits for ever",
                    cx.name(doc),
                    r.reader,
                    r.key,
                    r.kind,
                    r.name,
                    keys.join(", ")
                ),
                false,
            ));
        }
    }
}

/// The keys of the stream's `kind/name` in namespace `ns` (every copy's,
/// sorted), or `None` when the stream does not hold it (an object made by
/// something else: nothing to check against).
fn object_keys<'v>(cx: &'v Cx<'_>, ns: &str, kind: &str, name: &str) -> Option<Vec<&'v str>> {
    let fields = KEY_FIELDS.iter().find(|(k, _)| *k == kind)?.1;
    let mut found = false;
    let mut keys = Vec::new();
    for i in 0..cx.docs() {
        if cx.kind(i) != kind || cx.name(i) != name || cx.namespace(i) != ns {
            continue;
        }
        found = true;
        let Some(v) = cx.values[i].as_deref() else {
            continue;
        };
        for f in fields {
            keys.extend(
                v.get(f)
                    .map(Value::entries)
                    .unwrap_or(&[])
                    .iter()
                    .map(|(k, _)| &**k),
            );
        }
    }
    keys.sort_unstable();
    keys.dedup();
    found.then_some(keys)
}

/// Every key the pod spec at `base` reads from a named object, not optional.
fn key_refs(pod: &Value, base: &[Seg]) -> Vec<KeyRef> {
    let mut out = env_refs(pod, base);
    out.extend(volume_refs(pod, base));
    out
}

/// The keys the containers' env variables read (`secretKeyRef`, `configMapKeyRef`).
fn env_refs(pod: &Value, base: &[Seg]) -> Vec<KeyRef> {
    let mut out = Vec::new();
    for list in ["initContainers", "containers"] {
        for (i, c) in pod
            .get(list)
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
            for (j, e) in c
                .get("env")
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for (field, kind, name_key) in KEY_REFS {
                    let Some(r) = e.at(&["valueFrom", field]) else {
                        continue;
                    };
                    let mut path = at(base, &[list]);
                    path.extend([Seg::Index(i), Seg::Key("env".into()), Seg::Index(j)]);
                    path.extend(at(&[], &["valueFrom", field, "key"]));
                    let var = e.get("name").and_then(Value::as_str).unwrap_or("?");
                    let reader = format!("container `{cname}` (env {var})");
                    out.extend(one_ref(r, kind, name_key, r.get("key"), reader, path));
                }
            }
        }
    }
    out
}

/// The keys the pod's volumes project (`items`), projected volumes included.
fn volume_refs(pod: &Value, base: &[Seg]) -> Vec<KeyRef> {
    let mut out = Vec::new();
    for (v, vol) in pod
        .get("volumes")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let vname = vol.get("name").and_then(Value::as_str).unwrap_or("?");
        let vbase = at_index(&at(base, &["volumes"]), v);
        let projected = vol
            .at(&["projected", "sources"])
            .map(Value::items)
            .unwrap_or(&[]);
        let sources = std::iter::once((vol, vbase.clone())).chain(
            projected
                .iter()
                .enumerate()
                .map(|(s, src)| (src, at_index(&at(&vbase, &["projected", "sources"]), s))),
        );
        for (src, path) in sources {
            for (field, kind, name_key) in VOLUME_SOURCES {
                let Some(r) = src.get(field) else { continue };
                // A projected source names its object by `name`.
                let name_key = if r.get(name_key).is_none() {
                    "name"
                } else {
                    name_key
                };
                let items = r.get("items").map(Value::items).unwrap_or(&[]);
                for (k, item) in items.iter().enumerate() {
                    let p = at(&at_index(&at(&path, &[field, "items"]), k), &["key"]);
                    let reader = format!("volume `{vname}`");
                    out.extend(one_ref(r, kind, name_key, item.get("key"), reader, p));
                }
            }
        }
    }
    out
}

/// `base` followed by index `i`.
fn at_index(base: &[Seg], i: usize) -> Vec<Seg> {
    let mut p = base.to_vec();
    p.push(Seg::Index(i));
    p
}

/// The reference `r` to a key of a `kind` object, unless it is optional or its
/// name or key is not plain text (a template left unrendered).
fn one_ref(
    r: &Value,
    kind: &'static str,
    name_key: &str,
    key: Option<&Value>,
    reader: String,
    path: Vec<Seg>,
) -> Option<KeyRef> {
    if r.get("optional") == Some(&Value::Bool(true)) {
        return None;
    }
    let name = r.get(name_key)?.as_str()?;
    let key = key?.as_str()?;
    let plain = |s: &str| !s.is_empty() && !s.contains(['$', '{']);
    (plain(name) && plain(key)).then(|| KeyRef {
        kind,
        name: name.to_string(),
        key: key.to_string(),
        reader,
        path,
    })
}
