//! Migration sources (extraction from init containers, generation from a
//! workload): one fixture per case in testdata/sources, its flags on the first
//! line (`# args: …`), the output and plan (or the error) snapshotted. Cases
//! named `err-*` must fail; every other case must be a fixed point of a second run.

use std::path::Path;

use clap::Parser;
use premigrate::cli::Cli;

fn config_for(text: &str, file: &Path) -> premigrate::Config {
    let first = text.lines().next().unwrap_or("");
    let args = first
        .strip_prefix("# args:")
        .unwrap_or_else(|| panic!("{}: first line must be `# args: …`", file.display()));
    let words = premigrate::shell::split(args).expect("fixture args split");
    let cli = Cli::try_parse_from(std::iter::once("premigrate".to_string()).chain(words))
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    cli.opts.config().expect("fixture args are valid")
}

#[test]
fn each_case_matches_its_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sources");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 18, "fixtures missing from {}", dir.display());
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let cfg = config_for(&text, &file);
        let result = premigrate::rewrite(text.as_bytes(), &cfg);
        if name.starts_with("err-") {
            let e = match result {
                Err(e) => e,
                Ok(_) => panic!("{name}: expected an error"),
            };
            insta::assert_snapshot!(format!("sources_{name}"), e.to_string());
            continue;
        }
        let out = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let stream = String::from_utf8(out.stream).unwrap();
        let again = premigrate::rewrite(stream.as_bytes(), &cfg)
            .unwrap_or_else(|e| panic!("{name}: second run: {e}"));
        assert_eq!(
            String::from_utf8(again.stream).unwrap(),
            stream,
            "{name}: a second run changed the output"
        );
        insta::assert_snapshot!(
            format!("sources_{name}"),
            format!("{stream}\n# ── plan ──\n{}", out.explanation)
        );
    }
}

fn rewrite(text: &str, args: &[&str]) -> Result<String, premigrate::Error> {
    let cli =
        Cli::try_parse_from(std::iter::once("premigrate").chain(args.iter().copied())).unwrap();
    let cfg = cli.opts.config()?;
    premigrate::rewrite(text.as_bytes(), &cfg).map(|o| String::from_utf8(o.stream).unwrap())
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("testdata/sources/{name}.yaml")),
    )
    .unwrap()
}

#[test]
fn keep_init_changes_nothing() {
    let text = fixture("keep-init");
    assert_eq!(rewrite(&text, &["--keep-init"]).unwrap(), text);
    assert_ne!(
        rewrite(&text, &[]).unwrap(),
        text,
        "without --keep-init it extracts"
    );
}

#[test]
fn extracted_job_runs_only_the_migration_and_carriers_are_gated() {
    let out = rewrite(&fixture("extract-dedupe"), &[]).unwrap();
    let jobs = out.matches("\nkind: Job").count();
    assert_eq!(
        jobs, 1,
        "one Job for the same init container in two workloads:\n{out}"
    );
    assert_eq!(out.matches("- name: premigrate-wait").count(), 2, "{out}");
    assert!(
        !out.contains("alembic\", \"upgrade\""),
        "the init containers are gone:\n{out}"
    );
    // The other init container stays, after the gate.
    let sched = &out[out.find("name: api-scheduler").unwrap()..];
    let gate = sched.find("premigrate-wait").unwrap();
    let redis = sched.find("wait-for-redis").unwrap();
    assert!(gate < redis, "{sched}");
}

#[test]
fn a_new_image_tag_renames_the_job_and_moves_the_gates() {
    let text = fixture("extract-dedupe");
    let before = rewrite(&text, &[]).unwrap();
    let after = rewrite(&text.replace("api:1.8.0", "api:1.9.0"), &[]).unwrap();
    let name = |s: &str| {
        let i = s.find("premigrate.io/hash: ").unwrap() + 20;
        s[i..i + 10].to_string()
    };
    let (old, new) = (name(&before), name(&after));
    assert_ne!(old, new);
    assert!(!after.contains(&old), "a stale name is left:\n{after}");
    assert_eq!(
        after.matches(&format!("api-web-migrate-{new}")).count(),
        6,
        "Job, Role and two gates (each in its args and its marker):\n{after}"
    );
}

#[test]
fn generated_job_is_regenerated_not_duplicated() {
    let text = fixture("generate-annotation");
    let once = rewrite(&text, &[]).unwrap();
    let twice = rewrite(&once, &[]).unwrap();
    assert_eq!(once, twice);
    assert_eq!(once.matches("\nkind: Job").count(), 1);
}

