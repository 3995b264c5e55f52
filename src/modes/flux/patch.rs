//! Planned edits as JSON 6902 patches (the kustomize `patches:` of a Flux
//! HelmRelease post-renderer), with targets that pick exactly one object.

use crate::k8s;
use crate::yaml::edit::{self, Edit, Seg};
use crate::yaml::Value;

/// A kustomize patch target that picks exactly this object.
pub(crate) fn target(v: &Value) -> Value {
    let s = |p: &[&str]| v.at(p).and_then(Value::as_str).unwrap_or("").to_string();
    let api = s(&["apiVersion"]);
    let (group, version) = match api.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api),
    };
    let mut t = vec![];
    if !group.is_empty() {
        t.push(("group", Value::str(group)));
    }
    t.push(("version", Value::str(version)));
    t.push(("kind", Value::str(s(&["kind"]))));
    t.push(("name", Value::str(s(&["metadata", "name"]))));
    let ns = s(&["metadata", "namespace"]);
    if !ns.is_empty() {
        t.push(("namespace", Value::str(ns)));
    }
    Value::map(t)
}

/// A JSON pointer from a path (RFC 6901 escapes).
fn pointer(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        s.push('/');
        match seg {
            Seg::Key(k) => s.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Seg::Index(i) => s.push_str(&i.to_string()),
        }
    }
    s
}

/// One operation.
fn op(kind: &str, path: &[Seg], value: Option<Value>) -> Value {
    let mut m = vec![
        ("op".into(), Value::str(kind)),
        ("path".into(), Value::str(pointer(path))),
    ];
    if let Some(v) = value {
        m.push(("value".into(), v));
    }
    Value::Map(m.into())
}

/// JSON 6902 operations that make the planned edits to a document whose value
/// is `v`. Missing mappings on a path are added whole, as the edit layer creates them.
pub(crate) fn json_patch(v: &Value, edits: &[Edit]) -> Vec<Value> {
    // The steps the edit layer checks its text against: each index is valid when its operation runs.
    let ordered = edit::sequential(v, edits);
    let mut current = v.clone();
    let mut ops: Vec<Value> = Vec::new();
    // Mappings an earlier operation added whole: later keys under them go into that value.
    let mut created: Vec<(Vec<Seg>, usize)> = Vec::new();
    for e in &ordered {
        match e {
            Edit::Set(path, val) => set_op(&current, path, val, &mut ops, &mut created),
            Edit::Remove(path) => {
                if k8s::at(&current, path).is_some() {
                    ops.push(op("remove", path, None));
                }
            }
            Edit::RemoveItem(path, i) => {
                let mut p = path.clone();
                p.push(Seg::Index(*i));
                ops.push(op("remove", &p, None));
            }
            Edit::Insert(path, i, items) => insert_ops(&current, path, *i, items, &mut ops),
        }
        edit::apply_to_value(&mut current, e);
    }
    ops
}

/// The operation of a set: into a mapping an earlier operation added whole, a
/// `replace` of what exists, or an `add` of the missing part as one nested value.
fn set_op(
    current: &Value,
    path: &[Seg],
    val: &Value,
    ops: &mut Vec<Value>,
    created: &mut Vec<(Vec<Seg>, usize)>,
) {
    if let Some((p, k)) = created
        .iter()
        .find(|(p, _)| path.len() > p.len() && path.starts_with(p))
        .cloned()
    {
        if let Value::Map(m) = &mut ops[k] {
            if let Some((_, inner)) = m.iter_mut().find(|(key, _)| key == "value") {
                edit::apply_to_value(inner, &Edit::Set(path[p.len()..].to_vec(), val.clone()));
            }
        }
        return;
    }
    // The longest prefix that exists as a collection to add into.
    let mut k = 0;
    while k < path.len() {
        match k8s::at(current, &path[..=k]) {
            Some(Value::Null) | None => break,
            Some(_) => k += 1,
        }
    }
    if k == path.len() {
        ops.push(op("replace", path, Some(val.clone())));
        return;
    }
    let mut nested = val.clone();
    for seg in path[k + 1..].iter().rev() {
        if let Seg::Key(key) = seg {
            nested = Value::map([(key.clone(), nested)]);
        }
    }
    let exists_as_null = matches!(k8s::at(current, &path[..=k]), Some(Value::Null));
    let kind = if exists_as_null { "replace" } else { "add" };
    if matches!(nested, Value::Map(_)) {
        created.push((path[..=k].to_vec(), ops.len()));
    }
    ops.push(op(kind, &path[..=k], Some(nested)));
}

/// The operations of an insert: one `add` per item into an existing list, or the list added whole.
fn insert_ops(current: &Value, path: &[Seg], i: usize, items: &[Value], ops: &mut Vec<Value>) {
    match k8s::at(current, path) {
        Some(Value::Seq(list)) => {
            let at_end = i >= list.len();
            for (j, item) in items.iter().enumerate() {
                let mut p = path.to_vec();
                let mut ptr_tail = pointer(&p);
                if at_end {
                    ptr_tail.push_str("/-");
                } else {
                    p.push(Seg::Index(i + j));
                    ptr_tail = pointer(&p);
                }
                ops.push(Value::map([
                    ("op", Value::str("add")),
                    ("path", Value::str(ptr_tail)),
                    ("value", item.clone()),
                ]));
            }
        }
        _ => {
            ops.push(op("add", path, Some(Value::Seq(items.to_vec().into()))));
        }
    }
}

/// Operations as the YAML text of a kustomize `patch:`.
pub(crate) fn ops_yaml(ops: &[Value]) -> String {
    let mut s = Value::Seq(ops.to_vec().into()).to_block(0);
    if s.starts_with('\n') {
        s.remove(0);
    }
    s.push('\n');
    s
}
