//! The fast reader (src/yaml/tree/fast/) against libyaml: wherever it reads
//! a document, its tree must be libyaml's, node for node and span for span,
//! and the value it reads straight from the text that tree's reading.
//! Checked on every document of testdata/ and the shared corpus, on hand-written
//! edge cases, and on 100k seeded mutations of corpus documents (a space, a
//! line break, an indicator inserted; a byte deleted; a line re-indented,
//! doubled or joined) — the places where giving up matters.

#[path = "support/rng.rs"]
mod rng;
mod support;

use std::path::Path;

use premigrate::stream::Stream;
use premigrate::yaml::{Tree, Value};
use rng::Rng;
use support::repo_root;

/// Mutated documents checked.
const MUTATIONS: usize = 100_000;

fn files_under(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            if let Ok(text) = std::fs::read_to_string(&p) {
                out.push(text);
            }
        }
    }
}

/// Every document of testdata/ and the corpus.
fn documents() -> Vec<String> {
    let mut files = Vec::new();
    files_under(&repo_root().join("testdata"), &mut files);
    files_under(&repo_root().join("../shared/corpus"), &mut files);
    let mut docs = Vec::new();
    for f in &files {
        if let Ok(s) = Stream::split(f.as_bytes()) {
            docs.extend((0..s.docs.len()).map(|i| s.doc_text(i).to_string()));
        }
    }
    docs
}

/// `Some(true)`: the fast reader read it as libyaml does (its tree, and the
/// value it reads straight from the text); `Some(false)`: it gave up; `None`:
/// it read it differently (or libyaml refuses it).
fn agrees(text: &str) -> Option<bool> {
    let value = Tree::fast_value(text);
    match Tree::parse_fast(text) {
        // The value reader is the same reader: it gives up where the tree does.
        None => value.is_none().then_some(false),
        Some(fast) => {
            let libyaml = Tree::parse_with_libyaml(text);
            let same_tree = libyaml.as_ref() == Ok(&fast);
            // It may also give up on what the tree's reading looks at closer.
            let same_value = value.is_none() || value == libyaml_value(text);
            (same_tree && same_value).then_some(true)
        }
    }
}

/// The value libyaml's tree reads, when it reads.
fn libyaml_value(text: &str) -> Option<Value> {
    let tree = Tree::parse_with_libyaml(text).ok()?;
    tree.value(tree.root?).ok()
}

#[test]
fn reads_the_corpus_as_libyaml_does() {
    let docs = documents();
    let mut read = 0;
    for d in &docs {
        match agrees(d) {
            Some(true) => read += 1,
            Some(false) => {}
            None => panic!("the fast reader differs from libyaml on:\n{d}"),
        }
    }
    eprintln!(
        "fast reader: {read} of {} documents of testdata/ and the corpus read, 0 differences",
        docs.len()
    );
    // Most rendered documents are plain block YAML: the fast path must stay the common one.
    assert!(read * 10 >= docs.len() * 7, "only {read} of {}", docs.len());
}

#[test]
fn edge_cases_are_read_as_libyaml_does_or_left_to_it() {
    let read = [
        "a: 1\n",
        "---\n# c\na:\n  b: [x, \"y\", 'z''s']\n  c: {}\n",
        "a:\n- 1\n- b: 2\n  c: |\n    x\n\n    y\n  d: |-\n    z\n",
        "a: \"q\" # c\nb: 'r'   \nc: plain # c\nd:\ne: -1\n",
        "  a: 1\n  b:\n    - x\n",
        "a: b#c\nk: v:w\nl: [a ,b]\n",
        "a: |\n  x\n",
        "a: |\n  x",
        "a: 1\n...\n",
        "a: 1\n# c\n...   \n# d\n",
        "\"a\": 1\n'b': 2\n\"c\" : 3\n'd''s':\ne: \"x\"\n",
        "a:\n  []\nb:\n  {}\nc:\n  plain\nd:\n  \"q\"\ne:\n  |\n    x\n",
        // keystone's scripts: blank lines (with spaces) before the first
        // line, and blank lines wider than the indentation inside.
        "a: |\n\n  x\n",
        "a: |\n  \n \n  x\n  y\nb: 1\n",
        "a: |\n  x\n      \n  y\n",
        "a: |\n  x\n   \n",
        "a: |-\n  x\n    \n",
        "a: |\n  x\n    ",
        // Quoted scalars are borrowed from the text unless an escape or a
        // doubled quote splits them: at the start, the middle and the end,
        // empty, longer and shorter than an inline string (16 bytes).
        "a: ''\nb: ''''\nc: '''x'\nd: 'x'''\ne: 'it''s a much longer text'\n",
        "a: \"\"\nb: \"\\\"\"\nc: \"\\\\x\"\nd: \"x\\n\"\ne: \"a much longer text\\twith a tab\"\n",
        "a: ['y''', \"exactly sixteen!\", 'seventeen bytes!!', '''']\n",
    ];
    for text in read {
        assert_eq!(agrees(text), Some(true), "{text:?}");
    }
    let tricky = [
        "a: b\n  c\n",
        "- a\n  b\n",
        "a: \"x\"#c\n",
        "a: -\n",
        "a: b: c\n",
        "a:\t1\n",
        "a: 1\r\nb: 2\r\n",
        "a: |+\n  x\n\n",
        "a: >\n  x\n  y\n",
        "a: |2\n   x\n",
        "a: |\n   \n  x\n",
        "a: |\n  \n",
        "a: |\n x\nb: 1\n",
        "-\n- a\n",
        "- - a\n",
        "a: [b, c\n  ]\n",
        "a: [b, ]\n",
        "a: {b: c}\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "<<: {a: 1}\n",
        "\"a\"#c: 1\n",
        "\"a\":1\n",
        "- \"a\": 1\n",
        "a:\n  b\n  c\n",
        "a:\n  [b,\n  c]\n",
        "a:\n  \"b\"\n   c\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n...\n",
        "a: 1\n... # c\n",
        "a: 1\n...\nb: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "? a\n: b\n",
        "a: 'x\n  y'\n",
        "a: \"x\\/y\"\n",
        "a: \"\\u00e9\"\n",
        "a:\n  b: 1\n c: 2\n",
        "a:\n    - x\n  - y\n",
        "a: 1\n b: 2\n",
        "a:\n- x\n - y\n",
        "key with space: 1\n",
        "a: x\u{85}b: y\n",
        "a: x\u{2028}b: y\n",
        "\u{feff}a: 1\n",
        "a: [x?y]\n",
        "a: @x\n",
        "a: `x\n",
        "a: %x\n",
        "",
        "# only a comment\n",
        "---\n",
        "scalar\n",
    ];
    for text in tricky {
        assert!(agrees(text).is_some(), "differs from libyaml: {text:?}");
    }
}

