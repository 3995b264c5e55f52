//! Lossless edits: each change is a splice of the original text at spans the
//! tree gives, so untouched values, comments and key order stay as they were.
//! Every edit is also applied to the document's value, and the result is parsed
//! again and compared: an edit that would change anything else is refused.

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
    if !crate::stream::has_rare_breaks(text.as_bytes()) {
        return apply_lines(text, tree, edits);
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
    let out = apply_lines(&work, tree, edits).map_err(|e| {
        if e.message.starts_with("internal error") {
            // A break inside a block or quoted scalar that the stand-in reads differently.
            refuse()
        } else {
            e
        }
    })?;
    Ok(back(&out))
}

fn apply_lines(text: &str, tree: &Tree, edits: &[Edit]) -> Result<String, EditError> {
    let root = tree
        .root
        .ok_or_else(|| err("the document is empty", None))?;
    let mut expected = tree
        .value(root)
        .map_err(|e| err(e.message, Some(e.offset)))?;
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
    let want = Some(expected.to_json());
    // Key order is not meaning: compare as the JSON Kubernetes sees.
    let mut same = read_json(&out)? == want;
    if !same && !out.ends_with('\n') {
        // A block scalar that became last, in a text without a final line
        // break, needs one to keep the line break its value ends with.
        let with_nl = format!("{out}{nl}");
        if read_json(&with_nl)? == want {
            (out, same) = (with_nl, true);
        }
    }
    if !same {
        return Err(err(
            "internal error: an edit would change more than planned; the document was left alone (please report it)",
            None,
        ));
    }
    Ok(out)
}

/// The path an edit aims at.
fn edit_path(e: &Edit) -> &[Seg] {
    match e {
        Edit::Set(p, _) | Edit::Remove(p) | Edit::Insert(p, _, _) | Edit::RemoveItem(p, _) => p,
    }
}

