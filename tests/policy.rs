//! The MigrationPolicy object as `--config FILE`: every key, the precedence of
//! flags over the file, and bad policies rejected by name with the allowed values.

mod support;

use insta_cmd::assert_cmd_snapshot;
use premigrate::config::{GateMode, GateStyle, Target};
use std::process::Command;
use support::{premigrate_bin, repo_root};

fn premigrate() -> Command {
    let mut cmd = Command::new(premigrate_bin());
    cmd.current_dir(repo_root());
    for (k, _) in std::env::vars_os() {
        if k.to_str().is_some_and(|k| k.starts_with("PREMIGRATE_")) {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn policy(name: &str) -> String {
    format!("testdata/policy/{name}.yaml")
}

fn load(name: &str) -> Result<premigrate::cli::Opts, premigrate::Error> {
    premigrate::policy::load(&repo_root().join(policy(name)))
}

#[test]
fn the_full_example_sets_every_option() {
    let cfg = load("full").unwrap().validate().unwrap();
    assert_eq!(cfg.target, Target::Gitops);
    assert_eq!(cfg.jobs, ["*-migrate", "*-db-init"]);
    assert_eq!(
        cfg.job_selector.as_deref(),
        Some("app.kubernetes.io/component=migration")
    );
    assert!(cfg.detect);
    assert_eq!(cfg.is_migration, ["command:*ledger schema-refresh*"]);
    assert_eq!(cfg.not_migration, ["name:*-seed"]);
    assert_eq!(cfg.salt, "r42");
    assert_eq!(cfg.timeout_seconds, Some(600));
    assert_eq!(cfg.hook_weight, -5);
    assert_eq!(cfg.gate, GateMode::Auto);
    assert_eq!(cfg.gate_style, GateStyle::Kubectl);
    assert_eq!(
        cfg.gate_image.as_deref(),
        Some("registry.k8s.io/kubectl:v1.34.5")
    );
    assert_eq!(cfg.gate_check, None, "an empty string leaves the default");
    assert!(cfg.migrate.is_empty() && cfg.extract_init.is_empty() && !cfg.keep_init);
}

#[test]
fn a_configmap_holds_the_same_keys_as_strings() {
    let cfg = load("configmap").unwrap().validate().unwrap();
    assert_eq!(cfg.target, Target::Gitops);
    assert_eq!(cfg.jobs, ["*-migrate", "*-db-init"]);
    assert_eq!(cfg.gate_style, GateStyle::Kubectl);
    assert_eq!(cfg.hook_weight, -5);
    assert!(cfg.detect);
}

#[test]
fn flags_override_the_file() {
    let file = load("hooks").unwrap();
    let flags = premigrate::cli::Opts {
        target: Some("gitops".into()),
        ..Default::default()
    };
    let cfg = premigrate::policy::overlay(file, &flags)
        .validate()
        .unwrap();
    assert_eq!(cfg.target, Target::Gitops, "the flag wins");
    assert_eq!(
        cfg.hook_weight, -10,
        "the file fills what the flags leave unset"
    );
}

#[test]
fn config_flag_and_explicit_flag() {
    let out = premigrate()
        .args([
            "explain",
            "--config",
            &policy("hooks"),
            "testdata/demo/input.yaml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("target: hooks"), "{text}");
    assert!(text.contains("helm.sh/hook-weight: -10"), "{text}");
    let out = premigrate()
        .args([
            "explain",
            "--config",
            &policy("hooks"),
            "--target",
            "gitops",
        ])
        .arg("testdata/demo/input.yaml")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("target: gitops"), "{text}");
    let out = premigrate()
        .args(["explain", "testdata/demo/input.yaml"])
        .env("PREMIGRATE_CONFIG", policy("hooks"))
        .env("PREMIGRATE_TARGET", "gitops")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("target: gitops"),
        "environment beats the file: {text}"
    );
}

macro_rules! rejected {
    ($name:ident, $file:literal) => {
        #[test]
        fn $name() {
            assert_cmd_snapshot!(
                concat!("policy_", $file),
                premigrate().args(["--config", &policy($file), "testdata/demo/input.yaml"])
            );
        }
    };
}

rejected!(unknown_key_is_rejected_with_a_suggestion, "unknown-key");
rejected!(bad_gate_style_lists_the_styles, "bad-gate-style");
rejected!(bad_target_lists_the_targets, "bad-target");
rejected!(unquoted_yes_is_not_a_string, "yes-salt");
rejected!(bad_switch, "bad-flag");
rejected!(wrong_api_version, "wrong-version");
rejected!(bad_is_migration_pattern, "bad-is-migration");
rejected!(bad_not_migration_pattern, "bad-not-migration");

#[test]
fn missing_config_file() {
    assert_cmd_snapshot!(
        "policy_missing",
        premigrate().args([
            "--config",
            "testdata/policy/nope.yaml",
            "testdata/demo/input.yaml"
        ])
    );
}
