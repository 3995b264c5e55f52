//! `premigrate lint`: every rule's positive and negative fixture under
//! `testdata/lint/<code>/` (and the classic recipes under `testdata/lint/recipes/`)
//! snapshot-tested in every format; their SARIF validated against the official
//! SARIF 2.1.0 schema; every case of `../shared/corpus/` linted (one snapshot of
//! findings per case); the post-renderer's own output never has a fixable
//! finding; the CLI's exit codes and suppression; the README's rule table.

#[path = "support/readme_block.rs"]
mod readme_block;

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser as _;
use premigrate::lint::format::{render, Format};
use premigrate::lint::{lint, Finding, Options};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/lint");
const FORMATS: &[(&str, Format)] = &[
    ("text", Format::Text),
    ("json", Format::Json),
    ("sarif", Format::Sarif),
    ("github", Format::Github),
];

/// The fixture's `# args:` line, as lint options.
fn options(text: &str) -> Options {
    let args = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# args: "))
        .map(|a| premigrate::shell::split(a).unwrap())
        .unwrap_or_default();
    let cli =
        premigrate::cli::Cli::try_parse_from(std::iter::once("premigrate".to_string()).chain(args))
            .unwrap();
    Options {
        config: cli.opts.config().unwrap(),
        ignore: cli.opts.lint_ignore.clone(),
    }
}

fn lint_file(path: &Path) -> Vec<Finding> {
    let text = std::fs::read_to_string(path).unwrap();
    lint(text.as_bytes(), &options(&text)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every fixture: (snapshot name, path).
fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for r in premigrate::lint::RULES {
        for kind in ["positive", "negative"] {
            let p = Path::new(DATA)
                .join(r.code.code)
                .join(format!("{kind}.yaml"));
            assert!(p.exists(), "{} has no {kind} fixture", r.code.code);
            out.push((format!("{}-{kind}", r.code.code), p));
        }
    }
    for (name, p) in yaml_files(&Path::new(DATA).join("recipes")) {
        out.push((format!("recipe-{name}"), p));
    }
    out
}

fn yaml_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    v.sort();
    v
}

#[test]
fn every_rule_fires_on_its_positive_fixture_and_not_on_its_negative() {
    for r in premigrate::lint::RULES {
        let code = r.code.code;
        let pos = lint_file(&Path::new(DATA).join(code).join("positive.yaml"));
        assert!(
            pos.iter().any(|f| f.code == code),
            "{code}: positive fixture: {pos:#?}"
        );
        let neg = lint_file(&Path::new(DATA).join(code).join("negative.yaml"));
        assert!(
            !neg.iter().any(|f| f.code == code),
            "{code}: negative fixture: {neg:#?}"
        );
    }
}

/// An Argo CD hook that agrees with the object's Helm hook, alone in its
/// phase, is no mix to report (PM512).
#[test]
fn agreeing_argo_and_helm_hooks_are_no_mix() {
    let path = Path::new(DATA).join("recipes/argo-and-helm-hooks-agree.yaml");
    let found = lint_file(&path);
    assert!(!found.iter().any(|f| f.code == "PM512"), "{found:#?}");
    // A second hook in the phase: the ignored weight would order them.
    let text = std::fs::read_to_string(&path).unwrap();
    let two = format!("{text}---\n{}", text.replace("app-seed", "app-seed-2"));
    let found = lint(two.as_bytes(), &options(&text)).unwrap();
    assert!(found.iter().any(|f| f.code == "PM512"), "{found:#?}");
}

/// A pod is not scheduled before the claims it mounts exist: a database in an
/// earlier Argo CD wave than its claim hangs the sync (Mattermost's bundled MySQL).
#[test]
fn a_claim_after_its_database_hangs_argo_cd() {
    let found = lint_file(&Path::new(DATA).join("PM511/claim-after-its-database.yaml"));
    assert!(
        found
            .iter()
            .any(|f| f.code == "PM511" && f.message.contains("PersistentVolumeClaim/db")),
        "{found:#?}"
    );
}

