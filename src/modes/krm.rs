//! `premigrate krm`: a KRM function (kustomize's functions spec). A
//! ResourceList comes in on stdin and goes out on stdout: its `items` are
//! rewritten as the post-renderer rewrites a stream, its `functionConfig` (a
//! MigrationPolicy, or a ConfigMap whose `data` holds the same keys) configures
//! the run, and findings become `results`.
//!
//! Items are cut out of the input text and put back as text, so comments and
//! formatting survive, and so do the `config.kubernetes.io/*` and
//! `internal.config.kubernetes.io/*` annotations the orchestrator tracks files
//! with. Items premigrate adds get a file of their own (the path of what they
//! derive from, the next free index) and no copied identity.

use std::collections::BTreeMap;

use crate::apply::Source;
use crate::diag::Error;
use crate::index::Index;
use crate::plan::{Plan, Severity};
use crate::stream::Stream;
use crate::yaml::edit::{self, Edit};
use crate::yaml::value::scalar_text;
use crate::yaml::{NodeId, NodeKind, Tree, Value};

/// The ResourceList `apiVersion` written when the input names none.
pub const API_VERSION: &str = "config.kubernetes.io/v1";

/// Annotations that say where an item lives: (path key, index key) pairs,
/// current and legacy.
pub const FILE_ANNOTATIONS: &[(&str, &str)] = &[
    (
        "internal.config.kubernetes.io/path",
        "internal.config.kubernetes.io/index",
    ),
    ("config.kubernetes.io/path", "config.kubernetes.io/index"),
];

/// Annotations that identify an item to the orchestrator. An added item must
/// not carry the ones of the item it was copied from.
pub const ID_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/id",
    "config.k8s.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    crate::modes::kustomize_plugin::ID_ANNOTATION,
];

/// What the function writes and whether it failed.
pub struct KrmOutput {
    /// The ResourceList to print on stdout.
    pub bytes: Vec<u8>,
    /// The run failed: exit non-zero (the results say why).
    pub failed: bool,
    /// The error results' messages, for stderr.
    pub errors: Vec<String>,
}

/// One result for the orchestrator.
#[derive(Debug, Clone, PartialEq)]
pub struct KrmResult {
    /// What happened.
    pub message: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// The object it is about: apiVersion, kind, name, namespace.
    pub resource_ref: Option<Value>,
    /// Its file: path and index.
    pub file: Option<Value>,
    /// Extra keys, such as the note's code.
    pub tags: Vec<(String, String)>,
}

/// One item of the input.
struct Item {
    /// The item as a standalone document body.
    text: String,
    /// Its value, for references and file annotations.
    value: Value,
    /// Input line of its first line, and the column its content starts at (0-based).
    line: usize,
    column: usize,
}

