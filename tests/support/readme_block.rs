//! README blocks rendered from the code: the text between two markers must be
//! what the code renders now; `UPDATE_README=1` rewrites it instead.
#![allow(dead_code)]

/// Checks (or, under `UPDATE_README=1`, rewrites) the README's text between
/// `start` and `end` against `body`; `what` and `rerun` make the failure say
/// which block is stale and how to refresh it.
pub fn check(start: &str, end: &str, body: &str, what: &str, rerun: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let a = readme
        .find(start)
        .unwrap_or_else(|| panic!("{what}: no {start:?} in README.md"))
        + start.len();
    let b = readme
        .find(end)
        .unwrap_or_else(|| panic!("{what}: no {end:?} in README.md"));
    let fresh = format!("{}{body}{}", &readme[..a], &readme[b..]);
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(path, &fresh).unwrap();
        return;
    }
    assert!(
        readme == fresh,
        "README's {what} is stale: run UPDATE_README=1 {rerun}"
    );
}
