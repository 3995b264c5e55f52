//! The `hooks` target: the migration Job becomes a Helm pre-install/pre-upgrade
//! hook (the chart's own hook events and delete policy are kept), and what it
//! uses gets a hook copy one weight earlier, so a first install finds it.

use crate::diag::codes;
use crate::diag::Error;
use crate::k8s::engines::{self, own, Role};
use crate::path;
use crate::plan::context::{
    annotation, annotation_path, ensure_separator, fill, generated_marker, Context, Fills,
};
use crate::plan::jobs::facts::{job_annotation, JobEdits, JobFacts};
use crate::plan::jobs::hash::{content_hash, hashed_name};
use crate::plan::jobs::identity::Identity;
use crate::plan::model::{Added, Dependency, Plan};
use crate::yaml::edit::{self, Edit};
use crate::yaml::Value;

/// The hook settings the Job and its copies share.
pub(super) struct Hook {
    /// Whether the chart made the Job a hook itself.
    author_hook: bool,
    /// The hook events.
    pub(super) events: String,
    /// The Job's hook weight.
    pub(super) weight: i64,
    /// The chart's delete policy, when it made the Job a hook.
    delete: Option<String>,
    /// The chart's post events were made pre ones ([`as_pre`]).
    made_pre: bool,
}

/// Plans the Job as a Helm hook, with hook copies of what it uses.
pub(crate) fn plan(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    id: &Identity,
    uses: &[Dependency],
    own_edits: &mut JobEdits,
    plan: &mut Plan,
) -> Result<i64, Error> {
    let hook = settings(ctx, job, uses, plan);
    annotate(ctx, job, (&hook, id), own_edits);
    if hook.author_hook {
        precede(ctx, job, &hook, uses, plan);
    }
    if hook.author_hook
        && ctx.cfg.hooks_gates_wait()
        && hook
            .delete
            .as_deref()
            .is_some_and(|d| d.contains("hook-succeeded"))
    {
        plan.note(codes::PM208, Some(job.doc), format!(
            "{}: the chart's delete policy `{}` deletes the Job when it succeeds, so the gates asked for never see it complete; drop hook-succeeded from the chart's helm.sh/hook-delete-policy, or use --gate-style check",
            job.object,
            hook.delete.as_deref().unwrap_or("")
        ));
    }
    // Post hooks run once the release's regular resources exist: no copies.
    if hook.events.split(',').any(|e| e.trim().starts_with("pre-")) {
        for dep in uses {
            copy_dependency(ctx, job, id, &hook, dep, own_edits, plan)?;
        }
    }
    Ok(hook.weight)
}

/// The events, weight and delete policy: the chart's when it made the Job a hook.
fn settings(ctx: &Context<'_>, job: &JobFacts<'_>, uses: &[Dependency], plan: &mut Plan) -> Hook {
    let v = job.value;
    let author_hook = job.events.is_some();
    let made_pre = made_pre(ctx, job);
    let events = match &job.events {
        Some(e) if made_pre => {
            let pre = as_pre(e);
            plan.note(codes::PM101, Some(job.doc), format!("{}: the chart makes this Job a `{}` hook, which Helm runs after the apps it holds back (`helm install --wait` waits for them first, and they wait for the migration or fail on the old schema); nothing it needs starts with the release, so it becomes a `{pre}` hook, with hook copies of what it uses; {}", job.object, e.join(","), policy_said(v)));
            pre
        }
        Some(e) => {
            plan.note(
                codes::PM101,
                Some(job.doc),
                format!(
                    "{}: the chart already makes this Job a `{}` hook; its events are kept; {}",
                    job.object,
                    e.join(","),
                    policy_said(v)
                ),
            );
            e.join(",")
        }
        // A contract step (`premigrate.io/phase: post`) runs after the apps.
        None if job.phase == crate::plan::model::Phase::Post => engines::POST_EVENTS.to_string(),
        None => engines::PRE_EVENTS.to_string(),
    };
    // A chart's hook without a weight is at Helm's default, 0.
    let base = match author_hook {
        true => 0,
        false => ctx.cfg.hook_weight,
    };
    let weight = match crate::plan::context::hook_weight(v) {
        Some(w) if author_hook => w,
        // After the hooks it follows (each with its copies one weight lower).
        _ => job
            .place
            .after
            .iter()
            .filter_map(|d| d.weight)
            .map(|w| w.saturating_add(2))
            .chain(chart_hook_weights(ctx, uses).map(|w| w.saturating_add(1)))
            .chain(data_hooks(ctx, job).map(|(_, w)| w.saturating_add(1)))
            .fold(base, i64::max),
    };
    // The policy premigrate itself wrote on an earlier run is not the chart's: read
    // as the chart's, it would reach the copies and flip theirs on the rerun.
    let rerun = annotation(v, own::HASH).is_some();
    let delete = annotation(v, engines::HELM_HOOK_DELETE)
        .filter(|_| author_hook)
        .filter(|d| !(rerun && *d == own_delete_policy(ctx)))
        .map(str::to_string);
    Hook {
        author_hook,
        events,
        weight,
        delete,
        made_pre,
    }
}

