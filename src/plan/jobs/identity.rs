//! A migration Job's identity: the hardening it gets, the content hash of its
//! spec (hardened, with hook copies from an earlier run mapped back), its hashed
//! name, and the ConfigMaps, Secrets and ServiceAccounts it uses.

use crate::diag::codes;
use crate::k8s::engines::own;
use crate::k8s::{self, Ref};
use crate::path;
use crate::plan::context::Context;
use crate::plan::gates::container::is_gate;
use crate::plan::gates::token::is_token_volume;
use crate::plan::jobs::facts::{job_annotation, JobEdits, JobFacts};
use crate::plan::jobs::hash::{content_hash, hashed_name, is_render_time};
use crate::plan::model::{Dependency, Plan};
use crate::yaml::edit::{self, Edit, Seg};
use crate::yaml::Value;

/// One hardening step: a path, its new value (or `None`: removed), and why.
pub(crate) type Hardening = (Vec<Seg>, Option<Value>, &'static str);

/// The Job's references, content hash and hashed name.
pub(crate) struct Identity {
    /// What its pod spec references.
    pub(crate) refs: Vec<Ref>,
    /// The content hash.
    pub(crate) hash: String,
    /// The hashed name.
    pub(crate) name: String,
}

/// Hardening, applied to the hash input and to the text.
pub(crate) fn hardening(ctx: &Context<'_>, job: &JobFacts<'_>, plan: &mut Plan) -> Vec<Hardening> {
    let v = job.value;
    let mut hardening: Vec<Hardening> = Vec::new();
    if job.pod.get("restartPolicy").and_then(Value::as_str) != Some("Never") {
        hardening.push((
            path!["spec", "template", "spec", "restartPolicy"],
            Some(Value::str("Never")),
            "a failed migration must not be retried in place",
        ));
        high_backoff(ctx, job, plan);
    }
    if matches!(v.at(&["spec", "backoffLimit"]), None | Some(Value::Null)) {
        let extracted = job
            .new
            .is_some_and(|n| matches!(n.origin, crate::plan::model::Origin::Extracted { .. }));
        hardening.push(match !job.place.data.is_empty() {
            // An init container restarts until it succeeds (Kratos's, Gitea's
            // scripts count on it): the Job it became keeps retrying, with backoff.
            false if extracted => (
                path!["spec", "backoffLimit"],
                Some(Value::Int(DEFAULT_BACKOFF)),
                "it ran as an init container, which restarts until it succeeds: the Job retries too",
            ),
            false => (
                path!["spec", "backoffLimit"],
                Some(Value::Int(0)),
                "run a migration once; the chart set no backoffLimit",
            ),
            // kubectl and Flux apply the database and the Job at once: the first
            // attempts can find it still starting, so the Job keeps Kubernetes'
            // default retries (with backoff) instead of failing for good.
            true => (
                path!["spec", "backoffLimit"],
                Some(Value::Int(DEFAULT_BACKOFF)),
                "the chart set no backoffLimit; what it needs of the release (its database, a cache, a Job that prepares its files) starts with it, so the migration retries until that is up",
            ),
        });
    }
    hardening.extend(deadline(ctx, job, plan));
    if let Some((_, stamp)) = crate::plan::jobs::hash::render_stamp(&job.current_name) {
        // The content hash names the Job; a stamp left in its pod template would
        // change the Job with every render (and a Job's template is immutable).
        let template_name = v.at(&["spec", "template", "metadata", "name"]);
        if template_name
            .and_then(Value::as_str)
            .is_some_and(|n| n.contains(stamp))
        {
            hardening.push((
                path!["spec", "template", "metadata", "name"],
                None,
                "the pod template's name carries the render time of the chart's Job name, which changes with every render; Kubernetes names a Job's pods itself",
            ));
        }
    }
    hardening.extend(render_time_annotations(v));
    if !set_up_only(ctx, job, plan) {
        install_only(ctx, job, plan);
    }
    if !job.hook && v.at(&["spec", "ttlSecondsAfterFinished"]).is_some() {
        hardening.push((path!["spec", "ttlSecondsAfterFinished"], None, "TTL"));
        plan.note(codes::PM004, Some(job.doc), format!(
            "{}: removed spec.ttlSecondsAfterFinished: once the TTL deletes the Job, pods gated on it can never start again, and the next apply (a Flux or Argo CD sync, helm upgrade) creates it again and the migration reruns",
            ctx.object(job.doc)
        ));
    }
    hardening
}

/// Warns of a set-up command that fails on a database it set up, in a Job
/// named by its content (PM018): a hook that keeps its name runs once.
/// Whether it warned.
fn set_up_only(ctx: &Context<'_>, job: &JobFacts<'_>, plan: &mut Plan) -> bool {
    if keeps_its_name(job) {
        return false;
    }
    let containers = k8s::containers(job.pod);
    if let Some(cmd) = containers
        .filter(|c| !crate::plan::gates::container::is_gate(c))
        .find_map(crate::detect::set_up_only)
    {
        plan.note(codes::PM018, Some(job.doc), format!(
            "{}: runs `{cmd}`, which fails on a database it set up: named by its content, the Job is made again whenever it changes, fails, and the workloads gated on it wait; use the tool's idempotent form (`-initOrUpgradeSchema`, `init || migrate`, `rails db:prepare`)",
            ctx.object(job.doc)
        ));
        return true;
    }
    false
}

/// Warns of an install-only hook of the chart that becomes a Job named by its
/// content (PM021): Helm ran it once, the output runs it on every change. Not
/// for a command detection knows migrates (a migrate verb is meant to rerun; a
/// set-up one has PM018 instead): a Job named by the user, or found by its
/// SQL (Guacamole's `initdb.sql`), may not be safe to rerun.
fn install_only(ctx: &Context<'_>, job: &JobFacts<'_>, plan: &mut Plan) {
    let Some(ev) = job
        .events
        .as_ref()
        .filter(|_| job.matched.rule != "command")
    else {
        return;
    };
    let on = |suffix: &str| ev.iter().any(|e| e.ends_with(suffix));
    let flagged = plan
        .notes
        .iter()
        .any(|n| n.code == codes::PM018.code && n.doc == Some(job.doc));
    if !on("-install") || on("-upgrade") || keeps_its_name(job) || flagged {
        return;
    }
    plan.note(codes::PM021, Some(job.doc), format!(
        "{}: the chart runs it only on install (`{}`); as a regular Job named by its content it runs again whenever its content changes (an upgrade that bumps its image or settings): check that its command is safe to rerun on a database it set up, or keep it out once installed (premigrate.io/migration: \"false\")",
        ctx.object(job.doc),
        ev.join(",")
    ));
}

/// Warns of a migration image whose tag moves, in a Job named by its content
/// (PM019): a new image under the tag is the same Job, which never reruns. A
/// hook is made again on every upgrade, whatever its content.
pub(crate) fn moving_image(ctx: &Context<'_>, job: &JobFacts<'_>, id: &Identity, plan: &mut Plan) {
    if job.hook {
        return;
    }
    // The main containers: init containers are mostly helpers (a curl that
    // waits for the database) whose image is not the migration's code.
    let containers = job.pod.get("containers").map(Value::items).unwrap_or(&[]);
    let images = containers
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str));
    let Some((image, tag)) = images
        .filter_map(|i| crate::k8s::image_ref::moving_tag(i).map(|t| (i, t)))
        .next()
    else {
        return;
    };
    let how = match tag {
        "" => "has no tag".to_string(),
        t => format!("is tagged `{t}`"),
    };
    // A Job built from a workload is named as the output names it (PM302 too).
    let object = match job.new {
        Some(_) => format!("Job/{} (from {})", id.name, ctx.object(job.doc)),
        None => ctx.object(job.doc),
    };
    plan.note(codes::PM019, Some(job.doc), format!(
        "{object}: image `{image}` {how}, which moves: the Job is named by a hash of its spec, and a new image under that tag leaves the hash as it is, so the finished Job is kept and the new code's migrations do not run; pin the image by version or digest"
    ));
}

