//! PM505 `unversioned-job-name`.
//!
//! ## What it does
//! Finds a migration Job applied as a regular resource (no `helm.sh/hook`) whose
//! name does not change when its content does, or that has no
//! `kustomize.toolkit.fluxcd.io/force: Enabled` for Flux.
//!
//! ## Why is this bad?
//! A Job's pod template is immutable. With a fixed name, a changed spec fails to
//! apply (`field is immutable`), and an unchanged one never reruns the
//! migration. A name that carries only the image tag or a revision changes with
//! that, not with the migration's config; Flux replaces the Job only with the
//! force annotation.
//!
//! ## Example
//! ```yaml
//! kind: Job
//! metadata:
//!   name: app-migrate
//! ```
//!
//! ## Fix
//! The post-renderer names the Job `<name>-<hash of its content>` and adds the
//! force annotation.

use super::{at, Fix, Rule};
use crate::diag::codes::PM505;
use crate::lint::{Cx, Hit};
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM505,
    name: "unversioned-job-name",
    fix: Fix::Yes,
    engines: "gitops, kubectl",
    check,
};

const FORCE: &str = "kustomize.toolkit.fluxcd.io/force";

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for doc in 0..cx.docs() {
        if cx.migration(doc).is_none() || !cx.hook_events(doc).is_empty() {
            continue;
        }
        let name = cx.name(doc);
        let hashed = cx
            .annotation(doc, "premigrate.io/hash")
            .is_some_and(|h| !h.is_empty() && name.ends_with(h));
        let force = cx.annotation(doc, FORCE) == Some("Enabled")
            || cx.values[doc]
                .as_ref()
                .and_then(|v| v.at(&["metadata", "labels", FORCE]))
                .and_then(Value::as_str)
                == Some("Enabled");
        if hashed && force {
            continue;
        }
        let versioned = versioned_part(name);
        let message = match (&versioned, force) {
            (Some(_), true) => continue,
            (None, _) => format!(
                "Job {name} keeps its name when its content changes: a changed spec fails to apply (a Job's template is immutable) and an unchanged name never reruns the migration{}",
                if force { "" } else { "; and Flux cannot replace it (no kustomize.toolkit.fluxcd.io/force)" }
            ),
            (Some(part), false) => format!(
                "Job {name} changes its name only through `{part}` (a version, revision, time, hash of the values or random part: none follows the Job's own content), and has no kustomize.toolkit.fluxcd.io/force: Flux cannot replace it when its spec changes"
            ),
        };
        out.push(Hit::new(
            PM505,
            doc,
            at(&[], &["metadata", "name"]),
            message,
            true,
        ));
    }
}

/// The trailing part of a name that holds digits: a version, a revision, a
/// timestamp, a hash of the chart's values (Jitsu) or a random string (Hatchet).
fn versioned_part(name: &str) -> Option<&str> {
    let mut start = name.len();
    for part in name.rsplit(['-', '.']) {
        if !part.chars().any(|c| c.is_ascii_digit()) {
            break;
        }
        start = (start - part.len()).saturating_sub(1);
    }
    let tail = name[start..].trim_start_matches(['-', '.']);
    (!tail.is_empty()).then_some(tail)
}
