//! The user's patterns (`--is-migration`, `--not-migration`, and the policy keys
//! `isMigration`, `notMigration`): one fixture per case in `testdata/rules`, its
//! flags on the first line (`# args: …`). Each case's output, plan and lint
//! findings are snapshotted; every output is a fixed point of a second run; and
//! the patterns change what happens, except where a case says they must not.

use std::path::{Path, PathBuf};

use clap::Parser;
use premigrate::cli::Cli;

/// Cases whose patterns match only premigrate's own gates: they must change nothing.
const NO_EFFECT: &[&str] = &["gates-never-match"];

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 9, "fixtures missing from {}", dir.display());
    files
}

fn config_for(text: &str, file: &Path) -> premigrate::Config {
    let args = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# args:"))
        .unwrap_or_else(|| panic!("{}: first line must be `# args: …`", file.display()));
    let words = premigrate::shell::split(args).expect("fixture args split");
    let cli = Cli::try_parse_from(std::iter::once("premigrate".to_string()).chain(words))
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    cli.opts.config().expect("fixture args are valid")
}

fn rewrite(name: &str, text: &str, cfg: &premigrate::Config) -> premigrate::Output {
    premigrate::rewrite(text.as_bytes(), cfg).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn lint(text: &str, cfg: &premigrate::Config) -> String {
    let opts = premigrate::lint::Options {
        config: cfg.clone(),
        ignore: vec![],
    };
    premigrate::lint::lint(text.as_bytes(), &opts)
        .unwrap()
        .iter()
        .map(|f| format!("{} {}\n", f.code, f.message))
        .collect()
}

#[test]
fn each_case_matches_its_snapshot() {
    for file in fixtures() {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let cfg = config_for(&text, &file);
        assert!(
            !cfg.is_migration.is_empty() || !cfg.not_migration.is_empty(),
            "{name}: no pattern"
        );
        let out = rewrite(&name, &text, &cfg);
        let stream = String::from_utf8(out.stream.clone()).unwrap();
        let again = rewrite(&name, &stream, &cfg);
        assert_eq!(
            String::from_utf8(again.stream).unwrap(),
            stream,
            "{name}: a second run changed the output"
        );
        let plain = premigrate::Config {
            is_migration: vec![],
            not_migration: vec![],
            ..cfg.clone()
        };
        let without = rewrite(&name, &text, &plain);
        let effect = without.stream != out.stream || without.explanation != out.explanation;
        assert_eq!(
            effect,
            !NO_EFFECT.contains(&name.as_str()),
            "{name}: the patterns {} the output",
            if effect { "changed" } else { "did not change" }
        );
        insta::assert_snapshot!(
            format!("rules_{name}"),
            format!(
                "{stream}\n# ── plan ──\n{}\n# ── lint ──\n{}",
                out.explanation,
                lint(&text, &cfg)
            )
        );
    }
}

/// A pattern in a policy and the same pattern as a flag make the same output.
#[test]
fn policy_and_flag_agree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules");
    let by_flag = std::fs::read_to_string(dir.join("include-command-flag.yaml")).unwrap();
    let by_policy = std::fs::read_to_string(dir.join("include-command-policy.yaml")).unwrap();
    let cfg = |t: &str, f: &str| config_for(t, &dir.join(f));
    let a = rewrite(
        "flag",
        &by_flag,
        &cfg(&by_flag, "include-command-flag.yaml"),
    );
    let b = rewrite(
        "policy",
        &by_flag,
        &cfg(&by_policy, "include-command-policy.yaml"),
    );
    assert_eq!(a.stream, b.stream);
}

/// A flag replaces the policy's list (as every list flag does).
#[test]
fn a_flag_replaces_the_policy_list() {
    let cli = Cli::try_parse_from([
        "premigrate",
        "--config",
        "testdata/rules/policies/include.yaml",
        "--is-migration",
        "name:ledger-*",
    ])
    .unwrap();
    let cfg = cli.opts.config().unwrap();
    assert_eq!(cfg.is_migration, ["name:ledger-*"]);
    assert_eq!(
        cfg.not_migration,
        ["name:*-seed"],
        "the policy's other key stays"
    );
}

/// Under Helm the variables are how a post-renderer gets its options: one
/// pattern a line, the same output as the flags.
#[test]
fn variables_hold_one_pattern_a_line() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_premigrate"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
        for (k, _) in std::env::vars_os() {
            if k.to_str().is_some_and(|k| k.starts_with("PREMIGRATE_")) {
                cmd.env_remove(k);
            }
        }
        cmd.args(args).envs(env.iter().copied());
        cmd.output().unwrap()
    };
    let file = "testdata/rules/include-command-policy.yaml";
    let by_flags = run(
        &[
            "--is-migration",
            "command:*ledger schema-refresh*",
            "--not-migration",
            "name:*-seed",
            file,
        ],
        &[],
    );
    let by_env = run(
        &[file],
        &[
            (
                "PREMIGRATE_IS_MIGRATION",
                "command:*ledger schema-refresh*\nname:nothing-here",
            ),
            ("PREMIGRATE_NOT_MIGRATION", "name:*-seed"),
        ],
    );
    assert!(by_flags.status.success() && by_env.status.success());
    assert_eq!(by_env.stdout, by_flags.stdout);
    let bad = run(&[file], &[("PREMIGRATE_NOT_MIGRATION", "label:x")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--not-migration: pattern `label:x`"), "{err}");
}
