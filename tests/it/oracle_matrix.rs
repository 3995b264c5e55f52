//! premigrate's YAML reading and editing checked against what Kubernetes reads
//! (`yaml11-oracle`: go-yaml v2 + sigs.k8s.io/yaml), on a matrix of YAML 1.1
//! trap scalars in every style, and on real outputs (demo, chart renders).
//! Skipped visibly when the oracle is missing.

use crate::support;

use std::path::Path;

use premigrate::path;
use premigrate::yaml::edit::{apply, Edit, Seg};
use premigrate::yaml::{Tree, Value};
use serde_json::Value as Json;
use support::{require_tool, yaml11_json};

/// Plain scalars that YAML 1.1 and 1.2 readers disagree about, and neighbours.
const TRICKY: &[&str] = &[
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
    // Neighbours.
    "Yes",
    "NO",
    "On",
    "OFF",
    "True",
    "FALSE",
    "Null",
    "NULL",
    "0",
    "-0",
    "00",
    "0o17",
    "0b101",
    "0x_1F",
    "1_0",
    "1.0",
    "1.5e3",
    "1e-3",
    "-1.5",
    "+.5",
    "6.8523015e+5",
    "685_230.15",
    "190:20:30",
    "-1:20",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "09",
    "0x",
    "1e",
    "1__0",
    "0.",
    "9223372036854775807",
    "-9223372036854775808",
    "123456789012",
    "3.14159",
    "yEs",
    "oN",
    "nO",
    "Off",
    "NaN",
    "inf",
    "0755x",
    "1,000",
    "$1",
    "1.2.3",
    "v1",
    "1.",
];

/// Keys of a map that are themselves tricky (sigs.k8s.io/yaml turns them into JSON keys).
/// `~` is left out: Kubernetes rejects a null key.
const TRICKY_KEYS: &[&str] = &[
    "0755",
    "007",
    "0x1F",
    "1_000",
    ".5",
    "yes",
    "no",
    "on",
    "off",
    "1:20",
    "true",
    "2001-12-14",
    "+12",
    "-0b11",
    "0.25",
    "1.5e3",
    "-1",
];

/// The matrix document: every tricky scalar plain, single- and double-quoted,
/// under `metadata.annotations`, in block and flow collections under `spec`,
/// plus block scalars, multi-line scalars, anchors, aliases and merge keys.
fn matrix_doc() -> String {
    let mut s = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: matrix\n  annotations:\n    first: one\n");
    for (i, t) in TRICKY.iter().enumerate() {
        s.push_str(&format!(
            "    p{i:02}: {t}\n    s{i:02}: '{t}'\n    d{i:02}: \"{t}\"\n"
        ));
    }
    s.push_str("    middle: two # a comment\n");
    s.push_str("    last: three\n");
    s.push_str("spec:\n  plain:\n");
    for t in TRICKY {
        s.push_str(&format!("    - {t}\n"));
    }
    s.push_str("  quoted:\n");
    for t in TRICKY {
        s.push_str(&format!("    - '{t}'\n    - \"{t}\"\n"));
    }
    let flow: Vec<&str> = TRICKY
        .iter()
        .copied()
        .filter(|t| !t.contains(','))
        .collect();
    s.push_str(&format!("  flowSeq: [{}]\n", flow.join(", ")));
    let fm: Vec<String> = flow
        .iter()
        .enumerate()
        .map(|(i, t)| format!("f{i}: {t}"))
        .collect();
    s.push_str(&format!("  flowMap: {{{}}}\n", fm.join(", ")));
    s.push_str("  keys:\n");
    for (i, k) in TRICKY_KEYS.iter().enumerate() {
        s.push_str(&format!("    {k}: k{i}\n"));
    }
    s.push_str("  flowKeys: {0755: a, yes: b, 1:20: c}\n");
    s.push_str(concat!(
        "  literal: |\n    line 1\n      indented 0755\n    yes\n\n  literalStrip: |-\n    no\n    on\n\n",
        "  literalKeep: |+\n    kept\n\n",
        "  folded: >\n    a\n    b\n\n    c\n      more\n    d\n",
        "  foldedKeep: >+\n    kept\n\n",
        "  foldedStrip: >-\n    0755\n",
        "  multiPlain: this is\n    a multi-line\n\n    plain scalar\n",
        "  multiSingle: 'it''s\n    two lines'\n",
        "  multiDouble: \"a\n    b\\tc \\\n    d \\u00e9\"\n",
        "  empty:\n",
        "  emptyFlow: {}\n",
        "  emptySeq: []\n",
        "  tagged: !!str 0755\n",
        "  anchors:\n",
        "    base: &base {x: 1, y: yes, z: 0755}\n",
        "    list: &list [a, 'on', 007]\n",
        "    scalar: &s 0x1F\n",
        "    useBase: *base\n",
        "    useList: *list\n",
        "    useScalar: *s\n",
        "    merged:\n      <<: *base\n      y: no\n      w: 3\n",
        "    mergedMany:\n      <<: [*base, {w: 0440, x: 2}]\n      v: 1:20\n",
        "  items:\n    - first\n    - 0755\n    - {a: yes}\n    - last\n",
        "  flowItems: [1, 'yes', 0755]\n",
        "  nested:\n    - name: a\n      value: \"yes\"\n    - name: b\n      value: 0755\n",
        "  dupe: 1\n  dupe: 2\n",
    ));
    s
}