/// The Job's deadline: `--timeout`'s; else none when the Job now waits in a
/// gate of its own pod (PM006), else the chart's.
fn deadline(ctx: &Context<'_>, job: &JobFacts<'_>, plan: &mut Plan) -> Option<Hardening> {
    let now = job.value.at(&["spec", "activeDeadlineSeconds"]);
    if let Some(t) = ctx.cfg.timeout_seconds {
        return (now != Some(&Value::Int(t as i64))).then(|| {
            (
                path!["spec", "activeDeadlineSeconds"],
                Some(Value::Int(t as i64)),
                "--timeout",
            )
        });
    }
    let d = now.filter(|_| gated(job))?;
    plan.note(codes::PM006, Some(job.doc), format!(
        "{}: removed spec.activeDeadlineSeconds ({}): it counts from the Job's start, and its pod now waits in a gate first (for the migrations before it, or the apps' rollout); a wait that spent it failed the migration",
        ctx.object(job.doc),
        crate::yaml::value::scalar_text(d)
    ));
    Some((
        path!["spec", "activeDeadlineSeconds"],
        None,
        "the gates in its pod count toward the deadline",
    ))
}

/// Whether premigrate puts a gate in the Job's own pod: a regular migration after
/// a regular one, or a contract step (after the pre migrations, the rollout).
fn gated(job: &JobFacts<'_>) -> bool {
    let p = &job.place;
    !job.hook && p.after.iter().any(|d| !d.hook)
        || p.phase == crate::plan::Phase::Post && (!p.gated_by.is_empty() || !p.rollout.is_empty())
}

