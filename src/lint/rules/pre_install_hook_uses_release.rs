//! PM503 `pre-install-hook-uses-release`.
//!
//! ## What it does
//! Finds a Job that is a Helm `pre-install` hook and uses a ConfigMap, Secret or
//! ServiceAccount that the chart creates as a regular resource.
//!
//! ## Why is this bad?
//! Helm runs pre-install hooks before it creates any regular resource of the
//! release: on a first install the Job's pod cannot start (helm/helm#2622).
//! Upgrades work, so the mistake survives until someone installs afresh.
//!
//! ## Example
//! ```yaml
//! kind: ConfigMap
//! metadata: {name: app-config}
//! ---
//! kind: Job
//! metadata:
//!   name: app-migrate
//!   annotations: {helm.sh/hook: pre-install}
//! spec:
//!   template:
//!     spec:
//!       containers:
//!         - envFrom: [{configMapRef: {name: app-config}}]
//! ```
//!
//! ## Fix
//! For a migration Job the post-renderer fixes it: under `hooks` it gives the Job
//! hook copies of what it uses, one weight earlier; under `gitops` the Job is a
//! regular resource. Otherwise make those objects hooks with a lower weight.

use super::{Fix, Rule};
use crate::diag::codes::PM503;
use crate::k8s;
use crate::lint::{Cx, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM503,
    name: "pre-install-hook-uses-release",
    fix: Fix::Sometimes,
    engines: "Helm",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for doc in 0..cx.docs() {
        if cx.kind(doc) != "Job" || !cx.hook_events(doc).iter().any(|e| e == "pre-install") {
            continue;
        }
        let (Some(pod), Some(pod_path)) = (cx.pod(doc), cx.pod_path(doc)) else {
            continue;
        };
        let ns = cx.namespace(doc);
        let mut seen = Vec::new();
        for r in k8s::pod_refs(pod, &pod_path) {
            let kind = r.kind.kind();
            let Some(used) = (0..cx.docs())
                .find(|&i| cx.kind(i) == kind && cx.name(i) == r.name && cx.namespace(i) == ns)
            else {
                continue;
            };
            if !cx.hook_events(used).is_empty() || seen.contains(&used) {
                continue;
            }
            seen.push(used);
            out.push(Hit::new(
                PM503,
                doc,
                r.path.clone(),
                format!(
                    "{} is a pre-install hook but uses {kind}/{}, a regular resource of the chart: it does not exist yet on a first install",
                    cx.object(doc),
                    r.name
                ),
                cx.migration(doc).is_some(),
            ));
        }
    }
}
