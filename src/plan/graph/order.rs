//! The order of a release's migrations: which run before the apps (pre), which
//! after (the contract step), and in which sequence — from the chart's own hook
//! events and weights, then its document order; annotations override.

use crate::plan::Phase;

/// What the chart says about one migration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// The Job's name before hashing.
    pub name: String,
    /// The chart's `helm.sh/hook` events, if the chart made it a hook.
    pub events: Option<Vec<String>>,
    /// The chart's `helm.sh/hook-weight` (0 when unset).
    pub weight: i64,
    /// `premigrate.io/phase`, when set.
    pub phase: Option<Phase>,
    /// `premigrate.io/after`, when set: names of migrations that must complete first.
    pub after: Option<Vec<String>>,
    /// The workload (`Kind/name`) it is taken out of: a Job premigrate builds,
    /// or built on an earlier run (`premigrate.io/derived-from`).
    pub workload: Option<String>,
    /// That workload's document: Jobs built out of workloads go in their
    /// workloads' order in the stream, wherever a rerun finds the Jobs.
    pub source: Option<usize>,
    /// Why it needs an app of the release running (its own command calls one,
    /// or it waits for a table the app creates): it runs after the apps (see
    /// the release graph's `calls_app`).
    pub calls_app: Option<String>,
    /// The image repositories its containers run (premigrate's gates left out).
    pub images: Vec<String>,
    /// The migrations (names before hashing) its own init containers wait
    /// for (SigNoz's async migrator waits for the sync one by k8s-wait-for):
    /// the chart's order, whatever the stream's.
    pub waits_for: Vec<String>,
    /// The chart makes it an Argo CD `PostSync` hook (and no Helm hook): it
    /// runs once the apps are healthy.
    pub argo_post: bool,
}

/// Whether the chart runs `a` and `b` side by side, in no order: both taken out
/// of workloads, two different ones (Flyte's admin and catalog migrations, each
/// in its own Deployment's pods). Ordering them would rerun one whenever the
/// other changes. (A Job of the chart keeps its place in the chart's order: a
/// rerun, which no longer sees its hook events, must find the same one.)
fn side_by_side(a: &Facts, b: &Facts) -> bool {
    let built = a.workload.is_some() && b.workload.is_some() && a.workload != b.workload;
    built || unordered_pair(a, b)
}

/// A regular Job of the chart the chart gives no order: no hook, no weight, no
/// `premigrate.io/after`. Helm, kubectl and Argo CD apply two such Jobs at
/// once. Two of one product (ZITADEL's `init`, then `setup`) keep the stream's
/// order, the chart's steps; two of different images run side by side: ordered,
/// one waited for the other (CVAT's ClickHouse and backend initializers: a
/// failed ClickHouse init held the PostgreSQL migration, and every ClickHouse
/// change renamed and reran it).
fn unordered_pair(a: &Facts, b: &Facts) -> bool {
    let known = !a.images.is_empty() && !b.images.is_empty();
    known && unordered_job(a) && unordered_job(b) && !a.images.iter().any(|i| b.images.contains(i))
}

/// Whether neither of `a` and `b` follows the other: side by side, or so
/// recorded by an earlier run (each `premigrate.io/after` leaves the other out).
/// One whose own init container waits for the other follows it, whatever
/// their images (Jitsu's migration waits for its token Job: a Job after the
/// migration follows the token Job through it, as a rerun reads it).
fn independent(a: &Facts, b: &Facts) -> bool {
    let leaves_out = |x: &Facts, y: &Facts| x.after.as_ref().is_some_and(|l| !l.contains(&y.name));
    let waits = a.waits_for.contains(&b.name) || b.waits_for.contains(&a.name);
    !waits && (side_by_side(a, b) || (leaves_out(a, b) && leaves_out(b, a)))
}

fn unordered_job(m: &Facts) -> bool {
    // An earlier run recorded it follows nothing (`premigrate.io/after: ""`).
    let follows_none = m.after.as_ref().is_none_or(Vec::is_empty);
    m.workload.is_none() && m.events.is_none() && m.weight == 0 && follows_none
}

/// Where one migration goes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Placed {
    /// Pre (before the apps) or post (the contract step, after them).
    pub phase: Phase,
    /// Which rule decided the phase.
    pub phase_reason: String,
    /// Position in the release's sequence of migrations of its phase (0 first).
    pub rank: usize,
    /// Migrations (indices into the input) that must complete before this one.
    pub after: Vec<usize>,
    /// Why in that place.
    pub order_reason: String,
}

