//! Finding migration Jobs in the stream: an annotation, `--job`, `--job-selector`,
//! or detection by name and command (with the user's patterns); and the workloads (everything else with a
//! pod template) with the range of their Argo CD waves.

use crate::detect::Match;
use crate::k8s::engines::{self, own};
use crate::k8s::{self, POD_TEMPLATE_SPEC};
use crate::plan::context::{annotation, yaml11_bool, Context};
use crate::plan::jobs::facts::Workloads;
use crate::yaml::Value;

/// A migration Job of the stream: its document, why, and its hook events.
pub(crate) type Found = (usize, Match, Option<Vec<String>>);

/// The Jobs of a stream, sorted: migrations, possible ones (each with how to
/// confirm it), and uninstall or rollback hooks the user named a migration.
#[derive(Default)]
pub(crate) struct Sorted {
    /// The migrations.
    pub(crate) found: Vec<Found>,
    /// Jobs detection finds possible only, with how to confirm each.
    pub(crate) possible: Vec<(usize, String)>,
    /// Hooks Helm runs on uninstall or rollback only that `--job`, the
    /// selector or the annotation names (PM022), with how.
    pub(crate) lifecycle: Vec<(usize, Match)>,
}

/// Hook events that never run on an install or an upgrade: a Job that has
/// only these is no migration, whatever names it (DHIS2's `pre-delete` Job
/// drops the analytics database; made a regular Job, it ran on every deploy).
const LIFECYCLE_EVENTS: &[&str] = &["pre-delete", "post-delete", "pre-rollback", "post-rollback"];

/// Whether the user named the Job a migration (an annotation, `--job`, the
/// selector, a pattern of theirs), not detection.
fn named_by_user(m: &Match) -> bool {
    let user = ["annotation", "--job", "--job-selector"];
    user.contains(&m.rule) || m.rule == crate::plan::detection::PATTERN_RULE
}

/// Whether hook events are of uninstall or rollback only.
pub(crate) fn lifecycle_only(events: Option<&[String]>) -> bool {
    events.is_some_and(|ev| {
        !ev.is_empty() && ev.iter().all(|e| LIFECYCLE_EVENTS.contains(&e.as_str()))
    })
}

/// The stream's migration Jobs (Helm test hooks and premigrate's own documents are
/// not), and the Jobs detection finds possible only, each with how to confirm it.
pub(crate) fn jobs(ctx: &Context<'_>) -> Sorted {
    let mut out = Sorted::default();
    for (i, v, events) in candidates(ctx, "Job") {
        let lifecycle = lifecycle_only(events.as_deref());
        match why_migration(ctx, i, v) {
            Ok(m) if lifecycle && named_by_user(&m) => out.lifecycle.push((i, m)),
            Ok(_) if lifecycle => {}
            Ok(m) => out.found.push((i, m, events)),
            Err(Some(_)) if lifecycle => {}
            Err(Some(hint)) => out.possible.push((i, hint)),
            Err(None) => {}
        }
    }
    out
}

