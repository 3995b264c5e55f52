//! How Kubernetes reads a plain scalar: go-yaml v2's YAML 1.1 resolution rules,
//! as used by sigs.k8s.io/yaml. serde_yaml and friends follow YAML 1.2 and read
//! `0755`, `yes` or `1_000` differently, which is why premigrate resolves scalars itself.

/// The value a plain scalar resolves to under go-yaml v2.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// `~`, `null`, `Null`, `NULL` or nothing at all.
    Null,
    /// `yes`, `on`, `y`, `true` … and their negatives, in the cases go-yaml v2 accepts.
    Bool(bool),
    /// A signed integer (decimal, `0` octal, `0x` hex, `0b` binary, `0o` octal, `_` separators).
    Int(i64),
    /// An integer too large for i64 but within u64.
    Uint(u64),
    /// A float, including `.inf` and `.nan`.
    Float(f64),
    /// A merge key `<<`.
    Merge,
    /// Anything else: the scalar is a string.
    Str,
}

/// Resolves a plain (unquoted, untagged) scalar as go-yaml v2 does.
#[inline]
pub fn resolve_plain(s: &str) -> Resolved {
    // Most scalars are words that no rule below can take (names, images,
    // paths): only some first characters can start something else. Inlined
    // where it is called (every key and plain value of every document read):
    // a call for each was most of its cost.
    match s.as_bytes().first() {
        None => Resolved::Null,
        Some(&c) if !MAY_RESOLVE[usize::from(c)] => Resolved::Str,
        // The words below that start with a letter are 5 bytes at most
        // (`false`): a longer word is a string (most keys are).
        Some(c) if c.is_ascii_alphabetic() && s.len() > 5 => Resolved::Str,
        _ => resolve_rest(s),
    }
}

/// [`resolve_plain`] of a scalar whose first character may start something
/// else than a string.
fn resolve_rest(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Resolved::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    let first = s.as_bytes()[0];
    match first {
        b'.' => parse_go_float(s).map_or(Resolved::Str, Resolved::Float),
        b'+' | b'-' | b'0'..=b'9' => resolve_number(s),
        _ => Resolved::Str,
    }
}

/// Whether a plain scalar starting with a byte may resolve to something else
/// than a string: a table, as it is asked of every plain scalar.
const MAY_RESOLVE: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = matches!(
            c as u8,
            b'~' | b'y'
                | b'Y'
                | b'n'
                | b'N'
                | b'o'
                | b'O'
                | b't'
                | b'T'
                | b'f'
                | b'F'
                | b'.'
                | b'+'
                | b'-'
                | b'<'
                | b'0'..=b'9'
        );
        c += 1;
    }
    t
};

