//! Edits of sequences: item removals and inserts, all made against the
//! original indices, in block (`- item`) or flow (`[a, b]`) style.

use super::{err, path_string, EditError, Editor, Seg, SeqPlan};
use crate::yaml::tree::{NodeId, NodeKind};
use crate::yaml::value::Value;

impl Editor<'_> {
    pub(super) fn seq_info(
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

    pub(super) fn seq_plan(&mut self, seq: NodeId, path: &[Seg]) -> &mut SeqPlan {
        self.seqs.entry(seq).or_insert_with(|| SeqPlan {
            path: path.to_vec(),
            ..SeqPlan::default()
        })
    }

    pub(super) fn insert(
        &mut self,
        root: NodeId,
        path: &[Seg],
        idx: usize,
        vs: &[Value],
    ) -> Result<(), EditError> {
        let Some((seq, items, _)) = self.seq_info(root, path)? else {
            return self.set_or_append(root, path, &Value::Seq(vs.to_vec().into()), true);
        };
        let at = idx.min(items.len());
        self.seq_plan(seq, path).inserts.push((at, vs.to_vec()));
        Ok(())
    }

    pub(super) fn remove_item(
        &mut self,
        root: NodeId,
        path: &[Seg],
        idx: usize,
    ) -> Result<(), EditError> {
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
    pub(super) fn flush_seqs(&mut self, root: NodeId) -> Result<(), EditError> {
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

    pub(super) fn flush_flow_seq(&mut self, seq: NodeId, items: &[NodeId], plan: &SeqPlan) {
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

    pub(super) fn flush_block_seq(
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
            return self.replace(root, &plan.path, seq, &Value::Seq(vec![].into()));
        }
        let dashes = items
            .iter()
            .map(|&i| self.dash_before(self.tree.nodes[i].start))
            .collect::<Result<Vec<_>, _>>()?;
        let starts = self.item_starts(items, &dashes, plan.path.is_empty());
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

    /// Where each item's text starts: its leading comment lines (the text of item i
    /// runs to where item i+1's begins; the last item's, to the end of its line and
    /// of the comment lines under it that are deeper than the dash).
    fn item_starts(&self, items: &[NodeId], dashes: &[usize], top: bool) -> Vec<usize> {
        (0..items.len())
            .map(|i| {
                let floor = match i {
                    0 if top => self.line_start(dashes[0]),
                    0 => 0,
                    _ => self.next_line(self.tree.nodes[items[i - 1]].end),
                };
                let max_col = (i > 0).then(|| self.col(dashes[i]));
                self.leading_comments(self.line_start(dashes[i]), floor, max_col)
            })
            .collect()
    }
}