/// Kubernetes' default backoffLimit: more than that, once each retry is a new
/// pod, is worth a word.
const DEFAULT_BACKOFF: i64 = 6;

/// Warns when the chart's explicit backoffLimit, kept, is high now that each
/// retry is a new pod (Temporal's schema Job: 100, from in-place retries).
fn high_backoff(ctx: &Context<'_>, job: &JobFacts<'_>, plan: &mut Plan) {
    let Some(&Value::Int(limit)) = job.value.at(&["spec", "backoffLimit"]) else {
        return;
    };
    if limit > DEFAULT_BACKOFF {
        plan.note(codes::PM005, Some(job.doc), format!(
            "{}: keeps the chart's backoffLimit {limit} while its restartPolicy becomes Never: a failing migration makes up to {} pods, each rerunning it, before the Job fails; lower backoffLimit in the chart's values",
            ctx.object(job.doc),
            limit + 1
        ));
    }
}

/// The pod template's annotations that hold the render time (`timestamp: {{ now
/// }}`, `rollme`): removed, as a stamp in the Job's name is. They changed the
/// Job with every render: a new hash, the migration rerun and every gated app
/// rolled on each CI render, for no change at all. So did a `checksum/*` of a
/// Secret with a random password (ZenML's JWT key): removed too, as from a
/// Job built out of a workload.
fn render_time_annotations(v: &Value) -> Vec<Hardening> {
    let annotations = v
        .at(&["spec", "template", "metadata", "annotations"])
        .map(Value::entries)
        .unwrap_or(&[]);
    let mut out = Vec::new();
    for (k, val) in annotations {
        let why = if val.as_str().is_some_and(|t| is_render_time(k, t)) {
            "the pod template's annotation holds the render time, which changes with every render: the content hash names the Job instead"
        } else if k.starts_with("checksum/") {
            "a `checksum/*` annotation rolls pods when the chart's config or Secrets change; a Job's pods never roll, the hash covers the ConfigMaps it reads and leaves Secrets out on purpose (a random password renamed the Job on every render)"
        } else {
            continue;
        };
        let mut p = path!["spec", "template", "metadata", "annotations"];
        p.push(Seg::Key(k.to_string()));
        out.push((p, None, why));
    }
    out
}

