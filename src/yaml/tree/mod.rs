//! A read-only syntax tree of one YAML document with byte spans, built from
//! libyaml's events. It is what the edit layer aims at; values are read
//! through it with Kubernetes' (YAML 1.1) rules.

pub use super::libyaml::ScalarStyle;

pub use read::scalar_value;

use crate::yaml::value::Value;

mod build;
mod fast;
mod read;

/// Index of a node in a [`Tree`].
pub type NodeId = usize;

const BOM: &str = "\u{feff}";

/// Deepest nesting premigrate reads; deeper documents are refused, never a stack overflow.
pub const MAX_DEPTH: usize = 256;
/// Most nodes that reading a document may visit, aliases expanded: refuses alias bombs.
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// One node with its span in the document text (byte offsets).
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar with its decoded text.
    Scalar {
        /// The decoded text (short ones inline: see [`crate::yaml::value::Text`]).
        text: crate::yaml::value::Text,
        /// Plain, quoted or block.
        style: ScalarStyle,
        /// An explicit tag in full, as the parser resolves it: `!!str` is
        /// `tag:yaml.org,2002:str`, `!foo` is `!foo`, the non-specific tag is `!`.
        tag: Option<Box<str>>,
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
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// All nodes; children after parents.
    pub nodes: Vec<Node>,
    /// The top node, if the document is not empty.
    pub root: Option<NodeId>,
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
                        *text = text.replace(ph, BOM).into();
                    }
                    if let Some(t) = tag.as_mut().filter(|t| t.contains(ph)) {
                        *t = t.replace(ph, BOM).into();
                    }
                }
            }
            return Ok(tree);
        }
        Self::parse_raw(text)
    }

    /// The fast reader when the document is in its subset, else libyaml.
    fn parse_raw(text: &str) -> Result<Tree, SyntaxError> {
        if let Some(tree) = fast::build(text) {
            debug_assert_eq!(
                Ok(&tree),
                build::build(text).as_ref(),
                "the fast reader differs from libyaml on {text:?}"
            );
            return Ok(tree);
        }
        build::build(text)
    }

    /// Parses with libyaml alone (the reference the fast reader is checked against).
    pub fn parse_with_libyaml(text: &str) -> Result<Tree, SyntaxError> {
        build::build(text)
    }

    /// Parses with the fast reader alone: `None` when the text is outside its subset.
    pub fn parse_fast(text: &str) -> Option<Tree> {
        fast::build(text)
    }

    /// The tree of a document body but for what is below the items of its root
    /// mapping's `key` list: each item is a node with its span, a block mapping
    /// item one without its entries (read it from its own text). `None` when
    /// the fast reader cannot read the text or an item is a list or a flow
    /// mapping: then parse it whole. Debug builds check the items against libyaml's tree.
    pub fn parse_cut(text: &str, key: &'static str) -> Option<Tree> {
        let tree = fast::build_cut(text, key)?;
        debug_assert_eq!(
            Some(cut_items(&tree, key)),
            build::build(text).ok().map(|t| cut_items(&t, key)),
            "the cut tree's items differ from libyaml's on {text:?}"
        );
        Some(tree)
    }

    /// The value of a document body, read by the fast reader straight from the
    /// text without a tree: `None` when the text is outside its subset or its
    /// value needs a closer look (then parse it and read [`Tree::value`], which
    /// also says what is wrong). Debug builds check it against libyaml's tree.
    pub fn fast_value(text: &str) -> Option<Value> {
        let v = fast::value(text)?;
        debug_assert_eq!(
            Some(&v),
            build::build(text)
                .ok()
                .and_then(|t| t.value(t.root?).ok())
                .as_ref(),
            "the fast reader's value differs from libyaml's on {text:?}"
        );
        Some(v)
    }

    /// The value of a document body (`None`: an empty document): straight from
    /// the text when the fast reader can, else through its tree.
    pub fn read_value(text: &str) -> Result<Option<Value>, SyntaxError> {
        if let Some(v) = Self::fast_value(text) {
            return Ok(Some(v));
        }
        let tree = Tree::parse(text)?;
        tree.root.map(|r| tree.value(r)).transpose()
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
}

