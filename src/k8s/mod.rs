//! Read views of Kubernetes objects: where a workload keeps its pod template,
//! and which ConfigMaps, Secrets and ServiceAccount a pod uses.

pub mod engines;

use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// Where a Job, a Deployment and their kin keep their pod spec.
pub const POD_TEMPLATE_SPEC: &[&str] = &["spec", "template", "spec"];

/// Workload kinds and where each keeps its pod spec.
pub const WORKLOADS: &[(&str, &[&str])] = &[
    ("Deployment", POD_TEMPLATE_SPEC),
    ("StatefulSet", POD_TEMPLATE_SPEC),
    ("DaemonSet", POD_TEMPLATE_SPEC),
    ("ReplicaSet", POD_TEMPLATE_SPEC),
    ("Rollout", POD_TEMPLATE_SPEC),
    ("Job", POD_TEMPLATE_SPEC),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    ("Pod", &["spec"]),
];

/// The path of a kind's pod spec, if it is a workload.
pub fn pod_spec_path(kind: &str) -> Option<Vec<Seg>> {
    WORKLOADS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| p.iter().map(|s| Seg::Key(s.to_string())).collect())
}

/// Follows a path of segments in a value.
pub fn at<'v>(v: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, s| match s {
        Seg::Key(k) => v.get(k),
        Seg::Index(i) => v.items().get(*i),
    })
}

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum RefKind {
    /// A ConfigMap.
    ConfigMap,
    /// A Secret.
    Secret,
    /// A ServiceAccount.
    ServiceAccount,
}

impl RefKind {
    /// The Kubernetes kind.
    pub fn kind(self) -> &'static str {
        match self {
            RefKind::ConfigMap => "ConfigMap",
            RefKind::Secret => "Secret",
            RefKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// A reference from a pod spec to another object, with the path of the name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ref {
    /// What it points at.
    pub kind: RefKind,
    /// The object's name.
    pub name: String,
    /// Path of the name scalar from the document root.
    pub path: Vec<Seg>,
}

fn key(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

/// All references a pod spec makes; `base` is the pod spec's path in its document.
pub fn pod_refs(spec: &Value, base: &[Seg]) -> Vec<Ref> {
    let mut out = Vec::new();
    let mut push = |kind, v: Option<&Value>, path: Vec<Seg>| {
        if let Some(Value::Str(name)) = v {
            let mut p = base.to_vec();
            p.extend(path);
            out.push(Ref {
                kind,
                name: name.clone(),
                path: p,
            });
        }
    };
    for list in ["initContainers", "containers"] {
        for (i, c) in spec
            .get(list)
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let cp = vec![key(list), Seg::Index(i)];
            for (j, ef) in c
                .get("envFrom")
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for (field, kind) in [
                    ("configMapRef", RefKind::ConfigMap),
                    ("secretRef", RefKind::Secret),
                ] {
                    let p = [
                        cp.clone(),
                        vec![key("envFrom"), Seg::Index(j), key(field), key("name")],
                    ]
                    .concat();
                    push(kind, ef.at(&[field, "name"]), p);
                }
            }
            for (j, e) in c
                .get("env")
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for (field, kind) in [
                    ("configMapKeyRef", RefKind::ConfigMap),
                    ("secretKeyRef", RefKind::Secret),
                ] {
                    let p = [
                        cp.clone(),
                        vec![
                            key("env"),
                            Seg::Index(j),
                            key("valueFrom"),
                            key(field),
                            key("name"),
                        ],
                    ]
                    .concat();
                    push(kind, e.at(&["valueFrom", field, "name"]), p);
                }
            }
        }
    }
    for (i, vol) in spec
        .get("volumes")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let vp = vec![key("volumes"), Seg::Index(i)];
        push(
            RefKind::ConfigMap,
            vol.at(&["configMap", "name"]),
            [vp.clone(), vec![key("configMap"), key("name")]].concat(),
        );
        push(
            RefKind::Secret,
            vol.at(&["secret", "secretName"]),
            [vp.clone(), vec![key("secret"), key("secretName")]].concat(),
        );
        for (j, src) in vol
            .at(&["projected", "sources"])
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            for (field, kind) in [
                ("configMap", RefKind::ConfigMap),
                ("secret", RefKind::Secret),
            ] {
                let p = [
                    vp.clone(),
                    vec![
                        key("projected"),
                        key("sources"),
                        Seg::Index(j),
                        key(field),
                        key("name"),
                    ],
                ]
                .concat();
                push(kind, src.at(&[field, "name"]), p);
            }
        }
    }
    for (i, _) in spec
        .get("imagePullSecrets")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        push(
            RefKind::Secret,
            spec.get("imagePullSecrets")
                .and_then(|v| v.items()[i].get("name")),
            vec![key("imagePullSecrets"), Seg::Index(i), key("name")],
        );
    }
    for field in ["serviceAccountName", "serviceAccount"] {
        push(RefKind::ServiceAccount, spec.get(field), vec![key(field)]);
    }
    out
}

/// The image repositories a pod spec runs.
pub fn pod_images(spec: &Value) -> Vec<String> {
    ["initContainers", "containers"]
        .iter()
        .flat_map(|l| spec.get(l).map(Value::items).unwrap_or(&[]))
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .map(|i| crate::detect::image_repository(i).to_string())
        .collect()
}

/// The service account a pod runs as.
pub fn service_account(spec: &Value) -> String {
    spec.get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string()
}
