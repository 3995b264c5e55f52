//! Properties, checked on generated input:
//! (i)   splitting a stream and joining its documents gives the bytes back;
//! (ii)  a text edit makes exactly the planned change to what the document reads,
//!       and so does any set of removals and inserts on one list;
//! (iii) `rewrite` is idempotent on streams with a migration Job;
//! (iv)  `rewrite` never panics, whatever the bytes.

use crate::support;

use premigrate::config::{GateStyle, Target};
use premigrate::stream::{join, Stream};
use premigrate::yaml::edit::{apply, apply_to_value, Edit, Seg};
use premigrate::yaml::{Tree, Value};
use premigrate::Config;
use proptest::prelude::*;
use proptest::test_runner::Config as PtConfig;

fn cfg(cases: u32) -> PtConfig {
    PtConfig {
        cases,
        failure_persistence: None,
        ..PtConfig::default()
    }
}

// ── (i) split + join ────────────────────────────────────────────────────────

/// Document bodies, each ending with a newline.
const SNIPPETS: &[&str] = &[
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
    "# Source: chart/templates/x.yaml\n",
    "# only a comment\n# and another\n",
    "\n",
    "",
    "a: |\n  ---\n  ...\n  --- x\nb: 1\n",
    "{\"kind\": \"Service\", \"metadata\": {\"name\": \"s\"}}\n",
    "k: [1, 2, {a: b}]\n",
    "anchor: &a {x: 0755}\nalias: *a\n",
    "text: é — 日本語 🦀\n",
    "x: \"---\"\ny: '...'\n",
    "  indented: 1\n",
    "---x: not a marker\n",
    "...x: not an end\n",
    "- item\n- other\n",
    "k: v\t# tab\n",
    "long: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
];

/// What goes before a document.
const SEPARATORS: &[&str] = &[
    "---\n",
    "--- \n",
    "---\t# c\n",
    "--- # comment\n",
    "--- |\n",
    "...\n---\n",
    "...\n",
    "",
    "---\n---\n",
    "...\n...\n",
];

fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec((0..SEPARATORS.len(), 0..SNIPPETS.len()), 0..8),
        any::<bool>(), // BOM
        any::<bool>(), // CRLF
        any::<bool>(), // drop the final newline
        any::<bool>(), // leading separator on the first document
    )
        .prop_map(|(parts, bom, crlf, chop, lead)| {
            let mut s = String::new();
            for (i, (sep, snip)) in parts.iter().enumerate() {
                if i > 0 || lead {
                    s.push_str(SEPARATORS[*sep]);
                }
                s.push_str(SNIPPETS[*snip]);
            }
            if crlf {
                s = s.replace('\n', "\r\n");
            }
            if chop {
                while s.ends_with('\n') || s.ends_with('\r') {
                    s.pop();
                }
            }
            let mut out = if bom {
                b"\xef\xbb\xbf".to_vec()
            } else {
                vec![]
            };
            out.extend_from_slice(s.as_bytes());
            out
        })
}

fn assert_split_join(input: &[u8]) -> Result<(), TestCaseError> {
    let st =
        Stream::split(input).map_err(|e| TestCaseError::fail(format!("split failed: {e:?}")))?;
    let mut covered = 0;
    for d in &st.docs {
        prop_assert_eq!(d.start, covered, "documents must tile the text");
        prop_assert!(d.end >= d.start);
        covered = d.end;
    }
    prop_assert_eq!(covered, st.text.len());
    let docs: Vec<&str> = (0..st.docs.len()).map(|i| st.doc_text(i)).collect();
    let joined = join(st.bom, &docs);
    prop_assert_eq!(joined.as_bytes(), input, "docs: {:?}", docs);
    Ok(())
}

proptest! {
    #![proptest_config(cfg(1000))]

    #[test]
    fn split_then_join_gives_the_input_back(input in stream_strategy()) {
        assert_split_join(&input)?;
    }

    /// Any text at all, from a YAML-ish alphabet.
    #[test]
    fn split_then_join_any_text(input in "(---|\\.\\.\\.|-|\\.| |\t|\r|\n|#|a|:|é|\u{feff}){0,60}") {
        assert_split_join(input.as_bytes())?;
    }
}

// ── (ii) edits ──────────────────────────────────────────────────────────────

/// Scalar texts, written as they appear in YAML.
const SCALARS: &[&str] = &[
    "0755",
    "0440",
    "007",
    "08",
    "0x1F",
    "1_000",
    "1e3",
    ".5",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "Y",
    "N",
    "true",
    "~",
    "null",
    "1:20",
    "2001-12-14",
    "+12",
    "-0b11",
    "plain",
    "two words",
    "é",
    "'yes'",
    "'0755'",
    "\"on\"",
    "\"1:20\"",
    "\"a\\nb\"",
    "'it''s'",
    "\"\"",
    "''",
    "[]",
    "{}",
    "[a, 'on', 0755]",
    "{k: yes, j: 1}",
    "x.io/y",
    "-1",
    "3.5",
];

/// Keys: ordinary, and quoted traps (which read as strings).
const KEYS: &[&str] = &[
    "name",
    "image",
    "a",
    "b",
    "spec",
    "x.io/y",
    "with space",
    "'yes'",
    "\"0755\"",
    "'on'",
    "k-1",
    "é",
    "\"1:20\"",
    "_x",
];