fn oracle_values(oracle: &Path, stream: &str) -> Vec<Json> {
    yaml11_json(oracle, stream)
        .iter()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("oracle printed non-JSON {l:?}: {e}"))
        })
        .collect()
}

fn tree_json(doc: &str) -> Json {
    let t = Tree::parse(doc).unwrap_or_else(|e| panic!("premigrate cannot parse: {e:?}\n{doc}"));
    match t.root {
        None => Json::Null,
        Some(r) => t
            .value(r)
            .unwrap_or_else(|e| panic!("premigrate cannot read: {e:?}"))
            .to_json(),
    }
}

/// Every path where two JSON values differ, for a readable failure.
fn diff(path: &str, a: &Json, b: &Json, out: &mut Vec<String>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => diff(&format!("{path}.{k}"), p, q, out),
                    (p, q) => out.push(format!("{path}.{k}: premigrate {p:?} / oracle {q:?}")),
                }
            }
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if json_eq(a, b) => {}
        _ => out.push(format!("{path}: premigrate {a} / oracle {b}")),
    }
}

/// JSON equality where numbers compare by value (1000 and 1000.0 are the same
/// number to Kubernetes' JSON decoder).
fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn assert_reads_like_kubernetes(what: &str, ours: &Json, theirs: &Json) {
    let mut d = Vec::new();
    diff("", ours, theirs, &mut d);
    assert!(
        d.is_empty(),
        "{what}: premigrate reads differently from Kubernetes at {} path(s):\n{}",
        d.len(),
        d.join("\n")
    );
}

#[test]
fn matrix_reads_like_kubernetes() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let doc = matrix_doc();
    let theirs = oracle_values(&oracle, &doc);
    assert_eq!(theirs.len(), 1);
    assert_reads_like_kubernetes("matrix", &tree_json(&doc), &theirs[0]);
    // Spot checks, so the oracle itself is known to read YAML 1.1.
    let a = &theirs[0]["metadata"]["annotations"];
    assert_eq!(a["p00"], Json::from(493));
    assert_eq!(a["s00"], Json::from("0755"));
    assert_eq!(
        a[&format!("p{:02}", TRICKY.iter().position(|t| *t == "yes").unwrap())],
        Json::Bool(true)
    );
}