fn post_only(events: &[String]) -> bool {
    !events.is_empty() && events.iter().all(|e| e.starts_with("post-"))
}

/// A chart hook's place before anything else: pre-install, no hook, pre-upgrade,
/// post-install, post-upgrade. Breaks ties between migrations that never run
/// in the same scenario: a plain Job rendered with upgrade-only hooks is the
/// install's (Kong's `migrations bootstrap`, before `up`).
fn event_rank(events: Option<&Vec<String>>) -> u8 {
    let has = |e: &str| events.is_some_and(|v| v.iter().any(|x| x == e));
    match events {
        None => 1,
        Some(_) if has("pre-install") => 0,
        Some(v) if v.iter().any(|e| e.starts_with("pre-")) => 2,
        Some(_) if has("post-install") => 3,
        Some(_) => 4,
    }
}

/// Whether a migration is a hook of upgrades only (`pre-upgrade`, `post-upgrade`).
pub(crate) fn upgrade_only(m: &Facts) -> bool {
    m.events.as_ref().is_some_and(|ev| {
        ev.iter().any(|e| e.ends_with("-upgrade")) && !ev.iter().any(|e| e.ends_with("-install"))
    })
}

/// The two scenarios a release's migrations run in, install and upgrade, each
/// as its (pre, post) hook events.
const SCENARIOS: [(&str, &str); 2] = [
    ("pre-install", "post-install"),
    ("pre-upgrade", "post-upgrade"),
];

/// When a migration runs in a scenario: 0 a pre hook, 1 a regular resource,
/// 2 a post hook; `None` when it does not run there.
fn slot(m: &Facts, (pre, post): (&str, &str)) -> Option<u8> {
    match &m.events {
        None => Some(1),
        Some(ev) if ev.iter().any(|e| e == pre) => Some(0),
        Some(ev) if ev.iter().any(|e| e == post) => Some(2),
        Some(_) => None,
    }
}

/// Each migration's place in the chart's own order (0 first). In a scenario
/// Helm runs pre hooks, then the regular resources, then post hooks, each by
/// weight, then name (regular Jobs by position); the release's order is one
/// that keeps the order of both scenarios: Temporal's `post-install` schema
/// setup (weight 0) comes before its `post-install,pre-upgrade` schema update
/// (weight 1), which an order by first event alone reversed. When the two
/// scenarios disagree, the install's order wins; migrations that never run in
/// the same scenario keep [`event_rank`], then weight, then position.
fn chart_order(ms: &[Facts]) -> Vec<usize> {
    // A Job taken out of a workload is a regular Job of the chart, whatever form
    // an earlier run gave it (a hook under `hooks`): a rerun must find its place.
    let regular: Vec<Facts> = ms
        .iter()
        .map(|f| match f.workload {
            Some(_) => Facts {
                events: None,
                weight: 0,
                ..f.clone()
            },
            None => f.clone(),
        })
        .collect();
    let ms = regular.as_slice();
    // A chart that migrates upgrades with hooks renders its plain migration Job
    // for installs only (`.Release.IsInstall`: Kong's bootstrap, whose `up`
    // fails on an empty database): it is no part of the upgrade's order.
    let install_only = ms.iter().any(upgrade_only);
    // Per migration: the first place of the regular Jobs side by side with it
    // (its own place when none is), and its name when some is.
    let group: Vec<(usize, &str)> = (0..ms.len())
        .map(|i| {
            let peers = (0..ms.len()).filter(|&j| j != i && unordered_pair(&ms[i], &ms[j]));
            match peers.min() {
                Some(j) => (j.min(i), ms[i].name.as_str()),
                None => (i, ""),
            }
        })
        .collect();
    let lists: Vec<Vec<usize>> = SCENARIOS
        .iter()
        .map(|&s| {
            let mut l: Vec<usize> = (0..ms.len())
                .filter(|&i| slot(&ms[i], s).is_some())
                .filter(|&i| !(install_only && s == SCENARIOS[1] && ms[i].events.is_none()))
                .collect();
            l.sort_by_key(|&i| {
                let at = slot(&ms[i], s);
                // Helm orders hooks of one weight by name; regular Jobs it
                // applies at once, and premigrate keeps their position; regular
                // Jobs side by side go by name from the first one's place, as a
                // rerun finds them once `hooks` made them hooks of one weight.
                // Jobs premigrate builds out of workloads go after the chart's,
                // by their workloads' places (the place a rerun finds a Job at
                // is not the one a first run found its workload at), then as
                // found (one workload's init containers in their order).
                let built = ms[i].workload.is_some();
                let (name, pos, peer_name) = match at {
                    Some(1) if built => ("", ms[i].source.unwrap_or(i), ""),
                    Some(1) => ("", group[i].0, group[i].1),
                    _ => (ms[i].name.as_str(), 0, ""),
                };
                (
                    at,
                    ms[i].weight,
                    built && at == Some(1),
                    name,
                    pos,
                    peer_name,
                    i,
                )
            });
            l
        })
        .collect();
    let order = merged(ms, &lists).unwrap_or_else(|| {
        merged(ms, &lists[..1]).expect("one scenario's order is a chain, never a cycle")
    });
    let mut at = vec![0; ms.len()];
    for (k, &i) in order.iter().enumerate() {
        at[i] = k;
    }
    at
}

