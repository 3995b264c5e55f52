//! References from a pod spec to the ConfigMaps, Secrets and ServiceAccount it
//! uses: where they sit, as a table (kustomize's name-reference idea), walked by
//! one function.

use crate::k8s::kinds::RefKind;
use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// A reference from a pod spec to another object, with the path of the name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ref {
    /// What it points at.
    pub(crate) kind: RefKind,
    /// The object's name.
    pub(crate) name: String,
    /// Path of the name scalar from the document root.
    pub(crate) path: Vec<Seg>,
}

/// A field that names an object, under a list item (or the pod spec).
struct Field {
    /// Its path from the item.
    path: &'static [&'static str],
    /// What it names.
    kind: RefKind,
}

/// A list of the pod spec whose items name objects, and the lists within those items.
struct List {
    /// Its path from the enclosing item (or the pod spec).
    path: &'static [&'static str],
    /// The naming fields of each item.
    fields: &'static [Field],
    /// Lists within each item.
    nested: &'static [List],
}

const fn field(path: &'static [&'static str], kind: RefKind) -> Field {
    Field { path, kind }
}

/// Lists within a container that name objects.
const CONTAINER: &[List] = &[
    List {
        path: &["envFrom"],
        fields: &[
            field(&["configMapRef", "name"], RefKind::ConfigMap),
            field(&["secretRef", "name"], RefKind::Secret),
        ],
        nested: &[],
    },
    List {
        path: &["env"],
        fields: &[
            field(
                &["valueFrom", "configMapKeyRef", "name"],
                RefKind::ConfigMap,
            ),
            field(&["valueFrom", "secretKeyRef", "name"], RefKind::Secret),
        ],
        nested: &[],
    },
];

/// Where a pod spec names other objects, in the order they are reported.
const POD_LISTS: &[List] = &[
    List {
        path: &["initContainers"],
        fields: &[],
        nested: CONTAINER,
    },
    List {
        path: &["containers"],
        fields: &[],
        nested: CONTAINER,
    },
    List {
        path: &["volumes"],
        fields: &[
            field(&["configMap", "name"], RefKind::ConfigMap),
            field(&["secret", "secretName"], RefKind::Secret),
        ],
        nested: &[List {
            path: &["projected", "sources"],
            fields: &[
                field(&["configMap", "name"], RefKind::ConfigMap),
                field(&["secret", "name"], RefKind::Secret),
            ],
            nested: &[],
        }],
    },
    List {
        path: &["imagePullSecrets"],
        fields: &[field(&["name"], RefKind::Secret)],
        nested: &[],
    },
];

/// Fields of the pod spec itself that name objects.
const POD_FIELDS: &[Field] = &[
    field(&["serviceAccountName"], RefKind::ServiceAccount),
    field(&["serviceAccount"], RefKind::ServiceAccount),
];

fn keys<'a>(path: &'a [&'a str]) -> impl Iterator<Item = Seg> + 'a {
    path.iter().map(|s| Seg::Key(s.to_string()))
}

/// All references a pod spec makes; `base` is the pod spec's path in its document.
pub(crate) fn pod_refs(spec: &Value, base: &[Seg]) -> Vec<Ref> {
    let mut out = Vec::new();
    let at = At::Base(base);
    walk(spec, &at, POD_LISTS, &mut out);
    fields(spec, &at, POD_FIELDS, &mut out);
    out
}

/// Where the walk is: the pod spec's path, then list keys and item numbers.
/// A path is written out only for a reference found (most list items, such as
/// env entries with plain values, name nothing).
enum At<'a> {
    Base(&'a [Seg]),
    Item(&'a At<'a>, &'static [&'static str], usize),
}

impl At<'_> {
    fn path(&self) -> Vec<Seg> {
        match self {
            At::Base(base) => base.to_vec(),
            At::Item(parent, list, i) => {
                let mut p = parent.path();
                p.extend(keys(list));
                p.push(Seg::Index(*i));
                p
            }
        }
    }
}

/// The references in the items of `lists` under `v` (at `at`), item by item.
fn walk(v: &Value, at: &At<'_>, lists: &[List], out: &mut Vec<Ref>) {
    for list in lists {
        let items = v.at(list.path).map(Value::items).unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            let here = At::Item(at, list.path, i);
            fields(item, &here, list.fields, out);
            walk(item, &here, list.nested, out);
        }
    }
}

/// The references `fields` of `v` (at `at`) make.
fn fields(v: &Value, at: &At<'_>, fields: &[Field], out: &mut Vec<Ref>) {
    for f in fields {
        if let Some(Value::Str(name)) = v.at(f.path) {
            let mut path = at.path();
            path.extend(keys(f.path));
            out.push(Ref {
                kind: f.kind,
                name: name.to_string(),
                path,
            });
        }
    }
}

/// Whether an RBAC binding (RoleBinding, ClusterRoleBinding) has ServiceAccount
/// `sa` among its subjects, in a namespace `ns_ok` accepts (`None`: the
/// subject names none).
pub(crate) fn binds_service_account(
    binding: &Value,
    sa: &str,
    ns_ok: impl Fn(Option<&str>) -> bool,
) -> bool {
    binding
        .get("subjects")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .any(|s| {
            s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                && s.get("name").and_then(Value::as_str) == Some(sa)
                && ns_ok(s.get("namespace").and_then(Value::as_str))
        })
}

/// The role an RBAC binding grants: its `roleRef` kind (`Role` when unset) and name.
pub(crate) fn role_ref(binding: &Value) -> (&str, &str) {
    let get = |k: &str| binding.at(&["roleRef", k]).and_then(Value::as_str);
    (get("kind").unwrap_or("Role"), get("name").unwrap_or(""))
}

/// The service account a pod runs as.
pub(crate) fn service_account(spec: &Value) -> String {
    spec.get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string()
}
