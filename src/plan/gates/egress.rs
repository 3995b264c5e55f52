//! NetworkPolicies that keep a gate from the API server. A gate that waits with
//! `kubectl wait` (or k8s-wait-for) reads the migration Job from the API
//! server; an egress policy of the stream that selects the gated pods and
//! lets nothing out to port 443 or 6443 holds them in their init containers
//! forever (a Bitnami chart with `networkPolicy.allowExternalEgress=false`).
//! A schema-check gate (`--gate-style check`) reaches the database instead.

use crate::diag::codes;
use crate::plan::context::Context;
use crate::plan::graph::roles;
use crate::plan::model::Plan;
use crate::yaml::value::scalar_text;
use crate::yaml::Value;

/// The ports the API server listens on, as a policy names them.
const API_PORTS: &[&str] = &["443", "6443", "https"];

/// Notes each gated workload whose pods an egress NetworkPolicy of the stream
/// keeps from the API server.
pub(crate) fn check(ctx: &Context<'_>, plan: &mut Plan, gated: &[usize]) {
    let policies: Vec<(usize, std::borrow::Cow<'_, Value>)> = (0..ctx.index.entries.len())
        .filter(|&i| ctx.kind(i) == "NetworkPolicy")
        .filter_map(|i| Some((i, roles::peek(ctx.index, i)?)))
        .filter(|(_, p)| restricts_egress(p))
        .collect();
    if policies.is_empty() {
        return;
    }
    // As written ("": the release's namespace, which the others are too).
    let ns_of = |i: usize| {
        ctx.index.entries[i]
            .info
            .namespace
            .clone()
            .unwrap_or_default()
    };
    for &w in gated {
        let ns = ns_of(w);
        let Some(labels) = ctx
            .value(w)
            .and_then(|v| v.at(&["spec", "template", "metadata", "labels"]))
        else {
            continue;
        };
        let selecting: Vec<usize> = policies
            .iter()
            .filter(|(i, p)| {
                let theirs = ns_of(*i);
                (theirs == ns || theirs.is_empty() || ns.is_empty()) && selects(p, labels)
            })
            .map(|(i, _)| *i)
            .collect();
        let allowed = policies
            .iter()
            .filter(|(i, _)| selecting.contains(i))
            .any(|(_, p)| allows_api(p));
        if selecting.is_empty() || allowed {
            continue;
        }
        let names: Vec<String> = selecting.iter().map(|&i| ctx.object(i)).collect();
        plan.note(codes::PM606, Some(w), format!(
            "{}: its gate reads the migration Job from the API server, but {} let(s) its pods out to no address the API server may have (outside the pod network, in a private range) on port 443 or 6443: the gate never sees the Job complete and the pods never start; allow egress to the API server in the chart's policy, or use --gate-style check (the gate reaches the database instead)",
            ctx.object(w),
            names.join(", ")
        ));
    }
}

/// A port as written: a number or a name, without YAML quoting.
fn plain(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        other => scalar_text(other),
    }
}

/// Whether a policy restricts egress (`policyTypes` names it, or has egress rules).
fn restricts_egress(p: &Value) -> bool {
    match p.at(&["spec", "policyTypes"]) {
        Some(types) => types.items().iter().any(|t| t.as_str() == Some("Egress")),
        None => p.at(&["spec", "egress"]).is_some(),
    }
}

