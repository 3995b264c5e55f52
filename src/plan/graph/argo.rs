//! How Argo CD orders a release's objects: sync phase (PreSync, Sync,
//! PostSync), then wave. An object's own hook (`argocd.argoproj.io/hook`) sets
//! its phase; else its Helm hook is mapped to one. FACTS.md reads Argo CD's
//! docs as "any Argo CD hook in the release makes it ignore every Helm hook";
//! gitops-engine decides for each object on its own (`hook.Types`), and so
//! does this model.

/// An Argo CD hook (`argocd.argoproj.io/hook`): Argo CD then ignores the
/// object's own Helm hook annotations.
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
/// By its own Argo CD hook (its Helm hook and weight then ignored); else by
/// its Helm hook's events. Argo CD decides this for each object on its own
/// (gitops-engine's `hook.Types`: "we ignore Helm hooks if we have Argo
/// hook", of that object), not once for the release.
pub fn place(
    hook: Option<ArgoHook>,
    helm_events: Option<&[String]>,
    wave: Wave,
) -> Option<(i8, i64)> {
    let own_wave = match wave.from_weight {
        true => 0,
        false => wave.value,
    };
    match hook {
        Some(ArgoHook::NotInSync) => None,
        Some(ArgoHook::Phase(p)) => Some((p, own_wave)),
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