/// References (with hook copies from an earlier run mapped back to what they
/// copy), then the hash of the hardened spec and the hashed name.
pub(crate) fn identify(ctx: &Context<'_>, job: &JobFacts<'_>, hardening: &[Hardening]) -> Identity {
    let pod_path: Vec<Seg> = k8s::POD_TEMPLATE_SPEC
        .iter()
        .map(|s| Seg::Key(s.to_string()))
        .collect();
    let refs = k8s::pod_refs(job.pod, &pod_path);
    let mut hash_input = job.value.get("spec").cloned().unwrap_or(Value::Null);
    let mut root_view = Value::map([("spec", hash_input.clone())]);
    for r in &refs {
        if let Some(orig) = ctx.copy_of(r.kind, &job.ns, &r.name) {
            edit::apply_to_value(&mut root_view, &Edit::Set(r.path.clone(), Value::str(orig)));
        }
    }
    for (p, val, _) in hardening {
        match val {
            Some(val) => edit::apply_to_value(&mut root_view, &Edit::Set(p.clone(), val.clone())),
            None => edit::apply_to_value(&mut root_view, &Edit::Remove(p.clone())),
        }
    }
    if let Some(s) = root_view.get("spec") {
        hash_input = s.clone();
    }
    without_own_gates(&mut hash_input);
    with_original_names(&mut hash_input, &job.place.originals);
    // A migration that follows others reruns when one of them changes: their names
    // are part of its content (its gate on them, its place in the order).
    let mut salt = ctx.cfg.salt.clone();
    for d in &job.place.after {
        salt.push_str("\nafter ");
        salt.push_str(&d.name);
    }
    // A contract step's gates wait for every regular pre migration: a new name
    // of one changes its pod template, which a Job cannot change in place.
    // Sorted: the order of the stream's documents changes on a rerun.
    let mut waits: Vec<&str> = job
        .place
        .gated_by
        .iter()
        .filter(|d| !job.place.after.contains(d))
        .map(|d| d.name.as_str())
        .collect();
    waits.sort_unstable();
    for name in waits {
        salt.push_str("\nwaits for ");
        salt.push_str(name);
    }
    for app in &job.place.rollout {
        salt.push_str("\nafter the rollout of ");
        salt.push_str(app);
    }
    salt.push_str(&config_maps_read(ctx, &job.ns, &refs));
    let hash = content_hash(&job.ns, &hash_input, &salt);
    let name = match keeps_its_name(job) {
        true => job.current_name.clone(),
        false => hashed_name(&job.original, &hash),
    };
    Identity { refs, hash, name }
}

/// The data of the ConfigMaps of the stream the Job reads (its scripts, its
/// settings), one digest each, sorted by name: a changed migration script must
/// rerun the migration, and under GitOps a Job whose name stays is never run
/// again (Zammad's `zammad-init` script). Secrets are left out: charts generate
/// theirs on every render, which would rerun the migration on each one.
fn config_maps_read(ctx: &Context<'_>, ns: &str, refs: &[Ref]) -> String {
    let kind = k8s::RefKind::ConfigMap;
    let mut names: Vec<&str> = refs
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| ctx.copy_of(kind, ns, &r.name).unwrap_or(&r.name))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut salt = String::new();
    for name in names {
        let defined = ctx
            .def(kind, ns, name)
            .or_else(|| ctx.hook_def(kind, ns, name));
        let Some(digest) = defined.and_then(|i| config_digest(ctx, i)) else {
            continue;
        };
        salt.push_str("\nreads ConfigMap ");
        salt.push_str(name);
        salt.push(' ');
        salt.push_str(&digest);
    }
    salt
}

