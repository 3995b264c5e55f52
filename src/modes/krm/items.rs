//! The items of a ResourceList: cut out of the input as standalone documents,
//! checked, and described for results (`resourceRef`, `file`).

use std::ops::Range;

use crate::modes::krm::FILE_ANNOTATIONS;
use crate::yaml::value::Text;
use crate::yaml::{NodeId, NodeKind, Tree, Value};

/// One item of the input (its text is in [`Joined`]).
#[derive(Debug, PartialEq)]
pub(crate) struct Item {
    /// Its `resourceRef` and `file` for results (its value is not kept: a big
    /// list's items would all be held through the rewrite).
    pub(crate) reference: Option<Ref>,
    pub(crate) file: Option<Value>,
    /// Why it cannot be rewritten: its value could not be read (an alias
    /// bomb, …: "invalid YAML"), or it is not a Kubernetes object ([`check_item`]).
    pub(crate) problem: Option<Box<str>>,
    /// Input line of its first line, and the column its content starts at (0-based).
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Cuts a node out of the input as a standalone document body. Block nodes
/// keep their text, shifted left by their column; flow nodes (JSON input) are
/// written out in block style from their value.
/// `lines`: where the previous item was, so that finding an item's line costs
/// a scan from there, not from the start (items come in order).
/// `whole`: the tree holds the node's children; a tree from [`Tree::parse_cut`]
/// does not, and a block mapping is read from its own text.
pub(crate) fn item_text(
    tree: &Tree,
    id: NodeId,
    text: &str,
    lines: &mut Lines,
    whole: bool,
) -> (Item, String) {
    let node = tree.node(id);
    let (line, line_start) = lines.at(text, node.start);
    let column = text[line_start..node.start].chars().count();
    let block = matches!(node.kind, NodeKind::Map { flow: false, .. })
        .then(|| shifted(&text[node.start..node.end], column));
    let read = match &block {
        Some(body) if !whole => Tree::read_value(body).map(|v| v.unwrap_or(Value::Null)),
        _ => tree.value(id),
    };
    let (value, invalid) = match read {
        Ok(v) => (v, None),
        Err(e) => (Value::Null, Some(format!("invalid YAML: {}", e.message))),
    };
    let body = block.unwrap_or_else(|| value.to_document());
    let item = Item {
        reference: Ref::of(&value),
        file: file_of(&value),
        problem: invalid.or_else(|| check_item(&value).err()).map(Into::into),
        line,
        column,
    };
    (item, body)
}

/// The items' texts as one stream, each a document after a `---` line (the
/// stream [`crate::stream::join`] makes of them), and where each text is in
/// it. A text goes there as it is read: every item's text beside the stream
/// was part of a 20k-item list's peak.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Joined {
    /// The stream.
    pub(crate) stream: String,
    /// Where each item's text is in it.
    ranges: Vec<Range<usize>>,
}

impl Joined {
    /// Room for `items` items of `bytes` bytes in all (more may come).
    pub(crate) fn with_capacity(bytes: usize, items: usize) -> Joined {
        Joined {
            stream: String::with_capacity(bytes + 5 * items),
            ranges: Vec::with_capacity(items),
        }
    }

    /// Adds an item's text.
    pub(crate) fn push(&mut self, text: &str) {
        if !self.stream.is_empty() && !crate::stream::ends_with_break(&self.stream) {
            self.stream.push('\n');
        }
        self.stream.push_str("---\n");
        self.ranges
            .push(self.stream.len()..self.stream.len() + text.len());
        self.stream.push_str(text);
    }

    /// Every item's text, in order.
    pub(crate) fn texts(&self) -> Vec<&str> {
        self.ranges
            .iter()
            .map(|r| &self.stream[r.clone()])
            .collect()
    }
}

/// A block node's text as a document of its own: its lines after the first
/// shifted left by `column` (fewer when they have fewer spaces).
fn shifted(node_text: &str, column: usize) -> String {
    let mut out = String::with_capacity(node_text.len() + 1);
    for (k, l) in node_text.split('\n').enumerate() {
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
}

/// A place in a text and its line, moved forward as items are read (a list
/// of every line's offset was a megabyte on a 20k-item list).
#[derive(Debug, Default)]
pub(crate) struct Lines {
    /// A byte offset, the 1-based line it is on, and where that line starts.
    offset: usize,
    line: usize,
    line_start: usize,
}

impl Lines {
    /// The 1-based line of byte `offset` of `text`, and where that line starts.
    pub(crate) fn at(&mut self, text: &str, offset: usize) -> (usize, usize) {
        if offset < self.offset || self.line == 0 {
            *self = Lines {
                offset: 0,
                line: 1,
                line_start: 0,
            };
        }
        let between = &text.as_bytes()[self.offset..offset];
        self.line += memchr::memchr_iter(b'\n', between).count();
        if let Some(k) = memchr::memrchr(b'\n', between) {
            self.line_start = self.offset + k + 1;
        }
        self.offset = offset;
        (self.line, self.line_start)
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

/// The fields of a `resourceRef`: key, and path in the object.
const REF_FIELDS: [(&str, &[&str]); 4] = [
    ("apiVersion", &["apiVersion"]),
    ("kind", &["kind"]),
    ("name", &["metadata", "name"]),
    ("namespace", &["metadata", "namespace"]),
];

/// An item's `resourceRef`, as its strings ([`REF_FIELDS`] in order): short
/// ones inline, where a [`Value`] map of them was a few allocations an item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ref([Option<Text>; 4]);

impl Ref {
    /// The `resourceRef` of an object, when it has one of the fields.
    pub(crate) fn of(v: &Value) -> Option<Ref> {
        let field = |path: &[&str]| v.at(path).and_then(Value::as_str).map(Text::from);
        let fields = REF_FIELDS.map(|(_, path)| field(path));
        fields.iter().any(Option::is_some).then_some(Ref(fields))
    }

    /// As written in a result.
    pub(crate) fn to_value(&self) -> Value {
        let set = REF_FIELDS.iter().zip(&self.0);
        Value::map(set.filter_map(|((key, _), s)| Some((*key, Value::Str(s.clone()?)))))
    }
}

/// `resourceRef` of an object.
pub(crate) fn resource_ref(v: &Value) -> Option<Value> {
    Ref::of(v).map(|r| r.to_value())
}

/// An annotation's string value (strings only: a KRM function sees annotations as strings).
pub(crate) fn annotation<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
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

/// Where kyaml files an object that has no path: `[namespace/]kind_name.yaml`.
pub(crate) fn default_path(v: &Value) -> String {
    let s = |p: &[&str]| v.at(p).and_then(Value::as_str).unwrap_or("");
    let file = format!("{}_{}.yaml", s(&["kind"]), s(&["metadata", "name"])).to_ascii_lowercase();
    match s(&["metadata", "namespace"]) {
        "" => file,
        ns => format!("{ns}/{file}"),
    }
}
