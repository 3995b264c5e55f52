//! Extraction: a migration that runs in a workload's init container runs in
//! every replica, racing. It becomes one Job built from the workload's pod
//! template, and leaves the workloads that carried it.

use std::collections::BTreeMap;

use crate::detect::Match;
use crate::diag::codes;
use crate::diag::Error;
use crate::k8s::engines::own;
use crate::k8s::kinds::is_template_kind;
use crate::plan::context::{annotation, namespace, Context};
use crate::plan::detection::PATTERN_RULE;
use crate::plan::gates::container::is_gate;
use crate::plan::model::{Origin, Plan};
use crate::plan::sources::derive::{self, is_sidecar, Derived, NewJob, Shape};
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

/// An init container to extract, found in one workload.
struct Found {
    doc: usize,
    index: usize,
    matched: Match,
}

/// Replicas of one init-container migration, by key, in the order first seen.
#[derive(Default)]
struct Groups {
    /// The key of each group, in order.
    order: Vec<String>,
    /// The init containers of each group.
    found: BTreeMap<String, Vec<Found>>,
    /// Init container names that `--extract-init` or the annotation selected.
    named_seen: Vec<String>,
}

/// Finds init-container migrations and builds one Job per distinct container.
/// An annotation naming an init container the workload does not have is a warning.
/// `jobs`: the migration Jobs the stream holds; an init container that runs
/// what one of them runs stays where it is.
pub(crate) fn find(
    ctx: &Context<'_>,
    (workloads, jobs): (&[usize], &[usize]),
    plan: &mut Plan,
) -> Result<Vec<NewJob>, Error> {
    let mut groups = Groups::default();
    let commands = job_commands(ctx, jobs);
    for &doc in workloads {
        if !is_template_kind(ctx.kind(doc)) {
            continue;
        }
        let v = ctx.value(doc).expect("workloads are parsed");
        let Some(pod) = v.at(crate::k8s::POD_TEMPLATE_SPEC) else {
            continue;
        };
        let by_annotation = named_by_annotation(ctx, plan, doc, v, pod);
        let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
        for (j, c) in inits.iter().enumerate() {
            if is_sidecar(c) || is_gate(c) {
                continue;
            }
            let workload = ctx.index.entries[doc].info.name.as_deref().unwrap_or("");
            let Some(matched) = why_extract(
                ctx,
                (workload, c, pod),
                &by_annotation,
                &mut groups.named_seen,
            ) else {
                continue;
            };
            let asked = matches!(matched.rule, "annotation" | "--extract-init");
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("");
            if asked && is_chart_gate(pod, cname) {
                refuse_gate(ctx, doc, cname, &matched)?;
            }
            // Asked for by name, it is extracted whatever else runs it.
            if let Some((r, tool)) = (!asked).then(|| repeated(v, c, &commands)).flatten() {
                left_in_place(ctx, plan, doc, &matched, &repeats(ctx, r.job, tool));
                continue;
            }
            if let Some(risk) = extract_risk(pod, j) {
                if !asked {
                    left_in_place(ctx, plan, doc, &matched, &risk);
                    continue;
                }
                // Named, it goes, its claims left out: not when its database
                // is a file on them (Forgejo's default SQLite).
                if let Some(db) = super::file_database(ctx, pod, c) {
                    refuse_file_database(ctx, doc, cname, &matched, &db)?;
                }
            }
            // Asked only of a pod with something to extract (most have nothing).
            if let Some(why) = crate::plan::graph::images::data_image(pod) {
                refuse_database(ctx, doc, c, &matched, &why)?;
                continue;
            }
            // Replicas of one migration: same namespace, image, command, args and environment.
            let key = container_key(v, c, &["image", "command", "args", "env", "envFrom"]);
            if !groups.found.contains_key(&key) {
                groups.order.push(key.clone());
            }
            groups.found.entry(key).or_default().push(Found {
                doc,
                index: j,
                matched,
            });
        }
    }
    check_named(ctx, &groups.named_seen)?;
    several_named(ctx, plan, &groups);
    let mut out = Vec::new();
    for key in groups.order {
        let found = groups.found.remove(&key).expect("grouped");
        out.push(build(ctx, &found)?);
    }
    Ok(out)
}

/// The fields of a container that say what it runs.
const RUNS: &[&str] = &["image", "command", "args"];

