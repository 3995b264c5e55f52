//! Wait gates: under `gitops`, workloads that use the migrated database get a
//! first init container (after the pod's leading native sidecars) that waits for
//! the hashed Job, with least-privilege RBAC. A rerun over the output moves gates
//! to changed Jobs and removes those no longer wanted. Passes: `select` (who
//! waits for what), `follower` (migrations after others), `later` (chart hooks
//! Helm ran after a migration hook), `workload` (with `container`, `init`,
//! `token`), `rbac`.

pub(crate) mod chart;
pub(crate) mod claims;
pub(crate) mod container;
pub(crate) mod egress;
pub(crate) mod follower;
pub(crate) mod init;
pub(crate) mod later;
mod owner;
pub(crate) mod rbac;
pub(crate) mod rollout;
pub(crate) mod select;
pub(crate) mod token;
pub(crate) mod workload;

use crate::config::GateMode;
use crate::diag::codes;
use crate::diag::Error;
use crate::k8s;
use crate::k8s::engines;
use crate::plan::context::{annotation, Context};
use crate::plan::model::{Migration, Origin, Phase, Plan};

/// Plans gates and their RBAC.
pub(crate) fn plan(ctx: &Context<'_>, plan: &mut Plan) -> Result<(), Error> {
    chart::follow(ctx, plan);
    let gating = gating(ctx, plan);
    let explicit = ctx.cfg.gate != GateMode::Auto;
    // Helm waits for hook Jobs: only migrations that stay regular resources get gates
    // (hooks too when gates are asked for explicitly).
    let migrations: Vec<Migration> = plan
        .migrations
        .iter()
        .filter(|m| m.phase == Phase::Pre && (!m.hook || explicit))
        .cloned()
        .collect();
    let workloads = workloads(ctx, plan);
    let mut waits = if gating {
        select::waits(ctx, plan, &workloads, &migrations)
    } else {
        select::Waits::new()
    };
    select::check_names(ctx, plan, &workloads, &migrations, gating);
    let mut follows = select::Waits::new();
    let mut followers = follower::stream_jobs(ctx, &migrations, &mut follows);
    followers.extend(follower::contract_steps(
        ctx,
        &plan.migrations,
        &migrations,
        &mut follows,
    ));
    let (hooks, after) = later::hooks(ctx, plan, &migrations);
    if gating {
        waits.extend(follows);
        waits.extend(after);
    }
    let rollouts = match gating {
        true => rollouts(ctx, plan),
        false => Default::default(),
    };
    let mut bindings = rbac::Bindings::new();
    for &w in workloads.iter().chain(&followers).chain(&hooks) {
        let gated = workload::Gated {
            follower: followers.contains(&w),
            rollout: rollouts.get(&w).map_or(&[][..], |r| &r.1),
        };
        workload::gate(
            ctx,
            plan,
            w,
            waits.get(&w),
            &migrations,
            &mut bindings,
            gated,
        )?;
    }
    for (&doc, (k, objects)) in &rollouts {
        let m = plan.migrations[*k].clone();
        let sa = ctx
            .value(doc)
            .and_then(|v| v.at(k8s::POD_TEMPLATE_SPEC))
            .map(k8s::service_account)
            .unwrap_or_default();
        rollout::rbac(ctx, plan, &m, (objects, &sa), doc);
    }
    if gating {
        follower::new_jobs(ctx, plan, &migrations, &mut bindings)?;
    }
    // Gates that read the API server: a NetworkPolicy may keep them from it.
    egress::check(ctx, plan, &rbac::gated(&bindings));
    // RBAC: one Role and one RoleBinding per migration.
    for (k, subjects) in bindings {
        rbac::add(
            ctx,
            plan,
            &migrations[k],
            &subjects,
            workloads.first().copied(),
        );
    }
    Ok(())
}

/// Per contract step of the stream (its document): its index in the plan's
/// migrations and the apps (`Kind/name`) whose rollout it waits for.
fn rollouts(
    ctx: &Context<'_>,
    plan: &Plan,
) -> std::collections::BTreeMap<usize, (usize, Vec<String>)> {
    plan.migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| m.phase == Phase::Post && m.origin == Origin::Job && !m.hook)
        .filter(|(_, m)| {
            ctx.value(m.doc)
                .and_then(|v| v.at(k8s::POD_TEMPLATE_SPEC))
                .is_some_and(|pod| !workload::is_windows(pod))
        })
        .filter_map(|(k, m)| {
            let ns = select::migration_ns(ctx, m);
            let apps = rollout::targets(ctx, &plan.data_services, (m.doc, &ns, &m.original_name));
            (!apps.is_empty()).then(|| (m.doc, (k, rollout::names(ctx, &apps))))
        })
        .collect()
}

/// Whether gates are wanted. Without gating, workloads are still visited: gates
/// left by an earlier run go.
fn gating(ctx: &Context<'_>, plan: &mut Plan) -> bool {
    let explicit = ctx.cfg.gate != GateMode::Auto;
    let gating = ctx.cfg.gate != GateMode::None;
    if explicit && gating && plan.migrations.iter().any(|m| m.hook) {
        plan.note(codes::PM201, None, if ctx.cfg.hooks_gates_wait() {
            "gates were asked for with --target hooks: Helm already waits for hook Jobs; the Job's delete policy is before-hook-creation only, so it outlives its success and the gates can see it complete"
        } else {
            "gates were asked for with --target hooks: Helm already waits for hook Jobs"
        });
    }
    gating
}

/// The workloads that may be gated. A Job premigrate built derives from a
/// workload, which stays a workload.
fn workloads(ctx: &Context<'_>, plan: &Plan) -> Vec<usize> {
    let mig_docs: Vec<usize> = plan
        .migrations
        .iter()
        .filter(|m| m.origin == Origin::Job)
        .map(|m| m.doc)
        .collect();
    (0..ctx.index.entries.len())
        .filter(|&i| {
            k8s::has_pod_spec(ctx.kind(i)) && !mig_docs.contains(&i) && !ctx.generated.contains(&i)
        })
        .filter(|&i| {
            ctx.value(i)
                .is_some_and(|v| annotation(v, engines::HELM_HOOK).is_none())
        })
        .collect()
}