/// The documents of `kind` that may run a migration, with their values and hook
/// events: not premigrate's own, not Helm test hooks.
fn candidates<'c>(
    ctx: &'c Context<'_>,
    kind: &'c str,
) -> impl Iterator<Item = (usize, &'c Value, Option<Vec<String>>)> + 'c {
    (0..ctx.index.entries.len())
        .filter(move |&i| ctx.kind(i) == kind && !ctx.generated.contains(&i))
        .filter_map(|i| ctx.value(i).map(|v| (i, v, hook_events(v))))
        .filter(|(_, v, _)| !crate::k8s::is_test_hook(v))
}

/// The bare Pods of the stream that run a migration (the annotation, `--job`,
/// or detection on their pod spec; Helm test hooks left out): premigrate
/// cannot order them, but says so (PM014).
pub(crate) fn pod_migrations(ctx: &Context<'_>) -> Vec<(usize, Match)> {
    let mut out = Vec::new();
    for (i, v, events) in candidates(ctx, "Pod") {
        let name = ctx.index.entries[i].info.name.as_deref().unwrap_or("");
        let marked = annotation(v, own::MIGRATION).and_then(yaml11_bool);
        let found = match marked {
            Some(true) => Some(Match {
                rule: "annotation",
                detail: format!("{}: \"true\"", own::MIGRATION),
            }),
            Some(false) => None,
            None if ctx.cfg.jobs.iter().any(|g| crate::detect::glob(g, name)) => Some(Match {
                rule: "--job",
                detail: format!("name `{name}` matches --job"),
            }),
            None => v
                .get("spec")
                .map(|pod| verdict(ctx, name, pod, events.as_deref()))
                .filter(|verdict| verdict.is_migration())
                .map(|verdict| to_match(&verdict)),
        };
        out.extend(found.map(|m| (i, m)));
    }
    out
}

/// Workloads are everything with a pod template that is not a migration, with their wave range.
pub(crate) fn workloads(ctx: &Context<'_>, found: &[Found]) -> Workloads {
    let migration_docs: Vec<usize> = found.iter().map(|f| f.0).collect();
    let docs: Vec<usize> = (0..ctx.index.entries.len())
        .filter(|&i| {
            k8s::has_pod_spec(ctx.kind(i))
                && !migration_docs.contains(&i)
                && !ctx.generated.contains(&i)
        })
        .filter(|&i| ctx.value(i).is_some_and(|v| hook_events(v).is_none()))
        .collect();
    with_waves(ctx, docs)
}

/// The workloads that are apps: data services left out (they run before every
/// migration, so their waves do not bound the migrations').
pub(crate) fn without(
    ctx: &Context<'_>,
    all: &Workloads,
    data: &std::collections::BTreeMap<usize, String>,
) -> Workloads {
    let docs: Vec<usize> = all
        .docs
        .iter()
        .copied()
        .filter(|d| !data.contains_key(d))
        .collect();
    with_waves(ctx, docs)
}

/// The workloads `docs` with the range of their Argo CD waves (widened to include 0).
fn with_waves(ctx: &Context<'_>, docs: Vec<usize>) -> Workloads {
    let waves: Vec<i64> = docs
        .iter()
        .filter_map(|&w| ctx.value(w).and_then(crate::plan::context::argo_wave))
        .collect();
    Workloads {
        min_wave: waves.iter().copied().min().unwrap_or(0).min(0),
        max_wave: waves.iter().copied().max().unwrap_or(0).max(0),
        docs,
    }
}

/// Why a Job is a migration; else, when detection finds it a possible one, the
/// verdict and how to confirm it.
fn why_migration(ctx: &Context<'_>, i: usize, v: &Value) -> Result<Match, Option<String>> {
    match annotation(v, own::MIGRATION).map(|a| (a, yaml11_bool(a))) {
        Some((_, Some(false))) => return Err(None),
        Some((a, Some(true))) => {
            return Ok(Match {
                rule: "annotation",
                detail: format!("{}: {a:?}", own::MIGRATION),
            })
        }
        _ => {}
    }
    let name = annotation(v, own::ORIGINAL_NAME)
        .or(ctx.index.entries[i].info.name.as_deref())
        .unwrap_or("");
    if let Some(g) = ctx.cfg.jobs.iter().find(|g| crate::detect::glob(g, name)) {
        return Ok(Match {
            rule: "--job",
            detail: format!("name `{name}` matches `{g}`"),
        });
    }
    if let Some(sel) = &ctx.selector {
        if sel.matches(v.at(&["metadata", "labels"]).unwrap_or(&Value::Null)) {
            return Ok(Match {
                rule: "--job-selector",
                detail: format!(
                    "labels match `{}`",
                    ctx.cfg.job_selector.as_deref().unwrap_or("")
                ),
            });
        }
    }
    let pod = v.at(POD_TEMPLATE_SPEC).ok_or(None)?;
    // A Job whose container cannot start is no migration detection acts on:
    // the apps gated on it would never start (PM023 says why).
    if crate::k8s::containers(pod).any(|c| crate::detect::unrunnable_program(c).is_some()) {
        return Err(None);
    }
    let verdict = verdict(ctx, name, pod, hook_events(v).as_deref());
    if verdict.is_migration() {
        return Ok(to_match(&verdict));
    }
    // premigrate named it by content on an earlier run (`--job` then, perhaps
    // not now): still a migration, or a rerun would drop its gates.
    let current = ctx.index.entries[i].info.name.as_deref().unwrap_or("");
    if annotation(v, own::HASH).is_some()
        && crate::plan::jobs::hash::is_hashed_name_of(current, name)
    {
        return Ok(Match {
            rule: "earlier run",
            detail: format!(
                "premigrate named it by its content on an earlier run ({})",
                own::HASH
            ),
        });
    }
    Err(verdict.confirm_with("Job", name).map(|how| {
        let why: Vec<&str> = verdict.signals.iter().map(|s| s.detail.as_str()).collect();
        format!("{}; to act on it: {how}", why.join("; "))
    }))
}

/// What detection says of a Job: its containers and init containers (scripts
/// mounted from the stream's ConfigMaps and Secrets read), its name, its hook
/// events, and whether it reads the app workloads' database credentials; the
/// user's patterns first, and they alone under `--no-detect`.
pub(crate) fn verdict(
    ctx: &Context<'_>,
    name: &str,
    pod: &Value,
    events: Option<&[String]>,
) -> crate::detect::Verdict {
    let scripts = |p: &str| ctx.sources.file(pod, p);
    // A hook copy an earlier run pointed the Job at is read as its original.
    let original = |r: &str| match r.split_once('#') {
        Some((object, key)) => format!("{}#{key}", ctx.copied_from(object)),
        None => ctx.copied_from(r),
    };
    let shares = crate::detect::reads(pod).iter().any(|r| {
        let app = &ctx.app_reads;
        crate::detect::reads_overlap(r, app) || crate::detect::reads_overlap(&original(r), app)
    });
    ctx.job_verdict(name, pod, events, shares, &scripts)
}

/// A verdict as the plan records why a Job is a migration.
fn to_match(v: &crate::detect::Verdict) -> Match {
    use crate::detect::SignalKind;
    let s = v.signals.first();
    let rule = match s.map(|s| s.kind) {
        Some(SignalKind::Name) => "name",
        Some(SignalKind::Hook | SignalKind::Credentials) => "hook",
        Some(SignalKind::User) => crate::plan::detection::PATTERN_RULE,
        Some(SignalKind::Image) => "image",
        Some(SignalKind::Script | SignalKind::Sql) => "script",
        _ => "command",
    };
    let detail = s
        .map(|s| match &s.container {
            Some(c) => format!("container `{c}`: {}", s.detail),
            None => s.detail.clone(),
        })
        .unwrap_or_default();
    let tool = v
        .tool
        .filter(|t| !detail.contains(t))
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    Match {
        rule,
        detail: format!("{detail}{tool}"),
    }
}

/// The hook events of a document, if it is a Helm hook.
pub(crate) fn hook_events(v: &Value) -> Option<Vec<String>> {
    annotation(v, engines::HELM_HOOK).map(|h| {
        h.split(',')
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect()
    })
}
