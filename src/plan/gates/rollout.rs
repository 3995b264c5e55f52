//! The contract step waits for the apps' rollout. kubectl and a Flux
//! Kustomization apply everything at once, and kapp orders nothing after a
//! rollout: without a wait, a contract step (Kong's `migrations finish`,
//! Mastodon's post-deployment migrations) drops what the old pods still read
//! while they serve. Argo CD's waves order it already (there the wait passes at
//! once), and Helm its post hooks (under `--wait`). A hook gets no such wait:
//! Helm runs hooks one by one, and one the apps wait for may come after it.
//!
//! One init container per app, `kubectl rollout status KIND/NAME`, with a Role
//! that may only read those apps.

use std::collections::BTreeMap;

use crate::k8s::engines;
use crate::plan::context::{annotation, ensure_separator, Context};
use crate::plan::gates::container::KUBECTL_IMAGE;
use crate::plan::graph::chart_gates::{self, ROLLOUT_ENV};
use crate::plan::model::{Added, Migration, Plan};
use crate::yaml::Value;

/// Kinds `kubectl rollout status` follows, with their API resource.
const ROLLED: &[(&str, &str)] = &[
    ("Deployment", "deployments"),
    ("StatefulSet", "statefulsets"),
    ("DaemonSet", "daemonsets"),
];

/// The apps contract step `job` (its document, namespace and name before
/// hashing) waits for: the stream's Deployments, StatefulSets and DaemonSets of
/// its namespace that are not data services (`data`), hooks or premigrate's own,
/// whose rollout kubectl can follow (not paused, not `OnDelete`), and whose own
/// gates do not wait for the step (that would be a cycle).
pub(crate) fn targets(
    ctx: &Context<'_>,
    data: &BTreeMap<usize, String>,
    (job, ns, original): (usize, &str, &str),
) -> Vec<usize> {
    (0..ctx.index.entries.len())
        .filter(|&d| d != job && ROLLED.iter().any(|(k, _)| *k == ctx.kind(d)))
        .filter(|d| !data.contains_key(d) && !ctx.generated.contains(d))
        .filter(|&d| ctx.effective_ns(d) == ns)
        .filter(|&d| ctx.value(d).is_some_and(|v| follows(v, original)))
        .collect()
}

/// Whether kubectl can follow the rollout of workload `v`, and its pods do not
/// wait for the Job originally named `original`.
fn follows(v: &Value, original: &str) -> bool {
    let strategy = v
        .at(&["spec", "updateStrategy", "type"])
        .and_then(Value::as_str);
    let paused = v.at(&["spec", "paused"]) == Some(&Value::Bool(true));
    let waits_for_it = v.at(crate::k8s::POD_TEMPLATE_SPEC).is_some_and(|pod| {
        chart_gates::find(pod).iter().any(|g| {
            g.jobs.iter().any(|j| {
                j.name == original || crate::plan::jobs::hash::is_hashed_name_of(&j.name, original)
            })
        })
    });
    annotation(v, engines::HELM_HOOK).is_none()
        && !paused
        && strategy.is_none_or(|s| s == "RollingUpdate")
        && !waits_for_it
}

/// `Kind/name` of each target, as the gates and the hash read them.
pub(crate) fn names(ctx: &Context<'_>, targets: &[usize]) -> Vec<String> {
    targets
        .iter()
        .map(|&d| ctx.index.entries[d].info.object())
        .collect()
}

/// The init container that waits for the rollout of `object` (`Kind/name`).
pub(crate) fn container(ctx: &Context<'_>, object: &str, no_token: bool) -> Value {
    let (kind, name) = object.split_once('/').unwrap_or((object, ""));
    let timeout = ctx
        .cfg
        .timeout_seconds
        .map_or("1h".to_string(), |t| format!("{t}s"));
    let image = match ctx.cfg.gate_style {
        crate::config::GateStyle::Kubectl => ctx.cfg.gate_image.as_deref().unwrap_or(KUBECTL_IMAGE),
        _ => KUBECTL_IMAGE,
    };
    let cname =
        crate::plan::jobs::hash::label_name(&format!("premigrate-rollout-{}", name), object, 63);
    let mut c = vec![
        ("name".into(), Value::str(cname)),
        ("image".into(), Value::str(image)),
        ("imagePullPolicy".into(), Value::str("Always")),
        // The image has no shell and keeps the binary at /bin/kubectl.
        (
            "command".into(),
            Value::Seq(vec![Value::str("/bin/kubectl")].into()),
        ),
        (
            "args".into(),
            Value::Seq(
                vec![
                    Value::str("rollout"),
                    Value::str("status"),
                    Value::str(format!("{}/{name}", kind.to_ascii_lowercase())),
                    Value::str(format!("--timeout={timeout}")),
                ]
                .into(),
            ),
        ),
        (
            "env".into(),
            Value::Seq(
                vec![Value::map([
                    ("name", Value::str(ROLLOUT_ENV)),
                    ("value", Value::str(object)),
                ])]
                .into(),
            ),
        ),
    ];
    c.extend(crate::plan::gates::container::wait_tail(no_token));
    Value::Map(c.into())
}

/// The Role that lets contract step `m`'s rollout gates read `objects`
/// (`Kind/name`) and nothing else, and its binding to `sa`, added before `before`.
pub(crate) fn rbac(
    ctx: &Context<'_>,
    plan: &mut Plan,
    m: &Migration,
    (objects, sa): (&[String], &str),
    before: usize,
) {
    let name = format!("{}-premigrate-rollout", m.original_name);
    let filename = ctx.index.entries[before].info.filename.clone();
    let meta = |kind: &str| crate::plan::gates::rbac::metadata(m, kind, &name, filename.as_deref());
    let role = role(meta("Role"), objects);
    let binding =
        crate::plan::gates::rbac::binding(m, meta("RoleBinding"), &name, &[sa.to_string()]);
    for (obj, kind, why) in [
        (
            role,
            "Role",
            format!(
                "lets the contract step's gates read {} and nothing else (get/list/watch)",
                objects.join(", ")
            ),
        ),
        (
            binding,
            "RoleBinding",
            format!(
                "lets the contract step's gates read {} ({sa})",
                objects.join(", ")
            ),
        ),
    ] {
        plan.added.push(Added {
            text: ensure_separator(obj.to_document()),
            object: format!("{kind}/{name}"),
            derived_from: before,
            before,
            why,
            hook: None,
            ahead_of: Vec::new(),
        });
    }
}

/// The Role: get/list/watch on each app, by kind.
fn role(meta: Value, objects: &[String]) -> Value {
    let strs = |v: Vec<&str>| Value::Seq(v.into_iter().map(Value::str).collect());
    let rules: Vec<Value> = ROLLED
        .iter()
        .filter_map(|(kind, resource)| {
            let names: Vec<&str> = objects
                .iter()
                .filter_map(|o| o.strip_prefix(kind).and_then(|r| r.strip_prefix('/')))
                .collect();
            (!names.is_empty()).then(|| {
                Value::map([
                    ("apiGroups", strs(vec!["apps"])),
                    ("resources", strs(vec![resource])),
                    ("resourceNames", strs(names)),
                    ("verbs", strs(vec!["get", "list", "watch"])),
                ])
            })
        })
        .collect();
    Value::map([
        ("apiVersion", Value::str("rbac.authorization.k8s.io/v1")),
        ("kind", Value::str("Role")),
        ("metadata", meta),
        ("rules", Value::Seq(rules.into())),
    ])
}
