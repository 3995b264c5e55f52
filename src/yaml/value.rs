//! An owned YAML value as Kubernetes reads it, used to read documents and to
//! build new objects. Documents are never re-emitted from it: edits are spliced
//! into the original text (see `edit`).

use std::fmt::Write as _;

use super::scalar::is_safe_plain;

/// A string of a [`Value`]: a string or a map key. Most are short (keys,
/// names, images): one of up to 16 bytes is kept inline, without an
/// allocation of its own, and a longer one is its bytes and a count. 16 bytes
/// (`String` is 24): with [`List`], a `Value` is 16 bytes and a map entry 32,
/// not 24 and 48, and read documents are mostly map entries.
pub type Text = lean_string::LeanStr;

/// The items of a collection: one pointer (its length and capacity live with
/// the items), so that a `Value` holding one is 16 bytes.
pub type List<T> = thin_vec::ThinVec<T>;

/// A value after YAML 1.1 resolution. Maps keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float that is not a whole number (whole floats are read as integers, as the JSON Kubernetes sees).
    Float(f64),
    /// A string.
    Str(Text),
    /// A sequence.
    Seq(List<Value>),
    /// A mapping with string keys, in order.
    Map(List<(Text, Value)>),
}

impl Value {
    /// Builds a string value.
    pub fn str(s: impl Into<Text>) -> Value {
        Value::Str(s.into())
    }

    /// Builds a map from pairs.
    pub fn map<K: Into<Text>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Looks up a key of a map (the last one wins, as in Kubernetes).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of keys.
    pub fn at(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |v, k| v.get(k))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is a sequence (an absent or null list reads as empty).
    pub fn items(&self) -> &[Value] {
        match self {
            Value::Seq(v) => v,
            _ => &[],
        }
    }

    /// The strings of the list under `key` (its other items left out; none
    /// when there is no such list).
    pub fn strings(&self, key: &str) -> Vec<&str> {
        self.get(key)
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Value::as_str)
            .collect()
    }

    /// The entries, if this is a map.
    pub fn entries(&self) -> &[(Text, Value)] {
        match self {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    /// Sets a key of a map, replacing an existing one in place.
    pub fn set(&mut self, key: &str, v: Value) {
        if let Value::Map(m) = self {
            if let Some(slot) = m.iter_mut().rev().find(|(k, _)| k == key) {
                slot.1 = v;
            } else {
                m.push((key.into(), v));
            }
        }
    }

    /// Removes a key of a map (every occurrence).
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        if let Value::Map(m) = self {
            let mut out = None;
            m.retain_mut(|(k, v)| {
                if k == key {
                    out = Some(std::mem::replace(v, Value::Null));
                    false
                } else {
                    true
                }
            });
            return out;
        }
        None
    }

    /// The JSON that Kubernetes would see, with map keys sorted (canonical).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(f.to_string())),
            Value::Str(s) => s.as_str().into(),
            Value::Seq(v) => v.iter().map(Value::to_json).collect(),
            Value::Map(m) => {
                let mut o = serde_json::Map::new();
                for (k, v) in m {
                    o.insert(k.to_string(), v.to_json());
                }
                serde_json::Value::Object(o)
            }
        }
    }

    /// Builds a value from JSON.
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map(Value::Int)
                .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
            serde_json::Value::String(s) => Value::Str(s.into()),
            serde_json::Value::Array(a) => Value::Seq(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| (k.into(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Writes the value in block style, as the value of a key or item whose
    /// children sit at `indent` spaces. Returns text that starts right after
    /// `key:` (with its leading space or newline) and has no final newline.
    pub fn to_block(&self, indent: usize) -> String {
        self.to_block_before(indent, false)
    }

    /// [`Value::to_block`] for text that something follows on its last line
    /// (`more_on_line`: a comment): no literal block scalar, which would
    /// take that in as its content.
    pub fn to_block_before(&self, indent: usize, more_on_line: bool) -> String {
        let mut out = String::new();
        self.write_block(indent, !more_on_line, &mut out);
        out
    }

    /// Writes the value as a sequence item whose content column is `indent`
    /// (text starts right after `-`).
    pub fn to_item(&self, indent: usize) -> String {
        self.to_item_before(indent, false)
    }

    /// [`Value::to_item`] for text that something follows on its last line.
    pub fn to_item_before(&self, indent: usize, more_on_line: bool) -> String {
        let mut out = String::new();
        self.write_item(indent, !more_on_line, &mut out);
        out
    }

    /// Writes the value in flow style (JSON with YAML-safe scalars), for flow
    /// collections and one-line values.
    pub fn to_flow(&self) -> String {
        let mut out = String::new();
        self.write_flow(&mut out);
        out
    }

    // The writers below append to one buffer: a nested value written into
    // strings of its own was copied once per level (a gate's init container:
    // 30k instructions).
    fn write_block(&self, indent: usize, literal: bool, out: &mut String) {
        match self {
            Value::Map(m) if !m.is_empty() => {
                for (k, v) in m {
                    out.push('\n');
                    push_indent(out, indent);
                    write_str(k, out);
                    out.push(':');
                    v.write_block(indent + 2, literal, out);
                }
            }
            Value::Seq(items) if !items.is_empty() => {
                for item in items {
                    out.push('\n');
                    push_indent(out, indent);
                    out.push('-');
                    item.write_item(indent + 2, literal, out);
                }
            }
            Value::Str(s) if literal && write_literal(s, indent, out) => {}
            _ => {
                out.push(' ');
                self.write_flow(out);
            }
        }
    }

    fn write_item(&self, indent: usize, literal: bool, out: &mut String) {
        match self {
            Value::Map(m) if !m.is_empty() => {
                for (i, (k, v)) in m.iter().enumerate() {
                    if i == 0 {
                        out.push(' ');
                    } else {
                        out.push('\n');
                        push_indent(out, indent);
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write_block(indent + 2, literal, out);
                }
            }
            Value::Str(s) if literal && write_literal(s, indent, out) => {}
            _ => {
                out.push(' ');
                self.write_flow(out);
            }
        }
    }

    fn write_flow(&self, out: &mut String) {
        match self {
            Value::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_flow(out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(k, out);
                    out.push_str(": ");
                    v.write_flow(out);
                }
                out.push('}');
            }
            _ => write_scalar(self, out),
        }
    }

    /// Writes the whole value as a block-style top-level document body.
    pub fn to_document(&self) -> String {
        let mut s = self.to_block(0);
        if s.starts_with('\n') {
            s.remove(0);
        }
        s.push('\n');
        s
    }
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// A scalar as YAML text that every YAML 1.1 and 1.2 reader reads back the same.
pub fn scalar_text(v: &Value) -> String {
    let mut out = String::new();
    write_scalar(v, &mut out);
    out
}

/// [`scalar_text`], appended to `out`.
fn write_scalar(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::Str(s) => write_str(s, out),
        Value::Seq(_) | Value::Map(_) => v.write_flow(out),
    }
}

/// A string (or a key) as YAML text that reads back as that string.
fn write_str(s: &str, out: &mut String) {
    if is_safe_plain(s) {
        out.push_str(s);
    } else {
        out.push_str(&double_quoted(s));
    }
}

/// Writes a multi-line string as a literal block scalar (`|`, or `|-` without
/// a final line break) whose lines sit at column `indent`, as a person would
/// write a script; `false` (nothing written) for a string that form would not
/// read back as exactly itself in every reader: one line, several final line
/// breaks, a first line starting with a blank, trailing blanks, control
/// characters, or line breaks other than `\n`.
fn write_literal(s: &str, indent: usize, out: &mut String) -> bool {
    let (body, header) = match s.strip_suffix('\n') {
        Some(b) => (b, " |"),
        None => (s, " |-"),
    };
    let plain_char = |c: char| c == '\n' || c == '\t' || !(c.is_control() || needs_escape(c));
    let writable = indent > 0
        && body.contains('\n')
        && !body.ends_with('\n')
        && !body.starts_with([' ', '\t', '\n'])
        && body.chars().all(plain_char)
        && body.split('\n').all(|l| !l.ends_with([' ', '\t']));
    if !writable {
        return false;
    }
    out.push_str(header);
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            push_indent(out, indent);
            out.push_str(line);
        }
    }
    true
}