/// What Kubernetes reads from an edited text, as JSON.
fn read_json(out: &str) -> Result<Option<serde_json::Value>, EditError> {
    let tree = Tree::parse(out)
        .map_err(|e| err(format!("edit produced invalid YAML: {}", e.message), None))?;
    let got = tree
        .root
        .map(|r| tree.value(r))
        .transpose()
        .map_err(|e| err(e.message, None))?;
    Ok(got.map(|g| g.to_json()))
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
        for seg in path {
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
                None => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    fn is_null(&self, id: NodeId) -> bool {
        match &self.tree.nodes[id].kind {
            NodeKind::Scalar { tag: Some(t), .. } => t == "tag:yaml.org,2002:null",
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

    fn set(&mut self, root: NodeId, path: &[Seg], v: &Value) -> Result<(), EditError> {
        self.set_or_append(root, path, v, false)
    }

    /// Sets a value, or (with `append`) appends the items of the sequence `v`.
    fn set_or_append(
        &mut self,
        root: NodeId,
        path: &[Seg],
        v: &Value,
        append: bool,
    ) -> Result<(), EditError> {
        if path.is_empty() {
            // Edits splice into a document; replacing the whole of it is not one.
            return Err(err(
                "cannot set the whole document (the path is empty)",
                None,
            ));
        }
        // Find the deepest existing node on the path.
        let mut depth = path.len();
        let mut node = None;
        while depth > 0 {
            if let Some(n) = self.find(root, &path[..depth])? {
                node = Some(n);
                break;
            }
            depth -= 1;
        }
        let (at, null_node, parent) = match node {
            Some(n) if depth == path.len() && !self.is_null(n) => {
                return self.replace(root, path, n, v)
            }
            Some(n) if self.is_null(n) => (path[..depth].to_vec(), Some(n), n),
            Some(n) => (path[..depth + 1].to_vec(), None, n),
            None => (path[..1].to_vec(), None, root),
        };
        if null_node.is_none() && !matches!(at.last(), Some(Seg::Key(_))) {
            return Err(err(
                format!("no item at {}", path_string(path)),
                Some(self.tree.nodes[parent].start),
            ));
        }
        let rel = path[at.len()..].to_vec();
        if let Some(p) = self.pending.iter_mut().find(|p| p.at == at) {
            let e = if append {
                Edit::Insert(rel, usize::MAX, v.items().to_vec())
            } else {
                Edit::Set(rel, v.clone())
            };
            apply_to_value(&mut p.value, &e);
        } else {
            self.pending.push(Pending {
                at,
                null_node,
                parent,
                value: nest(&rel, v),
            });
        }
        Ok(())
    }

    fn flush_pending(&mut self, root: NodeId) -> Result<(), EditError> {
        for p in std::mem::take(&mut self.pending) {
            match p.null_node {
                Some(n) => self.replace(root, &p.at, n, &p.value)?,
                None => {
                    let Some(Seg::Key(k)) = p.at.last() else {
                        unreachable!("checked when pending")
                    };
                    self.insert_entry(p.parent, k, &p.value)?;
                }
            }
        }
        Ok(())
    }

    fn insert_entry(&mut self, map: NodeId, key: &str, value: &Value) -> Result<(), EditError> {
        let (entries, flow) = match &self.tree.nodes[map].kind {
            NodeKind::Map { entries, flow } => (entries.clone(), *flow),
            _ => {
                return Err(err(
                    format!("expected a mapping to add `{key}` to"),
                    Some(self.tree.nodes[map].start),
                ))
            }
        };
        let key_text = super::value::scalar_text(&Value::str(key));
        if flow {
            let close = self.tree.nodes[map].end - 1;
            let sep = if entries.is_empty() { "" } else { ", " };
            let depth = self.depth(map);
            self.splice_at(
                close,
                close,
                format!("{sep}{key_text}: {}", value.to_flow()),
                depth,
            );
            return Ok(());
        }
        let (first_key, _) = entries[0];
        let col = self.col(self.tree.nodes[first_key].start);
        let (_, last_val) = *entries.last().expect("block mappings have entries");
        let at = self.past_deeper_comments(self.tree.nodes[last_val].end, col);
        let text = format!(
            "\n{}{key_text}:{}",
            " ".repeat(col),
            value.to_block(col + 2)
        );
        let depth = self.depth(map);
        self.splice_at(at, at, text, depth);
        Ok(())
    }

    /// Replaces the node at `path` (which exists) with `v`.
    fn replace(
        &mut self,
        root: NodeId,
        path: &[Seg],
        node: NodeId,
        v: &Value,
    ) -> Result<(), EditError> {
        let Some((last, parent_path)) = path.split_last() else {
            return Err(err("cannot replace a whole document", None));
        };
        let parent = self
            .find(root, parent_path)?
            .expect("parent of an existing node exists");
        let parent_flow = matches!(
            self.tree.nodes[parent].kind,
            NodeKind::Map { flow: true, .. } | NodeKind::Seq { flow: true, .. }
        );
        let n = &self.tree.nodes[node];
        if let NodeKind::Alias(_) = n.kind {
            return Err(err(
                format!("cannot edit a YAML alias at {}", path_string(path)),
                Some(n.start),
            ));
        }
        let scalar_like = |v: &Value| {
            !matches!(v, Value::Map(m) if !m.is_empty())
                && !matches!(v, Value::Seq(s) if !s.is_empty())
        };
        let old_is_block_collection = matches!(
            n.kind,
            NodeKind::Map { flow: false, .. } | NodeKind::Seq { flow: false, .. }
        );
        let old_is_block_scalar = matches!(
            n.kind,
            NodeKind::Scalar {
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            }
        );
        if parent_flow
            || (scalar_like(v)
                && !old_is_block_collection
                && !old_is_block_scalar
                && !self.is_empty_plain(node))
        {
            // The tag goes (it was for the old value: `!!binary`, `!!null`);
            // the anchor stays, for the aliases that repeat the value.
            let anchor = self.anchor_of(node);
            let mut text = if parent_flow {
                v.to_flow()
            } else {
                super::value::scalar_text(v)
            };
            if let Some(a) = anchor {
                text = format!("{a} {text}");
            }
            // A flow mapping's key without a value (`{a, b: 1}`) gets its `:`.
            let key_only = parent_flow
                && matches!(last, Seg::Key(_))
                && n.start == n.end
                && !self.text[..n.start].trim_end().ends_with(':');
            if key_only {
                text = format!(": {text}");
            }
            self.splice(n.start, n.end, text);
            return Ok(());
        }
        // Block context: rewrite from just after `key:` or `-` to the end of
        // the old value (its properties included: an empty value may have some).
        let end = if self.is_empty_plain(node) && n.start == n.end {
            None
        } else {
            Some(n.end)
        };
        let anchor = self
            .anchor_of(node)
            .map_or(String::new(), |a| format!(" {a}"));
        match last {
            Seg::Key(k) => {
                let (key_node, _) = self.tree.entry(parent, k).expect("entry exists");
                let col = self.col(self.tree.nodes[key_node].start);
                let colon = self.colon_after(self.tree.nodes[key_node].end)?;
                let text = format!("{anchor}{}", v.to_block(col + 2));
                self.splice(colon, end.unwrap_or(colon).max(colon), text);
            }
            Seg::Index(_) => {
                let dash = self.dash_before(n.start)?;
                let col = self.col(dash);
                self.splice(
                    dash + 1,
                    end.unwrap_or(dash + 1).max(dash + 1),
                    format!("{anchor}{}", v.to_item(col + 2)),
                );
            }
        }
        Ok(())
    }

    fn remove(&mut self, root: NodeId, path: &[Seg]) -> Result<(), EditError> {
        let Some((Seg::Key(k), parent_path)) = path.split_last() else {
            return Err(err("remove takes a mapping key", None));
        };
        let Some(parent) = self.find(root, parent_path)? else {
            return Ok(());
        };
        let NodeKind::Map { entries, .. } = &self.tree.nodes[parent].kind else {
            return Ok(());
        };
        // Every occurrence of a duplicated key goes.
        let idxs = (0..entries.len()).filter(|&i| matches!(&self.tree.nodes[entries[i].0].kind, NodeKind::Scalar { text, .. } if text == k));
        let list = self.removals.entry(parent).or_default();
        list.extend(idxs);
        list.sort_unstable();
        list.dedup();
        Ok(())
    }

    fn flush_removals(&mut self, root: NodeId) -> Result<(), EditError> {
        for (map, idxs) in std::mem::take(&mut self.removals) {
            if idxs.is_empty() {
                continue;
            }
            let NodeKind::Map { entries, flow } = &self.tree.nodes[map].kind else {
                continue;
            };
            let (entries, flow) = (entries.clone(), *flow);
            if idxs.len() == entries.len() {
                // Nothing left: the mapping is rewritten whole, with any keys being added to it.
                let path = self
                    .path_of(root, map)
                    .ok_or_else(|| err("cannot empty the whole document", None))?;
                let mut value = Value::Map(vec![]);
                if let Some(i) = self
                    .pending
                    .iter()
                    .position(|p| p.null_node.is_none() && p.parent == map)
                {
                    let p = self.pending.remove(i);
                    let Some(Seg::Key(k)) = p.at.last() else {
                        unreachable!("checked when pending")
                    };
                    value.set(k, p.value);
                    while let Some(j) = self
                        .pending
                        .iter()
                        .position(|p| p.null_node.is_none() && p.parent == map)
                    {
                        let p = self.pending.remove(j);
                        if let Some(Seg::Key(k)) = p.at.last() {
                            value.set(k, p.value);
                        }
                    }
                }
                self.replace(root, &path, map, &value)?;
                continue;
            }
            let n = entries.len();
            let mut i = 0;
            while i < idxs.len() {
                // A run of adjacent removed entries a..=b.
                let a = idxs[i];
                let mut b = a;
                while i + 1 < idxs.len() && idxs[i + 1] == b + 1 {
                    i += 1;
                    b += 1;
                }
                i += 1;
                if b + 1 < n {
                    // Up to the next kept key; a key that begins a `- ` item keeps the dash.
                    let (from, to) = (
                        self.tree.nodes[entries[a].0].start,
                        self.tree.nodes[entries[b + 1].0].start,
                    );
                    self.splice(from, to, String::new());
                } else {
                    // The run ends the mapping: cut from the end of the last kept entry, keeping its comment.
                    let prev_end = self.tree.nodes[entries[a - 1].1].end;
                    let this_end = self.tree.nodes[entries[b].1].end;
                    let (from, to) = if flow {
                        (prev_end, this_end)
                    } else {
                        (self.line_end(prev_end), self.line_end(this_end))
                    };
                    self.splice(from, to, String::new());
                }
            }
        }
        Ok(())
    }

    /// The path from the root to a node.
    fn path_of(&self, root: NodeId, target: NodeId) -> Option<Vec<Seg>> {
        fn go(t: &Tree, cur: NodeId, target: NodeId, path: &mut Vec<Seg>) -> bool {
            if cur == target {
                return true;
            }
            match &t.nodes[cur].kind {
                NodeKind::Map { entries, .. } => entries.iter().any(|(k, v)| {
                    let NodeKind::Scalar { text, .. } = &t.nodes[*k].kind else {
                        return false;
                    };
                    path.push(Seg::Key(text.clone()));
                    go(t, *v, target, path) || {
                        path.pop();
                        false
                    }
                }),
                NodeKind::Seq { items, .. } => items.iter().enumerate().any(|(i, v)| {
                    path.push(Seg::Index(i));
                    go(t, *v, target, path) || {
                        path.pop();
                        false
                    }
                }),
                _ => false,
            }
        }
        let mut p = Vec::new();
        (go(self.tree, root, target, &mut p) && !p.is_empty()).then_some(p)
    }

    fn seq_info(
        &self,
        root: NodeId,
        path: &[Seg],
    ) -> Result<Option<(NodeId, Vec<NodeId>, bool)>, EditError> {
        let Some(seq) = self.find(root, path)? else {
            return Ok(None);
        };
        match &self.tree.nodes[seq].kind {
            NodeKind::Seq { items, flow } => Ok(Some((seq, items.clone(), *flow))),
            _ if self.is_null(seq) => Ok(None),
            _ => Err(err(
                format!("{} is not a list", path_string(path)),
                Some(self.tree.nodes[seq].start),
            )),
        }
    }

    fn seq_plan(&mut self, seq: NodeId, path: &[Seg]) -> &mut SeqPlan {
        self.seqs.entry(seq).or_insert_with(|| SeqPlan {
            path: path.to_vec(),
            ..SeqPlan::default()
        })
    }

    fn insert(
        &mut self,
        root: NodeId,
        path: &[Seg],
        idx: usize,
        vs: &[Value],
    ) -> Result<(), EditError> {
        let Some((seq, items, _)) = self.seq_info(root, path)? else {
            return self.set_or_append(root, path, &Value::Seq(vs.to_vec()), true);
        };
        let at = idx.min(items.len());
        self.seq_plan(seq, path).inserts.push((at, vs.to_vec()));
        Ok(())
    }

    fn remove_item(&mut self, root: NodeId, path: &[Seg], idx: usize) -> Result<(), EditError> {
        let Some((seq, items, _)) = self.seq_info(root, path)? else {
            return Err(err(format!("no list at {}", path_string(path)), None));
        };
        if idx >= items.len() {
            return Err(err(
                format!("no item {idx} in {}", path_string(path)),
                Some(self.tree.nodes[seq].start),
            ));
        }
        self.seq_plan(seq, path).removed.insert(idx);
        Ok(())
    }

    /// Makes each sequence's removals and inserts. Every original item owns a
    /// stretch of text that the others do not touch, so any combination splices
    /// without overlap, and kept items keep their bytes.
    fn flush_seqs(&mut self, root: NodeId) -> Result<(), EditError> {
        for (seq, mut plan) in std::mem::take(&mut self.seqs) {
            let NodeKind::Seq { items, flow } = &self.tree.nodes[seq].kind else {
                unreachable!("planned on sequences only")
            };
            let (items, flow) = (items.clone(), *flow);
            // Same place: edit order (the sort is stable).
            plan.inserts.sort_by_key(|(at, _)| *at);
            if flow {
                self.flush_flow_seq(seq, &items, &plan);
            } else {
                self.flush_block_seq(root, seq, &items, &plan)?;
            }
        }
        Ok(())
    }

    fn flush_flow_seq(&mut self, seq: NodeId, items: &[NodeId], plan: &SeqPlan) {
        let n = items.len();
        let start = |i: usize| self.tree.nodes[items[i]].start;
        let end = |i: usize| self.tree.nodes[items[i]].end;
        let new = |i: usize| {
            plan.inserts
                .iter()
                .filter(move |(at, _)| *at == i)
                .flat_map(|(_, vs)| vs.iter().map(Value::to_flow))
        };
        // Removed items at the end go with the comma before them; earlier ones
        // with the separator after them.
        let mut tail = n;
        while tail > 0 && plan.removed.contains(&(tail - 1)) {
            tail -= 1;
        }
        let mut splices = vec![];
        for i in 0..tail {
            let text: String = new(i).map(|v| format!("{v}, ")).collect();
            if plan.removed.contains(&i) {
                splices.push((start(i), start(i + 1), text));
            } else if !text.is_empty() {
                splices.push((start(i), start(i), text));
            }
        }
        let last: Vec<String> = (tail..=n).flat_map(new).collect();
        if tail == 0 {
            // Nothing kept: the new items fill the brackets.
            let (a, b) = if n == 0 {
                let close = self.tree.nodes[seq].end - 1;
                (close, close)
            } else {
                (start(0), end(n - 1))
            };
            if a != b || !last.is_empty() {
                splices.push((a, b, last.join(", ")));
            }
        } else {
            let from = end(tail - 1);
            let text: String = last.iter().map(|v| format!(", {v}")).collect();
            let gap = (tail < n).then(|| &self.text[from..start(tail)]);
            match gap.map(|g| (g.contains('#'), g.find(','))) {
                // A comment after the last kept item's comma is that item's: only
                // the comma goes, then the removed items.
                Some((true, Some(comma))) => {
                    splices.push((from, from + comma + 1, text));
                    splices.push((start(tail), end(n - 1), String::new()));
                }
                Some(_) => splices.push((from, end(n - 1), text)),
                None if !text.is_empty() => splices.push((from, from, text)),
                None => {}
            }
        }
        let depth = self.depth(seq);
        for (a, b, t) in splices {
            self.splice_at(a, b, t, depth);
        }
    }

    fn flush_block_seq(
        &mut self,
        root: NodeId,
        seq: NodeId,
        items: &[NodeId],
        plan: &SeqPlan,
    ) -> Result<(), EditError> {
        let n = items.len();
        if n == 0 {
            return Err(err(
                "a block list without items",
                Some(self.tree.nodes[seq].start),
            ));
        }
        if plan.removed.len() == n && plan.inserts.is_empty() && !plan.path.is_empty() {
            return self.replace(root, &plan.path, seq, &Value::Seq(vec![]));
        }
        let dashes = items
            .iter()
            .map(|&i| self.dash_before(self.tree.nodes[i].start))
            .collect::<Result<Vec<_>, _>>()?;
        // Item i's text runs from its leading comment lines to where item i+1's
        // begin; the last item's, to the end of its line and of the comment
        // lines under it that are deeper than the dash.
        let mut starts = vec![];
        for i in 0..n {
            let floor = match i {
                0 if plan.path.is_empty() => self.line_start(dashes[0]),
                0 => 0,
                _ => self.next_line(self.tree.nodes[items[i - 1]].end),
            };
            let max_col = (i > 0).then(|| self.col(dashes[i]));
            starts.push(self.leading_comments(self.line_start(dashes[i]), floor, max_col));
        }
        let col = self.col(dashes[0]);
        let end = self.past_deeper_comments(self.tree.nodes[items[n - 1]].end, col);
        let new = |from: usize, to: usize| -> Vec<String> {
            plan.inserts
                .iter()
                .filter(|(at, _)| (from..=to).contains(at))
                .flat_map(|(_, vs)| vs)
                .map(|v| format!("{}-{}", " ".repeat(col), v.to_item(col + 2)))
                .collect()
        };
        // Removed items at the end go with the line break before them (so
        // that a key added after the list, at the end of its last line, still
        // follows it); earlier ones with the line break after them.
        let mut tail = n;
        while tail > 0 && plan.removed.contains(&(tail - 1)) {
            tail -= 1;
        }
        let depth = self.depth(seq);
        for i in 0..tail {
            let text: String = new(i, i).iter().map(|t| format!("{t}\n")).collect();
            if plan.removed.contains(&i) {
                self.splice_at(starts[i], starts[i + 1], text, depth);
            } else if !text.is_empty() {
                self.splice_at(starts[i], starts[i], text, depth);
            }
        }
        let last = new(tail, n);
        if tail == 0 {
            let text = if last.is_empty() {
                // The document itself is the list: nothing names it, so it is written `[]`.
                "[]".to_string()
            } else {
                last.join("\n")
            };
            self.splice_at(starts[0], end, text, depth);
        } else {
            let from = if tail < n {
                self.before_line_break(starts[tail])
            } else {
                end
            };
            let text: String = last.iter().map(|t| format!("\n{t}")).collect();
            if from != end || !text.is_empty() {
                self.splice_at(from, end, text, depth);
            }
        }
        Ok(())
    }

    /// The end of the line holding `pos`, or of the comment-only lines right
    /// under it that are indented deeper than `col` (they go with what is above).
    fn past_deeper_comments(&self, pos: usize, col: usize) -> usize {
        let mut at = self.line_end(pos);
        loop {
            let next = self.next_line(at);
            if next >= self.text.len() {
                return at;
            }
            let line = &self.text[next..self.line_end(next)];
            let code = line.trim_start();
            if !code.starts_with('#') || line.len() - code.len() <= col {
                return at;
            }
            at = self.line_end(next);
        }
    }

    /// Where the line break ending the line before `line_start` begins.
    fn before_line_break(&self, line_start: usize) -> usize {
        let s = &self.text[..line_start];
        if s.ends_with("\r\n") {
            line_start - 2
        } else if s.ends_with('\n') {
            line_start - 1
        } else {
            line_start
        }
    }

    /// How deep a node is: splices at one place go deepest first, so that
    /// what is added at the end of an item comes before the next item, and
    /// an item added at the end of a list before a key added after the list.
    fn depth(&self, node: NodeId) -> usize {
        self.path_of(self.root, node).map_or(0, |p| p.len())
    }

    /// Start of the comment-only lines right above the line starting at `line`
    /// (no blank line between), not above `floor`; with `max_col`, only comments
    /// at most that indented (deeper ones belong to the item above).
    fn leading_comments(&self, line: usize, floor: usize, max_col: Option<usize>) -> usize {
        let mut start = line;
        while start > floor {
            let above = self.line_start(start - 1);
            if above < floor {
                break;
            }
            let text = &self.text[above..start];
            let trimmed = text.trim_start();
            let indent = text.len() - trimmed.len();
            if !trimmed.starts_with('#') || max_col.is_some_and(|c| indent > c) {
                break;
            }
            start = above;
        }
        start
    }

    /// Start of the line after the one holding `pos` (the text's end on the last line).
    fn next_line(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
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
        let mut out = String::with_capacity(self.text.len() + 256);
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

    fn col(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// End of the line holding `pos`, before any `\r\n` / `\n`.
    fn line_end(&self, pos: usize) -> usize {
        let e = self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i);
        if e > pos && self.text.as_bytes()[e - 1] == b'\r' && e < self.text.len() {
            e - 1
        } else {
            e
        }
    }

    fn colon_after(&self, key_end: usize) -> Result<usize, EditError> {
        let rest = &self.text[key_end..];
        let i = rest
            .find(':')
            .ok_or_else(|| err("expected `:` after a key", Some(key_end)))?;
        Ok(key_end + i + 1)
    }

    /// The `-` of the block sequence item starting at `pos`; it must begin its
    /// line. The item may start on a later line than its dash (`-` alone, or
    /// `- # comment`, then the content), past blank and comment lines.
    fn dash_before(&self, pos: usize) -> Result<usize, EditError> {
        let bad = || {
            err(
                "cannot edit a list item that does not start its own line",
                Some(pos),
            )
        };
        let starts_line = |dash: usize| self.text[self.line_start(dash)..dash].trim().is_empty();
        let trimmed = self.text[..pos].trim_end_matches([' ', '\t']);
        if trimmed.ends_with('-') {
            let dash = trimmed.len() - 1;
            return if starts_line(dash) {
                Ok(dash)
            } else {
                Err(bad())
            };
        }
        if !(trimmed.is_empty() || trimmed.ends_with('\n')) {
            return Err(bad());
        }
        // The content begins its line: the dash is on the nearest line above
        // that holds more than blanks and a comment, and is all that line holds.
        let mut end = trimmed.len();
        while end > 0 {
            let start = self.line_start(end - 1);
            let line = &self.text[start..end - 1];
            let code = line[..comment_start(line)].trim();
            if code == "-" {
                let dash = start + line.find('-').expect("the line is a dash");
                return if starts_line(dash) {
                    Ok(dash)
                } else {
                    Err(bad())
                };
            }
            if !code.is_empty() {
                return Err(bad());
            }
            end = start;
        }
        Err(bad())
    }

    /// Start of a scalar's text after its anchor and tag.
    /// A block scalar that ends the text without a line break has none in its
    /// value (`|` reads `x` from `|\n  x` at the end of input). Text added
    /// after it gives it that line break, so its header gets the `-` (strip)
    /// chomping indicator, which reads the same value either way.
    fn keep_final_block_scalar(&mut self) {
        let len = self.text.len();
        if self.text.ends_with(['\n', '\r'])
            || !self
                .splices
                .iter()
                .any(|s| s.start == len && !s.text.is_empty())
        {
            return;
        }
        let last = self.tree.nodes.iter().rposition(|n| {
            n.end == len
                && matches!(
                    &n.kind,
                    NodeKind::Scalar { style: ScalarStyle::Literal | ScalarStyle::Folded, text, .. }
                        if !text.ends_with('\n')
                )
        });
        let Some(id) = last else { return };
        let start = self.tree.nodes[id].start;
        if self.splices.iter().any(|s| s.start < len && s.end > start) {
            return;
        }
        let h = self.skip_properties(id);
        let header = &self.text[h..];
        let n = 1 + header[1..]
            .bytes()
            .take_while(|c| matches!(c, b'0'..=b'9' | b'+' | b'-'))
            .count();
        let digits: String = header[1..n].chars().filter(char::is_ascii_digit).collect();
        let new = format!("{}{digits}-", &header[..1]);
        self.splice(h, h + n, new);
    }

    /// Aliases (`*name`) that repeat a value the edits change would change
    /// with it: each one outside the edited nodes is replaced by the value it
    /// stood for, in flow style, so that only the planned spot changes.
    fn unalias(&mut self, root: NodeId, edits: &[Edit]) -> Result<(), EditError> {
        if !self
            .tree
            .nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Alias(_)))
        {
            return Ok(());
        }
        // Nodes on the edits' paths change; the nodes edits replace or remove
        // change with everything in them.
        let (mut on_path, mut replaced) = (vec![], vec![]);
        for e in edits {
            let mut cur = root;
            on_path.push(cur);
            let mut path = edit_path(e).to_vec();
            if let Edit::RemoveItem(_, i) = e {
                path.push(Seg::Index(*i));
            }
            let mut whole = true;
            for seg in &path {
                let next = match (seg, &self.tree.nodes[cur].kind) {
                    (Seg::Key(k), NodeKind::Map { .. }) => self.tree.get(cur, k),
                    (Seg::Index(i), NodeKind::Seq { items, .. }) => items.get(*i).copied(),
                    _ => None,
                };
                match next {
                    Some(n) => {
                        cur = n;
                        on_path.push(n);
                    }
                    None => {
                        whole = false;
                        break;
                    }
                }
            }
            if whole && !matches!(e, Edit::Insert(..)) {
                replaced.push(cur);
            }
        }
        let inside = |outer: NodeId, id: NodeId| {
            let (o, n) = (&self.tree.nodes[outer], &self.tree.nodes[id]);
            o.start <= n.start && n.end <= o.end && o.start < o.end
        };
        let mut splices = vec![];
        for (id, n) in self.tree.nodes.iter().enumerate() {
            let NodeKind::Alias(t) = n.kind else { continue };
            let changed = on_path.contains(&t) || replaced.iter().any(|&d| inside(d, t));
            if !changed || replaced.iter().any(|&d| inside(d, id)) {
                continue;
            }
            let v = self
                .tree
                .value(t)
                .map_err(|e| err(e.message, Some(e.offset)))?;
            splices.push((n.start, n.end, v.to_flow()));
        }
        for (a, b, text) in splices {
            self.splice(a, b, text);
        }
        Ok(())
    }

    /// The node's `&anchor`, if it has one.
    fn anchor_of(&self, node: NodeId) -> Option<&str> {
        let n = &self.tree.nodes[node];
        let props = &self.text[n.start..self.skip_properties(node)];
        props.split_whitespace().find(|p| p.starts_with('&'))
    }

    fn skip_properties(&self, node: NodeId) -> usize {
        let n = &self.tree.nodes[node];
        let mut s = &self.text[n.start..n.end];
        let mut off = n.start;
        while s.starts_with('&') || s.starts_with('!') {
            let w = s.find([' ', '\t']).unwrap_or(s.len());
            let rest = s[w..].trim_start();
            off += s.len() - rest.len();
            s = rest;
        }
        off
    }
}

/// Where a comment starts on a line holding at most an indicator before it: at
/// a `#` that begins the line or follows a blank; the line's length when none.
fn comment_start(line: &str) -> usize {
    let b = line.as_bytes();
    (0..b.len())
        .find(|&i| b[i] == b'#' && (i == 0 || matches!(b[i - 1], b' ' | b'\t')))
        .unwrap_or(b.len())
}

/// Wraps `v` in mappings for the missing keys of a path.
fn nest(path: &[Seg], v: &Value) -> Value {
    path.iter().rev().fold(v.clone(), |acc, seg| match seg {
        Seg::Key(k) => Value::map([(k.clone(), acc)]),
        Seg::Index(_) => Value::Seq(vec![acc]),
    })
}

/// Applies an edit to an owned value: what the text edit must produce.
pub fn apply_to_value(root: &mut Value, e: &Edit) {
    fn walk<'a>(v: &'a mut Value, path: &[Seg], create: bool) -> Option<&'a mut Value> {
        let mut cur = v;
        for seg in path {
            cur = match seg {
                Seg::Key(k) => {
                    if create && !matches!(cur, Value::Map(_)) {
                        *cur = Value::Map(vec![]);
                    }
                    if create && cur.get(k).is_none() {
                        cur.set(k, Value::Null);
                    }
                    match cur {
                        Value::Map(m) => {
                            m.iter_mut().rev().find(|(kk, _)| kk == k).map(|(_, v)| v)?
                        }
                        _ => return None,
                    }
                }
                Seg::Index(i) => match cur {
                    Value::Seq(items) => items.get_mut(*i)?,
                    _ => return None,
                },
            };
        }
        Some(cur)
    }
    match e {
        Edit::Set(path, v) => {
            if let Some(slot) = walk(root, path, true) {
                *slot = v.clone();
            }
        }
        Edit::Remove(path) => {
            if let Some((Seg::Key(k), parent)) = path.split_last() {
                if let Some(p) = walk(root, parent, false) {
                    p.remove(k);
                }
            }
        }
        Edit::Insert(path, idx, vs) => {
            if let Some(slot) = walk(root, path, true) {
                if !matches!(slot, Value::Seq(_)) {
                    *slot = Value::Seq(vec![]);
                }
                if let Value::Seq(items) = slot {
                    let i = (*idx).min(items.len());
                    items.splice(i..i, vs.iter().cloned());
                }
            }
        }
        Edit::RemoveItem(path, idx) => {
            if let Some(Value::Seq(items)) = walk(root, path, false) {
                if *idx < items.len() {
                    items.remove(*idx);
                }
            }
        }
    }
}