/// The digest of ConfigMap `i`'s `data` and `binaryData`, computed once per run.
fn config_digest(ctx: &Context<'_>, i: usize) -> Option<String> {
    let known = |d: &std::collections::BTreeMap<usize, String>| d.get(&i).cloned();
    if let Some(d) = ctx.config_digests.lock().ok().and_then(|d| known(&d)) {
        return Some(d);
    }
    let v = ctx.value(i)?;
    let data =
        Value::map(["data", "binaryData"].map(|k| (k, v.get(k).cloned().unwrap_or(Value::Null))));
    let digest = content_hash("", &data, "");
    if let Ok(mut d) = ctx.config_digests.lock() {
        d.insert(i, digest.clone());
    }
    Some(digest)
}

/// Takes premigrate's own gates (and their token volume) out of a Job spec: a
/// Job that waits for another is named by what it runs, not by its gate.
fn without_own_gates(spec: &mut Value) {
    let Some(Value::Map(template)) = spec.get("template").cloned() else {
        return;
    };
    let mut template = Value::Map(template);
    if let Some(Value::Map(pod)) = template.get("spec").cloned() {
        let mut pod = Value::Map(pod);
        for (list, own) in [
            ("initContainers", is_gate as fn(&Value) -> bool),
            ("volumes", is_token_volume),
        ] {
            match pod.get(list) {
                Some(Value::Seq(items)) => {
                    let kept: Vec<Value> = items.iter().filter(|c| !own(c)).cloned().collect();
                    if kept.is_empty() {
                        pod.remove(list);
                    } else if kept.len() != items.len() {
                        pod.set(list, Value::Seq(kept.into()));
                    }
                }
                // `initContainers:` rendered empty is no list to Kubernetes, as
                // is one that held only premigrate's gates: a Job derived from
                // a workload with the gate and one without hash alike (Kratos).
                Some(Value::Null) => {
                    pod.remove(list);
                }
                _ => {}
            }
        }
        template.set("spec", pod);
        spec.set("template", template);
    }
}

/// A hook that runs on install or on upgrade only keeps the chart's name: Helm
/// recreates it by name anyway, and a new name would leave what waits for it on
/// the other event waiting for a Job that never runs.
fn keeps_its_name(job: &JobFacts<'_>) -> bool {
    let Some(ev) = job.events.as_ref().filter(|_| job.hook) else {
        return false;
    };
    let on = |suffix: &str| ev.iter().any(|e| e.ends_with(suffix));
    !(on("-install") && on("-upgrade"))
}

/// Points the chart's own gates in a Job spec back at the migrations' original
/// names, and a k8s-wait-for `job` gate at the `job-wr` the output writes:
/// premigrate renames what they wait for, and the hash must not follow.
fn with_original_names(spec: &mut Value, originals: &[String]) {
    let Some(pod) = spec.at(&["template", "spec"]).cloned() else {
        return;
    };
    let mut root = Value::map([("spec", spec.clone())]);
    for g in crate::plan::graph::chart_gates::find(&pod) {
        for j in &g.jobs {
            // A k8s-wait-for `job` gate the output turns into `job-wr`
            // (`gates::chart`): hashed as it will be written.
            if let Some(mode) = &j.fail_blind {
                let mut path = crate::path!["spec", "template", "spec"];
                path.extend(mode.iter().cloned());
                edit::apply_to_value(&mut root, &Edit::Set(path, Value::str("job-wr")));
            }
            // Also the chart's own name for it (a values hash or a stamp at
            // its end), which a rerun reads as the hashed name: hashed alike.
            let chart_name = crate::plan::jobs::hash::render_stamp(&j.name).map(|(b, _)| b);
            let Some(orig) = originals.iter().find(|o| {
                crate::plan::jobs::hash::is_hashed_name_of(&j.name, o)
                    || chart_name == Some(o.as_str())
            }) else {
                continue;
            };
            let mut path = crate::path!["spec", "template", "spec"];
            path.extend(j.path.iter().cloned());
            let Some(Value::Str(text)) = crate::k8s::at(&root, &path).cloned() else {
                continue;
            };
            let new = match j.whole {
                true => orig.clone(),
                false => crate::plan::graph::chart_gates::rename_in(&text, &j.name, orig),
            };
            edit::apply_to_value(&mut root, &Edit::Set(path, Value::str(new)));
        }
    }
    if let Some(s) = root.get("spec") {
        *spec = s.clone();
    }
}

