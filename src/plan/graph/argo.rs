//! How Argo CD orders a release's objects: sync phase (PreSync, Sync,
//! PostSync), then wave. Its own hooks (`argocd.argoproj.io/hook`) set the phase;
//! Helm hooks are mapped to phases, unless any object of the release is an Argo
//! CD hook, when Argo CD ignores every Helm hook annotation (FACTS.md).

/// An Argo CD hook (`argocd.argoproj.io/hook`). When any object of the release
/// has one, Argo CD ignores every Helm hook annotation (FACTS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgoHook {
    /// Runs in a sync phase: 0 PreSync, 1 Sync, 2 PostSync (the earliest one listed).
    Phase(i8),
    /// `Skip`, `SyncFail`, `PostDelete`: never in a sync that succeeds.
    NotInSync,
}

impl ArgoHook {
    /// The hook an annotation value names (`PreSync`, `Sync,PostSync`, …).
    pub fn parse(value: &str) -> ArgoHook {
        let phase = |t: &str| match t.trim() {
            "PreSync" => Some(0),
            "Sync" => Some(1),
            "PostSync" => Some(2),
            _ => None,
        };
        value
            .split(',')
            .filter_map(phase)
            .min()
            .map_or(ArgoHook::NotInSync, ArgoHook::Phase)
    }
}

/// An object's Argo CD sync wave as the model read it.
#[derive(Debug, Clone, Copy)]
pub struct Wave {
    /// `argocd.argoproj.io/sync-wave`, else the Helm hook weight, else 0.
    pub value: i64,
    /// `value` is the Helm hook's weight: Argo CD reads it only while it honours Helm hooks.
    pub from_weight: bool,
}

/// Where Argo CD puts an object, as (phase, wave); `None`: never in a sync.
/// By its own hook; else, once any object is an Argo CD hook (`argo_hooks`), as
/// a plain Sync object (Helm hooks and their weights ignored); else by its Helm
/// hook's events.
pub fn place(
    hook: Option<ArgoHook>,
    helm_events: Option<&[String]>,
    wave: Wave,
    argo_hooks: bool,
) -> Option<(i8, i64)> {
    let own_wave = match wave.from_weight {
        true => 0,
        false => wave.value,
    };
    match hook {
        Some(ArgoHook::NotInSync) => None,
        Some(ArgoHook::Phase(p)) => Some((p, own_wave)),
        None if argo_hooks => Some((1, own_wave)),
        None => Some((helm_phase(helm_events), wave.value)),
    }
}

/// Argo CD maps Helm's `pre-*` hooks to PreSync, `post-*` to PostSync; others
/// (and no hook) are Sync.
fn helm_phase(events: Option<&[String]>) -> i8 {
    let has = |a: &str, b: &str| events.is_some_and(|ev| ev.iter().any(|e| e == a || e == b));
    if has("pre-install", "pre-upgrade") {
        0
    } else if has("post-install", "post-upgrade") {
        2
    } else {
        1
    }
}
