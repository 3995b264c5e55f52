//! Migration Jobs: finding them, naming them by content, hardening them, and
//! ordering them for the target (Helm hooks, or a force-recreated GitOps Job).
//! Each Job goes through small passes over its facts: `identity` (hardening,
//! hash, name, dependencies), then `hooks` or `gitops`, then `record`.

pub(crate) mod created;
pub(crate) mod facts;
pub(crate) mod find;
pub(crate) mod gitops;
pub(crate) mod hash;
pub(crate) mod hook_rbac;
pub(crate) mod hooks;
pub(crate) mod identity;
mod left_alone;
pub(crate) mod names;
pub(crate) mod order;
pub(crate) mod record;

use crate::config::{GateMode, Target};
use crate::diag::codes;
use crate::diag::Error;
use crate::k8s::engines::own;
use crate::k8s::RefKind;
use crate::plan::context::{annotation, Context};
use crate::plan::gates::rollout;
use crate::plan::jobs::facts::{JobFacts, Subject, Workloads};
use crate::plan::jobs::record::Decided;
use crate::plan::model::{Phase, Plan};
use crate::plan::sources::derive::NewJob;
use crate::plan::sources::{extract, generate};
use crate::yaml::Value;

/// A migration to plan: a Job of the stream or one premigrate builds.
struct Pending<'s> {
    subject: Subject<'s>,
    matched: crate::detect::Match,
    events: Option<Vec<String>>,
}

/// Notes about input premigrate does not trust or cannot reach: unreadable
/// `premigrate.io/migration` values, migration Jobs inside Lists, and
/// `premigrate.io/generated` objects it did not write.
fn input_notes(ctx: &Context<'_>, plan: &mut Plan) {
    for (d, a) in &ctx.unreadable_flags {
        plan.note(crate::diag::codes::PM602, Some(*d), format!("{}: premigrate.io/migration: {a:?} is not a boolean (true/false, yes/no, on/off, y/n in any case): ignored, as if it were not there", ctx.object(*d)));
    }
    for (d, items) in &ctx.lists {
        plan.note(crate::diag::codes::PM604, Some(*d), format!("{}: its item(s) {} look like migrations but are not rewritten: premigrate reads and edits top-level documents only, so a migration Job in a List is not hashed, hardened or ordered, and nothing waits for it; write the items as documents of their own (Helm and kubectl apply them the same)", ctx.kind(*d), items.join(", ")));
    }
    for &f in &ctx.foreign {
        plan.note(crate::diag::codes::PM601, Some(f), format!("{}: premigrate.io/generated is set, but premigrate did not write this object (the marker does not verify): kept as it is", ctx.object(f)));
    }
}

/// Warns once when the chart's own gates wait for migrations and the stream
/// holds none: under Helm 3 the migration is a hook the post-renderer never sees.
fn gates_without_migration(ctx: &Context<'_>, plan: &mut Plan) {
    let entries = &ctx.index.entries;
    // Looked up once per gate: a set, not a scan of the stream each time.
    let jobs: std::collections::BTreeSet<&str> = entries
        .iter()
        .filter(|e| e.info.kind.as_deref() == Some("Job"))
        .filter_map(|e| e.info.name.as_deref())
        .collect();
    let in_stream = |job: &str| jobs.contains(job);
    // A check, or a wait for a Job that is not there (one that is: not a migration's gate).
    let gated: Vec<(usize, String)> = (0..entries.len())
        .filter_map(|i| {
            let pod = ctx
                .value(i)
                .and_then(|v| crate::k8s::pod_spec(v, ctx.kind(i)))?;
            let gate = crate::plan::graph::chart_gates::find(pod)
                .into_iter()
                .find(|g| g.check || g.jobs.iter().any(|j| !in_stream(&j.name)))?;
            Some((i, format!("{} (`{}`)", ctx.object(i), gate.container)))
        })
        .collect();
    let Some(&(first, _)) = gated.first() else {
        return;
    };
    let names: Vec<&str> = gated.iter().map(|(_, n)| n.as_str()).collect();
    plan.note(codes::PM012, Some(first), format!(
        "{} wait(s) for migrations, but the stream holds no migration Job: under Helm 3 a chart's migration hook never reaches a post-renderer, so premigrate cannot order it (a `post-install` one hangs `helm install --wait`); render the migration as a regular Job (e.g. Airflow's migrateDatabaseJob.useHelmHooks=false) or use Helm 4",
        names.join(", ")
    ));
}

