//! The deadlock check: a model of how each engine rolls a release out, simulated
//! until nothing more can start. Any object left waiting is reported with the
//! chain of waits that holds it, so no stream premigrate writes can hang a rollout.
//!
//! The model is abstract on purpose (FACTS.md): an object is *applied* when its
//! engine gets to it, and *ready* once applied and everything it waits for is ready
//! (a Job: complete; a workload: its pods started). What decides "applied":
//! - kubectl / Flux Kustomization / Helm 3 manifests: everything at once;
//! - Argo CD: phase (PreSync, Sync, PostSync), then wave; a wave starts only when
//!   every earlier one is healthy;
//! - kapp: an object with `upsert after upserting G` starts once every member of G is ready;
//! - Helm hooks (Helm 4, one install or one upgrade): `pre-*` hooks one by one by
//!   (weight, name), each waited for; then the regular resources; then `post-*` hooks
//!   (after the regular resources are applied, or ready under `--wait`). Helm
//!   waits only for a Job or Pod hook: any other (Phoenix's Deployment hook)
//!   lets the next step go once it is applied, and is ready when its waits are.

use std::collections::BTreeMap;

use super::argo;

mod chain;
pub use super::argo::ArgoHook;
pub use super::why::Why;
use crate::yaml::value::List;

/// An engine whose ordering the check models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// `kubectl apply`, Flux Kustomization, Helm 3's regular manifests: all at once.
    Kubectl,
    /// Argo CD sync phases and waves.
    ArgoCd,
    /// kapp change groups and rules.
    Kapp,
    /// Helm hooks on an install.
    HelmInstall,
    /// Helm hooks on an upgrade.
    HelmUpgrade,
}

impl Engine {
    /// Every engine a gitops stream is read by.
    pub const GITOPS: &'static [Engine] = &[Engine::Kubectl, Engine::ArgoCd, Engine::Kapp];
    /// Every engine a hooks stream is read by.
    pub const HOOKS: &'static [Engine] = &[Engine::HelmInstall, Engine::HelmUpgrade];

    /// The engine's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Kubectl => "kubectl/Flux",
            Engine::ArgoCd => "Argo CD",
            Engine::Kapp => "kapp",
            Engine::HelmInstall => "Helm install",
            Engine::HelmUpgrade => "Helm upgrade",
        }
    }
}

