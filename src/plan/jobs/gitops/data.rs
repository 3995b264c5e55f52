//! Orders a migration after the data services it needs and the migrations it
//! follows, for Argo CD (a lower wave for the data services and their config)
//! and kapp (a change group of its data services, a rule per predecessor).

use crate::k8s::engines::{self, per_migration_key};
use crate::plan::context::{lower_wave, set_annotation, Context};
use crate::plan::graph::roles;
use crate::plan::jobs::facts::{job_annotation, JobEdits, JobFacts, Workloads};
use crate::plan::model::Plan;

/// The kapp change group of the data services a migration needs.
fn needs_group(original: &str) -> String {
    format!("premigrate.io/needs-{original}")
}

/// Puts the data services the Job needs (and what they use) in a wave before every
/// migration, and in a kapp group the Job is upserted after.
pub(crate) fn order(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    workloads: &Workloads,
    own_edits: &mut JobEdits,
    plan: &mut Plan,
) {
    if job.place.needs.is_empty() {
        return;
    }
    let data_wave = workloads
        .min_wave
        .saturating_sub(job.place.pre_count as i64 + 1);
    let group = needs_group(&job.original);
    let group_key = per_migration_key(engines::KAPP_GROUP, &format!("needs-{}", job.original));
    for (d, why) in &job.place.needs {
        if plan.apps_needed.contains(d) {
            // An app that waits for its own migration: below it, Argo CD
            // would wait for it before that migration runs.
            continue;
        }
        let needed = format!(
            "{} needs it ({why}): it must be ready before the migration runs",
            job.object
        );
        // What the data service itself uses moves with it, for its sake: the
        // migration need not read it (a bundled database's password Secret).
        let used = format!(
            "{} uses it and {} needs that ({why}): it must exist before the data service starts",
            ctx.index.entries[*d].info.object(),
            job.object
        );
        let uses = crate::plan::graph::uses::uses(ctx.index, *d);
        let docs = std::iter::once((*d, &needed)).chain(uses.into_iter().map(|u| (u, &used)));
        for (doc, why) in docs {
            // A custom resource, its CRD or a ClusterRole is not parsed by the index.
            let Some(v) = roles::peek(ctx.index, doc) else {
                continue;
            };
            lower_wave(plan, &v, doc, data_wave, why);
        }
        if let Some(v) = roles::peek(ctx.index, *d) {
            let why = format!("{} is upserted after it", job.object);
            set_annotation(plan, &v, *d, &group_key, &group, &why);
        }
    }
    job_annotation(
        own_edits,
        job.value,
        &format!("{}.premigrate-needs", engines::KAPP_RULE),
        &format!("upsert after upserting {group}"),
        "kapp upserts the migration after the data services it needs",
    );
}

/// A kapp rule per migration the Job follows (Argo CD orders them by wave).
pub(crate) fn follow(job: &JobFacts<'_>, own_edits: &mut JobEdits) {
    for d in &job.place.after {
        job_annotation(
            own_edits,
            job.value,
            &per_migration_key(engines::KAPP_RULE, &format!("after-{}", d.original)),
            &format!("upsert after upserting premigrate.io/{}", d.original),
            "kapp upserts the migration after the one it follows",
        );
    }
}