/// One order of every migration that keeps each list's order (`None`: the
/// lists disagree), ties by [`event_rank`], weight and position.
fn merged(ms: &[Facts], lists: &[Vec<usize>]) -> Option<Vec<usize>> {
    use std::cmp::Reverse;
    let tie = |i: usize| (event_rank(ms[i].events.as_ref()), ms[i].weight, i);
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); ms.len()];
    let mut waiting = vec![0usize; ms.len()];
    for l in lists {
        for w in l.windows(2) {
            next[w[0]].push(w[1]);
            waiting[w[1]] += 1;
        }
    }
    let mut ready: std::collections::BinaryHeap<_> = (0..ms.len())
        .filter(|&i| waiting[i] == 0)
        .map(|i| Reverse(tie(i)))
        .collect();
    let mut order = Vec::with_capacity(ms.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &j in &next[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(Reverse(tie(j)));
            }
        }
    }
    (order.len() == ms.len()).then_some(order)
}

/// Where Helm ran a chart hook that is not a migration relative to a migration
/// hook, in the scenarios (install, upgrade) both run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Later {
    /// After it in each of them, and only ever as a post hook of install,
    /// upgrade or rollback: with the migration made a regular Job, the hook can
    /// wait for it (it starts after the regular resources on every engine).
    Waits,
    /// After it in at least one of them (`on`: "install", "upgrade" or
    /// both), and also a pre or delete hook: with the migration made a
    /// regular Job it cannot wait for it (a pre hook would wait for a Job
    /// created after it, a delete hook for one being deleted), so it may run
    /// before the migration completes. Phoenix's Deployment hook
    /// (`pre-install,pre-upgrade`) ran after its `pre-upgrade` migration on
    /// upgrade only.
    Races {
        /// The scenarios in which the chart ran the hook after the migration.
        on: &'static str,
    },
}

/// The hook events after which a migration made regular exists: a hook that
/// runs only on these may wait for it (a delete hook would wait for a Job
/// being deleted, a pre hook for one created after it).
const AFTER_APPLY: &[&str] = &["post-install", "post-upgrade", "post-rollback"];

/// Whether Helm ran hook `h` after migration hook `m` (both with events), by
/// its order in a scenario: pre hooks, regular resources, post hooks, each by
/// weight then name.
pub fn ran_after(h: &Facts, m: &Facts) -> Option<Later> {
    fn key<'f>(f: &'f Facts, s: (&str, &str)) -> Option<(u8, i64, &'f str)> {
        slot(f, s).map(|x| (x, f.weight, f.name.as_str()))
    }
    let after: Vec<bool> = SCENARIOS
        .iter()
        .map(|&s| matches!((key(h, s), key(m, s)), (Some(a), Some(b)) if a > b))
        .collect();
    let before = SCENARIOS
        .iter()
        .any(|&s| matches!((key(h, s), key(m, s)), (Some(a), Some(b)) if a <= b));
    let events = h.events.as_deref().unwrap_or_default();
    let post_only = events.iter().all(|e| AFTER_APPLY.contains(&e.as_str()));
    let on = match (after[0], after[1]) {
        (false, false) => return None,
        (true, true) => "install and upgrade",
        (true, false) => "install",
        (false, true) => "upgrade",
    };
    match (post_only, before) {
        (true, false) => Some(Later::Waits),
        // A post hook that also ran before the migration in the other
        // scenario: a gate would change that order; left as the chart has it.
        (true, true) => None,
        (false, _) => Some(Later::Races { on }),
    }
}