/// Says once, when no migration is found in a Helm 3 stream, that the
/// workloads use ConfigMaps or a ServiceAccount no document defines: a chart
/// that makes them Helm hooks with its migration (Baserow) shows a Helm 3
/// post-renderer only the apps.
fn hidden_configuration(ctx: &Context<'_>, plan: &mut Plan) {
    if ctx.index.from_helm4() || plan.notes.iter().any(|n| n.code == codes::PM012.code) {
        return;
    }
    // A stream that holds hooks is no Helm 3 post-renderer's (`helm template`,
    // a GitOps render): what it lacks is made elsewhere, not hidden as a hook.
    let hook = |i: usize| {
        (ctx.value(i)).is_some_and(|v| annotation(v, crate::k8s::engines::HELM_HOOK).is_some())
    };
    if (0..ctx.index.entries.len()).any(hook) {
        return;
    }
    let mut users: Vec<usize> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for i in 0..ctx.index.entries.len() {
        let Some(pod) = ctx
            .value(i)
            .and_then(|v| crate::k8s::pod_spec(v, ctx.kind(i)))
        else {
            continue;
        };
        let ns = ctx.effective_ns(i);
        let refs = crate::k8s::pod_refs(pod, &[]);
        let absent = refs.iter().filter(|r| {
            matches!(r.kind, RefKind::ConfigMap | RefKind::ServiceAccount)
                && !matches!(r.name.as_str(), "default" | "kube-root-ca.crt")
                && ctx.def(r.kind, &ns, &r.name).is_none()
                && ctx.hook_def(r.kind, &ns, &r.name).is_none()
        });
        for r in absent {
            let object = format!("{}/{}", r.kind.kind(), r.name);
            if !missing.contains(&object) {
                missing.push(object);
            }
            if !users.contains(&i) {
                users.push(i);
            }
        }
    }
    // A ServiceAccount made outside the release is common; a missing ConfigMap
    // is what says the configuration is elsewhere.
    if !missing.iter().any(|m| m.starts_with("ConfigMap/")) {
        return;
    }
    let Some(&first) = users.first() else { return };
    let objects: Vec<String> = users.iter().map(|&i| ctx.object(i)).collect();
    plan.note(codes::PM017, Some(first), format!(
        "no migration found, and {} {} {}, which no document of the stream defines: a chart that makes its configuration and its migration Helm hooks shows Helm 3's post-renderer only the apps; render it with `helm template` to see its hooks, or use Helm 4 (if they are made outside the release, ignore this)",
        objects.join(", "),
        if objects.len() == 1 { "uses" } else { "use" },
        missing.join(", ")
    ));
}

/// Refuses two migrations premigrate builds under one name (a Job generated with
/// `--migrate` and one extracted from an init container, both `<workload>-migrate`):
/// their Roles, kapp groups and gates would collide.
fn one_name_each(ctx: &Context<'_>, pending: &[Pending<'_>]) -> Result<(), Error> {
    for (k, p) in pending.iter().enumerate() {
        let Some(q) = pending[..k]
            .iter()
            .find(|q| q.subject.name == p.subject.name)
        else {
            continue;
        };
        if p.subject.new.is_some() || q.subject.new.is_some() {
            return Err(Error::at(
                ctx.index.location(p.subject.doc),
                format!(
                    "two migrations would be named {}: from {} and from {}",
                    p.subject.name,
                    ctx.object(q.subject.doc),
                    ctx.object(p.subject.doc)
                ),
            )
            .help("rename the init container, or drop the --extract-init, --migrate or annotation that repeats the other (a detected init container that runs what a migration Job runs stays in the pods; --keep-init keeps every detected one)"));
        }
    }
    Ok(())
}

