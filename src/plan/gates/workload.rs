//! Gating one workload: its gate containers, token volume and kapp rules, as
//! wanted now — an earlier run's gates, token and rules go when no longer wanted.

use crate::config::{GateStyle, Target};
use crate::diag::codes;
use crate::diag::Error;
use crate::k8s;
use crate::k8s::engines::{self, Role};
use crate::plan::context::{fill, set_annotation, Context, Fills};
use crate::plan::gates::container::{container_name, gate_container, GATE_NAME};
use crate::plan::gates::init::plan_init;
use crate::plan::gates::rbac::Bindings;
use crate::plan::gates::token::{mounts_no_token, plan_token};
use crate::plan::model::{Gate, Migration, Plan};
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

/// What kind of object is gated.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Gated<'a> {
    /// A migration that waits for others.
    pub follower: bool,
    /// A contract step: the apps (`Kind/name`) whose rollout it waits for.
    pub rollout: &'a [String],
}

/// Gates workload `w` on the migrations `waits` lists (none: not gated, or no longer).
pub(crate) fn gate(
    ctx: &Context<'_>,
    plan: &mut Plan,
    w: usize,
    waits: Option<&Vec<(usize, String)>>,
    migrations: &[Migration],
    bindings: &mut Bindings,
    gated: Gated<'_>,
) -> Result<(), Error> {
    let follower = gated.follower;
    let v = ctx.value(w).expect("workloads are parsed");
    // A migration that waits for another cannot run a pending-migrations check:
    // it waits for the Job itself.
    let style = match follower {
        true => crate::plan::gates::follower::style(ctx),
        false => ctx.cfg.gate_style,
    };
    let pod_path = k8s::pod_spec_path(ctx.kind(w)).expect("a workload");
    // A workload without a pod spec (e.g. a bare Pod with no spec) has nothing to gate.
    let Some(pod) = k8s::at(v, &pod_path) else {
        return Ok(());
    };
    let none = Vec::new();
    let rollout = match is_windows(pod) {
        true => &[][..],
        false => gated.rollout,
    };
    // A contract step that waits for no Job still waits for the rollout.
    let waits = waits.or((!rollout.is_empty()).then_some(&none));
    let waits = unless_windows(ctx, plan, w, pod, waits, migrations);
    let Some(list) = waits else {
        // Not gated (any more): drop what an earlier run added.
        plan_init(plan, w, &pod_path, pod, &[], &[]);
        plan_token(plan, w, &pod_path, pod, false);
        if !follower {
            drop_own_rules(plan, w, v, &[]);
        }
        return Ok(());
    };
    let no_token = mounts_no_token(ctx, v, pod);
    let mut gates = job_gates(
        ctx,
        (w, pod),
        (list, migrations),
        (style, no_token),
        bindings,
    )?;
    let jobs: Vec<String> = list
        .iter()
        .map(|(k, _)| migrations[*k].name.clone())
        .collect();
    gates.extend(
        rollout
            .iter()
            .map(|o| crate::plan::gates::rollout::container(ctx, o, no_token)),
    );
    let names: Vec<&str> = jobs.iter().chain(rollout).map(String::as_str).collect();
    plan_init(plan, w, &pod_path, pod, &gates, &names);
    plan_token(
        plan,
        w,
        &pod_path,
        pod,
        no_token && (style != GateStyle::Check || !rollout.is_empty()),
    );
    if !follower {
        // A migration's own kapp rules come from the Job passes.
        let wanted = kapp_rules(plan, w, v, list, migrations);
        drop_own_rules(plan, w, v, &wanted);
        drop_deadline(ctx, plan, w, v);
    }
    record(ctx, plan, w, (list, rollout), migrations, jobs, follower);
    Ok(())
}

/// A chart Job (or a CronJob's Jobs) premigrate gates loses its
/// `activeDeadlineSeconds` (PM006): the deadline counts from the Job's start,
/// the gate's wait included (KoboToolbox's 60 s superuser Job waited for a
/// migration of up to 600 s, failed, and the admin user was never made).
fn drop_deadline(ctx: &Context<'_>, plan: &mut Plan, w: usize, v: &Value) {
    let at: &[&str] = match ctx.kind(w) {
        "Job" => &["spec", "activeDeadlineSeconds"],
        "CronJob" => &["spec", "jobTemplate", "spec", "activeDeadlineSeconds"],
        _ => return,
    };
    let Some(d) = v.at(at) else { return };
    let path: Vec<Seg> = at.iter().map(|k| Seg::Key(k.to_string())).collect();
    let why = format!(
        "removed {}: the gate's wait counts toward the deadline",
        at.join(".")
    );
    plan.change(w, Edit::Remove(path), why);
    plan.note(codes::PM006, Some(w), format!(
        "{}: removed {} ({}): it counts from the Job's start, and its pod now waits in a gate for the migration first; a wait that spent it failed the Job",
        ctx.object(w),
        at.join("."),
        crate::yaml::value::scalar_text(d)
    ));
}

