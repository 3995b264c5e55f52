//! A small JSON Schema validator for `schema/plan.schema.json`: the keywords that
//! schema uses (`$ref` into `$defs`, `type`, `const`, `enum`, `required`,
//! `properties`, `additionalProperties: false`, `items`, `oneOf`, `minimum`,
//! `minItems`, `maxItems`, `pattern` with `^…$`, classes and `{n}`). An unknown
//! keyword fails the check, so the schema cannot use more than is checked.

use serde_json::Value as Json;

/// Keywords that only describe.
const ANNOTATIONS: &[&str] = &["$schema", "$id", "title", "description", "$defs"];

/// Every violation of `schema` by `v`, as `path: what`.
pub fn validate(root: &Json, v: &Json) -> Vec<String> {
    let mut errors = Vec::new();
    check(root, root, v, "$", &mut errors);
    errors
}

fn check(root: &Json, schema: &Json, v: &Json, at: &str, errors: &mut Vec<String>) {
    let Some(s) = schema.as_object() else {
        errors.push(format!("{at}: schema is not an object"));
        return;
    };
    for (k, rule) in s {
        let ok = match k.as_str() {
            k if ANNOTATIONS.contains(&k) => true,
            "$ref" => {
                let name = rule.as_str().unwrap().trim_start_matches("#/$defs/");
                check(root, &root["$defs"][name], v, at, errors);
                true
            }
            "type" => match rule {
                Json::Array(ts) => ts.iter().any(|t| is_type(v, t.as_str().unwrap())),
                t => is_type(v, t.as_str().unwrap()),
            },
            "const" => v == rule,
            "enum" => rule.as_array().unwrap().contains(v),
            "required" => rule
                .as_array()
                .unwrap()
                .iter()
                .all(|r| v.get(r.as_str().unwrap()).is_some()),
            "properties" => {
                for (p, ps) in rule.as_object().unwrap() {
                    if let Some(pv) = v.get(p) {
                        check(root, ps, pv, &format!("{at}.{p}"), errors);
                    }
                }
                true
            }
            "additionalProperties" => {
                let known = s.get("properties").and_then(Json::as_object);
                v.as_object().is_none_or(|o| {
                    o.keys()
                        .all(|key| known.is_some_and(|k| k.contains_key(key)))
                }) || rule != &Json::Bool(false)
            }
            "items" => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    check(root, rule, item, &format!("{at}[{i}]"), errors);
                }
                true
            }
            "oneOf" => {
                let matching = rule
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|alt| {
                        let mut e = Vec::new();
                        check(root, alt, v, at, &mut e);
                        e.is_empty()
                    })
                    .count();
                matching == 1
            }
            "minimum" => v.as_f64().is_none_or(|n| n >= rule.as_f64().unwrap()),
            "minItems" => v
                .as_array()
                .is_none_or(|a| a.len() as u64 >= rule.as_u64().unwrap()),
            "maxItems" => v
                .as_array()
                .is_none_or(|a| a.len() as u64 <= rule.as_u64().unwrap()),
            "pattern" => v
                .as_str()
                .is_none_or(|t| matches(rule.as_str().unwrap(), t)),
            other => {
                errors.push(format!(
                    "{at}: keyword {other} is not supported by the checker"
                ));
                true
            }
        };
        if !ok {
            errors.push(format!("{at}: fails {k}: {rule} (value: {v})"));
        }
    }
}

fn is_type(v: &Json, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// `^…$` patterns made of literals and `[…]` classes (with ranges), each
/// optionally followed by `{n}`.
fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .expect("anchored pattern")
        .chars()
        .collect();
    let mut atoms: Vec<(Vec<(char, char)>, usize)> = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let mut set = Vec::new();
        if p[i] == '[' {
            i += 1;
            while p[i] != ']' {
                if p.get(i + 1) == Some(&'-') && p.get(i + 2) != Some(&']') {
                    set.push((p[i], p[i + 2]));
                    i += 3;
                } else {
                    set.push((p[i], p[i]));
                    i += 1;
                }
            }
        } else {
            set.push((p[i], p[i]));
        }
        i += 1;
        let mut n = 1;
        if p.get(i) == Some(&'{') {
            let end = i + p[i..].iter().position(|&c| c == '}').unwrap();
            n = p[i + 1..end].iter().collect::<String>().parse().unwrap();
            i = end + 1;
        }
        atoms.push((set, n));
    }
    let mut chars = text.chars();
    for (set, n) in atoms {
        for _ in 0..n {
            match chars.next() {
                Some(c) if set.iter().any(|&(a, b)| a <= c && c <= b) => {}
                _ => return false,
            }
        }
    }
    chars.next().is_none()
}