/// Runs the function on a ResourceList.
pub fn run(input: &[u8]) -> KrmOutput {
    let Ok(text) = std::str::from_utf8(input) else {
        return failure(
            API_VERSION,
            &[],
            None,
            vec![error_result(
                "the input is not UTF-8: a ResourceList must be UTF-8 YAML or JSON",
                None,
                None,
            )],
        );
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let tree = match Tree::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let l = crate::diag::Location::at(0, text, 1, e.offset);
            return failure(
                API_VERSION,
                &[],
                None,
                vec![error_result(
                    format!(
                        "the input is not valid YAML (line {}, column {}): {}",
                        l.line.unwrap_or(0),
                        l.column.unwrap_or(0),
                        e.message
                    ),
                    None,
                    None,
                )],
            );
        }
    };
    let Some(root) = tree.root else {
        return failure(
            API_VERSION,
            &[],
            None,
            vec![error_result(
                "the input is empty: expected a ResourceList",
                None,
                None,
            )],
        );
    };
    let get_str = |key: &str| {
        tree.get(root, key)
            .and_then(|n| tree.value(n).ok())
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let api_version = get_str("apiVersion").unwrap_or_else(|| API_VERSION.to_string());
    if get_str("kind").as_deref() != Some("ResourceList") {
        return failure(
            &api_version,
            &[],
            None,
            vec![error_result(
                "the input is not a ResourceList: expected kind: ResourceList with items and an optional functionConfig",
                None,
                None,
            )],
        );
    }
    let function_config = tree
        .get(root, "functionConfig")
        .filter(|&n| !is_null(&tree, n));
    let fc_text = function_config.map(|n| item_text(&tree, n, text).text);

    // Items, each as a document of its own.
    let mut items: Vec<Item> = Vec::new();
    let mut results: Vec<KrmResult> = Vec::new();
    if let Some(list) = tree.get(root, "items").filter(|&n| !is_null(&tree, n)) {
        match &tree.node(list).kind {
            NodeKind::Seq { items: ids, .. } => {
                for (k, &id) in ids.iter().enumerate() {
                    let item = item_text(&tree, id, text);
                    if let Err(m) = check_item(&item.value) {
                        results.push(error_result(
                            format!("item {k} (line {}): {m}", item.line),
                            resource_ref(&item.value),
                            file_of(&item.value),
                        ));
                    }
                    items.push(item);
                }
            }
            _ => results.push(error_result("`items` must be a list", None, None)),
        }
    }
    let fc_out = fc_text.as_deref();
    if !results.is_empty() {
        return failure(&api_version, &items, fc_out, results);
    }

    // The configuration: the functionConfig alone, so a pipeline gives the same output everywhere.
    let cfg = match function_config {
        None => Ok(crate::Config::default()),
        Some(n) => crate::config::policy::from_tree(&tree, n, text, 1, "functionConfig")
            .and_then(|o| o.validate()),
    };
    let cfg = match cfg {
        Ok(c) => c,
        Err(e) => {
            let fc_value = function_config.and_then(|n| tree.value(n).ok());
            return failure(
                &api_version,
                &items,
                fc_out,
                vec![error_result(
                    e.to_string(),
                    fc_value.as_ref().and_then(resource_ref),
                    None,
                )],
            );
        }
    };

    let docs: Vec<String> = items.iter().map(|i| format!("---\n{}", i.text)).collect();
    let stream = crate::stream::join(false, &docs);
    let out = match crate::rewrite(stream.as_bytes(), &cfg) {
        Ok(o) => o,
        Err(e) => {
            let (message, item) = locate(&e, &items, &stream);
            let (rr, file) = match item {
                Some(i) => (resource_ref(&items[i].value), file_of(&items[i].value)),
                None => (None, None),
            };
            return failure(
                &api_version,
                &items,
                fc_out,
                vec![error_result(message, rr, file)],
            );
        }
    };
    match finish(&out, &items) {
        Ok(new_items) => {
            let results = plan_results(&out.plan, &items);
            KrmOutput {
                bytes: render(&api_version, &new_items, fc_out, &results).into_bytes(),
                failed: false,
                errors: vec![],
            }
        }
        Err(e) => failure(
            &api_version,
            &items,
            fc_out,
            vec![error_result(e.to_string(), None, None)],
        ),
    }
}

fn is_null(tree: &Tree, n: NodeId) -> bool {
    matches!(tree.value(n), Ok(Value::Null))
}

/// A failed run: the input items unchanged, and the results.
fn failure(
    api_version: &str,
    items: &[Item],
    function_config: Option<&str>,
    results: Vec<KrmResult>,
) -> KrmOutput {
    let texts: Vec<String> = items.iter().map(|i| i.text.clone()).collect();
    KrmOutput {
        bytes: render(api_version, &texts, function_config, &results).into_bytes(),
        failed: true,
        errors: results.iter().map(|r| r.message.clone()).collect(),
    }
}

fn error_result(
    message: impl Into<String>,
    resource_ref: Option<Value>,
    file: Option<Value>,
) -> KrmResult {
    KrmResult {
        message: message.into(),
        severity: Severity::Error,
        resource_ref,
        file,
        tags: vec![],
    }
}