/// The Job's first own edits: hardening, the rename, the annotations recording them.
pub(crate) fn edits(job: &JobFacts<'_>, hardening: &[Hardening], id: &Identity) -> JobEdits {
    let mut own_edits: JobEdits = Vec::new();
    for (p, val, why) in hardening {
        match val {
            Some(val) => own_edits.push((
                Edit::Set(p.clone(), val.clone()),
                format!("set {} = {}: {why}", edit::path_string(p), val.to_flow()),
            )),
            None => own_edits.push((
                Edit::Remove(p.clone()),
                format!("removed {} ({why})", edit::path_string(p)),
            )),
        }
    }
    if job.current_name != id.name {
        own_edits.push((
            Edit::Set(path!["metadata", "name"], Value::str(&id.name)),
            match crate::plan::jobs::hash::render_stamp(&job.current_name) {
                Some((_, stamp)) if job.original != job.current_name
                    && crate::plan::jobs::hash::values_hash_suffix(&job.current_name).is_some() => format!(
                    "renamed {} → {} (content hash; the chart's name ends with a hash of its values, {stamp}, which changes with any value of the chart)",
                    job.current_name, id.name
                ),
                Some((_, stamp)) if job.original != job.current_name => format!(
                    "renamed {} → {} (content hash; the chart's name ends with its render time, {stamp}, which changes with every render)",
                    job.current_name, id.name
                ),
                _ => format!("renamed {} → {} (content hash)", job.current_name, id.name),
            },
        ));
    }
    let v = job.value;
    job_annotation(
        &mut own_edits,
        v,
        own::ORIGINAL_NAME,
        &job.original,
        "records the name before hashing",
    );
    job_annotation(
        &mut own_edits,
        v,
        own::HASH,
        &id.hash,
        "records the content hash",
    );
    // With several migrations every one records its predecessors (none: ""), so a
    // rerun, which no longer sees the chart's hook events, keeps the same order.
    if job.place.originals.len() > 1 && !job.place.explicit_after {
        let names: Vec<&str> = job
            .place
            .after
            .iter()
            .map(|d| d.original.as_str())
            .collect();
        job_annotation(
            &mut own_edits,
            v,
            own::AFTER,
            &names.join(","),
            "records the order of the release's migrations, so a rerun keeps it",
        );
    }
    own_edits
}

/// What the Job uses, by original name, with the document that defines it when the stream does.
pub(crate) fn dependencies(ctx: &Context<'_>, job: &JobFacts<'_>, refs: &[Ref]) -> Vec<Dependency> {
    let ns = &job.ns;
    let mut uses: Vec<Dependency> = Vec::new();
    for r in refs {
        let orig_name = ctx
            .copy_of(r.kind, ns, &r.name)
            .unwrap_or(&r.name)
            .to_string();
        let def = ctx.def(r.kind, ns, &orig_name);
        // A chart hook Job that creates or fills it at run time stands for its
        // definition, when it runs later than the hook that defines it
        // (Passbolt's key Jobs `kubectl patch` the empty key Secrets).
        let weight = |&d: &usize| {
            ctx.value(d)
                .and_then(crate::plan::context::hook_weight)
                .unwrap_or(0)
        };
        let hook = def.is_none().then(|| {
            let by_job = super::created::by_hook_job(ctx, r.kind, ns, &orig_name);
            [ctx.hook_def(r.kind, ns, &orig_name), by_job]
                .into_iter()
                .flatten()
                .max_by_key(weight)
        });
        let hook = hook.flatten();
        if !uses.iter().any(|u| u.kind == r.kind && u.name == orig_name) {
            uses.push(Dependency {
                kind: r.kind,
                name: orig_name,
                doc: def,
                hook,
            });
        }
    }
    uses
}
