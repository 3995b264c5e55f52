//! The last Job pass: the Job's own edits become changes of its document (a Job
//! of the stream) or the text of an added document (a Job premigrate builds),
//! and the migration is recorded in the plan.

use crate::config::Target;
use crate::diag::Error;
use crate::k8s::engines::own;
use crate::plan::context::{annotation, ensure_separator, Context};
use crate::plan::jobs::facts::{JobEdits, JobFacts};
use crate::plan::model::{Added, Dependency, Migration, Origin, Plan};
use crate::plan::sources::derive::NewJob;
use crate::yaml::edit::{self, Edit};

/// What the passes decided about one Job.
pub(crate) struct Decided {
    /// The content hash.
    pub(crate) hash: String,
    /// The hashed name.
    pub(crate) name: String,
    /// What it uses.
    pub(crate) uses: Vec<Dependency>,
    /// Its Argo CD wave (gitops).
    pub(crate) wave: Option<i64>,
    /// Its own edits.
    pub(crate) edits: JobEdits,
}

/// Records the Job's edits (or builds its text) and the migration.
pub(crate) fn record(
    ctx: &Context<'_>,
    job: JobFacts<'_>,
    decided: Decided,
    workloads: &[usize],
    plan: &mut Plan,
) -> Result<(), Error> {
    let origin = match job.new {
        None => {
            for (e, why) in decided.edits {
                plan.change(job.doc, e, why);
            }
            Origin::Job
        }
        Some(nj) => {
            add_new_job(ctx, &job, nj, &decided, workloads, plan)?;
            nj.origin.clone()
        }
    };
    let carriers = carriers(ctx, &job, workloads);
    let form_reason = form_reason(
        &job,
        ctx.target,
        crate::plan::jobs::hooks::made_pre(ctx, &job),
    );
    plan.migrations.push(Migration {
        doc: job.doc,
        origin,
        matched: job.matched,
        namespace: job.ns,
        original_name: job.original,
        hash: decided.hash,
        name: decided.name,
        phase: job.phase,
        uses: decided.uses,
        wave: decided.wave,
        pod: job.pod.clone(),
        carriers,
        phase_reason: job.place.phase_reason.clone(),
        rank: job.place.rank,
        after: job.place.after.iter().map(|d| d.original.clone()).collect(),
        hook: job.hook,
        form_reason,
        needs: job.place.data.clone(),
    });
    Ok(())
}

/// Why the Job is a hook or a regular resource. A hook keeps the chart's events
/// (PM101), but for post ones of a pre migration (`made_pre`): post-only ones
/// of a contract step run after the workloads.
fn form_reason(job: &JobFacts<'_>, target: Target, made_pre: bool) -> String {
    let events = job.events.as_deref().unwrap_or_default();
    // A hook of upgrades only runs when every object of the release exists.
    let why = match !events.is_empty() && events.iter().all(|e| e.ends_with("-upgrade")) {
        true => "the chart runs it on upgrades only, when the release's objects exist",
        false => "what it needs is outside the release or a hook itself",
    };
    match (&job.place.hookable, target) {
        (Ok(()), Target::Hooks) if made_pre => format!(
            "a Helm hook: {why}; the chart's `{}` events run it after the apps it holds back, so it runs `pre-` instead",
            events.join(",")
        ),
        (Ok(()), _) => match events {
            [_, ..] if events.iter().all(|e| e.starts_with("post-")) => format!(
                "a Helm hook: {why}; the chart's `{}` events are kept, so Helm runs it after the release's objects are created (ready, with --wait)",
                events.join(",")
            ),
            _ => format!("a Helm hook: {why}"),
        },
        (Err(why), Target::Hooks) => format!("a regular resource with gates: {why}"),
        (Err(_), _) => "a regular resource with gates (--target gitops)".into(),
    }
}

