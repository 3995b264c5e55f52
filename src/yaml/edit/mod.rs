//! Lossless edits: each change is a splice of the original text at spans the
//! tree gives, so untouched values, comments and key order stay as they were.
//! Every edit is also applied to the document's value, and the result is parsed
//! again and compared: an edit that would change anything else is refused.

mod map;
mod seq;
mod steps;
mod text;

use steps::nest;
pub use steps::{apply_to_value, sequential};

use super::tree::ScalarStyle;
use super::tree::{NodeId, NodeKind, Tree};
use super::value::Value;

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Builds a path from `/`-free keys and indices, e.g. `path!["spec", "template", 0]`.
#[macro_export]
macro_rules! path {
    ($($s:expr),* $(,)?) => { vec![$($crate::yaml::edit::IntoSeg::seg($s)),*] };
}

/// Turns keys and indices into [`Seg`]s.
pub trait IntoSeg {
    /// The segment.
    fn seg(self) -> Seg;
}
impl IntoSeg for &str {
    fn seg(self) -> Seg {
        Seg::Key(self.to_string())
    }
}
impl IntoSeg for String {
    fn seg(self) -> Seg {
        Seg::Key(self)
    }
}
impl IntoSeg for &String {
    fn seg(self) -> Seg {
        Seg::Key(self.clone())
    }
}
impl IntoSeg for &crate::yaml::value::Text {
    fn seg(self) -> Seg {
        Seg::Key(self.to_string())
    }
}
impl IntoSeg for usize {
    fn seg(self) -> Seg {
        Seg::Index(self)
    }
}
impl IntoSeg for Seg {
    fn seg(self) -> Seg {
        self
    }
}

/// Renders a path for messages, e.g. `spec.template.spec.containers[0].image`.
pub fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// One planned change to a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Set the value at a path, creating missing mappings on the way.
    Set(Vec<Seg>, Value),
    /// Remove a mapping key, if present.
    Remove(Vec<Seg>),
    /// Insert items into the sequence at a path (created when missing), before the
    /// original item at an index (even one that is removed), or at the end when the
    /// index is past the last item. Inserts at the same place keep their edit order.
    Insert(Vec<Seg>, usize, Vec<Value>),
    /// Remove the item at an original index of the sequence at a path; removing
    /// every item leaves `[]`.
    RemoveItem(Vec<Seg>, usize),
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq)]
pub struct EditError {
    /// What went wrong.
    pub message: String,
    /// Where in the document body (byte offset), when known.
    pub offset: Option<usize>,
}

fn err(message: impl Into<String>, offset: Option<usize>) -> EditError {
    EditError {
        message: message.into(),
        offset,
    }
}

struct Splice {
    start: usize,
    end: usize,
    text: String,
    /// Nesting depth of what the text is added to; orders splices at one place.
    depth: usize,
}

/// Applies edits to a document body and returns the new body.
pub fn apply(text: &str, tree: &Tree, edits: &[Edit]) -> Result<String, EditError> {
    apply_reading(text, (tree, None), edits).map(|(out, _)| out)
}