/// Whether the policy's `podSelector` selects pods with `labels`.
fn selects(p: &Value, labels: &Value) -> bool {
    let Some(sel) = p.at(&["spec", "podSelector"]) else {
        return false;
    };
    let label = |k: &str| labels.get(k).map(scalar_text);
    let by_label = sel
        .get("matchLabels")
        .map(Value::entries)
        .unwrap_or(&[])
        .iter()
        .all(|(k, v)| label(k) == Some(scalar_text(v)));
    let by_expression = sel
        .get("matchExpressions")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .all(|e| {
            let key = e.get("key").and_then(Value::as_str).unwrap_or("");
            let values: Vec<String> = e
                .get("values")
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .map(scalar_text)
                .collect();
            let have = label(key);
            match e.get("operator").and_then(Value::as_str).unwrap_or("") {
                "In" => have.is_some_and(|h| values.contains(&h)),
                "NotIn" => have.is_none_or(|h| !values.contains(&h)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => false,
            }
        });
    by_label && by_expression
}

/// Whether some egress rule of the policy may let pods out to the API server:
/// to anywhere (no peers) or to an IP block (the API server is no pod: an
/// `ipBlock` is how a policy allows it, whatever the block), on any port, an
/// API port, or a range (`endPort`) that holds one. Pod and namespace
/// selectors never reach it.
fn allows_api(p: &Value) -> bool {
    let rules = p.at(&["spec", "egress"]).map(Value::items).unwrap_or(&[]);
    rules.iter().any(|r| {
        let to = r.get("to").map(Value::items).unwrap_or(&[]);
        let outside = to.is_empty()
            || to
                .iter()
                .any(|peer| peer.get("ipBlock").is_some_and(|b| !excludes_private(b)));
        let ports = r.get("ports").map(Value::items).unwrap_or(&[]);
        let api_port = ports.is_empty() || ports.iter().any(covers_api_port);
        outside && api_port
    })
}

/// Whether an `ipBlock` leaves out a private range (`except: [10.0.0.0/8,
/// …]`, Ghostfolio's "public internet only" policy): the API server's
/// in-cluster address is a private one, so such a block does not reach it.
fn excludes_private(block: &Value) -> bool {
    let except = block.get("except").map(Value::items).unwrap_or(&[]);
    except.iter().filter_map(Value::as_str).any(|cidr| {
        // IPv6 unique local addresses (fc00::/7): a dual-stack cluster's.
        let v6 = cidr.get(..2).map(str::to_ascii_lowercase);
        if matches!(v6.as_deref(), Some("fc" | "fd")) {
            return true;
        }
        let mut octets = cidr.split(['.', '/']).map(|o| o.parse::<u8>().ok());
        match (octets.next().flatten(), octets.next().flatten()) {
            (Some(10), _) | (Some(192), Some(168)) => true,
            (Some(172), Some(b)) => (16..=31).contains(&b),
            _ => false,
        }
    })
}

/// Whether a port rule covers 443 or 6443: no port (all), one of them by
/// number or name, or a range up to `endPort` that holds one.
fn covers_api_port(port: &Value) -> bool {
    let Some(n) = port.get("port") else {
        return true;
    };
    if API_PORTS.contains(&plain(n).as_str()) {
        return true;
    }
    let (Value::Int(from), Some(Value::Int(to))) = (n, port.get("endPort")) else {
        return false;
    };
    [443, 6443].iter().any(|p| from <= p && p <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Value {
        crate::yaml::Tree::read_value(text).unwrap().unwrap()
    }

    #[test]
    fn what_lets_a_pod_out_to_the_api_server() {
        let policy = |egress: &str| {
            read(&format!(
                "spec:\n  policyTypes: [Egress]\n  egress:\n{egress}"
            ))
        };
        assert!(allows_api(&policy("    - {}\n")));
        assert!(allows_api(&policy("    - ports: [{port: 443}]\n")));
        assert!(allows_api(&policy(
            "    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n      ports: [{port: \"6443\"}]\n"
        )));
        assert!(!allows_api(&policy(
            "    - ports: [{port: 53, protocol: UDP}]\n"
        )));
        assert!(!allows_api(&policy("    - to: [{podSelector: {}}]\n")));
        // Public addresses only (Ghostfolio): the API server's is private.
        assert!(!allows_api(&policy(
            "    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}}]\n      ports: [{port: 443}]\n"
        )));
        assert!(allows_api(&policy(
            "    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]\n"
        )));
        assert!(!allows_api(&policy(
            "    - to: [{ipBlock: {cidr: \"::/0\", except: [\"fc00::/7\", \"fe80::/10\"]}}]\n"
        )));
        // Egress named but no rule: nothing goes out.
        assert!(restricts_egress(&read(
            "spec:\n  policyTypes: [Ingress, Egress]\n"
        )));
        assert!(!restricts_egress(&read(
            "spec:\n  policyTypes: [Ingress]\n"
        )));
        assert!(!allows_api(&read("spec:\n  policyTypes: [Egress]\n")));
    }

    #[test]
    fn which_pods_a_policy_selects() {
        let labels = read("app: web\ntier: front\n");
        let sel = |s: &str| selects(&read(&format!("spec:\n  podSelector: {s}\n")), &labels);
        assert!(sel("{}"));
        assert!(sel("{matchLabels: {app: web}}"));
        assert!(!sel("{matchLabels: {app: worker}}"));
        assert!(sel(
            "{matchExpressions: [{key: tier, operator: In, values: [front]}]}"
        ));
        assert!(!sel(
            "{matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}"
        ));
        assert!(sel("{matchExpressions: [{key: app, operator: Exists}]}"));
        assert!(!sel("{matchExpressions: [{key: zone, operator: Exists}]}"));
    }
}
