//! Differential test of premigrate's YAML reading against go-yaml v2, the
//! library Kubernetes reads YAML with (`yaml11-oracle -batch`, built from
//! tests/oracle/main.go against gopkg.in/yaml.v2).
//!
//! A seeded generator writes streams that mix block and flow collections at
//! odd indentations, multi-line plain, quoted and block scalars, tabs, the
//! YAML 1.1 line breaks (CR, NEL, LS, PS), BOMs, directives, anchors, aliases,
//! merge keys, tags and comments; every file of testdata/ and the shared
//! corpus is added. Each stream is read by both sides: accepted or refused,
//! and when accepted, the same JSON for every document. Known differences
//! are listed in [`explained`], each with its reason and its own test.

#[path = "support/rng.rs"]
mod rng;
mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use premigrate::stream::{is_blank, Stream};
use premigrate::yaml::Tree;
use rng::Rng;
use serde_json::Value as Json;
use support::{repo_root, require_tool};

/// Streams the generator writes (each holds 1 to 3 documents).
const GENERATED: usize = 140_000;

/// Stands for an oracle reading too deep for serde_json to load.
const TOO_DEEP: &str = "<nested too deep to compare>";

const PLAIN: &[&str] = &[
    "x",
    "web",
    "0755",
    "007",
    "08",
    "0x1F",
    "1_000",
    "1e3",
    ".5",
    "yes",
    "no",
    "on",
    "Off",
    "y",
    "N",
    "true",
    "~",
    "null",
    "1:20",
    "2001-12-14",
    "+12",
    "-0b11",
    "1.0",
    "-.inf",
    ".NaN",
    "a#b",
    "a b",
    "http://x:80/y",
    "-x",
    "?x",
    ":x",
    "x:y",
    "é",
    "日本",
    "<<",
    "=",
    "!x",
    "9223372036854775808",
    "-9223372036854775809",
    "1e400",
    "0o17",
    "0b101",
    "+.5",
    "-",
    "x:",
];
const BREAKS: &[&str] = &[
    "\n", "\n", "\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}",
];
const TAGS: &[&str] = &[
    "!!str ",
    "!!int ",
    "!!bool ",
    "!!float ",
    "!!null ",
    "!!binary ",
    "!foo ",
    "! ",
    "!!map ",
    "!!seq ",
    "!<tag:yaml.org,2002:str> ",
];

/// Writes one stream.
struct Gen<'r> {
    r: &'r mut Rng,
    br: &'static str,
    anchors: Vec<String>,
    out: String,
}