const INSERTS: &[&str] = &[
    " ", "  ", "\n", "#", " #", ":", ": ", "-", "- ", "\"", "'", "|", "|-", ">", "[", "]", "{",
    "}", ",", "&a ", "*a", "!", "?", "\t", "x", "\\", "---\n", "...\n", "\n  ", "\n- ",
];

/// One random edit of `text` at a character boundary.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |p| at + p);
    let (head, tail) = text.split_at(at);
    match rng.below(6) {
        0 | 1 => format!("{head}{}{tail}", INSERTS[rng.below(INSERTS.len())]),
        2 => {
            let next = tail.chars().next().map_or(0, char::len_utf8);
            format!("{head}{}", &tail[next..])
        }
        3 => format!(
            "{}{}{}",
            &text[..line_start],
            " ".repeat(1 + rng.below(2)),
            &text[line_start..]
        ),
        4 => {
            let line = &text[line_start..line_end];
            format!("{}{line}\n{}", &text[..line_start], &text[line_start..])
        }
        _ => match text[line_start..].strip_prefix(' ') {
            Some(rest) => format!("{}{rest}", &text[..line_start]),
            None if line_end < text.len() => {
                format!("{}{}", &text[..line_end], &text[line_end + 1..])
            }
            None => text.to_string(),
        },
    }
}

#[test]
fn mutations_of_the_corpus_are_read_as_libyaml_does_or_left_to_it() {
    // Small documents the fast reader reads (a mutation of a 100 KB CRD costs much more).
    let base: Vec<String> = documents()
        .into_iter()
        .filter(|d| d.len() < 6_000 && agrees(d) == Some(true))
        .collect();
    assert!(!base.is_empty());
    let mut rng = Rng(0x5eed_f457);
    let (mut read, mut left) = (0, 0);
    for k in 0..MUTATIONS {
        let mut text = base[k % base.len()].clone();
        for _ in 0..1 + rng.below(2) {
            text = mutate(&text, &mut rng);
        }
        match agrees(&text) {
            Some(true) => read += 1,
            Some(false) => left += 1,
            None => panic!(
                "mutation {k}: the fast reader differs from libyaml on:\n{text}\n--- libyaml: {:?}",
                Tree::parse_with_libyaml(&text).err()
            ),
        }
    }
    eprintln!("{MUTATIONS} mutations: {read} read by the fast reader as libyaml reads them, {left} left to libyaml, 0 differences");
}

#[test]
fn values_are_read_straight_from_the_text_as_the_tree_reads_them() {
    // Keys as sigs.k8s.io/yaml writes them in JSON (JSON's keys print sorted);
    // a later key wins, in place.
    let read = [
        ("a: 1\nb: x\na: 2\n", r#"{"a":2,"b":"x"}"#),
        (
            "1: a\ntrue: b\n1.5: c\n0x10: d\n",
            r#"{"1":"a","1.5":"c","16":"d","true":"b"}"#,
        ),
        (
            "a: ~\nb:\nc: yes\nd: 1e3\ne: 0.5\nf: '1'\n",
            r#"{"a":null,"b":null,"c":true,"d":1000,"e":0.5,"f":"1"}"#,
        ),
        (
            "a: [1, x, \"y\"]\nb: {}\nc: |\n  z\n",
            r#"{"a":[1,"x","y"],"b":{},"c":"z\n"}"#,
        ),
    ];
    for (text, json) in read {
        let v = Tree::fast_value(text).unwrap_or_else(|| panic!("not read: {text:?}"));
        assert_eq!(v.to_json().to_string(), json, "{text:?}");
        assert_eq!(Some(v), libyaml_value(text), "{text:?}");
    }
    // What the tree's reading refuses, or marks to refuse, is left to it:
    // its error says where.
    for text in [
        "a: .inf\n",
        "a: [.nan]\n",
        "~: 1\n",
        "18446744073709551615: 1\n",
    ] {
        assert_eq!(Tree::fast_value(text), None, "{text:?}");
        let tree = Tree::parse_with_libyaml(text).expect("parses");
        assert_eq!(
            Tree::read_value(text).map(Option::unwrap),
            tree.value(0),
            "{text:?}"
        );
        assert!(tree.value(0).is_err(), "{text:?}");
    }
    // A 100k-key map with a repeated key reads in linear time, the last value in place.
    let mut big: String = (0..100_000).map(|i| format!("k{i}: {i}\n")).collect();
    big.push_str("k7: last\n");
    let v = Tree::fast_value(&big).expect("read");
    assert_eq!(v.get("k7").and_then(Value::as_str), Some("last"));
    assert_eq!(v.entries().len(), 100_000);
}