/// The gates that wait for the Jobs of `list`, each Job's RBAC subject noted.
fn job_gates(
    ctx: &Context<'_>,
    (w, pod): (usize, &Value),
    (list, migrations): (&[(usize, String)], &[Migration]),
    (style, no_token): (GateStyle, bool),
    bindings: &mut Bindings,
) -> Result<Vec<Value>, Error> {
    let several = list.len() > 1;
    let mut gates = Vec::new();
    for (k, _) in list {
        let m = &migrations[*k];
        let name = if several {
            container_name(&m.original_name)
        } else {
            GATE_NAME.to_string()
        };
        gates.push(gate_container(ctx, style, &name, m, pod, no_token)?);
        if style != GateStyle::Check {
            bindings
                .entry(*k)
                .or_default()
                .push((w, k8s::service_account(pod)));
        }
    }
    Ok(gates)
}

/// `waits`, or none for a Windows pod: every gate premigrate writes is a Linux
/// container (the wait images are Linux images; the check runs `sh` with
/// Linux-only security fields), so such a pod is not gated, and PM603 says why.
fn unless_windows<'w>(
    ctx: &Context<'_>,
    plan: &mut Plan,
    w: usize,
    pod: &Value,
    waits: Option<&'w Vec<(usize, String)>>,
    migrations: &[Migration],
) -> Option<&'w Vec<(usize, String)>> {
    let list = waits?;
    if !is_windows(pod) {
        return Some(list);
    }
    let jobs: Vec<&str> = list
        .iter()
        .map(|(k, _)| migrations[*k].name.as_str())
        .collect();
    plan.note(codes::PM603, Some(w), format!(
        "{}: a Windows pod (spec.os.name: windows) is not gated: premigrate's gates are Linux containers; it may start before Job {} completes: order it with the engine (Argo CD sync waves, kapp change rules, Flux dependsOn) or make the app wait for its migrations itself",
        ctx.object(w), jobs.join(", ")
    ));
    None
}

/// Whether a pod spec runs on Windows nodes (`spec.os.name: windows`).
pub(crate) fn is_windows(pod: &Value) -> bool {
    pod.at(&["os", "name"])
        .and_then(Value::as_str)
        .is_some_and(|os| os.eq_ignore_ascii_case("windows"))
}

/// One kapp rule per migration waited for, each under its own suffixed key; returns the keys.
fn kapp_rules(
    plan: &mut Plan,
    w: usize,
    v: &Value,
    list: &[(usize, String)],
    migrations: &[Migration],
) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    // Helm hooks are ordered by Helm; kapp rules are for regular resources.
    if list.iter().all(|(k, _)| migrations[*k].hook) {
        return wanted;
    }
    for (k, _) in list {
        let original = &migrations[*k].original_name;
        for row in engines::rows(Role::GitopsWorkload) {
            let key = engines::per_migration_key(row.key, original);
            let value = fill(row.fill, &Fills::migration(original));
            set_annotation(
                plan,
                v,
                w,
                &key,
                &value,
                "kapp applies it after the migration",
            );
            wanted.push(key);
        }
    }
    wanted
}

