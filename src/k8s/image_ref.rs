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
        Some(t) => {
            let whole = MOVING_TAGS.iter().any(|m| m.eq_ignore_ascii_case(t));
            let parts: Vec<&str> = t.split(['-', '_']).collect();
            let part = |p: Option<&&str>| {
                p.is_some_and(|p| MOVING_PARTS.iter().any(|m| m.eq_ignore_ascii_case(p)))
            };
            // A channel word first counts only before no version
            // (`latest-alpine` moves, LiteLLM's `main-v1.80.12` is a release).
            let versioned = parts[1..]
                .iter()
                .any(|p| p.bytes().any(|b| b.is_ascii_digit()));
            let first = part(parts.first()) && !versioned;
            let moving = whole || (parts.len() > 1 && (first || part(parts.last())));
            moving.then_some(t)
        }
    }
}

/// Words that make a tag move when they start or end it: a version line's
/// channel (Seafile's `seafile-mc:12.0-latest`, `latest-alpine`, `3-nightly`).
/// `dev`, `stable` and the like are left out: `1.2.3-dev` names one prerelease.
const MOVING_PARTS: &[&str] = &["latest", "nightly", "edge", "main", "master", "develop"];

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
        assert_eq!(
            moving_tag("seafileltd/seafile-mc:12.0-latest"),
            Some("12.0-latest")
        );
        assert_eq!(moving_tag("app:latest-alpine"), Some("latest-alpine"));
        assert_eq!(moving_tag("app:1.2.3-dev"), None);
        assert_eq!(moving_tag("ghcr.io/berriai/litellm:main-v1.80.12"), None);
        assert_eq!(
            moving_tag("tooljet/tooljet:ee-lts-latest"),
            Some("ee-lts-latest")
        );
        assert_eq!(moving_tag("app:1.2.3-alpine"), None);
    }
}
