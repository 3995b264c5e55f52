//! What each engine reads, as tables: the annotations premigrate writes for
//! Helm hooks, Flux, Argo CD and kapp. Planning looks values up here instead
//! of branching on engines.

/// A value an annotation takes, filled from the migration at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// A fixed string.
    Fixed(&'static str),
    /// The hook events (`pre-install,pre-upgrade`, or the chart's own).
    HookEvents,
    /// The Job's hook weight.
    JobWeight,
    /// One less than the Job's hook weight.
    DepWeight,
    /// The Job's Argo CD sync wave.
    JobWave,
    /// The kapp change group of the migration.
    Group,
    /// A kapp rule to wait for the migration's group.
    AfterGroup,
}

/// Which objects an annotation row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The migration Job under `hooks`.
    HookJob,
    /// A hook copy of something the Job uses.
    HookDependency,
    /// The migration Job under `gitops`.
    GitopsJob,
    /// Something the Job uses, under `gitops`.
    GitopsDependency,
    /// A workload that waits for the Job, under `gitops`.
    GitopsWorkload,
    /// A chart hook Job or Pod that premigrate gates, under `gitops`: Helm
    /// recreates a hook on every release, a GitOps engine applies it as a plain
    /// object whose pod spec is immutable, and the gate changes with each new
    /// migration; these rows make the engine replace it instead of failing.
    GitopsRecreatedHook,
    /// A plain (non-hook) Job or Pod that premigrate gates, under `gitops`: the
    /// same, with Argo CD's delete-and-recreate too (a hook it recreates itself).
    GitopsRecreatedJob,
}

/// One annotation row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// The engine that reads it (`helm`, `flux`, `argocd`, `kapp`): the table says it to its reader.
    #[allow(dead_code)]
    pub(crate) engine: &'static str,
    /// For whom.
    pub(crate) role: Role,
    /// The annotation key.
    pub(crate) key: &'static str,
    /// Its value.
    pub(crate) fill: Fill,
}

/// A row of [`ANNOTATIONS`].
const fn row(engine: &'static str, role: Role, key: &'static str, fill: Fill) -> Row {
    Row {
        engine,
        role,
        key,
        fill,
    }
}

/// Helm's hook annotations.
pub(crate) const HELM_HOOK: &str = "helm.sh/hook";
/// Helm's hook weight.
pub(crate) const HELM_HOOK_WEIGHT: &str = "helm.sh/hook-weight";
/// Helm's hook delete policy.
pub(crate) const HELM_HOOK_DELETE: &str = "helm.sh/hook-delete-policy";
/// Helm's `keep` policy: `helm uninstall` leaves the object (ignored on hooks).
pub(crate) const HELM_RESOURCE_POLICY: &str = "helm.sh/resource-policy";
/// kapp's change group (suffixed `.NAME` keys let one object be in several).
pub(crate) const KAPP_GROUP: &str = "kapp.k14s.io/change-group";
/// kapp's change rule (suffixed `.NAME` keys hold several rules).
pub(crate) const KAPP_RULE: &str = "kapp.k14s.io/change-rule";
/// Argo CD's sync wave.
pub(crate) const ARGO_WAVE: &str = "argocd.argoproj.io/sync-wave";
/// Argo CD's own hook annotation: Argo CD then ignores that object's Helm hook
/// annotations (each object on its own: gitops-engine's `hook.Types`).
pub(crate) const ARGO_HOOK: &str = "argocd.argoproj.io/hook";
/// Argo CD hook annotations; removed from gitops migration Jobs, as Helm's are.
pub(crate) const ARGO_HOOK_KEYS: &[&str] = &[ARGO_HOOK, "argocd.argoproj.io/hook-delete-policy"];
/// The default hook events of a migration.
pub(crate) const PRE_EVENTS: &str = "pre-install,pre-upgrade";
/// The hook events of a contract step premigrate makes a hook: after the apps.
pub(crate) const POST_EVENTS: &str = "post-install,post-upgrade";

