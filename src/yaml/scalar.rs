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
pub fn resolve_plain(s: &str) -> Resolved {
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

fn resolve_number(s: &str) -> Resolved {
    // go-yaml v2 tries a timestamp first; into interface{} a timestamp stays a string.
    if looks_like_timestamp(s) {
        return Resolved::Str;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
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
    s.parse::<f64>().ok()
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
