//! PM509 `gate-image`.
//!
//! ## What it does
//! Finds a wait gate whose image is unpinned (no tag, or `:latest`, and no
//! digest) or known to be unmaintained (`groundnuty/k8s-wait-for`).
//!
//! ## Why is this bad?
//! An unpinned image changes under a release that did not change, and may stop
//! understanding the gate's arguments. `groundnuty/k8s-wait-for` is unmaintained
//! and carries known CVEs; chart users ask to drop it (openfga/helm-charts#309).
//!
//! ## Example
//! ```yaml
//! initContainers:
//!   - name: wait-for-migrations
//!     image: groundnuty/k8s-wait-for:latest
//!     args: [job-wr, app-migrate]
//! ```
//!
//! ## Fix
//! Not fixed by the post-renderer (premigrate's own default gate uses the same
//! image: pass `--gate-image`). Pin a maintained image by tag or digest, or gate
//! with the app's own migration check (`--gate-style check`), which needs no
//! image and no RBAC.

use super::{at, init, Fix, Rule};
use crate::diag::codes::PM509;
use crate::lint::{Cx, Hit};
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM509,
    name: "gate-image",
    fix: Fix::No,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let mut seen = Vec::new();
    for g in cx.gates() {
        if g.gate.jobs.is_empty() || seen.contains(&(g.doc, g.index)) {
            continue;
        }
        seen.push((g.doc, g.index));
        let Some(image) = cx
            .pod(g.doc)
            .and_then(|p| p.get("initContainers"))
            .and_then(|c| c.items().get(g.index))
            .and_then(|c| c.get("image"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let problem = if image.contains("groundnuty/k8s-wait-for") {
            "is unmaintained and carries known CVEs".to_string()
        } else {
            match crate::k8s::image_ref::tag(image) {
                _ if image.contains('@') => continue,
                None => "has no tag: it changes under the release".to_string(),
                Some("latest") => "is `:latest`: it changes under the release".to_string(),
                Some(_) => continue,
            }
        };
        let own = if g.gate.container.starts_with("premigrate-") {
            " (premigrate's default gate: pass --gate-image IMAGE, or --gate-style kubectl or check)"
        } else {
            ""
        };
        out.push(Hit::new(
            PM509,
            g.doc,
            at(&init(&g.pod_path, g.index), &["image"]),
            format!(
                "{}: gate `{}` runs image `{image}`, which {problem}{own}",
                cx.object(g.doc),
                g.gate.container
            ),
            false,
        ));
    }
}