#[test]
fn fixtures_in_every_format() {
    for (name, path) in fixtures() {
        let findings = lint_file(&path);
        for (fmt, format) in FORMATS {
            insta::assert_snapshot!(
                format!("{name}-{fmt}"),
                render(&findings, *format, "rendered.yaml")
            );
        }
    }
}

#[test]
fn classic_recipes_find_what_you_would_expect() {
    let expect: &[(&str, &[&str])] = &[
        ("flyway-init-container", &["PM501"]),
        ("flux-job-ttl-tag-waitfor", &["PM504", "PM508", "PM509"]),
        ("pre-install-hook-own-configmap", &["PM503"]),
        ("kubectl-fixed-name-job", &["PM505"]),
        ("post-start-migration", &["PM502"]),
    ];
    for (name, codes) in expect {
        let found = lint_file(&Path::new(DATA).join("recipes").join(format!("{name}.yaml")));
        for c in *codes {
            assert!(
                found.iter().any(|f| f.code == *c),
                "{name}: no {c}: {found:#?}"
            );
        }
    }
}

/// The SARIF of every fixture validates against the official SARIF 2.1.0 schema
/// (Python's `jsonschema`, Draft 7 as the schema declares).
#[test]
fn sarif_of_every_fixture_validates_against_the_schema() {
    let dir = std::env::temp_dir().join(format!("premigrate-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (name, path) in fixtures() {
        let sarif = render(&lint_file(&path), Format::Sarif, "rendered.yaml");
        let f = dir.join(format!("{name}.sarif"));
        std::fs::write(&f, sarif).unwrap();
        files.push(f);
    }
    // The validator must not pass anything: a result with a level SARIF lacks.
    let broken = dir.join("broken.sarif");
    let good = std::fs::read_to_string(&files[0]).unwrap();
    std::fs::write(
        &broken,
        good.replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1),
    )
    .unwrap();
    assert!(good.contains("\"level\": \"error\""));
    assert!(
        !validate(&[broken]).status.success(),
        "the validator accepts a bad level"
    );
    let out = validate(&files);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "SARIF does not validate:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the schema validator over SARIF files.
fn validate(files: &[PathBuf]) -> std::process::Output {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/validate_sarif.py"
    );
    Command::new("python3")
        .arg(script)
        .arg(Path::new(DATA).join("sarif-schema-2.1.0.json"))
        .args(files)
        .env(
            "PYTHONPATH",
            concat!(env!("CARGO_MANIFEST_DIR"), "/.tools/python"),
        )
        .output()
        .expect("python3")
}

fn corpus_cases() -> Vec<PathBuf> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("SKIPPED: no ../shared/corpus");
        return Vec::new();
    };
    let mut cases: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// One line per finding: code, fixable, document, line:column, message.
fn summary(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        s.push_str(&format!(
            "{} {}{} doc {} {}:{} {}\n",
            f.code,
            format!("{:?}", f.severity).to_lowercase(),
            if f.fixable { " fixable" } else { "" },
            f.location.doc.unwrap_or(0),
            f.location.line.unwrap_or(0),
            f.location.column.unwrap_or(0),
            f.message
        ));
    }
    if s.is_empty() {
        s.push_str("no finding\n");
    }
    s
}

#[test]
fn corpus_findings() {
    for case in corpus_cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(case.join("helm3.yaml")).unwrap();
        let text = match lint(&input, &Options::default()) {
            Ok(f) => summary(&f),
            Err(e) => format!("error: {e}\n"),
        };
        insta::assert_snapshot!(format!("corpus-{name}"), text);
    }
}