/// A block-style YAML node with its layout choices.
#[derive(Debug, Clone)]
enum Node {
    /// A scalar text, optionally with a trailing comment.
    Scalar(&'static str, bool),
    /// A literal block scalar (`|` or `|-`) with lines.
    Block(bool, Vec<&'static str>),
    /// A block map: (key, value) with a comment line before the entry.
    Map(Vec<(&'static str, Node, bool)>),
    /// A block sequence, items indented under their key or not.
    Seq(Vec<Node>, bool),
}

fn node_strategy() -> BoxedStrategy<Node> {
    let leaf = prop_oneof![
        6 => (proptest::sample::select(SCALARS), any::<bool>()).prop_map(|(s, c)| Node::Scalar(s, c)),
        1 => (any::<bool>(), proptest::collection::vec(proptest::sample::select(&["line", "  indented", "---", "# not a comment", "0755", ""][..]), 1..4))
            .prop_map(|(strip, lines)| Node::Block(strip, lines)),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            map_strategy(inner.clone()),
            (proptest::collection::vec(inner, 1..5), any::<bool>())
                .prop_map(|(items, ind)| Node::Seq(items, ind)),
        ]
    })
    .boxed()
}

fn map_strategy(inner: impl Strategy<Value = Node> + Clone) -> impl Strategy<Value = Node> {
    proptest::collection::vec(
        (
            proptest::sample::select(KEYS),
            inner,
            proptest::bool::weighted(0.15),
        ),
        1..5,
    )
    .prop_map(|entries| {
        // Distinct keys (duplicate keys are a separate matter).
        let mut seen = std::collections::HashSet::new();
        Node::Map(
            entries
                .into_iter()
                .filter(|(k, _, _)| seen.insert(k.trim_matches(['\'', '"'])))
                .collect(),
        )
    })
}

fn doc_strategy() -> impl Strategy<Value = Node> {
    map_strategy(node_strategy())
}

/// Writes `node` as the value after `key:` / `- ` (`inline` = on the same line).
fn render(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Scalar(s, comment) => {
            out.push(' ');
            out.push_str(s);
            // A comment after a flow collection is a known bug (see
            // `flow_collection_followed_by_a_comment_can_be_edited`).
            if *comment && !s.starts_with(['[', '{']) {
                out.push_str(" # c");
            }
            out.push('\n');
        }
        Node::Block(strip, lines) => {
            out.push_str(if *strip { " |-\n" } else { " |\n" });
            // The first line sets the block's indentation: keep it unindented.
            out.push_str(&format!("{pad}first\n"));
            for l in lines {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{pad}{l}\n"));
                }
            }
        }
        Node::Map(entries) => {
            out.push('\n');
            for (k, v, comment) in entries {
                if *comment {
                    out.push_str(&format!("{pad}# comment\n"));
                }
                out.push_str(&format!("{pad}{k}:"));
                render(v, indent + 2, out);
            }
        }
        Node::Seq(items, indented) => {
            out.push('\n');
            // An indentless list whose first item is a flow list is a known bug
            // (see `indentless_list_of_flow_lists_can_be_edited`): indent those.
            let first_is_flow_seq =
                matches!(items.first(), Some(Node::Scalar(s, _)) if s.starts_with('['));
            let ipad = if *indented || first_is_flow_seq {
                pad.clone()
            } else {
                " ".repeat(indent.saturating_sub(2))
            };
            let child = ipad.len() + 2;
            for item in items {
                out.push_str(&format!("{ipad}-"));
                match item {
                    // `- key: v` then the other keys at the item's column.
                    Node::Map(entries) => {
                        for (i, (k, v, _)) in entries.iter().enumerate() {
                            if i == 0 {
                                out.push_str(&format!(" {k}:"));
                            } else {
                                out.push_str(&format!("{}{k}:", " ".repeat(child)));
                            }
                            render(v, child + 2, out);
                        }
                    }
                    // A list in a list goes under a key: items that start on the
                    // line after their dash are a known bug (see
                    // `items_starting_after_their_dash_can_be_edited`).
                    Node::Seq(inner, _) => {
                        out.push_str(" nested:");
                        render(&Node::Seq(inner.clone(), true), child + 2, out);
                    }
                    // Block scalar items are a known bug too (see
                    // `block_scalar_items_can_be_edited`): put them under a key.
                    Node::Block(..) => {
                        out.push_str(" script:");
                        render(item, child + 2, out);
                    }
                    other => render(other, child, out),
                }
            }
        }
    }
}

fn render_doc(doc: &Node) -> String {
    let mut s = String::new();
    render(doc, 0, &mut s);
    s.trim_start_matches('\n').to_string()
}