impl Gen<'_> {
    /// A line break: the stream's own, now and then another one.
    fn nl(&mut self) {
        let b = if self.r.chance(3) {
            self.r.pick(BREAKS)
        } else {
            self.br
        };
        self.out.push_str(b);
    }

    fn spaces(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push(' ');
        }
    }

    /// Blank (`indent` was the parent's column): a column near `indent`, sometimes lower.
    fn odd_indent(&mut self, indent: usize) -> usize {
        match self.r.below(12) {
            0 => 0,
            1 => indent.saturating_sub(1),
            2 | 3 => indent,
            _ => indent + 1 + self.r.below(3),
        }
    }

    fn comment(&mut self) {
        if self.r.chance(15) {
            let sep = if self.r.chance(20) { "\t" } else { " " };
            self.out.push_str(sep);
            let c = self.r.pick(&["# c", "#c: d", "# \u{85}k: v", "# é"]);
            self.out.push_str(c);
        }
    }

    fn properties(&mut self) {
        if self.r.chance(8) {
            let name = format!("a{}", self.r.below(4));
            self.out.push_str(&format!("&{name} "));
            self.anchors.push(name);
        }
        if self.r.chance(4) {
            // Mostly tags that any scalar takes; the others now and then.
            let t = if self.r.chance(70) {
                self.r
                    .pick(&["!!str ", "!foo ", "! ", "!<tag:yaml.org,2002:str> "])
            } else {
                self.r.pick(TAGS)
            };
            self.out.push_str(t);
        }
    }

    /// A scalar written inline, possibly over several lines.
    fn scalar(&mut self, indent: usize, flow: bool) {
        match self.r.below(10) {
            0..=3 => {
                let p = self.r.pick(PLAIN);
                self.out.push_str(p);
                if self.r.chance(10) {
                    self.nl();
                    let i = self.odd_indent(indent);
                    self.spaces(i);
                    let p = self.r.pick(PLAIN);
                    self.out.push_str(p);
                }
            }
            4 | 5 => {
                self.out.push('\'');
                let p = self.r.pick(&["a", "it''s", "0755", "", " x ", "é"]);
                self.out.push_str(p);
                for _ in 0..self.r.below(3) {
                    if self.r.chance(50) {
                        self.nl();
                    }
                    let i = self.odd_indent(indent);
                    self.spaces(i);
                    let p = self.r.pick(&["b", "", "c d", "\tt"]);
                    self.out.push_str(p);
                }
                self.out.push('\'');
            }
            6 | 7 => {
                self.out.push('"');
                let p = if self.r.chance(95) {
                    self.r.pick(&[
                        "a",
                        "\\n",
                        "\\x41",
                        "\\u00e9",
                        "\\t",
                        "yes",
                        "\\\"",
                        "\\e",
                        "\\N",
                        "\\L",
                        "\\_",
                        "\\0",
                        "\\U0001F600",
                        "",
                    ])
                } else {
                    self.r.pick(&["\\/", "\\q", "\\", "\\x4"])
                };
                self.out.push_str(p);
                if self.r.chance(30) {
                    self.nl();
                    let i = self.odd_indent(indent);
                    self.spaces(i);
                    self.out.push('b');
                }
                self.out.push('"');
            }
            8 if !flow => self.block_scalar(indent),
            _ => {
                if self.r.chance(30) && !self.anchors.is_empty() {
                    let a = self.anchors[self.r.below(self.anchors.len())].clone();
                    self.out.push('*');
                    self.out.push_str(&a);
                } else if self.r.chance(5) {
                    self.out
                        .push_str(self.r.pick(&["\u{1b}x", "x\u{7f}", "\u{85}x", "x\u{85}y"]));
                } else {
                    let p = self.r.pick(PLAIN);
                    self.out.push_str(p);
                }
            }
        }
    }

    fn block_scalar(&mut self, indent: usize) {
        let h = self
            .r
            .pick(&["|", ">", "|-", ">+", "|2", ">-", "|+", "|1-"]);
        self.out.push_str(h);
        self.comment();
        let content = indent + 1 + self.r.below(3);
        for _ in 0..1 + self.r.below(3) {
            self.nl();
            match self.r.below(6) {
                0 => {}
                1 => {
                    let extra = content + 2;
                    self.spaces(extra);
                    self.out.push_str("more");
                }
                2 => {
                    self.spaces(content);
                    self.out.push_str("t\tab");
                }
                _ => {
                    self.spaces(content);
                    let p = self.r.pick(&["line", "a: b", "# not a comment", "- x"]);
                    self.out.push_str(p);
                }
            }
        }
    }

    fn flow(&mut self, indent: usize, depth: usize) {
        let map = self.r.chance(50);
        self.out.push(if map { '{' } else { '[' });
        let n = self.r.below(4);
        for i in 0..n {
            if i > 0 {
                self.out.push_str(", ");
            }
            if self.r.chance(25) {
                self.nl();
                let c = self.odd_indent(indent);
                self.spaces(c);
            }
            if map {
                let k = self.r.pick(&["a", "b", "\"c\"", "<<", "1", "? d", "e"]);
                self.out.push_str(k);
                if self.r.chance(85) {
                    self.out.push_str(self.r.pick(&[": ", ":", ":\t"]));
                    self.value_inline(indent, depth + 1);
                }
            } else {
                self.value_inline(indent, depth + 1);
            }
        }
        if self.r.chance(10) {
            self.out.push(',');
        }
        if self.r.chance(35) {
            self.nl();
            let c = self.odd_indent(indent);
            self.spaces(c);
        }
        self.out.push(if map { '}' } else { ']' });
    }

    fn value_inline(&mut self, indent: usize, depth: usize) {
        self.properties();
        if depth < 3 && self.r.chance(20) {
            self.flow(indent, depth);
        } else {
            self.scalar(indent, true);
        }
    }

    /// A mapping's entries at column `indent` (the first one's column is already written).
    fn block_map(&mut self, indent: usize, depth: usize) {
        let n = 1 + self.r.below(3);
        for i in 0..n {
            if i > 0 {
                self.nl();
                if self.r.chance(8) {
                    let c = self.r.below(indent + 3);
                    self.spaces(c);
                    self.out.push_str("# own line");
                    self.nl();
                }
                self.spaces(indent);
            }
            let k = if self.r.chance(8) {
                "<<".to_string()
            } else {
                self.r
                    .pick(&["a", "b", "c", "'d'", "\"e\"", "yes", "1", "kind"])
                    .to_string()
            };
            self.out.push_str(&k);
            self.out.push(':');
            if k == "<<" && self.r.chance(85) {
                // Mostly what a merge takes: a mapping, a list of them, an alias.
                let v = match (self.r.below(3), self.anchors.last()) {
                    (0, Some(a)) => format!(" *{a}"),
                    (1, _) => " [{m: 1, a: x}, {n: 2}]".to_string(),
                    _ => " {m: 0, a: y}".to_string(),
                };
                self.out.push_str(&v);
                continue;
            }
            self.value(indent, depth + 1);
        }
    }

    /// A value after `key:` (or `-`) whose parent is at column `indent`.
    fn value(&mut self, indent: usize, depth: usize) {
        match self.r.below(if depth > 3 { 4 } else { 8 }) {
            0..=2 => {
                self.out.push_str(self.r.pick(&[" ", " ", " ", "\t", "  "]));
                self.properties();
                self.scalar(indent, false);
                self.comment();
            }
            3 => {
                self.out.push(' ');
                self.properties();
                self.flow(indent, depth);
                self.comment();
            }
            4 | 5 => {
                if self.r.chance(20) {
                    self.out.push(' ');
                    self.properties();
                }
                self.comment();
                self.nl();
                let c = indent + 1 + self.r.below(3);
                self.spaces(c);
                self.block_map(c, depth);
            }
            6 => {
                self.comment();
                self.nl();
                // Indentless (at the key's column) or indented.
                let c = if self.r.chance(50) {
                    indent
                } else {
                    indent + 2
                };
                for i in 0..1 + self.r.below(3) {
                    if i > 0 {
                        self.nl();
                    }
                    self.spaces(c);
                    self.out.push('-');
                    self.value(c, depth + 1);
                }
            }
            _ => {
                // Empty value, or an anchored / tagged empty one.
                if self.r.chance(30) {
                    self.out.push(' ');
                    self.properties();
                }
                self.comment();
            }
        }
    }

    fn document(&mut self) {
        self.anchors.clear();
        if self.r.chance(5) {
            self.out.push_str(
                self.r
                    .pick(&["%YAML 1.1", "%YAML 1.2", "%TAG !e! tag:e.com,2000:"]),
            );
            self.nl();
            self.out.push_str("---");
            self.nl();
        } else if self.r.chance(50) {
            self.out.push_str(self.r.pick(&["---", "--- # c", "---\t"]));
            self.nl();
        }
        if self.r.chance(10) {
            self.out.push_str("# Source: x/templates/y.yaml");
            self.nl();
        }
        if self.r.chance(90) {
            self.block_map(0, 0);
        } else {
            self.flow(0, 0);
        }
        self.nl();
        if self.r.chance(5) {
            self.out.push_str("...");
            self.nl();
        }
    }
}