/// Linting what the post-renderer wrote (gitops) finds nothing it would fix.
#[test]
fn the_post_renderers_output_has_no_fixable_finding() {
    let mut inputs: Vec<(String, Vec<u8>)> = corpus_cases()
        .iter()
        .map(|c| {
            (
                c.display().to_string(),
                std::fs::read(c.join("helm3.yaml")).unwrap(),
            )
        })
        .collect();
    let graph = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/graph");
    for (name, p) in yaml_files(&graph).into_iter().chain(fixtures()) {
        inputs.push((name, std::fs::read(p).unwrap()));
    }
    let cfg = premigrate::Config {
        target: premigrate::config::Target::Gitops,
        ..Default::default()
    };
    let mut checked = 0;
    for (name, input) in inputs {
        let Ok(out) = premigrate::rewrite(&input, &cfg) else {
            continue;
        };
        let opts = Options {
            config: cfg.clone(),
            ignore: Vec::new(),
        };
        let findings = lint(&out.stream, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let fixable: Vec<&Finding> = findings.iter().filter(|f| f.fixable).collect();
        assert!(
            fixable.is_empty(),
            "{name}: fixable findings on the output: {fixable:#?}"
        );
        checked += 1;
    }
    assert!(checked > 10, "only {checked} streams rewritten");
}

/// The same for Helm 4's streams of the corpus under `--target hooks`.
#[test]
fn the_post_renderers_hooks_output_has_no_fixable_finding() {
    let cfg = premigrate::Config {
        target: premigrate::config::Target::Hooks,
        ..Default::default()
    };
    for case in corpus_cases() {
        let input = std::fs::read(case.join("helm4.yaml")).unwrap();
        let Ok(out) = premigrate::rewrite(&input, &cfg) else {
            continue;
        };
        let opts = Options {
            config: cfg.clone(),
            ignore: Vec::new(),
        };
        let findings = lint(&out.stream, &opts).unwrap();
        let fixable: Vec<&Finding> = findings.iter().filter(|f| f.fixable).collect();
        assert!(fixable.is_empty(), "{}: {fixable:#?}", case.display());
    }
}

fn bin(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_premigrate"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(code: &str, kind: &str) -> String {
    std::fs::read_to_string(Path::new(DATA).join(code).join(format!("{kind}.yaml"))).unwrap()
}

#[test]
fn exit_codes_follow_fail_on() {
    let warn = fixture("PM505", "positive");
    assert_eq!(bin(&["lint"], &warn).0, 1, "a warning fails by default");
    assert_eq!(bin(&["lint", "--fail-on", "error"], &warn).0, 0);
    assert_eq!(bin(&["lint"], &fixture("PM505", "negative")).0, 0);
    let info = fixture("PM514", "positive");
    assert_eq!(
        bin(&["lint"], &info).0,
        0,
        "an info does not fail by default"
    );
    assert_eq!(bin(&["lint", "--fail-on", "info"], &info).0, 1);
}

#[test]
fn bad_input_is_exit_2_with_nothing_on_stdout() {
    let (code, out, err) = bin(&["lint", "--format", "sarif"], "kind: Job\nmetadata: [\n");
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("premigrate: error: "), "{err}");
}

