//! Builds a [`Tree`] from libyaml's events: node spans from libyaml's marks,
//! and the few spellings go-yaml v2 reads differently from libyaml 0.2.5
//! refused here.

use super::{Node, NodeId, NodeKind, ScalarStyle, SyntaxError, Tree, MAX_DEPTH};
use crate::yaml::libyaml::{Event, Parser};

/// Parses `text` (one document) into a tree.
pub(super) fn build(text: &str) -> Result<Tree, SyntaxError> {
    let mut parser = Parser::new(text);
    let mut b = Builder {
        text,
        nodes: Vec::new(),
        stack: Vec::new(),
        anchors: Default::default(),
        root: None,
        docs: 0,
        last_end: 0,
    };
    while let Some(ev) = parser.next_event() {
        let (ev, start, end) = ev.map_err(|e| SyntaxError {
            message: e.message,
            offset: e.offset.min(text.len()),
        })?;
        b.event(ev, start.min(text.len()), end.min(text.len()))?;
    }
    // Trees of every read document live until the output is written: no
    // spare capacity (a third of their memory otherwise).
    let mut nodes = b.nodes;
    nodes.shrink_to_fit();
    for n in &mut nodes {
        match &mut n.kind {
            NodeKind::Seq { items, .. } => items.shrink_to_fit(),
            NodeKind::Map { entries, .. } => entries.shrink_to_fit(),
            _ => {}
        }
    }
    Ok(Tree {
        nodes,
        root: b.root,
    })
}

struct Frame {
    id: NodeId,
    pending_key: Option<NodeId>,
}

/// Builds a [`Tree`] from libyaml's events.
struct Builder<'t> {
    text: &'t str,
    nodes: Vec<Node>,
    stack: Vec<Frame>,
    /// Anchor name → node; a later anchor of the same name replaces an earlier one.
    anchors: std::collections::HashMap<String, NodeId>,
    root: Option<NodeId>,
    docs: usize,
    /// End of the previous event: where an empty scalar without properties sits.
    last_end: usize,
}