fn resolve_number(s: &str) -> Resolved {
    // go-yaml v2 tries a timestamp first; into interface{} a timestamp stays a string.
    if looks_like_timestamp(s) {
        return Resolved::Str;
    }
    // `_` separators are dropped (go-yaml v2 does); most numbers have none.
    let plain: std::borrow::Cow<'_, str> = match s.contains('_') {
        true => s.chars().filter(|&c| c != '_').collect::<String>().into(),
        false => s.into(),
    };
    if let Some(v) = parse_go_int(&plain) {
        return v;
    }
    if is_yaml_style_float(&plain) {
        if let Some(f) = parse_go_float(&plain) {
            return Resolved::Float(f);
        }
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Ok(v) = i64::from_str_radix(rest, 2) {
            return Resolved::Int(v);
        }
    } else if let Some(rest) = plain.strip_prefix("-0b") {
        if let Ok(v) = i64::from_str_radix(rest, 2) {
            return Resolved::Int(-v);
        }
    }
    Resolved::Str
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`, underscores already removed.
fn parse_go_int(s: &str) -> Option<Resolved> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.get(..2).map(|p| p.to_ascii_lowercase());
    let (radix, digits) = match lower.as_deref() {
        Some("0x") => (16, &body[2..]),
        Some("0b") => (2, &body[2..]),
        Some("0o") => (8, &body[2..]),
        _ if body.len() > 1 && body.starts_with('0') => (8, &body[1..]),
        _ => (10, body),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag <= i64::MAX as u64 + 1 {
            return Some(Resolved::Int((mag as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if mag <= i64::MAX as u64 {
        Some(Resolved::Int(mag as i64))
    } else if s.starts_with('+') {
        // ParseUint rejects a sign.
        None
    } else {
        Some(Resolved::Uint(mag))
    }
}

/// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml v2 lets through.
fn parse_go_float(s: &str) -> Option<f64> {
    if !is_yaml_style_float(s) {
        return None;
    }
    // Out of range (`1e400`) is an error to Go, so go-yaml keeps the string;
    // Rust reads infinity. Underflow is 0 in both.
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// go-yaml v2 only tries a timestamp when the scalar starts with `dddd-`.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    // YYYY-M-D with optional time part: accept the date shapes time.Parse would.
    let date_end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let parts: Vec<&str> = s[..date_end].split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|c| c.is_ascii_digit()))
        && (1..=2).contains(&parts[1].len())
        && (1..=2).contains(&parts[2].len())
}

/// The prefix of the YAML 1.1 core tags: `!!int` is `tag:yaml.org,2002:int`.
pub const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// A scalar as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// Resolved from the text; [`Resolved::Str`] (and [`Resolved::Merge`]) mean the text itself.
    Resolved(Resolved),
    /// The decoded bytes of a `!!binary` scalar, as the Go string they become.
    Binary(String),
}

/// Resolves a scalar as go-yaml v2 does, given whether it is plain and its tag
/// in full (`tag:yaml.org,2002:int`, as the parser reports `!!int`). `Err` when
/// go-yaml refuses it (`!!int yes`, bad `!!binary`), and Kubernetes with it.
pub fn resolve_scalar(text: &str, plain: bool, tag: Option<&str>) -> Result<Decoded, String> {
    let Some(tag) = tag else {
        // Only plain scalars are resolved; quoted and block ones are strings.
        return Ok(Decoded::Resolved(if plain {
            resolve_plain(text)
        } else {
            Resolved::Str
        }));
    };
    // Local tags (`!foo`, the non-specific `!`) and core tags go-yaml v2 does not
    // resolve (`!!map` on a scalar, `!!merge`) leave the text a string.
    let Some(short) = tag.strip_prefix(CORE_TAG_PREFIX) else {
        return Ok(Decoded::Resolved(Resolved::Str));
    };
    let resolved = match short {
        "binary" => return decode_base64(text).map(|b| Decoded::Binary(go_string(&b))),
        "timestamp" if looks_like_timestamp(text) => return Ok(Decoded::Resolved(Resolved::Str)),
        "int" | "float" | "bool" | "null" | "timestamp" => resolve_plain(text),
        _ => return Ok(Decoded::Resolved(Resolved::Str)),
    };
    // The tag must agree with what the text resolves to; a float tag also takes an int.
    let ok = match (short, &resolved) {
        ("int", Resolved::Int(_) | Resolved::Uint(_)) => true,
        ("float", Resolved::Float(_)) => true,
        ("float", Resolved::Int(i)) => return Ok(Decoded::Resolved(Resolved::Float(*i as f64))),
        ("bool", Resolved::Bool(_)) | ("null", Resolved::Null) => true,
        _ => false,
    };
    if ok {
        return Ok(Decoded::Resolved(resolved));
    }
    let found = match resolved {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::Uint(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Merge | Resolved::Str => "!!str",
    };
    Err(format!("cannot decode {found} `{text}` as a !!{short}"))
}

/// Go's `base64.StdEncoding.DecodeString`: padded, line breaks ignored.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let bad = || "!!binary value contains invalid base64 data".to_string();
    let sextet = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let chars: Vec<u8> = text.bytes().filter(|&c| c != b'\r' && c != b'\n').collect();
    if chars.len() % 4 != 0 {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(chars.len() / 4 * 3);
    let quads = chars.len() / 4;
    for (q, quad) in chars.chunks(4).enumerate() {
        // `=` pads only the last quad: `xx==` or `xxx=`.
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && q + 1 != quads) {
            return Err(bad());
        }
        let mut n: u32 = 0;
        for &c in &quad[..4 - pad] {
            n = n << 6 | u32::from(sextet(c).ok_or_else(bad)?);
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Ok(out)
}

/// Bytes as the JSON string Go writes for them: each invalid UTF-8 byte becomes U+FFFD.
fn go_string(mut b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    loop {
        match std::str::from_utf8(b) {
            Ok(rest) => {
                s.push_str(rest);
                return s;
            }
            Err(e) => {
                let (ok, bad) = b.split_at(e.valid_up_to());
                s.push_str(std::str::from_utf8(ok).expect("checked valid"));
                s.push(char::REPLACEMENT_CHARACTER);
                b = &bad[1..];
            }
        }
    }
}

/// True when `s` written as a plain scalar reads back as the same string under
/// both YAML 1.1 (Kubernetes) and YAML 1.2, and is syntactically safe unquoted.
pub fn is_safe_plain(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 200 {
        return false;
    }
    let ok_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'/' | b'-');
    if !b.iter().all(|&c| ok_char(c)) || matches!(b[0], b'-' | b'.') {
        return false;
    }
    resolve_plain(s) == Resolved::Str && !s.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_reads_yaml_1_1() {
        assert_eq!(resolve_plain("0755"), Resolved::Int(493));
        assert_eq!(resolve_plain("007"), Resolved::Int(7));
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("N"), Resolved::Bool(false));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("1:20"), Resolved::Str);
        assert_eq!(resolve_plain("~"), Resolved::Null);
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("2001-12-14"), Resolved::Str);
        assert_eq!(resolve_plain("-0b11"), Resolved::Int(-3));
        assert_eq!(resolve_plain("web"), Resolved::Str);
    }

    #[test]
    fn out_of_range_floats_are_strings() {
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("-1e400"), Resolved::Str);
        assert_eq!(resolve_plain(".5e400"), Resolved::Str);
        assert_eq!(resolve_plain("1e-400"), Resolved::Float(0.0));
        assert_eq!(resolve_plain("1e308"), Resolved::Float(1e308));
    }

    #[test]
    fn tags_resolve_as_go_yaml_v2_does() {
        let core = |s: &str| format!("{CORE_TAG_PREFIX}{s}");
        let r = |text: &str, plain: bool, tag: &str| resolve_scalar(text, plain, Some(&core(tag)));
        let ok = |x| Ok(Decoded::Resolved(x));
        assert_eq!(r("0755", false, "int"), ok(Resolved::Int(493)));
        assert_eq!(r("0755", true, "float"), ok(Resolved::Float(493.0)));
        assert_eq!(r("yes", false, "bool"), ok(Resolved::Bool(true)));
        assert_eq!(r("", false, "null"), ok(Resolved::Null));
        assert_eq!(r("0755", true, "str"), ok(Resolved::Str));
        assert_eq!(r("2001-12-14", true, "timestamp"), ok(Resolved::Str));
        assert_eq!(r("x", true, "map"), ok(Resolved::Str));
        assert!(r("yes", true, "int").is_err());
        assert!(r("1.5", true, "int").is_err());
        assert!(r("9223372036854775808", true, "float").is_err());
        assert!(r("x", true, "timestamp").is_err());
        assert_eq!(resolve_scalar("0755", true, Some("!")), ok(Resolved::Str));
        assert_eq!(resolve_scalar("yes", true, Some("!foo")), ok(Resolved::Str));
        assert_eq!(resolve_scalar("yes", false, None), ok(Resolved::Str));
        let bin = |t: &str| r(t, false, "binary");
        assert_eq!(bin("aGVsbG8="), Ok(Decoded::Binary("hello".into())));
        assert_eq!(bin("aGVs\nbG8=\n"), Ok(Decoded::Binary("hello".into())));
        assert_eq!(bin(""), Ok(Decoded::Binary(String::new())));
        assert_eq!(bin("null"), Ok(Decoded::Binary("\u{fffd}\u{fffd}e".into())));
        for t in ["aGVsbG8", "aGVsbG8==", "YQ==YQ==", "a b=", "yes"] {
            assert!(bin(t).is_err(), "{t}");
        }
    }

    #[test]
    fn safe_plain_rejects_what_yaml_1_1_misreads() {
        for s in [
            "yes", "on", "y", "0755", "1_000", "", "null", "-x", "a: b", "1e3", "~",
        ] {
            assert!(!is_safe_plain(s), "{s}");
        }
        for s in ["web", "helm.sh/hook", "v1", "pre-install", "job-wr"] {
            assert!(is_safe_plain(s), "{s}");
        }
    }
}