/// [`apply`], with what Kubernetes reads from the edited text (`None`: an
/// empty document): the self-check reads it anyway, and the deadlock check
/// needs it, so it is read once. `known` is what the tree reads as, when the
/// caller has it (the index does): it is not read again.
pub fn apply_reading(
    text: &str,
    (tree, known): (&Tree, Option<&Value>),
    edits: &[Edit],
) -> Result<(String, Option<Value>), EditError> {
    if !crate::stream::has_rare_breaks(text.as_bytes()) {
        return apply_lines(text, (tree, known), edits);
    }
    // The editor works on `\n` and `\r\n` lines: other YAML 1.1 breaks are
    // given a same-length stand-in that libyaml reads as the same break with
    // trailing blanks (NEL → TAB LF, LS → TAB TAB LF, PS → SP TAB LF; lone CRs
    // → LF when the text has no LF), so spans and values stay, and are turned
    // back after. A stand-in the text already holds would be ambiguous.
    const STANDINS: [(&str, &str); 3] = [
        ("\u{2028}", "\t\t\n"),
        ("\u{2029}", " \t\n"),
        ("\u{85}", "\t\n"),
    ];
    let lone_cr = text
        .as_bytes()
        .iter()
        .enumerate()
        .any(|(i, &c)| c == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'));
    let refuse = || {
        err(
            "cannot edit this document: it mixes lone CR line breaks with LF ones, or holds a tab before a line break next to NEL/LS/PS breaks; use \\n line endings",
            None,
        )
    };
    if lone_cr && text.contains('\n') {
        return Err(refuse());
    }
    let mut work = if lone_cr {
        text.replace('\r', "\n")
    } else {
        text.to_string()
    };
    for (from, to) in STANDINS {
        work = work.replace(from, to);
    }
    let back = |t: &str| {
        let mut t = t.to_string();
        for (from, to) in STANDINS {
            t = t.replace(to, from);
        }
        if lone_cr {
            t = t.replace('\n', "\r");
        }
        t
    };
    if back(&work) != text {
        return Err(refuse());
    }
    let (out, _) = apply_lines(&work, (tree, known), edits).map_err(|e| {
        if e.message.starts_with("internal error") {
            // A break inside a block or quoted scalar that the stand-in reads differently.
            refuse()
        } else {
            e
        }
    })?;
    let out = back(&out);
    let value = read_value(&out)?;
    Ok((out, value))
}

fn apply_lines(
    text: &str,
    (tree, known): (&Tree, Option<&Value>),
    edits: &[Edit],
) -> Result<(String, Option<Value>), EditError> {
    let root = tree
        .root
        .ok_or_else(|| err("the document is empty", None))?;
    debug_assert!(
        known.is_none_or(|k| tree.value(root).ok().as_ref() == Some(k)),
        "`known` is what the tree reads as"
    );
    let mut expected = match known {
        Some(v) => v.clone(),
        None => tree
            .value(root)
            .map_err(|e| err(e.message, Some(e.offset)))?,
    };
    let mut ed = Editor {
        text,
        root,
        tree,
        splices: vec![],
        pending: vec![],
        removals: Default::default(),
        seqs: Default::default(),
        nl: if text.contains("\r\n") { "\r\n" } else { "\n" },
    };
    ed.unalias(root, edits)?;
    for e in edits {
        ed.edit(root, e)?;
    }
    ed.flush_seqs(root)?;
    ed.flush_removals(root)?;
    ed.flush_pending(root)?;
    for e in sequential(&expected, edits) {
        apply_to_value(&mut expected, &e);
    }
    let nl = ed.nl;
    let mut out = ed.finish()?;
    let want = Some(expected);
    // Key order is not meaning: compare as the JSON Kubernetes sees.
    let mut read = read_value(&out)?;
    let mut same = same_reading(&read, &want);
    if !same && !out.ends_with('\n') {
        // A block scalar that became last, in a text without a final line
        // break, needs one to keep the line break its value ends with.
        let with_nl = format!("{out}{nl}");
        let read_nl = read_value(&with_nl)?;
        if same_reading(&read_nl, &want) {
            (out, read, same) = (with_nl, read_nl, true);
        }
    }
    if !same {
        return Err(err(
            "internal error: an edit would change more than planned; the document was left alone (please report it)",
            None,
        ));
    }
    Ok((out, read))
}

/// The path an edit aims at.
fn edit_path(e: &Edit) -> &[Seg] {
    match e {
        Edit::Set(p, _) | Edit::Remove(p) | Edit::Insert(p, _, _) | Edit::RemoveItem(p, _) => p,
    }
}

/// What Kubernetes reads from an edited text.
fn read_value(out: &str) -> Result<Option<Value>, EditError> {
    if let Some(v) = Tree::fast_value(out) {
        return Ok(Some(v));
    }
    let tree = Tree::parse(out)
        .map_err(|e| err(format!("edit produced invalid YAML: {}", e.message), None))?;
    tree.root
        .map(|r| tree.value(r))
        .transpose()
        .map_err(|e| err(e.message, None))
}

/// Whether two readings are the same JSON to Kubernetes: key order is not
/// meaning (compared without building JSON: this runs for every edited document).
fn same_reading(a: &Option<Value>, b: &Option<Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_value(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    // Equal item by item, keys in the same order, reads the same: the usual
    // case (an edit keeps the key order), checked first because it is linear.
    a == b || same_json(a, b)
}

/// Whether two values read as the same JSON, whatever their key order.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if x.len() > 32 {
                let index: std::collections::HashMap<&str, &Value> =
                    y.iter().map(|(k, v)| (k.as_str(), v)).collect();
                return x
                    .iter()
                    .all(|(k, v)| index.get(k.as_str()).is_some_and(|w| same_json(v, w)));
            }
            x.iter().all(|(k, v)| {
                y.iter()
                    .rev()
                    .find(|(l, _)| l == k)
                    .is_some_and(|(_, w)| same_json(v, w))
            })
        }
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_json(v, w))
        }
        // Scalars as their JSON (an integer and a whole float differ there too).
        (Value::Float(f), Value::Float(g)) => f == g || (f.is_nan() && g.is_nan()),
        _ => a == b,
    }
}