impl Builder<'_> {
    fn event(&mut self, ev: Event, start: usize, end: usize) -> Result<(), SyntaxError> {
        let prev_end = std::mem::replace(&mut self.last_end, end);
        match ev {
            Event::DocumentStart(version) => self.document_start(version, start),
            Event::Scalar {
                anchor,
                tag,
                value,
                style,
            } => self.scalar(anchor, tag, value, style, (prev_end, start, end)),
            Event::SequenceStart {
                anchor,
                flow,
                tagged,
            } => {
                self.check_go_yaml_syntax(ScalarStyle::Plain, tagged, start, end)?;
                let kind = NodeKind::Seq {
                    items: vec![],
                    flow,
                };
                self.add(kind, anchor, start, end)
            }
            Event::MappingStart {
                anchor,
                flow,
                tagged,
            } => {
                self.check_go_yaml_syntax(ScalarStyle::Plain, tagged, start, end)?;
                let kind = NodeKind::Map {
                    entries: vec![],
                    flow,
                };
                self.add(kind, anchor, start, end)
            }
            Event::Alias(name) => {
                let target = *self.anchors.get(&name).ok_or_else(|| SyntaxError {
                    message: format!("unknown anchor '{name}' referenced"),
                    offset: start,
                })?;
                self.add(NodeKind::Alias(target), None, start, end)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.close(end);
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
        }
    }

    /// The start of the (one) document: go-yaml v2 reads `%YAML 1.1` only.
    fn document_start(
        &mut self,
        version: Option<(i32, i32)>,
        start: usize,
    ) -> Result<(), SyntaxError> {
        self.docs += 1;
        if self.docs > 1 {
            return Err(SyntaxError {
                message: "a second document starts inside this one".into(),
                offset: start,
            });
        }
        // go-yaml v2 reads YAML 1.1 only (libyaml takes 1.2 as well).
        if version.is_some_and(|v| v != (1, 1)) {
            return Err(SyntaxError {
                message: "found incompatible YAML document (go-yaml v2 reads `%YAML 1.1` only)"
                    .into(),
                offset: start,
            });
        }
        Ok(())
    }

    /// A scalar node, its span reaching back over its properties.
    fn scalar(
        &mut self,
        anchor: Option<String>,
        tag: Option<String>,
        value: String,
        style: ScalarStyle,
        (prev_end, start, end): (usize, usize, usize),
    ) -> Result<(), SyntaxError> {
        self.check_go_yaml_syntax(style, tag.is_some(), start, end)?;
        let (start, end) = self.scalar_span(
            style,
            &value,
            anchor.is_some() || tag.is_some(),
            prev_end,
            start,
            end,
        );
        if style == ScalarStyle::Plain && value.is_empty() && anchor.is_none() && tag.is_none() {
            // Keep the next event's search from starting past this point.
            self.last_end = end;
        }
        let kind = NodeKind::Scalar {
            text: value.into(),
            style,
            tag: tag.map(String::into_boxed_str),
        };
        self.add(kind, anchor, start, end)
    }

    /// Refuses the two spellings libyaml 0.2.5 reads and go-yaml v2 does not
    /// read the same: the `\\/` escape (go-yaml: "found unknown escape
    /// character"), and a tag directly followed by `,`, `[` or `]` (go-yaml
    /// takes them into the tag; libyaml ends the tag there).
    fn check_go_yaml_syntax(
        &self,
        style: ScalarStyle,
        tagged: bool,
        start: usize,
        end: usize,
    ) -> Result<(), SyntaxError> {
        let b = self.text.as_bytes();
        if tagged {
            if let Some(at) = tag_end(b, start, end) {
                if matches!(b.get(at), Some(b',' | b'[' | b']')) {
                    return Err(SyntaxError {
                        message: "a tag directly followed by `,`, `[` or `]` (go-yaml v2 reads them as part of the tag): add a space".into(),
                        offset: at,
                    });
                }
            }
        }
        if style == ScalarStyle::Plain && self.stack.last().is_some_and(|f| self.is_flow(f.id)) {
            let from = content_start(b, start).max(start) + 1;
            if let Some(k) = memchr::memchr(b'?', &b[from.min(end)..end]) {
                return Err(SyntaxError {
                    message: "`?` inside a plain scalar in a flow collection: go-yaml v2 ends the scalar there and fails (did not find expected ',' or ']'); quote the scalar".into(),
                    offset: from + k,
                });
            }
        }
        if style == ScalarStyle::DoubleQuoted {
            let mut i = start;
            while let Some(k) = memchr::memchr(b'\\', &b[i..end.min(b.len())]) {
                let at = i + k;
                if b.get(at + 1) == Some(&b'/') {
                    return Err(SyntaxError {
                        message:
                            "found unknown escape character `\\/` (go-yaml v2 has no such escape)"
                                .into(),
                        offset: at,
                    });
                }
                i = at + 2;
            }
        }
        Ok(())
    }

    fn is_flow(&self, id: NodeId) -> bool {
        matches!(
            self.nodes[id].kind,
            NodeKind::Seq { flow: true, .. } | NodeKind::Map { flow: true, .. }
        )
    }

    /// A scalar's span: block scalars end at their last non-blank byte; an
    /// empty plain scalar without properties sits right after the `:`, `-` or
    /// `?` that introduces it (libyaml places it at the next token).
    fn scalar_span(
        &self,
        style: ScalarStyle,
        value: &str,
        has_props: bool,
        prev_end: usize,
        start: usize,
        end: usize,
    ) -> (usize, usize) {
        match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                (start, start + self.text[start..end].trim_end().len())
            }
            ScalarStyle::Plain if value.is_empty() && !has_props => {
                let at = empty_scalar_at(self.text, prev_end);
                (at, at)
            }
            // A quoted scalar's span runs over the blanks and the comment that
            // end its line, as the edit layer and the KRM item cutter expect.
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                (start, past_line_comment(self.text, end))
            }
            _ => (start, end),
        }
    }

    /// Adds a node under the open collection (or as the root).
    fn add(
        &mut self,
        kind: NodeKind,
        anchor: Option<String>,
        start: usize,
        end: usize,
    ) -> Result<(), SyntaxError> {
        let is_collection = matches!(kind, NodeKind::Seq { .. } | NodeKind::Map { .. });
        let id = self.nodes.len();
        self.nodes.push(Node { kind, start, end });
        if let Some(a) = anchor {
            self.anchors.insert(a, id);
        }
        match self.stack.last_mut() {
            None => self.root = Some(id),
            Some(frame) => match &mut self.nodes[frame.id].kind {
                NodeKind::Seq { items, .. } => items.push(id),
                NodeKind::Map { entries, .. } => match frame.pending_key.take() {
                    None => frame.pending_key = Some(id),
                    Some(k) => entries.push((k, id)),
                },
                _ => unreachable!("only collections are pushed"),
            },
        }
        if is_collection {
            if self.stack.len() >= MAX_DEPTH {
                return Err(SyntaxError {
                    message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    offset: start,
                });
            }
            self.stack.push(Frame {
                id,
                pending_key: None,
            });
        }
        Ok(())
    }

    /// Closes the open collection: a flow one ends past its bracket (the end
    /// event's span), a block one with its last child.
    fn close(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = &self.nodes[frame.id];
        let (flow, last_child) = match &node.kind {
            NodeKind::Seq { items, flow } => (*flow, items.last().copied()),
            NodeKind::Map { entries, flow } => (*flow, entries.last().map(|e| e.1)),
            _ => (false, None),
        };
        let new_end = if flow {
            end
        } else {
            last_child.map_or(node.start, |c| self.nodes[c].end)
        };
        self.nodes[frame.id].end = new_end;
    }
}