/// Whether the chart's hook events of a pre migration are made pre ones
/// ([`as_pre`]): they run it after the apps it holds back (a Job that mounts
/// a claim of the release is no hook: `claims_keep_it_regular`).
pub(crate) fn made_pre(ctx: &Context<'_>, job: &JobFacts<'_>) -> bool {
    // A chart gate that waits for a Job Helm deletes once the pre hooks
    // succeeded would never see it: such a hook stays where the chart put it.
    let deleted_under_a_gate = named_by_a_gate(ctx, job)
        && annotation(job.value, engines::HELM_HOOK_DELETE)
            .is_some_and(|d| d.contains("hook-succeeded"));
    job.phase == crate::plan::model::Phase::Pre
        && job.events.as_deref().is_some_and(runs_after_apps)
        && !deleted_under_a_gate
}

/// Whether a chart's hook events run it after the release's objects on
/// install or on upgrade (`post-install` with no `pre-install`: Prefect's
/// `post-install,pre-upgrade`).
fn runs_after_apps(events: &[String]) -> bool {
    let has = |e: &str| events.iter().any(|x| x == e);
    (has("post-install") && !has("pre-install")) || (has("post-upgrade") && !has("pre-upgrade"))
}

/// The pre events of a main migration the chart made a post hook: each
/// `post-*` of install, upgrade and rollback as `pre-*`; a migration on
/// uninstall (`*-delete`) dropped, as under GitOps (it would start after its
/// ServiceAccount is gone, and Helm waits for it until the timeout).
fn as_pre(events: &[String]) -> String {
    let mut out: Vec<String> = events
        .iter()
        .filter(|e| !e.ends_with("-delete"))
        .map(|e| match e.strip_prefix("post-") {
            Some(rest) => format!("pre-{rest}"),
            None => e.clone(),
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    out.retain(|e| seen.insert(e.clone()));
    out.join(",")
}

/// Moves a chart hook the Job uses, that Helm would create after it (at its
/// weight or above: ties go by name), one weight below it. Helm waits for a
/// hook Job before it creates the next hook, so the Job would wait for it until
/// the timeout (Mastodon's `db-prepare` and the Secrets it reads, all at -3).
/// The chart's own weight of the Job stays: it orders the Job among the others.
fn precede(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    hook: &Hook,
    uses: &[Dependency],
    plan: &mut Plan,
) {
    let below = hook.weight.saturating_sub(1);
    let data: Vec<usize> = data_hooks(ctx, job)
        .filter(|&(_, w)| w >= hook.weight)
        .map(|(d, _)| d)
        .collect();
    for h in uses
        .iter()
        .filter(|d| d.doc.is_none())
        .filter_map(|d| d.hook)
        .chain(data)
    {
        let Some(v) = ctx.value(h) else { continue };
        // A hook of other events never runs beside the Job (Bitwarden's
        // `pre-install` Secret maker and its `pre-upgrade` migration): moved
        // below the Job, it ran before the ServiceAccount hook it runs as.
        let theirs = annotation(v, engines::HELM_HOOK).unwrap_or_default();
        let ours: Vec<&str> = hook.events.split(',').map(str::trim).collect();
        if !theirs.split(',').map(str::trim).any(|e| ours.contains(&e)) {
            continue;
        }
        let why = format!(
            "{} uses it: Helm creates hooks by weight, then name, and waits for the Job before the next one",
            job.object
        );
        crate::plan::context::lower_number(plan, (v, h), engines::HELM_HOOK_WEIGHT, below, &why);
    }
}

/// The data services the Job needs that are chart `pre-install` hooks, with
/// their weights: Helm must create them before the Job.
fn data_hooks<'a>(
    ctx: &'a Context<'_>,
    job: &'a JobFacts<'_>,
) -> impl Iterator<Item = (usize, i64)> + 'a {
    job.place
        .data
        .iter()
        .filter(|(d, _)| crate::plan::jobs::order::installed_before_hooks(ctx, *d))
        .map(|(d, _)| {
            let w = ctx.value(*d).and_then(crate::plan::context::hook_weight);
            (*d, w.unwrap_or(0))
        })
}

