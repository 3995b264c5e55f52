//! PM515 `apps-start-with-migration`.
//!
//! ## What it does
//! Finds app workloads that share a database (a Secret, a ConfigMap, the
//! image) with a migration Job the chart makes a regular resource, and that do
//! not wait for it: no hook, no gate of the chart's.
//!
//! ## Why is this bad?
//! Helm 3, Helm 4, kubectl, Flux and kapp apply the Job and the apps at once:
//! on a fresh install the apps crash-loop until the schema exists, and on an
//! upgrade their new pods run against the old schema (Apache DolphinScheduler's
//! `db-init-job` and its api, master and worker).
//!
//! ## Example
//! ```yaml
//! kind: Job
//! metadata: {name: app-migrate}   # no helm.sh/hook
//! ---
//! kind: Deployment                # same Secret, no init container that waits
//! ```
//!
//! ## Fix
//! The post-renderer gates each such workload on the Job (the ones `--gate
//! auto` picks). By hand: an init container that waits for the Job, or make the
//! Job a `pre-install,pre-upgrade` hook when everything it needs is outside the
//! release.

use super::{Fix, Rule};
use crate::diag::codes::PM515;
use crate::k8s::engines::{ARGO_HOOK, HELM_HOOK};
use crate::lint::{Cx, Hit};
use crate::plan::{Origin, Phase};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM515,
    name: "apps-start-with-migration",
    fix: Fix::Yes,
    engines: "all but Argo CD waves",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let waits = cx.gates();
    for gate in &cx.plan.gates {
        let regular = cx.plan.migrations.iter().find(|m| {
            m.origin == Origin::Job
                && m.phase == Phase::Pre
                && gate.jobs.contains(&m.name)
                && cx.annotation(m.doc, HELM_HOOK).is_none()
                && cx.annotation(m.doc, ARGO_HOOK).is_none()
        });
        let Some(m) = regular else { continue };
        // A gate of its own already waits (the post-renderer's, on a rerun).
        let names = [m.name.as_str(), &m.original_name, cx.name(m.doc)];
        let waiting = waits.iter().any(|w| {
            w.doc == gate.doc
                && (w.gate.check || w.gate.jobs.iter().any(|j| names.contains(&j.name.as_str())))
        });
        if waiting {
            continue;
        }
        out.push(Hit::new(
            PM515,
            gate.doc,
            vec![],
            format!(
                "{} starts with migration Job {}, a regular resource applied with it, and does not wait for it ({}): its pods may run before the schema is migrated",
                gate.workload, cx.name(m.doc), gate.why
            ),
            true,
        ));
    }
}