fn generate(seed: u64, count: usize) -> Vec<String> {
    let mut r = Rng(seed);
    (0..count)
        .map(|_| {
            let br = r.pick(BREAKS);
            let mut g = Gen {
                r: &mut r,
                br,
                anchors: vec![],
                out: String::new(),
            };
            if g.r.chance(5) {
                g.out.push('\u{feff}');
            }
            for d in 0..1 + g.r.below(3) {
                if d > 0 {
                    if g.r.chance(3) {
                        g.out.push('\u{feff}');
                    }
                    if !g.out.ends_with("...\n") || g.r.chance(50) {
                        g.out.push_str("---");
                        g.nl();
                    }
                }
                g.document();
            }
            g.out
        })
        .collect()
}

/// premigrate's reading of a stream: the JSON of each document with content,
/// or the first error.
fn premigrate_reads(stream: &str) -> Result<Vec<Json>, String> {
    let st = Stream::split(stream.as_bytes()).map_err(|e| format!("utf-8 {e:?}"))?;
    let mut out = vec![];
    for i in 0..st.docs.len() {
        let text = st.doc_text(i);
        if is_blank(text) {
            continue;
        }
        if st.lacks_doc_start(i) {
            return Err("did not find expected <document start>".into());
        }
        let tree = Tree::parse(text).map_err(|e| e.message)?;
        if let Some(root) = tree.root {
            let v = tree.value(root).map_err(|e| e.message)?;
            out.push(v.to_json());
        }
    }
    out.retain(|j| !j.is_null());
    Ok(out)
}

