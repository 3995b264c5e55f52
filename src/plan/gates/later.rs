//! The chart's hooks that Helm ran after a migration hook. Under `gitops` the
//! migration becomes a regular Job, and a post hook the chart ran after it
//! (Sentry's `sentry createuser … || true` after its `sentry upgrade`) would
//! start with it, not after it: it waits for the Job with a gate, as a
//! workload does. One that cannot wait (also a pre or delete hook) is reported
//! (PM211). A rerun reads no hook events on the migration (they are gone from
//! the output): it keeps the gates an earlier run gave a hook, pointed at the
//! Job's name now.

use crate::config::Target;
use crate::diag::codes;
use crate::k8s;
use crate::k8s::engines::{self, own};
use crate::plan::context::{annotation, hook_weight, Context};
use crate::plan::gates::select::{has_own_gate, migration_ns, names_migration, Waits};
use crate::plan::graph::chart_gates::{self, WAIT_FOR_ENV};
use crate::plan::graph::order::{ran_after, Facts, Later};
use crate::plan::jobs::find::hook_events;
use crate::plan::model::{Migration, Origin, Plan};
use crate::yaml::Value;

/// The chart's hooks with a pod (not migrations), and the migrations each waits
/// for. Every one is visited, so a gate no longer wanted goes.
pub(crate) fn hooks(
    ctx: &Context<'_>,
    plan: &mut Plan,
    migrations: &[Migration],
) -> (Vec<usize>, Waits) {
    let mut waits = Waits::new();
    let docs: Vec<usize> = (0..ctx.index.entries.len())
        .filter(|&i| is_chart_hook(ctx, plan, i))
        .collect();
    for &h in &docs {
        let v = ctx.value(h).expect("hooks with a pod are parsed");
        let Some(pod) = k8s::pod_spec(v, ctx.kind(h)) else {
            continue;
        };
        if annotation(v, own::GATE) == Some("false") {
            continue;
        }
        let ns = ctx.effective_ns(h);
        let hook = chart_hook(v);
        let gated = gated_on(pod);
        for (k, m) in migrations.iter().enumerate() {
            if migration_ns(ctx, m) != ns
                || m.hook
                || m.origin != Origin::Job
                || has_own_gate(pod, m)
            {
                continue;
            }
            if chart_gates::find(&m.pod)
                .iter()
                .any(|g| g.jobs.iter().any(|j| j.name == hook.name))
            {
                // The migration waits for this hook: it cannot wait for the migration.
                continue;
            }
            if gated.iter().any(|j| names_migration(j, m)) {
                let why = format!("an earlier run gated this hook on {}: the chart ran it after the migration's hook", m.original_name);
                waits.entry(h).or_default().push((k, why));
                continue;
            }
            let Some(mv) = ctx.value(m.doc).filter(|mv| hook_events(mv).is_some()) else {
                continue;
            };
            let migration = chart_hook(mv);
            match ran_after(&hook, &migration) {
                Some(Later::Waits) => {
                    let why = format!(
                        "the chart runs this hook ({}) after {} ({}); that is a regular Job now",
                        said(&hook),
                        m.original_name,
                        said(&migration)
                    );
                    waits.entry(h).or_default().push((k, why));
                }
                Some(Later::Races { on }) => plan.note(codes::PM211, Some(h), format!(
                    "{}: on {on} the chart runs this hook ({}) after {} ({}); that is a regular Job now, which a pre or delete hook cannot wait for: this hook may run before the migration completes; make it a post-install,post-upgrade hook{}",
                    ctx.object(h),
                    said(&hook),
                    m.original_name,
                    said(&migration),
                    match ctx.target {
                        Target::Hooks => "",
                        _ => ", or use --target hooks",
                    }
                )),
                None => {}
            }
        }
    }
    (docs, waits)
}

/// A document the chart made a Helm hook, with a pod, that is no migration
/// and not premigrate's.
fn is_chart_hook(ctx: &Context<'_>, plan: &Plan, i: usize) -> bool {
    k8s::has_pod_spec(ctx.kind(i))
        && !ctx.generated.contains(&i)
        && !plan
            .migrations
            .iter()
            .any(|m| m.origin == Origin::Job && m.doc == i)
        && ctx
            .value(i)
            .is_some_and(|v| annotation(v, engines::HELM_HOOK).is_some())
}

/// A hook's name, events and weight, as Helm orders it.
fn chart_hook(v: &Value) -> Facts {
    Facts {
        name: v
            .at(&["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        events: hook_events(v),
        weight: hook_weight(v).unwrap_or(0),
        ..Facts::default()
    }
}

/// `post-install,post-upgrade weight 9`.
fn said(f: &Facts) -> String {
    format!(
        "`{}` weight {}",
        f.events.as_deref().unwrap_or_default().join(","),
        f.weight
    )
}

/// The Jobs premigrate's own gates in a pod wait for (their marker's names).
fn gated_on(pod: &Value) -> Vec<&str> {
    pod.get("initContainers")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter(|c| chart_gates::is_gate(c))
        .flat_map(|c| c.get("env").map(Value::items).unwrap_or(&[]))
        .filter(|e| e.get("name").and_then(Value::as_str) == Some(WAIT_FOR_ENV))
        .filter_map(|e| e.get("value").and_then(Value::as_str))
        .flat_map(str::split_whitespace)
        .collect()
}