/// Container `c` of document `v` as a key: its namespace and `fields`.
fn container_key(v: &Value, c: &Value, fields: &[&str]) -> String {
    let fields: Vec<Option<serde_json::Value>> = (fields.iter())
        .map(|k| c.get(k).map(Value::to_json))
        .collect();
    serde_json::json!([namespace(v), fields]).to_string()
}

/// What a container of a migration Job runs, with its Job.
struct JobRun {
    /// Its [`container_key`] over [`RUNS`].
    key: String,
    /// Its namespace and image, as a key.
    image: String,
    /// The tool detection names for it.
    tool: Option<&'static str>,
    job: usize,
}

/// What every container of the migration Jobs `jobs` runs.
fn job_commands(ctx: &Context<'_>, jobs: &[usize]) -> Vec<JobRun> {
    let mut out = Vec::new();
    for &job in jobs {
        let Some(v) = ctx.value(job) else { continue };
        let containers = v.at(&["spec", "template", "spec", "containers"]);
        for c in containers.map(Value::items).unwrap_or(&[]) {
            out.push(JobRun {
                key: container_key(v, c, RUNS),
                image: container_key(v, c, &["image"]),
                tool: crate::detect::classify_container(c, &crate::detect::no_scripts).tool,
                job,
            });
        }
    }
    out
}

/// The migration Job whose run init container `c` of workload `v` repeats,
/// and the tool when it is not the same command: the chart runs its
/// migration twice over. Either the same command (Hanko's `migrate up` in a
/// Job and in every pod), or the same image's migrations by the same tool
/// (Sure's `rails db:migrate` safety net beside its `db:prepare` Job).
fn repeated<'c>(
    v: &Value,
    c: &Value,
    commands: &'c [JobRun],
) -> Option<(&'c JobRun, Option<&'static str>)> {
    let key = container_key(v, c, RUNS);
    if let Some(r) = commands.iter().find(|r| r.key == key) {
        return Some((r, None));
    }
    let image = container_key(v, c, &["image"]);
    let tool = crate::detect::classify_container(c, &crate::detect::no_scripts).tool?;
    let r = (commands.iter()).find(|r| r.image == image && r.tool == Some(tool))?;
    Some((r, Some(tool)))
}

/// Why an init container that repeats migration Job `job` stays: gated on
/// the Job, each pod's run finds nothing left to do; a Job of its own would
/// be a second one, and would make the chart's Job a contract step.
fn repeats(ctx: &Context<'_>, job: usize, tool: Option<&str>) -> String {
    let job = ctx.object(job);
    let what = match tool {
        None => format!("it runs what {job} runs (same image, command and args), which runs"),
        Some(t) => format!("{job} runs the same image's {t} migrations"),
    };
    format!("{what} once before the workloads: gated on it, each pod's run finds nothing left to migrate")
}

/// A database's init containers prepare its own pod (its data volume): none is
/// the app's migration, and one moved to a Job would leave the database behind it.
/// Named by the user, that is an error; found by detection, it stays.
fn refuse_database(
    ctx: &Context<'_>,
    doc: usize,
    c: &Value,
    matched: &Match,
    why: &str,
) -> Result<(), Error> {
    if !matches!(matched.rule, "--extract-init" | "annotation") {
        return Ok(());
    }
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    let by = named_by(matched);
    Err(Error::at(
        ctx.index.location(doc),
        format!(
            "cannot extract init container `{name}` of {} (named by {by}): it {why}, a data service, whose init containers prepare its own pod and must stay in it",
            ctx.object(doc),
        ),
    )
    .help("extract only the app's migration: drop this name from --extract-init or the premigrate.io/extract-init annotation"))
}

/// An init container named for extraction whose database is a file on a
/// claim the Job leaves out: the Job would migrate a file of its own, and on a
/// first install make the admin user in it, not in the app's (Forgejo).
fn refuse_file_database(
    ctx: &Context<'_>,
    doc: usize,
    name: &str,
    matched: &Match,
    db: &str,
) -> Result<(), Error> {
    let by = named_by(matched);
    Err(Error::at(
        ctx.index.location(doc),
        format!(
            "cannot extract init container `{name}` of {} (named by {by}): its database is a file of the pod ({db}), on a claim a Job leaves out: the Job would migrate a file of its own and open the gates",
            ctx.object(doc),
        ),
    )
    .help("leave it in the pod (drop the name from --extract-init or the annotation); a Job can migrate a database server the app shares"))
}

