//! A pod's init container list with exactly the wanted gates, placed right
//! after its leading native sidecars, planned as precise edits beside what
//! extraction already takes out.

use crate::plan::gates::container::is_gate;
use crate::plan::model::Plan;
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

/// Plans a pod's init containers so that its premigrate gates are exactly `gates`
/// (none: the workload is not gated), placed right after the pod's leading native
/// sidecars (`restartPolicy: Always`): those start before the gate, so a `check`
/// gate can reach the database through a proxy sidecar; a waiting gate loses nothing.
pub(crate) fn plan_init(
    plan: &mut Plan,
    w: usize,
    pod_path: &[Seg],
    pod: &Value,
    gates: &[Value],
    jobs: &[&str],
) {
    let mut path = pod_path.to_vec();
    path.push(Seg::Key("initContainers".into()));
    let existing = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    // Init containers extraction already takes out (plan/sources/extract.rs): their
    // removals stay planned, and the gates go in beside them.
    let extracted = extracted(plan, w, &path);
    let old: Vec<usize> = (0..existing.len())
        .filter(|&i| is_gate(&existing[i]))
        .collect();
    // The chart's own init containers that stay, by original index.
    let others: Vec<usize> = (0..existing.len())
        .filter(|&i| !is_gate(&existing[i]) && !extracted.iter().any(|e| e.0 == i))
        .collect();
    let at = others
        .iter()
        .take_while(|&&i| {
            existing[i].get("restartPolicy").and_then(Value::as_str) == Some("Always")
        })
        .count();
    let item = |i: usize| {
        let mut p = path.clone();
        p.push(Seg::Index(i));
        p
    };
    // The old gates are where this function puts them: contiguous, right after the sidecars.
    let laid_out = old.iter().enumerate().all(|(j, &i)| i == at + j) && extracted.is_empty();
    if old.is_empty() && extracted.is_empty() {
        if !gates.is_empty() {
            plan.change(w, Edit::Insert(path, at, gates.to_vec()), added(jobs));
        }
        return;
    }
    if laid_out && old.len() == gates.len() {
        // Same number of gates: each is overwritten in place when it changed.
        for (j, gate) in gates.iter().enumerate() {
            if existing[at + j] != *gate {
                plan.change(
                    w,
                    Edit::Set(item(at + j), gate.clone()),
                    format!("moved a premigrate gate to Job {}", jobs[j]),
                );
            }
        }
        return;
    }
    if others.is_empty() && gates.is_empty() {
        // Nothing is left: the key goes rather than staying as an empty list, and
        // extraction's removals with it.
        let mut whys: Vec<String> = extracted.into_iter().map(|e| e.1).collect();
        if !old.is_empty() {
            whys.push(gates_removed(old.len()).into());
        }
        if let Some(cs) = plan.changes.get_mut(&w) {
            cs.retain(|c| !matches!(&c.edit, Edit::RemoveItem(q, _) if *q == path));
        }
        plan.change(w, Edit::Remove(path), whys.join("; "));
        return;
    }
    let before = others.get(at).copied().unwrap_or(existing.len());
    let mut change = |edit: Edit, why: String| plan.change(w, edit, why);
    replace(&mut change, &path, existing, &old, before, gates, jobs);
}

/// The init containers extraction already takes out of the list at `path`: (index, why).
fn extracted(plan: &Plan, w: usize, path: &[Seg]) -> Vec<(usize, String)> {
    plan.changes
        .get(&w)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| match &c.edit {
                    Edit::RemoveItem(q, i) if q == path => Some((*i, c.why.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Replaces the `old` gates of the list at `path`: they go, and the new ones go
/// in `before` the first kept init container after the sidecars (original indices).
fn replace(
    change: &mut dyn FnMut(Edit, String),
    path: &[Seg],
    existing: &[Value],
    old: &[usize],
    before: usize,
    gates: &[Value],
    jobs: &[&str],
) {
    // Anything else (gates added or removed, gates moved by hand, or containers
    // extracted): the old gates go and the new ones go in right after the kept
    // sidecars, each edit on original indices; the other init containers keep their text.
    for &i in old {
        let name = existing[i]
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("?");
        let why = match (gates.is_empty(), old.len()) {
            (true, 1) => gates_removed(1).to_string(),
            (true, _) => format!(
                "removed premigrate gate `{name}`: the workload no longer waits for a migration"
            ),
            (false, _) => {
                format!("removed premigrate gate `{name}`: the gates added below replace it")
            }
        };
        change(Edit::RemoveItem(path.to_vec(), i), why);
    }
    if !gates.is_empty() {
        change(
            Edit::Insert(path.to_vec(), before, gates.to_vec()),
            added(jobs),
        );
    }
}

/// What a gate insertion says.
fn added(jobs: &[&str]) -> String {
    format!(
        "added init container(s) waiting for Job {}",
        jobs.join(", ")
    )
}

/// Why gates were removed, for one or several.
fn gates_removed(n: usize) -> &'static str {
    if n == 1 {
        "removed a premigrate gate: the workload no longer waits for a migration"
    } else {
        "removed premigrate gates: the workload no longer waits for a migration"
    }
}
