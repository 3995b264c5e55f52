//! Regression tests named after the bug they pin.

/// Fuzzing found a panic: a Pod with no `spec` beside a migration Job.
#[test]
fn pod_without_spec_next_to_a_migration_is_not_a_panic() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/rewrite/gates-pod-without-spec.yaml"
    ))
    .unwrap();
    let _ = premigrate::rewrite(&input, &premigrate::Config::default());
}

/// Fuzzing found a panic: `Edit::Set` with an empty path (the whole document)
/// sliced `path[..1]` in `set_or_append`. It is an error now.
#[test]
fn setting_an_empty_path_is_an_error_not_a_panic() {
    use premigrate::yaml::edit::{apply, Edit};
    use premigrate::yaml::{Tree, Value};
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/edit/set-empty-path.bin"
    ))
    .unwrap();
    // The fuzz target's first 16 bytes choose the edits; the rest is the document.
    let doc = String::from_utf8_lossy(&input[16..]).into_owned();
    for doc in [doc.as_str(), "~\n", "- 1\n"] {
        let tree = Tree::parse(doc).unwrap();
        for edit in [
            Edit::Set(vec![], Value::Null),
            Edit::Set(vec![], Value::map([("a", Value::Int(1))])),
        ] {
            let out = apply(doc, &tree, std::slice::from_ref(&edit));
            assert!(out.is_err(), "{edit:?} on {doc:?}: {out:?}");
        }
    }
}