/// What named an init container for extraction, in words.
fn named_by(matched: &Match) -> String {
    match matched.rule {
        "annotation" => format!("its {} annotation", own::EXTRACT_INIT),
        _ => "--extract-init".to_string(),
    }
}

/// Refuses to extract the chart's own migration gate (a wait for the Job, or a
/// pending-migrations check): as a Job it would wait for the migration, or
/// for itself, and the workload would lose its gate.
fn refuse_gate(ctx: &Context<'_>, doc: usize, name: &str, matched: &Match) -> Result<(), Error> {
    let by = named_by(matched);
    Err(Error::at(
        ctx.index.location(doc),
        format!(
            "cannot extract init container `{name}` of {} (named by {by}): it is the chart's own migration gate (it waits for the migration or checks that it ran), not a migration",
            ctx.object(doc),
        ),
    )
    .help("name the init container that runs the migration, or none: premigrate keeps the chart's gate and points it at the migration Job's new name"))
}

/// The init containers the workload's annotation names; a name it has no init container of is a warning.
fn named_by_annotation<'v>(
    ctx: &Context<'_>,
    plan: &mut Plan,
    doc: usize,
    v: &'v Value,
    pod: &Value,
) -> Vec<&'v str> {
    let by_annotation = annotation_names(v);
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    for name in &by_annotation {
        let present = inits
            .iter()
            .any(|c| c.get("name").and_then(Value::as_str) == Some(*name));
        if !present && !already_extracted(ctx, name) {
            plan.note(codes::PM303, Some(doc), format!(
                "{}: its {} annotation names `{name}`, but it has no init container of that name; nothing is extracted for it",
                ctx.object(doc),
                own::EXTRACT_INIT
            ));
        }
    }
    by_annotation
}

