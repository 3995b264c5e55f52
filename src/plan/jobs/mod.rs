//! Migration Jobs: finding them, naming them by content, hardening them, and
//! ordering them for the target (Helm hooks, or a force-recreated GitOps Job).
//! Each Job goes through small passes over its facts: `identity` (hardening,
//! hash, name, dependencies), then `hooks` or `gitops`, then `record`.

pub(crate) mod facts;
pub(crate) mod find;
pub(crate) mod gitops;
pub(crate) mod hash;
pub(crate) mod hooks;
pub(crate) mod identity;
pub(crate) mod record;

use crate::config::Target;
use crate::diag::codes;
use crate::diag::Error;
use crate::plan::context::Context;
use crate::plan::jobs::facts::{JobFacts, Subject, Workloads};
use crate::plan::jobs::record::Decided;
use crate::plan::model::Plan;
use crate::plan::sources::derive::NewJob;
use crate::plan::sources::{extract, generate};
use crate::yaml::Value;

/// Finds and plans every migration Job.
pub(crate) fn plan(ctx: &Context<'_>, plan: &mut Plan) -> Result<(), Error> {
    let found = find::jobs(ctx);
    let workloads = find::workloads(ctx, &found);
    for &g in &ctx.generated {
        plan.removed.push(g);
    }
    for (i, matched, events) in found {
        let v = ctx.value(i).expect("Jobs are parsed");
        let subject = Subject {
            doc: i,
            value: v,
            name: ctx.index.entries[i].info.name.clone().unwrap_or_default(),
            new: None,
        };
        plan_job(ctx, plan, subject, matched, events, &workloads)?;
    }
    // Jobs premigrate builds: extracted from init containers, generated from workloads.
    let mut new_jobs = extract::find(ctx, &workloads.docs, plan)?;
    new_jobs.extend(generate::find(ctx, &workloads.docs)?);
    for nj in &new_jobs {
        plan_new_job(ctx, plan, nj, &workloads)?;
    }
    check_unique(ctx, plan)
}

/// Plans a Job premigrate builds, and takes it out of the workloads that carried it.
fn plan_new_job(
    ctx: &Context<'_>,
    plan: &mut Plan,
    nj: &NewJob,
    workloads: &Workloads,
) -> Result<(), Error> {
    let subject = Subject {
        doc: nj.from,
        value: &nj.job.value,
        name: nj
            .job
            .value
            .at(&["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        new: Some(nj),
    };
    let name = plan_job(ctx, plan, subject, nj.matched.clone(), None, workloads)?;
    extract::remove_from_carriers(plan, nj, &name);
    if !nj.job.dropped.is_empty() {
        plan.note(codes::PM301, Some(nj.from), format!(
            "Job/{name} (generated from {}): left out container(s) {}: a sidecar in a Job keeps it from ever completing (native sidecars, initContainers with restartPolicy: Always, are kept)",
            ctx.object(nj.from),
            nj.job.dropped.join(", ")
        ));
    }
    if !nj.job.dropped_mounts.is_empty() {
        plan.note(codes::PM302, Some(nj.from), format!(
            "Job/{name} (from {}): left out volume mount(s) {}: the volume comes from the StatefulSet's volumeClaimTemplates, which a Job cannot mount; the migration must not need it",
            ctx.object(nj.from),
            nj.job.dropped_mounts.join(", ")
        ));
    }
    Ok(())
}

/// Two migrations under one hashed name would be one object: the second overwrites the first.
fn check_unique(ctx: &Context<'_>, plan: &Plan) -> Result<(), Error> {
    for (k, m) in plan.migrations.iter().enumerate() {
        if let Some(other) = plan.migrations[..k]
            .iter()
            .find(|o| o.name == m.name && o.namespace == m.namespace)
        {
            return Err(Error::at(
                ctx.index.location(m.doc),
                format!(
                    "migrations {} and {} would both be named {}: the same spec under names that agree in their first {} characters",
                    other.original_name,
                    m.original_name,
                    m.name,
                    m.name.len() - hash::HASH_LEN - 1
                ),
            )
            .help("give one of them a shorter or different name, or drop the duplicate"));
        }
    }
    Ok(())
}

/// Plans one migration Job through the passes; returns its hashed name.
fn plan_job(
    ctx: &Context<'_>,
    plan: &mut Plan,
    subject: Subject<'_>,
    matched: crate::detect::Match,
    events: Option<Vec<String>>,
    workloads: &Workloads,
) -> Result<String, Error> {
    let doc = subject.doc;
    let Some(job) = JobFacts::new(ctx, subject, matched, events) else {
        return Err(Error::at(
            ctx.index.location(doc),
            "this migration Job has no spec.template.spec",
        )
        .help("give the Job a pod template, or mark it premigrate.io/migration: \"false\""));
    };
    let hardening = identity::hardening(ctx, &job, plan);
    let id = identity::identify(ctx, &job, &hardening);
    let mut edits = identity::edits(&job, &hardening, &id);
    let uses = identity::dependencies(ctx, &job, &id.refs);
    let wave = match ctx.target {
        Target::Hooks => {
            hooks::plan(ctx, &job, &id, &uses, &mut edits, plan)?;
            None
        }
        Target::Gitops => Some(gitops::plan(ctx, &job, &uses, workloads, &mut edits, plan)),
        Target::Auto => unreachable!("resolved before planning"),
    };
    let name = id.name.clone();
    let decided = Decided {
        hash: id.hash,
        name: id.name,
        uses,
        wave,
        edits,
    };
    record::record(ctx, job, decided, &workloads.docs, plan)?;
    Ok(name)
}
