//! The README shows the demo's real output; this test keeps it from going stale.
//! `UPDATE_README=1 cargo test --test it readme` rewrites the block.

const START: &str = "<!-- demo:start -->\n```yaml\n";
const END: &str = "```\n<!-- demo:end -->";
const RERUN: &str = "cargo test --test it readme";

use crate::readme_block;

#[test]
fn readme_shows_the_real_demo_output() {
    let demo = premigrate::demo::render(&premigrate::Config::default()).unwrap();
    readme_block::check(START, END, &demo, "demo block", RERUN);
}

const CODES_START: &str = "<!-- codes:start -->\n";
const CODES_END: &str = "<!-- codes:end -->";

/// The README's list of diagnostic codes is rendered from the one table.
#[test]
fn readme_lists_every_diagnostic_code() {
    let list = premigrate::diag::codes::markdown();
    readme_block::check(CODES_START, CODES_END, &list, "list of codes", RERUN);
}

/// For each code of a rewrite: a fixture (with its `# args:` line) that triggers it.
const FIXTURES: &[(&str, &str)] = &[
    ("PM004", "demo/input.yaml"),
    ("PM005", "graph/temporal-sql.yaml"),
    ("PM006", "graph/sentry.yaml"),
    ("PM010", "codes/pm010-possible-migration.yaml"),
    ("PM011", "sources/migrates-then-serves.yaml"),
    ("PM012", "graph/airflow-official-helm3-post-renderer.yaml"),
    ("PM013", "codes/pm013-job-pattern-matches-nothing.yaml"),
    ("PM013", "codes/pm013-job-selector-matches-nothing.yaml"),
    ("PM014", "graph/airbyte-bundled.yaml"),
    ("PM015", "codes/pm015-generated-job-dropped.yaml"),
    ("PM018", "codes/pm018-set-up-only-renamed.yaml"),
    ("PM019", "codes/pm019-moving-image-tag.yaml"),
    ("PM020", "codes/pm020-container-only-migrates.yaml"),
    ("PM020", "codes/pm020-migrates-then-sleeps.yaml"),
    ("PM021", "codes/pm021-install-only-hook-reruns.yaml"),
    ("PM022", "codes/pm022-uninstall-hook-named-a-migration.yaml"),
    ("PM023", "codes/pm023-command-item-with-spaces.yaml"),
    ("PM101", "codes/pm101-chart-hook.yaml"),
    ("PM102", "gates/post-phase.yaml"),
    ("PM105", "codes/pm105-bundled-database-helm4.yaml"),
    ("PM106", "codes/pm106-hooks-with-bundled-database.yaml"),
    ("PM201", "codes/pm208-hook-succeeded.yaml"),
    ("PM202", "gates/auto-shares-nothing.yaml"),
    ("PM203", "gates/annotation-wait-for.yaml"),
    ("PM204", "gates/gate-list.yaml"),
    ("PM205", "gates/gate-none.yaml"),
    ("PM206", "gates/namespace-mismatch.yaml"),
    ("PM207", "gates/kind-job.yaml"),
    ("PM208", "codes/pm208-hook-succeeded.yaml"),
    ("PM209", "codes/pm209-wave-at-the-limit.yaml"),
    ("PM210", "codes/pm210-chart-hangs-on-argo.yaml"),
    ("PM211", "codes/pm211-pre-hook-after-migration.yaml"),
    ("PM213", "codes/pm213-job-shares-claim.yaml"),
    ("PM212", "graph/sourcegraph-bundled.yaml"),
    ("PM016", "graph/coder-external-db.yaml"),
    (
        "PM017",
        "codes/pm017-configuration-hooks-hidden-by-helm3.yaml",
    ),
    ("PM301", "sources/generate-annotation.yaml"),
    ("PM302", "sources/generate-flag.yaml"),
    ("PM303", "sources/extract-annotation-unknown.yaml"),
    ("PM304", "codes/pm304-generated-job-keeps-off-switch.yaml"),
    ("PM305", "codes/pm305-generated-job-loses-script-env.yaml"),
    (
        "PM306",
        "codes/pm306-extract-init-name-in-several-workloads.yaml",
    ),
    (
        "PM601",
        "reliability/generated-annotation-on-user-objects.yaml",
    ),
    ("PM602", "reliability/migration-annotation-values.yaml"),
    ("PM603", "gates/windows-pod.yaml"),
    ("PM604", "reliability/migration-job-inside-a-list.yaml"),
    ("PM605", "demo/input.yaml"),
    ("PM606", "codes/pm606-network-policy-blocks-gate.yaml"),
    ("PM607", "codes/pm607-annotation-on-the-pod-template.yaml"),
];

/// A stream for the Flux export: a migration Job using a chart ConfigMap and
/// ServiceAccount (or none: no migration).
fn flux_stream(with_job: bool) -> String {
    let mut s = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  A: b\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app-sa\n",
    );
    if with_job {
        s.push_str("---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: app-migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      serviceAccountName: app-sa\n      containers:\n        - name: migrate\n          image: app:1\n          command: [\"python\", \"manage.py\", \"migrate\"]\n          envFrom:\n            - configMapRef:\n                name: app-config\n");
    }
    s
}

/// Every code of the table has a fixture that triggers it.
#[test]
fn every_diagnostic_code_has_a_fixture() {
    use clap::Parser as _;
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/");
    let mut seen: Vec<String> = Vec::new();
    for (code, file) in FIXTURES {
        let text = std::fs::read_to_string(format!("{data}{file}")).unwrap();
        let args = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .find_map(|l| l.strip_prefix("# args: "))
            .map(|a| premigrate::shell::split(a).unwrap())
            .unwrap_or_default();
        let cli = premigrate::cli::Cli::try_parse_from(
            std::iter::once("premigrate".to_string()).chain(args),
        )
        .unwrap();
        let out = premigrate::rewrite(text.as_bytes(), &cli.opts.config().unwrap()).unwrap();
        assert!(
            out.plan.notes.iter().any(|n| n.code == *code),
            "{file} does not trigger {code}: {:?}",
            out.plan.notes
        );
        seen.push(code.to_string());
    }
    let hr = std::fs::read_to_string(format!("{data}flux/helmrelease.yaml")).unwrap();
    for with_job in [true, false] {
        let out = premigrate::flux::export(
            &hr,
            "helmrelease.yaml",
            flux_stream(with_job).as_bytes(),
            &premigrate::Config::default(),
        )
        .unwrap();
        for w in &out.warnings {
            if let Some(code) = w.strip_prefix('[').and_then(|w| w.split(']').next()) {
                seen.push(code.to_string());
            }
        }
    }
    // Lint codes (PM5xx) have their fixtures under testdata/lint/ (tests/lint.rs).
    for c in premigrate::diag::codes::CODES
        .iter()
        .filter(|c| !c.code.starts_with("PM5"))
    {
        assert!(
            seen.iter().any(|s| s == c.code),
            "no fixture triggers {}",
            c.code
        );
    }
}