/// Scalars one per document, so that one divergence does not hide another and
/// each failure names its scalar.
#[test]
fn each_tricky_scalar_reads_like_kubernetes() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let docs: Vec<String> = TRICKY
        .iter()
        .flat_map(|t| {
            [
                format!("v: {t}\n"),
                format!("{t}: key\n"),
                format!("[{t}]\n"),
            ]
        })
        .filter(|d| {
            !d.starts_with("~:")
                && !d.starts_with("null:")
                && !d.starts_with("Null:")
                && !d.starts_with("NULL:")
        })
        // Float keys with more than float32 precision: a known bug, see `float_map_keys_*`.
        .filter(|d| !d.starts_with("6.8523015e+5:") && !d.starts_with("685_230.15:"))
        .collect();
    let stream: String = docs.iter().map(|d| format!("---\n{d}")).collect();
    let theirs = oracle_values(&oracle, &stream);
    assert_eq!(theirs.len(), docs.len());
    let mut bad = Vec::new();
    for (d, j) in docs.iter().zip(&theirs) {
        let ours = tree_json(d);
        if !json_eq(&ours, j) {
            bad.push(format!(
                "{:?}: premigrate {ours} / oracle {j}",
                d.trim_end()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} scalar(s) read differently:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

// ── former divergences (bugs fixed in src/, pinned here) ─────────────────────

/// YAML premigrate used to read differently from Kubernetes, with what Kubernetes
/// reads (checked against the oracle by `known_divergences_are_what_kubernetes_reads`).
const FLOAT_KEYS: (&str, &str) = (
    "685230.15: a\n1.1e-7: b\n1e20: c\n123456789.0: d\n.inf: e\n-.inf: f\n.nan: g\n0.1: h\n",
    r#"{"-.inf":"f",".inf":"e",".nan":"g","0.1":"h","1.1e-07":"b","1.2345679e+08":"d","1e+20":"c","685230.1":"a"}"#,
);
const TAGS: (&str, &str) = (
    "a: !!int 0755\nb: !!int \"0755\"\nc: !!bool \"yes\"\nd: !!float \"1\"\ne: !!null \"\"\nf: !!binary aGVsbG8=\ng: !!str 0755\nh: !!float 0755\n",
    r#"{"a":493,"b":493,"c":true,"d":1,"e":null,"f":"hello","g":"0755","h":493}"#,
);
const MERGE_ORDER: (&str, &str) = (
    "a: &a {x: 1}\nb:\n  k: v\n  <<: {k: o, m: 1}\nc:\n  <<: *a\n  <<: {x: 2}\n",
    r#"{"a":{"x":1},"b":{"k":"o","m":1},"c":{"x":2}}"#,
);
const HUGE_FLOATS: (&str, &str) = (
    "v: 1e400\nw: -1e400\nx: 1e-400\n",
    r#"{"v":"1e400","w":"-1e400","x":0}"#,
);

#[test]
fn known_divergences_are_what_kubernetes_reads() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    for (doc, want) in [FLOAT_KEYS, TAGS, MERGE_ORDER, HUGE_FLOATS] {
        let theirs = oracle_values(&oracle, doc).remove(0);
        let want: Json = serde_json::from_str(want).unwrap();
        assert!(
            json_eq(&theirs, &want),
            "{doc:?}: the oracle reads {theirs}"
        );
    }
}

fn assert_known(case: (&str, &str)) {
    let want: Json = serde_json::from_str(case.1).unwrap();
    assert_reads_like_kubernetes(case.0, &tree_json(case.0), &want);
}

/// sigs.k8s.io/yaml turns float keys into JSON keys with
/// `strconv.FormatFloat(f, 'g', -1, 32)`: float32 precision, exponent form,
/// `.inf`/`-.inf`/`.nan` (premigrate once used Rust's f64 `to_string`).
#[test]
fn float_map_keys_are_formatted_as_kubernetes_does() {
    assert_known(FLOAT_KEYS);
}

/// Explicit tags (`!!int "0755"`, `!!bool "yes"`, `!!null ""`, `!!binary`)
/// resolve the scalar as go-yaml v2 does. the parser reports them expanded
/// (`tag:yaml.org,2002:int`), which premigrate once compared with `"!!int"`.
#[test]
fn tagged_scalars_resolve_as_kubernetes_does() {
    assert_known(TAGS);
}

/// go-yaml v2 applies `<<` where it stands: a merge after an explicit key
/// overrides it, and a second `<<` overrides the first (premigrate once let
/// explicit keys and the first merge always win).
#[test]
fn merge_keys_apply_in_document_order() {
    assert_known(MERGE_ORDER);
}

/// A float literal out of f64 range is a string to go-yaml v2 (its ParseFloat
/// fails); premigrate once read infinity and wrote it as the string "inf".
#[test]
fn out_of_range_floats_stay_strings() {
    assert_known(HUGE_FLOATS);
}

// ── edits ───────────────────────────────────────────────────────────────────

/// The string values the edits write: each is a trap for some YAML reader.
const WRITTEN: &[&str] = &[
    "yes", "0755", "1:20", "", "a: b", "#x", "- x", "true", "null", "@x", "é", "a\nb", "~", "on",
    " lead", "trail ", "'q'", "\"dq\"", "*x", "&x", "!x", "%x", "|", ">", "[x]", "{x}", "x # y",
    "08", "1_000", ".5", "-0b11", "\t", "---", "...",
];

/// JSON at a path, mutable, creating maps on the way.
fn json_slot<'a>(root: &'a mut Json, path: &[Seg]) -> &'a mut Json {
    let mut cur = root;
    for seg in path {
        cur = match seg {
            Seg::Key(k) => {
                if !cur.is_object() {
                    *cur = Json::Object(Default::default());
                }
                cur.as_object_mut()
                    .unwrap()
                    .entry(k.clone())
                    .or_insert(Json::Null)
            }
            Seg::Index(i) => &mut cur.as_array_mut().expect("a list on the path")[*i],
        };
    }
    cur
}

