//! PM507 `gate-names-missing-job`.
//!
//! ## What it does
//! Finds a wait gate (k8s-wait-for, `kubectl wait … job/NAME`,
//! kubernetes-entrypoint's `DEPENDENCY_JOBS`, or premigrate's own) that names
//! a Job the stream does not have in the pod's namespace.
//!
//! ## Why is this bad?
//! The gate looks the Job up in its own namespace and retries until it
//! completes: a typo, a Job of another namespace, or one that is not rendered
//! (disabled in values, renamed by a template change) holds the pods for ever.
//!
//! ## Example
//! ```yaml
//! initContainers:
//!   - name: wait
//!     image: ghcr.io/groundnuty/k8s-wait-for:v2.0
//!     args: [job-wr, app-migrte]
//! ```
//!
//! ## Fix
//! Not fixed by the post-renderer. Name the Job as the chart renders it, in the
//! same namespace.

use super::{Fix, Rule};
use crate::diag::codes::PM507;
use crate::lint::{Cx, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM507,
    name: "gate-names-missing-job",
    fix: Fix::No,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for g in cx.gates() {
        let ns = cx.namespace(g.doc);
        for j in &g.gate.jobs {
            if j.name.contains('$') || j.name.contains('{') || cx.job(ns, &j.name).is_some() {
                continue;
            }
            let elsewhere = (0..cx.docs())
                .find(|&i| cx.kind(i) == "Job" && cx.name(i) == j.name)
                .map(|i| {
                    let other = cx.namespace(i);
                    format!(
                        " (there is one in namespace `{}`, but the gate looks in `{}`)",
                        if other.is_empty() { "<release>" } else { other },
                        if ns.is_empty() { "<release>" } else { ns }
                    )
                })
                .unwrap_or_default();
            let mut path = g.pod_path.clone();
            path.extend(j.path.iter().cloned());
            out.push(Hit::new(
                PM507,
                g.doc,
                path,
                format!(
                    "{}: gate `{}` waits for Job {}, which is not in the stream{elsewhere}: its pods wait for ever",
                    cx.object(g.doc),
                    g.gate.container,
                    j.name
                ),
                false,
            ));
        }
    }
}