/// Cuts a node out of the input as a standalone document body. Block nodes
/// keep their text, shifted left by their column; flow nodes (JSON input) are
/// written out in block style from their value.
fn item_text(tree: &Tree, id: NodeId, text: &str) -> Item {
    let node = tree.node(id);
    let value = tree.value(id).unwrap_or(Value::Null);
    let line_start = text[..node.start].rfind('\n').map_or(0, |p| p + 1);
    let line = text[..node.start].matches('\n').count() + 1;
    let column = text[line_start..node.start].chars().count();
    let flow = matches!(
        node.kind,
        NodeKind::Map { flow: true, .. } | NodeKind::Seq { flow: true, .. }
    );
    let body = if flow || !matches!(node.kind, NodeKind::Map { .. }) {
        value.to_document()
    } else {
        let mut out = String::new();
        for (k, l) in text[node.start..node.end].split('\n').enumerate() {
            if k > 0 {
                out.push('\n');
                let spaces = l.len() - l.trim_start_matches(' ').len();
                out.push_str(&l[spaces.min(column)..]);
            } else {
                out.push_str(l);
            }
        }
        out.push('\n');
        out
    };
    Item {
        text: body,
        value,
        line,
        column,
    }
}

/// Why an item is not a Kubernetes object, if it is not.
fn check_item(v: &Value) -> Result<(), String> {
    let Value::Map(_) = v else {
        return Err(
            "not a Kubernetes object (expected a mapping with apiVersion, kind and metadata.name)"
                .into(),
        );
    };
    for (path, what) in [
        (&["apiVersion"][..], "apiVersion"),
        (&["kind"][..], "kind"),
        (&["metadata", "name"][..], "metadata.name"),
    ] {
        match v.at(path) {
            Some(Value::Str(s)) if !s.is_empty() => {}
            Some(other) if !matches!(other, Value::Null) => {
                return Err(format!("{what} must be a string, not {}", other.to_flow()))
            }
            _ => return Err(format!("no {what}: every item must be a Kubernetes object")),
        }
    }
    Ok(())
}

/// `resourceRef` of an object.
fn resource_ref(v: &Value) -> Option<Value> {
    let mut out = Vec::new();
    for (key, path) in [
        ("apiVersion", &["apiVersion"][..]),
        ("kind", &["kind"][..]),
        ("name", &["metadata", "name"][..]),
        ("namespace", &["metadata", "namespace"][..]),
    ] {
        if let Some(Value::Str(s)) = v.at(path) {
            out.push((key, Value::str(s.clone())));
        }
    }
    (!out.is_empty()).then(|| Value::map(out))
}

fn annotation<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.at(&["metadata", "annotations", key])
        .and_then(Value::as_str)
}

/// `file` of an object, from its path and index annotations.
fn file_of(v: &Value) -> Option<Value> {
    FILE_ANNOTATIONS.iter().find_map(|(p, i)| {
        let path = annotation(v, p)?;
        let mut f = vec![("path", Value::str(path))];
        if let Some(idx) = annotation(v, i).and_then(|s| s.parse::<i64>().ok()) {
            f.push(("index", Value::Int(idx)));
        }
        Some(Value::map(f))
    })
}