/// The list edits planned for one path: (path, inserts as (index, items), removed indices).
type SeqEdits<'a> = (&'a Vec<Seg>, Vec<(usize, Vec<Json>)>, Vec<usize>);

/// What Kubernetes must read after `edits`, computed on the oracle's JSON of the
/// original. Index edits refer to original positions, as in `edit::apply`.
fn expected_after(before: &Json, edits: &[Edit]) -> Json {
    let mut v = before.clone();
    let mut seq_edits: Vec<SeqEdits> = vec![];
    for e in edits {
        match e {
            Edit::Set(p, x) => *json_slot(&mut v, p) = x.to_json(),
            Edit::Remove(p) => {
                let (Seg::Key(k), parent) = p.split_last().unwrap() else {
                    panic!("remove takes a key")
                };
                if let Some(o) = json_slot(&mut v, parent).as_object_mut() {
                    o.remove(k);
                }
            }
            Edit::Insert(p, ..) | Edit::RemoveItem(p, _) => {
                if seq_edits.iter().all(|s| s.0 != p) {
                    seq_edits.push((p, vec![], vec![]));
                }
                expected_seq(&mut seq_edits, e);
            }
        }
    }
    for (p, inserts, removes) in seq_edits {
        let slot = json_slot(&mut v, p);
        let orig = slot.as_array().cloned().unwrap_or_default();
        let mut out = vec![];
        for i in 0..=orig.len() {
            for (at, xs) in &inserts {
                if (*at).min(orig.len()) == i {
                    out.extend(xs.iter().cloned());
                }
            }
            if i < orig.len() && !removes.contains(&i) {
                out.push(orig[i].clone());
            }
        }
        *slot = Json::Array(out);
    }
    v
}

fn expected_seq<'a>(seq_edits: &mut [SeqEdits<'a>], e: &'a Edit) {
    match e {
        Edit::Insert(p, i, xs) => {
            let s = seq_edits.iter_mut().find(|s| s.0 == p).unwrap();
            s.1.push((*i, xs.iter().map(Value::to_json).collect()));
        }
        Edit::RemoveItem(p, i) => {
            let s = seq_edits.iter_mut().find(|s| s.0 == p).unwrap();
            s.2.push(*i);
        }
        _ => unreachable!(),
    }
}

