//! Which parts of the workload's pod template a Job built from it keeps.

/// Pod annotations a Job built from a workload leaves out: kubectl's default
/// container names one of the app's.
pub(super) const DROPPED_POD_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/default-container"];

/// Pod spec fields the Job keeps: what the container needs to reach the database
/// and to be scheduled like the app. Everything else (e.g. hostname, subdomain,
/// topology spread, termination grace) belongs to the long-running workload.
pub(super) const POD_FIELDS_KEPT: &[&str] = &[
    "containers",
    "initContainers",
    "volumes",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "imagePullSecrets",
    "nodeSelector",
    "affinity",
    "tolerations",
    "priorityClassName",
    "securityContext",
    "dnsPolicy",
    "dnsConfig",
    "hostAliases",
    "runtimeClassName",
    "enableServiceLinks",
    "schedulerName",
    "restartPolicy",
];

/// Container fields a generated Job drops: a run-to-completion container serves
/// nothing, and nobody attaches to it (with `stdin`/`tty`, a command that asks,
/// like Laravel's `migrate` in production, would wait for ever, not fail).
pub(super) const CONTAINER_FIELDS_DROPPED: &[&str] = &[
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "ports",
    "lifecycle",
    "args",
    "stdin",
    "stdinOnce",
    "tty",
];
