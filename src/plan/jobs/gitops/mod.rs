//! The `gitops` target: the migration Job is a regular resource, ordered for
//! Flux, Argo CD (a wave before the workloads) and kapp (a change group), and
//! placed with what it uses just before the first workload; the contract step
//! of an expand/contract migration goes after the last one.

use crate::config::Target;
use crate::diag::codes;
use crate::k8s::engines::{self, own, Fill, Role};
use crate::plan::context::{
    annotation, annotation_path, fill, lower_wave, set_annotation, Context, Fills,
};
use crate::plan::jobs::facts::{job_annotation, JobEdits, JobFacts, Workloads};
use crate::plan::model::{Dependency, Move, Phase, Plan, END};
use crate::yaml::edit::Edit;
use crate::yaml::Value;

/// Plans the Job as a regular, ordered resource; returns its Argo CD wave.
pub(crate) fn plan(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    uses: &[Dependency],
    workloads: &Workloads,
    own_edits: &mut JobEdits,
    plan: &mut Plan,
) -> i64 {
    if job.events.is_some() {
        strip_hook(ctx.target, job, own_edits, plan);
    }
    let argo_hook = annotation(job.value, engines::ARGO_HOOK).is_some();
    // Under hooks too, once the Job stays a regular resource (PM105, PM106):
    // both regular forms carry the same Argo CD order.
    if job.new.is_none() && argo_hook {
        strip_argo_hook(ctx.target, job, own_edits, plan);
    }
    let wave = job_wave(ctx, job, workloads, plan);
    for row in engines::rows(Role::GitopsJob) {
        if job.phase == Phase::Post && row.fill == Fill::Group {
            continue;
        }
        let value = fill(row.fill, &Fills::wave(&job.original, wave));
        job_annotation(
            own_edits,
            job.value,
            row.key,
            &value,
            "orders the migration for Flux, Argo CD and kapp",
        );
    }
    match job.phase {
        Phase::Post => {
            contract(ctx, job, &workloads.docs, own_edits, plan);
            for dep in uses.iter().filter(|_| ctx.target == Target::Gitops) {
                order_hook_dependency(ctx, job, dep, wave, plan);
            }
        }
        Phase::Pre => {
            pre_from_hook(job, own_edits);
            for dep in uses {
                order_dependency(ctx, job, dep, wave, plan);
                if ctx.target == Target::Gitops {
                    order_hook_dependency(ctx, job, dep, wave, plan);
                }
                if ctx.target == Target::Hooks {
                    keep_hook_dependency(ctx, job, dep, plan);
                }
            }
            order_rbac(ctx, job, wave, plan);
            order_claims(ctx, job, wave, plan);
            data::order(ctx, job, workloads, own_edits, plan);
            data::follow(job, own_edits);
            move_ahead(ctx, job, uses, &workloads.docs, plan);
        }
    }
    wave
}

/// The Job's Argo CD wave: the pre migrations in order just below the apps' lowest
/// wave, the contract steps in order just above their highest. Clamped, never wrapped.
/// A migration that needs an app which waits for its own migration runs in
/// that app's wave: below it, Argo CD would wait for the Job before applying
/// the app the Job waits for.
fn job_wave(ctx: &Context<'_>, job: &JobFacts<'_>, workloads: &Workloads, plan: &mut Plan) -> i64 {
    let p = &job.place;
    let app_waves = (p.needs.iter())
        .filter(|(d, _)| plan.apps_needed.contains(d))
        .map(|(d, _)| {
            (ctx.value(*d))
                .and_then(crate::plan::context::argo_wave)
                .unwrap_or(0)
        });
    if let (Phase::Pre, Some(w)) = (job.phase, app_waves.max()) {
        return w;
    }
    let wave = match job.phase {
        Phase::Pre => workloads
            .min_wave
            .checked_sub((p.pre_count - p.rank) as i64),
        Phase::Post => workloads.max_wave.checked_add(1 + p.rank as i64),
    };
    wave.unwrap_or_else(|| {
        plan.note(codes::PM209, Some(job.doc), format!(
            "{}: the apps' Argo CD sync waves leave no room {} them; the Job's wave is clamped to the limit and Argo CD may not order it: give the apps waves nearer 0",
            ctx.object(job.doc),
            if job.phase == Phase::Pre { "below" } else { "above" }
        ));
        if job.phase == Phase::Pre { i64::MIN } else { i64::MAX }
    })
}

pub(crate) mod data;
pub(crate) mod stale;

/// Removes the chart's hook annotations: the Job is a regular resource, under
/// GitOps or because a hook would run too early (PM105, PM106).
fn strip_hook(target: Target, job: &JobFacts<'_>, own_edits: &mut JobEdits, plan: &mut Plan) {
    let (short, long) = match target {
        Target::Hooks => (
            "the Job stays a regular resource, replaced when its name changes",
            "it stays a regular resource (a hook would run too early), which Helm replaces when its name changes",
        ),
        _ => (
            "under GitOps the Job is a regular, pruned resource",
            "under GitOps the migration must be a regular resource that the engine prunes when its name changes",
        ),
    };
    remove_annotations(job, engines::HELM_HOOK_KEYS, short, own_edits);
    plan.note(
        codes::PM102,
        Some(job.doc),
        format!(
            "{}: removed the chart's helm.sh/hook annotations: {long}",
            job.object
        ),
    );
}