/// Where a node's content starts, past its anchor and tag.
fn content_start(b: &[u8], start: usize) -> usize {
    let mut i = start;
    for _ in 0..2 {
        match b.get(i) {
            Some(b'&' | b'!') => {
                while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i
}

/// One past a node's tag, scanning its properties from `start` (an anchor
/// and a tag, in either order); `None` when no tag is found before `end`.
fn tag_end(b: &[u8], start: usize, end: usize) -> Option<usize> {
    let mut i = start;
    for _ in 0..2 {
        match b.get(i) {
            Some(b'&') => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-')) {
                    i += 1;
                }
            }
            Some(b'!') if b.get(i + 1) == Some(&b'<') => {
                // A verbatim tag ends at its `>`.
                return memchr::memchr(b'>', &b[i..end.max(i).min(b.len())]).map(|k| i + k + 1);
            }
            Some(b'!') => {
                i += 1;
                while i < b.len()
                    && !matches!(
                        b[i],
                        b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
                    )
                    && b[i] < 0x80
                {
                    i += 1;
                }
                return Some(i);
            }
            _ => return None,
        }
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
    }
    None
}

/// `from` moved over blanks and a comment that end its line (not the line break).
pub(super) fn past_line_comment(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    if i < b.len() && b[i] == b'#' {
        return i + line_break_or_end(&b[i..]);
    }
    i
}

/// Length up to the first YAML line break (`\n`, `\r`, NEL, LS, PS) or the end.
fn line_break_or_end(b: &[u8]) -> usize {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | b'\r' => return i,
            0xC2 if b.get(i + 1) == Some(&0x85) => return i,
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) => {
                return i
            }
            _ => i += 1,
        }
    }
    i
}

/// Where an empty plain scalar sits: after the blanks and the one indicator
/// (`:`, `-`, `?`) that follow the previous event's end, if any.
fn empty_scalar_at(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    if i < b.len() && matches!(b[i], b':' | b'-' | b'?') {
        let next = b.get(i + 1).copied();
        if matches!(
            next,
            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b',' | b'}' | b']')
        ) {
            return i + 1;
        }
    }
    from
}
