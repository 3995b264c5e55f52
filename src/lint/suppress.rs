//! Suppression: `premigrate.io/lint-ignore: PM5xx[,…]` on an object, and the
//! policy's `lintIgnore` (or `--lint-ignore`) for the whole stream. A code that
//! is no lint rule is an error, so a typo cannot silence nothing for ever.

use std::collections::BTreeMap;

use crate::diag::{Error, Location};
use crate::yaml::edit::Seg;

use super::context::Cx;
use super::rules::RULES;

/// The object annotation.
pub const ANNOTATION: &str = "premigrate.io/lint-ignore";

/// Checks that every code names a lint rule; `at` says where they were written.
pub fn check_codes(codes: &[String], at: Option<Location>) -> Result<(), Error> {
    for c in codes {
        if !RULES.iter().any(|r| r.code.code == c) {
            let known: Vec<&str> = RULES.iter().map(|r| r.code.code).collect();
            let msg = format!("`{c}` is no lint rule, so ignoring it would silence nothing");
            let err = match &at {
                Some(l) => Error::at(l.clone(), msg),
                None => Error::new(format!("--lint-ignore / lintIgnore: {msg}")),
            };
            return Err(err.help(format!("lint codes: {}", known.join(", "))));
        }
    }
    Ok(())
}

/// The codes each document's annotation ignores.
pub fn per_object(cx: &Cx<'_>) -> Result<BTreeMap<usize, Vec<String>>, Error> {
    let mut out = BTreeMap::new();
    for i in 0..cx.docs() {
        let Some(list) = cx.annotation(i, ANNOTATION) else {
            continue;
        };
        let codes: Vec<String> = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let path: Vec<Seg> = ["metadata", "annotations", ANNOTATION]
            .iter()
            .map(|s| Seg::Key(s.to_string()))
            .collect();
        let loc = cx.index.location_at(i, cx.offset(i, &path));
        check_codes(&codes, Some(loc))?;
        out.insert(i, codes);
    }
    Ok(out)
}
