//! The gate's own service-account token: a projected volume mounted only into
//! the gate, for pods that do not mount their account's token.

use crate::k8s;
use crate::plan::context::{namespace, Context};
use crate::plan::model::Plan;
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

/// Projected token volume for pods that do not mount their service account token.
pub(crate) const TOKEN_VOLUME: &str = "premigrate-wait-token";

/// Plans the gate's projected token volume: present when `want`, absent otherwise.
pub(crate) fn plan_token(plan: &mut Plan, w: usize, pod_path: &[Seg], pod: &Value, want: bool) {
    let vols = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    let found = vols
        .iter()
        .position(|v| v.get("name").and_then(Value::as_str) == Some(TOKEN_VOLUME));
    if found.is_none() && !want {
        // Most workloads: nothing to add or remove (nothing built to say so).
        return;
    }
    let mut path = pod_path.to_vec();
    path.push(Seg::Key("volumes".into()));
    let volume = token_volume();
    // A volume of that name that is not exactly premigrate's is the user's: never removed.
    let found = found.filter(|&i| want || vols[i] == volume);
    match (found, want) {
        (None, false) => {}
        (Some(i), true) if vols[i] == volume => {}
        (Some(i), true) => {
            path.push(Seg::Index(i));
            plan.change(w, Edit::Set(path, volume), "refreshed the gate's projected token volume");
        }
        (None, true) => plan.change(w, Edit::Insert(path, usize::MAX, vec![volume]), "added a projected service-account token for the gate only (the pod or its ServiceAccount sets automountServiceAccountToken: false)"),
        (Some(_), false) if vols.len() == 1 => plan.change(w, Edit::Remove(path), "removed the gate's projected token: no gate needs it any more"),
        (Some(i), false) => plan.change(w, Edit::RemoveItem(path, i), "removed the gate's projected token: no gate needs it any more"),
    }
}

/// Whether the pod gets no service-account token: its own
/// `automountServiceAccountToken: false`, or, when the pod does not say, that of
/// its ServiceAccount as the stream defines it, as a regular object or a Helm
/// hook (Baserow's account is a `pre-install` hook: it exists on every engine)
/// (the pod's field wins over the account's, as in Kubernetes). An account the
/// stream does not define is assumed to mount the token.
pub(crate) fn mounts_no_token(ctx: &Context<'_>, workload: &Value, pod: &Value) -> bool {
    match pod.get("automountServiceAccountToken") {
        Some(Value::Bool(b)) => !b,
        _ => {
            let (ns, sa) = (namespace(workload), k8s::service_account(pod));
            let kind = k8s::RefKind::ServiceAccount;
            ctx.def(kind, &ns, &sa)
                .or_else(|| ctx.hook_def(kind, &ns, &sa))
                .and_then(|d| ctx.value(d))
                .and_then(|sa| sa.get("automountServiceAccountToken"))
                == Some(&Value::Bool(false))
        }
    }
}

/// Whether a volume is premigrate's gate token: recognised by its whole content
/// (what premigrate writes), not by its name alone.
pub(crate) fn is_token_volume(v: &Value) -> bool {
    *v == token_volume()
}

/// A projected service-account token, CA and namespace, mounted only into the gate.
fn token_volume() -> Value {
    Value::map([
        ("name", Value::str(TOKEN_VOLUME)),
        (
            "projected",
            Value::map([(
                "sources",
                Value::Seq(
                    vec![
                        Value::map([(
                            "serviceAccountToken",
                            Value::map([
                                ("path", Value::str("token")),
                                ("expirationSeconds", Value::Int(3607)),
                            ]),
                        )]),
                        Value::map([(
                            "configMap",
                            Value::map([
                                ("name", Value::str("kube-root-ca.crt")),
                                (
                                    "items",
                                    Value::Seq(
                                        vec![Value::map([
                                            ("key", Value::str("ca.crt")),
                                            ("path", Value::str("ca.crt")),
                                        ])]
                                        .into(),
                                    ),
                                ),
                            ]),
                        )]),
                        Value::map([(
                            "downwardAPI",
                            Value::map([(
                                "items",
                                Value::Seq(
                                    vec![Value::map([
                                        ("path", Value::str("namespace")),
                                        (
                                            "fieldRef",
                                            Value::map([(
                                                "fieldPath",
                                                Value::str("metadata.namespace"),
                                            )]),
                                        ),
                                    ])]
                                    .into(),
                                ),
                            )]),
                        )]),
                    ]
                    .into(),
                ),
            )]),
        ),
    ])
}