/// The weights of the chart's hooks the Job uses (a Secret only a hook defines,
/// as Ory Kratos's): Helm creates them by weight, so the Job comes after them.
fn chart_hook_weights<'a>(
    ctx: &'a Context<'_>,
    uses: &'a [Dependency],
) -> impl Iterator<Item = i64> + 'a {
    uses.iter()
        .filter(|d| d.doc.is_none())
        .filter_map(|d| d.hook)
        .map(|h| {
            ctx.value(h)
                .and_then(crate::plan::context::hook_weight)
                .unwrap_or(0)
        })
}

/// The delete policy premigrate writes on a migration Job the chart did not make a hook.
fn own_delete_policy(ctx: &Context<'_>) -> String {
    if ctx.cfg.hooks_gates_wait() {
        // Gates asked for under hooks wait for the Job: it must outlive its success.
        return "before-hook-creation".to_string();
    }
    engines::rows(Role::HookJob)
        .find(|r| r.key == engines::HELM_HOOK_DELETE)
        .map(|r| fill(r.fill, &Fills::hook("", "", 0)))
        .unwrap_or_default()
}

/// The Job's hook annotations (what the chart set itself is kept).
fn annotate(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    (hook, id): (&Hook, &Identity),
    own_edits: &mut JobEdits,
) {
    let v = job.value;
    for row in engines::rows(Role::HookJob) {
        if hook.made_pre && row.key == engines::HELM_HOOK {
            let why = "runs the chart's migration before the apps it holds back (PM101)";
            job_annotation(own_edits, v, row.key, &hook.events, why);
            continue;
        }
        if let Some(kept) = annotation(v, row.key).filter(|_| hook.author_hook) {
            // A hook that keeps the chart's name is replaced by it, as Helm does.
            if row.key == engines::HELM_HOOK_DELETE && id.name != job.original {
                delete_once_done(ctx, job, kept, own_edits);
            } else if row.key == engines::HELM_HOOK_DELETE {
                delete_before_made_again(job, kept, own_edits);
            }
            continue;
        }
        if hook.author_hook && row.key == engines::HELM_HOOK_WEIGHT {
            // The chart's hook keeps Helm's default weight unless what it
            // follows or uses needs a higher one.
            if hook.weight != 0 {
                let why = "orders the chart's hook after the hooks it follows or uses (Helm runs hooks by weight)";
                job_annotation(own_edits, v, row.key, &hook.weight.to_string(), why);
            }
            continue;
        }
        let value = match row.key == engines::HELM_HOOK_DELETE {
            // The chart's own gates wait for the Job by name: it must outlive its success.
            true if named_by_a_gate(ctx, job) => "before-hook-creation".to_string(),
            true => own_delete_policy(ctx),
            false => fill(
                row.fill,
                &Fills::hook(&job.original, &hook.events, hook.weight),
            ),
        };
        let why = match hook.author_hook && row.key == engines::HELM_HOOK_DELETE {
            true if !value.contains("hook-succeeded") => "the chart's hook sets no delete policy: a failed Job is deleted before it is made again; one that succeeded is kept, as a gate waits for it by name",
            true => "the chart's hook sets no delete policy: a failed Job is deleted before it is made again, and one named by its content once it succeeded (else each changed spec would leave the previous one behind)",
            false => "makes the migration a Helm hook that runs before the workloads",
        };
        job_annotation(own_edits, v, row.key, &value, why);
    }
}

/// What becomes of a chart hook's delete policy, in words.
fn policy_said(v: &Value) -> &'static str {
    match annotation(v, engines::HELM_HOOK_DELETE) {
        None => "it sets no delete policy, so it gets premigrate's",
        Some(p) if p.split(',').any(|x| x.trim() == "before-hook-creation") => {
            "its delete policy is kept (hook-succeeded added if the Job is named by its content and nothing waits for it by name)"
        }
        Some(_) => "its delete policy gains before-hook-creation (a failed Job is deleted before it is made again)",
    }
}