#[test]
fn suppression_per_object_and_per_run() {
    let text = fixture("PM505", "positive").replace(
        "  name: app-migrate\n",
        "  name: app-migrate\n  annotations:\n    premigrate.io/lint-ignore: PM505\n",
    );
    let (code, out, _) = bin(&["lint"], &text);
    assert_eq!((code, out.contains("PM505")), (0, false), "{out}");
    let (code, out, _) = bin(
        &["lint", "--lint-ignore", "PM505"],
        &fixture("PM505", "positive"),
    );
    assert_eq!((code, out.contains("PM505")), (0, false), "{out}");
    let typo = text.replace("lint-ignore: PM505", "lint-ignore: PM595");
    let (code, out, err) = bin(&["lint"], &typo);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("PM595") && err.contains("line 7"), "{err}");
    let (code, _, err) = bin(
        &["lint", "--lint-ignore", "PM5O5"],
        &fixture("PM505", "positive"),
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn policy_lint_ignore() {
    let dir = std::env::temp_dir().join(format!("premigrate-lint-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.yaml");
    let write = |codes: &str| {
        std::fs::write(
            &policy,
            format!("apiVersion: premigrate.io/v1alpha1\nkind: MigrationPolicy\nmetadata:\n  name: p\nspec:\n  lintIgnore: [{codes}]\n"),
        )
        .unwrap();
    };
    write("PM505");
    let p = policy.to_str().unwrap();
    let (code, out, err) = bin(&["lint", "--config", p], &fixture("PM505", "positive"));
    assert_eq!((code, out.contains("PM505")), (0, false), "{out}{err}");
    std::fs::write(
        &policy,
        "apiVersion: premigrate.io/v1alpha1\nkind: MigrationPolicy\nmetadata:\n  name: p\nspec:\n  lint:\n    ignore: [PM505]\n",
    )
    .unwrap();
    let (code, out, err) = bin(&["lint", "--config", p], &fixture("PM505", "positive"));
    assert_eq!(
        (code, out.contains("PM505")),
        (0, false),
        "lint.ignore: {out}{err}"
    );
    write("PM999");
    let (code, _, err) = bin(&["lint", "--config", p], &fixture("PM505", "positive"));
    assert_eq!(code, 2);
    assert!(err.contains("PM999") && err.contains("lintIgnore"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

const RULES_START: &str = "<!-- lint-rules:start -->\n";
const RULES_END: &str = "<!-- lint-rules:end -->";

/// The README's table of lint rules is rendered from the rules.
#[test]
fn readme_lists_every_lint_rule() {
    let table = premigrate::lint::rules::markdown();
    readme_block::check(RULES_START, RULES_END, &table, "lint rules", LINT_RERUN);
}

const EXAMPLE_START: &str = "<!-- lint-example:start -->\n";
const EXAMPLE_END: &str = "<!-- lint-example:end -->";

/// The README's example output is the real output of a recipe.
#[test]
fn readme_shows_real_lint_output() {
    let recipe = Path::new(DATA).join("recipes/flux-job-ttl-tag-waitfor.yaml");
    let text = render(&lint_file(&recipe), Format::Text, "rendered.yaml");
    let body = format!("```text\n{text}```\n");
    readme_block::check(
        EXAMPLE_START,
        EXAMPLE_END,
        &body,
        "lint example",
        LINT_RERUN,
    );
}

/// Both README tests of this binary write the file: one at a time when updating.
const LINT_RERUN: &str = "cargo test --test lint readme -- --test-threads=1";

/// ThingsBoard: under `--target hooks` a migration that stays a regular Job
/// (its database is in the release) with a TTL is re-created by the next
/// `helm upgrade` once deleted: PM504 says so (it was reported under gitops only).
#[test]
fn a_ttl_on_a_migration_that_stays_regular_under_hooks() {
    let stream = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: tb-install
spec:
  ttlSecondsAfterFinished: 86400
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: install
          image: thingsboard/tb-node:4.3.1.4
          env:
            - name: SPRING_DATASOURCE_URL
              value: jdbc:postgresql://tb-postgresql:5432/thingsboard
---
apiVersion: v1
kind: Service
metadata:
  name: tb-postgresql
spec:
  selector: {app: tb-postgresql}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: tb-postgresql
spec:
  selector:
    matchLabels: {app: tb-postgresql}
  template:
    metadata:
      labels: {app: tb-postgresql}
    spec:
      containers:
        - name: postgresql
          image: postgres:16
";
    let (_, out, err) = bin(
        &["lint", "--target", "hooks", "--job", "tb-install"],
        stream,
    );
    assert!(
        out.contains("warning[PM504]") && out.contains("the next `helm upgrade`"),
        "{out}{err}"
    );
    let (_, out, err) = bin(
        &["lint", "--target", "gitops", "--job", "tb-install"],
        stream,
    );
    assert!(
        out.contains("the GitOps engine re-creates it"),
        "{out}{err}"
    );
}
