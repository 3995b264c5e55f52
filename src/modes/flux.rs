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

use std::collections::BTreeMap;

use crate::config::{Config, Target};
use crate::diag::{Error, Location};
use crate::index::Index;
use crate::k8s::engines;
use crate::k8s::{self, RefKind};
use crate::plan::{Origin, Severity};
use crate::stream::{join, Stream};
use crate::yaml::edit::{self, Edit, Seg};
use crate::yaml::{Tree, Value};

/// Helm's annotation that keeps an object when a release no longer renders it.
pub const RESOURCE_POLICY: &str = "helm.sh/resource-policy";

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
    let index = Index::build(rendered)?;
    if index.entries.iter().all(|e| e.info.blank) {
        return Err(Error::new("the rendered stream is empty")
            .help("pipe `helm template RELEASE CHART -f values.yaml` (the HelmRelease's values) into premigrate"));
    }
    let plan = crate::plan::build(&index, &cfg)?;
    let mut warnings: Vec<String> = Vec::new();

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

    // Ref paths the hooks rewrite points at copies: the export keeps the originals.
    let mut ref_paths: BTreeMap<usize, Vec<Vec<Seg>>> = BTreeMap::new();
    for m in &plan.migrations {
        let v = value(&index, m.doc);
        if let Some(pod) = v.at(&["spec", "template", "spec"]) {
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
        let v = value(&index, doc);
        patches.push(Patch {
            patch: ops_yaml(&json_patch(v, &edits)),
            target: target(v),
        });
    }

    // What the copies would have been: the originals become hooks at the copies' weight.
    let mut hooks: BTreeMap<usize, (String, i64)> = BTreeMap::new();
    for a in &plan.added {
        let copy = Tree::parse(&a.text)
            .ok()
            .and_then(|t| t.root.and_then(|r| t.value(r).ok()))
            .unwrap_or(Value::Null);
        let ann = |k: &str| {
            copy.at(&["metadata", "annotations", k])
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (Some(events), Some(weight)) = (
            ann(engines::HELM_HOOK),
            ann(engines::HELM_HOOK_WEIGHT).and_then(|w| w.trim().parse::<i64>().ok()),
        ) else {
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
            warnings.push(format!(
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
    for (&doc, (events, weight)) in &hooks {
        let v = value(&index, doc);
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
        warnings.push(format!(
            "patches cannot add documents, so there are no hook copies; instead these become hooks themselves: {}. They run one weight before the Job, with hook-delete-policy before-hook-creation only (the workloads keep using them) and helm.sh/resource-policy: keep (so the upgrade that turns them into hooks does not delete them). Helm re-creates them before every upgrade, and `helm uninstall` leaves them behind",
            names.join(", ")
        ));
    }
    for n in &plan.notes {
        if n.severity >= Severity::Warning {
            warnings.push(format!("[{}] {}", n.code, n.message));
        }
    }
    if !plan.migrations.is_empty() {
        warnings.push("the patches pin the Job's hashed name for this chart version and these values: export again whenever either changes (e.g. in the CI job that bumps them)".into());
    } else {
        warnings.push(
            "no migration found in the rendered stream: the HelmRelease gets no patches".into(),
        );
    }

    let helmrelease = edit_helmrelease(helmrelease, hr_source, &patches)?;
    Ok(Export {
        helmrelease,
        patches,
        warnings,
    })
}

fn value<'a>(index: &'a Index<'_>, doc: usize) -> &'a Value {
    &index.entries[doc]
        .parsed
        .as_ref()
        .expect("planned documents are parsed")
        .value
}

/// A kustomize patch target that picks exactly this object.
fn target(v: &Value) -> Value {
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

fn op(kind: &str, path: &[Seg], value: Option<Value>) -> Value {
    let mut m = vec![
        ("op".to_string(), Value::str(kind)),
        ("path".to_string(), Value::str(pointer(path))),
    ];
    if let Some(v) = value {
        m.push(("value".to_string(), v));
    }
    Value::Map(m)
}

/// JSON 6902 operations that make the planned edits to a document whose value
/// is `v`. Missing mappings on a path are added whole, as the edit layer creates them.
pub fn json_patch(v: &Value, edits: &[Edit]) -> Vec<Value> {
    // The steps the edit layer checks its text against: each index is valid when its operation runs.
    let ordered = edit::sequential(v, edits);
    let mut current = v.clone();
    let mut ops: Vec<Value> = Vec::new();
    // Mappings an earlier operation added whole: later keys under them go into that value.
    let mut created: Vec<(Vec<Seg>, usize)> = Vec::new();
    for e in &ordered {
        match e {
            Edit::Set(path, val)
                if created
                    .iter()
                    .any(|(p, _)| path.len() > p.len() && path.starts_with(p)) =>
            {
                let (p, k) = created
                    .iter()
                    .find(|(p, _)| path.len() > p.len() && path.starts_with(p))
                    .cloned()
                    .expect("checked above");
                if let Value::Map(m) = &mut ops[k] {
                    if let Some((_, inner)) = m.iter_mut().find(|(key, _)| key == "value") {
                        edit::apply_to_value(
                            inner,
                            &Edit::Set(path[p.len()..].to_vec(), val.clone()),
                        );
                    }
                }
            }
            Edit::Set(path, val) => {
                // The longest prefix that exists as a collection to add into.
                let mut k = 0;
                while k < path.len() {
                    match k8s::at(&current, &path[..=k]) {
                        Some(Value::Null) | None => break,
                        Some(_) => k += 1,
                    }
                }
                if k == path.len() {
                    ops.push(op("replace", path, Some(val.clone())));
                } else {
                    let mut nested = val.clone();
                    for seg in path[k + 1..].iter().rev() {
                        if let Seg::Key(key) = seg {
                            nested = Value::map([(key.clone(), nested)]);
                        }
                    }
                    let exists_as_null =
                        matches!(k8s::at(&current, &path[..=k]), Some(Value::Null));
                    let kind = if exists_as_null { "replace" } else { "add" };
                    if matches!(nested, Value::Map(_)) {
                        created.push((path[..=k].to_vec(), ops.len()));
                    }
                    ops.push(op(kind, &path[..=k], Some(nested)));
                }
            }
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
            Edit::Insert(path, i, items) => match k8s::at(&current, path) {
                Some(Value::Seq(list)) => {
                    let at_end = *i >= list.len();
                    for (j, item) in items.iter().enumerate() {
                        let mut p = path.clone();
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
                    ops.push(op("add", path, Some(Value::Seq(items.clone()))));
                }
            },
        }
        edit::apply_to_value(&mut current, e);
    }
    ops
}

/// Operations as the YAML text of a kustomize `patch:`.
fn ops_yaml(ops: &[Value]) -> String {
    let mut s = Value::Seq(ops.to_vec()).to_block(0);
    if s.starts_with('\n') {
        s.remove(0);
    }
    s.push('\n');
    s
}

/// Sets `spec.postRenderStrategy: combined` and premigrate's entry of
/// `spec.postRenderers` (replacing the one an earlier export wrote).
fn edit_helmrelease(text: &str, source: &str, patches: &[Patch]) -> Result<String, Error> {
    let stream = Stream::split(text.as_bytes()).map_err(|_| {
        Error::new(format!("{source} is not UTF-8")).help("re-encode the file as UTF-8")
    })?;
    let mut found: Option<(usize, Tree, Value)> = None;
    for i in 0..stream.docs.len() {
        let doc = stream.doc_text(i);
        if crate::stream::is_blank(doc) {
            continue;
        }
        let tree = Tree::parse(doc).map_err(|e| {
            let mut l = Location::at(i, doc, stream.docs[i].line, e.offset);
            l.source = Some(source.to_string());
            Error::at(l, format!("invalid YAML: {}", e.message))
        })?;
        let Some(root) = tree.root else { continue };
        let v = tree.value(root).unwrap_or(Value::Null);
        if v.get("kind").and_then(Value::as_str) != Some("HelmRelease") {
            continue;
        }
        if found.is_some() {
            return Err(
                Error::new(format!("{source} holds more than one HelmRelease"))
                    .help("export one HelmRelease at a time"),
            );
        }
        let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if !api.starts_with("helm.toolkit.fluxcd.io/v2") {
            let mut l = Location::at(i, doc, stream.docs[i].line, 0);
            l.source = Some(source.to_string());
            return Err(Error::at(l, format!("apiVersion `{api}` has no postRenderStrategy"))
                .help("use apiVersion: helm.toolkit.fluxcd.io/v2 (Flux 2.3+; postRenderStrategy needs helm-controller 1.6, Flux 2.9)"));
        }
        found = Some((i, tree, v));
    }
    let Some((doc, tree, v)) = found else {
        return Err(Error::new(format!("no HelmRelease in {source}"))
            .help("pass the file that holds the HelmRelease (kind: HelmRelease, apiVersion: helm.toolkit.fluxcd.io/v2)"));
    };

    // Placeholders stand for the patch texts, which are written as block literals below.
    let token = |k: usize| format!("premigrate-patch-placeholder-{k}");
    let entry = Value::map([(
        "kustomize",
        Value::map([(
            "patches",
            Value::Seq(
                patches
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        let mut v = p.to_value();
                        v.set("patch", Value::str(token(k)));
                        v
                    })
                    .collect(),
            ),
        )]),
    )]);
    let mut edits = vec![Edit::Set(
        crate::path!["spec", "postRenderStrategy"],
        Value::str("combined"),
    )];
    let existing = v.at(&["spec", "postRenderers"]).map(Value::items);
    let ours = existing.and_then(|items| items.iter().position(is_ours));
    match (existing, ours) {
        (Some(_), Some(k)) if patches.is_empty() => {
            edits.push(Edit::RemoveItem(crate::path!["spec", "postRenderers"], k));
        }
        (Some(_), Some(k)) => {
            edits.push(Edit::Set(crate::path!["spec", "postRenderers", k], entry));
        }
        (Some(items), None) if !items.is_empty() => {
            if !patches.is_empty() {
                edits.push(Edit::Insert(
                    crate::path!["spec", "postRenderers"],
                    items.len(),
                    vec![entry],
                ));
            }
        }
        _ => {
            if !patches.is_empty() {
                edits.push(Edit::Set(
                    crate::path!["spec", "postRenderers"],
                    Value::Seq(vec![entry]),
                ));
            }
        }
    }
    let doc_text = stream.doc_text(doc);
    let mut out = edit::apply(doc_text, &tree, &edits).map_err(|e| {
        Error::new(format!("cannot edit the HelmRelease in {source}: {}", e.message))
            .help("write spec.postRenderers as a block list (no aliases), or add premigrate's patches by hand from `premigrate explain`")
    })?;
    for (k, p) in patches.iter().enumerate() {
        out = block_literal(&out, &token(k), &p.patch)?;
    }
    if doc_text.ends_with('\n') && !out.ends_with('\n') {
        out.push_str(if doc_text.ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        });
    }
    // The patches must read back exactly as written.
    let check = Tree::parse(&out)
        .ok()
        .and_then(|t| t.root.and_then(|r| t.value(r).ok()))
        .unwrap_or(Value::Null);
    let written: Vec<String> = check
        .at(&["spec", "postRenderers"])
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter(|i| is_ours(i))
        .flat_map(|i| {
            i.at(&["kustomize", "patches"])
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|p| p.get("patch").and_then(Value::as_str).map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    let wanted: Vec<String> = patches.iter().map(|p| p.patch.clone()).collect();
    if written != wanted {
        return Err(Error::new(
            "internal error: the patches did not read back as written (please report it)",
        ));
    }
    let docs: Vec<String> = (0..stream.docs.len())
        .map(|i| {
            if i == doc {
                out.clone()
            } else {
                stream.doc_text(i).to_string()
            }
        })
        .collect();
    Ok(join(stream.bom, &docs))
}

/// Whether a postRenderers entry is one premigrate wrote.
fn is_ours(entry: &Value) -> bool {
    entry
        .at(&["kustomize", "patches"])
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .any(|p| {
            p.get("patch")
                .and_then(Value::as_str)
                .is_some_and(|s| s.contains("premigrate.io"))
        })
}

/// Replaces the plain scalar `token` by `text` as a `|` block literal,
/// indented two columns past the line that holds it.
fn block_literal(doc: &str, token: &str, text: &str) -> Result<String, Error> {
    let at = doc
        .find(token)
        .ok_or_else(|| Error::new("internal error: a patch placeholder went missing"))?;
    let line_start = doc[..at].rfind('\n').map_or(0, |p| p + 1);
    let line = &doc[line_start..at];
    let indent = line.len() - line.trim_start_matches([' ', '-']).len();
    let pad = " ".repeat(indent + 2);
    let nl = if doc.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lit = String::from("|");
    for l in text.trim_end_matches('\n').split('\n') {
        lit.push_str(nl);
        if !l.is_empty() {
            lit.push_str(&pad);
            lit.push_str(l);
        }
    }
    Ok(format!("{}{}{}", &doc[..at], lit, &doc[at + token.len()..]))
}