/// Edit sets, each applied alone and then all at once where they do not collide.
fn edit_sets() -> Vec<(String, Vec<Edit>)> {
    let mut sets: Vec<(String, Vec<Edit>)> = vec![];
    // New keys with tricky string values, in a block map, a flow map, a new map and at the top.
    for (i, w) in WRITTEN.iter().enumerate() {
        sets.push((
            format!("set new annotation {w:?}"),
            vec![Edit::Set(
                path!["metadata", "annotations", format!("new.io/k{i}")],
                Value::str(*w),
            )],
        ));
        sets.push((
            format!("set new flow-map key {w:?}"),
            vec![Edit::Set(
                path!["spec", "flowMap", format!("n{i}")],
                Value::str(*w),
            )],
        ));
        sets.push((
            format!("set existing plain 0755 to {w:?}"),
            vec![Edit::Set(
                path!["metadata", "annotations", "p00"],
                Value::str(*w),
            )],
        ));
        // The other spots get the values of the brief (the first 12): keeps the test fast.
        if i >= 12 {
            continue;
        }
        sets.push((
            format!("set existing block scalar to {w:?}"),
            vec![Edit::Set(path!["spec", "literal"], Value::str(*w))],
        ));
        sets.push((
            format!("set existing flow item to {w:?}"),
            vec![Edit::Set(path!["spec", "flowItems", 1], Value::str(*w))],
        ));
        sets.push((
            format!("set existing block item to {w:?}"),
            vec![Edit::Set(path!["spec", "items", 1], Value::str(*w))],
        ));
        sets.push((
            format!("set empty value to {w:?}"),
            vec![Edit::Set(path!["spec", "empty"], Value::str(*w))],
        ));
        sets.push((
            format!("set deep new path to {w:?}"),
            vec![Edit::Set(
                path!["spec", "new", "deeper", "k"],
                Value::str(*w),
            )],
        ));
    }
    let other: Vec<(&str, Value)> = vec![
        ("int", Value::Int(493)),
        ("bool", Value::Bool(false)),
        ("null", Value::Null),
        ("float", Value::Float(0.5)),
        (
            "map",
            Value::map([
                ("a", Value::str("yes")),
                (
                    "b",
                    Value::Seq(vec![Value::str("0755"), Value::Int(1)].into()),
                ),
            ]),
        ),
        (
            "seq",
            Value::Seq(vec![Value::str("on"), Value::map([("x", Value::str("1:20"))])].into()),
        ),
        ("empty map", Value::Map(vec![].into())),
        ("empty seq", Value::Seq(vec![].into())),
    ];
    for (what, v) in &other {
        sets.push((
            format!("set new annotation to {what}"),
            vec![Edit::Set(path!["spec", "added"], v.clone())],
        ));
        sets.push((
            format!("set existing plain to {what}"),
            vec![Edit::Set(
                path!["metadata", "annotations", "d01"],
                v.clone(),
            )],
        ));
        sets.push((
            format!("set existing block map to {what}"),
            vec![Edit::Set(path!["spec", "keys"], v.clone())],
        ));
        sets.push((
            format!("set existing block seq to {what}"),
            vec![Edit::Set(path!["spec", "plain"], v.clone())],
        ));
        sets.push((
            format!("set existing flow map to {what}"),
            vec![Edit::Set(path!["spec", "flowMap"], v.clone())],
        ));
        sets.push((
            format!("set existing empty to {what}"),
            vec![Edit::Set(path!["spec", "empty"], v.clone())],
        ));
        sets.push((
            format!("set empty flow map key to {what}"),
            vec![Edit::Set(path!["spec", "emptyFlow", "k"], v.clone())],
        ));
        sets.push((
            format!("insert {what} in block seq at 0"),
            vec![Edit::Insert(path!["spec", "items"], 0, vec![v.clone()])],
        ));
        sets.push((
            format!("insert {what} in block seq at end"),
            vec![Edit::Insert(path!["spec", "items"], 4, vec![v.clone()])],
        ));
        sets.push((
            format!("insert {what} in flow seq at 0"),
            vec![Edit::Insert(path!["spec", "flowItems"], 0, vec![v.clone()])],
        ));
        sets.push((
            format!("insert {what} in new seq"),
            vec![Edit::Insert(path!["spec", "newList"], 0, vec![v.clone()])],
        ));
        sets.push((
            format!("insert {what} in empty seq"),
            vec![Edit::Insert(path!["spec", "emptySeq"], 0, vec![v.clone()])],
        ));
        sets.push((
            format!("insert {what} in item map"),
            vec![Edit::Set(path!["spec", "nested", 1, "extra"], v.clone())],
        ));
    }
    for k in ["first", "middle", "last", "p00", "s05", "d10"] {
        sets.push((
            format!("remove annotation {k}"),
            vec![Edit::Remove(path!["metadata", "annotations", k])],
        ));
    }
    for k in ["f0", "f5", &format!("f{}", TRICKY.len() - 2)] {
        sets.push((
            format!("remove flow-map key {k}"),
            vec![Edit::Remove(path!["spec", "flowMap", k])],
        ));
    }
    for k in ["apiVersion", "spec"] {
        sets.push((
            format!("remove top-level {k}"),
            vec![Edit::Remove(path![k])],
        ));
    }
    sets.push((
        "remove literal".into(),
        vec![Edit::Remove(path!["spec", "literal"])],
    ));
    sets.push((
        "remove multi-line plain".into(),
        vec![Edit::Remove(path!["spec", "multiPlain"])],
    ));
    sets.push((
        "remove duplicated key".into(),
        vec![Edit::Remove(path!["spec", "dupe"])],
    ));
    sets.push((
        "remove missing key".into(),
        vec![Edit::Remove(path!["spec", "nope"])],
    ));
    for i in [0, 1, 3] {
        sets.push((
            format!("remove block item {i}"),
            vec![Edit::RemoveItem(path!["spec", "items"], i)],
        ));
        sets.push((
            format!("remove nested item {}", i.min(1)),
            vec![Edit::RemoveItem(path!["spec", "nested"], i.min(1))],
        ));
    }
    for i in [0, 1, 2] {
        sets.push((
            format!("remove flow item {i}"),
            vec![Edit::RemoveItem(path!["spec", "flowItems"], i)],
        ));
    }
    // Several removals and inserts on one list, indices all original.
    let items = || path!["spec", "items"];
    let flow = || path!["spec", "flowItems"];
    let nested = || path!["spec", "nested"];
    let gate = Value::map([
        ("name", Value::str("wait")),
        (
            "args",
            Value::Seq(vec![Value::str("on"), Value::str("0755")].into()),
        ),
    ]);
    let list_sets: Vec<(&str, Vec<Edit>)> = vec![
        (
            "remove the last two block items",
            vec![Edit::RemoveItem(items(), 2), Edit::RemoveItem(items(), 3)],
        ),
        (
            "remove every block item",
            (0..4).map(|i| Edit::RemoveItem(items(), i)).collect(),
        ),
        (
            "replace every block item",
            (0..4)
                .map(|i| Edit::RemoveItem(items(), i))
                .chain([Edit::Insert(items(), 2, vec![Value::str("yes")])])
                .collect(),
        ),
        (
            "remove block item 0, insert before item 1 and at the end",
            vec![
                Edit::RemoveItem(items(), 0),
                Edit::Insert(items(), 1, vec![Value::str("y")]),
                Edit::Insert(items(), 9, vec![Value::str("0x1F")]),
            ],
        ),
        (
            "move a map item to the front",
            vec![
                Edit::RemoveItem(nested(), 1),
                Edit::Insert(nested(), 0, vec![gate.clone()]),
                Edit::Set(path!["spec", "nested", 0, "value"], Value::str("no")),
            ],
        ),
        (
            "remove every flow item",
            (0..3).map(|i| Edit::RemoveItem(flow(), i)).collect(),
        ),
        (
            "remove flow items around an insert",
            vec![
                Edit::RemoveItem(flow(), 1),
                Edit::RemoveItem(flow(), 2),
                Edit::Insert(flow(), 1, vec![gate.clone()]),
                Edit::Insert(flow(), 0, vec![Value::str("off")]),
            ],
        ),
    ];
    for (what, edits) in list_sets {
        sets.push((what.into(), edits));
    }
    // Combined: several edits in one document, as the planner makes them.
    sets.push((
        "combined".into(),
        vec![
            Edit::Set(
                path!["metadata", "annotations", "new.io/a"],
                Value::str("yes"),
            ),
            Edit::Set(
                path!["metadata", "annotations", "new.io/b"],
                Value::str("0755"),
            ),
            Edit::Set(path!["metadata", "labels", "app"], Value::str("1:20")),
            Edit::Set(path!["metadata", "labels", "on"], Value::str("a\nb")),
            Edit::Remove(path!["metadata", "annotations", "first"]),
            Edit::Remove(path!["metadata", "annotations", "middle"]),
            Edit::Remove(path!["metadata", "annotations", "last"]),
            Edit::Set(path!["metadata", "annotations", "p01"], Value::str("#x")),
            Edit::Insert(
                path!["spec", "items"],
                0,
                vec![Value::str("- x"), Value::map([("k", Value::str("é"))])],
            ),
            Edit::Insert(path!["spec", "items"], 4, vec![Value::str("@x")]),
            Edit::RemoveItem(path!["spec", "items"], 2),
            Edit::Set(path!["spec", "flowMap", "f1"], Value::str("null")),
            Edit::Set(path!["spec", "flowMap", "zz"], Value::str("")),
            Edit::Set(path!["spec", "empty", "a"], Value::str("true")),
            Edit::Set(path!["spec", "nested", 0, "value"], Value::str("a: b")),
        ],
    ));
    sets
}

