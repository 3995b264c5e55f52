//! A read-only syntax tree of one YAML document with byte spans, built from
//! saphyr-parser's events. It is what the edit layer aims at; values are read
//! through it with Kubernetes' (YAML 1.1) rules.

use saphyr_parser::{Event, Parser, ScalarStyle};

use super::scalar::{resolve_plain, Resolved};
use super::value::Value;

/// Index of a node in a [`Tree`].
pub type NodeId = usize;

/// Deepest nesting premigrate reads; deeper documents are refused, never a stack overflow.
pub const MAX_DEPTH: usize = 256;
/// Most nodes that reading a document may visit, aliases expanded: refuses alias bombs.
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// One node with its span in the document text (byte offsets).
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// First byte of the node (anchor and tag included; block scalars start at their content).
    pub start: usize,
    /// One past the last byte of the node's content (trailing blanks excluded).
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
        /// An explicit tag such as `!!str`, as `handle` + `suffix`.
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

impl Tree {
    /// Parses one document body. A body holding more than one document is an error.
    pub fn parse(text: &str) -> Result<Tree, SyntaxError> {
        let to_byte = CharToByte::new(text);
        let mut parser = Parser::new_from_str(text);
        let mut nodes: Vec<Node> = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut anchors: Vec<(usize, NodeId)> = Vec::new();
        let mut root = None;
        let mut docs = 0;
        while let Some(ev) = parser.next_event() {
            let (ev, span) = ev.map_err(|e| SyntaxError {
                message: e.info().to_string(),
                offset: to_byte.at(e.marker().index()),
            })?;
            let (start, end) = (to_byte.at(span.start.index()), to_byte.at(span.end.index()));
            let new = match ev {
                Event::DocumentStart(_) => {
                    docs += 1;
                    if docs > 1 {
                        return Err(SyntaxError {
                            message: "a second document starts inside this one".into(),
                            offset: start,
                        });
                    }
                    continue;
                }
                Event::Scalar(decoded, style, anchor, tag) => {
                    // Block scalars' spans run over the trailing blank lines.
                    let end = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        start + text[start..end].trim_end().len()
                    } else {
                        end
                    };
                    (
                        NodeKind::Scalar {
                            text: decoded.into_owned(),
                            style,
                            tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                        },
                        anchor,
                        start,
                        end,
                    )
                }
                Event::SequenceStart(anchor, _) => (
                    NodeKind::Seq {
                        items: vec![],
                        flow: is_flow(text, start, '['),
                    },
                    anchor,
                    start,
                    end,
                ),
                Event::MappingStart(anchor, _) => (
                    NodeKind::Map {
                        entries: vec![],
                        flow: is_flow(text, start, '{'),
                    },
                    anchor,
                    start,
                    end,
                ),
                Event::Alias(anchor) => {
                    let target = anchors
                        .iter()
                        .rev()
                        .find(|(a, _)| *a == anchor)
                        .map(|(_, id)| *id)
                        .ok_or_else(|| SyntaxError {
                            message: "unknown alias".into(),
                            offset: start,
                        })?;
                    (NodeKind::Alias(target), 0, start, end)
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = stack.pop().expect("parser balances collections");
                    let flow = matches!(
                        nodes[frame.id].kind,
                        NodeKind::Seq { flow: true, .. } | NodeKind::Map { flow: true, .. }
                    );
                    let last_child = match &nodes[frame.id].kind {
                        NodeKind::Seq { items, .. } => items.last().copied(),
                        NodeKind::Map { entries, .. } => entries.last().map(|e| e.1),
                        _ => None,
                    };
                    nodes[frame.id].end = if flow {
                        end
                    } else {
                        last_child.map_or(nodes[frame.id].start, |c| nodes[c].end)
                    };
                    continue;
                }
                _ => continue,
            };
            let (kind, anchor, start, end) = new;
            let is_collection = matches!(kind, NodeKind::Seq { .. } | NodeKind::Map { .. });
            let id = nodes.len();
            nodes.push(Node { kind, start, end });
            if anchor != 0 {
                anchors.push((anchor, id));
            }
            match stack.last_mut() {
                None => root = Some(id),
                Some(frame) => match &mut nodes[frame.id].kind {
                    NodeKind::Seq { items, .. } => items.push(id),
                    NodeKind::Map { entries, .. } => match frame.pending_key.take() {
                        None => frame.pending_key = Some(id),
                        Some(k) => entries.push((k, id)),
                    },
                    _ => unreachable!("only collections are pushed"),
                },
            }
            if is_collection {
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        offset: start,
                    });
                }
                stack.push(Frame {
                    id,
                    pending_key: None,
                });
            }
        }
        Ok(Tree { nodes, root })
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
        let mut budget = MAX_EXPANDED_NODES;
        self.value_in(id, &mut budget, 0)
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
            NodeKind::Scalar { text, style, tag } => scalar_value(text, *style, tag.as_deref()),
            NodeKind::Seq { items, .. } => Value::Seq(
                items
                    .iter()
                    .map(|i| self.value_in(*i, budget, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            NodeKind::Map { entries, .. } => {
                let mut out = Value::Map(vec![]);
                let mut merged: Vec<(String, Value)> = vec![];
                for (k, v) in entries {
                    if self.is_merge_key(*k) {
                        let mv = self.value_in(*v, budget, depth + 1)?;
                        let sources = match mv {
                            Value::Seq(s) => s,
                            other => vec![other],
                        };
                        for src in sources {
                            for (mk, mval) in src.entries() {
                                if !merged.iter().any(|(k2, _)| k2 == mk) {
                                    merged.push((mk.clone(), mval.clone()));
                                }
                            }
                        }
                        continue;
                    }
                    let key = key_string(&self.value_in(*k, budget, depth + 1)?);
                    let val = self.value_in(*v, budget, depth + 1)?;
                    out.set(&key, val);
                }
                for (k, v) in merged {
                    if out.get(&k).is_none() {
                        out.set(&k, v);
                    }
                }
                out
            }
        })
    }

    fn is_merge_key(&self, k: NodeId) -> bool {
        matches!(&self.nodes[k].kind, NodeKind::Scalar { text, style: ScalarStyle::Plain, tag: None } if text == "<<")
    }
}