/// The edits as steps to take one after another with [`apply_to_value`] on `root`
/// (the value the edits were planned on): each step's indices refer to the list
/// as the steps before it left it, not to the original. Keyed edits come first,
/// in order; then each list's removals (from the back) and inserts (in place
/// order, then edit order), inner lists before the lists holding them.
pub fn sequential(root: &Value, edits: &[Edit]) -> Vec<Edit> {
    let mut out: Vec<Edit> = edits
        .iter()
        .filter(|e| matches!(e, Edit::Set(..) | Edit::Remove(..)))
        .cloned()
        .collect();
    let mut lists: Vec<&Vec<Seg>> = vec![];
    for e in edits {
        if let Edit::Insert(p, ..) | Edit::RemoveItem(p, _) = e {
            if !lists.contains(&p) {
                lists.push(p);
            }
        }
    }
    // Deeper first: an inner list's path holds original indices of the outer one.
    lists.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for path in lists {
        let n = match walk_ref(root, path) {
            Some(Value::Seq(items)) => items.len(),
            _ => 0,
        };
        let mut removed: Vec<usize> = edits
            .iter()
            .filter_map(|e| match e {
                Edit::RemoveItem(p, i) if p == path && *i < n => Some(*i),
                _ => None,
            })
            .collect();
        removed.sort_unstable();
        removed.dedup();
        let mut inserts: Vec<(usize, &Vec<Value>)> = edits
            .iter()
            .filter_map(|e| match e {
                Edit::Insert(p, i, vs) if p == path => Some(((*i).min(n), vs)),
                _ => None,
            })
            .collect();
        inserts.sort_by_key(|(at, _)| *at);
        for &i in removed.iter().rev() {
            out.push(Edit::RemoveItem(path.clone(), i));
        }
        let mut added = 0;
        for (at, vs) in inserts {
            let gone = removed.iter().filter(|&&r| r < at).count();
            let i = at - gone + added;
            // Past the end stays past the end, whatever the list's length now.
            let i = if at == n { usize::MAX } else { i };
            out.push(Edit::Insert(path.clone(), i, vs.clone()));
            added += vs.len();
        }
    }
    out
}

fn walk_ref<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, seg| match (seg, cur) {
        (Seg::Key(k), Value::Map(m)) => m.iter().rev().find(|(kk, _)| kk == k).map(|(_, v)| v),
        (Seg::Index(i), Value::Seq(items)) => items.get(*i),
        _ => None,
    })
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
                Value::Seq(vec![Value::str("job-wr"), Value::str("j")]),
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
