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

/// Points every chart gate that names a migration at the migration's name now,
/// and a k8s-wait-for `job` gate at `job-wr` (see [`chart_gates::JobRef`]).
pub(crate) fn follow(ctx: &Context<'_>, plan: &mut Plan) {
    let mut edits: Vec<(usize, Edit, String)> = Vec::new();
    // (name the chart's gates wait for, the Job's name now)
    let mut renamed: Vec<(String, String)> = Vec::new();
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
                let Some(m) = plan.migrations.iter().find(|m| names_migration(&j.name, m)) else {
                    continue;
                };
                let at = |p: &[crate::yaml::edit::Seg]| [pod_path.as_slice(), p].concat();
                if let Some(mode) = &j.fail_blind {
                    edits.push((i, Edit::Set(at(mode), Value::str("job-wr")), format!(
                        "the chart's gate `{}` waits with k8s-wait-for `job-wr`, not `job`: `job` never passes once a pod of Job {} failed, and a retry in a new pod (restartPolicy Never) leaves one",
                        g.container, m.name
                    )));
                }
                if j.name == m.name {
                    continue;
                }
                let Some(Value::Str(text)) = k8s::at(pod, &j.path) else {
                    continue;
                };
                let new = match j.whole {
                    true => m.name.clone(),
                    false => rename_in(text, &j.name, &m.name),
                };
                renamed.push((j.name.clone(), m.name.clone()));
                edits.push((i, Edit::Set(at(&j.path), Value::str(new)), format!(
                    "the chart's gate `{}` now waits for Job {} (was {}): the Job was renamed by content",
                    g.container, m.name, j.name
                )));
            }
        }
    }
    renamed.sort();
    renamed.dedup();
    edits.extend(roles_follow(ctx, &renamed));
    for (i, edit, why) in edits {
        plan.change(i, edit, why);
    }
}

/// The chart's Roles that let its gates read a Job by name (`resourceNames` of a
/// rule on `batch` `jobs`) also let them read the Job's new name: the renamed
/// gate would be refused for ever (Lago's `lago-watch-services`).
fn roles_follow(ctx: &Context<'_>, renamed: &[(String, String)]) -> Vec<(usize, Edit, String)> {
    let mut out = Vec::new();
    if renamed.is_empty() {
        return out;
    }
    let has =
        |v: &Value, key: &str, want: &str| v.strings(key).iter().any(|s| *s == want || *s == "*");
    for d in (0..ctx.index.entries.len())
        .filter(|&d| ctx.kind(d) == "Role" && !ctx.generated.contains(&d))
    {
        let Some(v) = crate::plan::graph::roles::peek(ctx.index, d) else {
            continue;
        };
        for (r, rule) in v
            .get("rules")
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if !has(rule, "apiGroups", "batch") || !has(rule, "resources", "jobs") {
                continue;
            }
            let names = rule.strings("resourceNames");
            for (old, new) in renamed {
                if names.contains(&old.as_str()) && !names.contains(&new.as_str()) {
                    let path = crate::path!["rules", r, "resourceNames"];
                    out.push((d, Edit::Insert(path, usize::MAX, vec![Value::str(new)]), format!(
                        "the chart's gates read Job {old} by name, now {new}: the Role lets them read the new name too"
                    )));
                }
            }
        }
    }
    out
}
