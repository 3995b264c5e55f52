//! A migration Job's name before hashing: what its content name is built on.

use crate::k8s::engines::own;
use crate::plan::context::{annotation, namespace, Context};
use crate::yaml::Value;

/// A Job's name before hashing, as [`crate::plan::context::original_name`] reads it, without a
/// release revision (`…-migrations-1`, `…-r1`) unless another Job of its
/// namespace has the same name with another number (the chart's order of
/// several Jobs): Helm 3 and 4 render a new revision on every upgrade, and
/// a name that kept it renamed the Job, and rolled every gated app, on each.
pub(crate) fn original_of(ctx: &Context<'_>, v: &Value) -> Option<String> {
    if let Some(recorded) = annotation(v, own::ORIGINAL_NAME) {
        return Some(recorded.to_string());
    }
    let name = v.at(&["metadata", "name"]).and_then(Value::as_str)?;
    let stamped = crate::plan::jobs::hash::unstamped(name);
    let Some((base, _)) = crate::plan::jobs::hash::revision_suffix(stamped) else {
        return Some(stamped.to_string());
    };
    let ns = namespace(v);
    // A Job premigrate builds (`<workload>-<container>`) carries no revision.
    let charts = ctx
        .index
        .entries
        .iter()
        .any(|e| e.info.kind.as_deref() == Some("Job") && e.info.name.as_deref() == Some(name));
    let sibling = !charts
        || ctx.index.entries.iter().any(|e| {
            let other = e.info.name.as_deref().unwrap_or("");
            e.info.kind.as_deref() == Some("Job")
                && other != name
                && e.info.namespace.as_deref().unwrap_or("") == ns
                && crate::plan::jobs::hash::revision_suffix(crate::plan::jobs::hash::unstamped(
                    other,
                ))
                .is_some_and(|(b, _)| b == base)
        });
    Some(if sibling { stamped } else { base }.to_string())
}
