//! Gates between migrations: under kubectl and Flux everything is applied at
//! once, so a migration that runs after another waits for its Job with a gate of
//! its own (a Job-waiting gate: a pending-migrations check would wait for itself).
//! A Job of the stream is gated like a workload; a Job premigrate builds gets the
//! gate in its text. A chart gate that already names the earlier Job is kept.

use crate::config::GateStyle;
use crate::diag::Error;
use crate::k8s;
use crate::plan::context::Context;
use crate::plan::gates::container::{container_name, gate_container, GATE_NAME};
use crate::plan::gates::init::plan_init;
use crate::plan::gates::rbac::{Bindings, FOLLOWER};
use crate::plan::gates::select::{migration_ns, names_migration, Waits};
use crate::plan::gates::token::{mounts_no_token, plan_token};
use crate::plan::graph::chart_gates;
use crate::plan::model::{Migration, Origin, Phase, Plan};
use crate::yaml::edit::{self, Seg};
use crate::yaml::tree::Tree;
use crate::yaml::Value;

/// The style of a gate between migrations: a pending-migrations check would wait
/// for the migration itself, so `check` becomes `kubectl wait`.
pub(crate) fn style(ctx: &Context<'_>) -> GateStyle {
    match ctx.cfg.gate_style {
        GateStyle::Check => GateStyle::Kubectl,
        s => s,
    }
}

/// The migrations (indices into `migrations`) that `m` waits for with a gate.
fn predecessors(pod: &Value, m: &Migration, migrations: &[Migration]) -> Vec<usize> {
    let named = chart_gates::find(pod);
    m.after
        .iter()
        .filter_map(|a| {
            migrations
                .iter()
                .position(|p| &p.original_name == a && !p.hook)
        })
        .filter(|&k| {
            !named.iter().any(|g| {
                g.jobs
                    .iter()
                    .any(|j| names_migration(&j.name, &migrations[k]))
            })
        })
        .collect()
}

/// Stream Jobs of regular migrations: their documents (visited like workloads, so an
/// earlier run's gate goes when no longer wanted), with the gates they want in `waits`.
pub(crate) fn stream_jobs(
    ctx: &Context<'_>,
    migrations: &[Migration],
    waits: &mut Waits,
) -> Vec<usize> {
    visit(ctx, migrations.iter(), |m, pod| {
        for k in predecessors(pod, m, migrations) {
            let why = format!("the migration runs after {}", migrations[k].original_name);
            waits.entry(m.doc).or_default().push((k, why));
        }
    })
}

/// Stream Jobs of regular contract steps, each waiting with a gate for every
/// regular pre migration of its namespace (indices into `pre`). Applied at once
/// (kubectl, Flux), a contract step would otherwise run on a schema not yet
/// migrated: Kong's `migrations finish` fails on a fresh database. Argo CD's
/// waves and kapp's rules order it already; its gate then passes at once.
pub(crate) fn contract_steps(
    ctx: &Context<'_>,
    all: &[Migration],
    pre: &[Migration],
    waits: &mut Waits,
) -> Vec<usize> {
    let post = all.iter().filter(|m| m.phase == Phase::Post);
    visit(ctx, post, |m, pod| {
        let named = chart_gates::find(pod);
        for (k, p) in pre.iter().enumerate() {
            let own_namespace = !p.hook && migration_ns(ctx, p) == migration_ns(ctx, m);
            let chart_waits = named
                .iter()
                .any(|g| g.jobs.iter().any(|j| names_migration(&j.name, p)));
            if own_namespace && !chart_waits {
                let why = format!("the contract step runs after {}", p.original_name);
                waits.entry(m.doc).or_default().push((k, why));
            }
        }
    })
}

/// The documents of the regular migrations (and post hooks) of the stream among `ms`, each
/// with its pod spec handed to `want`.
fn visit<'m>(
    ctx: &Context<'_>,
    ms: impl Iterator<Item = &'m Migration>,
    mut want: impl FnMut(&'m Migration, &Value),
) -> Vec<usize> {
    let mut docs = Vec::new();
    // A post hook too: Helm runs it once the regular resources are applied, not
    // once the regular migrations before it are done.
    for m in ms.filter(|m| m.origin == Origin::Job && (!m.hook || m.phase == Phase::Post)) {
        docs.push(m.doc);
        if let Some(pod) = ctx.value(m.doc).and_then(|v| v.at(k8s::POD_TEMPLATE_SPEC)) {
            want(m, pod);
        }
    }
    docs
}

/// Jobs premigrate builds that follow another migration: the gate goes into their text.
pub(crate) fn new_jobs(
    ctx: &Context<'_>,
    plan: &mut Plan,
    migrations: &[Migration],
    bindings: &mut Bindings,
) -> Result<(), Error> {
    for m in migrations
        .iter()
        .filter(|m| m.origin != Origin::Job && !m.hook)
    {
        let object = format!("Job/{}", m.name);
        let Some(a) = plan.added.iter().position(|a| a.object == object) else {
            continue;
        };
        let text = plan.added[a].text.clone();
        let Ok(tree) = Tree::parse(&text) else {
            continue;
        };
        let Some(root) = tree.root else { continue };
        let Ok(v) = tree.value(root) else { continue };
        let Some(pod) = v.at(k8s::POD_TEMPLATE_SPEC) else {
            continue;
        };
        let ks = predecessors(pod, m, migrations);
        if ks.is_empty() {
            continue;
        }
        // A pod without the account token (copied from its workload) gets one for
        // the gate only, as a gated Job of the stream does on a rerun.
        let no_token = mounts_no_token(ctx, &v, pod) && style(ctx) != GateStyle::Check;
        let several = ks.len() > 1;
        let mut gates = Vec::new();
        for &k in &ks {
            let p = &migrations[k];
            let name = if several {
                container_name(&p.original_name)
            } else {
                GATE_NAME.to_string()
            };
            gates.push(gate_container(ctx, style(ctx), &name, p, pod, no_token)?);
            bindings
                .entry(k)
                .or_default()
                .push((FOLLOWER, k8s::service_account(pod)));
        }
        let names: Vec<&str> = ks.iter().map(|&k| migrations[k].name.as_str()).collect();
        let mut scratch = Plan::default();
        let pod_path: Vec<Seg> = k8s::POD_TEMPLATE_SPEC
            .iter()
            .map(|s| Seg::Key(s.to_string()))
            .collect();
        plan_init(&mut scratch, 0, &pod_path, pod, &gates, &names);
        plan_token(&mut scratch, 0, &pod_path, pod, no_token);
        let edits: Vec<_> = scratch
            .changes
            .remove(&0)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.edit)
            .collect();
        let new = edit::apply(&text, &tree, &edits).map_err(|e| {
            Error::at(
                ctx.index.location(m.doc),
                format!(
                    "cannot gate Job {} on the migrations before it: {}",
                    m.name, e.message
                ),
            )
        })?;
        plan.added[a].text = new;
    }
    Ok(())
}
