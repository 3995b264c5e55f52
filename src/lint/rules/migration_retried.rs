//! PM506 `migration-retried`.
//!
//! ## What it does
//! Finds a migration Job with `backoffLimit` unset or above 0, or with
//! `restartPolicy: OnFailure`.
//!
//! ## Why is this bad?
//! A migration that failed half way left the schema half migrated; running it
//! again blindly (Kubernetes retries 6 times by default) can corrupt it or
//! fail on the half-applied step, and hides the first error.
//!
//! ## Example
//! ```yaml
//! kind: Job
//! spec:
//!   template:
//!     spec:
//!       restartPolicy: OnFailure
//! ```
//!
//! ## Fix
//! The post-renderer sets `restartPolicy: Never` and, when the chart sets no
//! `backoffLimit`, `backoffLimit: 0`. An explicit `backoffLimit` above 0 is kept
//! (the chart may mean it): set it to 0 in the chart. A migration that needs a
//! database of the same release is the exception: kubectl and Flux apply both at
//! once, so it must retry until the database is up (the post-renderer sets 6);
//! so is a Job the post-renderer took out of an init container, which restarted
//! until it succeeded (6 too).

use super::{at, Fix, Rule};
use crate::diag::codes::PM506;
use crate::k8s::engines::own;
use crate::lint::{Cx, Hit};
use crate::plan::context::annotation;
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM506,
    name: "migration-retried",
    fix: Fix::Sometimes,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for doc in 0..cx.docs() {
        let Some(m) = cx.migration(doc) else { continue };
        let Some(v) = cx.values[doc].as_ref() else {
            continue;
        };
        let name = cx.name(m.doc);
        // A migration whose database starts with the release must retry until it
        // is up (kubectl and Flux apply both at once): the post-renderer sets 6.
        let waits_for_data = !m.needs.is_empty();
        // The post-renderer's Job out of an init container, which restarted until
        // it succeeded, keeps retrying (Kubernetes' default 6).
        let from_init = annotation(v, own::DERIVED_FROM).is_some()
            && v.at(&["spec", "backoffLimit"]) == Some(&Value::Int(6));
        let restart = ["spec", "template", "spec", "restartPolicy"];
        if v.at(&restart).and_then(Value::as_str) == Some("OnFailure") {
            out.push(Hit::new(
                PM506,
                doc,
                at(&[], &restart),
                format!("migration Job {name} has restartPolicy: OnFailure: a failed migration restarts in place over a half-migrated schema"),
                true,
            ));
        }
        match v.at(&["spec", "backoffLimit"]) {
            _ if waits_for_data || from_init => {}
            None | Some(Value::Null) => out.push(Hit::new(
                PM506,
                doc,
                at(&[], &["spec"]),
                format!("migration Job {name} sets no backoffLimit: Kubernetes retries a failed migration 6 times"),
                true,
            )),
            Some(Value::Int(n)) if *n > 0 => out.push(Hit::new(
                PM506,
                doc,
                at(&[], &["spec", "backoffLimit"]),
                format!("migration Job {name} has backoffLimit: {n}: a failed migration is retried over a half-migrated schema"),
                false,
            )),
            _ => {}
        }
    }
}
