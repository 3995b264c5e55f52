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

mod items;
mod results;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::apply::Source;
use crate::config::Config;
use crate::diag::Error;
use crate::index::Index;
use crate::modes::krm::items::{
    annotation, default_path, item_text, resource_ref, Item, Joined, Lines, Ref,
};
use crate::modes::krm::results::{error_result, locate, plan_results, render};
use crate::pipeline::{Output, Rewritten};
use crate::stream::Stream;
use crate::yaml::edit::{self, Edit};
use crate::yaml::{NodeId, NodeKind, Tree, Value};

pub(crate) use results::KrmResult;

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

/// Runs the function on a ResourceList. It takes the input to free it once
/// the items are read (they hold their own texts).
pub fn run(input: Vec<u8>) -> KrmOutput {
    run_reading(input, true)
}

/// [`run`], its items read from the list's whole syntax tree: the reading the
/// cut one must match (for tests and the fuzz target).
#[doc(hidden)]
pub fn run_reading_whole(input: Vec<u8>) -> KrmOutput {
    run_reading(input, false)
}

/// [`run`], the items read from a tree cut below them when `cut` and the fast
/// reader can.
fn run_reading(input: Vec<u8>, cut: bool) -> KrmOutput {
    // The input goes once its items are read: they hold their own texts.
    match read(&input, cut) {
        Ok(list) => {
            drop(input);
            match rewrite_list(list) {
                Ok(out) | Err(out) => out,
            }
        }
        Err(out) => out,
    }
}