/// Removes the chart's Argo CD hook annotations: under Argo CD too the Job is a
/// regular resource ordered by its wave (a hook is never pruned, and a PreSync
/// or PostSync one runs apart from the objects it needs or the apps that wait).
fn strip_argo_hook(target: Target, job: &JobFacts<'_>, own_edits: &mut JobEdits, plan: &mut Plan) {
    let short = match target {
        Target::Hooks => {
            "the Job stays a regular resource, ordered by its Argo CD wave as under GitOps"
        }
        _ => "under GitOps the Job is a regular, pruned resource",
    };
    remove_annotations(job, engines::ARGO_HOOK_KEYS, short, own_edits);
    plan.note(
        codes::PM102,
        Some(job.doc),
        format!(
            "{}: removed the chart's argocd.argoproj.io/hook annotations: under Argo CD too the migration is a regular resource, ordered by its sync wave and pruned when its name changes",
            job.object
        ),
    );
}

/// Removes those of `keys` the Job carries, each with `why`.
fn remove_annotations(job: &JobFacts<'_>, keys: &[&str], why: &str, own_edits: &mut JobEdits) {
    for k in keys.iter().filter(|k| annotation(job.value, k).is_some()) {
        own_edits.push((
            Edit::Remove(annotation_path(k)),
            format!("removed {k}: {why}"),
        ));
    }
}

/// Orders a Helm hook the Job uses no later than the Job when the hook is an
/// Argo CD `Sync` hook too (or a `post-*` one the Job waits for, made one):
/// Argo CD then ignores its Helm hook and applies it in the Sync phase, by its
/// wave, like any other object.
fn order_hook_dependency(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    dep: &Dependency,
    wave: i64,
    plan: &mut Plan,
) {
    let Some(def) = dep.hook.filter(|_| dep.doc.is_none()) else {
        return;
    };
    let Some(dv) = ctx.value(def) else { return };
    let sync = crate::plan::graph::deadlock::ArgoHook::Phase(1);
    let argo =
        annotation(dv, engines::ARGO_HOOK).map(crate::plan::graph::deadlock::ArgoHook::parse);
    // A `post-*` Helm hook (no Argo CD hook of its own) is a PostSync hook to
    // Argo CD, made after every wave, the Job's too, which would wait for it
    // for ever (SpiceDB's cleanup ServiceAccount; a contract step's Secret):
    // it becomes a Sync hook, which Argo CD applies by its wave.
    // One the Job reads `optional: true` it does not wait for (OpenReplay's
    // version ConfigMap, which holds the release before: it must stay after).
    let post = crate::plan::jobs::find::hook_events(dv)
        .is_some_and(|ev| ev.iter().all(|e| e.starts_with("post-")))
        && crate::plan::graph::model::waits_for_object(job.pod, dep.kind.kind(), &dep.name);
    if argo.is_none() && post {
        let why = "the migration uses it: Argo CD would make this post-* Helm hook a PostSync hook, after the Job's wave; as a Sync hook (Argo CD then ignores its Helm hook) it is applied in the Job's wave";
        set_annotation(plan, dv, def, engines::ARGO_HOOK, "Sync", why);
    } else if argo != Some(sync) {
        return;
    }
    let why = "the migration uses it, and it is an Argo CD Sync hook (Argo CD ignores its Helm hook): it must exist before the Job";
    lower_wave(plan, dv, def, wave, why);
}

/// Keeps a chart hook the regular Job uses after the hooks ran: Helm deletes a
/// `hook-succeeded` hook once every hook of its event succeeded, before it
/// creates the regular objects, and the Job's pod would never start (Nautobot's
/// `nautobot-env-init` when its init Job needs the bundled database). The hook
/// is still deleted before it is made again (`before-hook-creation`).
fn keep_hook_dependency(ctx: &Context<'_>, job: &JobFacts<'_>, dep: &Dependency, plan: &mut Plan) {
    // The hook that defines it (not a hook Job that creates it at run time).
    let defines = |h: &usize| ctx.kind(*h) == dep.kind.kind();
    let Some(def) = dep.hook.filter(|h| dep.doc.is_none() && defines(h)) else {
        return;
    };
    let Some(dv) = ctx.value(def) else { return };
    let Some(policy) = annotation(dv, engines::HELM_HOOK_DELETE) else {
        return;
    };
    let kept: Vec<&str> = (policy.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty() && *p != "hook-succeeded")
        .collect();
    if kept.len() == policy.split(',').filter(|p| !p.trim().is_empty()).count() {
        return;
    }
    let kept = if kept.is_empty() {
        "before-hook-creation".to_string()
    } else {
        kept.join(",")
    };
    let why = format!(
        "{} stays a regular resource and uses it after the hooks: Helm would delete it once the hooks succeeded",
        job.object
    );
    set_annotation(plan, dv, def, engines::HELM_HOOK_DELETE, &kept, &why);
}