/// Every path in a value: (path, is map, is seq).
fn paths(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, Value)>) {
    out.push((here.clone(), v.clone()));
    match v {
        Value::Map(m) => {
            for (k, c) in m {
                here.push(Seg::Key(k.to_string()));
                paths(c, here, out);
                here.pop();
            }
        }
        Value::Seq(items) => {
            for (i, c) in items.iter().enumerate() {
                here.push(Seg::Index(i));
                paths(c, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// Values an edit writes.
fn written(pick: usize) -> Value {
    let strs = [
        "yes",
        "0755",
        "1:20",
        "",
        "a: b",
        "#x",
        "- x",
        "true",
        "null",
        "@x",
        "é",
        "a\nb",
        "~",
        "on",
        "x",
        // Multi-line: written as literal blocks where they read back the same.
        "set -e\n  indented\n\n# not a comment\n",
        "a \nb",
        "x\n\n",
        "\tb\nc\n",
        "a\n---\nb",
    ];
    match pick % 25 {
        i if i < strs.len() => Value::str(strs[i]),
        20 => Value::Int(493),
        21 => Value::Bool(true),
        22 => Value::map([
            ("k", Value::str("yes")),
            (
                "l",
                Value::Seq(vec![Value::str("0755"), Value::Null].into()),
            ),
        ]),
        23 => Value::Seq(vec![Value::str("on"), Value::map([("a", Value::Int(1))])].into()),
        _ => Value::Null,
    }
}

/// Turns random numbers into an edit that makes sense for `v`.
fn pick_edit(v: &Value, kind: u8, at: usize, what: usize) -> Edit {
    let mut all = vec![];
    paths(v, &mut vec![], &mut all);
    let maps: Vec<&(Vec<Seg>, Value)> = all
        .iter()
        .filter(|(_, x)| matches!(x, Value::Map(m) if !m.is_empty()))
        .collect();
    let seqs: Vec<&(Vec<Seg>, Value)> = all
        .iter()
        .filter(|(_, x)| matches!(x, Value::Seq(s) if !s.is_empty()))
        .collect();
    // Removing the only key of the document is refused on purpose ("cannot empty the whole document").
    let keyed: Vec<&(Vec<Seg>, Value)> = all
        .iter()
        .filter(|(p, _)| {
            matches!(p.last(), Some(Seg::Key(_))) && !(p.len() == 1 && v.entries().len() == 1)
        })
        .collect();
    let nonroot: Vec<&(Vec<Seg>, Value)> = all.iter().filter(|(p, _)| !p.is_empty()).collect();
    match kind % 6 {
        // Set an existing value.
        0 if !nonroot.is_empty() => Edit::Set(nonroot[at % nonroot.len()].0.clone(), written(what)),
        // Set a new key in an existing map (maybe a deeper new path).
        1 if !maps.is_empty() => {
            let mut p = maps[at % maps.len()].0.clone();
            p.push(Seg::Key(format!("new-{}", what % 3)));
            if what % 4 == 0 {
                p.push(Seg::Key("deeper".into()));
            }
            Edit::Set(p, written(what / 3))
        }
        // Remove an existing key (first, middle or last of its map).
        2 if !keyed.is_empty() => Edit::Remove(keyed[at % keyed.len()].0.clone()),
        // Insert into an existing list, at 0, in the middle or at the end.
        3 if !seqs.is_empty() => {
            let (p, s) = seqs[at % seqs.len()];
            let n = s.items().len();
            Edit::Insert(p.clone(), [0, n / 2, n][what % 3], vec![written(what / 3)])
        }
        // Remove an item.
        4 if !seqs.is_empty() => {
            let (p, s) = seqs[at % seqs.len()];
            Edit::RemoveItem(p.clone(), what % s.items().len())
        }
        // Set a brand-new top-level key.
        _ => Edit::Set(vec![Seg::Key("added".into())], written(what)),
    }
}

fn check_edit(text: &str, edit: &Edit) -> Result<(), TestCaseError> {
    let tree = Tree::parse(text)
        .map_err(|e| TestCaseError::fail(format!("generated invalid YAML: {e:?}\n{text}")))?;
    let before = tree.value(tree.root.unwrap()).unwrap();
    let out = apply(text, &tree, std::slice::from_ref(edit)).map_err(|e| {
        TestCaseError::fail(format!("apply refused {edit:?}: {e:?}\n--- text:\n{text}"))
    })?;
    let t2 = Tree::parse(&out)
        .map_err(|e| TestCaseError::fail(format!("edit made invalid YAML: {e:?}\n{out}")))?;
    let after = t2.value(t2.root.unwrap()).unwrap();
    let mut want = before.clone();
    apply_to_value(&mut want, edit);
    prop_assert_eq!(
        &after,
        &want,
        "edit {:?}\n--- before:\n{}\n--- after:\n{}",
        edit,
        text,
        out
    );
    // Every other path is unchanged: each path of the original that the edit
    // does not touch (not under the edited path, not a later item of an edited
    // list) reads the same.
    let mut all = vec![];
    paths(&before, &mut vec![], &mut all);
    let (edited, list_edit) = match edit {
        Edit::Set(p, _) | Edit::Remove(p) => (p.clone(), false),
        Edit::Insert(p, _, _) | Edit::RemoveItem(p, _) => (p.clone(), true),
    };
    for (p, v) in &all {
        let related = p.starts_with(&edited)
            || edited.starts_with(p)
            || (list_edit && p.len() > edited.len() && p.starts_with(&edited));
        if related {
            continue;
        }
        prop_assert_eq!(get(&after, p), Some(v), "path {:?} changed", p);
    }
    Ok(())
}

fn get<'a>(v: &'a Value, p: &[Seg]) -> Option<&'a Value> {
    p.iter().try_fold(v, |cur, seg| match seg {
        Seg::Key(k) => cur.get(k),
        Seg::Index(i) => cur.items().get(*i),
    })
}

proptest! {
    #![proptest_config(cfg(800))]

    #[test]
    fn an_edit_changes_exactly_what_it_says(doc in doc_strategy(), kind in any::<u8>(), at in any::<usize>(), what in any::<usize>(), crlf in proptest::bool::weighted(0.2)) {
        let mut text = render_doc(&doc);
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let tree = Tree::parse(&text).map_err(|e| TestCaseError::fail(format!("generated invalid YAML: {e:?}\n{text}")))?;
        let v = tree.value(tree.root.unwrap()).unwrap();
        let edit = pick_edit(&v, kind, at, what);
        check_edit(&text, &edit)?;
    }
}

// ── (ii b) several list edits at once ───────────────────────────────────────

/// One item of a generated list.
#[derive(Debug, Clone)]
struct ItemSpec {
    /// 0 scalar, 1 block map, 2 flow map, 3 block scalar (block lists only).
    kind: u8,
    /// A comment line just above the item (block lists).
    lead: bool,
    /// A comment after the item on its line.
    trail: bool,
    /// A blank line before the item (and its comment).
    blank: bool,
    /// A comment line below the item, deeper than its dash (block lists).
    more: bool,
}

/// A list and the edits to make to it, indices referring to its original items.
#[derive(Debug, Clone)]
struct ListCase {
    /// 0 indented block, 1 indentless block (Helm 4 / kubectl), 2 one-line flow, 3 multi-line flow with comments.
    style: u8,
    items: Vec<ItemSpec>,
    crlf: bool,
    /// The list ends the document (then maybe without a final newline).
    last: bool,
    final_newline: bool,
    removed: Vec<bool>,
    /// (index, values to write) — index may be past the end.
    inserts: Vec<(usize, Vec<usize>)>,
    /// Replace one item (Set on its path), by position among the kept ones.
    set: Option<usize>,
    /// Add a key to the mapping holding the list, and one to a kept mapping item.
    add_keys: (bool, bool),
}

fn list_case_strategy() -> impl Strategy<Value = ListCase> {
    let item = (
        0u8..4,
        any::<bool>(),
        any::<bool>(),
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(kind, lead, trail, blank, more)| ItemSpec {
            kind,
            lead,
            trail,
            blank,
            more,
        });
    (
        0u8..4,
        proptest::collection::vec(item, 0..6),
        proptest::bool::weighted(0.2),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(proptest::bool::weighted(0.4), 6),
        proptest::collection::vec(
            (0usize..8, proptest::collection::vec(any::<usize>(), 1..3)),
            0..4,
        ),
        proptest::option::weighted(0.3, any::<usize>()),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(style, mut items, crlf, last, final_newline, removed, inserts, set, add_keys)| {
                if style < 2 && items.is_empty() {
                    items.push(ItemSpec {
                        kind: 0,
                        lead: true,
                        trail: false,
                        blank: false,
                        more: false,
                    });
                }
                ListCase {
                    style,
                    removed: removed[..items.len()].to_vec(),
                    items,
                    crlf,
                    last,
                    final_newline: final_newline || !last,
                    inserts,
                    set,
                    add_keys,
                }
            },
        )
}

/// The document, and per item the text that must survive verbatim when it is kept
/// (block: from its leading comment to its line's end; flow: the item).
fn render_list_case(c: &ListCase) -> (String, Vec<String>) {
    let mut out = String::from("a: 1\nspec:\n  l:");
    let mut kept_texts = vec![];
    let flow = c.style >= 2;
    if !flow {
        let dash = if c.style == 0 { 4 } else { 2 };
        let pad = " ".repeat(dash);
        let inner = " ".repeat(dash + 2);
        for (i, it) in c.items.iter().enumerate() {
            out.push('\n');
            if it.blank {
                out.push('\n');
            }
            let mut chunk = String::new();
            if it.lead {
                chunk.push_str(&format!("{pad}# lead{i}\n"));
            }
            chunk.push_str(&pad);
            chunk.push('-');
            match it.kind {
                0 => chunk.push_str(&format!(" x{i}")),
                1 => chunk.push_str(&format!(" name: x{i}\n{inner}image: img{i}")),
                2 => chunk.push_str(&format!(" {{name: x{i}}}")),
                _ => chunk.push_str(&format!(" |\n{inner}text{i}")),
            }
            if it.trail && it.kind != 3 {
                chunk.push_str(&format!(" # c{i}"));
            }
            if it.more {
                chunk.push_str(&format!("\n{inner}# more{i}"));
            }
            out.push_str(&chunk);
            kept_texts.push(chunk);
        }
    } else {
        let multi = c.style == 3;
        out.push_str(" [");
        let n = c.items.len();
        for (i, it) in c.items.iter().enumerate() {
            if multi {
                out.push_str("\n    ");
            } else if i > 0 {
                out.push(' ');
            }
            let text = match it.kind {
                1 | 2 => format!("{{name: x{i}}}"),
                _ => format!("x{i}"),
            };
            out.push_str(&text);
            kept_texts.push(text);
            if i + 1 < n {
                out.push(',');
            }
            if multi && it.trail {
                out.push_str(&format!(" # c{i}"));
            }
        }
        if multi {
            // Inside the mapping at column 2, the bracket must be deeper.
            out.push_str("\n   ");
        }
        out.push(']');
    }
    if !c.last {
        out.push_str("\n  k: 2\nz: 3");
    }
    if c.final_newline {
        out.push('\n');
    }
    if c.crlf {
        out = out.replace('\n', "\r\n");
        kept_texts = kept_texts
            .into_iter()
            .map(|t| t.replace('\n', "\r\n"))
            .collect();
    }
    (out, kept_texts)
}

/// What the list must read after the edits, computed on the original items.
fn list_after(orig: &[Value], removed: &[bool], inserts: &[(usize, Vec<Value>)]) -> Vec<Value> {
    let mut out = vec![];
    for i in 0..=orig.len() {
        for (at, vs) in inserts {
            if (*at).min(orig.len()) == i {
                out.extend(vs.iter().cloned());
            }
        }
        if i < orig.len() && !removed[i] {
            out.push(orig[i].clone());
        }
    }
    out
}

fn check_list_case(c: &ListCase) -> Result<(), TestCaseError> {
    let (text, kept_texts) = render_list_case(c);
    let tree = Tree::parse(&text)
        .map_err(|e| TestCaseError::fail(format!("generated invalid YAML: {e:?}\n{text}")))?;
    let before = tree.value(tree.root.unwrap()).unwrap();
    let l = || vec![Seg::Key("spec".into()), Seg::Key("l".into())];
    let orig = get(&before, &l()).unwrap().items().to_vec();
    let mut edits = vec![];
    for (i, r) in c.removed.iter().enumerate() {
        if *r {
            edits.push(Edit::RemoveItem(l(), i));
        }
    }
    let inserts: Vec<(usize, Vec<Value>)> = c
        .inserts
        .iter()
        .map(|(at, picks)| (*at, picks.iter().map(|p| written(*p)).collect()))
        .collect();
    for (at, vs) in &inserts {
        edits.push(Edit::Insert(l(), *at, vs.clone()));
    }
    let kept: Vec<usize> = (0..orig.len()).filter(|&i| !c.removed[i]).collect();
    let set = c
        .set
        .filter(|_| !kept.is_empty())
        .map(|k| kept[k % kept.len()]);
    let mut orig_set = orig.clone();
    if let Some(i) = set {
        let mut p = l();
        p.push(Seg::Index(i));
        edits.push(Edit::Set(p, Value::str(format!("set{i}"))));
        orig_set[i] = Value::str(format!("set{i}"));
    }
    let mut keyed = vec![];
    if c.add_keys.0 {
        keyed.push((vec![Seg::Key("spec".into()), Seg::Key("added".into())], "v"));
    }
    if let Some(&i) = kept
        .iter()
        .find(|&&i| c.add_keys.1 && Some(i) != set && matches!(orig[i], Value::Map(_)))
    {
        keyed.push((
            vec![
                Seg::Key("spec".into()),
                Seg::Key("l".into()),
                Seg::Index(i),
                Seg::Key("extra".into()),
            ],
            "w",
        ));
        orig_set[i].set("extra", Value::str("w"));
    }
    for (p, v) in &keyed {
        edits.push(Edit::Set(p.clone(), Value::str(*v)));
    }
    // Shuffle-free but not sorted: removals, inserts and the set are interleaved by the order above.
    let out = apply(&text, &tree, &edits)
        .map_err(|e| TestCaseError::fail(format!("apply refused {edits:?}: {e:?}\n{text}")))?;
    let t2 = Tree::parse(&out)
        .map_err(|e| TestCaseError::fail(format!("edit made invalid YAML: {e:?}\n{out}")))?;
    let after = t2.value(t2.root.unwrap()).unwrap();
    // What the edits say, computed two ways: on the original indices, and by the
    // library's own steps (which Flux's JSON patches follow).
    let mut want = before.clone();
    if let Value::Map(m) = &mut want {
        let spec = &mut m.iter_mut().find(|(k, _)| k == "spec").unwrap().1;
        spec.set(
            "l",
            Value::Seq(list_after(&orig_set, &c.removed, &inserts).into()),
        );
        if c.add_keys.0 {
            spec.set("added", Value::str("v"));
        }
    }
    prop_assert_eq!(
        &after,
        &want,
        "edits {:?}\n--- before:\n{}\n--- after:\n{}",
        &edits,
        &text,
        &out
    );
    let mut stepped = before.clone();
    for e in premigrate::yaml::edit::sequential(&before, &edits) {
        apply_to_value(&mut stepped, &e);
    }
    prop_assert_eq!(&stepped, &want);
    // Kept items keep their bytes and comments (leading comment still right above).
    let extra_at = keyed.iter().find_map(|(p, _)| match p.get(2) {
        Some(Seg::Index(i)) => Some(*i),
        _ => None,
    });
    for &i in &kept {
        // A replaced item is new text; a flow map item with a new key too.
        if Some(i) == set || (Some(i) == extra_at && (c.items[i].kind == 2 || c.style >= 2)) {
            continue;
        }
        // A new key in a block map item goes above a comment at its keys' column.
        let whole = kept_texts[i].as_str();
        let text = match whole.find("# more") {
            Some(k) if Some(i) == extra_at => whole[..k].trim_end(),
            _ => whole,
        };
        // A block scalar that ended the input without a line break gets the
        // strip indicator when text follows it (its value stays the same).
        let stripped = text.replacen("- |", "- |-", 1);
        prop_assert!(
            out.contains(text)
                || (!c.final_newline && c.items[i].kind == 3 && out.contains(&stripped)),
            "item {} lost its text {:?}\n--- before:\n{}\n--- after:\n{}",
            i,
            text,
            text,
            out
        );
        if c.items[i].trail && c.items[i].kind != 3 && c.style != 2 {
            prop_assert!(
                out.contains(&format!("# c{i}")),
                "comment c{} lost\n{}",
                i,
                out
            );
        }
    }
    // New items follow the list's style and indentation.
    let spec = t2.get(t2.root.unwrap(), "spec").unwrap();
    let list = t2.get(spec, "l").unwrap();
    let premigrate::yaml::NodeKind::Seq { items, flow } = &t2.nodes[list].kind else {
        return Err(TestCaseError::fail(format!("not a list:\n{out}")));
    };
    if !items.is_empty() {
        prop_assert_eq!(*flow, c.style >= 2, "style changed:\n{}", out);
    }
    if !*flow {
        let dash = if c.style == 0 { 4 } else { 2 };
        for &it in items {
            let s = t2.nodes[it].start;
            let line_start = out[..s].rfind('\n').map_or(0, |p| p + 1);
            let col = out[line_start..s].find('-');
            prop_assert_eq!(col, Some(dash), "item not at the list's column:\n{}", out);
        }
    }
    if !c.last {
        prop_assert!(
            out.contains("\n  k: 2") && out.ends_with("z: 3\n") || out.ends_with("z: 3\r\n")
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(cfg(1500))]

    #[test]
    fn list_removals_and_inserts_combine(c in list_case_strategy()) {
        check_list_case(&c)?;
    }
}

/// Inserting at index 0 puts the new item above the first item's leading comment.
#[test]
fn an_insert_at_the_top_goes_above_the_first_items_comment() {
    let l = || vec![Seg::Key("l".into())];
    for (src, want) in [
        (
            "l:\n  # the first\n  - a\nk: 1\n",
            "l:\n  - new\n  # the first\n  - a\nk: 1\n",
        ),
        (
            "l:\n# the first\n- a # c\n# the second\n- b\n",
            "l:\n- new\n# the first\n- a # c\n- new\n# the second\n- b\n",
        ),
    ] {
        let tree = Tree::parse(src).unwrap();
        let mut edits = vec![Edit::Insert(l(), 0, vec![Value::str("new")])];
        if src.contains("second") {
            edits.push(Edit::Insert(l(), 1, vec![Value::str("new")]));
        }
        assert_eq!(apply(src, &tree, &edits).unwrap(), want);
    }
}

// ── (iii) idempotence ───────────────────────────────────────────────────────

#[derive(Debug, Clone)]
struct App {
    name: &'static str,
    deployments: usize,
    tool: usize,
    use_secret: bool,
    use_configmap: bool,
    ttl: bool,
    helm4: bool,
    comments: bool,
}

fn app_strategy() -> impl Strategy<Value = App> {
    (
        proptest::sample::select(&["shop", "api", "billing-service", "a"][..]),
        1usize..4,
        0usize..4,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(name, deployments, tool, use_secret, use_configmap, ttl, helm4, comments)| App {
                name,
                deployments,
                tool,
                use_secret,
                use_configmap,
                ttl,
                helm4,
                comments,
            },
        )
}

fn app_stream(a: &App) -> String {
    let n = a.name;
    let cmd = [
        "[php, artisan, migrate, --force]",
        "[python, manage.py, migrate]",
        "[npx, prisma, migrate, deploy]",
        "[\"sh\", \"-c\", \"bundle exec rails db:migrate\"]",
    ][a.tool];
    let ann = |file: &str| {
        if a.helm4 {
            format!("  annotations:\n    postrenderer.helm.sh/postrender-filename: '{n}/templates/{file}'\n")
        } else {
            String::new()
        }
    };
    let env_from = {
        let mut s = String::new();
        if a.use_secret || a.use_configmap {
            s.push_str("          envFrom:\n");
            if a.use_configmap {
                s.push_str(&format!(
                    "            - configMapRef:\n                name: {n}-config\n"
                ));
            }
            if a.use_secret {
                s.push_str(&format!(
                    "            - secretRef:\n                name: {n}-secret\n"
                ));
            }
        }
        s
    };
    let mut out = String::new();
    let src = |out: &mut String, file: &str| {
        out.push_str("---\n");
        if !a.helm4 {
            out.push_str(&format!("# Source: {n}/templates/{file}\n"));
        }
    };
    if a.use_configmap {
        src(&mut out, "configmap.yaml");
        out.push_str(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}-config\n{}data:\n  MODE: \"0755\"\n  FLAG: 'on'\n", ann("configmap.yaml")));
    }
    for i in 0..a.deployments {
        let file = format!("deploy-{i}.yaml");
        src(&mut out, &file);
        out.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {n}-web-{i}\n{}spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {n}-{i}\n  template:\n    metadata:\n      labels:\n        app: {n}-{i}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/{n}:1.2.3{}\n{env_from}",
            ann(&file),
            if a.comments { " # pinned" } else { "" },
        ));
    }
    src(&mut out, "migrate.yaml");
    out.push_str(&format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {n}-migrate\n{}spec:\n{}  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n        - name: migrate\n          image: registry.example.com/{n}:1.2.3\n          command: {cmd}\n{env_from}",
        ann("migrate.yaml"),
        if a.ttl { "  ttlSecondsAfterFinished: 100\n" } else { "" },
    ));
    out
}