/// Finds every migration, builds the release graph over them, then plans each
/// Job in the order the release runs them.
pub(crate) fn plan(ctx: &Context<'_>, plan: &mut Plan) -> Result<(), Error> {
    let find::Sorted {
        found,
        possible,
        lifecycle,
    } = find::jobs(ctx);
    left_alone::not_acted_on(ctx, possible, plan);
    left_alone::unrunnable(ctx, plan);
    left_alone::lifecycle_hooks(ctx, lifecycle, plan);
    let workloads = find::workloads(ctx, &found);
    for &g in &ctx.generated {
        plan.removed.push(g);
    }
    input_notes(ctx, plan);
    // Jobs premigrate builds: extracted from init containers, generated from workloads.
    let jobs: Vec<usize> = found.iter().map(|f| f.0).collect();
    let mut new_jobs = extract::find(ctx, (&workloads.docs, &jobs), plan)?;
    new_jobs.extend(generate::find(ctx, &workloads.docs)?);
    let pending = pending(ctx, found, &new_jobs);
    if pending.is_empty() {
        gates_without_migration(ctx, plan);
        hidden_configuration(ctx, plan);
    }
    one_name_each(ctx, &pending)?;
    let release = order::release(ctx, &pending_view(ctx, &pending))?;
    order::record_data(ctx, &release, plan);
    let workloads = find::without(ctx, &workloads, &plan.data_services);
    let mut decided: Vec<Option<order::Done>> = vec![None; pending.len()];
    for k in release.run_order() {
        let mut place = order::Place::of(ctx, &release, k, &decided, ctx.target);
        let p = &pending[k];
        claims_keep_it_regular(ctx, &p.subject, &mut place);
        own_gates_keep_it_regular(&p.subject, &mut place);
        // Only a regular contract step waits for the rollout: Helm runs hooks one
        // by one, and one the apps wait for may come after it (see `gates::rollout`).
        let regular = place.hookable.is_err();
        if place.phase == Phase::Post
            && regular
            && p.subject.new.is_none()
            && ctx.cfg.gate != GateMode::None
        {
            let ns = ctx.effective_ns(p.subject.doc);
            let apps = rollout::targets(
                ctx,
                &plan.data_services,
                (p.subject.doc, &ns, &release.names[k]),
            );
            place.rollout = rollout::names(ctx, &apps);
        }
        let subject = Subject {
            doc: p.subject.doc,
            value: p.subject.value,
            name: p.subject.name.clone(),
            new: p.subject.new,
        };
        let done = plan_job(
            ctx,
            plan,
            subject,
            p.matched.clone(),
            p.events.clone(),
            &workloads,
            place,
        )?;
        if let Some(nj) = p.subject.new {
            finish_new_job(ctx, plan, nj, &done.name);
        }
        decided[k] = Some(done);
    }
    dropped_generated(ctx, plan);
    record::ahead_of_followers(plan);
    check_unique(ctx, plan)
}

/// Every migration to plan: the stream's Jobs, then the Jobs premigrate builds.
fn pending<'s>(
    ctx: &Context<'s>,
    found: Vec<find::Found>,
    new_jobs: &'s [NewJob],
) -> Vec<Pending<'s>> {
    let mut pending: Vec<Pending<'s>> = found
        .into_iter()
        .map(|(i, matched, events)| Pending {
            subject: Subject {
                doc: i,
                value: ctx.value(i).expect("Jobs are parsed"),
                name: ctx.index.entries[i]
                    .info
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .to_string(),
                new: None,
            },
            matched,
            events,
        })
        .collect();
    for nj in new_jobs {
        let name = nj
            .job
            .value
            .at(&["metadata", "name"])
            .and_then(Value::as_str);
        pending.push(Pending {
            subject: Subject {
                doc: nj.from,
                value: &nj.job.value,
                name: name.unwrap_or_default().to_string(),
                new: Some(nj),
            },
            matched: nj.matched.clone(),
            events: None,
        });
    }
    pending
}

/// What the graph reads of each pending migration.
fn pending_view<'a>(ctx: &Context<'_>, pending: &'a [Pending<'a>]) -> Vec<order::View<'a>> {
    pending
        .iter()
        .map(|p| order::View {
            doc: p.subject.doc,
            value: p.subject.value,
            events: p.events.as_deref(),
            workload: p.subject.new.map(|_| ctx.object(p.subject.doc)),
            sources: (p.subject.new.iter())
                .flat_map(|nj| nj.carriers.iter().map(|c| c.0))
                .filter(|&w| w != p.subject.doc)
                .collect(),
        })
        .collect()
}

/// A pre migration that mounts a claim of the release is no hook: a pre-install
/// hook runs before Helm creates the claim, and a hook copy of a claim would be
/// another, empty volume.
fn claims_keep_it_regular(ctx: &Context<'_>, job: &facts::Subject<'_>, place: &mut order::Place) {
    if place.hookable.is_err() || place.phase != Phase::Pre {
        return;
    }
    let pod = job.value.at(&["spec", "template", "spec"]);
    if let Some(&c) = pod
        .and_then(|p| order::claims_of_release(ctx, job.doc, p).first().copied())
        .as_ref()
    {
        place.hookable = Err(format!(
            "it mounts {} of this release, which does not exist yet when a pre-install hook runs",
            ctx.object(c)
        ));
    }
}