#[test]
fn edits_write_exactly_and_leave_the_rest_alone() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let doc = matrix_doc();
    let tree = Tree::parse(&doc).unwrap();
    let before = oracle_values(&oracle, &doc).remove(0);
    let sets = edit_sets();
    let mut failures = Vec::new();
    let mut outputs = Vec::new();
    for (what, edits) in &sets {
        match apply(&doc, &tree, edits) {
            Ok(out) => outputs.push((what, edits, out)),
            Err(e) => failures.push(format!("{what}: apply refused: {e:?}")),
        }
    }
    let stream: String = outputs
        .iter()
        .map(|(_, _, out)| format!("---\n{out}"))
        .collect();
    let after = oracle_values(&oracle, &stream);
    assert_eq!(
        after.len(),
        outputs.len(),
        "the oracle read a different number of documents"
    );
    for ((what, edits, out), theirs) in outputs.iter().zip(&after) {
        let want = expected_after(&before, edits);
        let mut d = Vec::new();
        diff("", theirs, &want, &mut d);
        if !d.is_empty() {
            failures.push(format!(
                "{what}: Kubernetes reads the edited document differently than planned:\n  {}",
                d.join("\n  ")
            ));
            continue;
        }
        // premigrate reads its own output as Kubernetes does.
        let mut d = Vec::new();
        diff("", &tree_json(out), theirs, &mut d);
        if !d.is_empty() {
            failures.push(format!(
                "{what}: premigrate reads the edited document differently:\n  {}",
                d.join("\n  ")
            ));
        }
        // Untouched text stays: the original's first line and the comment survive.
        if !out.starts_with("apiVersion: v1\n") && !what.contains("apiVersion") {
            failures.push(format!("{what}: the document's start changed"));
        }
        if !out.contains("    middle: two # a comment\n")
            && !what.contains("middle")
            && !what.contains("combined")
        {
            failures.push(format!("{what}: an untouched line with a comment changed"));
        }
        if !out.contains("  literalStrip: |-\n    no\n    on\n") && !what.contains("top-level spec")
        {
            failures.push(format!("{what}: an untouched block scalar changed"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} edit set(s) failed:\n{}",
        failures.len(),
        sets.len(),
        failures.join("\n")
    );
}

/// Edits through an alias are refused, never silently applied to the anchor.
#[test]
fn edits_through_aliases_are_refused() {
    let doc = matrix_doc();
    let tree = Tree::parse(&doc).unwrap();
    for edits in [
        vec![Edit::Set(
            path!["spec", "anchors", "useBase", "x"],
            Value::Int(2),
        )],
        vec![Edit::Set(
            path!["spec", "anchors", "useScalar"],
            Value::Int(2),
        )],
        vec![Edit::Remove(path!["spec", "anchors", "useBase", "x"])],
        vec![Edit::Insert(
            path!["spec", "anchors", "useList"],
            0,
            vec![Value::Int(2)],
        )],
    ] {
        assert!(
            apply(&doc, &tree, &edits).is_err(),
            "{edits:?} went through an alias"
        );
    }
    // Editing an anchored node would change its aliases too: also refused, or exact.
    let edits = vec![Edit::Set(
        path!["spec", "anchors", "base", "x"],
        Value::Int(2),
    )];
    if let Ok(out) = apply(&doc, &tree, &edits) {
        let v = tree_json(&out);
        assert_eq!(
            v["spec"]["anchors"]["useBase"]["x"],
            Json::from(1),
            "an anchor edit leaked into its alias:\n{out}"
        );
    }
}

// ── real outputs ────────────────────────────────────────────────────────────

/// Compares premigrate's reading of every non-blank document of a stream with the oracle's.
fn assert_stream_reads_like_kubernetes(oracle: &Path, what: &str, stream: &[u8]) {
    let st = premigrate::stream::Stream::split(stream).unwrap();
    let docs: Vec<&str> = (0..st.docs.len())
        .map(|i| st.doc_text(i))
        .filter(|d| !premigrate::stream::is_blank(d))
        .collect();
    let joined: String = docs
        .iter()
        .map(|d| {
            let mut d = if premigrate::stream::is_doc_start(d.lines().next().unwrap_or("")) {
                d.to_string()
            } else {
                format!("---\n{d}")
            };
            if !d.ends_with('\n') {
                d.push('\n');
            }
            d
        })
        .collect();
    let theirs = oracle_values(oracle, &joined);
    assert_eq!(theirs.len(), docs.len(), "{what}: document count differs");
    for (i, (d, j)) in docs.iter().zip(&theirs).enumerate() {
        assert_reads_like_kubernetes(&format!("{what}, document {}", i + 1), &tree_json(d), j);
    }
}

#[test]
fn demo_input_and_outputs_read_like_kubernetes() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let input = premigrate::demo::INPUT.as_bytes();
    assert_stream_reads_like_kubernetes(&oracle, "demo input", input);
    for target in [
        premigrate::config::Target::Hooks,
        premigrate::config::Target::Gitops,
    ] {
        let cfg = premigrate::Config {
            target,
            ..Default::default()
        };
        let out = premigrate::rewrite(input, &cfg).unwrap();
        assert_stream_reads_like_kubernetes(
            &oracle,
            &format!("demo output ({target:?})"),
            &out.stream,
        );
    }
}

#[test]
fn testdata_streams_read_like_kubernetes() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let dir = support::repo_root().join("testdata/streams");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        assert_stream_reads_like_kubernetes(&oracle, &f.display().to_string(), &bytes);
    }
}

/// Every example chart, rendered by Helm 3, read by premigrate as Kubernetes
/// reads it, before and after the rewrite (both targets).
#[test]
fn chart_renders_read_like_kubernetes() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let charts = support::repo_root().join("charts");
    let mut names: Vec<_> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for chart in names {
        let name = chart.file_name().unwrap().to_string_lossy().into_owned();
        let rendered =
            support::run_helm_ok(&helm3, &["template", "rel", chart.to_str().unwrap()], &[]);
        assert_stream_reads_like_kubernetes(
            &oracle,
            &format!("{name} render"),
            rendered.as_bytes(),
        );
        for target in [
            premigrate::config::Target::Hooks,
            premigrate::config::Target::Gitops,
        ] {
            let cfg = premigrate::Config {
                target,
                ..Default::default()
            };
            let out = premigrate::rewrite(rendered.as_bytes(), &cfg)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_stream_reads_like_kubernetes(
                &oracle,
                &format!("{name} rewritten ({target:?})"),
                &out.stream,
            );
        }
    }
}
