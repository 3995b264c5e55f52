//! The HelmRelease file, edited: `spec.postRenderStrategy: combined` and
//! premigrate's entry of `spec.postRenderers` (replacing the one an earlier
//! export wrote), the patches as block literals; other documents unchanged.

use crate::diag::{Error, Location};
use crate::modes::flux::Patch;
use crate::stream::{join, Stream};
use crate::yaml::edit::{self, Edit};
use crate::yaml::{Tree, Value};

/// Sets `spec.postRenderStrategy: combined` and premigrate's entry of
/// `spec.postRenderers` (replacing the one an earlier export wrote).
pub(crate) fn edit(text: &str, source: &str, patches: &[Patch]) -> Result<String, Error> {
    let stream = Stream::split(text.as_bytes()).map_err(|_| {
        Error::new(format!("{source} is not UTF-8")).help("re-encode the file as UTF-8")
    })?;
    let (doc, tree, v) = find(&stream, source)?;
    // Placeholders stand for the patch texts, which are written as block literals below.
    let token = |k: usize| format!("premigrate-patch-placeholder-{k}");
    let edits = edits(&v, patches, &token);
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
    check_read_back(&out, patches)?;
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

/// The one HelmRelease of the file: its document, tree and value.
fn find(stream: &Stream<'_>, source: &str) -> Result<(usize, Tree, Value), Error> {
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
        let v = tree.value(root).map_err(|e| {
            let mut l = Location::at(i, doc, stream.docs[i].line, e.offset);
            l.source = Some(source.to_string());
            Error::at(l, format!("invalid YAML: {}", e.message))
        })?;
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
        if let Some(p) = v
            .at(&["spec", "postRenderers"])
            .filter(|p| !matches!(p, Value::Seq(_) | Value::Null))
        {
            let at = tree
                .get(root, "spec")
                .and_then(|s| tree.get(s, "postRenderers"))
                .map_or(0, |n| tree.node(n).start);
            let mut l = Location::at(i, doc, stream.docs[i].line, at);
            l.source = Some(source.to_string());
            let what = if matches!(p, Value::Map(_)) {
                "a mapping"
            } else {
                "a scalar"
            };
            return Err(Error::at(
                l,
                format!("spec.postRenderers is {what}, not a list: premigrate will not replace it"),
            )
            .help("write spec.postRenderers as a list of post-renderers (- kustomize: …)"));
        }
        found = Some((i, tree, v));
    }
    found.ok_or_else(|| {
        Error::new(format!("no HelmRelease in {source}"))
            .help("pass the file that holds the HelmRelease (kind: HelmRelease, apiVersion: helm.toolkit.fluxcd.io/v2)")
    })
}

/// The edits of the HelmRelease: the strategy, and premigrate's entry (patch texts as placeholders).
fn edits(v: &Value, patches: &[Patch], token: &dyn Fn(usize) -> String) -> Vec<Edit> {
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
                    Value::Seq(vec![entry].into()),
                ));
            }
        }
    }
    edits
}

/// The patches must read back exactly as written.
fn check_read_back(out: &str, patches: &[Patch]) -> Result<(), Error> {
    let check = Tree::parse(out)
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
    Ok(())
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