/// The message of a rewrite error, with its position in the ResourceList, and the item it is about.
fn locate(e: &Error, items: &[Item], stream: &str) -> (String, Option<usize>) {
    let Some(loc) = e.location.as_deref() else {
        return (e.to_string(), None);
    };
    let Some(doc) = loc.doc.map(|d| d - 1).filter(|&d| d < items.len()) else {
        return (e.to_string(), None);
    };
    let split = crate::stream::Stream::split(stream.as_bytes()).expect("built from UTF-8");
    // The document's first line is the `---` that was added before the item.
    let doc_first = split.docs[doc].line + 1;
    let item = &items[doc];
    let mut message = format!("item {doc}");
    if let Some(o) = &loc.object {
        message.push_str(&format!(" ({o})"));
    }
    if let Some(l) = loc.line {
        let line = item.line + l.saturating_sub(doc_first);
        message.push_str(&format!(", line {line}"));
        if let Some(c) = loc.column {
            message.push_str(&format!(", column {}", c + item.column));
        }
    }
    message.push_str(&format!(": {}", e.message));
    if let Some(h) = &e.help {
        message.push_str(&format!(" (help: {h})"));
    }
    (message, Some(doc))
}

/// The output items: the rewritten documents, and the added ones with a file of their own.
fn finish(out: &crate::Output, items: &[Item]) -> Result<Vec<String>, Error> {
    let split = Stream::split(&out.stream).expect("the rewrite writes UTF-8");
    // Next free index per file, over the input items.
    let mut next: BTreeMap<String, i64> = BTreeMap::new();
    for source in &out.sources {
        let Source::Input { doc, .. } = *source else {
            continue;
        };
        if let Some(f) = file_of(&items[doc].value) {
            let path = f
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let idx = match f.get("index") {
                Some(Value::Int(i)) => *i,
                _ => 0,
            };
            let slot = next.entry(path).or_insert(0);
            *slot = (*slot).max(idx + 1);
        }
    }
    let mut texts = Vec::new();
    for (i, source) in out.sources.iter().enumerate() {
        let text = split.doc_text(i);
        texts.push(match *source {
            Source::Input { .. } => text.to_string(),
            Source::Added(k) => with_file(text, &out.plan.added[k], items, &mut next)?,
        });
    }
    Ok(texts)
}

/// An added item with a file of its own (the path of what it derives from, the
/// next free index) and none of the identity annotations it was copied with.
fn with_file(
    text: &str,
    added: &crate::plan::Added,
    items: &[Item],
    next: &mut BTreeMap<String, i64>,
) -> Result<String, Error> {
    let index = Index::build(text.as_bytes())?;
    let p = index.entries[0]
        .parsed
        .as_ref()
        .expect("premigrate adds parsed documents");
    let path = items
        .get(added.derived_from)
        .and_then(|d| file_of(&d.value))
        .and_then(|f| f.get("path").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| default_path(&p.value));
    let slot = next.entry(path.clone()).or_insert(0);
    let idx = *slot;
    *slot += 1;
    let mut edits: Vec<Edit> = ID_ANNOTATIONS
        .iter()
        .filter(|k| annotation(&p.value, k).is_some())
        .map(|k| Edit::Remove(crate::path!["metadata", "annotations", *k]))
        .collect();
    for (pk, ik) in FILE_ANNOTATIONS {
        edits.push(Edit::Set(
            crate::path!["metadata", "annotations", *pk],
            Value::str(path.clone()),
        ));
        edits.push(Edit::Set(
            crate::path!["metadata", "annotations", *ik],
            Value::str(idx.to_string()),
        ));
    }
    edit::apply(text, &p.tree, &edits).map_err(|err| {
        Error::at(
            index.location(0),
            format!("cannot give an added item its file: {}", err.message),
        )
    })
}

/// Where kyaml files an object that has no path: `[namespace/]kind_name.yaml`.
fn default_path(v: &Value) -> String {
    let s = |p: &[&str]| v.at(p).and_then(Value::as_str).unwrap_or("");
    let file = format!("{}_{}.yaml", s(&["kind"]), s(&["metadata", "name"])).to_ascii_lowercase();
    match s(&["metadata", "namespace"]) {
        "" => file,
        ns => format!("{ns}/{file}"),
    }
}

