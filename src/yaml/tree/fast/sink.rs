//! What the fast reader makes of what it reads: the nodes of a
//! [`Tree`](crate::yaml::Tree) (spans and all, as libyaml's events build them),
//! or the [`Value`] Kubernetes reads, straight from the text. A document
//! premigrate only reads needs no tree: building one first cost about as much
//! again as reading it, and a tree is ~15 bytes a byte of YAML while the value
//! is held.

use super::super::read::{key_text, resolved_value, MapBuilder};
use super::super::{Node, NodeId, NodeKind, ScalarStyle};
use crate::yaml::scalar::resolve_plain;
use crate::yaml::value::{List, Text, Value};

/// The receiving end of the fast reader. A `None` gives up: the document is
/// then read the slow way (libyaml's tree, then its value), which also says
/// what is wrong when something is.
pub(super) trait Sink {
    /// A node read.
    type Node;
    /// A map key read.
    type Key;
    /// A collection starts at `start`; its slot, for [`Sink::seq`] or [`Sink::map`]
    /// (a tree places a parent before its children, as libyaml does).
    fn open(&mut self, start: usize) -> usize;
    /// A scalar.
    fn scalar(&mut self, s: Scalar) -> Option<Self::Node>;
    /// A map key.
    fn key(&mut self, s: Scalar) -> Option<Self::Key>;
    /// The sequence opened at `slot`, ending at `end`.
    fn seq(&mut self, slot: usize, items: List<Self::Node>, flow: bool, end: usize) -> Self::Node;
    /// The mapping opened at `slot`, ending at `end`.
    fn map(
        &mut self,
        slot: usize,
        entries: List<(Self::Key, Self::Node)>,
        flow: bool,
        end: usize,
    ) -> Self::Node;
}

/// A scalar read: its decoded text, its style and its span.
pub(super) struct Scalar {
    pub(super) text: Text,
    pub(super) style: ScalarStyle,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Builds the nodes of a [`Tree`](crate::yaml::Tree).
pub(super) struct Nodes(pub(super) Vec<Node>);

impl Nodes {
    fn push(&mut self, kind: NodeKind, start: usize, end: usize) -> NodeId {
        self.0.push(Node { kind, start, end });
        self.0.len() - 1
    }
}

impl Sink for Nodes {
    type Node = NodeId;
    type Key = NodeId;

    fn open(&mut self, start: usize) -> usize {
        self.push(NodeKind::Alias(0), start, start)
    }

    fn scalar(&mut self, s: Scalar) -> Option<NodeId> {
        let kind = NodeKind::Scalar {
            text: s.text,
            style: s.style,
            tag: None,
        };
        Some(self.push(kind, s.start, s.end))
    }

    fn key(&mut self, s: Scalar) -> Option<NodeId> {
        self.scalar(s)
    }

    fn seq(&mut self, slot: usize, items: List<NodeId>, flow: bool, end: usize) -> NodeId {
        self.0[slot].kind = NodeKind::Seq {
            items: items.into(),
            flow,
        };
        self.0[slot].end = end;
        slot
    }

    fn map(
        &mut self,
        slot: usize,
        entries: List<(NodeId, NodeId)>,
        flow: bool,
        end: usize,
    ) -> NodeId {
        self.0[slot].kind = NodeKind::Map {
            entries: entries.into(),
            flow,
        };
        self.0[slot].end = end;
        slot
    }
}

/// Builds the [`Value`], as [`super::super::Tree::value`] reads it from the
/// tree. What that reading may refuse or mark (a NaN or an infinity, a null
/// or uint64 key) gives up here, so that its error comes from one place.
pub(super) struct Values;

impl Sink for Values {
    type Node = Value;
    type Key = Text;

    fn open(&mut self, _: usize) -> usize {
        0
    }

    fn scalar(&mut self, s: Scalar) -> Option<Value> {
        if s.style != ScalarStyle::Plain {
            // Untagged quoted and block scalars are strings.
            return Some(Value::Str(s.text));
        }
        match resolved_value(resolve_plain(&s.text), || s.text) {
            Value::Float(f) if !f.is_finite() => None,
            v => Some(v),
        }
    }

    fn key(&mut self, s: Scalar) -> Option<Text> {
        if s.style != ScalarStyle::Plain {
            return Some(s.text);
        }
        key_text(s.text)
    }

    fn seq(&mut self, _: usize, items: List<Value>, _: bool, _: usize) -> Value {
        Value::Seq(items)
    }

