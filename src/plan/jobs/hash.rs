//! Content names: a Job is named by a hash of what it runs, so a changed
//! migration gets a new Job and an unchanged one keeps its name.

use sha2::{Digest, Sha256};

use crate::yaml::Value;

/// Hex digits of the hash kept in names.
pub(crate) const HASH_LEN: usize = 10;
/// Longest name a Job may have (its pods get a label with the name, limited to 63).
pub(crate) const MAX_NAME: usize = 63;

/// The content hash: sha256 over the canonical JSON (keys sorted, scalars as
/// Kubernetes reads them) of `{"namespace": …, "salt": …, "spec": …}`, first 10 hex digits.
pub(crate) fn content_hash(namespace: &str, spec: &Value, salt: &str) -> String {
    let doc = Value::map([
        ("namespace", Value::str(namespace)),
        ("salt", Value::str(salt)),
        ("spec", spec.clone()),
    ]);
    let json = serde_json::to_string(&doc.to_json()).expect("JSON of a value");
    let digest = Sha256::digest(json.as_bytes());
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()[..HASH_LEN]
        .to_string()
}

/// `<base>-<hash>`, the base cut so the whole stays within 63 characters.
pub(crate) fn hashed_name(base: &str, hash: &str) -> String {
    let room = MAX_NAME - hash.len() - 1;
    let mut cut: String = base.chars().take(room).collect();
    while cut.ends_with(['-', '.']) {
        cut.pop();
    }
    format!("{cut}-{hash}")
}

/// Whether `name` is a hashed name premigrate gives the migration `original`
/// (`<original cut>-<10 lowercase hex digits>`), from this run or an earlier one.
pub(crate) fn is_hashed_name_of(name: &str, original: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(_, h)| {
        h.len() == HASH_LEN
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && hashed_name(original, h) == name
    })
}

/// `full` when it is a DNS label of at most `max` characters; otherwise it made
/// one (lowercase, `-` for anything else) and cut, with 8 hex digits of the hash
/// of `seed` appended, so distinct seeds sharing a long prefix stay distinct.
pub(crate) fn label_name(full: &str, seed: &str, max: usize) -> String {
    let is_label = |s: &str| {
        s.len() <= max
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.ends_with('-')
    };
    if is_label(full) {
        return full.to_string();
    }
    let digest = Sha256::digest(seed.as_bytes());
    let tag: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let mut cut: String = full
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .take(max - tag.len() - 1)
        .collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    format!("{cut}-{tag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_and_values_hash_as_kubernetes_reads_them() {
        let a = content_hash("ns", &Value::map([("mode", Value::Int(493))]), "");
        assert_eq!(a.len(), 10);
        assert_ne!(
            a,
            content_hash("ns", &Value::map([("mode", Value::Int(493))]), "r2")
        );
        let long = "rel-long-names-database-schema-migration-job-for-tenant-service";
        let n = hashed_name(long, &a);
        assert!(n.len() <= 63 && n.ends_with(&a), "{n}");
        assert_eq!(
            label_name("premigrate-wait-db", "db", 63),
            "premigrate-wait-db"
        );
        let l = label_name(&format!("x-{long}"), long, 40);
        assert!(l.len() <= 40 && !l.ends_with('-'), "{l}");
        assert_ne!(
            l,
            label_name(&format!("x-{long}2"), &format!("{long}2"), 40)
        );
    }
}
