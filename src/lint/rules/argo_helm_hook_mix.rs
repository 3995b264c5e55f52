//! PM512 `argo-helm-hook-mix`.
//!
//! ## What it does
//! In a GitOps stream, finds objects with both a `helm.sh/hook` and an
//! `argocd.argoproj.io/hook` annotation, and a migration that is a
//! `pre-install,pre-upgrade` Helm hook.
//!
//! ## Why is this bad?
//! Argo CD reads an object's own Argo CD hook and then ignores its Helm hook
//! (each object on its own: gitops-engine's `hook.Types`), so the object runs
//! where its Argo CD hook says, not where its Helm hook and weight say.
//! Without an Argo hook, Argo CD maps both `pre-install` and `pre-upgrade` to
//! PreSync, which runs on every sync (argo-cd#10052): the migration reruns on
//! every sync, not every release. A Helm 4 stream (`hooks`) is never read by
//! Argo CD: nothing is reported there.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   annotations:
//!     helm.sh/hook: pre-install,pre-upgrade
//! ```
//!
//! ## Fix
//! Under `gitops` the post-renderer makes a migration a regular, content-hashed
//! Job (it reruns only when it changes) and removes its Helm hook annotations.
//! Other hooks: give each object one kind of hook annotation.

use super::{at, Fix, Rule};
use crate::config::Target;
use crate::diag::codes::PM512;
use crate::lint::{Cx, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM512,
    name: "argo-helm-hook-mix",
    fix: Fix::Sometimes,
    engines: "Argo CD (gitops)",
    check,
};

const HOOK: &[&str] = &["metadata", "annotations", "helm.sh/hook"];

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    if cx.target != Target::Gitops {
        return;
    }
    for doc in 0..cx.docs() {
        let events = cx.hook_events(doc);
        if events.is_empty() || events.iter().any(|e| e == "test" || e == "test-success") {
            continue;
        }
        let migration = cx.migration(doc).is_some();
        let argo_hook = cx.annotation(doc, "argocd.argoproj.io/hook");
        if argo_hook.is_some_and(|a| agrees(cx, doc, &events, a)) {
            continue;
        }
        if let Some(argo) = argo_hook {
            out.push(Hit::new(
                PM512,
                doc,
                at(&[], HOOK),
                format!(
                    "{} is a Helm hook and an Argo CD hook (`{argo}`): Argo CD reads only the Argo CD hook, and ignores its Helm hook and weight",
                    cx.object(doc)
                ),
                migration,
            ));
        } else if migration
            && events.iter().any(|e| e == "pre-install")
            && events.iter().any(|e| e == "pre-upgrade")
        {
            out.push(Hit::new(
                PM512,
                doc,
                at(&[], HOOK),
                format!(
                    "migration {} is a pre-install,pre-upgrade hook: under Argo CD it runs as PreSync on every sync",
                    cx.object(doc)
                ),
                true,
            ));
        }
    }
}

/// The Argo CD phase Argo CD maps a Helm hook event to.
fn phase_of(event: &str) -> Option<&'static str> {
    match event {
        "pre-install" | "pre-upgrade" => Some("PreSync"),
        "post-install" | "post-upgrade" => Some("PostSync"),
        _ => None,
    }
}

/// Whether an object's Argo CD hook says what its Helm hook would (GrowthBook's
/// seed Job: `PostSync` and `post-install,post-upgrade`), and no other object
/// is a hook of that phase, so the Helm weight Argo CD ignores orders nothing.
fn agrees(cx: &Cx<'_>, doc: usize, events: &[String], argo: &str) -> bool {
    let same = events.iter().all(|e| phase_of(e) == Some(argo));
    let others = (0..cx.docs()).filter(|&d| d != doc).any(|d| {
        let theirs = cx.annotation(d, "argocd.argoproj.io/hook");
        theirs == Some(argo)
            || (theirs.is_none() && cx.hook_events(d).iter().any(|e| phase_of(e) == Some(argo)))
    });
    same && !others
}
