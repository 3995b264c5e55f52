//! PM510 `post-migration-awaited`.
//!
//! ## What it does
//! Finds app workloads whose gates wait for a migration that runs after them: a
//! Job that is only a `post-install`/`post-upgrade` hook, or marked
//! `premigrate.io/phase: post`.
//!
//! ## Why is this bad?
//! Under `helm --wait` Helm waits for the pods to be ready before it runs
//! post-install hooks; the pods wait for the hook: the release hangs until it
//! times out (openfga/helm-charts#120). Under Argo CD the Sync wave never becomes
//! healthy, so PostSync never comes.
//!
//! ## Example
//! ```yaml
//! kind: Job
//! metadata:
//!   name: app-migrate
//!   annotations: {helm.sh/hook: post-install}
//! ---
//! kind: Deployment   # init container: k8s-wait-for job-wr app-migrate
//! ```
//!
//! ## Fix
//! The post-renderer runs a migration the apps wait for before them (phase
//! pre) when the release graph allows it; otherwise make it `pre-install` or
//! drop the gate.

use super::{init, Fix, Rule};
use crate::diag::codes::PM510;
use crate::lint::{Cx, Hit};
use crate::plan::Phase;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM510,
    name: "post-migration-awaited",
    fix: Fix::Sometimes,
    engines: "Helm --wait, Argo CD",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let gates = cx.gates();
    for job in 0..cx.docs() {
        if cx.kind(job) != "Job" || !is_post(cx, job) {
            continue;
        }
        let migration = cx.migration(job);
        let ns = cx.namespace(job);
        for g in &gates {
            // Hooks wait for hooks in weight order, and nothing waits for a
            // CronJob: only the release's regular workloads hang it.
            let waiter_is_hook = !cx.hook_events(g.doc).is_empty();
            if g.doc == job
                || cx.namespace(g.doc) != ns
                || waiter_is_hook
                || cx.kind(g.doc) == "CronJob"
            {
                continue;
            }
            let named = g.gate.jobs.iter().any(|j| j.name == cx.name(job));
            // A check of pending migrations waits for the main migration, not
            // for a contract step (Kong's `kong start` loop passes before its
            // post-upgrade `migrations finish`).
            let main = migration.is_some_and(|m| m.phase == Phase::Pre);
            if !(named || g.gate.check && main) {
                continue;
            }
            let events = cx.hook_events(job).join(",");
            out.push(Hit::new(
                PM510,
                g.doc,
                init(&g.pod_path, g.index),
                format!(
                    "{}: gate `{}` waits for {} ({}), which runs only after the apps: helm --wait and Argo CD never get there",
                    cx.object(g.doc),
                    g.gate.container,
                    cx.object(job),
                    if events.is_empty() { "premigrate.io/phase: post".to_string() } else { format!("helm.sh/hook: {events}") }
                ),
                migration.is_some_and(|m| m.phase == Phase::Pre),
            ));
        }
    }
}

fn is_post(cx: &Cx<'_>, job: usize) -> bool {
    let events = cx.hook_events(job);
    let hook_post = !events.is_empty() && events.iter().all(|e| e.starts_with("post-"));
    hook_post || cx.annotation(job, "premigrate.io/phase") == Some("post")
}
