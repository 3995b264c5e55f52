//! The release graph, one hand-written rendered stream per case under
//! `testdata/graph/`, each run as `gitops` and as `hooks` (a fixture may add flags
//! with `# args:`). Each run is snapshot-tested (output and `--explain`, whose
//! last lines are the deadlock check's verdict per engine), and every run keeps:
//! - a second run over the output changes nothing;
//! - no data service is gated, and none is in an Argo CD wave at or after a
//!   migration that needs it;
//! - the deadlock check found no hang premigrate made (the verdicts are in the plan);
//! - every migration Job starts after the migrations it follows (waves, kapp rules).
//!
//! Then every real chart of `../shared/corpus/` (the Helm 3 stream as gitops, the
//! Helm 4 stream as hooks) keeps the same invariants.

#[path = "support/gate_cases.rs"]
mod gate_cases;

use gate_cases::{ann, config, docs, is_gate, pod_spec, shell_words};
use serde_json::Value as Json;

fn fixtures() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/graph");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn args_of(input: &str) -> Vec<String> {
    input
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# args: "))
        .map(shell_words)
        .unwrap_or_default()
}

fn rewrite(input: &[u8], cfg: &premigrate::Config) -> premigrate::Output {
    premigrate::rewrite(input, cfg).unwrap_or_else(|e| panic!("{e:?}"))
}

fn wave(d: &Json) -> Option<i64> {
    ann(d, "argocd.argoproj.io/sync-wave").and_then(|w| w.trim().parse().ok())
}

fn object(d: &Json) -> String {
    format!(
        "{}/{}",
        d["kind"].as_str().unwrap_or(""),
        d["metadata"]["name"].as_str().unwrap_or("")
    )
}

/// The invariants every output keeps.
fn check(name: &str, input: &[u8], out: &premigrate::Output, cfg: &premigrate::Config) {
    let text = String::from_utf8(out.stream.clone()).unwrap();
    let again = String::from_utf8(rewrite(text.as_bytes(), cfg).stream).unwrap();
    if again != text {
        let line = again
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name}: a second run changed the output at line {}: {:?} (was {:?})",
            line + 1,
            again.lines().nth(line),
            text.lines().nth(line)
        );
    }
    let index = premigrate::index::Index::build(input).unwrap();
    let data: Vec<String> = out
        .plan
        .data_services
        .keys()
        .map(|d| index.entries[*d].info.object())
        .collect();
    let output = docs(&text);
    let jobs: Vec<&Json> = output
        .iter()
        .filter_map(|(_, v)| v.as_ref())
        .filter(|v| {
            v["kind"] == "Job"
                && out
                    .plan
                    .migrations
                    .iter()
                    .any(|m| v["metadata"]["name"] == m.name.as_str())
        })
        .collect();
    for (_, v) in &output {
        let Some(v) = v else { continue };
        if !data.contains(&object(v)) {
            continue;
        }
        if let Some(pod) = pod_spec(v) {
            let gated = pod["initContainers"]
                .as_array()
                .is_some_and(|l| l.iter().any(is_gate));
            assert!(!gated, "{name}: data service {} is gated", object(v));
        }
        for j in &jobs {
            if let (Some(dw), Some(jw)) = (wave(v), wave(j)) {
                assert!(
                    dw < jw,
                    "{name}: data service {} (wave {dw}) not before {} (wave {jw})",
                    object(v),
                    object(j)
                );
            }
        }
    }
    for v in &out.plan.verdicts {
        assert!(
            v.deadlock.is_none() || v.inherited,
            "{name}: {:?} hangs",
            v.engine
        );
    }
    for m in &out.plan.migrations {
        for a in &m.after {
            let before = out.plan.migrations.iter().find(|p| &p.original_name == a);
            if let (Some(p), Some(w), Some(pw)) = (before, m.wave, before.and_then(|p| p.wave)) {
                assert!(
                    pw < w,
                    "{name}: {} (wave {w}) not after {} (wave {pw})",
                    m.original_name,
                    p.original_name
                );
            }
        }
    }
}

