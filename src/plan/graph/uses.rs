//! What a workload uses and runs with: the stream's objects its pods name
//! (ConfigMaps, Secrets, ServiceAccount, claims and the volumes they may
//! bind, a StatefulSet's headless Service), and the RBAC its ServiceAccount
//! is bound to. They must exist before it, so they move with it.

use super::lookup::find_doc;
use super::roles::{peek, pod_of};
use crate::index::Index;
use crate::k8s;
use crate::yaml::Value;

/// The documents of the stream a workload's pods use (ConfigMaps, Secrets,
/// ServiceAccount, PersistentVolumeClaims), and a StatefulSet's headless
/// Service (`spec.serviceName`): its pods' DNS names, by which a clustered
/// database's members find each other, live under it (an Argo CD wave holding
/// the ZooKeeper ensemble but not its headless Service never becomes healthy;
/// one holding a database Deployment but not its claim, Mattermost's bundled
/// MySQL, never starts it).
pub fn uses(index: &Index<'_>, w: usize) -> Vec<usize> {
    let Some(pod) = pod_of(index, w) else {
        // An operator-run resource: the Secrets and ConfigMaps its spec names.
        let refs = super::operated::spec_refs(index, w);
        return refs
            .iter()
            .filter_map(|(kind, name)| find_doc(index, kind, name, Some(w)))
            .collect();
    };
    let mut out: Vec<usize> = k8s::pod_refs(&pod, &[])
        .iter()
        .filter_map(|r| find_doc(index, r.kind.kind(), &r.name, Some(w)))
        .collect();
    for claim in k8s::claim_names(&pod) {
        let found = find_doc(index, "PersistentVolumeClaim", claim, Some(w));
        out.extend(found.filter(|c| !out.contains(c)));
        for pv in found.map(|c| volumes_for(index, c)).unwrap_or_default() {
            out.extend((!out.contains(&pv)).then_some(pv));
        }
    }
    let info = &index.entries[w].info;
    if info.kind.as_deref() == Some("StatefulSet") {
        let governing = peek(index, w).and_then(|v| {
            v.at(&["spec", "serviceName"])
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        let headless = governing.and_then(|name| {
            (0..index.entries.len()).find(|&i| {
                let e = &index.entries[i].info;
                e.kind.as_deref() == Some("Service")
                    && e.name.as_deref() == Some(name.as_str())
                    && e.namespace == info.namespace
            })
        });
        out.extend(headless.filter(|h| !out.contains(h)));
    }
    out
}

/// The PersistentVolumes of the stream that claim document `c` may bind to:
/// the one it names (`volumeName`), those reserved for it (`claimRef`), else
/// those reserved for none of its storage class (Keep's chart ships a
/// hostPath volume for its database's claim: in a wave after the claim, the
/// claim stays Pending where no class provisions one, and the wave never ends).
fn volumes_for(index: &Index<'_>, c: usize) -> Vec<usize> {
    let Some(claim) = peek(index, c) else {
        return Vec::new();
    };
    let name = index.entries[c].info.name.as_deref().unwrap_or("");
    let ns = index.entries[c].info.namespace.as_deref();
    let class = |v: &Value| {
        v.at(&["spec", "storageClassName"])
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let wanted = claim.at(&["spec", "volumeName"]).and_then(Value::as_str);
    let pvs = (0..index.entries.len())
        .filter(|&i| index.entries[i].info.kind.as_deref() == Some("PersistentVolume"));
    pvs.filter(|&i| {
        let pv_name = index.entries[i].info.name.as_deref().unwrap_or("");
        let Some(pv) = peek(index, i) else {
            return false;
        };
        let reserved = pv.at(&["spec", "claimRef"]);
        let for_claim = reserved.is_some_and(|r| {
            r.get("name").and_then(Value::as_str) == Some(name)
                && r.get("namespace")
                    .and_then(Value::as_str)
                    .is_none_or(|n| ns.is_none_or(|ns| ns == n))
        });
        match wanted {
            Some(v) => v == pv_name,
            None => for_claim || (reserved.is_none() && class(&pv) == class(&claim)),
        }
    })
    .collect()
}

/// The RBAC ServiceAccount `sa` of namespace `ns` runs with: each RoleBinding or
/// ClusterRoleBinding of the stream that binds it (a subject without a
/// namespace counts), with the role it grants when the stream holds it (a Role
/// in the binding's namespace, a ClusterRole anywhere).
pub fn rbac_of(index: &Index<'_>, sa: &str, ns: &str) -> Vec<(usize, Option<usize>)> {
    let info = |i: usize| &index.entries[i].info;
    let kind = |i: usize| info(i).kind.as_deref().unwrap_or("");
    let single = crate::plan::context::single_namespace(index);
    let mut out = Vec::new();
    for b in (0..index.entries.len())
        .filter(|&b| matches!(kind(b), "RoleBinding" | "ClusterRoleBinding"))
    {
        let Some(bv) = peek(index, b) else { continue };
        // A subject's namespace is written even where the objects' is not
        // (`{{ .Release.Namespace }}` in a `helm template` render): then it
        // is taken for the release's own.
        let bns = info(b).namespace.as_deref().unwrap_or("");
        // A ServiceAccount written without one is in the release's namespace,
        // the one the stream's others name (Keep's RoleBinding and Role say
        // `keep`, its ServiceAccount nothing).
        let same = |n: Option<&str>| {
            n.is_none_or(|n| {
                n == ns
                    || (ns.is_empty() && bns.is_empty())
                    || (ns.is_empty() && single.as_deref() == Some(n))
            })
        };
        if !k8s::binds_service_account(&bv, sa, same) {
            continue;
        }
        let (role_kind, role) = k8s::role_ref(&bv);
        let named = |r: usize| kind(r) == role_kind && info(r).name.as_deref() == Some(role);
        let grants =
            |r: usize| named(r) && (role_kind != "Role" || info(r).namespace == info(b).namespace);
        // A Role written without a namespace goes to the release's, where a
        // binding that writes `{{ .Release.Namespace }}` is too (Zabbix).
        let unwritten = |r: usize| named(r) && info(r).namespace.is_none();
        let all = 0..index.entries.len();
        let role_doc = all
            .clone()
            .find(|&r| grants(r))
            .or_else(|| all.into_iter().find(|&r| unwritten(r)));
        out.push((b, role_doc));
    }
    out
}
