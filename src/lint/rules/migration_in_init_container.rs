//! PM501 `migration-in-init-container`.
//!
//! ## What it does
//! Finds a migration (a known tool's command, an init container named by
//! `premigrate.io/extract-init`, or one whose name or arguments say `migrate`)
//! in an init container of a workload that runs
//! more than one pod at once: replicas above 1, an HPA, a DaemonSet, a parallel
//! StatefulSet, a rolling update that surges several pods.
//!
//! ## Why is this bad?
//! Every pod runs its init containers. The replicas race for the schema — with
//! or without a locking script — and a failed migration holds every pod.
//!
//! ## Example
//! ```yaml
//! kind: Deployment
//! spec:
//!   replicas: 3
//!   template:
//!     spec:
//!       initContainers:
//!         - name: flyway
//!           image: flyway/flyway:10
//!           args: [migrate]
//! ```
//!
//! ## Fix
//! The post-renderer extracts a detected one into one Job that runs before the
//! workload (unless `--keep-init`); one it does not detect needs
//! `--extract-init NAME` or `premigrate.io/extract-init: NAME`. By hand: move it
//! to a Job.

use super::{init, Fix, Rule};
use crate::detect::no_scripts;
use crate::diag::codes::PM501;
use crate::lint::{Cx, Hit};
use crate::plan::graph::chart_gates;
use crate::plan::Origin;
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM501,
    name: "migration-in-init-container",
    fix: Fix::Yes,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for doc in 0..cx.docs() {
        if matches!(cx.kind(doc), "Job" | "CronJob" | "Pod") {
            continue;
        }
        let (Some(pod), Some(pod_path)) = (cx.pod(doc), cx.pod_path(doc)) else {
            continue;
        };
        let Some(why) = cx.many_pods(doc) else {
            continue;
        };
        let named: Vec<&str> = cx
            .annotation(doc, "premigrate.io/extract-init")
            .map(|s| s.split(',').map(str::trim).collect())
            .unwrap_or_default();
        // Fixed when the post-renderer takes this very init container out (its Job
        // is `<workload>-<container>`), not another one of the pod (Flyte's seed-projects).
        let extracted = |name: &str| {
            cx.plan.migrations.iter().any(|m| {
                matches!(m.origin, Origin::Extracted { .. })
                    && m.carriers.contains(&doc)
                    && m.original_name.ends_with(&format!("-{name}"))
            })
        };
        let gates: Vec<String> = chart_gates::find_all(pod)
            .into_iter()
            .map(|g| g.container)
            .collect();
        let scripts = |p: &str| cx.sources.file(pod, p);
        let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
        for (i, c) in inits.iter().enumerate() {
            if c.get("restartPolicy").and_then(Value::as_str) == Some("Always") {
                continue;
            }
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if gates.iter().any(|g| g == name) {
                continue;
            }
            let said = crate::detect::classify_container_with(c, &no_scripts, &cx.rules);
            if said.is_excluded() {
                continue; // the user said it is no migration
            }
            let found = crate::detect::migration_command_in(c, &scripts, &cx.rules)
                .map(|m| m.detail)
                .or_else(|| {
                    named
                        .contains(&name)
                        .then(|| "named by premigrate.io/extract-init".into())
                })
                // `--extract-init NAME`: the plan takes it out.
                .or_else(|| extracted(name).then(|| "named by --extract-init".into()))
                .or_else(|| likely(name, c));
            if let Some(what) = found {
                out.push(Hit::new(
                    PM501,
                    doc,
                    init(&pod_path, i),
                    format!(
                        "{}: init container `{name}` migrates ({what}) in every pod ({why}): the pods race for the schema",
                        cx.object(doc)
                    ),
                    extracted(name),
                ));
            }
        }
    }
}

/// An init container that says it migrates (its name, or a `migrate` argument
/// to the image's own entrypoint) though no known tool's command matched.
fn likely(name: &str, c: &Value) -> Option<String> {
    let argv = crate::detect::command_line(c);
    let says = argv
        .iter()
        .any(|a| a == "migrate" || a == "migrations" || a == "db:migrate");
    let named = name.contains("migrat") && !name.contains("wait");
    (named || says).then(|| {
        format!(
            "`{}` — not detected: --extract-init {name} makes it a migration",
            argv.join(" ")
        )
    })
}