/// The value of a scalar, as go-yaml v2 reads it into `interface{}`.
pub fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    let resolved = match (style, tag) {
        (_, Some("!!str")) => Resolved::Str,
        (ScalarStyle::Plain, None) => resolve_plain(text),
        (_, Some("!!int" | "!!float" | "!!bool" | "!!null")) => resolve_plain(text),
        _ => Resolved::Str,
    };
    match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Uint(u) => Value::Float(u as f64),
        Resolved::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(f as i64),
        Resolved::Float(f) => Value::Float(f),
        Resolved::Merge | Resolved::Str => Value::Str(text.to_string()),
    }
}

/// A map key as sigs.k8s.io/yaml turns it into a JSON key.
fn key_string(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        other => other.to_flow(),
    }
}

/// Whether a collection starting at `start` (after any anchor or tag) opens with `open`.
fn is_flow(text: &str, start: usize, open: char) -> bool {
    let mut s = &text[start..];
    while s.starts_with('&') || s.starts_with('!') {
        s = s[s.find(char::is_whitespace).unwrap_or(s.len())..].trim_start();
    }
    s.starts_with(open)
}

/// saphyr reports character indices; this maps them to byte offsets.
struct CharToByte<'a> {
    text: &'a str,
    offsets: Option<Vec<usize>>,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        let offsets = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        CharToByte { text, offsets }
    }

    fn at(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.text.len()),
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }
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
        assert_eq!(&src[t.nodes[b].start..t.nodes[b].end], "x\n  y");
        let c = t.get(r, "c").unwrap();
        assert_eq!(&src[t.nodes[c].start..t.nodes[c].end], "[1, 2]");
        assert_eq!(t.nodes[r].end, t.nodes[c].end);
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
