//! Why an object never becomes ready: the chain of waits from one stuck object,
//! followed until it loops or ends, in words.

use std::collections::BTreeMap;

use super::{unwaited, Deadlock, Engine, Node, Slot};

/// Follows the first unmet condition from object `start` until it loops or ends.
pub(super) fn explain(
    nodes: &[Node],
    slots: &[Slot],
    ready: &[bool],
    start: usize,
    engine: Engine,
) -> Deadlock {
    // Prefer to start inside a cycle: follow from `start` and report from the first repeat.
    let mut chain: Vec<(usize, String)> = Vec::new();
    let mut seen: BTreeMap<usize, usize> = BTreeMap::new();
    let mut at = start;
    loop {
        if let Some(&pos) = seen.get(&at) {
            let cycle = chain[pos..]
                .iter()
                .map(|(i, why)| (nodes[*i].label.clone(), why.clone()))
                .collect();
            return Deadlock {
                engine,
                chain: cycle,
                cycle: true,
            };
        }
        seen.insert(at, chain.len());
        match blocker(nodes, slots, ready, at, engine) {
            Some((Some(next), why)) => {
                chain.push((at, format!("{why}: waits for {}", nodes[next].label)));
                at = next;
            }
            other => {
                chain.push((at, other.map(|b| b.1).unwrap_or_default()));
                return Deadlock {
                    engine,
                    chain: chain
                        .into_iter()
                        .map(|(i, why)| (nodes[i].label.clone(), why))
                        .collect(),
                    cycle: false,
                };
            }
        }
    }
}

/// The first unmet condition that keeps object `i` from being ready, if any.
pub(super) fn blocker(
    nodes: &[Node],
    slots: &[Slot],
    ready: &[bool],
    i: usize,
    engine: Engine,
) -> Option<(Option<usize>, String)> {
    if slots[i] == Slot::Never {
        return Some((None, never_reason(&nodes[i], engine)));
    }
    if slots[i] == Slot::Done {
        return None;
    }
    if let Some(b) = apply_blocker(nodes, slots, ready, i, engine) {
        return Some(b);
    }
    nodes[i]
        .waits
        .iter()
        .find(|(w, _)| !ready[*w])
        .or_else(|| {
            nodes[i]
                .checks
                .iter()
                .find(|(w, _)| !ready[*w] && slots[*w] != Slot::Never)
        })
        .map(|(w, why)| (Some(*w), why.words(&nodes[*w].label)))
}

/// What keeps the engine from applying object `i`.
fn apply_blocker(
    nodes: &[Node],
    slots: &[Slot],
    ready: &[bool],
    i: usize,
    engine: Engine,
) -> Option<(Option<usize>, String)> {
    match (engine, slots[i]) {
        (Engine::Kapp, _) => nodes[i].after_groups.iter().find_map(|g| {
            (0..nodes.len())
                .find(|&j| !ready[j] && nodes[j].groups.contains(g))
                .map(|j| (Some(j), format!("kapp: upsert after upserting {g}")))
        }),
        (_, Slot::Step(..)) => (0..nodes.len())
            .filter(|&j| !unwaited(nodes, engine, j))
            .find(|&j| !ready[j] && matches!(slots[j], Slot::Step(..)) && slots[j] < slots[i])
            .map(|j| (Some(j), step_reason(&nodes[j], slots[j], engine))),
        (_, Slot::Post(..)) => (0..nodes.len())
            .filter(|&j| !unwaited(nodes, engine, j))
            .find(|&j| {
                !ready[j]
                    && match slots[j] {
                        Slot::Step(0, ..) => true,
                        Slot::Post(..) => slots[j] < slots[i],
                        _ => false,
                    }
            })
            .map(|j| (Some(j), step_reason(&nodes[j], slots[j], engine))),
        (_, Slot::Free | Slot::Done) => None,
        (_, Slot::Never) => Some((None, never_reason(&nodes[i], engine))),
    }
}

fn step_reason(n: &Node, s: Slot, engine: Engine) -> String {
    match (engine, s) {
        (Engine::ArgoCd, Slot::Step(phase, wave, _)) => format!(
            "Argo CD waits for {} wave {wave} to be healthy first",
            ["PreSync", "Sync", "PostSync"][phase as usize]
        ),
        _ => match &n.hook {
            Some(h) => format!(
                "Helm runs `{}` hooks one at a time by weight, then name, and waits for this one (weight {}) first",
                h.events.join(","),
                h.weight
            ),
            None => "Helm applies the release's resources first".into(),
        },
    }
}

fn never_reason(n: &Node, engine: Engine) -> String {
    if engine == Engine::ArgoCd {
        return "an Argo CD hook that does not run in a sync (Skip, SyncFail or PostDelete)".into();
    }
    let events = n
        .hook
        .as_ref()
        .map(|h| h.events.join(","))
        .unwrap_or_default();
    format!(
        "a `{events}` hook: it does not run on {}",
        if engine == Engine::HelmUpgrade {
            "an upgrade"
        } else {
            "an install"
        }
    )
}