/// Records the gate, warning when the workload's pod spec is immutable.
fn record(
    ctx: &Context<'_>,
    plan: &mut Plan,
    w: usize,
    (list, rollout): (&[(usize, String)], &[String]),
    migrations: &[Migration],
    jobs: Vec<String>,
    follower: bool,
) {
    let several = list.len() > 1;
    // With several Jobs, each reason says which Job it is for.
    let mut why = list
        .iter()
        .map(|(k, why)| match several {
            true => format!("{}: {why}", migrations[*k].original_name),
            false => why.clone(),
        })
        .collect::<Vec<_>>();
    if !rollout.is_empty() {
        why.push(format!(
            "the contract step runs once {} rolled out (kubectl and Flux apply everything at once)",
            rollout.join(", ")
        ));
    }
    let why = why.join("; ");
    // A migration that follows another is renamed when that one changes: recreated.
    // So is a chart hook under Helm (it deletes a hook before creating it again).
    let hook = is_hook(ctx, w);
    let recreated = follower || (ctx.target == Target::Hooks && hook);
    // A Job whose name carries its render time is a new Job on every render
    // (ERPNext's `…-conf-bench-20260101120000`): nothing to apply over.
    let name = ctx.index.entries[w].info.name.as_deref().unwrap_or("");
    // Not a hash of the chart's values: the same values with a new
    // migration keep the name, and the gate in its pod spec changes.
    let renamed = crate::plan::jobs::hash::render_stamp(name).is_some()
        && crate::plan::jobs::hash::values_hash_suffix(name).is_none();
    let immutable = crate::k8s::kinds::immutable_pod(ctx.kind(w)) && !renamed;
    if immutable && !follower && ctx.target == Target::Gitops {
        // Flux, Argo CD and kapp replace it when its gate changes (Helm recreates
        // a chart hook on every release anyway).
        replace_on_change(ctx, plan, w, hook);
        if !hook {
            plan.note(codes::PM207, Some(w), format!(
                "{}: its pod spec cannot be changed once created, and its gate changes with every new migration: Flux, Argo CD and kapp now recreate it when it changes, but Helm 3 and kubectl apply fail as immutable unless its name changes per release (e.g. with .Release.Revision), or mark it premigrate.io/gate: \"false\"",
                ctx.object(w)
            ));
        }
    } else if immutable && !recreated {
        plan.note(codes::PM207, Some(w), format!(
            "{}: its pod spec cannot be changed once created, and its gate changes with every new migration: applying it then fails as immutable unless it is recreated (a name that changes per release, kustomize.toolkit.fluxcd.io/force: Enabled, Argo CD Replace=true), or mark it premigrate.io/gate: \"false\"",
            ctx.object(w)
        ));
    }
    plan.gates.push(Gate {
        doc: w,
        workload: ctx.object(w),
        jobs,
        why,
    });
}

/// Removes workload annotations an earlier run wrote that no longer apply: a kapp
/// rule (suffixed, or unsuffixed as older runs wrote it) after a migration group
/// this workload does not wait for now. `keep` are the keys this run writes.
fn drop_own_rules(plan: &mut Plan, w: usize, v: &Value, keep: &[String]) {
    let annotations = v
        .at(&["metadata", "annotations"])
        .map(Value::entries)
        .unwrap_or(&[]);
    for row in engines::rows(Role::GitopsWorkload) {
        let ours = fill(row.fill, &Fills::migration(""));
        for (key, val) in annotations {
            let same_row = key == row.key || key.starts_with(&format!("{}.", row.key));
            if same_row
                && !keep.iter().any(|k| k == key)
                && val.as_str().is_some_and(|a| a.starts_with(&ours))
            {
                plan.change(
                    w,
                    Edit::Remove(
                        ["metadata", "annotations", key.as_str()]
                            .map(|k| Seg::Key(k.into()))
                            .to_vec(),
                    ),
                    format!("removed annotation {key}: written by an earlier run, the workload no longer waits for that migration"),
                );
            }
        }
    }
}

/// Marks gated chart hook `w` for replacement when its pod spec changes.
fn replace_on_change(ctx: &Context<'_>, plan: &mut Plan, w: usize, hook: bool) {
    let v = ctx.value(w).expect("workloads are parsed");
    let (role, why) = match hook {
        true => (Role::GitopsRecreatedHook, "a chart hook, recreated by Helm on every release: replaced when its gate changes, not refused as immutable"),
        false => (Role::GitopsRecreatedJob, "its pod spec is immutable: replaced when its gate changes, not refused as immutable"),
    };
    for row in engines::rows(role) {
        let mut value = fill(row.fill, &Fills::migration(""));
        if row.key == engines::ARGO_SYNC_OPTIONS {
            match merged_options(crate::plan::context::annotation(v, row.key), &value) {
                Some(all) => value = all,
                None => continue,
            }
        }
        set_annotation(plan, v, w, row.key, &value, why);
    }
}

/// A comma-separated option list with `wanted`'s options added (`None`: it has them all).
fn merged_options(current: Option<&str>, wanted: &str) -> Option<String> {
    let mut all: Vec<&str> = current
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .collect();
    let missing: Vec<&str> = wanted.split(',').filter(|o| !all.contains(o)).collect();
    if missing.is_empty() {
        return None;
    }
    all.extend(missing);
    Some(all.join(","))
}

/// Whether a document is a Helm hook.
fn is_hook(ctx: &Context<'_>, w: usize) -> bool {
    ctx.value(w)
        .is_some_and(|v| crate::plan::context::annotation(v, engines::HELM_HOOK).is_some())
}
