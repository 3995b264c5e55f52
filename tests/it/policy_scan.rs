//! Item 12 of issue #14: what premigrate generates or edits passes the policy
//! scanners the input passed. `scripts/policy_scan.py` rewrites every chart of
//! `charts/` and every stream of `../shared/corpus/`, validates each added or
//! changed document against the Kubernetes 1.34 schemas (kubernetes-validate,
//! strict) and runs checkov's Kubernetes checks once over all inputs and outputs:
//! a finding on an output object that its input object did not have fails.

use crate::support::{premigrate_bin, repo_root, require_tool};

#[test]
fn policy_scan_of_generated_objects() {
    let (Some(python), Some(helm3), Some(_)) = (
        require_tool("policy-python"),
        require_tool("helm3"),
        require_tool("checkov"),
    ) else {
        return;
    };
    let bin = repo_root().join(".tools").join("bin");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new(python)
        .arg(repo_root().join("scripts/policy_scan.py"))
        .arg(premigrate_bin())
        .arg(helm3)
        .arg(repo_root())
        .env("PATH", path)
        .output()
        .expect("running scripts/policy_scan.py");
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "new policy findings:\n{report}");
    assert!(report.contains("policy scan: "), "{report}");
}