/// The text of a Job premigrate builds, added ahead of the workloads (gitops) or beside its source (hooks).
fn add_new_job(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    nj: &NewJob,
    decided: &Decided,
    workloads: &[usize],
    plan: &mut Plan,
) -> Result<(), Error> {
    let edits: Vec<Edit> = decided.edits.iter().map(|(e, _)| e.clone()).collect();
    let text = edit::apply(&nj.job.text, &nj.job.tree, &edits).map_err(|e| {
        Error::at(
            ctx.index.location(job.doc),
            format!(
                "cannot build the migration Job {} from this workload: {}",
                decided.name, e.message
            ),
        )
    })?;
    // Gitops: ahead of every workload; hooks: Helm orders it, beside its source.
    let before = match (job.hook, workloads.first()) {
        (false, Some(&first)) => first,
        _ => job.doc,
    };
    plan.added.push(Added {
        text: ensure_separator(text),
        object: format!("Job/{}", decided.name),
        derived_from: job.doc,
        before,
        why: why_new(job, nj),
        hook: None,
        ahead_of: Vec::new(),
    });
    Ok(())
}

/// Why premigrate adds the Job, in words.
fn why_new(job: &JobFacts<'_>, nj: &NewJob) -> String {
    let matched = &job.matched;
    match &nj.origin {
        Origin::Extracted { from } => format!(
            "the migration Job, extracted from the init containers of {} ({})",
            from.join(", "),
            matched.detail
        ),
        Origin::Generated { from } => {
            let mut left: Vec<String> = nj.job.left_out.clone();
            left.extend(nj.job.dropped.iter().map(|c| format!("container {c}")));
            let left = if left.is_empty() {
                String::new()
            } else {
                format!("; left out: {}", left.join(", "))
            };
            format!(
                "the migration Job, generated from {from} ({} {}){left}",
                matched.rule, matched.detail
            )
        }
        Origin::Job => String::new(),
    }
}

/// The workloads that always wait for the Job: those it was built from.
fn carriers(ctx: &Context<'_>, job: &JobFacts<'_>, workloads: &[usize]) -> Vec<usize> {
    match job.new {
        Some(nj) if nj.carriers.is_empty() => vec![nj.from],
        Some(nj) => nj.carriers.iter().map(|c| c.0).collect(),
        // A Job an earlier run built names its workloads: they keep waiting for it.
        None => annotation(job.value, own::DERIVED_FROM)
            .map(|from| {
                let from: Vec<&str> = from.split(',').map(str::trim).collect();
                workloads
                    .iter()
                    .copied()
                    .filter(|&w| from.contains(&ctx.object(w).as_str()))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A Job premigrate builds goes ahead of the stream's own migration Jobs that
/// run after it (or later in its phase), not only of the workloads: a rerun
/// finds the Job built after it on the first run (Mediawiki's extracted
/// `prepare-base-dir`, after the `--migrate` Job) as a Job of the stream, and
/// the two must keep their order.
pub(crate) fn ahead_of_followers(plan: &mut Plan) {
    let ms = &plan.migrations;
    let follows = |f: usize, original: &str| {
        crate::plan::graph::order::follows_through(
            (ms.len(), f, original),
            |k| ms[k].after.as_slice(),
            |a| {
                (0..ms.len())
                    .filter(|&o| ms[o].original_name == a)
                    .collect()
            },
        )
    };
    let mut ahead: Vec<(String, Vec<usize>)> = Vec::new();
    for m in plan
        .migrations
        .iter()
        .filter(|m| m.origin != Origin::Job && !m.hook)
    {
        let followers: Vec<usize> = (0..ms.len())
            .filter(|&k| ms[k].origin == Origin::Job)
            .filter(|&k| {
                let later = ms[k].phase == m.phase && ms[k].rank > m.rank;
                later || follows(k, &m.original_name)
            })
            .map(|k| ms[k].doc)
            .collect();
        ahead.push((format!("Job/{}", m.name), followers));
    }
    for (object, followers) in ahead {
        if let Some(a) = plan.added.iter_mut().find(|a| a.object == object) {
            a.ahead_of = followers;
        }
    }
}
