//! Image references: their tag, and whether the tag moves.

/// Tags that name a branch or a channel rather than a build: a registry gets a
/// new image under them without the reference changing.
pub(crate) const MOVING_TAGS: &[&str] = &[
    "latest",
    "main",
    "master",
    "develop",
    "development",
    "dev",
    "nightly",
    "edge",
    "head",
    "unstable",
    "stable",
    "canary",
    "snapshot",
];

/// The tag of an image reference, if it has one (a registry's `:port` is not).
pub(crate) fn tag(image: &str) -> Option<&str> {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split_once(':').map(|(_, t)| t)
}

/// How an image reference that can change under the same text reads: its
/// moving tag, or `""` when it has no tag (the runtime pulls `latest`).
/// `None` for a digest or a tag that names a build.
pub(crate) fn moving_tag(image: &str) -> Option<&str> {
    if image.contains('@') || image.trim().is_empty() {
        return None;
    }
    match tag(image) {
        None => Some(""),
        Some(t) => MOVING_TAGS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(t))
            .then_some(t),
    }
}

#[cfg(test)]
mod tests {
    use super::{moving_tag, tag};

    #[test]
    fn a_port_is_not_a_tag_and_a_digest_pins() {
        assert_eq!(tag("registry:5000/app"), None);
        assert_eq!(tag("registry:5000/app:1.2"), Some("1.2"));
        assert_eq!(moving_tag("registry:5000/app"), Some(""));
        assert_eq!(moving_tag("app:latest"), Some("latest"));
        assert_eq!(moving_tag("ghcr.io/org/app:main"), Some("main"));
        assert_eq!(moving_tag("app:1.2.3"), None);
        assert_eq!(moving_tag("app:latest@sha256:0123"), None);
        assert_eq!(moving_tag("app@sha256:0123"), None);
    }
}
