//! Secrets and ConfigMaps no document defines that a chart's pre-install hook
//! Job creates at run time with kubectl (Flagsmith's `django-secret-init`:
//! `kubectl create secret generic flagsmith-django-secret-key`). A migration
//! hook that reads one must come after that Job, as after a hook that defines it.

use crate::k8s::engines::HELM_HOOK;
use crate::k8s::RefKind;
use crate::plan::context::{annotation, Context};
use crate::yaml::Value;

/// The chart's `pre-install` or `pre-upgrade` hook Job in namespace `ns` (as written) that
/// creates `kind/name` with kubectl, if one does.
pub(crate) fn by_hook_job(ctx: &Context<'_>, kind: RefKind, ns: &str, name: &str) -> Option<usize> {
    let noun = match kind {
        RefKind::Secret => "secret",
        RefKind::ConfigMap => "configmap",
        _ => return None,
    };
    (0..ctx.index.entries.len()).find(|&i| {
        let info = &ctx.index.entries[i].info;
        info.kind.as_deref() == Some("Job")
            && info.namespace.as_deref().unwrap_or("") == ns
            && ctx.value(i).is_some_and(|v| {
                // A pre-upgrade-only creator too (Snipe-IT's app-key Job):
                // on an upgrade it runs with the migration, so before it.
                let pre = annotation(v, HELM_HOOK).is_some_and(|h| {
                    h.split(',')
                        .any(|e| matches!(e.trim(), "pre-install" | "pre-upgrade"))
                });
                pre && !uses(v, kind, name) && creates(ctx, v, noun, name)
            })
    })
}

/// Whether a Job's pods use `kind/name` (a volume, `envFrom`, a key): its
/// pods need it to start, so the Job is no creator of it (ZITADEL's setup Job
/// mounts the Secret its kubectl sidecar's script names).
fn uses(job: &Value, kind: RefKind, name: &str) -> bool {
    job.at(crate::k8s::POD_TEMPLATE_SPEC).is_some_and(|pod| {
        crate::k8s::pod_refs(pod, &[])
            .iter()
            .any(|r| r.kind == kind && r.name == name)
    })
}

/// Whether a Job's containers, or the scripts it mounts from ConfigMaps and
/// Secrets of the stream (GitLab's shared-secrets Job runs one), run kubectl on
/// a `noun` and name `name` as a word.
fn creates(ctx: &Context<'_>, job: &Value, noun: &str, name: &str) -> bool {
    let pod = job.at(crate::k8s::POD_TEMPLATE_SPEC);
    let containers = crate::k8s::containers_of(pod);
    let mut text = String::new();
    for c in containers {
        let argv = ["command", "args"].iter().flat_map(|k| c.strings(k));
        let env = crate::k8s::env_values(c).filter_map(|(_, _, v)| v.as_str());
        for s in argv.chain(env) {
            text.push_str(s);
            text.push('\n');
        }
    }
    // The files it reads from the stream's ConfigMaps and Secrets (decoded).
    let files = pod.map(|p| crate::plan::graph::roles::texts_of(ctx.index, p));
    for (file, _, from) in files.unwrap_or_default() {
        if matches!(from, crate::plan::graph::hosts::Origin::File(..)) {
            text.push_str(&file);
            text.push('\n');
        }
    }
    let lower = text.to_ascii_lowercase();
    (lower.contains("kubectl") || lower.contains("oc create"))
        && lower.contains(noun)
        && has_word(&text, name)
}

/// Whether `name` appears in `text` not as part of a longer name.
fn has_word(text: &str, name: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

#[cfg(test)]
mod tests {
    use super::has_word;

    #[test]
    fn a_name_inside_a_longer_name_is_not_named() {
        assert!(has_word(
            "kubectl create secret generic app-key --from-literal=a=b",
            "app-key"
        ));
        assert!(has_word(
            "SECRET_NAME=app-key\nkubectl get secret \"$SECRET_NAME\"",
            "app-key"
        ));
        assert!(!has_word(
            "kubectl create secret generic app-key-2",
            "app-key"
        ));
        assert!(!has_word("my-app-key", "app-key"));
    }
}