/// The delete policy of a chart's hook that premigrate renames by content:
/// `hook-succeeded` added when nothing waits for the Job by name
/// (`before-hook-creation` alone deletes only a hook of the same name, so
/// each changed spec left the last Job behind for good: ZITADEL's init and
/// setup, Infisical's schema Job), and `before-hook-creation` always (Helm
/// applies it only when no policy is set: with `hook-succeeded` alone, a
/// failed Job stayed and a retry of the same content failed on "already
/// exists", Miniflux's migration hook).
fn delete_once_done(ctx: &Context<'_>, job: &JobFacts<'_>, policy: &str, own_edits: &mut JobEdits) {
    let has = |p: &str| policy.split(',').any(|x| x.trim() == p);
    let mut parts: Vec<&str> = (policy.split(',').map(str::trim))
        .filter(|p| !p.is_empty())
        .collect();
    let mut why = Vec::new();
    if !has("before-hook-creation") {
        parts.insert(0, "before-hook-creation");
        why.push("a failed Job is deleted before it is made again: with the chart's policy alone, a retry of the same content failed on \"already exists\"");
    }
    if !(has("hook-succeeded") || named_by_a_gate(ctx, job) || ctx.cfg.hooks_gates_wait()) {
        parts.push("hook-succeeded");
        why.push("the Job is named by its content: without hook-succeeded, each changed spec would leave the previous one behind (before-hook-creation deletes only a hook of the same name)");
    }
    if why.is_empty() {
        return;
    }
    let value = parts.join(",");
    job_annotation(
        own_edits,
        job.value,
        engines::HELM_HOOK_DELETE,
        &value,
        &why.join("; "),
    );
}

/// Adds `before-hook-creation` to the delete policy of a hook that keeps its
/// name: Helm applies that default only when no policy is set, so with
/// `hook-succeeded` alone a failed Job stayed, and every later upgrade failed
/// on "already exists" (Gravitee's upgrader before 3.1.65).
fn delete_before_made_again(job: &JobFacts<'_>, policy: &str, own_edits: &mut JobEdits) {
    if policy
        .split(',')
        .any(|x| x.trim() == "before-hook-creation")
    {
        return;
    }
    job_annotation(
        own_edits,
        job.value,
        engines::HELM_HOOK_DELETE,
        &format!("before-hook-creation,{}", policy.trim()),
        "a hook that keeps its name is deleted before it is made again: with the chart's policy alone, a failed Job of the last release made the next one fail (\"already exists\")",
    );
}

/// Whether a chart's own gate in the stream waits for this Job by name.
fn named_by_a_gate(ctx: &Context<'_>, job: &JobFacts<'_>) -> bool {
    ctx.gated_jobs.iter().any(|name| {
        *name == job.original
            || *name == job.current_name
            || crate::plan::jobs::hash::is_hashed_name_of(name, &job.original)
    })
}

/// A hook copy of one thing the Job uses, and the Job pointed at it.
fn copy_dependency(
    ctx: &Context<'_>,
    job: &JobFacts<'_>,
    id: &Identity,
    hook: &Hook,
    dep: &Dependency,
    own_edits: &mut JobEdits,
    plan: &mut Plan,
) -> Result<(), Error> {
    // A chart hook is copied only when the Job's pod cannot be made without
    // it (its ServiceAccount); a hook ConfigMap or Secret is state the chart
    // writes at its own time (OpenReplay's post-upgrade `openreplay-version`
    // holds the last release's version, which its migration reads).
    let sa = dep.kind == crate::k8s::kinds::RefKind::ServiceAccount;
    let hook_def = dep.hook.filter(|&h| sa && absent_on_install(ctx, h, hook));
    let Some(def) = dep.doc.or(hook_def) else {
        return Ok(());
    };
    let copy_name = copy_name(&job.ns, dep, &id.hash);
    for r in id.refs.iter().filter(|r| {
        r.kind == dep.kind
            && (r.name == dep.name
                || ctx.copy_of(r.kind, &job.ns, &r.name) == Some(dep.name.as_str()))
    }) {
        if r.name != copy_name {
            own_edits.push((
                Edit::Set(r.path.clone(), Value::str(&copy_name)),
                format!(
                    "points {} at the hook copy {copy_name}",
                    edit::path_string(&r.path)
                ),
            ));
        }
    }
    let text = copy_doc(ctx, def, (&copy_name, &dep.name), hook, vec![])?;
    plan.added.push(Added {
        text,
        object: format!("{}/{copy_name}", dep.kind.kind()),
        derived_from: def,
        before: job.doc,
        why: format!(
            "hook copy of {}/{} at weight {}: {}",
            dep.kind.kind(),
            dep.name,
            hook.weight - 1,
            copy_reason(hook, dep.kind.kind())
        ),
        hook: Some((hook.events.clone(), hook.weight - 1)),
        ahead_of: Vec::new(),
    });
    if dep.kind == crate::k8s::kinds::RefKind::ServiceAccount {
        let sa = (dep.name.as_str(), copy_name.as_str());
        super::hook_rbac::copy_bindings(ctx, (job, &id.hash), hook, sa, plan)?;
    }
    Ok(())
}

