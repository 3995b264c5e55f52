//! A read-only syntax tree of one YAML document with byte spans, built from
//! libyaml's events. It is what the edit layer aims at; values are read
//! through it with Kubernetes' (YAML 1.1) rules.

pub use super::libyaml::ScalarStyle;
use super::libyaml::{Event, Parser};

use super::scalar::{resolve_scalar, Decoded, Resolved, CORE_TAG_PREFIX};
use super::value::Value;

/// Index of a node in a [`Tree`].
pub type NodeId = usize;

const BOM: &str = "\u{feff}";

/// Deepest nesting premigrate reads; deeper documents are refused, never a stack overflow.
pub const MAX_DEPTH: usize = 256;
/// Most nodes that reading a document may visit, aliases expanded: refuses alias bombs.
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// One node with its span in the document text (byte offsets).
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// First byte of the node (anchor and tag included; a block scalar starts at its `|` or `>`).
    pub start: usize,
    /// One past the last byte of the node (a flow collection's closing bracket;
    /// trailing blanks and comments excluded).
    pub end: usize,
}

/// The kinds of node.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A scalar with its decoded text.
    Scalar {
        /// The decoded text.
        text: String,
        /// Plain, quoted or block.
        style: ScalarStyle,
        /// An explicit tag in full, as the parser resolves it: `!!str` is
        /// `tag:yaml.org,2002:str`, `!foo` is `!foo`, the non-specific tag is `!`.
        tag: Option<String>,
    },
    /// A sequence.
    Seq {
        /// Items in order.
        items: Vec<NodeId>,
        /// `[ … ]` rather than `- …` lines.
        flow: bool,
    },
    /// A mapping.
    Map {
        /// (key, value) pairs in order.
        entries: Vec<(NodeId, NodeId)>,
        /// `{ … }` rather than `key: value` lines.
        flow: bool,
    },
    /// An alias to an anchored node.
    Alias(NodeId),
}

/// A syntax error, positioned in the document body (0-based line, 0-based column).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the body.
    pub offset: usize,
}

/// The parsed document.
#[derive(Debug, Clone)]
pub struct Tree {
    /// All nodes; children after parents.
    pub nodes: Vec<Node>,
    /// The top node, if the document is not empty.
    pub root: Option<NodeId>,
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

impl Tree {
    /// Parses one document body. A body holding more than one document is an error.
    pub fn parse(text: &str) -> Result<Tree, SyntaxError> {
        // libyaml skips a BOM at the start of the input or of a line; go-yaml
        // v2 reads one after the stream's start as content. Each is parsed as
        // a same-length placeholder absent from the text, turned back after.
        if text.contains(BOM) {
            let ph = (0xE000..0xF8FF)
                .filter_map(char::from_u32)
                .find(|c| !text.contains(*c))
                .expect("a text cannot hold every private-use character");
            let mut tree = Self::parse_raw(&text.replace(BOM, ph.encode_utf8(&mut [0; 4])))?;
            for n in &mut tree.nodes {
                if let NodeKind::Scalar { text, tag, .. } = &mut n.kind {
                    if text.contains(ph) {
                        *text = text.replace(ph, BOM);
                    }
                    if let Some(t) = tag.as_mut().filter(|t| t.contains(ph)) {
                        *t = t.replace(ph, BOM);
                    }
                }
            }
            return Ok(tree);
        }
        Self::parse_raw(text)
    }

    fn parse_raw(text: &str) -> Result<Tree, SyntaxError> {
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
        Ok(Tree {
            nodes: b.nodes,
            root: b.root,
        })
    }
    /// The node, aliases followed.
    pub fn node(&self, mut id: NodeId) -> &Node {
        for _ in 0..MAX_DEPTH {
            match self.nodes[id].kind {
                NodeKind::Alias(t) => id = t,
                _ => break,
            }
        }
        &self.nodes[id]
    }