/// Every annotation premigrate writes, by engine and role.
pub(crate) const ANNOTATIONS: &[Row] = &[
    row("helm", Role::HookJob, HELM_HOOK, Fill::HookEvents),
    row("helm", Role::HookJob, HELM_HOOK_WEIGHT, Fill::JobWeight),
    row(
        "helm",
        Role::HookJob,
        HELM_HOOK_DELETE,
        Fill::Fixed("before-hook-creation,hook-succeeded"),
    ),
    row("helm", Role::HookDependency, HELM_HOOK, Fill::HookEvents),
    row(
        "helm",
        Role::HookDependency,
        HELM_HOOK_WEIGHT,
        Fill::DepWeight,
    ),
    row(
        "helm",
        Role::HookDependency,
        HELM_HOOK_DELETE,
        Fill::Fixed("before-hook-creation,hook-succeeded"),
    ),
    row(
        "flux",
        Role::GitopsJob,
        "kustomize.toolkit.fluxcd.io/force",
        Fill::Fixed("Enabled"),
    ),
    row("argocd", Role::GitopsJob, ARGO_WAVE, Fill::JobWave),
    row("argocd", Role::GitopsDependency, ARGO_WAVE, Fill::JobWave),
    row("kapp", Role::GitopsJob, KAPP_GROUP, Fill::Group),
    row("kapp", Role::GitopsDependency, KAPP_GROUP, Fill::Group),
    row("kapp", Role::GitopsWorkload, KAPP_RULE, Fill::AfterGroup),
    row(
        "flux",
        Role::GitopsRecreatedHook,
        "kustomize.toolkit.fluxcd.io/force",
        Fill::Fixed("Enabled"),
    ),
    row(
        "kapp",
        Role::GitopsRecreatedHook,
        "kapp.k14s.io/update-strategy",
        Fill::Fixed("fallback-on-replace"),
    ),
    row(
        "flux",
        Role::GitopsRecreatedJob,
        "kustomize.toolkit.fluxcd.io/force",
        Fill::Fixed("Enabled"),
    ),
    row(
        "kapp",
        Role::GitopsRecreatedJob,
        "kapp.k14s.io/update-strategy",
        Fill::Fixed("fallback-on-replace"),
    ),
    // Argo CD's documented form for a Job to run again when it changes.
    row(
        "argocd",
        Role::GitopsRecreatedJob,
        ARGO_SYNC_OPTIONS,
        Fill::Fixed("Force=true,Replace=true"),
    ),
];

/// Argo CD's per-resource sync options, a comma-separated list.
pub(crate) const ARGO_SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

/// Hook annotations that make a document a Helm hook; removed from gitops Jobs.
pub(crate) const HELM_HOOK_KEYS: &[&str] = &[HELM_HOOK, HELM_HOOK_WEIGHT, HELM_HOOK_DELETE];

/// The key of a per-migration row on an object that may need one per migration:
/// kapp reads several change rules under suffixed keys (`change-rule.<suffix>`),
/// so a workload waiting for several migrations gets one rule each, and a chart's
/// own unsuffixed rule is left alone.
pub(crate) fn per_migration_key(key: &str, original: &str) -> String {
    let name_len = key.rsplit('/').next().map_or(0, str::len) + 1;
    let suffix = crate::plan::jobs::hash::label_name(
        &format!("premigrate-{original}"),
        original,
        63 - name_len,
    );
    format!("{key}.{suffix}")
}

/// The rows for a role.
pub(crate) fn rows(role: Role) -> impl Iterator<Item = &'static Row> {
    ANNOTATIONS.iter().filter(move |r| r.role == role)
}

/// premigrate's own annotations.
pub(crate) mod own {
    /// Marks a Job as a migration (`"true"`) or never one (`"false"`).
    pub(crate) const MIGRATION: &str = "premigrate.io/migration";
    /// The name before hashing.
    pub(crate) const ORIGINAL_NAME: &str = "premigrate.io/original-name";
    /// The content hash.
    pub(crate) const HASH: &str = "premigrate.io/hash";
    /// Marks a document premigrate generated (regenerated on every run).
    pub(crate) const GENERATED: &str = "premigrate.io/generated";
    /// On a workload: `"false"` never gates it.
    pub(crate) const GATE: &str = "premigrate.io/gate";
    /// On a workload: the Job names (original or hashed) it waits for.
    pub(crate) const WAIT_FOR: &str = "premigrate.io/wait-for";
    /// On a workload: a command to generate a migration Job from it.
    pub(crate) const MIGRATE: &str = "premigrate.io/migrate";
    /// On a workload: an init container to extract as a migration.
    pub(crate) const EXTRACT_INIT: &str = "premigrate.io/extract-init";
    /// On a workload: the container `premigrate.io/migrate` runs its command in.
    pub(crate) const MIGRATE_CONTAINER: &str = "premigrate.io/migrate-container";
    /// On a Job premigrate built: the workload(s) it was extracted or generated from.
    pub(crate) const DERIVED_FROM: &str = "premigrate.io/derived-from";
    /// On a Job: `post` records the contract phase once gitops has removed the
    /// chart's `post-install`/`post-upgrade` hook, which is where it was read
    /// from; `pre`, that a pre hook put a Job named as a data migration first.
    pub(crate) const PHASE: &str = "premigrate.io/phase";
    /// Migrations (original names, comma-separated) that must complete before this one.
    pub(crate) const AFTER: &str = "premigrate.io/after";
    /// What of the release a migration needs (`none`, or `Kind/name,…`), as the
    /// user says it: replaces the data services premigrate finds.
    pub(crate) const NEEDS: &str = "premigrate.io/needs";
}

/// Helm's install order of kinds (`releaseutil.InstallOrder`, Helm 3.17 and
/// 4): regular objects are created in it, and hooks of one weight and one name
/// in it too (a chart's `ServiceAccount`, `Role`, `RoleBinding` and `Job` all
/// named `init`: the Job last). Kinds not listed come after, by kind name.
pub(crate) const HELM_INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Where Helm creates `kind` in its install order: its place in the table,
/// then (for the kinds not listed) its name.
pub(crate) fn helm_kind_rank(kind: &str) -> (usize, &str) {
    match HELM_INSTALL_ORDER.iter().position(|k| *k == kind) {
        Some(p) => (p, ""),
        None => (HELM_INSTALL_ORDER.len(), kind),
    }
}
