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

/// The shapes of a render-time stamp, as lengths of its digit groups joined by
/// `-`: `now | date "2006-01-02-15-04-05"` (Grafana OnCall), `"2006-01-02-15-04"`,
/// `"20060102-150405"`, `"20060102150405"`, `"200601021504"`, `now | unixEpoch`
/// (ten digits). A date alone is left alone (it may be a version).
const STAMPS: &[&[usize]] = &[
    &[4, 2, 2, 2, 2, 2],
    &[4, 2, 2, 2, 2],
    &[8, 6],
    &[14],
    &[12],
    &[10],
];

/// A render-time stamp at the end of a Job's name (see [`STAMPS`]; a Unix
/// time from 2001 on): the name without it, and the
/// stamp without its `-`. A chart stamps its migration Job so that every
/// release makes a new one; the stamp changes with every render, so premigrate
/// names the Job by its content instead.
pub(crate) fn render_stamp(name: &str) -> Option<(&str, &str)> {
    if let Some(found) = uuid_suffix(name).or_else(|| values_hash_suffix(name)) {
        return Some(found);
    }
    for groups in STAMPS {
        let len = groups.iter().sum::<usize>() + groups.len() - 1;
        let Some(cut) = name.len().checked_sub(len + 1) else {
            continue;
        };
        // A `-` there is a char boundary on both sides: only then slice.
        if cut == 0 || name.as_bytes()[cut] != b'-' {
            continue;
        }
        let (base, stamp) = (&name[..cut], &name[cut + 1..]);
        let parts: Vec<&str> = stamp.split('-').collect();
        let shaped = parts.len() == groups.len()
            && parts
                .iter()
                .zip(groups.iter())
                .all(|(p, &n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()));
        if shaped && plausible(&parts.concat()) {
            return Some((base.trim_end_matches('-'), stamp));
        }
    }
    None
}

/// A `uuidv4` at the end of a Job's name (Zammad's `zammad-init-{{ uuidv4 }}`):
/// random on every render, as a time stamp is.
fn uuid_suffix(name: &str) -> Option<(&str, &str)> {
    const UUID: [usize; 5] = [8, 4, 4, 4, 12];
    let len = UUID.iter().sum::<usize>() + UUID.len() - 1;
    let cut = name.len().checked_sub(len + 1).filter(|&c| c > 0)?;
    let (base, id) = (name.get(..cut)?, name.get(cut + 1..)?);
    let parts: Vec<&str> = id.split('-').collect();
    let shaped = name.as_bytes()[cut] == b'-'
        && parts.len() == UUID.len()
        && parts.iter().zip(UUID).all(|(p, n)| {
            p.len() == n
                && p.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
    shaped.then_some((base, id))
}

/// A hash of the chart's values at the end of a Job's name (SkyWalking's
/// `…-oap-init-{{ sha256sum (toJson .Values) | trunc 8 }}`): 8 lowercase
/// hex characters with letters and digits (premigrate's own hash has 10).
/// It changes with any value of the chart, not with the Job's content,
/// which premigrate's own hash follows: kept, a change to another
/// component's values renamed the Job and rolled every gated workload.
pub(crate) fn values_hash_suffix(name: &str) -> Option<(&str, &str)> {
    let (base, last) = name.rsplit_once('-').filter(|(b, _)| !b.is_empty())?;
    let hex = last
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let digits = last.bytes().filter(u8::is_ascii_digit).count();
    let shaped = last.len() == 8 && hex && digits >= 2 && digits < last.len();
    shaped.then_some((base, last))
}

/// Whether an annotation value is the render time (or a per-render random
/// token): Go's `time.Time` as `{{ now }}` prints it (`2006-01-02 15:04:05.999
/// +0000 UTC m=+0.05`), RFC 3339 (`now | date …`), a bare stamp of
/// [`STAMPS`]'s shapes (`now | unixEpoch`, `date "20060102150405"`); or
/// anything under `rollme`, Helm's documented `randAlphaNum` roll trigger.
pub(crate) fn is_render_time(key: &str, value: &str) -> bool {
    let v = value.trim();
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let dated = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10);
    let timed =
        matches!(b.get(10), Some(b' ' | b'T')) && digits(11..13) && b.get(13) == Some(&b':');
    let bare = matches!(v.len(), 10 | 12 | 14) && digits(0..v.len()) && plausible(v);
    key == "rollme" || (dated && timed) || bare
}

/// A release revision at the end of a Job's name (`.Release.Revision`:
/// Hoppscotch's `…-migrations-1`, CVAT's `…-initializer-r1`, `-rev2`,
/// `-revision-3`): the name without it, and the revision as written. Helm 3
/// and 4 render a new one on every upgrade; `helm template` always 1.
pub(crate) fn revision_suffix(name: &str) -> Option<(&str, &str)> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    let (base, last) = name.rsplit_once('-').filter(|(b, _)| !b.is_empty())?;
    // `-revision-3`, `-rev-3`: the word, then the number.
    let worded = base
        .rsplit_once('-')
        .filter(|(b, w)| !b.is_empty() && matches!(*w, "revision" | "rev") && digits(last));
    if let Some((before, _)) = worded {
        return Some((before, &name[before.len() + 1..]));
    }
    // Helm counts revisions from 1; bare digits after a number or a `v1`
    // end a dashed version (Hyperswitch's `…-create-db-v1-115-0`).
    let revision = |n: &str| digits(n) && !n.trim_start_matches('0').is_empty();
    let prior = base.rsplit('-').next().unwrap_or("");
    let versioned = digits(prior.strip_prefix('v').unwrap_or(prior));
    ["revision", "rev", "r", ""]
        .iter()
        .any(|p| last.strip_prefix(p).is_some_and(revision) && !(p.is_empty() && versioned))
        .then_some((base, last))
}

