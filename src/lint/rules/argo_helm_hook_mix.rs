//! PM512 `argo-helm-hook-mix`.
//!
//! ## What it does
//! Finds `helm.sh/hook` annotations in a release that also has
//! `argocd.argoproj.io/hook` annotations, and, for a GitOps stream, a migration
//! that is a `pre-install,pre-upgrade` Helm hook.
//!
//! ## Why is this bad?
//! If any `argocd.argoproj.io/hook` is present, Argo CD ignores every Helm hook:
//! they are applied as regular resources, in no order. Without Argo hooks, Argo
//! CD maps both `pre-install` and `pre-upgrade` to PreSync, which runs on every
//! sync (argo-cd#10052): the migration reruns on every sync, not every release.
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
//! Other hooks: use one kind of hook annotation per release.

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
    let argo = (0..cx.docs()).find(|&i| cx.annotation(i, "argocd.argoproj.io/hook").is_some());
    let gitops = cx.target == Target::Gitops;
    for doc in 0..cx.docs() {
        let events = cx.hook_events(doc);
        if events.is_empty() || events.iter().any(|e| e == "test" || e == "test-success") {
            continue;
        }
        let migration = cx.migration(doc).is_some();
        if let Some(a) = argo {
            out.push(Hit::new(
                PM512,
                doc,
                at(&[], HOOK),
                format!(
                    "{} is a Helm hook, but {} has argocd.argoproj.io/hook: Argo CD then ignores every Helm hook of the release",
                    cx.object(doc),
                    cx.object(a)
                ),
                gitops && migration,
            ));
        } else if gitops
            && migration
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
