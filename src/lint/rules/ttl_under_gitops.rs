//! PM504 `ttl-under-gitops`.
//!
//! ## What it does
//! Finds a migration Job with `spec.ttlSecondsAfterFinished` in a stream for a
//! GitOps engine (`--target gitops`, the default for Helm 3 and plain streams),
//! or one that stays a regular Job under `--target hooks`.
//!
//! ## Why is this bad?
//! Once the TTL deletes the finished Job, Flux or Argo CD sees it missing and
//! re-creates it: the migration reruns every interval, and pods gated on it
//! can never start again while it runs (or once it is gone).
//!
//! ## Example
//! ```yaml
//! kind: Job
//! metadata: {name: app-migrate}
//! spec:
//!   ttlSecondsAfterFinished: 3600
//! ```
//!
//! ## Fix
//! The post-renderer removes the TTL (PM004). By hand: delete the field, and let
//! the engine prune the Job when its (hashed) name changes.

use super::{at, Fix, Rule};
use crate::config::Target;
use crate::diag::codes::PM504;
use crate::lint::{Cx, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM504,
    name: "ttl-under-gitops",
    fix: Fix::Yes,
    engines: "gitops; a regular Job under hooks",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for doc in 0..cx.docs() {
        let Some(m) = cx.migration(doc) else { continue };
        // Under hooks a migration that stays a regular Job (its database is in
        // the release) is re-created by the next upgrade once its TTL deletes
        // it, the same as under GitOps (ThingsBoard's install Job).
        if cx.target != Target::Gitops && m.hook {
            continue;
        }
        let Some(ttl) = cx.values[doc]
            .as_ref()
            .and_then(|v| v.at(&["spec", "ttlSecondsAfterFinished"]))
        else {
            continue;
        };
        out.push(Hit::new(
            PM504,
            doc,
            at(&[], &["spec", "ttlSecondsAfterFinished"]),
            format!(
                "migration Job {} has ttlSecondsAfterFinished: {}: once it is deleted {} re-creates it and the migration reruns",
                cx.name(m.doc),
                crate::yaml::value::scalar_text(ttl),
                match cx.target {
                    Target::Gitops => "the GitOps engine",
                    _ => "the next `helm upgrade` (it stays a regular Job: no hook)",
                }
            ),
            true,
        ));
    }
}
