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
