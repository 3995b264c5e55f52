//! Documents of the stream found by name: a reference's target (same
//! namespace first), and the workloads a Job was built from on an earlier run.

use crate::index::Index;
use crate::yaml::Value;

/// The workloads Job `doc` was built from on an earlier run
/// (`premigrate.io/derived-from: Kind/name,…`).
pub(super) fn derived_from(index: &Index<'_>, doc: usize) -> Vec<usize> {
    // A Job is always parsed.
    let Some(v) = index.entries[doc].parsed.as_ref().map(|p| &p.value) else {
        return Vec::new();
    };
    let from = v.at(&[
        "metadata",
        "annotations",
        crate::k8s::engines::own::DERIVED_FROM,
    ]);
    let from = from.and_then(Value::as_str).unwrap_or("");
    from.split(',')
        .filter_map(|r| r.trim().split_once('/'))
        .filter_map(|(kind, name)| find_doc(index, kind, name, Some(doc)))
        .collect()
}

/// The document `kind/name` a reference of document `near` names: the one in
/// `near`'s namespace as written when there is one, else the first.
pub(super) fn find_doc(
    index: &Index<'_>,
    kind: &str,
    name: &str,
    near: Option<usize>,
) -> Option<usize> {
    let named = |e: &&crate::index::Entry| {
        e.info.kind.as_deref() == Some(kind) && e.info.name.as_deref() == Some(name)
    };
    let ns = near.map(|n| &index.entries[n].info.namespace);
    let entries = index.entries.iter();
    let same = entries
        .clone()
        .position(|e| named(&e) && Some(&e.info.namespace) == ns);
    same.or_else(|| entries.clone().position(|e| named(&e)))
}