/// Whether chart hook `h` is missing when the Job's `pre-install` hook runs:
/// not a `pre-install` hook itself (ReportPortal's ServiceAccount under
/// `global.argocd.enabled` is a hook of upgrades only).
fn absent_on_install(ctx: &Context<'_>, h: usize, hook: &Hook) -> bool {
    let ours = hook.events.split(',').any(|e| e.trim() == "pre-install");
    let theirs = ctx.value(h).and_then(super::find::hook_events);
    ours && theirs.is_some_and(|t| !t.iter().any(|e| e == "pre-install"))
}

/// Why a hook needs a copy: on a first install the chart's own object does not
/// exist when pre-install hooks run; at a pre-upgrade hook (Funkwhale's
/// upgrade-only migration) it still holds the last release's values.
fn copy_reason(hook: &Hook, kind: &str) -> String {
    match hook.events.split(',').any(|e| e.trim() == "pre-install") {
        true => format!("on a first install the chart's own {kind} does not exist yet when pre-install hooks run"),
        false => format!("the chart's own {kind} still holds the last release's values when pre-upgrade hooks run (Helm applies the new one after them)"),
    }
}

/// The name of a hook copy: `<source name cut to fit>-<hash>`, where the hash folds
/// the source's kind and name into the Job's content hash. Two sources whose names
/// share a long prefix get distinct copies (the cut base alone would collide), and
/// a rerun, which maps every copy back to its source, computes the same names.
fn copy_name(ns: &str, dep: &Dependency, job_hash: &str) -> String {
    let source = Value::str(format!("{}/{}", dep.kind.kind(), dep.name));
    hashed_name(&dep.name, &content_hash(ns, &source, job_hash))
}

/// A hook copy of a regular document: its own text, renamed and annotated,
/// so every value stays as written; `extra` edits it further (a binding's
/// subjects pointed at copies).
pub(super) fn copy_doc(
    ctx: &Context<'_>,
    def: usize,
    (copy_name, original): (&str, &str),
    hook: &Hook,
    extra: Vec<Edit>,
) -> Result<String, Error> {
    let mut edits = extra;
    edits.extend([
        Edit::Set(path!["metadata", "name"], Value::str(copy_name)),
        Edit::Set(
            annotation_path(own::GENERATED),
            Value::str(generated_marker(ctx.kind(def), original)),
        ),
        Edit::Set(annotation_path(own::ORIGINAL_NAME), Value::str(original)),
    ]);
    // A copy is only the Job's: it goes once the hooks succeeded, whatever the Job's
    // own policy (which a gate may make `before-hook-creation`: a rerun must agree).
    for row in engines::rows(Role::HookDependency) {
        let value = fill(row.fill, &Fills::hook(original, &hook.events, hook.weight));
        edits.push(Edit::Set(annotation_path(row.key), Value::str(value)));
    }
    // Not the regular object's place in Argo CD's waves or kapp's groups (an
    // earlier run may have written it there): Helm orders the copy by its weight.
    let source = crate::plan::graph::roles::peek(ctx.index, def);
    let annotations = source
        .as_deref()
        .and_then(|v| v.at(&["metadata", "annotations"]))
        .map(Value::entries)
        .unwrap_or(&[]);
    for (k, _) in annotations {
        let ordering = k == engines::ARGO_WAVE
            || k.starts_with(engines::KAPP_GROUP)
            || k.starts_with(engines::KAPP_RULE);
        // Helm ignores `keep` on a hook and deletes the copy by its policy:
        // left on the copy, it only misleads (Kiwi TCMS's Secret).
        if ordering || k == engines::HELM_RESOURCE_POLICY {
            edits.push(Edit::Remove(annotation_path(k)));
        }
    }
    let text = ctx.index.stream.doc_text(def);
    let out = edit::apply(text, &ctx.index.tree(def), &edits).map_err(|e| {
        Error::at(
            ctx.index.location(def),
            format!("cannot copy this document as a hook: {}", e.message),
        )
    })?;
    Ok(ensure_separator(out))
}
