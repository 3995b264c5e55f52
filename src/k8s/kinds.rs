//! The one table of Kubernetes kinds premigrate knows: where each workload keeps
//! its pod spec, whether a migration Job can be derived from it, the names
//! `--migrate` accepts for it, and the kinds a migration Job may reference.

/// Where a Job, a Deployment and their kin keep their pod spec.
pub(crate) const POD_TEMPLATE_SPEC: &[&str] = &["spec", "template", "spec"];

/// A workload kind.
pub(crate) struct Workload {
    /// The kind.
    pub(crate) kind: &'static str,
    /// Where it keeps its pod spec.
    pub(crate) pod_spec: &'static [&'static str],
    /// Whether a Job can be derived from it: its pod template sits at
    /// `spec.template`, where a Job keeps its own.
    pub(crate) template: bool,
    /// Lower-case names and kubectl's short names, as `--migrate` accepts them.
    pub(crate) names: &'static [&'static str],
    /// Whether its pod spec cannot be changed once created (a Job, a bare Pod).
    pub(crate) immutable_pod: bool,
}

const fn workload(
    kind: &'static str,
    pod_spec: &'static [&'static str],
    template: bool,
    names: &'static [&'static str],
    immutable_pod: bool,
) -> Workload {
    Workload {
        kind,
        pod_spec,
        template,
        names,
        immutable_pod,
    }
}

/// Every workload kind, with a pod spec: (kind, pod spec, a Job derives from it,
/// `--migrate` names, immutable pod spec).
#[rustfmt::skip]
pub(crate) const WORKLOADS: &[Workload] = &[
    workload("Deployment", POD_TEMPLATE_SPEC, true, &["deployment", "deployments", "deploy"], false),
    workload("StatefulSet", POD_TEMPLATE_SPEC, true, &["statefulset", "statefulsets", "sts"], false),
    workload("DaemonSet", POD_TEMPLATE_SPEC, true, &["daemonset", "daemonsets", "ds"], false),
    workload("ReplicaSet", POD_TEMPLATE_SPEC, true, &["replicaset", "replicasets", "rs"], false),
    workload("Rollout", POD_TEMPLATE_SPEC, true, &["rollout", "rollouts", "ro"], false),
    workload("Job", POD_TEMPLATE_SPEC, false, &["job", "jobs"], true),
    workload("CronJob", &["spec", "jobTemplate", "spec", "template", "spec"], false, &["cronjob", "cronjobs", "cj"], false),
    workload("Pod", &["spec"], false, &["pod", "pods", "po"], true),
];

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum RefKind {
    /// A ConfigMap.
    ConfigMap,
    /// A Secret.
    Secret,
    /// A ServiceAccount.
    ServiceAccount,
}

impl RefKind {
    /// The Kubernetes kind.
    pub fn kind(self) -> &'static str {
        REFERENCED
            .iter()
            .find(|(_, r)| *r == self)
            .map(|(k, _)| *k)
            .expect("every RefKind is in the kinds table")
    }
}

/// The kinds a migration Job may reference, as [`RefKind`]s.
pub(crate) const REFERENCED: &[(&str, RefKind)] = &[
    ("ConfigMap", RefKind::ConfigMap),
    ("Secret", RefKind::Secret),
    ("ServiceAccount", RefKind::ServiceAccount),
];

/// The workload row of a kind.
pub(crate) fn workload_kind(kind: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.kind == kind)
}

/// Whether a Job can be derived from a kind (see [`Workload::template`]).
pub(crate) fn is_template_kind(kind: &str) -> bool {
    workload_kind(kind).is_some_and(|w| w.template)
}

/// Whether a kind's pod spec cannot be changed once created.
pub(crate) fn immutable_pod(kind: &str) -> bool {
    workload_kind(kind).is_some_and(|w| w.immutable_pod)
}

/// The kind a `--migrate` kind word names (any case, or a kubectl short name).
pub(crate) fn kind_of(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase();
    WORKLOADS
        .iter()
        .find(|k| k.kind.eq_ignore_ascii_case(&w) || k.names.contains(&w.as_str()))
        .map(|k| k.kind)
}

/// The reference kind of a kind a migration Job may use.
pub(crate) fn ref_kind(kind: &str) -> Option<RefKind> {
    REFERENCED.iter().find(|(k, _)| *k == kind).map(|(_, r)| *r)
}