/// A rerun without the `--migrate` that generated a Job drops the Job, its gates
/// and premigrate's kapp groups on its config and data services, and a map of
/// annotations it emptied; the documents premigrate never changed are the
/// chart's again. (Argo CD waves stay: see src/plan/jobs/gitops/stale.rs.)
#[test]
fn a_rerun_without_the_flag_drops_what_the_generated_job_needed() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/graph/n8n-queue.yaml"),
    )
    .unwrap();
    let with = rewrite(&text, &["--migrate", "deployment/n8n=n8n list:workflow"]).unwrap();
    assert!(with.contains("change-group.premigrate-"), "{with}");
    let without = rewrite(&with, &[]).unwrap();
    for gone in [
        "change-group.premigrate-",
        "change-rule.premigrate",
        "annotations: {}",
        "premigrate-wait",
        "\nkind: Job",
    ] {
        assert!(!without.contains(gone), "{gone} is left:\n{without}");
    }
    assert_eq!(rewrite(&without, &[]).unwrap(), without, "a fixed point");
}

/// PM304 is for a Job that runs the image's entrypoint, which reads the off
/// switch the Job keeps; one that runs the migration command itself migrates.
#[test]
fn an_off_switch_matters_only_to_the_entrypoint() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/codes/pm304-generated-job-keeps-off-switch.yaml"),
    )
    .unwrap();
    let codes = |migrate: &str| {
        let cli = Cli::try_parse_from(["premigrate", "--migrate", migrate]).unwrap();
        let out = premigrate::rewrite(text.as_bytes(), &cli.opts.config().unwrap()).unwrap();
        out.plan.notes.iter().map(|n| n.code).collect::<Vec<_>>()
    };
    assert!(codes("deployment/web=./web/entrypoint.sh true").contains(&"PM304"));
    let direct = codes("deployment/web=npx prisma migrate deploy");
    assert!(!direct.contains(&"PM304"), "{direct:?}");
}

#[test]
fn a_bad_migrate_exits_2_with_nothing_on_stdout() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_premigrate"))
        .args(["--migrate", "deployment/nope=migrate"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sources/generate-flag.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("there is no Deployment named `nope`"), "{err}");
}

mod invariants {
    use proptest::prelude::*;

    /// Init containers a generated workload may carry: (name, YAML item, is a migration).
    const POOL: &[(&str, &str, bool)] = &[
        ("migrate", "        - name: migrate\n          image: app:1\n          command: [\"alembic\", \"upgrade\", \"head\"]\n          envFrom:\n            - secretRef: {name: db}\n", true),
        ("flyway", "        - name: flyway\n          image: flyway/flyway:10\n          args: [\"migrate\"]\n", true),
        ("wait-db", "        - name: wait-db\n          image: busybox:1.36\n          command: [\"sh\", \"-c\", \"until nc -z db 5432; do sleep 1; done\"]\n", false),
        ("proxy", "        - name: proxy\n          image: proxy:2\n          restartPolicy: Always\n", false),
    ];

    fn workload(i: usize, kind: &str, inits: &[usize]) -> String {
        let mut s = format!(
            "---\napiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: w{i}\nspec:\n  selector:\n    matchLabels: {{app: w{i}}}\n  template:\n    metadata:\n      labels: {{app: w{i}}}\n    spec:\n"
        );
        if !inits.is_empty() {
            s.push_str("      initContainers:\n");
            for &k in inits {
                s.push_str(POOL[k].1);
            }
        }
        s.push_str("      containers:\n        - name: app\n          image: app:1\n");
        s
    }

    fn stream() -> impl Strategy<Value = (String, usize)> {
        proptest::collection::vec(
            (
                prop_oneof![Just("Deployment"), Just("StatefulSet"), Just("DaemonSet")],
                proptest::sample::subsequence((0..POOL.len()).collect::<Vec<_>>(), 0..=POOL.len()),
            ),
            1..4,
        )
        .prop_map(|ws| {
            let mut text = String::new();
            let mut distinct: Vec<usize> = Vec::new();
            for (i, (kind, inits)) in ws.iter().enumerate() {
                text.push_str(&workload(i, kind, inits));
                for &k in inits {
                    if POOL[k].2 && !distinct.contains(&k) {
                        distinct.push(k);
                    }
                }
            }
            (text, distinct.len())
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every init-container migration becomes one Job per distinct container, leaves
        /// every workload, and a second run changes nothing, under both targets.
        #[test]
        fn extraction_is_complete_and_a_fixed_point((text, jobs) in stream(), hooks in any::<bool>()) {
            let mut cfg = premigrate::Config::default();
            if hooks {
                cfg.target = premigrate::config::Target::Hooks;
            }
            let out = premigrate::rewrite(text.as_bytes(), &cfg).unwrap();
            let out = String::from_utf8(out.stream).unwrap();
            prop_assert_eq!(out.matches("\nkind: Job\n").count(), jobs, "{}", out);
            for doc in out.split("\n---").filter(|d| d.contains("apiVersion: apps/v1")) {
                prop_assert!(!doc.contains("alembic") && !doc.contains("image: flyway/"), "{}", doc);
            }
            let again = premigrate::rewrite(out.as_bytes(), &cfg).unwrap();
            prop_assert_eq!(String::from_utf8(again.stream).unwrap(), out);
        }
    }
}
