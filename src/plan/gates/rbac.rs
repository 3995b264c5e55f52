//! Least-privilege RBAC for the gates: per migration, one Role that may only
//! get/list/watch that one Job, bound to the service accounts of the gated workloads.

use std::collections::BTreeMap;

use crate::k8s::engines::{self, own};
use crate::plan::context::{ensure_separator, generated_marker};
use crate::plan::model::{Added, Migration, Plan};
use crate::yaml::Value;

/// The document of a binding subject that is a migration waiting for another.
pub(crate) const FOLLOWER: usize = usize::MAX;

/// Per migration (by index), the gated (workload, service account) pairs its RBAC binds.
pub(crate) type Bindings = BTreeMap<usize, Vec<(usize, String)>>;

/// The gated workloads the bindings hold (their gates read the API server).
pub(crate) fn gated(bindings: &Bindings) -> Vec<usize> {
    let workloads = bindings.values().flatten().map(|(w, _)| *w);
    workloads.filter(|&w| w != FOLLOWER).collect()
}

/// Adds the Role and RoleBinding letting `subjects` — (workload, service account) — read `m`'s Job.
pub(crate) fn add(
    ctx: &crate::plan::context::Context<'_>,
    plan: &mut Plan,
    m: &Migration,
    subjects: &[(usize, String)],
    first_app: Option<usize>,
) {
    let (first, at) = place(ctx, plan, m, subjects, first_app);
    let filename = ctx.index.entries[first].info.filename.clone();
    let mut sas: Vec<String> = subjects.iter().map(|s| s.1.clone()).collect();
    sas.sort();
    sas.dedup();
    let rbac_name = format!("{}-premigrate-wait", m.original_name);
    note_default_account(plan, m, first, &rbac_name, &sas);
    let meta = |kind| metadata(m, kind, &rbac_name, filename.as_deref());
    // Just before a built follower: wherever it goes (`ahead_of`), it goes too.
    let ahead_of: Vec<usize> = (plan.added.get(at))
        .filter(|a| a.before == first)
        .map(|a| a.ahead_of.clone())
        .unwrap_or_default();
    for (n, (obj, kind)) in [
        (role(m, meta("Role")), "Role"),
        (
            binding(m, meta("RoleBinding"), &rbac_name, &sas),
            "RoleBinding",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        plan.added.insert(
            at + n,
            Added {
                text: ensure_separator(obj.to_document()),
                object: format!("{kind}/{rbac_name}"),
                derived_from: first,
                before: first,
                why: format!(
                    "lets the gates read Job/{} and nothing else ({})",
                    m.name,
                    if kind == "Role" {
                        "get/list/watch on that one Job".to_string()
                    } else {
                        sas.join(", ")
                    }
                ),
                hook: None,
                ahead_of: ahead_of.clone(),
            },
        );
    }
}

/// Where the RBAC goes: before the first gated object of the output, so a gate
/// never starts without it (under `kubectl apply` a Job's failed gate fails the Job):
/// before which document (`first`), and at which index of the added documents (`at`).
fn place(
    ctx: &crate::plan::context::Context<'_>,
    plan: &Plan,
    m: &Migration,
    subjects: &[(usize, String)],
    first_app: Option<usize>,
) -> (usize, usize) {
    // Before the first gated workload or migration Job of the output; a Job
    // premigrate builds that waits for this one sits just after it (see below).
    // Migration Jobs are moved ahead of the apps: a gated one comes first in the output.
    // A migration Job of the stream, whatever built it (a Job premigrate built on
    // an earlier run is one now, as its own follower was in that run).
    // A contract step is not: it moves after the workloads, so it comes last.
    let phase = |d: usize| plan.migrations.iter().find(|j| j.doc == d).map(|j| j.phase);
    let is_job = |d: usize| ctx.kind(d) == "Job" && phase(d) == Some(crate::plan::Phase::Pre);
    let contract = |d: usize| ctx.kind(d) == "Job" && phase(d) == Some(crate::plan::Phase::Post);
    let docs = || subjects.iter().map(|s| s.0).filter(|&d| d != FOLLOWER);
    let followers: Vec<String> = plan
        .migrations
        .iter()
        .filter(|f| f.after.contains(&m.original_name))
        .map(|f| format!("Job/{}", f.name))
        .collect();
    // A follower premigrate builds in this run goes where the next run finds it as
    // a document: before it counts as before that document, so both runs agree.
    // Only a follower that needs the RBAC (its gate reads the Job) pulls it ahead:
    // the next run finds it among the gated subjects, and places it alike.
    let reads = subjects.iter().any(|s| s.0 == FOLLOWER);
    let built_follower = plan
        .added
        .iter()
        .filter(|a| followers.contains(&a.object))
        .map(|a| a.before)
        .min()
        .filter(|_| reads);
    let first = docs()
        .filter(|&d| is_job(d))
        .chain(built_follower)
        .min()
        .or_else(|| docs().filter(|&d| !contract(d)).min())
        .or_else(|| docs().min())
        .or(first_app)
        .unwrap_or(m.doc);
    let at = plan
        .added
        .iter()
        .position(|a| reads && a.before == first && followers.contains(&a.object))
        .unwrap_or(plan.added.len());
    (first, at)
}

/// PM605 when the binding's subjects include the `default` ServiceAccount:
/// every pod of the namespace that runs as it gets the read too.
fn note_default_account(
    plan: &mut Plan,
    m: &Migration,
    doc: usize,
    rbac_name: &str,
    sas: &[String],
) {
    if sas.iter().any(|s| s == "default") {
        plan.note(crate::diag::codes::PM605, Some(doc), format!(
            "RoleBinding/{rbac_name} binds ServiceAccount default (the gated workloads run as it): every pod of the namespace that runs as default may read Job {}; give the workloads a ServiceAccount of their own, or use --gate-style check (no RBAC)",
            m.name
        ));
    }
}

/// The metadata both objects share: name, namespace, premigrate's marks, the Job's wave and Helm 4 filename.
pub(crate) fn metadata(
    m: &Migration,
    kind: &str,
    rbac_name: &str,
    filename: Option<&str>,
) -> Value {
    let mut ann = vec![
        (
            own::GENERATED.into(),
            Value::str(generated_marker(kind, &m.original_name)),
        ),
        (own::ORIGINAL_NAME.into(), Value::str(&m.original_name)),
    ];
    if let Some(w) = m.wave {
        ann.push((engines::ARGO_WAVE.into(), Value::str(w.to_string())));
    }
    if let Some(f) = filename {
        ann.push((crate::index::HELM4_FILENAME.into(), Value::str(f)));
    }
    let mut md = vec![("name".into(), Value::str(rbac_name))];
    if !m.namespace.is_empty() {
        md.push(("namespace".into(), Value::str(&m.namespace)));
    }
    md.push(("annotations".into(), Value::Map(ann.into())));
    Value::Map(md.into())
}

/// The Role: get/list/watch on the one Job.
fn role(m: &Migration, meta: Value) -> Value {
    Value::map([
        ("apiVersion", Value::str("rbac.authorization.k8s.io/v1")),
        ("kind", Value::str("Role")),
        ("metadata", meta),
        (
            "rules",
            Value::Seq(
                vec![Value::map([
                    ("apiGroups", Value::Seq(vec![Value::str("batch")].into())),
                    ("resources", Value::Seq(vec![Value::str("jobs")].into())),
                    (
                        "resourceNames",
                        Value::Seq(vec![Value::str(&m.name)].into()),
                    ),
                    (
                        "verbs",
                        Value::Seq(
                            vec![Value::str("get"), Value::str("list"), Value::str("watch")].into(),
                        ),
                    ),
                ])]
                .into(),
            ),
        ),
    ])
}

/// The RoleBinding of the Role to the service accounts `sas`.
pub(crate) fn binding(m: &Migration, meta: Value, rbac_name: &str, sas: &[String]) -> Value {
    Value::map([
        ("apiVersion", Value::str("rbac.authorization.k8s.io/v1")),
        ("kind", Value::str("RoleBinding")),
        ("metadata", meta),
        (
            "roleRef",
            Value::map([
                ("apiGroup", Value::str("rbac.authorization.k8s.io")),
                ("kind", Value::str("Role")),
                ("name", Value::str(rbac_name)),
            ]),
        ),
        (
            "subjects",
            Value::Seq(
                sas.iter()
                    .map(|sa| {
                        let mut s = vec![
                            ("kind".into(), Value::str("ServiceAccount")),
                            ("name".into(), Value::str(sa)),
                        ];
                        if !m.namespace.is_empty() {
                            s.push(("namespace".into(), Value::str(&m.namespace)));
                        }
                        Value::Map(s.into())
                    })
                    .collect(),
            ),
        ),
    ])
}
