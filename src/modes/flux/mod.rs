//! `premigrate flux-helmrelease`: the `hooks` rewrite of a chart, written as
//! the kustomize patches of a Flux HelmRelease's `spec.postRenderers`, for
//! helm-controller ≥ 1.6 with `postRenderStrategy: combined` (hooks are
//! post-rendered, so a patched-in `helm.sh/hook` makes a real hook).
//!
//! Flux runs no executables, and patches can only change documents the chart
//! renders, never add one. So where the rewrite adds hook copies of the
//! ConfigMaps and Secrets the migration uses, the export turns those objects
//! themselves into earlier hooks: `before-hook-creation` only (never
//! `hook-succeeded`: the workloads keep using them), and
//! `helm.sh/resource-policy: keep` so that the upgrade that turns a regular
//! object into a hook does not then delete it as "removed from the release".

mod helmrelease;
mod patch;

use std::collections::BTreeMap;

use crate::config::{Config, Target};
use crate::diag::codes::{self, Code};
use crate::diag::Error;
use crate::index::Index;
use crate::k8s::engines;
use crate::k8s::{self, RefKind};
use crate::modes::flux::patch::{ops_yaml, target};
use crate::plan::{Origin, Plan, Severity};
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

pub(crate) use patch::json_patch;

/// Helm's annotation that keeps an object when a release no longer renders it.
pub const RESOURCE_POLICY: &str = crate::k8s::engines::HELM_RESOURCE_POLICY;

/// The HelmRelease with its patches, and what the user must know.
#[derive(Debug, Clone)]
pub struct Export {
    /// The HelmRelease file, edited (other documents in the file unchanged).
    pub helmrelease: String,
    /// The patches, as in `spec.postRenderers[].kustomize.patches`.
    pub patches: Vec<Patch>,
    /// Warnings for stderr.
    pub warnings: Vec<String>,
}

/// One kustomize patch: a JSON 6902 patch (as YAML) and its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// The operations, as YAML text.
    pub patch: String,
    /// `target`: group, version, kind, name, namespace.
    pub target: Value,
}

impl Patch {
    /// The patch as the value of a `patches:` item.
    pub fn to_value(&self) -> Value {
        Value::map([
            ("patch", Value::str(self.patch.clone())),
            ("target", self.target.clone()),
        ])
    }
}

/// Builds the export from the HelmRelease file and the chart's rendered stream.
pub fn export(
    helmrelease: &str,
    hr_source: &str,
    rendered: &[u8],
    cfg: &Config,
) -> Result<Export, Error> {
    if cfg.target == Target::Gitops {
        return Err(Error::new("flux-helmrelease writes the hooks rewrite; --target gitops does not apply")
            .help("drop --target (or set it to hooks); for a Flux Kustomization, run `helm template | premigrate --target gitops` in CI instead"));
    }
    let mut cfg = cfg.clone();
    cfg.target = Target::Hooks;
    crate::pipeline::plan(rendered, &cfg, |index, plan| {
        if index.entries.iter().all(|e| e.info.blank) {
            return Err(Error::new("the rendered stream is empty")
                .help("pipe `helm template RELEASE CHART -f values.yaml` (the HelmRelease's values) into premigrate"));
        }
        check_no_new_jobs(index, &plan)?;
        let mut warnings: Vec<String> = Vec::new();
        let mut patches = change_patches(index, &plan);
        patches.extend(hook_patches(index, &plan, &mut warnings)?);
        for n in &plan.notes {
            if n.severity >= Severity::Warning {
                warnings.push(format!("[{}] {}", n.code, n.message));
            }
        }
        if !plan.migrations.is_empty() {
            warn(&mut warnings, codes::PM403, "the patches pin the Job's hashed name for this chart version and these values: export again whenever either changes (e.g. in the CI job that bumps them)");
        } else {
            warn(
                &mut warnings,
                codes::PM404,
                "no migration found in the rendered stream: the HelmRelease gets no patches",
            );
        }
        let helmrelease = helmrelease::edit(helmrelease, hr_source, &patches)?;
        Ok(Export {
            helmrelease,
            patches,
            warnings,
        })
    })
}

/// A warning of the export, with its code.
fn warn(warnings: &mut Vec<String>, code: Code, message: impl AsRef<str>) {
    warnings.push(format!("[{}] {}", code.code, message.as_ref()));
}

/// Patches cannot add documents: a migration must be a Job of the chart.
fn check_no_new_jobs(index: &Index<'_>, plan: &Plan) -> Result<(), Error> {
    for m in &plan.migrations {
        if m.origin != Origin::Job {
            return Err(Error::at(
                index.location(m.doc),
                format!(
                    "the migration {} would be a new Job, and HelmRelease patches cannot add documents",
                    m.original_name
                ),
            )
            .help("put the migration Job in the chart, or build with the gitops pipeline (helm template | premigrate, then flux push artifact)"));
        }
    }
    Ok(())
}