    /// The value node under `key` in mapping `map` (the last occurrence wins).
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|(_, v)| v)
    }

    /// The (key, value) entry for `key` in mapping `map` (the last occurrence wins).
    pub fn entry(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        match &self.nodes[map].kind {
            NodeKind::Map { entries, .. } => entries.iter().rev().copied().find(|(k, _)| {
                matches!(&self.nodes[*k].kind, NodeKind::Scalar { text, .. } if text == key)
            }),
            _ => None,
        }
    }

    /// Reads a node as Kubernetes reads it (YAML 1.1 scalars, merge keys, aliases expanded).
    pub fn value(&self, id: NodeId) -> Result<Value, SyntaxError> {
        // The budget counts nodes read through aliases beyond the document's
        // own: a 1M-item list is read, an alias bomb is refused.
        let mut budget = MAX_EXPANDED_NODES + self.nodes.len();
        let v = self.value_in(id, &mut budget, 0)?;
        if let Some(what) = late_key(&v) {
            let what = what.to_string();
            let at = self.nodes.iter().find_map(|n| match &n.kind {
                NodeKind::Map { entries, .. } => entries.iter().find_map(|(k, _)| {
                    let NodeKind::Scalar { text, style, tag } = &self.node(*k).kind else {
                        return None;
                    };
                    let r = resolve_scalar(text, *style == ScalarStyle::Plain, tag.as_deref());
                    matches!(r, Ok(Decoded::Resolved(Resolved::Null | Resolved::Uint(_))))
                        .then_some(self.nodes[*k].start)
                }),
                _ => None,
            });
            return Err(SyntaxError {
                message: format!("unsupported map key ({what})"),
                offset: at.unwrap_or(self.nodes[id].start),
            });
        }
        // sigs.k8s.io/yaml converts to JSON, which has no NaN or infinity: a
        // `.nan` or `.inf` that survives (not overridden by a later key) is refused.
        if has_non_finite(&v) {
            let at = self.nodes.iter().find(|n| {
                matches!(&n.kind, NodeKind::Scalar { text, style, tag }
                    if matches!(scalar_value(text, *style, tag.as_deref()), Ok(Value::Float(f)) if !f.is_finite()))
            });
            let (text, offset) = match at {
                Some(
                    n @ Node {
                        kind: NodeKind::Scalar { text, .. },
                        ..
                    },
                ) => (text.as_str(), n.start),
                _ => ("", self.nodes[id].start),
            };
            return Err(SyntaxError {
                message: format!(
                    "`{text}` is not a number JSON can hold (Kubernetes refuses it: json: unsupported value)"
                ),
                offset,
            });
        }
        Ok(v)
    }

    fn value_in(&self, id: NodeId, budget: &mut usize, depth: usize) -> Result<Value, SyntaxError> {
        let node = &self.nodes[id];
        if *budget == 0 || depth > MAX_DEPTH {
            return Err(SyntaxError {
                message: "aliases expand to too many nodes (a YAML alias bomb?)".into(),
                offset: node.start,
            });
        }
        *budget -= 1;
        Ok(match &node.kind {
            NodeKind::Alias(t) => self.value_in(*t, budget, depth + 1)?,
            NodeKind::Scalar { text, style, tag } => {
                let v =
                    scalar_value(text, *style, tag.as_deref()).map_err(|message| SyntaxError {
                        message,
                        offset: node.start,
                    })?;
                v
            }
            NodeKind::Seq { items, .. } => Value::Seq(
                items
                    .iter()
                    .map(|i| self.value_in(*i, budget, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            NodeKind::Map { entries, .. } => self.map_value(entries, budget, depth)?,
        })
    }

    /// A mapping's value. go-yaml v2 decodes entries in document order into
    /// one map: a later key, or a later merge, overrides an earlier one.
    fn map_value(
        &self,
        entries: &[(NodeId, NodeId)],
        budget: &mut usize,
        depth: usize,
    ) -> Result<Value, SyntaxError> {
        let mut out = MapBuilder::with_capacity(entries.len());
        for (k, v) in entries {
            if self.is_merge_key(*k) {
                for src in self.merge_sources(*v)?.into_iter().rev() {
                    // Earlier sources of a merge list win: they are applied last.
                    let Value::Map(m) = self.value_in(src, budget, depth + 1)? else {
                        unreachable!("merge_sources returns mappings")
                    };
                    for (mk, mv) in m {
                        out.set(mk, mv);
                    }
                }
                continue;
            }
            let key = self.key_string(*k, budget, depth + 1)?;
            let val = self.value_in(*v, budget, depth + 1)?;
            out.set(key, val);
        }
        Ok(Value::Map(out.entries))
    }

    /// go-yaml v2's `isMerge`: a `<<` that is plain (or under the non-specific
    /// tag `!`), or tagged `!!merge`.
    fn is_merge_key(&self, k: NodeId) -> bool {
        let NodeKind::Scalar { text, style, tag } = &self.nodes[k].kind else {
            return false;
        };
        let implicit = *style == ScalarStyle::Plain && matches!(tag.as_deref(), None | Some("!"));
        text == "<<"
            && (implicit
                || tag.as_deref().and_then(|t| t.strip_prefix(CORE_TAG_PREFIX)) == Some("merge"))
    }

    /// The mappings a merge key's value merges in, in document order; go-yaml v2
    /// refuses anything but a mapping or a list of mappings (aliases followed).
    fn merge_sources(&self, v: NodeId) -> Result<Vec<NodeId>, SyntaxError> {
        let bad = || SyntaxError {
            message: "map merge requires map or sequence of maps as the value".into(),
            offset: self.nodes[v].start,
        };
        let is_map = |id: NodeId| matches!(self.node(id).kind, NodeKind::Map { .. });
        match &self.nodes[v].kind {
            NodeKind::Seq { items, .. } => {
                // A list's items may be aliases to mappings, not lists of lists.
                if items.iter().all(|&i| is_map(i)) {
                    Ok(items.clone())
                } else {
                    Err(bad())
                }
            }
            _ if is_map(v) => Ok(vec![v]),
            _ => Err(bad()),
        }
    }

    /// A map key as sigs.k8s.io/yaml turns it into a JSON key; `Err` for the
    /// keys it refuses (null, integers beyond i64, lists, maps).
    fn key_string(
        &self,
        k: NodeId,
        budget: &mut usize,
        depth: usize,
    ) -> Result<String, SyntaxError> {
        let node = self.node(k);
        let refuse = |what: &str| SyntaxError {
            message: format!("unsupported map key ({what})"),
            offset: self.nodes[k].start,
        };
        let NodeKind::Scalar { text, style, tag } = &node.kind else {
            // Reads the collection for the alias budget's sake, then refuses it.
            self.value_in(k, budget, depth)?;
            return Err(refuse("a list or a map"));
        };
        *budget = budget.saturating_sub(1);
        let decoded = resolve_scalar(text, *style == ScalarStyle::Plain, tag.as_deref()).map_err(
            |message| SyntaxError {
                message,
                offset: node.start,
            },
        )?;
        Ok(match decoded {
            Decoded::Binary(s) => s,
            Decoded::Resolved(r) => match r {
                Resolved::Str | Resolved::Merge => text.clone(),
                // Refused only if still there once later keys have overridden
                // it: sigs.k8s.io/yaml refuses it when converting to JSON.
                Resolved::Null => format!("{LATE_KEY}null"),
                Resolved::Uint(_) => format!("{LATE_KEY}an integer beyond int64"),
                Resolved::Bool(b) => b.to_string(),
                Resolved::Int(i) => i.to_string(),
                Resolved::Float(f) => format_float_key(f),
            },
        })
    }
}

impl Builder<'_> {
    fn event(&mut self, ev: Event, start: usize, end: usize) -> Result<(), SyntaxError> {
        let prev_end = std::mem::replace(&mut self.last_end, end);
        match ev {
            Event::DocumentStart(version) => {
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
                        message:
                            "found incompatible YAML document (go-yaml v2 reads `%YAML 1.1` only)"
                                .into(),
                        offset: start,
                    });
                }
                Ok(())
            }
            Event::Scalar {
                anchor,
                tag,
                value,
                style,
            } => {
                self.check_go_yaml_syntax(style, tag.is_some(), start, end)?;
                let (start, end) = self.scalar_span(
                    style,
                    &value,
                    anchor.is_some() || tag.is_some(),
                    prev_end,
                    start,
                    end,
                );
                if style == ScalarStyle::Plain
                    && value.is_empty()
                    && anchor.is_none()
                    && tag.is_none()
                {
                    // Keep the next event's search from starting past this point.
                    self.last_end = end;
                }
                let kind = NodeKind::Scalar {
                    text: value,
                    style,
                    tag,
                };
                self.add(kind, anchor, start, end)
            }
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
fn past_line_comment(text: &str, from: usize) -> usize {
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

/// The value of a scalar, as go-yaml v2 reads it into `interface{}`; `tag` in
/// full (`tag:yaml.org,2002:int`). `Err` when go-yaml refuses it (`!!int yes`).
pub fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    let resolved = match resolve_scalar(text, style == ScalarStyle::Plain, tag)? {
        Decoded::Binary(s) => return Ok(Value::Str(s)),
        Decoded::Resolved(r) => r,
    };
    Ok(match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Uint(u) => Value::Float(u as f64),
        Resolved::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(f as i64),
        Resolved::Float(f) => Value::Float(f),
        Resolved::Merge | Resolved::Str => Value::Str(text.to_string()),
    })
}