/// go-yaml v2's reading of many streams, in one process.
fn oracle_reads(oracle: &Path, streams: &[String]) -> Vec<Result<Vec<Json>, String>> {
    let mut child = Command::new(oracle)
        .arg("-batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running yaml11-oracle");
    let mut input = Vec::new();
    for (i, s) in streams.iter().enumerate() {
        if i > 0 {
            input.push(0);
        }
        input.extend_from_slice(s.as_bytes());
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), streams.len(), "one oracle line per stream");
    lines
        .iter()
        .map(|l| {
            if let Some(j) = l.strip_prefix("OK ") {
                // serde_json stops at 128 levels: deeper documents are beyond
                // what premigrate reads anyway (see `explained`).
                let Ok(mut docs) = serde_json::from_str::<Vec<Json>>(j) else {
                    return Ok(vec![Json::String(TOO_DEEP.into())]);
                };
                docs.retain(|d| !d.is_null());
                Ok(docs)
            } else {
                Err(l.strip_prefix("ERR ").unwrap_or(l).to_string())
            }
        })
        .collect()
}

/// Known differences, each with its reason and its own test.
const UINT: &str = "an integer in (2^63, 2^64): go-yaml v2 reads a uint64, premigrate a float of the same value (no Kubernetes field holds either; test: integers_beyond_int64)";
const TAG_COMMA: &str = "a tag directly followed by `,`, `[` or `]`: go-yaml v2 reads them into the tag, premigrate refuses rather than guess (test: tags_glued_to_flow_indicators_are_refused)";
const COLON_END: &str = "a plain scalar ending in `:` right before `,`, `]` or `}` in a flow collection (`[a:]`): libyaml 0.2.5 refuses it (found unexpected ':'), go-yaml v2 reads `a:`; premigrate refuses (test: colon_ended_scalars_in_flow_are_refused)";
const TOO_DEEP_REASON: &str = "nesting deeper than 256 levels: premigrate refuses it (test: deep_nesting_is_refused_not_a_crash in src/yaml/tree.rs)";

/// Why a difference is known and accepted, if it is one.
fn explained(
    ours: &Result<Vec<Json>, String>,
    theirs: &Result<Vec<Json>, String>,
) -> Option<&'static str> {
    match (ours, theirs) {
        (Ok(a), Ok(b)) if numbers_as_floats(a) == numbers_as_floats(b) => Some(UINT),
        (Err(e), Ok(_)) if e.contains("a tag directly followed by") => Some(TAG_COMMA),
        (Err(e), Ok(_)) if e.contains("found unexpected ':'") => Some(COLON_END),
        (Err(e), Ok(b)) if e.contains("nesting deeper") || b.iter().any(|d| d == TOO_DEEP) => {
            Some(TOO_DEEP_REASON)
        }
        _ => None,
    }
}

/// Every number as an f64 (uint64 and float readings of one integer compare equal).
fn numbers_as_floats(docs: &[Json]) -> Vec<Json> {
    fn conv(j: &Json) -> Json {
        match j {
            Json::Number(n) => serde_json::json!(n.as_f64().unwrap_or(f64::NAN)),
            Json::Array(a) => Json::Array(a.iter().map(conv).collect()),
            Json::Object(o) => Json::Object(o.iter().map(|(k, v)| (k.clone(), conv(v))).collect()),
            other => other.clone(),
        }
    }
    docs.iter().map(conv).collect()
}

fn files_under(dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            if let Ok(s) = std::fs::read_to_string(&p) {
                if !s.contains('\0') {
                    out.push(s);
                }
            }
        }
    }
}