/// The init containers a workload's `premigrate.io/extract-init` names.
fn annotation_names(v: &Value) -> Vec<&str> {
    annotation(v, own::EXTRACT_INIT)
        .map(|a| {
            a.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether init container `c` of workload `v` is extracted as a migration of its
/// own: a Job generated from the same workload must leave it out, as the workload
/// does once it is extracted (else the next run builds a different Job).
pub(crate) fn is_extracted(ctx: &Context<'_>, v: &Value, c: &Value) -> bool {
    !is_sidecar(c)
        && !is_gate(c)
        && v.at(crate::k8s::POD_TEMPLATE_SPEC).is_some_and(|pod| {
            let workload = v.at(&["metadata", "name"]).and_then(Value::as_str);
            let carrier = (workload.unwrap_or(""), c, pod);
            why_extract(ctx, carrier, &annotation_names(v), &mut vec![]).is_some()
        })
}

/// Why an init container is a migration to extract, or `None`.
/// `workload` is the carrier's name: `--extract-init WORKLOAD/NAME` picks one.
fn why_extract(
    ctx: &Context<'_>,
    (workload, c, pod): (&str, &Value, &Value),
    by_annotation: &[&str],
    named_seen: &mut Vec<String>,
) -> Option<Match> {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    let flag = ctx
        .cfg
        .extract_init
        .iter()
        .find(|n| selects(n, workload, name));
    if by_annotation.contains(&name) {
        named_seen.push(name.to_string());
        Some(Match {
            rule: "annotation",
            detail: format!("{}: {name}", own::EXTRACT_INIT),
        })
    } else if let Some(flag) = flag {
        named_seen.push(flag.clone());
        Some(Match {
            rule: "--extract-init",
            detail: format!("init container `{name}`"),
        })
    } else if !ctx.cfg.keep_init && !is_chart_gate(pod, name) {
        ctx.container_migration(c, pod).map(|mut m| {
            // Detection says what it runs (`runs …`); a pattern says what matched.
            let sep = if m.rule == PATTERN_RULE { ":" } else { "" };
            m.detail = format!("init container `{name}`{sep} {}", m.detail);
            m
        })
    } else {
        None
    }
}

/// Whether init container `name` is the chart's own migration gate (a check
/// such as `airflow db check-migrations`): never a migration to extract, even
/// when a pattern matches its image.
fn is_chart_gate(pod: &Value, name: &str) -> bool {
    crate::plan::graph::chart_gates::find(pod)
        .iter()
        .any(|g| g.container == name)
}

/// Why init container `j` of `pod` cannot run in a Job of its own, if it
/// cannot: it mounts a PersistentVolumeClaim (Gitea's `configure-gitea`, on its
/// data volume). A ReadWriteOnce claim held by the pod it gates, on another
/// node, would keep the Job from ever starting; and a claim of the release is
/// applied with the apps, after the Job's Argo CD wave. The init containers
/// before it that prepare its volumes go into the Job with it, and count too.
fn extract_risk(pod: &Value, j: usize) -> Option<String> {
    claim_risk(pod, j).or_else(|| derive::output::output_left_behind(pod, j))
}

/// [`extract_risk`]'s claim: one the Job would mount.
fn claim_risk(pod: &Value, j: usize) -> Option<String> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    // What the Job mounts: the container and the init containers it takes along.
    let mut job: Vec<usize> = derive::preparers(inits, volumes, j);
    job.push(j);
    job.iter()
        .flat_map(|&k| derive::mount_names(&inits[k]))
        .find_map(|m| {
            let vol = volumes
                .iter()
                .find(|v| v.get("name").and_then(Value::as_str) == Some(m))?;
            let claim = vol.at(&["persistentVolumeClaim", "claimName"])?.as_str()?;
            Some(format!(
                "it mounts PersistentVolumeClaim `{claim}`: a Job on another node than the pod it gates could never attach it if it is ReadWriteOnce, and a claim of the release is applied after the Job's Argo CD wave"
            ))
        })
}

/// Notes a detected migration in an init container that stays where it is.
fn left_in_place(ctx: &Context<'_>, plan: &mut Plan, doc: usize, m: &Match, risk: &str) {
    plan.note(codes::PM010, Some(doc), format!(
        "{}: {} is left in place, not made a Job: {risk} (lint reports the race when the workload has several pods, PM501)",
        ctx.object(doc),
        m.detail
    ));
}

/// The Job of one group of replicas, derived from the first workload that carries it.
fn build(ctx: &Context<'_>, found: &[Found]) -> Result<NewJob, Error> {
    let first = &found[0];
    let v = ctx.value(first.doc).expect("workloads are parsed");
    let init = &v
        .at(&["spec", "template", "spec", "initContainers"])
        .expect("found in it")
        .items()[first.index];
    let cname = init
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("migrate");
    let wname = ctx.index.entries[first.doc]
        .info
        .name
        .clone()
        .unwrap_or_default();
    let name = format!("{wname}-{cname}");
    let mut from: Vec<String> = found.iter().map(|f| ctx.object(f.doc)).collect();
    from.dedup();
    let d = derive::derive(
        ctx,
        first.doc,
        &name,
        &Shape::Extract { init: first.index },
        &derive::marks(&from.join(","), false),
    )?;
    Ok(NewJob {
        job: Derived {
            dropped: vec![],
            ..d
        },
        origin: Origin::Extracted { from },
        matched: first.matched.clone(),
        from: first.doc,
        carriers: found.iter().map(|f| (f.doc, f.index)).collect(),
    })
}

/// Whether `--extract-init` value `flag` (`NAME`, or `WORKLOAD/NAME` for
/// one workload) selects init container `name` of workload `workload`.
fn selects(flag: &str, workload: &str, name: &str) -> bool {
    match flag.split_once('/') {
        Some((w, n)) => w == workload && n == name,
        None => flag == name,
    }
}

/// An init container named for extraction must exist, unless an earlier run
/// already extracted it (its Job's container carries the name).
fn check_named(ctx: &Context<'_>, seen: &[String]) -> Result<(), Error> {
    for flag in &ctx.cfg.extract_init {
        if seen.contains(flag) {
            continue;
        }
        let name = flag.split_once('/').map_or(flag.as_str(), |(_, n)| n);
        if !already_extracted(ctx, name) {
            let which = match flag.split_once('/') {
                Some((w, n)) => {
                    format!("no workload named `{w}` has an init container named `{n}`")
                }
                None => format!("no workload has an init container named `{flag}`"),
            };
            return Err(Error::new(format!("--extract-init {flag}: {which}"))
                .help("check the name with `helm template`, or drop the flag"));
        }
    }
    Ok(())
}

/// A bare `--extract-init NAME` that picked different init containers in
/// several workloads (OpenNMS: `init` of the core and of Grafana): each
/// becomes a Job, which the user may not have meant (PM306).
fn several_named(ctx: &Context<'_>, plan: &mut Plan, groups: &Groups) {
    for flag in ctx.cfg.extract_init.iter().filter(|f| !f.contains('/')) {
        let picked: Vec<&Found> = (groups.order.iter())
            .filter_map(|k| groups.found[k].first())
            .filter(|f| f.matched.rule == "--extract-init")
            .filter(|f| init_name(ctx, f) == Some(flag.as_str()))
            .collect();
        if picked.len() < 2 {
            continue;
        }
        let carriers: Vec<String> = picked.iter().map(|f| ctx.object(f.doc)).collect();
        let first = ctx.index.entries[picked[0].doc].info.name.as_deref();
        plan.note(codes::PM306, Some(picked[0].doc), format!(
            "--extract-init {flag}: {} workloads have a different init container named `{flag}` ({}); each becomes a migration Job; to extract one, name its workload: --extract-init {}/{flag}",
            picked.len(),
            carriers.join(", "),
            first.unwrap_or("WORKLOAD")
        ));
    }
}

/// The name of the init container found.
fn init_name<'c>(ctx: &'c Context<'_>, f: &Found) -> Option<&'c str> {
    let pod = ctx.value(f.doc)?.at(crate::k8s::POD_TEMPLATE_SPEC)?;
    let c = pod.get("initContainers")?.items().get(f.index)?;
    c.get("name").and_then(Value::as_str)
}

/// Whether a Job an earlier run built runs a container of this name.
fn already_extracted(ctx: &Context<'_>, name: &str) -> bool {
    (0..ctx.index.entries.len()).any(|i| {
        ctx.kind(i) == "Job"
            && ctx.value(i).is_some_and(|v| {
                annotation(v, own::DERIVED_FROM).is_some()
                    && v.at(&["spec", "template", "spec", "containers"])
                        .map(Value::items)
                        .unwrap_or(&[])
                        .iter()
                        .any(|c| c.get("name").and_then(Value::as_str) == Some(name))
            })
    })
}

/// Plans removing extracted init containers from the workloads that carried them.
pub(crate) fn remove_from_carriers(plan: &mut Plan, job: &NewJob, job_name: &str) {
    for &(doc, index) in &job.carriers {
        let cname = job
            .job
            .value
            .at(&["spec", "template", "spec", "containers"])
            .map(Value::items)
            .and_then(|c| c.last())
            .and_then(|c| c.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        plan.change(
            doc,
            Edit::RemoveItem(init_path(), index),
            format!("removed init container `{cname}`: it runs once, as Job {job_name}, instead of in every replica"),
        );
    }
}

fn init_path() -> Vec<Seg> {
    crate::path!["spec", "template", "spec", "initContainers"]
}

/// Where extraction takes every init container out of a workload and nothing
/// goes in (`hooks`, or the workload is not gated), the list is removed rather
/// than left as an empty one; several removals from a list that keeps some stay
/// as they are, item by item.
pub(crate) fn tidy(ctx: &Context<'_>, plan: &mut Plan) {
    let p = init_path();
    let is_removal = |e: &Edit| matches!(e, Edit::RemoveItem(q, _) if *q == p);
    for (&doc, changes) in plan.changes.iter_mut() {
        let Some(list) = ctx
            .value(doc)
            .and_then(|v| v.at(&["spec", "template", "spec", "initContainers"]))
        else {
            continue;
        };
        let mut removed: Vec<usize> = changes
            .iter()
            .filter_map(|c| match &c.edit {
                Edit::RemoveItem(q, i) if *q == p => Some(*i),
                _ => None,
            })
            .collect();
        removed.sort_unstable();
        removed.dedup();
        // A gate going in keeps the list.
        let inserts = changes
            .iter()
            .any(|c| matches!(&c.edit, Edit::Insert(q, ..) if *q == p));
        if removed.is_empty() || removed.len() < list.items().len() || inserts {
            continue;
        }
        let whys: Vec<String> = changes
            .iter()
            .filter(|c| is_removal(&c.edit))
            .map(|c| c.why.clone())
            .collect();
        changes.retain(|c| !is_removal(&c.edit));
        changes.push(crate::plan::model::Change {
            edit: Edit::Remove(p.clone()),
            why: whys.join("; "),
        });
    }
}
