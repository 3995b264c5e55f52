//! The pod labels a Job built from a workload leaves out: those the app's pods
//! are selected by. A migration pod the workload's ReplicaSets, the app's
//! Services or its PodDisruptionBudgets counted would take the app's traffic
//! (Windmill's Services select `app.kubernetes.io/name`, its Deployment `app`;
//! premigrate drops the readiness probe, so the pod is Ready while it runs) or
//! hold the app's disruption budget.

use crate::plan::context::Context;
use crate::plan::graph::roles::peek;
use crate::yaml::value::Text;
use crate::yaml::Value;

/// The keys of `labels` (the workload `doc`'s pod labels, `v` its value) that a
/// selector of the workload, or of a Service or PodDisruptionBudget of its
/// namespace that selects those pods, names with the same value.
pub(super) fn selected<'l>(
    ctx: &Context<'_>,
    (doc, v): (usize, &Value),
    labels: &'l [(Text, Value)],
) -> Vec<&'l Text> {
    let own = v.at(&["spec", "selector", "matchLabels"]);
    let ns = ctx.index.entries[doc].info.namespace.clone();
    let mut selectors: Vec<Value> = own.cloned().into_iter().collect();
    for (i, e) in ctx.index.entries.iter().enumerate() {
        let path: &[&str] = match e.info.kind.as_deref() {
            Some("Service") => &["spec", "selector"],
            Some("PodDisruptionBudget") => &["spec", "selector", "matchLabels"],
            _ => continue,
        };
        if e.info.namespace != ns {
            continue;
        }
        let Some(sel) = peek(ctx.index, i).and_then(|s| s.at(path).cloned()) else {
            continue;
        };
        let picks = |s: &Value| {
            !s.entries().is_empty()
                && s.entries()
                    .iter()
                    .all(|(k, val)| labels.iter().any(|(l, lv)| l == k && lv == val))
        };
        if picks(&sel) {
            selectors.push(sel);
        }
    }
    labels
        .iter()
        .filter(|(k, val)| selectors.iter().any(|s| s.get(k) == Some(val)))
        .map(|(k, _)| k)
        .collect()
}