/// A YAML double-quoted scalar: JSON's escapes, plus `\uXXXX` for what YAML
/// 1.1 would read as a line break (NEL, LS, PS), a BOM, or refuse raw (DEL,
/// C1 controls, U+FFFE/U+FFFF).
fn double_quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    if !json.contains(|c: char| needs_escape(c)) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{:04X}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_with_yaml_line_breaks_or_controls_are_escaped() {
        let s = "a\u{85}b\u{2028}c\u{2029}d\u{feff}e\u{7f}f\u{9f}g\u{ffff}";
        let text = format!("k: {}\n", scalar_text(&Value::str(s)));
        assert!(text.is_ascii(), "{text}");
        let t = crate::yaml::Tree::parse(&text).unwrap();
        assert_eq!(
            t.value(t.root.unwrap()).unwrap().get("k"),
            Some(&Value::str(s))
        );
    }

    #[test]
    fn block_output_quotes_what_yaml_1_1_would_misread() {
        let v = Value::map([
            ("a", Value::str("yes")),
            ("b", Value::str("0755")),
            (
                "c",
                Value::Seq(
                    vec![Value::map([
                        ("name", Value::str("x")),
                        ("n", Value::Int(1)),
                    ])]
                    .into(),
                ),
            ),
            ("d", Value::Map(vec![].into())),
        ]);
        assert_eq!(
            v.to_document(),
            "a: \"yes\"\nb: \"0755\"\nc:\n  - name: x\n    \"n\": 1\nd: {}\n"
        );
    }

    #[test]
    fn multi_line_strings_are_literal_blocks_where_they_read_back() {
        let strs = [
            ("until kubectl get job a; do\n  sleep 2\ndone\n", true),
            ("one\n\ntwo", true),
            ("trailing \nblank", false),
            ("  first line indented\nx\n", false),
            ("two final breaks\nx\n\n", false),
            ("one line\n", false),
            ("cr\r\nlf\n", false),
        ];
        for (s, literal) in strs {
            let v = Value::map([
                ("s", Value::Seq(vec![Value::str(s)].into())),
                ("k", Value::str(s)),
            ]);
            let text = v.to_document();
            assert_eq!(text.contains('|'), literal, "{text}");
            let t = crate::yaml::Tree::parse(&text).unwrap();
            assert_eq!(t.value(t.root.unwrap()).unwrap(), v, "{text}");
        }
        let v = Value::map([("k", Value::str("a\nb\n"))]);
        assert_eq!(v.to_document(), "k: |\n  a\n  b\n");
    }
}
