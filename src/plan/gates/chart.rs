//! The chart's own wait gates follow the migrations' new names: an init container
//! that waits for `Job/app-migrate` would wait for ever once the Job is called
//! `app-migrate-<hash>`. Those gates are kept (not doubled) and edited in place.

use crate::k8s;
use crate::plan::context::Context;
use crate::plan::gates::select::names_migration;
use crate::plan::graph::chart_gates::{self, rename_in};
use crate::plan::model::Plan;
use crate::yaml::edit::Edit;
use crate::yaml::Value;

/// Points every chart gate that names a migration at the migration's name now.
pub(crate) fn follow(ctx: &Context<'_>, plan: &mut Plan) {
    let mut edits = Vec::new();
    for i in 0..ctx.index.entries.len() {
        let Some(v) = ctx.value(i) else { continue };
        let Some(pod_path) = k8s::pod_spec_path(ctx.kind(i)) else {
            continue;
        };
        let Some(pod) = k8s::at(v, &pod_path) else {
            continue;
        };
        for g in chart_gates::find(pod) {
            for j in &g.jobs {
                let Some(m) = plan
                    .migrations
                    .iter()
                    .find(|m| names_migration(&j.name, m) && j.name != m.name)
                else {
                    continue;
                };
                let Some(Value::Str(text)) = k8s::at(pod, &j.path) else {
                    continue;
                };
                let new = if j.whole {
                    m.name.clone()
                } else {
                    rename_in(text, &j.name, &m.name)
                };
                let mut path = pod_path.clone();
                path.extend(j.path.iter().cloned());
                edits.push((
                    i,
                    path,
                    new,
                    g.container.clone(),
                    j.name.clone(),
                    m.name.clone(),
                ));
            }
        }
    }
    for (i, path, new, container, old, name) in edits {
        plan.change(
            i,
            Edit::Set(path, Value::str(new)),
            format!("the chart's gate `{container}` now waits for Job {name} (was {old}): the Job was renamed by content"),
        );
    }
}