/// Reads a ResourceList (its items from a tree cut below them when `cut` and
/// the fast reader can); `Err` is a failed run.
fn read(input: &[u8], cut: bool) -> Result<List, KrmOutput> {
    let early = |message: String| {
        failure(
            API_VERSION,
            &[],
            None,
            vec![error_result(message, None, None)],
        )
    };
    let Ok(text) = std::str::from_utf8(input) else {
        return Err(early(
            "the input is not UTF-8: a ResourceList must be UTF-8 YAML or JSON".into(),
        ));
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The items are cut out of the text and read one at a time: a tree of
    // them all is only built when the fast reader cannot read the list.
    let cut = cut.then(|| Tree::parse_cut(text, "items")).flatten();
    let whole = cut.is_none();
    let tree = match cut.map_or_else(|| Tree::parse(text), Ok) {
        Ok(t) => t,
        Err(e) => {
            let l = crate::diag::Location::at(0, text, 1, e.offset);
            return Err(early(format!(
                "the input is not valid YAML (line {}, column {}): {}",
                l.line.unwrap_or(0),
                l.column.unwrap_or(0),
                e.message
            )));
        }
    };
    let Some(root) = tree.root else {
        return Err(early("the input is empty: expected a ResourceList".into()));
    };
    // A whole ResourceList's syntax tree is the biggest thing read (~15 bytes
    // a byte of input): it goes (with the input) before the items are rewritten.
    read_list(&tree, root, text, whole)
}

/// What the function reads from a ResourceList: its `apiVersion`, its
/// `functionConfig` as written, its items, and the configuration.
struct List {
    api_version: String,
    function_config: Option<String>,
    items: Vec<Item>,
    /// The items' texts.
    joined: Joined,
    cfg: Config,
}

/// Reads the ResourceList at `root`; `Err` is a failed run.
fn read_list(tree: &Tree, root: NodeId, text: &str, whole: bool) -> Result<List, KrmOutput> {
    let get_str = |key: &str| {
        tree.get(root, key)
            .and_then(|n| tree.value(n).ok())
            .and_then(|v| v.as_str().map(str::to_string))
    };
    let api_version = get_str("apiVersion").unwrap_or_else(|| API_VERSION.to_string());
    if get_str("kind").as_deref() != Some("ResourceList") {
        return Err(failure(
            &api_version,
            &[],
            None,
            vec![error_result(
                "the input is not a ResourceList: expected kind: ResourceList with items and an optional functionConfig",
                None,
                None,
            )],
        ));
    }
    let function_config = tree
        .get(root, "functionConfig")
        .filter(|&n| !is_null(tree, n));
    let fc_text = function_config.map(|n| item_text(tree, n, text, &mut Lines::default(), true).1);
    let fc_out = fc_text.as_deref();
    let fail = |joined: &Joined, results| failure(&api_version, &joined.texts(), fc_out, results);
    let (items, joined, results) = read_items(tree, root, text, whole);
    if !results.is_empty() {
        return Err(fail(&joined, results));
    }
    let cfg = config(tree, function_config, text).map_err(|e| {
        let fc_value = function_config.and_then(|n| tree.value(n).ok());
        fail(
            &joined,
            vec![error_result(
                e.to_string(),
                fc_value.as_ref().and_then(resource_ref),
                None,
            )],
        )
    })?;
    Ok(List {
        api_version,
        function_config: fc_text,
        items,
        joined,
        cfg,
    })
}

/// Rewrites a ResourceList's items; `Err` is a failed run.
fn rewrite_list(list: List) -> Result<KrmOutput, KrmOutput> {
    let List {
        api_version,
        function_config,
        items,
        joined,
        cfg,
    } = list;
    let fc_out = function_config.as_deref();
    let fail = |results| failure(&api_version, &joined.texts(), fc_out, results);
    let stream = &joined.stream;
    let rewritten = crate::pipeline::rewrite_in_pieces(stream.as_bytes(), &cfg);
    // Unchanged, the output is the items' stream itself, not a copy.
    let out = rewritten.map(Rewritten::into_borrowed).map_err(|e| {
        let (message, item) = locate(&e, &items, stream);
        let (rr, file) = match item {
            Some(i) => (
                items[i].reference.as_ref().map(Ref::to_value),
                items[i].file.clone(),
            ),
            None => (None, None),
        };
        fail(vec![error_result(message, rr, file)])
    })?;
    let new_items =
        finish(&out, &items).map_err(|e| fail(vec![error_result(e.to_string(), None, None)]))?;
    let results = plan_results(&out.plan, &items);
    Ok(KrmOutput {
        bytes: render(&api_version, &new_items, fc_out, &results).into_bytes(),
        failed: false,
        errors: vec![],
    })
}

/// The items, their texts as documents of a stream, and error results for
/// those that are no object.
fn read_items(
    tree: &Tree,
    root: NodeId,
    text: &str,
    whole: bool,
) -> (Vec<Item>, Joined, Vec<KrmResult>) {
    let mut items: Vec<Item> = Vec::new();
    let mut joined = Joined::default();
    let mut results: Vec<KrmResult> = Vec::new();
    if let Some(list) = tree.get(root, "items").filter(|&n| !is_null(tree, n)) {
        match &tree.node(list).kind {
            NodeKind::Seq { items: ids, .. } => {
                // Exactly as many: a doubled list of 20k items was a third unused.
                items.reserve_exact(ids.len());
                joined =
                    Joined::with_capacity(tree.node(list).end - tree.node(list).start, ids.len());
                let mut lines = Lines::default();
                for (k, &id) in ids.iter().enumerate() {
                    let (item, body) = item_text(tree, id, text, &mut lines, whole);
                    joined.push(&body);
                    if let Some(m) = &item.problem {
                        results.push(error_result(
                            format!("item {k} (line {}): {m}", item.line),
                            item.reference.as_ref().map(Ref::to_value),
                            item.file.clone(),
                        ));
                    }
                    items.push(item);
                }
            }
            _ => results.push(error_result("`items` must be a list", None, None)),
        }
    }
    (items, joined, results)
}

/// The configuration: the functionConfig alone, so a pipeline gives the same output everywhere.
fn config(tree: &Tree, function_config: Option<NodeId>, text: &str) -> Result<Config, Error> {
    match function_config {
        None => Ok(Config::default()),
        Some(n) => crate::config::policy::from_tree(tree, n, text, 1, "functionConfig")
            .and_then(|o| o.validate()),
    }
}

fn is_null(tree: &Tree, n: NodeId) -> bool {
    // A collection is never null: not read (20k items would be, to say so).
    !matches!(
        tree.node(n).kind,
        NodeKind::Seq { .. } | NodeKind::Map { .. }
    ) && matches!(tree.value(n), Ok(Value::Null))
}

/// A failed run: the input items (their texts) unchanged, and the results.
fn failure(
    api_version: &str,
    texts: &[&str],
    function_config: Option<&str>,
    results: Vec<KrmResult>,
) -> KrmOutput {
    KrmOutput {
        bytes: render(api_version, texts, function_config, &results).into_bytes(),
        failed: true,
        errors: results.iter().map(|r| r.message.clone()).collect(),
    }
}

/// The output items: the rewritten documents (read from the output stream),
/// and the added ones with a file of their own.
fn finish<'o>(out: &'o Output<Cow<'_, [u8]>>, items: &[Item]) -> Result<Vec<Cow<'o, str>>, Error> {
    let split = Stream::split(&out.stream).expect("the rewrite writes UTF-8");
    // Next free index per file, over the input items.
    let mut next: BTreeMap<String, i64> = BTreeMap::new();
    for source in &out.sources {
        let Source::Input { doc, .. } = *source else {
            continue;
        };
        if let Some(f) = items.get(doc).and_then(|i| i.file.as_ref()) {
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
            // No items make an empty stream, which is one empty document.
            Source::Input { doc, .. } if doc >= items.len() => continue,
            Source::Input { .. } => Cow::Borrowed(text),
            Source::Added(k) => Cow::Owned(with_file(text, &out.plan.added[k], items, &mut next)?),
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
        .and_then(|d| d.file.as_ref())
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
    edit::apply(text, &index.tree(0), &edits).map_err(|err| {
        Error::at(
            index.location(0),
            format!("cannot give an added item its file: {}", err.message),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items and their texts, as read.
    type Read = (Vec<Item>, Joined);

    /// The items read from a ResourceList's cut tree, and from its whole tree.
    fn both_ways(input: &str) -> Option<(Read, Read)> {
        let cut = Tree::parse_cut(input, "items")?;
        let whole = Tree::parse(input).unwrap();
        let (items, joined, _) = read_items(&cut, cut.root?, input, false);
        let from_cut = (items, joined);
        let (items, joined, _) = read_items(&whole, whole.root?, input, true);
        Some((from_cut, (items, joined)))
    }

    /// Each real chart's Helm 3 stream of `../shared/corpus/` as ResourceLists
    /// (its documents as items, comments and all).
    fn corpus_lists() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
        let Ok(cases) = std::fs::read_dir(dir) else {
            return vec![];
        };
        let mut out = Vec::new();
        for case in cases {
            let Ok(text) = std::fs::read_to_string(case.unwrap().path().join("helm3.yaml")) else {
                continue;
            };
            let Ok(stream) = Stream::split(text.as_bytes()) else {
                continue;
            };
            let items: Vec<String> = (0..stream.docs.len())
                .map(|i| stream.doc_text(i).trim_end())
                .map(|doc| {
                    doc.strip_prefix("---")
                        .unwrap_or(doc)
                        .trim_start_matches([' ', '\n'])
                })
                .filter(|doc| !crate::stream::is_blank(doc))
                .map(|doc| format!("- {}\n", doc.replace('\n', "\n  ")))
                .collect();
            // The whole stream as one list, and each document as a list of its own.
            let list = |items: &[String]| format!("kind: ResourceList\nitems:\n{}", items.concat());
            out.push(list(&items));
            out.extend(items.chunks(1).map(list));
        }
        out
    }

    /// Items read one at a time from their own text are the items read from
    /// the whole list: on every ResourceList of testdata/krm, on odd ones, and
    /// on the corpus's streams as lists.
    #[test]
    fn items_cut_out_read_as_in_the_whole_list() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/krm");
        let mut inputs: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|d| std::fs::read_to_string(d.unwrap().path().join("input.yaml")).unwrap())
            .collect();
        inputs.extend(
            [
                "kind: ResourceList\nitems:\n- a: 1\n  b:\n    c: [x, y]\n    d: |\n      text\n\n      more\n- just a string\n-   kind: ConfigMap\n    metadata:\n      name: x\n    data:\n      nan: .nan\n",
                "kind: ResourceList\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: {}\n  - 12\n",
                "kind: ResourceList\nfunctionConfig:\n  items:\n  - a: 1\nitems:\n- kind: Job\n  metadata:\n    name: m\n",
                "kind: ResourceList\nitems:\n-\n  - a\n  - b\n",
                "kind: ResourceList\nitems:\n- [a, b]\n- {}\n",
            ]
            .map(String::from),
        );
        inputs.extend(corpus_lists());
        let mut cut = 0;
        for input in &inputs {
            if let Some((from_cut, from_whole)) = both_ways(input) {
                cut += 1;
                assert_eq!(from_cut, from_whole, "{input}");
            }
        }
        eprintln!(
            "{cut} of {} ResourceLists read cut, their items the same",
            inputs.len()
        );
        assert!(
            cut >= inputs.len() / 2,
            "only {cut} of {} read cut",
            inputs.len()
        );
    }

    /// The items' stream is the one `stream::join` makes of `---` and each
    /// text, and each text is read back from it: on the corpus's lists and
    /// on texts with and without a final line break, empty or not.
    #[test]
    fn joined_items_are_the_joined_stream() {
        let mut lists: Vec<Vec<String>> = corpus_lists()
            .iter()
            .filter_map(|input| {
                let tree = Tree::parse(input).ok()?;
                Some(read_items(&tree, tree.root?, input, true).1)
            })
            .map(|joined| joined.texts().into_iter().map(String::from).collect())
            .collect();
        lists.push(
            ["a: 1", "", "b: 2\n", "c: 3\r", "d: 4", ""]
                .map(String::from)
                .to_vec(),
        );
        lists.push(vec![]);
        for texts in lists {
            let mut joined = Joined::default();
            for t in &texts {
                joined.push(t);
            }
            let docs: Vec<String> = texts.iter().map(|t| format!("---\n{t}")).collect();
            assert_eq!(joined.stream, crate::stream::join(false, &docs));
            assert_eq!(joined.texts(), texts);
        }
    }
}
