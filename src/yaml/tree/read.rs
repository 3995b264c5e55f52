//! Reading a tree as Kubernetes does: go-yaml v2's decoding into
//! `interface{}` (YAML 1.1 scalars, merge keys, aliases, last key wins), then
//! sigs.k8s.io/yaml's conversion to JSON (string keys, no NaN or infinity).

use super::{
    Node, NodeId, NodeKind, ScalarStyle, SyntaxError, Tree, MAX_DEPTH, MAX_EXPANDED_NODES,
};
use crate::yaml::scalar::{resolve_scalar, Decoded, Resolved, CORE_TAG_PREFIX};
use crate::yaml::value::{Text, Value};

impl Tree {
    /// Reads a node as Kubernetes reads it (YAML 1.1 scalars, merge keys, aliases expanded).
    pub fn value(&self, id: NodeId) -> Result<Value, SyntaxError> {
        // The budget counts nodes read through aliases beyond the document's
        // own: a 1M-item list is read, an alias bomb is refused.
        let mut walk = Walk {
            budget: MAX_EXPANDED_NODES + self.nodes.len(),
            odd: false,
        };
        let v = self.value_in(id, &mut walk, 0)?;
        // The checks below look through the whole value: only when the walk met
        // a key or a number they are about.
        if !walk.odd {
            return Ok(v);
        }
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

    fn value_in(&self, id: NodeId, walk: &mut Walk, depth: usize) -> Result<Value, SyntaxError> {
        let node = &self.nodes[id];
        if walk.budget == 0 || depth > MAX_DEPTH {
            return Err(SyntaxError {
                message: "aliases expand to too many nodes (a YAML alias bomb?)".into(),
                offset: node.start,
            });
        }
        walk.budget -= 1;
        Ok(match &node.kind {
            NodeKind::Alias(t) => self.value_in(*t, walk, depth + 1)?,
            NodeKind::Scalar { text, style, tag } => {
                let v =
                    scalar_value(text, *style, tag.as_deref()).map_err(|message| SyntaxError {
                        message,
                        offset: node.start,
                    })?;
                walk.odd |= matches!(v, Value::Float(f) if !f.is_finite());
                v
            }
            NodeKind::Seq { items, .. } => Value::Seq(
                items
                    .iter()
                    .map(|i| self.value_in(*i, walk, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            NodeKind::Map { entries, .. } => self.map_value(entries, walk, depth)?,
        })
    }

    /// A mapping's value. go-yaml v2 decodes entries in document order into
    /// one map: a later key, or a later merge, overrides an earlier one.
    fn map_value(
        &self,
        entries: &[(NodeId, NodeId)],
        walk: &mut Walk,
        depth: usize,
    ) -> Result<Value, SyntaxError> {
        let mut out = MapBuilder::with_capacity(entries.len());
        for (k, v) in entries {
            if self.is_merge_key(*k) {
                for src in self.merge_sources(*v)?.into_iter().rev() {
                    // Earlier sources of a merge list win: they are applied last.
                    let Value::Map(m) = self.value_in(src, walk, depth + 1)? else {
                        unreachable!("merge_sources returns mappings")
                    };
                    for (mk, mv) in m {
                        out.set(mk, mv);
                    }
                }
                continue;
            }
            let key = self.key_string(*k, walk, depth + 1)?;
            let val = self.value_in(*v, walk, depth + 1)?;
            out.set(key, val);
        }
        Ok(Value::Map(out.into_entries().into()))
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
    fn key_string(&self, k: NodeId, walk: &mut Walk, depth: usize) -> Result<Text, SyntaxError> {
        let node = self.node(k);
        let refuse = |what: &str| SyntaxError {
            message: format!("unsupported map key ({what})"),
            offset: self.nodes[k].start,
        };
        let NodeKind::Scalar { text, style, tag } = &node.kind else {
            // Reads the collection for the alias budget's sake, then refuses it.
            self.value_in(k, walk, depth)?;
            return Err(refuse("a list or a map"));
        };
        walk.budget = walk.budget.saturating_sub(1);
        let decoded = resolve_scalar(text, *style == ScalarStyle::Plain, tag.as_deref()).map_err(
            |message| SyntaxError {
                message,
                offset: node.start,
            },
        )?;
        Ok(match decoded {
            Decoded::Binary(s) => s.into(),
            Decoded::Resolved(r) => match key_of(r, text) {
                Ok(key) => key,
                // Refused only if still there once later keys have overridden
                // it: sigs.k8s.io/yaml refuses it when converting to JSON.
                Err(what) => {
                    walk.odd = true;
                    Text::from(format!("{LATE_KEY}{what}"))
                }
            },
        })
    }
}

/// A resolved map key as sigs.k8s.io/yaml writes it in JSON; `Err` with what
/// it is for the keys it cannot write (null, an integer beyond int64).
fn key_of(r: Resolved, text: &Text) -> Result<Text, &'static str> {
    Ok(match r {
        Resolved::Str | Resolved::Merge => text.clone(),
        Resolved::Null => return Err("null"),
        Resolved::Uint(_) => return Err("an integer beyond int64"),
        Resolved::Bool(b) => b.to_string().into(),
        Resolved::Int(i) => i.to_string().into(),
        Resolved::Float(f) => format_float_key(f).into(),
    })
}

/// A plain, untagged key's JSON text, for the fast reader; `None` for the keys
/// [`Tree::value`] marks to refuse later (it reads those documents).
pub(super) fn key_text(text: Text) -> Option<Text> {
    match crate::yaml::scalar::resolve_plain(&text) {
        Resolved::Str | Resolved::Merge => Some(text),
        r => key_of(r, &text).ok(),
    }
}

/// The value of a scalar, as go-yaml v2 reads it into `interface{}`; `tag` in
/// full (`tag:yaml.org,2002:int`). `Err` when go-yaml refuses it (`!!int yes`).
pub fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    match resolve_scalar(text, style == ScalarStyle::Plain, tag)? {
        Decoded::Binary(s) => Ok(Value::Str(s.into())),
        Decoded::Resolved(r) => Ok(resolved_value(r, || text.into())),
    }
}

/// The value of a resolved scalar; `text` makes the string, when it is one.
pub(super) fn resolved_value(r: Resolved, text: impl FnOnce() -> Text) -> Value {
    match r {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Uint(u) => Value::Float(u as f64),
        Resolved::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::Int(f as i64),
        Resolved::Float(f) => Value::Float(f),
        Resolved::Merge | Resolved::Str => Value::Str(text()),
    }
}

/// A reading's state: the nodes it may still read (aliases count again),
/// and whether it met a key or a number that may refuse the document.
struct Walk {
    budget: usize,
    odd: bool,
}

/// Builds a map's entries in order, a later key replacing an earlier one in
/// place: a linear scan for small maps, a hash index past a few keys (a
/// 100k-key ConfigMap is read in linear time).
pub(super) struct MapBuilder {
    entries: Vec<(Text, Value)>,
    index: Option<std::collections::HashMap<Text, usize>>,
}

impl MapBuilder {
    /// From this many keys on, keys are looked up in a hash index.
    pub(super) const INDEX_FROM: usize = 16;

    /// An empty map with room for `n` entries.
    pub(super) fn with_capacity(n: usize) -> MapBuilder {
        MapBuilder {
            entries: Vec::with_capacity(n),
            index: None,
        }
    }

    /// The entries, in order.
    pub(super) fn into_entries(self) -> Vec<(Text, Value)> {
        self.entries
    }

    /// Sets `key` (in place when it is there already).
    pub(super) fn set(&mut self, key: Text, v: Value) {
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

/// Marks a map key that sigs.k8s.io/yaml cannot write as JSON (a null or a
/// uint64 key). Raw YAML text cannot hold a NUL; only a `"\0\0…"` escape could
/// spell this, which no manifest does.
const LATE_KEY: &str = "\0\0premigrate-late-key:";

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