/// Builds a map's entries in order, a later key replacing an earlier one in
/// place: a linear scan for small maps, a hash index past a few keys (a
/// 100k-key ConfigMap is read in linear time).
struct MapBuilder {
    entries: Vec<(String, Value)>,
    index: Option<std::collections::HashMap<String, usize>>,
}

impl MapBuilder {
    const INDEX_FROM: usize = 16;

    fn with_capacity(n: usize) -> MapBuilder {
        MapBuilder {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    fn set(&mut self, key: String, v: Value) {
        if self.index.is_none() && self.entries.len() >= Self::INDEX_FROM {
            let mut index = std::collections::HashMap::with_capacity(self.entries.len() * 2);
            for (i, (k, _)) in self.entries.iter().enumerate() {
                index.insert(k.clone(), i);
            }
            self.index = Some(index);
        }
        let slot = match &self.index {
            Some(index) => index.get(&key).copied(),
            None => self.entries.iter().position(|(k, _)| *k == key),
        };
        match slot {
            Some(i) => self.entries[i].1 = v,
            None => {
                if let Some(index) = &mut self.index {
                    index.insert(key.clone(), self.entries.len());
                }
                self.entries.push((key, v));
            }
        }
    }
}

/// Marks a map key that sigs.k8s.io/yaml cannot write as JSON (YAML text
/// cannot hold a NUL, so no real key starts so).
const LATE_KEY: &str = "\0";

/// What the first key marked [`LATE_KEY`] is, if the value holds one.
fn late_key(v: &Value) -> Option<&str> {
    match v {
        Value::Seq(items) => items.iter().find_map(late_key),
        Value::Map(m) => m
            .iter()
            .find_map(|(k, v)| k.strip_prefix(LATE_KEY).or_else(|| late_key(v))),
        _ => None,
    }
}

/// Whether a value holds a NaN or an infinity.
fn has_non_finite(v: &Value) -> bool {
    match v {
        Value::Float(f) => !f.is_finite(),
        Value::Seq(items) => items.iter().any(has_non_finite),
        Value::Map(m) => m.iter().any(|(_, v)| has_non_finite(v)),
        _ => false,
    }
}

/// A float map key as sigs.k8s.io/yaml writes it: Go's
/// `strconv.FormatFloat(f, 'g', -1, 32)` (shortest float32 digits, exponent
/// form below 1e-4 or from 1e6 on), with `.inf`, `-.inf` and `.nan`.
fn format_float_key(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: `d[.ddd]e[-]x`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` writes an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes an integer exponent");
    let digits = mantissa.replace('.', "");
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (d0, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{d0}{dot}{rest}e{esign}{:02}", exp.abs());
    }
    // Plain form: the digits with the point moved `exp` places.
    let point = exp + 1;
    let s = if point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    format!("{sign}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_kubernetes() {
        let t = Tree::parse("a: 0755\nb: 'on'\nc: &x {d: yes}\ne: *x\nf:\n  <<: *x\n  g: 1_000\n")
            .unwrap();
        let v = t.value(t.root.unwrap()).unwrap();
        assert_eq!(v.get("a"), Some(&Value::Int(493)));
        assert_eq!(v.get("b"), Some(&Value::str("on")));
        assert_eq!(v.at(&["e", "d"]), Some(&Value::Bool(true)));
        assert_eq!(v.at(&["f", "d"]), Some(&Value::Bool(true)));
        assert_eq!(v.at(&["f", "g"]), Some(&Value::Int(1000)));
    }

    #[test]
    fn spans_are_bytes() {
        let src = "a: é\nb: |\n  x\n  y\n\nc: [1, 2]\n";
        let t = Tree::parse(src).unwrap();
        let r = t.root.unwrap();
        let b = t.get(r, "b").unwrap();
        assert_eq!(&src[t.nodes[b].start..t.nodes[b].end], "|\n  x\n  y");
        let c = t.get(r, "c").unwrap();
        assert_eq!(&src[t.nodes[c].start..t.nodes[c].end], "[1, 2]");
        assert_eq!(t.nodes[r].end, t.nodes[c].end);
    }

    fn span<'a>(src: &'a str, t: &Tree, path: &[&str]) -> &'a str {
        let id = path
            .iter()
            .fold(t.root.unwrap(), |n, k| t.get(n, k).unwrap());
        &src[t.nodes[id].start..t.nodes[id].end]
    }

    #[test]
    fn flow_spans_end_at_their_bracket() {
        let src = "a: {x: 1} # c\nb: [y]   \nc: {x: 1, # c\n  }  # d\nd: [[e] , f ,] # x\n";
        let t = Tree::parse(src).unwrap();
        assert_eq!(span(src, &t, &["a"]), "{x: 1}");
        assert_eq!(span(src, &t, &["b"]), "[y]");
        assert_eq!(span(src, &t, &["c"]), "{x: 1, # c\n  }");
        assert_eq!(span(src, &t, &["d"]), "[[e] , f ,]");
    }

    #[test]
    fn a_block_list_of_flow_lists_is_a_block_list() {
        for src in ["a:\n- [k]\n- y\n", "a:\n  - [k]\n", "a: &x !t\n- {k: v}\n"] {
            let t = Tree::parse(src).unwrap();
            let a = t.get(t.root.unwrap(), "a").unwrap();
            assert!(
                matches!(t.nodes[a].kind, NodeKind::Seq { flow: false, .. }),
                "{src:?}"
            );
        }
        let t = Tree::parse("a: &x\n  [k]\n").unwrap();
        let a = t.get(t.root.unwrap(), "a").unwrap();
        assert!(matches!(t.nodes[a].kind, NodeKind::Seq { flow: true, .. }));
    }

    #[test]
    fn block_scalars_start_at_their_header() {
        let src =
            "a:\n- |\n\n  x\n- |2 # c|\n   y\n- |\n- >-\n\n- !!str &q |\n  z\nb: # c>\n  >+\n  w\n";
        let t = Tree::parse(src).unwrap();
        let a = t.get(t.root.unwrap(), "a").unwrap();
        let NodeKind::Seq { items, .. } = &t.nodes[a].kind else {
            panic!()
        };
        let spans: Vec<&str> = items
            .iter()
            .map(|&i| &src[t.nodes[i].start..t.nodes[i].end])
            .collect();
        assert_eq!(
            spans,
            ["|\n\n  x", "|2 # c|\n   y", "|", ">-", "!!str &q |\n  z"]
        );
        assert_eq!(span(src, &t, &["b"]), ">+\n  w");
    }

    fn read(src: &str) -> Result<serde_json::Value, SyntaxError> {
        let t = Tree::parse(src).unwrap();
        t.value(t.root.unwrap()).map(|v| v.to_json())
    }

    #[test]
    fn tags_are_read_as_kubernetes_does() {
        let v = read("a: !!int \"0755\"\nb: !!binary aGVsbG8=\nc: !<tag:yaml.org,2002:bool> 'on'\nd: !foo 1\ne: ! 1\n").unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": 493, "b": "hello", "c": true, "d": "1", "e": "1"})
        );
        assert!(read("a: !!int yes\n").is_err());
    }

    #[test]
    fn merges_apply_in_document_order() {
        let v = read("a: &a {x: 1}\nb: {x: 0, <<: [*a, {x: 2, w: 3}], z: 4}\nc: {<<: *a, x: 5}\nd: {!!merge \"<<\": *a}\ne: {\"<<\": 1}\n").unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": {"x": 1}, "b": {"x": 1, "w": 3, "z": 4}, "c": {"x": 5}, "d": {"x": 1}, "e": {"<<": 1}})
        );
        for bad in [
            "a: {<<: 1}\n",
            "a: {<<: ~}\n",
            "a: &a [1]\nb: {<<: *a}\n",
            "a: {<<: [[{}]]}\n",
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn keys_are_written_as_sigs_k8s_io_yaml_does() {
        let v = read("1e6: a\n1.0: b\n0.0001: c\n0.00001: d\n16777217.0: e\n-2.5: f\n.inf: g\n-.nan: h\n.NaN: i\nyes: j\n0x1F: k\n").unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let mut want = vec![
            "1e+06",
            "1",
            "0.0001",
            "1e-05",
            "1.6777216e+07",
            "-2.5",
            ".inf",
            "-.nan",
            ".nan",
            "true",
            "31",
        ];
        want.sort();
        assert_eq!(keys, want);
        for bad in [
            "~: 1\n",
            "18446744073709551615: 1\n",
            "[a]: 1\n",
            "{a: 1}: 1\n",
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let src = "[".repeat(20_000);
        assert!(Tree::parse(&src).is_err());
        let src: String = (0..20_000)
            .map(|i| format!("{}- \n", " ".repeat(i % 50)))
            .collect();
        let _ = Tree::parse(&src);
    }

    #[test]
    fn big_maps_and_lists_read_in_linear_time() {
        // 100k keys, a later duplicate replacing an earlier value in place.
        let mut src: String = (0..100_000).map(|i| format!("k{i}: {i}\n")).collect();
        src.push_str("k7: last\n");
        let t = Tree::parse(&src).unwrap();
        let v = t.value(t.root.unwrap()).unwrap();
        assert_eq!(v.entries().len(), 100_000);
        assert_eq!(v.entries()[7], ("k7".to_string(), Value::str("last")));
        // A long list is not an alias bomb.
        let src = format!("[{}]", vec!["1"; 1_200_000].join(","));
        let t = Tree::parse(&src).unwrap();
        assert_eq!(t.value(t.root.unwrap()).unwrap().items().len(), 1_200_000);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let t = Tree::parse(&src).unwrap();
        assert!(t.value(t.root.unwrap()).is_err());
    }
}
