//! Bad input and CLI misuse: exit code 2, nothing on stdout, one message on
//! stderr that says which document (number and `# Source:`) and where.
//! Each case's stderr is an insta snapshot named after its file in `testdata/bad`.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{premigrate_bin, repo_root, TempDir};

/// Runs the binary from the repository root (so relative paths in messages are stable).
fn run(args: &[&str], stdin: &[u8]) -> Output {
    support::run_premigrate(args, stdin)
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// Exit 2, empty stdout, a `premigrate: error:` message, no panic.
fn assert_refused(what: &str, out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: exit status {}; stderr:\n{err}",
        out.status
    );
    assert!(
        out.stdout.is_empty(),
        "{what}: wrote {} bytes to stdout",
        out.stdout.len()
    );
    assert!(
        err.starts_with("premigrate: error: "),
        "{what}: unexpected stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "{what}: panicked:\n{err}");
    assert!(err.lines().count() <= 3, "{what}: message too long:\n{err}");
    err
}

fn bad_files() -> Vec<PathBuf> {
    let dir = repo_root().join("testdata").join("bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

fn snapshot(name: &str, value: &str) {
    insta::with_settings!({ omit_expression => true, description => name }, {
        insta::assert_snapshot!(name, value);
    });
}

/// For each case: the document the message must name, its `# Source:`, and
/// whether a line/column is expected.
const CASES: &[(&str, usize, &str, bool)] = &[
    ("alias-bomb-in-job", 2, "app/templates/job.yaml", true),
    (
        "bad-indentation-in-configmap",
        1,
        "app/templates/cm.yaml",
        true,
    ),
    ("bad-indentation-in-job", 2, "app/templates/job.yaml", true),
    (
        "database-waits-for-its-migration",
        4,
        "shop/charts/postgresql/templates/primary/statefulset.yaml",
        false,
    ),
    (
        "deep-block-map-nesting-in-job",
        2,
        "app/templates/job.yaml",
        true,
    ),
    (
        "deep-block-seq-nesting-in-job",
        2,
        "app/templates/job.yaml",
        true,
    ),
    (
        "deep-flow-nesting-in-job",
        2,
        "app/templates/job.yaml",
        true,
    ),
    (
        "extract-init-annotation-on-a-chart-gate",
        2,
        "app/templates/web.yaml",
        false,
    ),
    (
        "extract-init-annotation-on-a-database",
        2,
        "app/charts/postgresql/templates/statefulset.yaml",
        false,
    ),
    ("invalid-utf8-in-job", 2, "app/templates/job.yaml", true),
    ("job-without-template", 2, "app/templates/job.yaml", false),
    (
        "needs-annotation-names-nothing",
        2,
        "app/templates/migrate.yaml",
        false,
    ),
    (
        "only-stale-generated-objects",
        1,
        "app/templates/migrate-rbac.yaml",
        false,
    ),
    ("same-hashed-name", 2, "app/templates/migrate-b.yaml", false),
    ("tab-indented-deployment", 2, "app/templates/web.yaml", true),
    (
        "unclosed-flow-mapping",
        2,
        "app/templates/secret.yaml",
        true,
    ),
];

/// Cases whose message is known to miss its `# Source:` (each with an ignored test).
const KNOWN_MISSING_SOURCE: &[&str] = &[];

#[test]
fn every_bad_file_has_a_case() {
    let files: Vec<String> = bad_files().iter().map(|p| stem(p)).collect();
    let cases: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    assert_eq!(files, cases);
}

#[test]
fn bad_files_are_refused_with_a_snapshot_message() {
    for f in bad_files() {
        let name = stem(&f);
        let rel = format!("testdata/bad/{}", f.file_name().unwrap().to_string_lossy());
        let out = run(&[&rel], b"");
        let err = assert_refused(&name, &out);
        snapshot(&name, &err);
        // The same bytes on stdin give the same message.
        let bytes = std::fs::read(&f).unwrap();
        let out = run(&[], &bytes);
        assert_eq!(
            assert_refused(&format!("{name} (stdin)"), &out),
            err,
            "{name}: stdin and file differ"
        );
    }
}

#[test]
fn bad_file_messages_name_document_source_and_position() {
    for &(name, doc, source, positioned) in CASES {
        if KNOWN_MISSING_SOURCE.contains(&name) {
            continue;
        }
        let out = run(&[&format!("testdata/bad/{name}.yaml")], b"");
        let err = assert_refused(name, &out);
        let first = err.lines().next().unwrap();
        assert!(
            first.contains(&format!("document {doc} "))
                || first.contains(&format!("document {doc},")),
            "{name}: no `document {doc}`: {first}"
        );
        assert!(
            first.contains(&format!("from {source}")),
            "{name}: no `from {source}`: {first}"
        );
        assert!(first.contains(", line "), "{name}: no line: {first}");
        if positioned {
            assert!(first.contains(", column "), "{name}: no column: {first}");
        }
    }
}

/// An invalid UTF-8 byte stops the whole stream before documents are
/// identified; the message must still name the document's `# Source:`
/// (was a bug, fixed in 4a402a6).
#[test]
fn invalid_utf8_message_names_the_source() {
    let out = run(&["testdata/bad/invalid-utf8-in-job.yaml"], b"");
    let err = assert_refused("invalid-utf8-in-job", &out);
    assert!(
        err.contains("document 2 from app/templates/job.yaml"),
        "{err}"
    );
}

/// The document number of an invalid UTF-8 byte is right when the first
/// document has no `---` (was off by one: it counted `---` lines).
#[test]
fn invalid_utf8_document_number_without_leading_marker() {
    let out = run(&[], b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \xff\n");
    let err = assert_refused("utf8 without leading ---", &out);
    assert!(err.contains("document 2"), "{err}");
}

// ── CLI misuse ──────────────────────────────────────────────────────────────

const GOOD: &str = "testdata/streams/leading-marker.yaml";

#[test]
fn cli_misuse_is_refused_with_a_snapshot_message() {
    let cases: &[(&str, &[&str])] = &[
        ("cli-target-bogus", &["--target", "bogus", GOOD]),
        ("cli-gate-style-nope", &["--gate-style", "nope", GOOD]),
        ("cli-timeout-10parsecs", &["--timeout", "10parsecs", GOOD]),
        ("cli-migrate-bad", &["--migrate", "bad", GOOD]),
        (
            "cli-is-migration-unknown-target",
            &["--is-migration", "label:app=web", GOOD],
        ),
        (
            "cli-is-migration-no-target",
            &["--is-migration", "*migrate*", GOOD],
        ),
        (
            "cli-is-migration-everything",
            &["--is-migration", "command:*", GOOD],
        ),
        (
            "cli-is-migration-empty",
            &["--is-migration", "image:", GOOD],
        ),
        (
            "cli-not-migration-class",
            &["--not-migration", "command:migrate[0-9]", GOOD],
        ),
        (
            "cli-not-migration-name-case",
            &["--not-migration", "name:Seed_Job", GOOD],
        ),
        (
            "cli-extract-init-of-a-database",
            &[
                "--extract-init",
                "data-permissions-ensurer",
                "testdata/graph/harbor-pre-upgrade-hook.yaml",
            ],
        ),
        (
            "cli-extract-init-of-a-check-gate",
            &[
                "--extract-init",
                "wait-for-airflow-migrations",
                "testdata/graph/airflow-official.yaml",
            ],
        ),
        (
            "cli-migrate-beside-its-database",
            &[
                "--migrate",
                "deployment/misskey=pnpm run migrate",
                "testdata/graph/misskey-bundled.yaml",
            ],
        ),
        (
            "cli-migrate-beside-an-unknown-database",
            &[
                "--migrate",
                "deployment/app=app migrate",
                "--migrate-container",
                "app",
                "testdata/graph/sidecar-database-at-loopback.yaml",
            ],
        ),
        (
            "cli-migrate-photoprism-on-sqlite",
            &[
                "--migrate",
                "StatefulSet/photos-photoprism-set=photoprism migrations run",
                "testdata/graph/photoprism-sqlite-claim-template.yaml",
            ],
        ),
        (
            "cli-migrate-redmine-on-sqlite",
            &[
                "--migrate",
                "deployment/redmine=rake db:migrate",
                "testdata/graph/redmine-official-image-sqlite-migrate.yaml",
            ],
        ),
        (
            "cli-migrate-beside-a-database-named-by-tag",
            &[
                "--migrate",
                "deployment/bc-bigcapital=node ./packages/server/build/commands.js system:migrate:latest",
                "--migrate-container",
                "server",
                "testdata/graph/bigcapital-sidecar-db.yaml",
            ],
        ),
        (
            "cli-migrate-beside-a-database-behind-a-service",
            &[
                "--migrate",
                "deployment/app=node build/commands.js system:migrate:latest",
                "--migrate-container",
                "server",
                "testdata/graph/sidecar-database-behind-service.yaml",
            ],
        ),
        (
            "cli-migrate-the-servers-own-command",
            &[
                "--migrate",
                "deployment/dex=dex serve /etc/dex/config.yaml",
                "testdata/graph/dex-postgres.yaml",
            ],
        ),
        (
            "cli-migrate-with-a-shell-variable",
            &[
                "--migrate",
                "deployment/kutt=migrate -database $DATABASE_URL up",
                "testdata/graph/kutt-external-db.yaml",
            ],
        ),
        (
            "cli-migrate-laravel-on-sqlite",
            &[
                "--migrate",
                "deployment/monica=php artisan monica:setup --force -vv",
                "testdata/graph/monica-sqlite.yaml",
            ],
        ),
        (
            "cli-migrate-docuseal-on-sqlite",
            &[
                "--migrate",
                "statefulset/docuseal=/app/bin/rails db:migrate",
                "testdata/graph/docuseal-sqlite.yaml",
            ],
        ),
        (
            "cli-migrate-kanboard-on-sqlite",
            &[
                "--migrate",
                "deployment/kanboard=/var/www/app/cli db:migrate",
                "testdata/graph/kanboard-sqlite.yaml",
            ],
        ),
        (
            "cli-migrate-planka-image-start",
            &[
                "--migrate",
                "deployment/planka=bash start.sh",
                "testdata/graph/planka-bundled.yaml",
            ],
        ),
        (
            "cli-migrate-gotosocial-on-sqlite",
            &[
                "--migrate",
                "deployment/gts-gotosocial=/gotosocial/gotosocial migrations run",
                "testdata/graph/gotosocial-sqlite.yaml",
            ],
        ),
        (
            "cli-migrate-a-file-database-in-config",
            &[
                "--migrate",
                "deployment/hs-headscale=headscale configtest -c /etc/headscale/config.yaml",
                "testdata/graph/headscale-default.yaml",
            ],
        ),
        (
            "cli-migrate-joplin-on-sqlite",
            &[
                "--migrate",
                "deployment/notes-joplin=node /home/joplin/packages/server/dist/app.js migrate latest",
                "testdata/graph/joplin-sqlite.yaml",
            ],
        ),
        (
            "cli-extract-init-that-repeats-a-job",
            &[
                "--extract-init",
                "migrate",
                "testdata/graph/hanko-external-db.yaml",
            ],
        ),
        (
            "cli-subcommand-after-options",
            &["--target", "hooks", "explain", GOOD],
        ),
        ("cli-missing-file", &["testdata/bad/does-not-exist.yaml"]),
        (
            "cli-missing-second-file",
            &[GOOD, "testdata/bad/does-not-exist.yaml"],
        ),
    ];
    for (name, args) in cases {
        let out = run(args, b"");
        let err = assert_refused(name, &out);
        snapshot(name, &err);
    }
    // The bad value is quoted back, so the user sees what was wrong.
    for (args, needle) in [
        (&["--target", "bogus"][..], "bogus"),
        (&["--gate-style", "nope"][..], "nope"),
        (&["--timeout", "10parsecs"][..], "10parsecs"),
        (&["--migrate", "bad"][..], "bad"),
        (&["--is-migration", "label:app=web"][..], "label:app=web"),
        (&["--not-migration", "name:Seed_Job"][..], "Seed_Job"),
    ] {
        let mut a = args.to_vec();
        a.push(GOOD);
        let err = stderr(&run(&a, b""));
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

/// `premigrate big.yaml | head -c 10`: the reader goes away early; premigrate
/// must stop quietly, without a panic message.
#[test]
fn broken_pipe_is_quiet() {
    let tmp = TempDir::new("broken-pipe");
    let big = tmp.path().join("big.yaml");
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 1 << 20 {
        text.push_str(&format!(
            "---\n# Source: big/templates/cm-{n}.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{n}\nspec:\n  ports:\n    - port: 80\n"
        ));
        n += 1;
    }
    std::fs::write(&big, &text).unwrap();
    let mut child = Command::new(premigrate_bin())
        .arg(&big)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running premigrate");
    let mut stdout = child.stdout.take().unwrap();
    let mut head = [0u8; 10];
    stdout.read_exact(&mut head).expect("reading 10 bytes");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(&head, b"---\n# Sour");
    assert!(!err.contains("panicked"), "panic on a closed pipe:\n{err}");
    assert!(err.is_empty(), "unexpected stderr on a closed pipe:\n{err}");
    assert!(
        out.status.code() == Some(0),
        "exit status {} on a closed pipe",
        out.status
    );
}

/// The same through a real shell pipeline, as a user would type it.
#[test]
fn broken_pipe_through_a_shell_pipeline() {
    let tmp = TempDir::new("broken-pipe-sh");
    let big = tmp.path().join("big.yaml");
    let doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n";
    std::fs::write(&big, doc.repeat(15_000)).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg("\"$0\" \"$1\" | head -c 10")
        .arg(premigrate_bin())
        .arg(&big)
        .output()
        .expect("running sh");
    assert_eq!(out.stdout, b"---\napiVer");
    let err = stderr(&out);
    assert!(err.is_empty(), "unexpected stderr:\n{err}");
}