fn snapshot_text(out: &premigrate::Output) -> String {
    format!(
        "{}\n# ── explain ──\n{}",
        String::from_utf8(out.stream.clone()).unwrap(),
        out.explanation
            .lines()
            .map(|l| format!("# {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

#[test]
fn graph_cases() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/graph");
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    let mut failed = Vec::new();
    for (name, input) in fixtures() {
        for target in ["gitops", "hooks"] {
            let mut args = args_of(&input);
            if !args.iter().any(|a| a == "--target") {
                args.extend(["--target".to_string(), target.to_string()]);
            } else if target == "hooks" {
                continue;
            }
            let case = format!("{name}.{target}");
            let ok = std::panic::catch_unwind(|| {
                let cfg = config(&args);
                let out = rewrite(input.as_bytes(), &cfg);
                insta::assert_snapshot!(case.as_str(), snapshot_text(&out));
                check(&case, input.as_bytes(), &out, &cfg);
            });
            if ok.is_err() {
                failed.push(case);
            }
        }
    }
    assert!(failed.is_empty(), "failing cases: {failed:?}");
}

/// The cyclic bad input is refused; the same stream without the user's
/// `premigrate.io/wait-for` on the database goes through (the annotation makes the cycle).
#[test]
fn a_database_that_waits_for_its_migration_is_refused() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/bad/database-waits-for-its-migration.yaml"
    );
    let input = std::fs::read_to_string(path).unwrap();
    let cfg = premigrate::Config::default();
    let err = premigrate::rewrite(input.as_bytes(), &cfg)
        .err()
        .expect("refused");
    let msg = format!("{err}");
    assert!(
        msg.contains("a cycle") && msg.contains("StatefulSet/shop-postgresql"),
        "{msg}"
    );
    let fine = input.replace("    premigrate.io/wait-for: shop-migrate\n", "");
    assert!(premigrate::rewrite(fine.as_bytes(), &cfg).is_ok());
}

/// Every real chart of the corpus: Helm 3 stream as gitops, Helm 4 stream as hooks.
/// What premigrate does to each (its `explain`: every change, gate and verdict)
/// is a snapshot under `snapshots/corpus/`.
#[test]
fn corpus_keeps_the_invariants() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/corpus");
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("SKIPPED: no ../shared/corpus");
        return;
    };
    let mut cases: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut failed = Vec::new();
    for case in cases {
        for (file, target) in [("helm3.yaml", "gitops"), ("helm4.yaml", "hooks")] {
            let Ok(input) = std::fs::read(case.join(file)) else {
                continue;
            };
            let name = format!("{}/{file}", case.file_name().unwrap().to_string_lossy());
            let ok = std::panic::catch_unwind(|| {
                let cfg = config(&["--target".into(), target.into()]);
                let out = rewrite(&input, &cfg);
                insta::assert_snapshot!(
                    name.replace(".yaml", "").replace('/', "."),
                    out.explanation
                );
                check(&name, &input, &out, &cfg);
            });
            if ok.is_err() {
                failed.push(name);
            }
        }
    }
    assert!(failed.is_empty(), "failing corpus cases: {failed:?}");
}

/// A Job the chart names with its render time: two renders of the same chart
/// (another time in the name and the pod template) give the same output.
#[test]
fn render_time_names_are_stable() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/graph");
    let input = std::fs::read_to_string(format!("{dir}/render-time-name.yaml")).unwrap();
    let later = input.replace("2026-11-30-02-02-49", "2026-12-01-17-45-03");
    assert_ne!(input, later);
    for target in ["gitops", "hooks"] {
        let cfg = config(&["--target".into(), target.into()]);
        let a = rewrite(input.as_bytes(), &cfg).stream;
        let b = rewrite(later.as_bytes(), &cfg).stream;
        let text = String::from_utf8(a.clone()).unwrap();
        assert_eq!(a, b, "{target}: the output follows the render time");
        assert!(!text.contains("-migrate-2026"), "{target}:\n{text}");
    }
}