proptest! {
    #![proptest_config(cfg(32))]

    #[test]
    fn rewrite_is_idempotent(app in app_strategy(), kubectl in any::<bool>(), timeout in proptest::option::of(60u64..4000), salt in "[a-z0-9]{0,4}") {
        let input = app_stream(&app);
        for target in [Target::Gitops, Target::Hooks] {
            let gate_style = if kubectl { GateStyle::Kubectl } else { GateStyle::K8sWaitFor };
            let c = Config { target, gate_style, timeout_seconds: timeout, salt: salt.clone(), ..Config::default() };
            let once = premigrate::rewrite(input.as_bytes(), &c)
                .map_err(|e| TestCaseError::fail(format!("{target:?}: {e}\n{input}")))?;
            prop_assert!(!once.plan.is_empty(), "{:?}: no migration found in\n{}", target, input);
            prop_assert_ne!(&once.stream, &input.as_bytes().to_vec());
            let twice = premigrate::rewrite(&once.stream, &c)
                .map_err(|e| TestCaseError::fail(format!("{target:?} second pass: {e}\n{}", String::from_utf8_lossy(&once.stream))))?;
            prop_assert_eq!(
                String::from_utf8_lossy(&twice.stream),
                String::from_utf8_lossy(&once.stream),
                "{:?}: not idempotent; input:\n{}", target, input
            );
        }
    }
}

