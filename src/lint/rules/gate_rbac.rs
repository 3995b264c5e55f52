//! PM508 `gate-rbac`.
//!
//! ## What it does
//! Finds a wait gate that reads a Job through the API whose pod's
//! ServiceAccount no Role of the stream lets read that Job, or whose Role that
//! lets it is broader than the gate needs: all Jobs (no `resourceNames`), write
//! verbs, Secrets or every resource. A Role bound to the same ServiceAccount
//! that grants none of the gate's Jobs is the app's own, not the gate's.
//!
//! ## Why is this bad?
//! Without `get` on the Job the gate fails with Forbidden and retries for ever.
//! A broad Role gives every app pod that runs as the ServiceAccount the power to
//! read Secrets or delete Jobs of the namespace.
//!
//! ## Example
//! ```yaml
//! kind: Role
//! rules:
//!   - apiGroups: [batch]
//!     resources: [jobs]
//!     verbs: [get, list, watch]
//! ```
//!
//! ## Fix
//! Not fixed by the post-renderer for the chart's own gates (its own gates get a
//! Role on their one Job). Bind a Role with `get/list/watch` on `jobs` and
//! `resourceNames: [<the Job>]` to the pod's ServiceAccount.

use super::{at, Fix, Rule};
use crate::diag::codes::PM508;
use crate::k8s;
use crate::lint::{Cx, Hit};
use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM508,
    name: "gate-rbac",
    fix: Fix::No,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let mut broad_seen: Vec<usize> = Vec::new();
    for g in cx.gates() {
        let Some(pod) = cx.pod(g.doc) else { continue };
        let ns = cx.namespace(g.doc);
        let sa = k8s::service_account(pod);
        let Some(roles) = roles_of(cx, ns, &sa) else {
            continue;
        };
        for j in &g.gate.jobs {
            if j.name.contains('$') {
                continue;
            }
            if !roles
                .iter()
                .any(|&r| rules(cx, r).any(|(_, rule)| reads(rule, &j.name)))
            {
                let mut path = super::init(&g.pod_path, g.index);
                path.push(Seg::Key("name".into()));
                out.push(Hit::new(
                    PM508,
                    g.doc,
                    path,
                    format!(
                        "{}: gate `{}` reads Job {} as ServiceAccount {sa}, but no Role of the stream bound to it allows `get` on that Job: it fails with Forbidden for ever",
                        cx.object(g.doc), g.gate.container, j.name
                    ),
                    false,
                ));
            }
        }
        for &r in &roles {
            if broad_seen.contains(&r) || g.gate.jobs.is_empty() {
                continue;
            }
            // A Role that grants none of the gate's Jobs is the app's own
            // (Woodpecker's agents create pipeline pods and Secrets): the
            // gate's reach is the rule's concern, not what the app needs.
            let grants = |j: &crate::plan::graph::chart_gates::JobRef| {
                rules(cx, r).any(|(_, rule)| reads(rule, &j.name))
            };
            if !g.gate.jobs.iter().any(grants) {
                continue;
            }
            if let Some((k, why)) = rules(cx, r).find_map(|(k, rule)| broad(rule).map(|w| (k, w))) {
                broad_seen.push(r);
                let mut path = at(&[], &["rules"]);
                path.push(Seg::Index(k));
                out.push(Hit::new(
                    PM508,
                    r,
                    path,
                    format!(
                        "{} lets the pods of {} (gate `{}`) {why}: a gate needs get/list/watch on its one Job (resourceNames)",
                        cx.object(r), cx.object(g.doc), g.gate.container
                    ),
                    false,
                ));
            }
        }
    }
}

/// The Role/ClusterRole documents bound to a ServiceAccount; `None` when a
/// binding names a role the stream does not hold (the rule cannot tell).
fn roles_of(cx: &Cx<'_>, ns: &str, sa: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for b in 0..cx.docs() {
        let kind = cx.kind(b);
        if !(kind == "RoleBinding" && same_ns(cx.namespace(b), ns) || kind == "ClusterRoleBinding")
        {
            continue;
        }
        let Some(v) = cx.values[b].as_ref() else {
            continue;
        };
        let bound = crate::k8s::binds_service_account(v, sa, |n| same_ns(n.unwrap_or(ns), ns));
        if !bound {
            continue;
        }
        let (rk, rn) = crate::k8s::role_ref(v);
        let found = (0..cx.docs()).find(|&i| {
            cx.kind(i) == rk
                && cx.name(i) == rn
                && (rk == "ClusterRole" || same_ns(cx.namespace(i), ns))
        });
        out.push(found?);
    }
    Some(out)
}

/// Namespaces as written: "" is the release's, which may be any of them.
fn same_ns(a: &str, b: &str) -> bool {
    a == b || a.is_empty() || b.is_empty()
}

fn rules<'c>(cx: &'c Cx<'_>, role: usize) -> impl Iterator<Item = (usize, &'c Value)> + 'c {
    cx.values[role]
        .as_ref()
        .and_then(|v| v.get("rules"))
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
}

/// Whether a rule allows `get` on Job `job`.
fn reads(rule: &Value, job: &str) -> bool {
    let groups = rule.strings("apiGroups");
    let res = rule.strings("resources");
    let verbs = rule.strings("verbs");
    let names = rule.strings("resourceNames");
    (groups.contains(&"batch") || groups.contains(&"*"))
        && (res.contains(&"jobs") || res.contains(&"*"))
        && (verbs.contains(&"get") || verbs.contains(&"*"))
        && (names.is_empty() || names.contains(&job))
}

/// What a rule allows beyond reading one Job, if anything.
fn broad(rule: &Value) -> Option<String> {
    let res = rule.strings("resources");
    let verbs = rule.strings("verbs");
    if res.contains(&"*") {
        return Some("do anything to every resource".into());
    }
    if res.contains(&"secrets") {
        return Some("read Secrets".into());
    }
    if !res.contains(&"jobs") {
        return None;
    }
    let write: Vec<&str> = verbs
        .iter()
        .copied()
        .filter(|v| !matches!(*v, "get" | "list" | "watch"))
        .collect();
    if !write.is_empty() {
        return Some(format!("{} Jobs", write.join("/")));
    }
    rule.strings("resourceNames")
        .is_empty()
        .then(|| "read every Job of the namespace (no resourceNames)".into())
}
