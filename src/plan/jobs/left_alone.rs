//! What premigrate finds but leaves alone, and says so: possible migrations
//! (PM010), `--job` patterns that match no Job (PM013), migrations in bare
//! Pods (PM014), uninstall or rollback hooks named a migration (PM022), and
//! Jobs whose program Kubernetes cannot run (PM023).

use crate::config::Target;
use crate::detect::Match;
use crate::diag::codes;
use crate::plan::context::Context;
use crate::plan::jobs::find;
use crate::plan::model::Plan;

/// Uninstall or rollback hooks the user named a migration (PM022).
pub(super) fn lifecycle_hooks(ctx: &Context<'_>, lifecycle: Vec<(usize, Match)>, plan: &mut Plan) {
    for (i, m) in lifecycle {
        plan.note(codes::PM022, Some(i), format!(
            "{}: named a migration ({}), but the chart makes it a hook of uninstall or rollback only (`{}`): Helm never runs it on an install or an upgrade, and made a Job that runs before the apps it would run on every deploy; left alone",
            ctx.object(i),
            m.detail,
            ctx.value(i).and_then(find::hook_events).unwrap_or_default().join(",")
        ));
    }
}

/// What premigrate finds but leaves alone: possible migrations (PM010), `--job`
/// patterns that match no Job (PM013), migrations in bare Pods (PM014).
pub(super) fn not_acted_on(ctx: &Context<'_>, possible: Vec<(usize, String)>, plan: &mut Plan) {
    for (i, why) in possible {
        plan.note(
            codes::PM010,
            Some(i),
            format!(
                "{}: possibly a migration, not acted on ({why})",
                ctx.object(i)
            ),
        );
    }
    unmatched_patterns(ctx, plan);
    if ctx.target == Target::Gitops {
        for (i, m) in find::pod_migrations(ctx) {
            plan.note(codes::PM014, Some(i), format!(
                "{}: runs a migration as a bare Pod ({}): under kubectl, Flux and kapp it never reruns when its spec changes and nothing waits for it; premigrate orders Jobs only. Render it as a Job, or deploy with Helm or Argo CD, which run it as the chart's hook",
                ctx.object(i), m.detail
            ));
        }
    }
}

/// Jobs whose container names a program Kubernetes cannot run (PM023): one
/// `command` item with spaces. Detection takes none of them for a migration.
pub(super) fn unrunnable(ctx: &Context<'_>, plan: &mut Plan) {
    for i in (0..ctx.index.entries.len()).filter(|&i| ctx.kind(i) == "Job") {
        let Some(pod) = ctx
            .value(i)
            .and_then(|v| v.at(crate::k8s::POD_TEMPLATE_SPEC))
        else {
            continue;
        };
        for c in crate::k8s::containers(pod) {
            let Some(program) = crate::detect::unrunnable_program(c) else {
                continue;
            };
            let name = c
                .get("name")
                .and_then(crate::yaml::Value::as_str)
                .unwrap_or("?");
            plan.note(codes::PM023, Some(i), format!(
                "{}: container `{name}` runs `{}` as one program name: no shell splits a `command` item, so Kubernetes looks for an executable of that whole name and the container never starts; write {}. premigrate takes it for no migration",
                ctx.object(i),
                shown(program),
                split_advice(program)
            ));
        }
    }
}

/// A `--job` pattern or the `--job-selector` that matches no Job of the
/// stream (PM013): the user named a migration premigrate cannot see.
fn unmatched_patterns(ctx: &Context<'_>, plan: &mut Plan) {
    let jobs: Vec<usize> = (0..ctx.index.entries.len())
        .filter(|&i| ctx.kind(i) == "Job" && !ctx.generated.contains(&i))
        .collect();
    let names = |i: usize| {
        let v = ctx.value(i);
        let original = v.and_then(|v| {
            crate::plan::context::annotation(v, crate::k8s::engines::own::ORIGINAL_NAME)
        });
        [original, ctx.index.entries[i].info.name.as_deref()]
    };
    // A workload or Pod the pattern would have matched, were it a Job.
    let other = |hit: &dyn Fn(usize) -> bool| {
        (0..ctx.index.entries.len())
            .filter(|&i| crate::k8s::has_pod_spec(ctx.kind(i)) && ctx.kind(i) != "Job")
            .find(|&i| hit(i))
            .map(|i| format!(" ({} matches, but only Jobs are migrations)", ctx.object(i)))
            .unwrap_or_default()
    };
    let named = |glob: &str, i: usize| {
        ctx.index.entries[i]
            .info
            .name
            .as_deref()
            .is_some_and(|n| crate::detect::glob(glob, n))
    };
    for g in &ctx.cfg.jobs {
        let hit = jobs.iter().any(|&i| {
            names(i)
                .into_iter()
                .flatten()
                .any(|n| crate::detect::glob(g, n))
        });
        if !hit {
            plan.note(codes::PM013, None, format!("--job `{g}` matches no Job of the stream{}: under Helm 3 a chart's hook Jobs never reach the post-renderer", other(&|i| named(g, i))));
        }
    }
    if let (Some(sel), Some(text)) = (&ctx.selector, ctx.cfg.job_selector.as_deref()) {
        let labels = |i: usize| {
            ctx.value(i)
                .and_then(|v| v.at(&["metadata", "labels"]))
                .unwrap_or(&crate::yaml::Value::Null)
        };
        if !jobs.iter().any(|&i| sel.matches(labels(i))) {
            let other = other(&|i| sel.matches(labels(i)));
            plan.note(codes::PM013, None, format!("--job-selector `{text}` matches no Job of the stream{other}: under Helm 3 a chart's hook Jobs never reach the post-renderer"));
        }
    }
}

/// A program name for a message: its first line, cut to 60 characters.
fn shown(program: &str) -> String {
    let whole = program.trim();
    let cut: String = whole
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(60)
        .collect();
    match cut.len() < whole.len() {
        true => format!("{}…", cut.trim_end()),
        false => cut,
    }
}

/// How to write a one-item command: its words as items when it is a plain
/// command line, else a shell given the script as one item (Documenso's
/// `[/bin/sh -c "…script…"]`).
fn split_advice(program: &str) -> String {
    let words: Vec<&str> = program.split_whitespace().collect();
    let plain = words.len() <= 8 && !program.contains(['\n', '"', '\'', '$', ';', '&', '|']);
    match words.first() {
        _ if plain => format!("it as separate items (`command: [{}]`)", words.join(", ")),
        Some(sh) if crate::detect::is_shell(sh) => {
            format!("the shell and its script as separate items (`command: [{sh}, -c, SCRIPT]`)")
        }
        _ => "it as separate items, or a shell and its script (`command: [sh, -c, SCRIPT]`)".into(),
    }
}