    fn map(&mut self, _: usize, entries: List<(Text, Value)>, _: bool, _: usize) -> Value {
        if !has_duplicate_key(&entries) {
            return Value::Map(entries);
        }
        // A later key replaces an earlier one in place, as go-yaml v2 decodes.
        let mut out = MapBuilder::with_capacity(entries.len());
        for (k, v) in entries {
            out.set(k, v);
        }
        Value::Map(out.into_entries().into())
    }
}

/// Whether a key appears twice (a hash set past a few keys: linear time on a 100k-key map).
fn has_duplicate_key(entries: &[(Text, Value)]) -> bool {
    if entries.len() <= MapBuilder::INDEX_FROM {
        return entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries[..i].iter().any(|(e, _)| e == k));
    }
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    !entries.iter().all(|(k, _)| seen.insert(k.as_str()))
}

/// A node left out of a [`Cut`] tree (never an index of its nodes).
const LEFT_OUT: NodeId = NodeId::MAX;

/// Builds the nodes of a [`Tree`](crate::yaml::Tree) but for what is below
/// the items of the root mapping's `key` list: each item is a node with its
/// span, a block mapping item without its entries. A KRM ResourceList's items are cut out of the text
/// by their spans and read one at a time; a tree of all of them was ~15 bytes
/// a byte of input. An item that is a list or a flow mapping (written out from
/// its value, so needed whole) makes it give up.
pub(super) struct Cut {
    pub(super) nodes: Nodes,
    /// The list's key.
    key: &'static str,
    /// Collections open.
    depth: usize,
    /// The key just read is the root's `key`.
    list_next: bool,
    /// The depth of the list while it is read.
    list_at: Option<usize>,
    /// An item is a list or a flow mapping.
    pub(super) refused: bool,
}

impl Cut {
    /// A sink cutting below the items of the root's `key` list.
    pub(super) fn new(nodes: Nodes, key: &'static str) -> Cut {
        Cut {
            nodes,
            key,
            depth: 0,
            list_next: false,
            list_at: None,
            refused: false,
        }
    }

    /// Whether a scalar whose parent is at `depth` is below an item.
    fn below_items(&self, depth: usize) -> bool {
        self.list_at.is_some_and(|l| depth > l)
    }

    /// Closes the collection at `slot`: an item loses its children (and only
    /// a block mapping may: `cut` says whether this is one).
    fn close<T>(&mut self, slot: usize, children: List<T>, cut: bool) -> Option<List<T>> {
        let depth = self.depth;
        self.depth -= 1;
        if self.list_at == Some(depth) {
            self.list_at = None;
        }
        if slot == LEFT_OUT {
            return None;
        }
        if self.list_at.is_some_and(|l| depth == l + 1) {
            self.refused |= !cut;
            return Some(List::new());
        }
        Some(children)
    }
}

impl Sink for Cut {
    type Node = NodeId;
    type Key = NodeId;

    fn open(&mut self, start: usize) -> usize {
        self.depth += 1;
        if std::mem::take(&mut self.list_next) && self.depth == 2 {
            self.list_at = Some(2);
        }
        // Items are at the list's depth + 1; what they hold, deeper.
        if self.list_at.is_some_and(|l| self.depth > l + 1) {
            return LEFT_OUT;
        }
        self.nodes.open(start)
    }

    fn scalar(&mut self, s: Scalar) -> Option<NodeId> {
        self.list_next = false;
        if self.below_items(self.depth) {
            return Some(LEFT_OUT);
        }
        self.nodes.scalar(s)
    }

    fn key(&mut self, s: Scalar) -> Option<NodeId> {
        if self.below_items(self.depth) {
            return Some(LEFT_OUT);
        }
        self.list_next = self.depth == 1 && s.text == self.key;
        self.nodes.scalar(s)
    }

    fn seq(&mut self, slot: usize, items: List<NodeId>, flow: bool, end: usize) -> NodeId {
        match self.close(slot, items, false) {
            Some(items) => self.nodes.seq(slot, items, flow, end),
            None => LEFT_OUT,
        }
    }

    fn map(
        &mut self,
        slot: usize,
        entries: List<(NodeId, NodeId)>,
        flow: bool,
        end: usize,
    ) -> NodeId {
        match self.close(slot, entries, !flow) {
            Some(entries) => self.nodes.map(slot, entries, flow, end),
            None => LEFT_OUT,
        }
    }
}