// ── (iv) no panics ──────────────────────────────────────────────────────────

fn corpus() -> Vec<Vec<u8>> {
    let root = support::repo_root().join("testdata");
    let mut files = vec![root.join("demo/input.yaml")];
    for dir in ["streams", "bad"] {
        let mut more: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        more.sort();
        files.extend(more);
    }
    files
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        // Big files make each case slow in debug builds: cut them.
        .map(|mut b| {
            b.truncate(8 << 10);
            b
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation_strategy() -> impl Strategy<Value = Mutation> {
    const TOKENS: &[&[u8]] = &[
        b"---\n",
        b"...\n",
        b"&a ",
        b"*a",
        b"<<: ",
        b"- ",
        b": ",
        b"{",
        b"}",
        b"[",
        b"]",
        b"\t",
        b"\r\n",
        b"#",
        b"'",
        b"\"",
        b"|\n",
        b"\xff",
        b"\xc3",
        b"\xef\xbb\xbf",
        b"!!int ",
        b"? ",
        b"\n  ",
        b"%YAML 1.1\n",
        b"kind: Job\n",
        b"migrate",
    ];
    let tokens = proptest::sample::select(TOKENS);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), tokens).prop_map(|(i, t)| Mutation::Insert(i, t.to_vec())),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(mut b: Vec<u8>, ms: &[Mutation]) -> Vec<u8> {
    for m in ms {
        let len = b.len();
        match m {
            Mutation::Flip(i, x) if len > 0 => b[i % len] = *x,
            Mutation::Insert(i, t) => {
                let at = if len == 0 { 0 } else { i % (len + 1) };
                b.splice(at..at, t.iter().copied());
            }
            Mutation::Delete(i, n) if len > 0 => {
                let at = i % len;
                b.drain(at..(at + n).min(len));
            }
            Mutation::Duplicate(i, n) if len > 0 => {
                let at = i % len;
                let piece = b[at..(at + n).min(len)].to_vec();
                b.splice(at..at, piece);
            }
            _ => {}
        }
    }
    b
}

fn rewrite_all_targets(input: &[u8]) {
    for target in [Target::Auto, Target::Gitops, Target::Hooks] {
        let c = Config {
            target,
            ..Config::default()
        };
        if let Ok(out) = premigrate::rewrite(input, &c) {
            // What comes out is what comes in again on the next run.
            let _ = premigrate::rewrite(&out.stream, &c);
        }
    }
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn rewrite_never_panics_on_random_bytes(input in proptest::collection::vec(any::<u8>(), 0..2048)) {
        rewrite_all_targets(&input);
    }

    #[test]
    fn rewrite_never_panics_on_yamlish_text(input in "([-.:#&*!|>'\"{}\\[\\], \t\r\n]|kind|Job|name|migrate|a|0755|<<){0,120}") {
        rewrite_all_targets(input.as_bytes());
    }
}

proptest! {
    #![proptest_config(cfg(300))]

    #[test]
    fn rewrite_never_panics_on_mutated_testdata(pick in any::<usize>(), ms in proptest::collection::vec(mutation_strategy(), 1..6)) {
        thread_local!(static CORPUS: Vec<Vec<u8>> = corpus());
        let input = CORPUS.with(|c| mutate(c[pick % c.len()].clone(), &ms));
        rewrite_all_targets(&input);
    }
}

// ── fixed bugs, pinned ──────────────────────────────────────────────────────

/// A list item whose content starts on the line after its dash (`-` alone, or
/// `- # comment`) is valid YAML that Kubernetes reads; the editor used to refuse
/// to insert before it, remove it or replace it ("cannot edit a list item that
/// does not start its own line"), so a whole rewrite failed on such a Deployment.
#[test]
fn items_starting_after_their_dash_can_be_edited() {
    for (src, edit) in [
        (
            "c:\n-\n  name: a\n- name: b\n",
            Edit::Insert(vec![Seg::Key("c".into())], 0, vec![Value::str("x")]),
        ),
        (
            "c:\n-\n  name: a\n- name: b\n",
            Edit::RemoveItem(vec![Seg::Key("c".into())], 0),
        ),
        (
            "c:\n-\n  name: a\n- name: b\n",
            Edit::Set(vec![Seg::Key("c".into()), Seg::Index(0)], Value::str("x")),
        ),
        (
            "c:\n  - # comment\n    name: a\n",
            Edit::Insert(vec![Seg::Key("c".into())], 0, vec![Value::str("x")]),
        ),
    ] {
        let tree = Tree::parse(src).unwrap();
        let out = apply(src, &tree, std::slice::from_ref(&edit));
        assert!(out.is_ok(), "{edit:?} on {src:?}: {out:?}");
    }
    // The same through a rewrite: a gate is inserted before `- # comment`.
    let input = "---\n# Source: app/templates/web.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      initContainers:\n        - # wait for the cache\n          name: wait-cache\n          image: busybox\n      containers:\n        - name: web\n          image: registry.example.com/app:1\n---\n# Source: app/templates/job.yaml\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: app-migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: registry.example.com/app:1\n          command: [php, artisan, migrate, --force]\n";
    let cfg = Config {
        target: Target::Gitops,
        ..Config::default()
    };
    if let Err(e) = premigrate::rewrite(input.as_bytes(), &cfg) {
        panic!("rewrite failed: {e}");
    }
}

/// A block scalar list item (`- |`, common in `sh -c` scripts) used to have its
/// span start at its content, on the line after the dash, so the editor could
/// not remove it, replace it, insert before it, or remove the item before it.
#[test]
fn block_scalar_items_can_be_edited() {
    let src = "args:\n  - sh\n  - -c\n  - |\n    echo hi\n  - >-\n    folded\n";
    let args = || vec![Seg::Key("args".into())];
    for edit in [
        Edit::RemoveItem(args(), 1),
        Edit::RemoveItem(args(), 2),
        Edit::Insert(args(), 2, vec![Value::str("x")]),
        Edit::Insert(args(), 3, vec![Value::str("x")]),
        Edit::Set(
            vec![Seg::Key("args".into()), Seg::Index(2)],
            Value::str("x"),
        ),
    ] {
        check_edit(src, &edit).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// An indentless block list (`key:` then `- item` at the key's column, as
/// kubectl and many templates write lists) whose first item is a flow list
/// (`- [a]`) used to be taken for a flow list, its span starting at the `[`:
/// inserting or replacing produced invalid YAML or tripped the edit verification.
#[test]
fn indentless_list_of_flow_lists_can_be_edited() {
    let src = "a:\n- [k]\n- y\nb: 1\n";
    let tree = Tree::parse(src).unwrap();
    let a = tree.get(tree.root.unwrap(), "a").unwrap();
    assert!(
        matches!(
            tree.nodes[a].kind,
            premigrate::yaml::NodeKind::Seq { flow: false, .. }
        ),
        "{:?}",
        tree.nodes[a].kind
    );
    let a = || vec![Seg::Key("a".into())];
    for edit in [
        Edit::Insert(a(), 0, vec![Value::str("n")]),
        Edit::Insert(a(), 2, vec![Value::str("n")]),
        Edit::Set(a(), Value::str("n")),
        Edit::Set(
            vec![Seg::Key("name".into()), Seg::Key("name".into())],
            Value::Null,
        ),
    ] {
        check_edit(src, &edit).unwrap_or_else(|e| panic!("{e}"));
    }
    check_edit(
        "name:\n  name:\n  - [a] # c\n",
        &Edit::Set(
            vec![Seg::Key("name".into()), Seg::Key("name".into())],
            Value::Null,
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// A flow collection followed by a comment or trailing blanks on its line used
/// to get a span that ran over them, so adding a key to it spliced inside the
/// comment: the edit was refused ("internal error") or yielded invalid YAML. A
/// migration Job written `metadata: {name: app-migrate} # comment` made the
/// whole rewrite fail.
#[test]
fn flow_collection_followed_by_a_comment_can_be_edited() {
    let k = |p: &[&str]| {
        p.iter()
            .map(|s| Seg::Key(s.to_string()))
            .collect::<Vec<_>>()
    };
    check_edit("k: {x: 1} # c\n", &Edit::Set(k(&["k", "n"]), Value::Int(1)))
        .unwrap_or_else(|e| panic!("{e}"));
    check_edit(
        "a:\n  k: {x: 1}   \n",
        &Edit::Set(k(&["a", "k", "n"]), Value::Int(1)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check_edit(
        "a:\n  k: [x] # c\nb: 1\n",
        &Edit::Insert(k(&["a", "k"]), 1, vec![Value::Int(1)]),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let input = "---\n# Source: app/templates/job.yaml\napiVersion: batch/v1\nkind: Job\nmetadata: {name: app-migrate} # the migration\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: m\n          image: app:1\n          command: [php, artisan, migrate]\n";
    let cfg = Config {
        target: Target::Gitops,
        ..Config::default()
    };
    if let Err(e) = premigrate::rewrite(input.as_bytes(), &cfg) {
        panic!("rewrite failed: {e}");
    }
}