struct Editor<'a> {
    text: &'a str,
    root: NodeId,
    tree: &'a Tree,
    splices: Vec<Splice>,
    /// New keys (or null values filled in), merged so that several edits under
    /// one missing mapping create it once.
    pending: Vec<Pending>,
    /// Keys to remove, per mapping, as entry indices: removed together so adjacent removals do not overlap.
    removals: std::collections::BTreeMap<NodeId, Vec<usize>>,
    /// Item removals and inserts, per existing sequence: made together, since
    /// their indices all refer to the original items.
    seqs: std::collections::BTreeMap<NodeId, SeqPlan>,
    nl: &'static str,
}

#[derive(Default)]
struct SeqPlan {
    path: Vec<Seg>,
    removed: std::collections::BTreeSet<usize>,
    /// (original index, clamped to the item count; items), in edit order.
    inserts: Vec<(usize, Vec<Value>)>,
}

struct Pending {
    /// Path of the key to create, or of the null value to fill.
    at: Vec<Seg>,
    /// The null node to fill, or `None` to add a key to the parent mapping.
    null_node: Option<NodeId>,
    /// The parent mapping when adding a key.
    parent: NodeId,
    value: Value,
}

impl Editor<'_> {
    fn edit(&mut self, root: NodeId, e: &Edit) -> Result<(), EditError> {
        match e {
            Edit::Set(path, v) => self.set(root, path, v),
            Edit::Remove(path) => self.remove(root, path),
            Edit::Insert(path, idx, v) => self.insert(root, path, *idx, v),
            Edit::RemoveItem(path, idx) => self.remove_item(root, path, *idx),
        }
    }

    /// The node at a path; `Err` when an alias stands in the way.
    fn find(&self, root: NodeId, path: &[Seg]) -> Result<Option<NodeId>, EditError> {
        let mut cur = root;
        for (i, seg) in path.iter().enumerate() {
            if let NodeKind::Alias(_) = self.tree.nodes[cur].kind {
                return Err(err(
                    format!("cannot edit through a YAML alias at {}", path_string(path)),
                    Some(self.tree.nodes[cur].start),
                ));
            }
            let next = match (seg, &self.tree.nodes[cur].kind) {
                (Seg::Key(k), NodeKind::Map { .. }) => self.tree.get(cur, k),
                (Seg::Index(i), NodeKind::Seq { items, .. }) => items.get(*i).copied(),
                _ => None,
            };
            match next {
                Some(n) => cur = n,
                None => {
                    // A key that is not the path's last, missing here but given by
                    // a merge: a new mapping for it would hide what the merge gives.
                    if let (Seg::Key(k), true) = (seg, i + 1 < path.len()) {
                        self.refuse_merged_key(cur, k, path)?;
                    }
                    return Ok(None);
                }
            }
        }
        Ok(Some(cur))
    }

    /// A key a mapping lacks but gets from a merge key (`<<: *base`) cannot be
    /// edited inside: a new key would hide everything else the merge gives it.
    pub(super) fn refuse_merged_key(
        &self,
        map: NodeId,
        key: &str,
        path: &[Seg],
    ) -> Result<(), EditError> {
        let NodeKind::Map { entries, .. } = &self.tree.nodes[map].kind else {
            return Ok(());
        };
        let has_merge = entries.iter().any(|(k, _)| {
            matches!(&self.tree.node(*k).kind, NodeKind::Scalar { text, .. } if text == "<<")
        });
        if has_merge && self.tree.value(map).is_ok_and(|v| v.get(key).is_some()) {
            return Err(err(
                format!(
                    "cannot edit {}: `{key}` comes from a YAML merge key (`<<`); write it out in the mapping",
                    path_string(path)
                ),
                Some(self.tree.nodes[map].start),
            ));
        }
        Ok(())
    }

    fn is_null(&self, id: NodeId) -> bool {
        match &self.tree.nodes[id].kind {
            NodeKind::Scalar { tag: Some(t), .. } => &**t == "tag:yaml.org,2002:null",
            NodeKind::Scalar { text, style, .. } => {
                *style == ScalarStyle::Plain
                    && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }

    fn is_empty_plain(&self, id: NodeId) -> bool {
        matches!(&self.tree.nodes[id].kind, NodeKind::Scalar { text, style: ScalarStyle::Plain, .. } if text.is_empty())
    }

    /// How deep a node is: splices at one place go deepest first, so that
    /// what is added at the end of an item comes before the next item, and
    /// an item added at the end of a list before a key added after the list.
    fn depth(&self, node: NodeId) -> usize {
        self.path_of(self.root, node).map_or(0, |p| p.len())
    }

    fn splice(&mut self, start: usize, end: usize, text: String) {
        self.splice_at(start, end, text, 0);
    }

    /// A splice adding to a node at `depth` (see [`Editor::depth`]).
    fn splice_at(&mut self, start: usize, end: usize, text: String, depth: usize) {
        let text = if self.nl == "\n" {
            text
        } else {
            text.replace('\n', self.nl)
        };
        self.splices.push(Splice {
            start,
            end,
            text,
            depth,
        });
    }

    fn finish(mut self) -> Result<String, EditError> {
        self.keep_final_block_scalar();
        self.splices
            .sort_by_key(|s| (s.start, s.end, std::cmp::Reverse(s.depth)));
        // Sized exactly: a big stream holds thousands of edited texts at once.
        let added: usize = self.splices.iter().map(|s| s.text.len()).sum();
        let cut: usize = self.splices.iter().map(|s| s.end - s.start).sum();
        let mut out = String::with_capacity((self.text.len() + added).saturating_sub(cut));
        let mut pos = 0;
        for s in &self.splices {
            if s.start < pos {
                return Err(err("internal error: two edits overlap", Some(s.start)));
            }
            out.push_str(&self.text[pos..s.start]);
            out.push_str(&s.text);
            pos = s.end;
        }
        out.push_str(&self.text[pos..]);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str, edits: &[Edit]) -> String {
        let t = Tree::parse(src).unwrap();
        apply(src, &t, edits).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn set_keeps_everything_else() {
        let src = "# c\nmetadata:\n  name: old # keep\n  labels: {a: 'on'}\nspec:\n  mode: 0755\n";
        let out = run(
            src,
            &[
                Edit::Set(path!["metadata", "name"], Value::str("new")),
                Edit::Set(
                    path!["metadata", "annotations", "x.io/y"],
                    Value::str("yes"),
                ),
                Edit::Set(path!["metadata", "labels", "b"], Value::str("c")),
                Edit::Set(path!["spec", "backoffLimit"], Value::Int(0)),
            ],
        );
        assert_eq!(
            out,
            "# c\nmetadata:\n  name: new # keep\n  labels: {a: 'on', b: c}\n  annotations:\n    x.io/y: \"yes\"\nspec:\n  mode: 0755\n  backoffLimit: 0\n"
        );
    }

    #[test]
    fn remove_first_middle_last() {
        let src = "spec:\n  ttl: 1\n  a: 2\n  b: 3 # c\n  z: 4\nl:\n- ttl: 1\n  n: x\n";
        let out = run(
            src,
            &[
                Edit::Remove(path!["spec", "ttl"]),
                Edit::Remove(path!["spec", "z"]),
                Edit::Remove(path!["l", 0, "ttl"]),
            ],
        );
        assert_eq!(out, "spec:\n  a: 2\n  b: 3 # c\nl:\n- n: x\n");
    }

    #[test]
    fn insert_and_remove_items() {
        let src = "c:\n  - name: a\n    image: x\n  - name: b\n";
        let item = Value::map([
            ("name", Value::str("w")),
            (
                "args",
                Value::Seq(vec![Value::str("job-wr"), Value::str("j")].into()),
            ),
        ]);
        let out = run(
            src,
            &[
                Edit::Insert(path!["c"], 0, vec![item.clone()]),
                Edit::RemoveItem(path!["c"], 1),
            ],
        );
        assert_eq!(
            out,
            "c:\n  - name: w\n    args:\n      - job-wr\n      - j\n  - name: a\n    image: x\n"
        );
        let out = run(
            "c: []\nd: 1\n",
            &[
                Edit::Insert(path!["c"], 0, vec![item.clone()]),
                Edit::Insert(path!["e"], 0, vec![Value::Int(1)]),
            ],
        );
        assert_eq!(out, "c: [{name: w, args: [job-wr, j]}]\nd: 1\ne:\n  - 1\n");
    }

    #[test]
    fn null_values_become_maps() {
        let out = run(
            "metadata:\n  annotations:\n  name: x\n",
            &[Edit::Set(
                path!["metadata", "annotations", "a"],
                Value::str("b"),
            )],
        );
        assert_eq!(out, "metadata:\n  annotations:\n    a: b\n  name: x\n");
    }

    /// An empty value whose line ends in blanks (`annotations: `, Kuma's
    /// chart) becomes a block without them: they were left after its last
    /// line, and a rerun read that value without them (no fixed point).
    #[test]
    fn a_block_in_an_empty_value_drops_the_blanks_after_it() {
        let src = "metadata:\n  annotations: \n  name: x\nitems:\n  - \n";
        let map = Value::map([("a", Value::str("b")), ("c", Value::str("d"))]);
        let out = run(
            src,
            &[
                Edit::Set(path!["metadata", "annotations"], map.clone()),
                Edit::Set(vec![Seg::Key("items".into()), Seg::Index(0)], map),
            ],
        );
        assert_eq!(
            out,
            "metadata:\n  annotations:\n    a: b\n    c: d\n  name: x\nitems:\n  - a: b\n    c: d\n"
        );
    }

    #[test]
    fn removing_every_key_while_adding_rewrites_the_mapping() {
        let src = "metadata:\n  annotations:\n    helm.sh/hook: pre-upgrade\n    helm.sh/hook-weight: \"1\"\n  name: x\n";
        let out = run(
            src,
            &[
                Edit::Remove(path!["metadata", "annotations", "helm.sh/hook"]),
                Edit::Remove(path!["metadata", "annotations", "helm.sh/hook-weight"]),
                Edit::Set(path!["metadata", "annotations", "a"], Value::str("b")),
            ],
        );
        assert_eq!(out, "metadata:\n  annotations:\n    a: b\n  name: x\n");
        let out = run(
            src,
            &[
                Edit::Remove(path!["metadata", "annotations", "helm.sh/hook"]),
                Edit::Remove(path!["metadata", "annotations", "helm.sh/hook-weight"]),
            ],
        );
        assert_eq!(out, "metadata:\n  annotations: {}\n  name: x\n");
        let out = run(
            "a: 1\nb: 2\nc: 3\nd: 4\n",
            &[
                Edit::Remove(path!["b"]),
                Edit::Remove(path!["c"]),
                Edit::Remove(path!["d"]),
            ],
        );
        assert_eq!(out, "a: 1\n");
    }

    #[test]
    fn several_new_keys_in_one_empty_flow_map() {
        // Dagster's ServiceAccount: `annotations:` then `{}` on the next line.
        for src in [
            "metadata:\n  annotations:\n    {}\n",
            "metadata:\n  annotations: {}\n",
        ] {
            let out = run(
                src,
                &[
                    Edit::Set(path!["metadata", "annotations", "a"], Value::str("1")),
                    Edit::Set(path!["metadata", "annotations", "b"], Value::str("2")),
                    Edit::Set(path!["metadata", "annotations", "c"], Value::str("3")),
                ],
            );
            assert!(out.contains("{a: \"1\", b: \"2\", c: \"3\"}"), "{out}");
        }
        let out = run(
            "m: {x: 1}\n",
            &[
                Edit::Set(path!["m", "a"], Value::Int(2)),
                Edit::Set(path!["m", "b"], Value::Int(3)),
            ],
        );
        assert_eq!(out, "m: {x: 1, a: 2, b: 3}\n");
    }

    #[test]
    fn items_whose_content_starts_below_their_dash() {
        let src =
            "c:\r\n  -   # c\r\n\r\n    # d\r\n    name: a\r\n  - |\r\n    x\r\n  - name: b\r\n";
        let out = run(
            src,
            &[
                Edit::Insert(path!["c"], 0, vec![Value::str("w")]),
                Edit::RemoveItem(path!["c"], 1),
            ],
        );
        assert_eq!(
            out,
            "c:\r\n  - w\r\n  -   # c\r\n\r\n    # d\r\n    name: a\r\n  - name: b\r\n"
        );
        // A dash that does not begin its line is still refused, not misread.
        let t = Tree::parse("c: [x]\nd:\n- - # c\n    e: 1\n").unwrap();
        assert!(apply(
            "c: [x]\nd:\n- - # c\n    e: 1\n",
            &t,
            &[Edit::Insert(path!["d", 0], 0, vec![Value::Int(1)])]
        )
        .is_err());
    }

    #[test]
    fn an_empty_path_is_an_error_not_a_panic() {
        for src in ["a: 1\nb: [1, 2]\n", "~\n", "- 1\n"] {
            let t = Tree::parse(src).unwrap();
            for e in [
                Edit::Set(vec![], Value::Int(1)),
                Edit::Insert(vec![], 0, vec![Value::Int(1)]),
                Edit::Remove(vec![]),
            ] {
                let _ = apply(src, &t, std::slice::from_ref(&e));
            }
            assert!(apply(src, &t, &[Edit::Set(vec![], Value::Int(1))]).is_err());
        }
    }

    #[test]
    fn list_edits_combine_on_original_indices() {
        let l = || path!["l"];
        let item = Value::map([("name", Value::str("w"))]);
        // Indentless (Helm 4): the new item takes the list's column, above the
        // leading comment of the item it goes before; a key added after the
        // list still follows it.
        let src = "l:\n# lead0\n- name: a\n  image: x # c\n# lead1\n- b\n- c\nk: 1\n";
        let out = run(
            src,
            &[
                Edit::RemoveItem(l(), 1),
                Edit::RemoveItem(l(), 2),
                Edit::Insert(l(), 0, vec![item.clone()]),
                Edit::Insert(l(), 2, vec![Value::str("d")]),
                Edit::Insert(l(), 9, vec![Value::str("e")]),
            ],
        );
        assert_eq!(
            out,
            "l:\n- name: w\n# lead0\n- name: a\n  image: x # c\n- d\n- e\nk: 1\n"
        );
        let out = run(
            "k:\n  l:\n    - a\n    - b",
            &[
                Edit::RemoveItem(path!["k", "l"], 1),
                Edit::Insert(path!["k", "l"], 2, vec![Value::str("c")]),
                Edit::Set(path!["k", "m"], Value::Int(1)),
            ],
        );
        assert_eq!(out, "k:\n  l:\n    - a\n    - c\n  m: 1");
        let out = run(
            "l: [a, b, c] # x\n",
            &[Edit::RemoveItem(l(), 1), Edit::RemoveItem(l(), 2)],
        );
        assert_eq!(out, "l: [a] # x\n");
        let all = [0, 1, 2].map(|i| Edit::RemoveItem(l(), i));
        assert_eq!(
            run("l:\n  - a\n  - b\n  - c\nk: 1\n", &all),
            "l: []\nk: 1\n"
        );
        assert_eq!(run("l: [a, b, c]\n", &all), "l: []\n");
        let all = [0, 1, 2].map(|i| Edit::RemoveItem(vec![], i));
        assert_eq!(run("- a\n- b\n- c\n", &all), "[]\n");
    }

    #[test]
    fn crlf_documents_stay_crlf() {
        let out = run("a: 1\r\nb: 2\r\n", &[Edit::Set(path!["c"], Value::Int(3))]);
        assert_eq!(out, "a: 1\r\nb: 2\r\nc: 3\r\n");
    }
}
