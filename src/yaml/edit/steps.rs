//! Edits applied to owned values: what the text edits must produce, and the
//! order in which several edits on one list read (Flux's JSON patches follow it).

use super::{Edit, Seg};
use crate::yaml::value::Value;

/// Wraps `v` in mappings for the missing keys of a path.
pub(super) fn nest(path: &[Seg], v: &Value) -> Value {
    path.iter().rev().fold(v.clone(), |acc, seg| match seg {
        Seg::Key(k) => Value::map([(k.clone(), acc)]),
        Seg::Index(_) => Value::Seq(vec![acc].into()),
    })
}

/// Applies an edit to an owned value: what the text edit must produce.
pub fn apply_to_value(root: &mut Value, e: &Edit) {
    fn walk<'a>(v: &'a mut Value, path: &[Seg], create: bool) -> Option<&'a mut Value> {
        let mut cur = v;
        for seg in path {
            cur = match seg {
                Seg::Key(k) => {
                    if create && !matches!(cur, Value::Map(_)) {
                        *cur = Value::Map(vec![].into());
                    }
                    if create && cur.get(k).is_none() {
                        cur.set(k, Value::Null);
                    }
                    match cur {
                        Value::Map(m) => {
                            m.iter_mut().rev().find(|(kk, _)| kk == k).map(|(_, v)| v)?
                        }
                        _ => return None,
                    }
                }
                Seg::Index(i) => match cur {
                    Value::Seq(items) => items.get_mut(*i)?,
                    _ => return None,
                },
            };
        }
        Some(cur)
    }
    match e {
        Edit::Set(path, v) => {
            if let Some(slot) = walk(root, path, true) {
                *slot = v.clone();
            }
        }
        Edit::Remove(path) => {
            if let Some((Seg::Key(k), parent)) = path.split_last() {
                if let Some(p) = walk(root, parent, false) {
                    p.remove(k);
                }
            }
        }
        Edit::Insert(path, idx, vs) => {
            if let Some(slot) = walk(root, path, true) {
                if !matches!(slot, Value::Seq(_)) {
                    *slot = Value::Seq(vec![].into());
                }
                if let Value::Seq(items) = slot {
                    let i = (*idx).min(items.len());
                    for (k, v) in vs.iter().enumerate() {
                        items.insert(i + k, v.clone());
                    }
                }
            }
        }
        Edit::RemoveItem(path, idx) => {
            if let Some(Value::Seq(items)) = walk(root, path, false) {
                if *idx < items.len() {
                    items.remove(*idx);
                }
            }
        }
    }
}

/// The edits as steps to take one after another with [`apply_to_value`] on `root`
/// (the value the edits were planned on): each step's indices refer to the list
/// as the steps before it left it, not to the original. Keyed edits come first,
/// in order; then each list's removals (from the back) and inserts (in place
/// order, then edit order), inner lists before the lists holding them.
pub fn sequential(root: &Value, edits: &[Edit]) -> Vec<Edit> {
    let mut out: Vec<Edit> = edits
        .iter()
        .filter(|e| matches!(e, Edit::Set(..) | Edit::Remove(..)))
        .cloned()
        .collect();
    let mut lists: Vec<&Vec<Seg>> = vec![];
    for e in edits {
        if let Edit::Insert(p, ..) | Edit::RemoveItem(p, _) = e {
            if !lists.contains(&p) {
                lists.push(p);
            }
        }
    }
    // Deeper first: an inner list's path holds original indices of the outer one.
    lists.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in lists {
        let n = match walk_ref(root, path) {
            Some(Value::Seq(items)) => items.len(),
            _ => 0,
        };
        let mut removed: Vec<usize> = edits
            .iter()
            .filter_map(|e| match e {
                Edit::RemoveItem(p, i) if p == path && *i < n => Some(*i),
                _ => None,
            })
            .collect();
        removed.sort_unstable();
        removed.dedup();
        let mut inserts: Vec<(usize, &Vec<Value>)> = edits
            .iter()
            .filter_map(|e| match e {
                Edit::Insert(p, i, vs) if p == path => Some(((*i).min(n), vs)),
                _ => None,
            })
            .collect();
        inserts.sort_by_key(|(at, _)| *at);
        for &i in removed.iter().rev() {
            out.push(Edit::RemoveItem(path.clone(), i));
        }
        let mut added = 0;
        for (at, vs) in inserts {
            let gone = removed.iter().filter(|&&r| r < at).count();
            let i = at - gone + added;
            // Past the end stays past the end, whatever the list's length now.
            let i = if at == n { usize::MAX } else { i };
            out.push(Edit::Insert(path.clone(), i, vs.clone()));
            added += vs.len();
        }
    }
    out
}

fn walk_ref<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, seg| match (seg, cur) {
        (Seg::Key(k), Value::Map(m)) => m.iter().rev().find(|(kk, _)| kk == k).map(|(_, v)| v),
        (Seg::Index(i), Value::Seq(items)) => items.get(*i),
        _ => None,
    })
}