/// A migration whose own init container waits for another Job through the
/// API (SigNoz's async migrator, k8s-wait-for) stays a regular resource: as a
/// pre-install hook it would run before the Role the chart grants that wait
/// with, and as a hook copy of its ServiceAccount no RoleBinding names it.
fn own_gates_keep_it_regular(job: &facts::Subject<'_>, place: &mut order::Place) {
    if place.hookable.is_err() || place.phase != Phase::Pre {
        return;
    }
    let Some(pod) = job.value.at(&["spec", "template", "spec"]) else {
        return;
    };
    let gates = crate::plan::graph::chart_gates::find(pod);
    if let Some((g, j)) = gates.iter().find_map(|g| Some((g, g.jobs.first()?))) {
        place.hookable = Err(format!(
            "its own init container `{}` waits for Job {} through the API, with the chart's RBAC, which Helm creates after the pre-install hooks",
            g.container, j.name
        ));
    }
}

/// Notes each migration Job an earlier run generated that this run drops (its
/// `--migrate` not given again): its gates and Role go with it, silently so far.
fn dropped_generated(ctx: &Context<'_>, plan: &mut Plan) {
    for &g in &ctx.generated {
        let Some(v) = ctx.value(g).filter(|_| ctx.kind(g) == "Job") else {
            continue;
        };
        let (Some(original), Some(from)) = (
            annotation(v, own::ORIGINAL_NAME),
            annotation(v, own::DERIVED_FROM),
        ) else {
            continue;
        };
        if plan.migrations.iter().any(|m| m.original_name == original) {
            continue;
        }
        plan.note(codes::PM015, Some(g), format!(
            "{}, which an earlier run generated from {from}, is dropped: this run was not given its --migrate (nor the workload a premigrate.io/migrate annotation), so its gates and Role go too, and nothing migrates before the workload starts; give the same --migrate again, or annotate the workload",
            ctx.object(g)
        ));
    }
}

/// Takes a Job premigrate built out of the workloads that carried it, and notes what it left out.
fn finish_new_job(ctx: &Context<'_>, plan: &mut Plan, nj: &NewJob, name: &str) {
    extract::remove_from_carriers(plan, nj, name);
    if !nj.job.dropped.is_empty() {
        plan.note(codes::PM301, Some(nj.from), format!(
            "Job/{name} (generated from {}): left out the workload's other container(s) {}: a Job runs the migration alone (a sidecar or a second app container would keep it from ever completing; native sidecars, initContainers with restartPolicy: Always, are kept)",
            ctx.object(nj.from),
            nj.job.dropped.join(", ")
        ));
    }
    let containers = nj.job.value.at(&["spec", "template", "spec", "containers"]);
    let items = containers.map(crate::yaml::Value::items).unwrap_or(&[]);
    // Only a Job that runs the image's entrypoint reads the switch (a Job
    // running the migration command itself migrates whatever it says).
    let mut entrypoint = items
        .iter()
        .filter(|c| crate::detect::runs_entrypoint_script(c));
    if let Some(sw) = entrypoint.find_map(crate::detect::off_switch) {
        plan.note(codes::PM304, Some(nj.from), format!(
            "Job/{name} (from {}): keeps env `{sw}`, which turns the image's start-up migrations off: if the Job runs the image's entrypoint, it succeeds without migrating; give --migrate the migration command itself",
            ctx.object(nj.from)
        ));
    } else if let Some(sw) = items.iter().find_map(crate::detect::code_off_switch) {
        plan.note(codes::PM304, Some(nj.from), format!(
            "Job/{name} (from {}): keeps env `{sw}`, which the migration code itself reads: the Job succeeds without migrating and opens the gates on the old schema; turn the switch off on the workload (the Job migrates first; the app's start-up then finds nothing to do)",
            ctx.object(nj.from)
        ));
    }
    // The Job's own command may set them itself.
    let command: String = items
        .first()
        .map_or(String::new(), |c| c.strings("command").join(" "));
    let unset: Vec<&str> = (nj.job.script_env.iter())
        .map(String::as_str)
        .filter(|n| !command.contains(&format!("{n}=")))
        .collect();
    if !unset.is_empty() {
        plan.note(codes::PM305, Some(nj.from), format!(
            "Job/{name} (from {}): the container's script set {} before its program; the Job runs its own command with the pod's env only: if the migration reads them, it migrates another database (or none); set them in the command or in the workload's env",
            ctx.object(nj.from),
            unset.join(", ")
        ));
    }
    if !nj.job.dropped_mounts.is_empty() {
        let why = dropped_mounts_why(ctx, plan, &nj.job.dropped_mounts);
        plan.note(codes::PM302, Some(nj.from), format!(
            "Job/{name} (from {}): left out volume mount(s) {}: {why}; the migration must not need it",
            ctx.object(nj.from),
            nj.job.dropped_mounts.join(", ")
        ));
    }
}