/// One patch per changed document, without the reference edits that point at hook copies.
fn change_patches(index: &Index<'_>, plan: &Plan) -> Vec<Patch> {
    // Ref paths the hooks rewrite points at copies: the export keeps the originals.
    let mut ref_paths: BTreeMap<usize, Vec<Vec<Seg>>> = BTreeMap::new();
    for m in &plan.migrations {
        let v = value(index, m.doc);
        if let Some(pod) = v.at(k8s::POD_TEMPLATE_SPEC) {
            let base = crate::path!["spec", "template", "spec"];
            ref_paths
                .entry(m.doc)
                .or_default()
                .extend(k8s::pod_refs(pod, &base).into_iter().map(|r| r.path));
        }
    }
    let mut patches = Vec::new();
    for (&doc, changes) in &plan.changes {
        let skip = ref_paths.get(&doc).cloned().unwrap_or_default();
        let edits: Vec<Edit> = changes
            .iter()
            .map(|c| c.edit.clone())
            .filter(|e| !matches!(e, Edit::Set(p, _) if skip.contains(p)))
            .collect();
        if edits.is_empty() {
            continue;
        }
        let v = value(index, doc);
        patches.push(Patch {
            patch: ops_yaml(&json_patch(v, &edits)),
            target: target(v),
        });
    }
    patches
}

/// What the copies would have been: the originals become hooks at the copies' weight.
fn hook_patches(
    index: &Index<'_>,
    plan: &Plan,
    warnings: &mut Vec<String>,
) -> Result<Vec<Patch>, Error> {
    let mut hooks: BTreeMap<usize, (String, i64)> = BTreeMap::new();
    for a in &plan.added {
        let Some((events, weight)) = a.hook.clone() else {
            return Err(Error::at(
                index.location(a.derived_from),
                format!("the rewrite adds {}, and HelmRelease patches cannot add documents", a.object),
            )
            .help("build with the gitops pipeline (helm template | premigrate, then flux push artifact)"));
        };
        let kind = index.entries[a.derived_from]
            .info
            .kind
            .as_deref()
            .unwrap_or("");
        if kind == RefKind::ServiceAccount.kind() {
            warn(warnings, codes::PM401, format!(
                "{}: the migration Job runs as this ServiceAccount, which the chart creates as a regular resource; on a first install it does not exist yet when the pre-install hook runs, and patches cannot add a hook copy. It is left as it is: as a hook it would be deleted and re-created on every upgrade, which invalidates the tokens of running pods. Create it outside the release (e.g. serviceAccount.create=false and a separate manifest), or run the first install once with the copy (`helm template | premigrate --target hooks`)",
                index.entries[a.derived_from].info.object()
            ));
            continue;
        }
        let slot = hooks
            .entry(a.derived_from)
            .or_insert((events.clone(), weight));
        if weight < slot.1 {
            *slot = (events, weight);
        }
    }
    let mut patches = Vec::new();
    for (&doc, (events, weight)) in &hooks {
        let v = value(index, doc);
        let mut edits = Vec::new();
        for (key, val) in [
            (engines::HELM_HOOK, events.clone()),
            (engines::HELM_HOOK_WEIGHT, weight.to_string()),
            (
                engines::HELM_HOOK_DELETE,
                "before-hook-creation".to_string(),
            ),
            (RESOURCE_POLICY, "keep".to_string()),
        ] {
            edits.push(Edit::Set(
                crate::path!["metadata", "annotations", key],
                Value::str(val),
            ));
        }
        patches.push(Patch {
            patch: ops_yaml(&json_patch(v, &edits)),
            target: target(v),
        });
    }
    if !hooks.is_empty() {
        let names: Vec<String> = hooks
            .keys()
            .map(|&d| index.entries[d].info.object())
            .collect();
        warn(warnings, codes::PM402, format!(
            "patches cannot add documents, so there are no hook copies; instead these become hooks themselves: {}. They run one weight before the Job, with hook-delete-policy before-hook-creation only (the workloads keep using them) and helm.sh/resource-policy: keep (so the upgrade that turns them into hooks does not delete them). Helm re-creates them before every upgrade, and `helm uninstall` leaves them behind",
            names.join(", ")
        ));
    }
    Ok(patches)
}

fn value<'a>(index: &'a Index<'_>, doc: usize) -> &'a Value {
    &index.entries[doc]
        .parsed
        .as_ref()
        .expect("planned documents are parsed")
        .value
}