/// A Job's name without the render-time stamp a chart may end it with (see
/// [`render_stamp`]).
pub(crate) fn unstamped(name: &str) -> &str {
    render_stamp(name).map_or(name, |(base, _)| base)
}

/// Whether digits read as a time: `YYYYMMDDhhmm[ss]` in 2000–2099 with a
/// real month, day, hour and minute, or a Unix time in seconds from 2001 on.
fn plausible(d: &str) -> bool {
    if d.len() == 10 {
        return d.starts_with('1');
    }
    let n = |a: usize, b: usize| d[a..b].parse::<u32>().unwrap_or(99);
    d.starts_with("20")
        && (1..=12).contains(&n(4, 6))
        && (1..=31).contains(&n(6, 8))
        && n(8, 10) < 24
        && n(10, 12) < 60
        && (d.len() == 12 || n(12, 14) < 60)
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
mod revision_tests {
    use super::revision_suffix;

    #[test]
    fn a_release_revision_ends_the_name() {
        assert_eq!(
            revision_suffix("hoppscotch-migrations-1"),
            Some(("hoppscotch-migrations", "1"))
        );
        assert_eq!(
            revision_suffix("cvat-backend-initializer-r12"),
            Some(("cvat-backend-initializer", "r12"))
        );
        assert_eq!(
            revision_suffix("app-migrate-rev3"),
            Some(("app-migrate", "rev3"))
        );
        assert_eq!(
            revision_suffix("app-migrate-revision-3"),
            Some(("app-migrate", "revision-3"))
        );
        assert_eq!(revision_suffix("app-migrate"), None);
        assert_eq!(revision_suffix("app-v2"), None);
        assert_eq!(revision_suffix("-1"), None);
        assert_eq!(revision_suffix("app-migrate-1234567"), None);
        // A dashed version, and a revision 0, which Helm never renders.
        assert_eq!(revision_suffix("hs-hyperswitch-create-db-v1-115-0"), None);
        assert_eq!(revision_suffix("app-create-db-1-2"), None);
        assert_eq!(revision_suffix("app-migrate-0"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_time_annotations() {
        let now = "2026-01-15 10:00:00.123456789 +0000 UTC m=+0.050000001";
        for (k, v) in [
            ("timestamp", now),
            ("deployed-at", "2026-01-15T10:00:00Z"),
            ("t", "1768471200"),
            ("t", "20260115100000"),
            ("rollme", "aZ3kq"),
        ] {
            assert!(is_render_time(k, v), "{k}: {v}");
        }
        for (k, v) in [
            ("checksum/config", "3f5a1c9e0b7d2f4a6c8e0b1d3f5a7c9e"),
            ("release-date", "2026-01-15"),
            ("prometheus.io/port", "8080"),
            ("version", "20260115"),
            ("id", "9999999999"),
        ] {
            assert!(!is_render_time(k, v), "{k}: {v}");
        }
    }

    #[test]
    fn render_stamps() {
        // A hash of the values (SkyWalking); not a word, a version or a date.
        assert_eq!(
            render_stamp("sw-oap-init-2af47640"),
            Some(("sw-oap-init", "2af47640"))
        );
        assert_eq!(render_stamp("app-migrate-deadbeef"), None);
        assert_eq!(render_stamp("app-migrate-da1fafd072"), None);
        assert_eq!(render_stamp("app-migrate-20240101"), None);
        let stamp = render_stamp;
        assert_eq!(
            stamp("zammad-init-3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
            Some(("zammad-init", "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"))
        );
        assert_eq!(stamp("app-3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5"), None);
        assert_eq!(
            stamp("oncall-engine-migrate-2026-11-30-02-02-49"),
            Some(("oncall-engine-migrate", "2026-11-30-02-02-49"))
        );
        assert_eq!(
            stamp("app-migrate-20260129143022"),
            Some(("app-migrate", "20260129143022"))
        );
        assert_eq!(
            stamp("app-migrate-3-20260129-143022"),
            Some(("app-migrate-3", "20260129-143022"))
        );
        assert_eq!(
            stamp("app-migrate-1769700000"),
            Some(("app-migrate", "1769700000"))
        );
        // Not a time: a revision, a version date, a hash, digits out of range.
        for name in [
            "hoppscotch-migrations-1",
            "app-migrate-2024-01-02",
            "app-migrate-20240102",
            "app-migrate-6cf2336b84",
            "app-migrate-20261399999999",
            "app-migrate-2026113002024",
            "20260129143022",
            "app-migrate-9999999999",
            // Not a char boundary where a stamp would start (a mutated name).
            "shop\u{feff}-postgresql",
            "\u{feff}\u{feff}\u{feff}\u{feff}\u{feff}",
        ] {
            assert_eq!(stamp(name), None, "{name}");
        }
    }

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
