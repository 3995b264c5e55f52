//! Edits of mappings and of single values: setting a key (creating the
//! mappings a path lacks), replacing a value, removing keys, and keeping the
//! aliases of an edited value as they read.

use super::{
    apply_to_value, edit_path, err, nest, path_string, Edit, EditError, Editor, Pending, Seg,
};
use crate::yaml::tree::{NodeId, NodeKind, ScalarStyle, Tree};
use crate::yaml::value::Value;

impl Editor<'_> {
    pub(super) fn set(&mut self, root: NodeId, path: &[Seg], v: &Value) -> Result<(), EditError> {
        self.set_or_append(root, path, v, false)
    }

    /// Sets a value, or (with `append`) appends the items of the sequence `v`.
    pub(super) fn set_or_append(
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

    pub(super) fn flush_pending(&mut self, root: NodeId) -> Result<(), EditError> {
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

    pub(super) fn insert_entry(
        &mut self,
        map: NodeId,
        key: &str,
        value: &Value,
    ) -> Result<(), EditError> {
        let (entries, flow) = match &self.tree.nodes[map].kind {
            NodeKind::Map { entries, flow } => (entries.clone(), *flow),
            _ => {
                return Err(err(
                    format!("expected a mapping to add `{key}` to"),
                    Some(self.tree.nodes[map].start),
                ))
            }
        };
        let key_text = crate::yaml::value::scalar_text(&Value::str(key));
        if flow {
            let close = self.tree.nodes[map].end - 1;
            let depth = self.depth(map);
            // An earlier new key of this edit went in before the same `}`
            // (Dagster's `annotations: {}` gets a wave and a kapp group).
            let added = self
                .splices
                .iter()
                .any(|s| (s.start, s.end, s.depth) == (close, close, depth));
            let sep = if entries.is_empty() && !added {
                ""
            } else {
                ", "
            };
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
    pub(super) fn replace(
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
            self.replace_inline(node, last, parent_flow, v);
            return Ok(());
        }
        self.replace_block(parent, node, last, v)
    }

    /// Replaces a node's text in place: a scalar, or anything in a flow collection.
    fn replace_inline(&mut self, node: NodeId, last: &Seg, parent_flow: bool, v: &Value) {
        let (start, end) = (self.tree.nodes[node].start, self.tree.nodes[node].end);
        // The tag goes (it was for the old value: `!!binary`, `!!null`);
        // the anchor stays, for the aliases that repeat the value.
        let anchor = self.anchor_of(node);
        let mut text = if parent_flow {
            v.to_flow()
        } else {
            crate::yaml::value::scalar_text(v)
        };
        if let Some(a) = anchor {
            text = format!("{a} {text}");
        }
        // A flow mapping's key without a value (`{a, b: 1}`) gets its `:`.
        let key_only = parent_flow
            && matches!(last, Seg::Key(_))
            && start == end
            && !self.text[..start].trim_end().ends_with(':');
        if key_only {
            text = format!(": {text}");
        }
        self.splice(start, end, text);
    }

    /// Block context: rewrites from just after `key:` or `-` to the end of the old
    /// value (its properties included: an empty value may have some).
    fn replace_block(
        &mut self,
        parent: NodeId,
        node: NodeId,
        last: &Seg,
        v: &Value,
    ) -> Result<(), EditError> {
        let n = &self.tree.nodes[node];
        let start = n.start;
        let end = if self.is_empty_plain(node) && n.start == n.end {
            None
        } else {
            Some(n.end)
        };
        let anchor = self
            .anchor_of(node)
            .map_or(String::new(), |a| format!(" {a}"));
        // What stays after the old value on its line (a comment) would be
        // read into a literal block written in its place.
        let after = end.unwrap_or(start).max(start);
        let more_on_line = !self.text[after..self.line_end(after)].trim().is_empty();
        match last {
            Seg::Key(k) => {
                let (key_node, _) = self.tree.entry(parent, k).expect("entry exists");
                let col = self.col(self.tree.nodes[key_node].start);
                let colon = self.colon_after(self.tree.nodes[key_node].end)?;
                let text = format!("{anchor}{}", v.to_block_before(col + 2, more_on_line));
                // As deep as the value: at one place it goes before what an
                // enclosing mapping adds after it (an empty last value).
                let depth = self.depth(node);
                let end = end.unwrap_or_else(|| self.blank_rest(colon)).max(colon);
                self.splice_at(colon, end, text, depth);
            }
            Seg::Index(_) => {
                let dash = self.dash_before(start)?;
                let col = self.col(dash);
                let depth = self.depth(node);
                self.splice_at(
                    dash + 1,
                    end.unwrap_or_else(|| self.blank_rest(dash + 1))
                        .max(dash + 1),
                    format!("{anchor}{}", v.to_item_before(col + 2, more_on_line)),
                    depth,
                );
            }
        }
        Ok(())
    }

    /// Where an empty value written at `at` ends: past the blanks that end
    /// its line (`annotations: `), which a block written there would
    /// otherwise leave after its last line; `at` when more follows.
    fn blank_rest(&self, at: usize) -> usize {
        let end = self.line_end(at);
        match self.text[at..end].trim().is_empty() {
            true => end,
            false => at,
        }
    }

    pub(super) fn remove(&mut self, root: NodeId, path: &[Seg]) -> Result<(), EditError> {
        let Some((Seg::Key(k), parent_path)) = path.split_last() else {
            return Err(err("remove takes a mapping key", None));
        };
        let Some(parent) = self.find(root, parent_path)? else {
            return Ok(());
        };
        let NodeKind::Map { entries, .. } = &self.tree.nodes[parent].kind else {
            return Ok(());
        };
        if self.tree.get(parent, k).is_none() {
            // Nothing to remove, unless a merge key gives it: that stays.
            return self.refuse_merged_key(parent, k, path);
        }
        // Every occurrence of a duplicated key goes.
        let idxs = (0..entries.len()).filter(|&i| matches!(&self.tree.nodes[entries[i].0].kind, NodeKind::Scalar { text, .. } if text == k));
        let list = self.removals.entry(parent).or_default();
        list.extend(idxs);
        list.sort_unstable();
        list.dedup();
        Ok(())
    }

    pub(super) fn flush_removals(&mut self, root: NodeId) -> Result<(), EditError> {
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
                let mut value = Value::Map(vec![].into());
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
    pub(super) fn path_of(&self, root: NodeId, target: NodeId) -> Option<Vec<Seg>> {
        fn go(t: &Tree, cur: NodeId, target: NodeId, path: &mut Vec<Seg>) -> bool {
            if cur == target {
                return true;
            }
            match &t.nodes[cur].kind {
                NodeKind::Map { entries, .. } => entries.iter().any(|(k, v)| {
                    let NodeKind::Scalar { text, .. } = &t.nodes[*k].kind else {
                        return false;
                    };
                    path.push(Seg::Key(text.to_string()));
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

    /// Aliases (`*name`) that repeat a value the edits change would change
    /// with it: each one outside the edited nodes is replaced by the value it
    /// stood for, in flow style, so that only the planned spot changes.
    pub(super) fn unalias(&mut self, root: NodeId, edits: &[Edit]) -> Result<(), EditError> {
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
    pub(super) fn anchor_of(&self, node: NodeId) -> Option<&str> {
        let n = &self.tree.nodes[node];
        let props = &self.text[n.start..self.skip_properties(node)];
        props.split_whitespace().find(|p| p.starts_with('&'))
    }
}
