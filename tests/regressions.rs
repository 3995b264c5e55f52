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

/// Rerunning over a gated stream whose migration changed failed with "two edits
/// overlap": the stale gate, the workload's only init container, was removed
/// (which rewrites the list as `[]`) while the new one was inserted at index 0.
#[test]
fn a_changed_migration_moves_a_lone_gate() {
    let input = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: app-migrate
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: app:1
          envFrom:
            - secretRef:
                name: db
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: app:1
";
    let cfg = premigrate::Config::default();
    let first = premigrate::rewrite(input.as_bytes(), &cfg).unwrap();
    let old = first.plan.migrations[0].name.clone();
    let gated = String::from_utf8(first.stream).unwrap();
    assert!(gated.contains(&format!("- {old}")), "{gated}");
    let changed = gated.replacen("image: app:1", "image: app:2", 1);
    let out = premigrate::rewrite(changed.as_bytes(), &cfg).unwrap();
    let new = out.plan.migrations[0].name.clone();
    let text = String::from_utf8(out.stream).unwrap();
    assert_ne!(old, new);
    assert!(!text.contains(&old), "stale name left:\n{text}");
    assert_eq!(text.matches("- name: premigrate-wait").count(), 1, "{text}");
    assert!(text.contains(&format!("- {new}")), "{text}");
}
