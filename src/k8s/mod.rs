//! Read views of Kubernetes objects: the kinds premigrate knows (`kinds`), what
//! a pod spec references (`refs`), what each engine reads (`engines`).

pub(crate) mod engines;
pub(crate) mod kinds;
pub(crate) mod refs;

pub(crate) use kinds::{RefKind, POD_TEMPLATE_SPEC};
pub(crate) use refs::{pod_refs, service_account, Ref};

use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// The path of a kind's pod spec, if it is a workload.
pub(crate) fn pod_spec_path(kind: &str) -> Option<Vec<Seg>> {
    kinds::workload_kind(kind).map(|w| w.pod_spec.iter().map(|s| Seg::Key(s.to_string())).collect())
}

/// Follows a path of segments in a value.
pub(crate) fn at<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.items().get(*i),
    })
}