/// The spans and kinds of the items of the root's `key` list (for checks).
fn cut_items(tree: &Tree, key: &str) -> Vec<(usize, usize, &'static str)> {
    let items = match tree
        .root
        .and_then(|r| tree.get(r, key))
        .map(|l| &tree.nodes[l].kind)
    {
        Some(NodeKind::Seq { items, .. }) => items.as_slice(),
        _ => &[],
    };
    items
        .iter()
        .map(|&i| {
            let n = &tree.nodes[i];
            let kind = match n.kind {
                NodeKind::Scalar { .. } => "scalar",
                NodeKind::Seq { .. } => "seq",
                NodeKind::Map { .. } => "map",
                NodeKind::Alias(_) => "alias",
            };
            (n.start, n.end, kind)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::value::Value;

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
    fn a_cut_tree_keeps_the_items_spans_and_the_rest_whole() {
        let src = "apiVersion: v1\nkind: ResourceList\nitems:\n- kind: A\n  spec:\n    x: [1, 2]\n- b\n-   c: {}\nfunctionConfig:\n  data:\n    items:\n    - k: v\n";
        let cut = Tree::parse_cut(src, "items").unwrap();
        let whole = Tree::parse(src).unwrap();
        assert_eq!(cut_items(&cut, "items"), cut_items(&whole, "items"));
        let texts: Vec<(&str, &str)> = cut_items(&cut, "items")
            .into_iter()
            .map(|(start, end, kind)| (&src[start..end], kind))
            .collect();
        assert_eq!(
            texts,
            [
                ("kind: A\n  spec:\n    x: [1, 2]", "map"),
                ("b", "scalar"),
                ("c: {}", "map")
            ]
        );
        // What is below an item is left out; the rest reads as the whole tree.
        let list = cut.get(cut.root.unwrap(), "items").unwrap();
        let NodeKind::Seq { items, .. } = &cut.nodes[list].kind else {
            panic!()
        };
        assert!(
            matches!(&cut.nodes[items[0]].kind, NodeKind::Map { entries, .. } if entries.is_empty())
        );
        assert!(cut.nodes.len() < whole.nodes.len());
        let fc = |t: &Tree| t.value(t.get(t.root.unwrap(), "functionConfig").unwrap());
        assert_eq!(fc(&cut), fc(&whole));
        // An item that is a list is written out from its value: no cut.
        assert!(Tree::parse_cut("items:\n- [a, b]\n", "items").is_none());
        assert!(Tree::parse_cut("items:\n-\n  - a\n", "items").is_none());
        // Only the root's list is cut.
        let nested = "a:\n  items:\n  - b: 1\n";
        assert_eq!(Tree::parse_cut(nested, "items"), Tree::parse(nested).ok());
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
        assert_eq!(v.entries()[7], ("k7".into(), Value::str("last")));
        // A long list is not an alias bomb.
        let src = format!("[{}]", vec!["1"; 1_200_000].join(","));
        let t = Tree::parse(&src).unwrap();
        assert_eq!(t.value(t.root.unwrap()).unwrap().items().len(), 1_200_000);
    }

    #[test]
    fn nodes_and_values_stay_small() {
        // A big document is held as one node per scalar and collection, and
        // its value as one `Value` per item: their sizes are the memory bound.
        assert!(
            std::mem::size_of::<Node>() <= 64,
            "{}",
            std::mem::size_of::<Node>()
        );
        // A value and a map entry: two and four words.
        assert_eq!(std::mem::size_of::<Value>(), 16);
        assert_eq!(std::mem::size_of::<(crate::yaml::value::Text, Value)>(), 32);
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
