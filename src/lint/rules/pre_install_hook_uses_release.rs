//! PM503 `pre-install-hook-uses-release`.
//!
//! ## What it does
//! Finds a Job that is a Helm `pre-install` hook and uses a ConfigMap, Secret,
//! ServiceAccount or PersistentVolumeClaim that the chart creates as a regular resource.
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
use crate::yaml::edit::Seg;
use crate::yaml::Value;

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
        // A namespace left out is the release's, which a written one may be.
        let same_ns =
            |i: usize| cx.namespace(i) == ns || ns.is_empty() || cx.namespace(i).is_empty();
        let refs = k8s::pod_refs(pod, &pod_path)
            .into_iter()
            .map(|r| (r.kind.kind(), r.name, r.path, true));
        // premigrate makes no hook copy of a claim: not fixed by the post-renderer.
        let claims = claims(pod, &pod_path)
            .into_iter()
            .map(|(k, n, p)| (k, n, p, false));
        for (kind, name, path, copied) in refs.chain(claims) {
            let Some(used) =
                (0..cx.docs()).find(|&i| cx.kind(i) == kind && cx.name(i) == name && same_ns(i))
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
                path,
                format!(
                    "{} is a pre-install hook but uses {kind}/{name}, a regular resource of the chart: it does not exist yet on a first install",
                    cx.object(doc),
                ),
                copied && cx.migration(doc).is_some(),
            ));
        }
    }
}

/// The claims a pod mounts (Documenso's `documenso-data`): a regular claim does
/// not exist before the pre-install hooks either.
fn claims(pod: &Value, pod_path: &[Seg]) -> Vec<(&'static str, String, Vec<Seg>)> {
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    (volumes.iter().enumerate())
        .filter_map(|(i, v)| {
            let name = v.at(&["persistentVolumeClaim", "claimName"])?.as_str()?;
            let mut path = pod_path.to_vec();
            path.extend([Seg::Key("volumes".into()), Seg::Index(i)]);
            path.extend(["persistentVolumeClaim", "claimName"].map(|k| Seg::Key(k.into())));
            Some(("PersistentVolumeClaim", name.to_string(), path))
        })
        .collect()
}