/// Places every migration; `Err` names an unknown `premigrate.io/after` target or a cycle.
pub fn place(ms: &[Facts]) -> Result<Vec<Placed>, String> {
    let phases = phases(ms);
    let seq = chart_order(ms);
    let mut by_key: Vec<usize> = (0..ms.len()).collect();
    by_key.sort_by_key(|&i| seq[i]);
    let by_name: std::collections::HashMap<&str, usize> = ms
        .iter()
        .enumerate()
        .map(|(k, m)| (m.name.as_str(), k))
        .collect();
    let mut out = Vec::with_capacity(ms.len());
    for (i, m) in ms.iter().enumerate() {
        let (phase, phase_reason) = phases[i].clone();
        let after = match &m.after {
            Some(names) => names
                .iter()
                .map(|n| {
                    ms.iter().position(|o| &o.name == n).ok_or_else(|| {
                        format!("Job {}: premigrate.io/after names {n}, which is not a migration of this stream", m.name)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => {
                let gated = gated_on(ms, &phases, i);
                match gated.is_empty() {
                    true => predecessors(ms, (&phases, &by_name), &by_key, &seq, i),
                    false => gated,
                }
            }
        };
        let order_reason = match (&m.after, after.first()) {
            (Some(_), _) => "premigrate.io/after".to_string(),
            (None, Some(&p)) if m.waits_for.contains(&ms[p].name) => {
                format!("after {} (its own init container waits for it)", ms[p].name)
            }
            (None, Some(&p)) => format!(
                "after {} (the chart's order: hook events, then weight, then name)",
                ms[p].name
            ),
            (None, None) => "first".to_string(),
        };
        out.push(Placed {
            phase,
            phase_reason,
            rank: 0,
            after,
            order_reason,
        });
    }
    rank(ms, &seq, &mut out)?;
    Ok(out)
}

/// Each migration's phase, with the rule that decided it.
fn phases(ms: &[Facts]) -> Vec<(Phase, String)> {
    let pre_in = |s: (&str, &str)| ms.iter().any(|m| runs_pre(m, s));
    let pre = SCENARIOS.map(pre_in);
    ms.iter().map(|m| phase_of(m, pre)).collect()
}

/// Whether a migration runs before the apps in a scenario.
fn runs_pre(m: &Facts, s: (&str, &str)) -> bool {
    match (m.phase, &m.events) {
        (Some(p), _) => p == Phase::Pre && (m.events.is_none() || slot(m, s).is_some()),
        (None, Some(ev)) => ev.iter().any(|e| e == s.0),
        (None, None) => !m.argo_post,
    }
}

/// `pre`: whether some migration runs before the apps on install, on upgrade.
fn phase_of(m: &Facts, pre: [bool; 2]) -> (Phase, String) {
    if let Some(p) = m.phase {
        return (p, "premigrate.io/phase".into());
    }
    if let Some(why) = &m.calls_app {
        return (Phase::Post, why.clone());
    }
    // A chart's pre hook keeps its place; a post one (or the hook a rerun
    // under --target hooks finds) is the same step.
    let not_pre = m.events.as_ref().is_none_or(|ev| post_only(ev));
    if not_pre && m.workload.is_none() && says_data_migration(&m.name) {
        return (
            Phase::Post,
            format!("its name `{}` says a data migration: it moves what the running apps hold (Camunda's waits for their importer), so it runs after them, as a contract step does (before them, the apps would wait for it and it for them)", m.name),
        );
    }
    // Argo CD runs a PostSync hook once the apps are healthy: as a chart's
    // post-only Helm hook, the contract step when another migration runs first.
    if m.events.is_none() && m.argo_post && (pre[0] || pre[1]) {
        return (
            Phase::Post,
            "the chart makes it an Argo CD `PostSync` hook (after the apps are healthy) and the release has a pre migration: the contract step".into(),
        );
    }
    let Some(ev) = m.events.as_ref().filter(|ev| post_only(ev)) else {
        return (Phase::Pre, "runs before the workloads".into());
    };
    // A contract step when a migration runs before the apps in a scenario it
    // runs in (one that runs only on other events: in any scenario).
    let runs = SCENARIOS.map(|s| slot(m, s).is_some());
    let contract = match runs {
        [false, false] => pre[0] || pre[1],
        _ => (runs[0] && pre[0]) || (runs[1] && pre[1]),
    };
    let events = ev.join(",");
    match (contract, pre[0] || pre[1]) {
        (true, _) => (
            Phase::Post,
            format!("the chart runs it only `{events}` and the release has a pre migration: the contract step"),
        ),
        (false, false) => (
            Phase::Pre,
            format!("the chart runs it only `{events}` (charts do so when their database starts with the release) and none of the chart's migrations runs before the apps: it is the main migration, after its data services and before the apps"),
        ),
        (false, true) => (
            Phase::Pre,
            format!("the chart runs it only `{events}` (charts do so when their database starts with the release) and none of the chart's migrations runs before the apps when it runs: it is a main migration, after its data services and before the apps"),
        ),
    }
}

/// Whether a Job's name says it migrates data, not the schema
/// (`…-migration-data`, `data-migrate`): the words `data` and a migration word.
pub(crate) fn says_data_migration(name: &str) -> bool {
    let segs = crate::detect::segments(&name.to_ascii_lowercase());
    segs.iter().any(|s| s == "data") && segs.iter().any(|s| s.starts_with("migrat"))
}

/// Whether migration `j` follows the one named `name` by explicit `after`s,
/// directly or through others (a rerun reads the chart's order recorded on
/// its Jobs; one rebuilt from a workload has none, and must not be put
/// after a Job that follows it).
fn follows(
    ms: &[Facts],
    by_name: &std::collections::HashMap<&str, usize>,
    j: usize,
    name: &str,
) -> bool {
    follows_through(
        (ms.len(), j, name),
        |k| ms[k].after.as_deref().unwrap_or(&[]),
        |a| by_name.get(a).copied().into_iter().collect(),
    )
}

/// Whether migration `j` (of `n`) follows the one named `name` through
/// `premigrate.io/after` chains: `after(k)` is migration `k`'s names,
/// `named(a)` the migrations named `a`. The planner and the record of built
/// Jobs ask it over their own lists.
pub(crate) fn follows_through<'a>(
    (n, j, name): (usize, usize, &str),
    after: impl Fn(usize) -> &'a [String],
    named: impl Fn(&str) -> Vec<usize>,
) -> bool {
    let mut seen = vec![false; n];
    let mut todo = vec![j];
    while let Some(k) = todo.pop() {
        if std::mem::replace(&mut seen[k], true) {
            continue;
        }
        let after = after(k);
        if after.iter().any(|a| a == name) {
            return true;
        }
        todo.extend(after.iter().flat_map(|a| named(a)));
    }
    false
}

/// The migrations of `i`'s phase its own init containers wait for, by name.
fn gated_on(ms: &[Facts], phases: &[(Phase, String)], i: usize) -> Vec<usize> {
    if ms[i].waits_for.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<usize> = (0..ms.len())
        .filter(|&j| j != i && phases[j].0 == phases[i].0 && ms[i].waits_for.contains(&ms[j].name))
        .collect();
    out.sort_by(|&a, &b| ms[a].name.cmp(&ms[b].name));
    out
}

/// The migrations just before `i` in its phase, by the chart's order: the
/// nearest one, and those side by side with it just before it (a Job after
/// CVAT's two initializers follows both, whichever the stream lists last, so a
/// rerun that finds them the other way round keeps it); by name. `by_key` lists
/// the migrations in that order (so a stream of thousands of hooks is placed in
/// n log n, not n²).
fn predecessors(
    ms: &[Facts],
    (phases, by_name): (&[(Phase, String)], &std::collections::HashMap<&str, usize>),
    by_key: &[usize],
    seq: &[usize],
    i: usize,
) -> Vec<usize> {
    let mut before = by_key[..seq[i]]
        .iter()
        .rev()
        .copied()
        .filter(|&j| phases[j].0 == phases[i].0 && !side_by_side(&ms[i], &ms[j]))
        // An explicit `after` on the other one, or its own wait for this
        // one, wins over the chart's order.
        .filter(|&j| {
            let explicit = follows(ms, by_name, j, &ms[i].name);
            let gated = ms[j].after.is_none() && ms[j].waits_for.contains(&ms[i].name);
            !(explicit || gated)
        });
    let Some(first) = before.next() else {
        return vec![];
    };
    let mut out = vec![first];
    let peers: Vec<usize> = before
        .take_while(|&j| independent(&ms[j], &ms[first]))
        .collect();
    out.extend(peers);
    out.sort_by(|&a, &b| ms[a].name.cmp(&ms[b].name));
    out
}

/// Ranks migrations within each phase: a topological order of `after`, ties by the
/// chart's order (the ready migration first in that order goes next). A cycle is an error.
fn rank(ms: &[Facts], seq: &[usize], out: &mut [Placed]) -> Result<(), String> {
    use std::cmp::Reverse;
    let mut waiting: Vec<usize> = out.iter().map(|p| p.after.len()).collect();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); ms.len()];
    for (i, p) in out.iter().enumerate() {
        for &a in &p.after {
            next[a].push(i);
        }
    }
    let mut by_seq = vec![0; ms.len()];
    for (i, &k) in seq.iter().enumerate() {
        by_seq[k] = i;
    }
    let mut ready: std::collections::BinaryHeap<_> = (0..ms.len())
        .filter(|&i| waiting[i] == 0)
        .map(|i| Reverse(seq[i]))
        .collect();
    let mut next_rank = [0usize; 2];
    let mut done = vec![false; ms.len()];
    while let Some(Reverse(k)) = ready.pop() {
        let i = by_seq[k];
        done[i] = true;
        let p = usize::from(out[i].phase == Phase::Post);
        out[i].rank = next_rank[p];
        next_rank[p] += 1;
        for &j in &next[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(Reverse(seq[j]));
            }
        }
    }
    if done.iter().all(|&d| d) {
        return Ok(());
    }
    let stuck: Vec<&str> = (0..ms.len())
        .filter(|&i| !done[i])
        .map(|i| ms[i].name.as_str())
        .collect();
    Err(format!(
        "the migrations {} wait for one another (premigrate.io/after forms a cycle)",
        stuck.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Camunda's `…-zeebe-migration-data` moves what the running cluster holds:
    /// a contract step; a schema migration's name is not one.
    #[test]
    fn data_migrations_by_name() {
        assert!(says_data_migration(
            "camunda-platform-test-zeebe-migration-data"
        ));
        assert!(says_data_migration("app-data-migrate"));
        for name in [
            "app-migrate",
            "app-database-migration",
            "metadata-migrate",
            "app-data-init",
        ] {
            assert!(!says_data_migration(name), "{name}");
        }
    }

    fn f(name: &str, events: &str, weight: i64) -> Facts {
        Facts {
            name: name.into(),
            events: (!events.is_empty()).then(|| events.split(',').map(str::to_string).collect()),
            weight,
            ..Default::default()
        }
    }

    /// SigNoz: the async migrator waits for the sync one by its own init
    /// container and comes first in the stream (Helm sorts by name); it is an
    /// Argo CD PostSync hook: the contract step, after the sync one.
    #[test]
    fn a_migrations_own_gate_and_postsync_order_it() {
        let asyn = Facts {
            waits_for: vec!["sync".into()],
            argo_post: true,
            ..f("async", "", 0)
        };
        let p = place(&[asyn.clone(), f("sync", "", 0)]).unwrap();
        assert_eq!((p[0].phase, p[1].phase), (Phase::Post, Phase::Pre));
        assert!(p[1].after.is_empty());
        // Without the Argo CD phase, the gate alone orders them in one phase.
        let plain = Facts {
            argo_post: false,
            ..asyn
        };
        let p = place(&[plain, f("sync", "", 0)]).unwrap();
        assert_eq!((p[0].phase, p[1].phase), (Phase::Pre, Phase::Pre));
        assert_eq!(
            (p[0].after.as_slice(), p[1].after.is_empty()),
            (&[1][..], true)
        );
        assert!(p[0].order_reason.contains("its own init container"));
        // A PostSync hook alone is the main migration.
        let alone = Facts {
            argo_post: true,
            ..f("migrate", "", 0)
        };
        assert_eq!(place(&[alone]).unwrap()[0].phase, Phase::Pre);
    }

    #[test]
    fn post_only_is_main_without_a_pre() {
        let p = place(&[f("migrate", "post-install,post-upgrade", -5)]).unwrap();
        assert_eq!(p[0].phase, Phase::Pre);
        let p = place(&[f("up", "pre-upgrade", 0), f("finish", "post-upgrade", 0)]).unwrap();
        assert_eq!((p[0].phase, p[1].phase), (Phase::Pre, Phase::Post));
    }

    #[test]
    fn chart_order() {
        let p = place(&[
            f("migrate", "pre-upgrade", -2),
            f("prepare", "pre-install", -3),
            f("finish", "post-upgrade", 0),
            f("bootstrap", "pre-install", 0),
        ])
        .unwrap();
        let ranks: Vec<usize> = p.iter().map(|x| x.rank).collect();
        assert_eq!(ranks, vec![2, 0, 0, 1]);
        assert_eq!(p[0].after, vec![3]);
        assert_eq!(p[3].after, vec![1]);
        assert!(p[1].after.is_empty());
    }

    /// Jobs built out of workloads come after the chart's own, by their
    /// workloads' places, whatever order they were found in; two out of one
    /// workload (its init containers) keep the order they were found in.
    #[test]
    fn built_jobs_by_their_workloads_places() {
        let built = |name: &str, workload: &str, source: usize| Facts {
            workload: Some(workload.into()),
            source: Some(source),
            ..f(name, "", 0)
        };
        let ms = [
            built("worker-wait", "Deployment/worker", 7),
            f("chart-migrate", "", 0),
            built("server-migrate", "Deployment/server", 3),
            built("server-seed", "Deployment/server", 3),
        ];
        let at = super::chart_order(&ms);
        let mut order: Vec<usize> = (0..ms.len()).collect();
        order.sort_by_key(|&i| at[i]);
        assert_eq!(order, vec![1, 2, 3, 0]);
    }

    #[test]
    fn both_scenarios_keep_their_order() {
        // Temporal: the setup runs only on install, the update on install
        // (after it, by weight) and before an upgrade.
        let p = place(&[
            f("update", "post-install,pre-upgrade", 1),
            f("setup", "post-install", 0),
        ])
        .unwrap();
        assert_eq!((p[0].phase, p[1].phase), (Phase::Pre, Phase::Pre));
        assert_eq!((p[0].rank, p[1].rank), (1, 0));
        assert_eq!(p[0].after, vec![1]);
        assert!(
            p[1].phase_reason.contains("when it runs"),
            "{}",
            p[1].phase_reason
        );
        // A post-install step with a pre-install migration is still the contract step.
        let p = place(&[f("setup", "post-install", 0), f("pre", "pre-install", 0)]).unwrap();
        assert_eq!(p[0].phase, Phase::Post);
        // A post-upgrade-only step whose release migrates before the apps only on install is not.
        let p = place(&[f("finish", "post-upgrade", 0), f("pre", "pre-install", 0)]).unwrap();
        assert_eq!(p[0].phase, Phase::Pre);
        // The scenarios disagree (a regular Job before a post-install hook on
        // install, after the same hook's pre-upgrade on upgrade): install wins.
        let p = place(&[f("hook", "post-install,pre-upgrade", 0), f("plain", "", 0)]).unwrap();
        assert_eq!((p[0].rank, p[1].rank), (1, 0));
    }

    #[test]
    fn hooks_after_a_migration() {
        // Sentry: `sentry upgrade` at weight 6, a db check at -1, createuser at 9.
        let m = f("db-init", "post-install,post-upgrade", 6);
        let after = |h: &Facts| ran_after(h, &m);
        assert_eq!(
            after(&f("user-create", "post-install,post-upgrade", 9)),
            Some(Later::Waits)
        );
        assert_eq!(after(&f("db-check", "post-install,post-upgrade", -1)), None);
        // Same weight: Helm's tie is the name.
        assert_eq!(after(&f("e-later", "post-install", 6)), Some(Later::Waits));
        assert_eq!(after(&f("a-sooner", "post-install", 6)), None);
        // Never in the same scenario, or before it in one of them.
        assert_eq!(after(&f("hook", "pre-delete", 9)), None);
        // After it on install only, and a pre-upgrade hook: it cannot wait.
        assert_eq!(
            after(&f("hook", "post-install,pre-upgrade", 9)),
            Some(Later::Races { on: "install" })
        );
        // Phoenix: a Deployment hook after the migration on upgrade only.
        let phoenix = f("migrate", "pre-upgrade,post-install", -1);
        assert_eq!(
            ran_after(&f("phoenix", "pre-install,pre-upgrade", 2), &phoenix),
            Some(Later::Races { on: "upgrade" })
        );
        assert_eq!(after(&f("test", "test", 9)), None);
        // After it, but also a delete hook: it would wait for a Job being deleted.
        assert_eq!(
            after(&f("hook", "post-install,post-delete", 9)),
            Some(Later::Races { on: "install" })
        );
        // A seed after a pre-install migration runs before it once it is regular.
        let m = f("migrate", "pre-install,pre-upgrade", 0);
        assert_eq!(
            ran_after(&f("seed", "pre-install", 5), &m),
            Some(Later::Races { on: "install" })
        );
        assert_eq!(
            ran_after(&f("notify", "post-install", -9), &m),
            Some(Later::Waits)
        );
    }

    #[test]
    fn weights_then_name() {
        // Hooks of one weight run by name, as Helm sorts them.
        let p = place(&[
            f("setup", "post-install", 5),
            f("init", "post-install", -5),
            f("b", "post-install", -5),
        ])
        .unwrap();
        assert_eq!(p.iter().map(|x| x.rank).collect::<Vec<_>>(), vec![2, 1, 0]);
        // Regular Jobs (applied at once) keep their position.
        let p = place(&[f("z", "", 0), f("a", "", 0)]).unwrap();
        assert_eq!(p.iter().map(|x| x.rank).collect::<Vec<_>>(), vec![0, 1]);
    }

    #[test]
    fn after_annotation_and_cycles() {
        let mut a = f("a", "", 0);
        let mut b = f("b", "", 0);
        a.after = Some(vec!["b".into()]);
        let p = place(&[a.clone(), b.clone()]).unwrap();
        assert_eq!((p[0].rank, p[1].rank), (1, 0));
        b.after = Some(vec!["a".into()]);
        assert!(place(&[a.clone(), b]).unwrap_err().contains("cycle"));
        a.after = Some(vec!["nope".into()]);
        assert!(place(&[a]).unwrap_err().contains("nope"));
    }

    /// Whether `j` follows `name` by `after`s, through others too (by scans).
    fn follows_by_scans(ms: &[Facts], j: usize, name: &str) -> bool {
        let mut seen = vec![false; ms.len()];
        let mut todo = vec![j];
        while let Some(k) = todo.pop() {
            if seen[k] {
                continue;
            }
            seen[k] = true;
            for a in ms[k].after.iter().flatten() {
                if a == name {
                    return true;
                }
                todo.extend(ms.iter().position(|o| &o.name == a));
            }
        }
        false
    }

    /// The placement as it was computed before (a scan of every migration for
    /// each one): predecessors and ranks, or a cycle (`Err`). The names the
    /// test gives always exist.
    fn place_by_scans(ms: &[Facts]) -> Result<Vec<(Vec<usize>, usize)>, ()> {
        let phases: Vec<Phase> = phases(ms).into_iter().map(|p| p.0).collect();
        let seq = super::chart_order(ms);
        let key = |_: &[Facts], i: usize| seq[i];
        let mut placed: Vec<Placed> = phases
            .iter()
            .map(|&phase| Placed {
                phase,
                phase_reason: String::new(),
                rank: 0,
                after: vec![],
                order_reason: String::new(),
            })
            .collect();
        for (i, p) in placed.iter_mut().enumerate() {
            if let Some(names) = &ms[i].after {
                p.after = names
                    .iter()
                    .map(|n| {
                        ms.iter()
                            .position(|o| &o.name == n)
                            .expect("the test's names exist")
                    })
                    .collect();
            } else {
                let mut before: Vec<usize> = (0..ms.len())
                    .filter(|&j| phases[j] == phases[i] && key(ms, j) < key(ms, i))
                    .filter(|&j| !super::side_by_side(&ms[i], &ms[j]))
                    .filter(|&j| !follows_by_scans(ms, j, &ms[i].name))
                    .collect();
                before.sort_by_key(|&j| std::cmp::Reverse(key(ms, j)));
                p.after = match before.first() {
                    None => vec![],
                    Some(&first) => {
                        let mut out: Vec<usize> = std::iter::once(first)
                            .chain(
                                before[1..]
                                    .iter()
                                    .copied()
                                    .take_while(|&j| super::independent(&ms[j], &ms[first])),
                            )
                            .collect();
                        out.sort_by(|&a, &b| ms[a].name.cmp(&ms[b].name));
                        out
                    }
                };
            }
        }
        let mut done = vec![false; ms.len()];
        let mut next_rank = [0usize; 2];
        for _ in 0..ms.len() {
            let i = (0..ms.len())
                .filter(|&i| !done[i] && placed[i].after.iter().all(|&a| done[a]))
                .min_by_key(|&i| key(ms, i))
                .ok_or(())?;
            done[i] = true;
            let p = usize::from(placed[i].phase == Phase::Post);
            placed[i].rank = next_rank[p];
            next_rank[p] += 1;
        }
        Ok(placed.into_iter().map(|p| (p.after, p.rank)).collect())
    }

    proptest::proptest! {
        /// Sorting once and a heap place migrations as scanning every one did.
        #[test]
        fn placing_by_sort_is_placing_by_scans(
            ms in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["", "pre-install", "post-install", "pre-upgrade,pre-install", "post-upgrade"]),
                    -2i64..3,
                    proptest::option::of(proptest::collection::vec(0usize..6, 0..3)),
                ),
                1..7,
            )
        ) {
            let facts: Vec<Facts> = ms
                .iter()
                .enumerate()
                .map(|(i, (events, weight, after))| Facts {
                    after: after.as_ref().map(|a| a.iter().map(|k| format!("m{}", k % ms.len())).collect()),
                    ..f(&format!("m{i}"), events, *weight)
                })
                .collect();
            let now = place(&facts).map(|p| p.into_iter().map(|p| (p.after, p.rank)).collect::<Vec<_>>());
            proptest::prop_assert_eq!(now.map_err(|_| ()), place_by_scans(&facts));
        }
    }
}