/// Why the mounts a built Job left out could not stay, by what each was
/// (as the builder wrote them: a claim template, a claim and its access modes).
fn dropped_mounts_why(ctx: &Context<'_>, plan: &Plan, dropped: &[String]) -> String {
    let templates = dropped
        .iter()
        .any(|d| d.ends_with("(a volumeClaimTemplate)"));
    let claims: Vec<&String> = dropped
        .iter()
        .filter(|d| d.contains("(PersistentVolumeClaim"))
        .collect();
    let once = claims.iter().any(|d| !d.contains("ReadWriteMany"));
    // When a claim of the release exists, by the form the Job took: a
    // regular Job under Helm is applied with the claims (PM106's case).
    let hook = plan.migrations.last().is_some_and(|m| m.hook);
    let later = match (hook, ctx.target) {
        (true, _) => {
            Some("a claim of the release is created after the Job's pre-install hook runs")
        }
        (false, crate::config::Target::Hooks) => None,
        (false, _) => Some("a claim of the release is applied after the Job's Argo CD wave"),
    };
    let mut why: Vec<&str> = Vec::new();
    if templates {
        why.push("a Job cannot mount a StatefulSet's volumeClaimTemplates");
    }
    if once {
        why.push("a ReadWriteOnce claim the pods it gates hold keeps a Job on another node from starting");
    }
    match later {
        Some(later) if !claims.is_empty() => why.push(later),
        None if !claims.is_empty() && !once => {
            why.push("premigrate shares no claim with the pods it gates")
        }
        _ => {}
    }
    why.join("; ")
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

/// Plans one migration Job through the passes; returns what later Jobs see of it.
fn plan_job(
    ctx: &Context<'_>,
    plan: &mut Plan,
    subject: Subject<'_>,
    matched: crate::detect::Match,
    events: Option<Vec<String>>,
    workloads: &Workloads,
    place: order::Place,
) -> Result<order::Done, Error> {
    let doc = subject.doc;
    let Some(job) = JobFacts::new(ctx, subject, matched, events, place) else {
        return Err(Error::at(
            ctx.index.location(doc),
            "this migration Job has no spec.template.spec",
        )
        .help("give the Job a pod template, or mark it premigrate.io/migration: \"false\""));
    };
    let hardening = identity::hardening(ctx, &job, plan);
    let id = identity::identify(ctx, &job, &hardening);
    identity::moving_image(ctx, &job, &id, plan);
    let mut edits = identity::edits(&job, &hardening, &id);
    let uses = identity::dependencies(ctx, &job, &id.refs);
    let (wave, weight) = if job.hook {
        (
            None,
            Some(hooks::plan(ctx, &job, &id, &uses, &mut edits, plan)?),
        )
    } else {
        if let (Target::Hooks, Err(why)) = (ctx.target, &job.place.hookable) {
            let code = if ctx.cfg.target == Target::Hooks {
                codes::PM106
            } else {
                codes::PM105
            };
            plan.note(
                code,
                Some(job.doc),
                format!(
                    "{}: stays a regular resource with gates, not a hook: {why}",
                    job.object
                ),
            );
        }
        (
            Some(gitops::plan(ctx, &job, &uses, workloads, &mut edits, plan)),
            None,
        )
    };
    let done = order::Done {
        original: job.original.clone(),
        name: id.name.clone(),
        hook: job.hook,
        weight,
    };
    let decided = Decided {
        hash: id.hash,
        name: id.name,
        uses,
        wave,
        edits,
    };
    record::record(ctx, job, decided, &workloads.docs, plan)?;
    Ok(done)
}