/// A chart's pre hook whose name says a data migration (Mender's
/// `db-data-migration`) is pre because of the hook gitops removes: recorded,
/// or a rerun would read its name and make it the contract step.
fn pre_from_hook(job: &JobFacts<'_>, own_edits: &mut JobEdits) {
    if job.events.is_some()
        && job.new.is_none()
        && crate::plan::graph::order::says_data_migration(&job.original)
    {
        job_annotation(
            own_edits,
            job.value,
            own::PHASE,
            "pre",
            "records that the chart's pre hook, which gitops removes, put it before the apps (a rerun would read its name as a data migration's)",
        );
    }
}

/// The contract step: recorded as such, and moved after the last workload.
fn contract(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    workloads: &[usize],
    own_edits: &mut JobEdits,
    plan: &mut Plan,
) {
    job_annotation(
        own_edits,
        job.value,
        own::PHASE,
        "post",
        "records the contract phase, so that a rerun finds it whatever it was read from (a chart hook annotation gitops removes)",
    );
    if let Some(&last) = workloads.last() {
        if job.new.is_none() && job.doc < last {
            plan.moves.push(Move {
                doc: job.doc,
                before: END,
                why: format!(
                    "{} is the contract step: it runs after {}",
                    ctx.object(job.doc),
                    ctx.object(last)
                ),
            });
        }
    }
}

/// Orders something the Job uses no later than the Job.
fn order_dependency(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    dep: &Dependency,
    wave: i64,
    plan: &mut Plan,
) {
    let Some(def) = dep.doc else { return };
    let dv = ctx.value(def).expect("definitions are parsed");
    let why = "the migration uses it: it must exist before the Job";
    order_before(job, (def, dv), wave, why, plan);
}

/// Orders the RBAC of the Job's ServiceAccount no later than the Job: the
/// chart's RoleBindings (and ClusterRoleBindings) that bind it, and the roles
/// they grant. A pod that calls the API (Lago's migration waits for its
/// database pods with `kubectl wait`) is refused until they exist, and Argo CD
/// would apply them in a wave after the Job's.
fn order_rbac(ctx: &Context<'_>, job: &JobFacts<'_>, wave: i64, plan: &mut Plan) {
    let sa = crate::k8s::service_account(job.pod);
    let why = format!(
        "it binds ServiceAccount {sa}, which the migration runs as: it must exist before the Job"
    );
    let peek = |d: usize| crate::plan::graph::roles::peek(ctx.index, d);
    let rbac = crate::plan::graph::uses::rbac_of(ctx.index, &sa, &job.ns);
    for (b, role) in rbac.into_iter().filter(|(b, _)| !ctx.generated.contains(b)) {
        for d in std::iter::once(b).chain(role) {
            if let Some(v) = peek(d) {
                order_before(job, (d, &v), wave, &why, plan);
            }
        }
    }
}

/// Puts the claims of the release the Job mounts in its wave, not below: a
/// claim whose storage class binds on first use stays Pending, and so not
/// healthy to Argo CD, until a pod of its wave uses it (OpenProject's seeder).
fn order_claims(ctx: &Context<'_>, job: &JobFacts<'_>, wave: i64, plan: &mut Plan) {
    let why = "the migration mounts it: a pod is not scheduled before its claims exist";
    for c in crate::plan::jobs::order::claims_of_release(ctx, job.doc, job.pod) {
        if let Some(v) = crate::plan::graph::roles::peek(ctx.index, c) {
            lower_wave(plan, &v, c, wave, why);
        }
    }
}

/// Puts document `def` (its value `dv`) in the Job's wave or below, and in its kapp group.
fn order_before(
    job: &JobFacts<'_>,
    (def, dv): (usize, &Value),
    wave: i64,
    why: &str,
    plan: &mut Plan,
) {
    for row in engines::rows(Role::GitopsDependency) {
        let value = fill(row.fill, &Fills::wave(&job.original, wave));
        match row.fill {
            Fill::JobWave => lower_wave(plan, dv, def, wave, why),
            // One kapp change group per migration (suffixed keys): a ConfigMap two
            // migrations use is in both groups, and a chart's own group stays.
            Fill::Group => {
                let key = engines::per_migration_key(row.key, &job.original);
                set_annotation(plan, dv, def, &key, &value, why);
            }
            _ if annotation(dv, row.key).is_none() => {
                set_annotation(plan, dv, def, row.key, &value, why)
            }
            _ => {}
        }
    }
}

/// The Job and what it uses go just before the first workload.
fn move_ahead(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    uses: &[Dependency],
    workloads: &[usize],
    plan: &mut Plan,
) {
    let Some(&first) = workloads.first() else {
        return;
    };
    let mut movers: Vec<usize> = uses.iter().filter_map(|d| d.doc).collect();
    movers.sort();
    movers.dedup();
    if job.new.is_none() {
        movers.push(job.doc);
    }
    for m in movers {
        if m > first {
            plan.moves.push(Move {
                doc: m,
                before: first,
                why: format!(
                    "{} must be applied before {}",
                    ctx.object(m),
                    ctx.object(first)
                ),
            });
        }
    }
}
