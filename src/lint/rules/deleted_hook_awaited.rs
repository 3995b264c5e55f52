//! PM513 `deleted-hook-awaited`.
//!
//! ## What it does
//! Finds a Job whose `helm.sh/hook-delete-policy` has `hook-succeeded` and that
//! a wait gate names.
//!
//! ## Why is this bad?
//! Helm deletes the Job as soon as it succeeds: a gate that waits for it by name
//! finds no Job and waits for ever — on the next pod restart or scale-up if
//! not at once.
//!
//! ## Example
//! ```yaml
//! kind: Job
//! metadata:
//!   name: app-migrate
//!   annotations:
//!     helm.sh/hook: pre-install,pre-upgrade
//!     helm.sh/hook-delete-policy: hook-succeeded
//! ```
//!
//! ## Fix
//! Under `gitops` the post-renderer makes a migration a regular Job (no delete
//! policy). Under `hooks` drop `hook-succeeded` from the chart (keep
//! `before-hook-creation`), or gate with a migration check instead.

use super::{init, Fix, Rule};
use crate::config::Target;
use crate::diag::codes::PM513;
use crate::lint::{Cx, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM513,
    name: "deleted-hook-awaited",
    fix: Fix::Sometimes,
    engines: "Helm hooks",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let gates = cx.gates();
    for job in 0..cx.docs() {
        let deleted = cx
            .annotation(job, "helm.sh/hook-delete-policy")
            .is_some_and(|p| p.contains("hook-succeeded"));
        if cx.kind(job) != "Job" || !deleted || cx.hook_events(job).is_empty() {
            continue;
        }
        let ns = cx.namespace(job);
        for g in &gates {
            if cx.namespace(g.doc) != ns || !g.gate.jobs.iter().any(|j| j.name == cx.name(job)) {
                continue;
            }
            out.push(Hit::new(
                PM513,
                g.doc,
                init(&g.pod_path, g.index),
                format!(
                    "{}: gate `{}` waits for {}, which helm.sh/hook-delete-policy: hook-succeeded deletes once it succeeds",
                    cx.object(g.doc),
                    g.gate.container,
                    cx.object(job)
                ),
                cx.target == Target::Gitops && cx.migration(job).is_some(),
            ));
        }
    }
}