/// A Helm hook as the chart or premigrate wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// The events, e.g. `pre-install`, `post-upgrade`.
    pub events: Vec<String>,
    /// `helm.sh/hook-weight`.
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` deletes it once it succeeded: a later release
    /// does not find it.
    pub deleted_after: bool,
}

/// One object of the release, as the engines see it. Its lists are
/// [`List`]s and its hook boxed: a big stream's model holds one per object,
/// most of them with no hook, groups or checks (80 bytes, not 176).
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// `Kind/name`, for messages.
    pub label: String,
    /// Helm hook annotations, if any.
    pub hook: Option<Box<Hook>>,
    /// Argo CD sync wave (for a Helm hook without its own wave: its weight, as Argo CD reads it).
    pub wave: i64,
    /// `wave` is the Helm hook's weight, not a wave of its own: Argo CD reads it
    /// only while it honours Helm hooks.
    pub wave_from_weight: bool,
    /// Its `argocd.argoproj.io/hook`, if any.
    pub argo_hook: Option<ArgoHook>,
    /// kapp change groups it belongs to.
    pub groups: List<String>,
    /// kapp groups it is upserted after.
    pub after_groups: List<String>,
    /// Objects that must be ready before this one is: the Jobs its gates wait for,
    /// a migration's data services and config. Each with the reason.
    pub waits: List<(usize, Why)>,
    /// Migrations a migration-status check waits for: only those that run in the
    /// scenario (one that does not run left the schema as an earlier release did).
    pub checks: List<(usize, Why)>,
}

impl Node {
    /// A document with nothing in it (comments only, e.g. a chart's disabled
    /// template) has an empty label: no object, so no engine waits for it.
    fn is_blank(&self) -> bool {
        self.label.is_empty()
    }
}

/// Why an object can never become ready: the chain of waits, ending where it loops
/// (or at an object that never runs).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Deadlock {
    /// The engine whose ordering hangs.
    pub engine: Engine,
    /// `(object, what it waits for)` links, in order.
    pub chain: Vec<(String, String)>,
    /// Whether the chain closes on itself (a cycle) rather than ending at an object
    /// that never runs.
    pub cycle: bool,
}

impl std::fmt::Display for Deadlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.cycle {
            "a cycle"
        } else {
            "a wait that never ends"
        };
        write!(f, "{}: {what}: ", self.engine.name())?;
        for (i, (obj, why)) in self.chain.iter().enumerate() {
            if i > 0 {
                write!(f, " → ")?;
            }
            write!(f, "{obj} ({why})")?;
        }
        Ok(())
    }
}

/// When the engine gets to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    /// Never, in this scenario (e.g. a `pre-upgrade`-only hook on an install).
    Never,
    /// In a sequence: every object in an earlier step must be ready first
    /// (Argo CD phase and wave; Helm pre hooks by weight and name, then the release).
    Step(i8, i64, usize),
    /// A Helm post hook: after every pre hook and earlier post hook is ready and the
    /// release is applied (Helm without `--wait` does not wait for it to be ready).
    Post(i64, usize),
    /// No order: applied with everything else (kubectl; kapp orders by rules instead).
    Free,
    /// There already, finished: a hook an earlier release made and kept (what it
    /// waited for then does not matter now).
    Done,
}

/// Runs the model of `engine` over `nodes`; `Ok` when every object becomes ready.
pub fn check(nodes: &[Node], engine: Engine) -> Result<(), Deadlock> {
    let (slots, ready) = settle(nodes, engine);
    // An object that never runs in this scenario is a problem only for what waits on it.
    match (0..nodes.len()).find(|&i| !ready[i] && slots[i] != Slot::Never) {
        None => Ok(()),
        Some(first) => Err(chain::explain(nodes, &slots, &ready, first, engine)),
    }
}

/// When the engine gets to each object, and which ones become ready: a work
/// list, so that each object is looked at again only when something it waits
/// for became ready (its waits, the step before it, its kapp groups). Passes
/// over every object until nothing changed took a pass per Helm hook (each has
/// its own step): 1000 migration hooks cost a billion instructions.
fn settle(nodes: &[Node], engine: Engine) -> (Vec<Slot>, Vec<bool>) {
    let slots = slots(nodes, engine);
    let mut ready = vec![false; nodes.len()];
    let mut pending = Pending::of(nodes, &slots);
    let woken = Woken::of(nodes, &slots);
    // Earlier steps first: most objects are then ready the first time they are looked at.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| slots[i]);
    let mut queue: std::collections::VecDeque<usize> = order.into();
    let mut queued = vec![true; nodes.len()];
    // Hooks Helm applied and went on from without waiting for them.
    let mut released = vec![false; nodes.len()];
    while let Some(i) = queue.pop_front() {
        queued[i] = false;
        if ready[i] {
            continue;
        }
        let mut moved = None;
        if !released[i]
            && unwaited(nodes, engine, i)
            && !pending.applied_later(nodes, &slots, i, engine)
        {
            released[i] = true;
            moved = Some(pending.ready(nodes, &slots, i));
        }
        if !pending.blocks(nodes, &slots, &ready, i, engine) {
            ready[i] = true;
            if !released[i] {
                moved = Some(pending.ready(nodes, &slots, i));
            }
        }
        let Some(moved) = moved.or_else(|| ready[i].then(Moved::none)) else {
            continue;
        };
        for j in woken.by(i, &moved, &pending) {
            if !ready[j] && !queued[j] {
                queued[j] = true;
                queue.push_back(j);
            }
        }
    }
    (slots, ready)
}

/// Whether Helm goes on from hook `i` once it is applied, without waiting for
/// it to be ready: it waits only for Jobs and Pods.
fn unwaited(nodes: &[Node], engine: Engine, i: usize) -> bool {
    matches!(engine, Engine::HelmInstall | Engine::HelmUpgrade)
        && nodes[i].hook.is_some()
        && !matches!(nodes[i].label.split('/').next(), Some("Job" | "Pod"))
}

/// When `engine` gets to each object.
fn slots(nodes: &[Node], engine: Engine) -> Vec<Slot> {
    let mut slots: Vec<Slot> = nodes.iter().map(|n| slot(n, nodes, engine)).collect();
    if matches!(engine, Engine::HelmInstall | Engine::HelmUpgrade) {
        rank_ties(nodes, &mut slots);
    }
    slots
}

/// What is still pending, kept up to date as objects become ready: checking an
/// object is then linear in its own waits, not in the stream.
struct Pending<'n> {
    /// Pending steps (Argo CD phase and wave, Helm pre hooks), with how many objects each.
    steps: BTreeMap<Slot, usize>,
    /// Pending objects in a step of the first phase (what Helm post hooks wait for).
    phase_zero: usize,
    /// Pending Helm post hooks, by slot.
    posts: BTreeMap<Slot, usize>,
    /// kapp groups with pending members, with how many.
    groups: BTreeMap<&'n str, usize>,
}

/// What an object becoming ready changed in [`Pending`].
struct Moved<'n> {
    /// The first pending step, the first pending post hook or whether the first phase is pending.
    order: bool,
    /// kapp groups now without a pending member.
    groups: Vec<&'n str>,
}

impl Moved<'_> {
    /// Nothing moved: only what waits for the object may go on.
    fn none() -> Self {
        Moved {
            order: false,
            groups: Vec::new(),
        }
    }
}

impl<'n> Pending<'n> {
    fn of(nodes: &'n [Node], slots: &[Slot]) -> Pending<'n> {
        let mut p = Pending {
            steps: BTreeMap::new(),
            phase_zero: 0,
            posts: BTreeMap::new(),
            groups: Default::default(),
        };
        for (n, &s) in nodes.iter().zip(slots) {
            match s {
                Slot::Step(phase, ..) => {
                    *p.steps.entry(s).or_default() += 1;
                    p.phase_zero += usize::from(phase == 0);
                }
                Slot::Post(..) => *p.posts.entry(s).or_default() += 1,
                _ => {}
            }
            for g in &n.groups {
                *p.groups.entry(g.as_str()).or_default() += 1;
            }
        }
        p
    }

    fn first_step(&self) -> Option<Slot> {
        self.steps.keys().next().copied()
    }

    fn first_post(&self) -> Option<Slot> {
        self.posts.keys().next().copied()
    }

    /// Object `j` is ready: it no longer counts.
    fn ready(&mut self, nodes: &'n [Node], slots: &[Slot], j: usize) -> Moved<'n> {
        let before = (self.first_step(), self.first_post(), self.phase_zero > 0);
        let s = slots[j];
        let counts = match s {
            Slot::Step(phase, ..) => {
                self.phase_zero -= usize::from(phase == 0);
                Some(&mut self.steps)
            }
            Slot::Post(..) => Some(&mut self.posts),
            _ => None,
        };
        if let Some(counts) = counts {
            take_one(counts, &s);
        }
        let mut emptied = Vec::new();
        for g in &nodes[j].groups {
            if take_one(&mut self.groups, &g.as_str()) {
                emptied.push(g.as_str());
            }
        }
        Moved {
            order: before != (self.first_step(), self.first_post(), self.phase_zero > 0),
            groups: emptied,
        }
    }
    /// Whether object `i` must wait: [`blocker`]`.is_some()`, against this summary.
    fn blocks(
        &self,
        nodes: &[Node],
        slots: &[Slot],
        ready: &[bool],
        i: usize,
        engine: Engine,
    ) -> bool {
        match slots[i] {
            Slot::Never => return true,
            Slot::Done => return false,
            _ => {}
        }
        self.applied_later(nodes, slots, i, engine)
            || nodes[i].waits.iter().any(|(w, _)| !ready[*w])
            || nodes[i]
                .checks
                .iter()
                .any(|(w, _)| !ready[*w] && slots[*w] != Slot::Never)
    }

    /// Whether the engine has not applied object `i` yet.
    fn applied_later(&self, nodes: &[Node], slots: &[Slot], i: usize, engine: Engine) -> bool {
        match (engine, slots[i]) {
            (_, Slot::Never) => true,
            (_, Slot::Done) => false,
            (Engine::Kapp, _) => nodes[i]
                .after_groups
                .iter()
                .any(|g| self.groups.contains_key(g.as_str())),
            (_, s @ Slot::Step(..)) => self.first_step().is_some_and(|f| f < s),
            (_, s @ Slot::Post(..)) => {
                self.phase_zero > 0 || self.first_post().is_some_and(|f| f < s)
            }
            (_, Slot::Free) => false,
        }
    }
}

/// Takes one off `key`'s count, forgetting it at zero; whether that was its last.
fn take_one<K: Ord>(counts: &mut BTreeMap<K, usize>, key: &K) -> bool {
    let Some(c) = counts.get_mut(key) else {
        return false;
    };
    *c -= 1;
    if *c > 0 {
        return false;
    }
    counts.remove(key);
    true
}

/// Who to look at again when an object becomes ready.
struct Woken<'n> {
    /// Objects that wait for (or check) each object.
    waiters: Vec<Vec<usize>>,
    /// Step and post hook objects by slot.
    at: BTreeMap<Slot, Vec<usize>>,
    /// kapp objects by the group they are upserted after.
    after: std::collections::HashMap<&'n str, Vec<usize>>,
}

impl<'n> Woken<'n> {
    fn of(nodes: &'n [Node], slots: &[Slot]) -> Woken<'n> {
        let mut w = Woken {
            waiters: vec![Vec::new(); nodes.len()],
            at: BTreeMap::new(),
            after: Default::default(),
        };
        for (i, n) in nodes.iter().enumerate() {
            for &(on, _) in n.waits.iter().chain(&n.checks) {
                w.waiters[on].push(i);
            }
            if matches!(slots[i], Slot::Step(..) | Slot::Post(..)) {
                w.at.entry(slots[i]).or_default().push(i);
            }
            for g in &n.after_groups {
                w.after.entry(g.as_str()).or_default().push(i);
            }
        }
        w
    }

    /// The objects `i` becoming ready (with what that `moved`) may let go.
    fn by<'a>(
        &'a self,
        i: usize,
        moved: &'a Moved<'n>,
        pending: &Pending<'_>,
    ) -> impl Iterator<Item = usize> + 'a {
        let fronts = match moved.order {
            true => [pending.first_step(), pending.first_post()],
            false => [None, None],
        };
        let at = fronts
            .into_iter()
            .flatten()
            .flat_map(|s| self.at.get(&s).into_iter().flatten());
        let after = moved
            .groups
            .iter()
            .flat_map(|g| self.after.get(g).into_iter().flatten());
        self.waiters[i].iter().chain(at).chain(after).copied()
    }
}

/// Helm runs hooks of one weight one by one, in name order; of one name, in
/// its install order of kinds (a ServiceAccount before the Job of its name).
fn rank_ties(nodes: &[Node], slots: &mut [Slot]) {
    let name_kind = |i: usize| {
        let (kind, name) = nodes[i]
            .label
            .split_once('/')
            .unwrap_or(("", &nodes[i].label));
        (name, crate::k8s::engines::helm_kind_rank(kind))
    };
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| name_kind(i));
    for (rank, i) in order.into_iter().enumerate() {
        slots[i] = match slots[i] {
            Slot::Step(0, w, _) if nodes[i].hook.is_some() => Slot::Step(0, w, rank),
            Slot::Post(w, _) => Slot::Post(w, rank),
            s => s,
        };
    }
}

/// Where `engine` puts a node (of `nodes`).
fn slot(n: &Node, nodes: &[Node], engine: Engine) -> Slot {
    if n.is_blank() {
        return Slot::Done;
    }
    match engine {
        Engine::Kubectl | Engine::Kapp => Slot::Free,
        Engine::ArgoCd => argo_slot(n),
        Engine::HelmInstall | Engine::HelmUpgrade => helm_slot(n, nodes, engine),
    }
}

/// Where Argo CD puts a node (see [`argo::place`]).
fn argo_slot(n: &Node) -> Slot {
    let events = n.hook.as_ref().map(|h| h.events.as_slice());
    let wave = argo::Wave {
        value: n.wave,
        from_weight: n.wave_from_weight,
    };
    argo::place(n.argo_hook, events, wave)
        .map_or(Slot::Never, |(phase, wave)| Slot::Step(phase, wave, 0))
}

fn helm_slot(n: &Node, nodes: &[Node], engine: Engine) -> Slot {
    let Some(h) = &n.hook else {
        // On an upgrade the release's objects, and what they use, exist: only
        // pods that wait for what runs anew (a gate's Job) take part in the
        // order (Miniflux's database, which uses its Secret, serves its hook).
        let runs = |t: &usize| matches!(nodes[*t].label.split('/').next(), Some("Job" | "Pod"));
        if engine == Engine::HelmUpgrade && !n.waits.iter().any(|(t, _)| runs(t)) {
            return Slot::Free;
        }
        return Slot::Step(1, 0, 0);
    };
    let verb = if engine == Engine::HelmUpgrade {
        "upgrade"
    } else {
        "install"
    };
    if h.events.iter().any(|e| *e == format!("pre-{verb}")) {
        Slot::Step(0, h.weight, 0)
    } else if h.events.iter().any(|e| *e == format!("post-{verb}")) {
        Slot::Post(h.weight, 0)
    } else if engine == Engine::HelmUpgrade
        && !h.deleted_after
        && h.events.iter().any(|e| e.ends_with("-install"))
    {
        // Made on install and not deleted since: an upgrade finds it (complete, for a Job).
        Slot::Done
    } else {
        Slot::Never
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The model as it ran before the work list: passes over every object,
    /// each against what was pending when the pass began, until nothing changes.
    fn settle_by_passes(nodes: &[Node], engine: Engine) -> Vec<bool> {
        let slots = slots(nodes, engine);
        let mut ready = vec![false; nodes.len()];
        let mut released = vec![false; nodes.len()];
        loop {
            let mut pending = Pending::of(nodes, &slots);
            for j in (0..nodes.len()).filter(|&j| ready[j] || released[j]) {
                pending.ready(nodes, &slots, j);
            }
            let go: Vec<usize> = (0..nodes.len())
                .filter(|&i| !ready[i] && !released[i] && unwaited(nodes, engine, i))
                .filter(|&i| !pending.applied_later(nodes, &slots, i, engine))
                .collect();
            let now: Vec<usize> = (0..nodes.len())
                .filter(|&i| !ready[i] && !pending.blocks(nodes, &slots, &ready, i, engine))
                .collect();
            if now.is_empty() && go.is_empty() {
                return ready;
            }
            for i in go {
                released[i] = true;
            }
            for i in now {
                ready[i] = true;
            }
        }
    }

    fn any_node(n: usize) -> impl Strategy<Value = Node> {
        let events = prop::sample::select(vec![
            "",
            "pre-install",
            "post-install",
            "pre-upgrade",
            "post-upgrade",
            "pre-install,pre-upgrade",
            "post-install,post-upgrade",
            "test",
        ]);
        let group = prop::sample::select(vec!["a", "b"]);
        (
            events,
            -2i64..3,
            -1i64..2,
            any::<bool>(),
            prop::collection::vec(group.clone(), 0..2),
            prop::collection::vec(group, 0..2),
            prop::collection::vec(0..n, 0..3),
            prop::collection::vec(0..n, 0..2),
        )
            .prop_map(
                |(events, weight, wave, deleted, groups, after, waits, checks)| Node {
                    // Some hooks Helm does not wait for (not a Job or Pod).
                    label: match (weight, wave) {
                        (-2, _) | (_, 1) => format!("Deployment/x{weight}{wave}"),
                        _ => format!("Job/x{weight}{wave}"),
                    },
                    hook: (!events.is_empty()).then(|| {
                        Box::new(Hook {
                            events: events.split(',').map(str::to_string).collect(),
                            weight,
                            deleted_after: deleted,
                        })
                    }),
                    wave,
                    // One object in fifteen an Argo CD hook (PreSync or PostSync).
                    argo_hook: (wave == 1 && weight == 2)
                        .then(|| ArgoHook::Phase(deleted as i8 * 2)),
                    wave_from_weight: false,
                    groups: groups.into_iter().map(str::to_string).collect(),
                    after_groups: after.into_iter().map(str::to_string).collect(),
                    waits: waits.into_iter().map(|w| (w, "w".into())).collect(),
                    checks: checks.into_iter().map(|w| (w, "c".into())).collect(),
                },
            )
    }

    proptest! {
        /// The work list reaches the same objects as the passes did, on every engine.
        #[test]
        fn the_work_list_settles_as_the_passes_did(
            nodes in (1usize..12).prop_flat_map(|n| prop::collection::vec(any_node(n), n))
        ) {
            for &e in Engine::GITOPS.iter().chain(Engine::HOOKS) {
                prop_assert_eq!(settle(&nodes, e).1, settle_by_passes(&nodes, e), "{:?}", e);
            }
        }
    }

    #[test]
    fn a_node_stays_small() {
        // One per object of the stream checked (25k on the 50 MB bench stream).
        assert_eq!(std::mem::size_of::<Node>(), 80);
    }

    fn node(label: &str) -> Node {
        Node {
            label: label.into(),
            ..Default::default()
        }
    }

    fn waits(mut n: Node, on: usize, why: &str) -> Node {
        n.waits.push((on, why.into()));
        n
    }

    fn hook(mut n: Node, events: &str, weight: i64) -> Node {
        n.hook = Some(Box::new(Hook {
            events: events.split(',').map(str::to_string).collect(),
            weight,
            deleted_after: false,
        }));
        n
    }

    #[test]
    fn gated_database_is_a_cycle_everywhere() {
        let nodes = vec![
            waits(node("StatefulSet/db"), 1, "gate"),
            waits(node("Job/migrate"), 0, "data service"),
        ];
        for e in Engine::GITOPS.iter().chain(Engine::HOOKS) {
            let d = check(&nodes, *e).unwrap_err();
            assert!(d.cycle, "{d}");
            assert_eq!(d.chain.len(), 2, "{d}");
        }
    }

    #[test]
    fn argo_wave_before_its_database_hangs() {
        let mut job = waits(node("Job/migrate"), 1, "data service");
        job.wave = -1;
        let nodes = vec![job, node("StatefulSet/db")];
        assert!(check(&nodes, Engine::Kubectl).is_ok());
        let d = check(&nodes, Engine::ArgoCd).unwrap_err();
        assert!(d.cycle, "{d}");
        let mut db = node("StatefulSet/db");
        db.wave = -2;
        let nodes = vec![waits(node("Job/migrate"), 1, "data service"), db];
        let mut nodes = nodes;
        nodes[0].wave = -1;
        assert!(check(&nodes, Engine::ArgoCd).is_ok());
    }

    /// A Helm hook Secret: PreSync for Argo CD, unless the release has an Argo CD
    /// hook, when it is a plain Sync object in wave 0 (its weight ignored).
    fn secret_hook() -> Node {
        let mut secret = hook(node("Secret/creds"), "pre-install", -10);
        secret.wave = -10;
        secret.wave_from_weight = true;
        secret
    }

    #[test]
    fn an_argo_hook_makes_argo_ignore_that_objects_helm_hook_only() {
        let mut job = waits(node("Job/migrate"), 1, "uses");
        job.wave = -1;
        assert!(check(&[job.clone(), secret_hook()], Engine::ArgoCd).is_ok());
        // Airflow's Argo CD recipe: the migration a Sync hook in wave -1. The
        // Secret's Helm hook still makes it PreSync: it exists first.
        job.argo_hook = Some(ArgoHook::parse("Sync"));
        assert!(check(&[job.clone(), secret_hook()], Engine::ArgoCd).is_ok());
        // A Secret that is an Argo CD Sync hook itself is in the Sync phase,
        // in wave 0 after the Job's: the sync hangs.
        let mut secret = secret_hook();
        secret.argo_hook = Some(ArgoHook::parse("Sync"));
        let d = check(&[job.clone(), secret.clone()], Engine::ArgoCd).unwrap_err();
        assert!(d.to_string().contains("Secret/creds"), "{d}");
        // In a wave of its own before the Job's.
        (secret.wave, secret.wave_from_weight) = (-2, false);
        assert!(check(&[job, secret], Engine::ArgoCd).is_ok());
    }

    #[test]
    fn argo_hooks_by_phase() {
        assert_eq!(ArgoHook::parse("PreSync"), ArgoHook::Phase(0));
        assert_eq!(ArgoHook::parse("PostSync, Sync"), ArgoHook::Phase(1));
        assert_eq!(ArgoHook::parse("Skip"), ArgoHook::NotInSync);
        assert_eq!(ArgoHook::parse("SyncFail"), ArgoHook::NotInSync);
        // A PreSync hook that needs a Sync object hangs the sync.
        let mut job = waits(node("Job/migrate"), 1, "uses");
        job.argo_hook = Some(ArgoHook::Phase(0));
        assert!(check(&[job.clone(), node("Secret/creds")], Engine::ArgoCd).is_err());
        // A pod that waits for a skipped object waits forever.
        let mut skipped = node("Secret/creds");
        skipped.argo_hook = Some(ArgoHook::NotInSync);
        let d = check(
            &[waits(node("Deployment/app"), 1, "uses"), skipped],
            Engine::ArgoCd,
        );
        assert!(d.is_err());
        // Each object's own hook decides: a Helm pre-install hook stays
        // PreSync beside another object's Argo CD hook (Synapse's `Skip`
        // Secret and its signing-key Job), and an object with both reads
        // only its Argo CD hook.
        let helm = hook(node("Job/signing-key"), "pre-install", 0);
        assert_eq!(argo_slot(&helm), Slot::Step(0, 0, 0));
        let mut both = hook(node("Secret/key"), "pre-install", 0);
        both.argo_hook = Some(ArgoHook::NotInSync);
        assert_eq!(argo_slot(&both), Slot::Never);
    }

    #[test]
    fn pre_install_hook_before_its_database_hangs_on_helm() {
        let nodes = vec![
            hook(
                waits(node("Job/migrate"), 1, "data service"),
                "pre-install",
                -5,
            ),
            node("StatefulSet/db"),
        ];
        let d = check(&nodes, Engine::HelmInstall).unwrap_err();
        assert!(d.cycle, "{d}");
        // On an upgrade a pre-install-only hook does not run: nothing waits for it.
        assert!(check(&nodes, Engine::HelmUpgrade).is_ok());
    }

    /// Miniflux: a pre-install,pre-upgrade hook needs the bundled database,
    /// which uses its Secret. A fresh install hangs (the database comes after
    /// the hooks); an upgrade finds the database serving. A workload that waits
    /// for a Job still waits on an upgrade: the Job runs anew.
    #[test]
    fn pre_upgrade_hook_finds_the_database_of_the_last_release() {
        let nodes = vec![
            hook(
                waits(node("Job/migrate"), 1, "data service"),
                "pre-install,pre-upgrade",
                0,
            ),
            waits(node("StatefulSet/db"), 2, "uses"),
            node("Secret/db"),
        ];
        assert!(check(&nodes, Engine::HelmInstall).is_err());
        assert!(check(&nodes, Engine::HelmUpgrade).is_ok());
        let gated = vec![
            hook(
                waits(node("Job/migrate"), 1, "data service"),
                "pre-upgrade",
                0,
            ),
            waits(node("StatefulSet/db"), 2, "gate"),
            node("Job/setup"),
        ];
        assert!(check(&gated, Engine::HelmUpgrade).is_err());
    }

    #[test]
    fn post_hook_that_apps_wait_for_runs_without_wait() {
        let nodes = vec![
            hook(
                waits(node("Job/migrate"), 2, "data service"),
                "post-install",
                0,
            ),
            waits(node("Deployment/app"), 0, "gate"),
            node("StatefulSet/db"),
        ];
        assert!(check(&nodes, Engine::HelmInstall).is_ok());
        // Argo CD: PostSync starts only after Sync is healthy; the app never is.
        assert!(check(&nodes, Engine::ArgoCd).is_err());
    }

    #[test]
    fn gate_on_a_hook_that_never_runs_is_reported() {
        let nodes = vec![
            hook(node("Job/migrate"), "pre-upgrade", 0),
            waits(node("Deployment/app"), 0, "gate"),
        ];
        let d = check(&nodes, Engine::HelmInstall).unwrap_err();
        assert!(!d.cycle);
        assert!(d.to_string().contains("does not run on an install"), "{d}");
    }

    #[test]
    fn kapp_rules_order_and_cycle() {
        let mut db = node("StatefulSet/db");
        db.groups = thin_vec::thin_vec!["data".into()];
        let mut job = waits(node("Job/migrate"), 0, "data service");
        job.groups = thin_vec::thin_vec!["m".into()];
        job.after_groups = thin_vec::thin_vec!["data".into()];
        let mut app = waits(node("Deployment/app"), 1, "gate");
        app.after_groups = thin_vec::thin_vec!["m".into()];
        let mut nodes = vec![db, job, app];
        assert!(check(&nodes, Engine::Kapp).is_ok());
        nodes[0].after_groups = thin_vec::thin_vec!["m".into()];
        assert!(check(&nodes, Engine::Kapp).unwrap_err().cycle);
    }

    #[test]
    fn migrations_in_waves_in_order() {
        let mut a = node("Job/a");
        a.wave = -2;
        let mut b = waits(node("Job/b"), 0, "order");
        b.wave = -1;
        let nodes = vec![
            a,
            b,
            waits(waits(node("Deployment/app"), 0, "gate"), 1, "gate"),
        ];
        for e in Engine::GITOPS {
            assert!(check(&nodes, *e).is_ok());
        }
    }

    /// The model before the per-pass summary: every object's [`blocker`], exactly.
    fn naive(nodes: &[Node], engine: Engine) -> Vec<bool> {
        let mut slots: Vec<Slot> = nodes.iter().map(|n| slot(n, nodes, engine)).collect();
        if matches!(engine, Engine::HelmInstall | Engine::HelmUpgrade) {
            rank_ties(nodes, &mut slots);
        }
        let mut ready = vec![false; nodes.len()];
        while let Some(i) = (0..nodes.len())
            .find(|&i| !ready[i] && chain::blocker(nodes, &slots, &ready, i, engine).is_none())
        {
            ready[i] = true;
        }
        ready
    }

    #[test]
    fn the_summed_up_model_agrees_with_the_exact_one() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let events = [
            "pre-install",
            "post-install",
            "pre-install,pre-upgrade",
            "post-upgrade",
            "pre-upgrade",
        ];
        let mut stuck = 0;
        for round in 0..3000 {
            let size = 1 + next(9) as usize;
            let nodes: Vec<Node> = (0..size)
                .map(|k| {
                    let mut n = node(&format!("Job/n{k}"));
                    n.wave = next(5) as i64 - 2;
                    if next(3) == 0 {
                        n = hook(n, events[next(5) as usize], next(3) as i64 - 1);
                        let kept = next(2) == 0;
                        n.hook.as_mut().expect("a hook").deleted_after = !kept;
                    }
                    for _ in 0..next(3) {
                        n = waits(n, next(size as u64) as usize, "w");
                    }
                    if next(4) == 0 {
                        n.checks.push((next(size as u64) as usize, "c".into()));
                    }
                    if next(3) == 0 {
                        n.groups.push(format!("g{}", next(3)));
                    }
                    if next(3) == 0 {
                        n.after_groups.push(format!("g{}", next(3)));
                    }
                    n
                })
                .collect();
            for &e in Engine::GITOPS.iter().chain(Engine::HOOKS) {
                let (_, got) = settle(&nodes, e);
                assert_eq!(got, naive(&nodes, e), "round {round}, {e:?}: {nodes:#?}");
                stuck += usize::from(got.contains(&false));
            }
        }
        // The generator makes both: streams that settle and streams that hang.
        assert!(stuck > 1000 && stuck < 14_000, "{stuck}");
    }
}