#[test]
fn premigrate_reads_yaml_as_go_yaml_v2_does() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    // `YAML_DIFF_SEED=N` explores other streams (CI uses the fixed seed).
    let seed = std::env::var("YAML_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut streams = generate(seed, GENERATED);
    let generated = streams.len();
    files_under(&repo_root().join("testdata"), &mut streams);
    files_under(&repo_root().join("../shared/corpus"), &mut streams);
    let theirs = oracle_reads(&oracle, &streams);
    let (mut docs, mut refused, mut unexplained) = (0, 0, vec![]);
    let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut refusals: std::collections::BTreeMap<String, usize> = Default::default();
    for (s, t) in streams.iter().zip(&theirs) {
        let ours = premigrate_reads(s);
        match t {
            Ok(d) => docs += d.len(),
            Err(e) => {
                refused += 1;
                // The message without its line number, for the summary.
                let m = e.split(": ").last().unwrap_or(e);
                *refusals.entry(m.to_string()).or_default() += 1;
            }
        }
        let same = match (&ours, t) {
            (Ok(a), Ok(b)) => a == b,
            (Err(_), Err(_)) => true,
            _ => false,
        };
        if same {
            continue;
        }
        match explained(&ours, t) {
            Some(r) => *reasons.entry(r).or_default() += 1,
            None => unexplained.push((s, ours, t)),
        }
    }
    // Written to the stderr handle, not with eprintln! (which the harness
    // captures): CI shows the counts of every run.
    let _ = writeln!(
        std::io::stderr(),
        "yaml differential: {} streams ({generated} generated, {} files), {docs} documents read, {refused} streams refused by go-yaml v2; {} explained differences {reasons:?}; {} unexplained",
        streams.len(),
        streams.len() - generated,
        reasons.values().sum::<usize>(),
        unexplained.len()
    );
    let mut top: Vec<_> = refusals.into_iter().collect();
    top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!(
        "go-yaml v2 refusals, most frequent: {:?}",
        &top[..top.len().min(8)]
    );
    for (s, ours, t) in unexplained.iter().take(12) {
        eprintln!("---- {s:?}\n  premigrate: {ours:?}\n  go-yaml v2: {t:?}");
    }
    assert!(docs >= 100_000, "{docs} documents");
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences",
        unexplained.len()
    );
}

/// `PROBE='…' cargo test --test yaml_differential probe -- --ignored --nocapture`:
/// both readings of one stream, side by side.
#[test]
#[ignore]
fn probe() {
    let Ok(s) = std::env::var("PROBE") else {
        return;
    };
    let oracle = require_tool("yaml11-oracle").unwrap();
    for s in s.split("\u{1}") {
        let t = oracle_reads(&oracle, &[s.to_string()]);
        eprintln!(
            "{s:?}\n  premigrate: {:?}\n  go-yaml v2: {:?}",
            premigrate_reads(s),
            t[0]
        );
    }
}

/// Both readings of each stream, for the known differences' own tests.
/// One reading of a stream: its documents, or the error.
type Reading = Result<Vec<Json>, String>;

fn both(streams: &[&str]) -> Option<Vec<(Reading, Reading)>> {
    let oracle = require_tool("yaml11-oracle")?;
    let owned: Vec<String> = streams.iter().map(|s| s.to_string()).collect();
    let theirs = oracle_reads(&oracle, &owned);
    Some(
        streams
            .iter()
            .map(|s| premigrate_reads(s))
            .zip(theirs)
            .collect(),
    )
}

#[test]
fn integers_beyond_int64() {
    let Some(r) = both(&["a: 9223372036854775808\n", "a: 18446744073709551615\n"]) else {
        return;
    };
    for (ours, theirs) in r {
        // go-yaml v2: uint64; premigrate: the same value as a float.
        assert_ne!(ours, theirs);
        assert_eq!(explained(&ours, &theirs), Some(UINT));
    }
}

#[test]
fn tags_glued_to_flow_indicators_are_refused() {
    let Some(r) = both(&["[!x, no]\n", "a: [!foo, b]\n"]) else {
        return;
    };
    for (ours, theirs) in r {
        assert!(theirs.is_ok(), "{theirs:?}");
        assert_eq!(explained(&ours, &theirs), Some(TAG_COMMA), "{ours:?}");
    }
}

#[test]
fn what_go_yaml_v2_alone_refuses_is_refused() {
    // libyaml 0.2.5 reads each of these; go-yaml v2 does not.
    let Some(r) = both(&[
        "%YAML 1.2\n---\na: 1\n",
        "a: \"\\/\"\n",
        "a: [b?c]\n",
        "a: 1\n...\nb: 2\n",
        "a: 1\n---\n\u{feff}b: 2\n",
    ]) else {
        return;
    };
    for (ours, theirs) in r {
        assert_eq!(ours.is_err(), theirs.is_err(), "{ours:?} / {theirs:?}");
        if let (Ok(a), Ok(b)) = (&ours, &theirs) {
            assert_eq!(a, b);
        }
    }
}

#[test]
fn colon_ended_scalars_in_flow_are_refused() {
    let Some(r) = both(&["a: [b:]\n", "a: {b: c:}\n", "[x:, y]\n"]) else {
        return;
    };
    for (ours, theirs) in r {
        assert!(theirs.is_ok(), "{theirs:?}");
        assert_eq!(explained(&ours, &theirs), Some(COLON_END), "{ours:?}");
    }
}