/// The plan's findings as results: its notes, and one line per migration.
fn plan_results(plan: &Plan, items: &[Item]) -> Vec<KrmResult> {
    let mut out = Vec::new();
    for m in &plan.migrations {
        let item = items.get(m.doc);
        // The object as it comes out: under its hashed name.
        let resource_ref = item.and_then(|i| resource_ref(&i.value)).map(|mut r| {
            r.set("name", Value::str(m.name.clone()));
            // A Job built from a workload: the item it derives from is not the Job.
            if m.origin != crate::plan::Origin::Job {
                r.set("apiVersion", Value::str("batch/v1"));
                r.set("kind", Value::str("Job"));
            }
            r
        });
        out.push(KrmResult {
            message: format!(
                "migration {} → {} (found by {}: {}; phase {})",
                m.original_name,
                m.name,
                m.matched.rule,
                m.matched.detail,
                match m.phase {
                    crate::plan::Phase::Pre => "pre",
                    crate::plan::Phase::Post => "post",
                }
            ),
            severity: Severity::Info,
            resource_ref,
            file: item.and_then(|i| file_of(&i.value)),
            tags: vec![("hash".into(), m.hash.clone())],
        });
    }
    for n in &plan.notes {
        let item = n.doc.and_then(|d| items.get(d));
        let renamed = plan
            .migrations
            .iter()
            .find(|m| Some(m.doc) == n.doc && m.origin == crate::plan::Origin::Job);
        let resource_ref = item.and_then(|i| resource_ref(&i.value)).map(|mut r| {
            if let Some(m) = renamed {
                r.set("name", Value::str(m.name.clone()));
            }
            r
        });
        out.push(KrmResult {
            message: n.message.clone(),
            severity: n.severity,
            resource_ref,
            file: item.and_then(|i| file_of(&i.value)),
            tags: vec![("code".into(), n.code.to_string())],
        });
    }
    out
}

/// Writes a ResourceList from item bodies (each a document body, possibly with a `---` line).
fn render(
    api_version: &str,
    items: &[String],
    function_config: Option<&str>,
    results: &[KrmResult],
) -> String {
    let mut out = format!(
        "apiVersion: {}\nkind: ResourceList\n",
        scalar_text(&Value::str(api_version))
    );
    if items.is_empty() {
        out.push_str("items: []\n");
    } else {
        out.push_str("items:\n");
        for body in items {
            push_indented(&mut out, body, true);
        }
    }
    if let Some(fc) = function_config {
        out.push_str("functionConfig:\n");
        push_indented(&mut out, fc, false);
    }
    if !results.is_empty() {
        let list = Value::Seq(results.iter().map(result_value).collect());
        out.push_str("results:");
        out.push_str(&list.to_block(0));
        out.push('\n');
    }
    out
}

/// Appends a document body two columns to the right: as a sequence item
/// (`- ` before its first content line) or as a mapping value.
fn push_indented(out: &mut String, body: &str, as_item: bool) {
    let mut seen_content = false;
    for line in body.lines() {
        if !seen_content && (crate::stream::is_doc_start(line) || line.trim().is_empty()) {
            continue;
        }
        if crate::stream::is_doc_end(line) {
            continue;
        }
        let is_content = !line.trim().is_empty() && !line.trim_start().starts_with('#');
        if as_item && is_content && !seen_content {
            out.push_str("- ");
        } else if !line.is_empty() {
            out.push_str("  ");
        }
        seen_content |= is_content;
        out.push_str(line);
        out.push('\n');
    }
}

fn result_value(r: &KrmResult) -> Value {
    let mut m = vec![
        ("message".to_string(), Value::str(r.message.clone())),
        (
            "severity".to_string(),
            Value::str(match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            }),
        ),
    ];
    if let Some(rr) = &r.resource_ref {
        m.push(("resourceRef".into(), rr.clone()));
    }
    if let Some(f) = &r.file {
        m.push(("file".into(), f.clone()));
    }
    if !r.tags.is_empty() {
        m.push((
            "tags".into(),
            Value::Map(
                r.tags
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v.clone())))
                    .collect(),
            ),
        ));
    }
    Value::Map(m)
}
