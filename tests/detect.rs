//! Detection: the public benchmark (`testdata/detect/cases.tsv`), the real-chart
//! corpus, the fixtures' verdicts and the README's tool table.

mod detect_support;

use detect_support::*;

/// Recall and false positives on the benchmark, printed; recall ≥ 97% for Jobs and
/// init containers (neutral names too), false positives ≤ 1%.
#[test]
fn benchmark() {
    let Some(rows) = benchmark_rows() else {
        eprintln!("testdata/detect/cases.tsv is missing: benchmark skipped");
        return;
    };
    let score = Score::of(&rows);
    println!("{}", score.report());
    for (what, r) in [
        ("jobs", score.recall("job", false)),
        ("init containers", score.recall("init", false)),
        ("jobs, neutral names", score.recall("job", true)),
        ("init containers, neutral names", score.recall("init", true)),
    ] {
        assert!(
            r.rate() >= 0.97,
            "recall for {what}: {r}\n{}",
            score.misses()
        );
    }
    let fp = score.false_positives();
    assert!(
        fp.rate() <= 0.01,
        "false positives: {fp}\n{}",
        score.misses()
    );
}

/// Every migration of the corpus is found, and nothing else is (negative cases included),
/// in the Helm 3 and the Helm 4 renders.
#[test]
fn corpus() {
    for file in ["helm3.yaml", "helm4.yaml"] {
        let Some(found) = corpus_verdicts(file) else {
            eprintln!("../shared/corpus is missing: corpus test skipped");
            return;
        };
        println!("== {file}");
        check_corpus(file, &found);
    }
}

fn check_corpus(file: &str, found: &[(String, String, premigrate::detect::Verdict)]) {
    let listed: Vec<String> = found
        .iter()
        .map(|(case, what, v)| format!("{case}: {what}: {}", headline(v)))
        .collect();
    for (case, what, v) in found {
        println!("{case}: {what}: {v}");
    }
    let migrations: Vec<&String> = listed
        .iter()
        .zip(found)
        .filter(|(_, (_, _, v))| v.is_migration())
        .map(|(l, _)| l)
        .collect();
    // The Helm 3 render of OpenProject's seeder is refused by the reader (see below).
    let unreadable: &[&str] = if file == "helm3.yaml" {
        UNREADABLE_CORPUS_MIGRATIONS
    } else {
        &[]
    };
    let expected = EXPECTED_CORPUS_MIGRATIONS
        .iter()
        .chain(UNREADABLE_CORPUS_MIGRATIONS)
        .filter(|e| !unreadable.contains(e));
    for e in expected.clone() {
        assert!(
            migrations.iter().any(|m| m.starts_with(e)),
            "{file}: `{e}` not found as a migration:\n{}",
            listed.join("\n")
        );
    }
    for u in unreadable {
        let seen = listed.iter().any(|l| l.starts_with(u));
        assert!(
            !seen || migrations.iter().any(|m| m.starts_with(u)),
            "`{u}` is readable now and must be found as a migration"
        );
    }
    for m in &migrations {
        assert!(
            expected.clone().chain(unreadable).any(|e| m.starts_with(e)),
            "{file}: unexpected migration `{m}`"
        );
    }
}

/// The verdict of every fixture, signals and all.
#[test]
fn fixtures() {
    for (name, text) in fixture_verdicts() {
        insta::assert_snapshot!(format!("fixture-{name}"), text);
    }
}

/// The README's tool table is the one the source generates.
#[test]
fn readme_tool_table() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = tools_markdown();
    let (start, end) = ("<!-- detect-tools:start -->\n", "<!-- detect-tools:end -->");
    let got = readme
        .split_once(start)
        .and_then(|(_, r)| r.split_once(end))
        .map(|(t, _)| t);
    if got != Some(table.as_str()) {
        if std::env::var("INSTA_UPDATE").as_deref() == Ok("always") {
            let (head, rest) = readme.split_once(start).expect("README markers");
            let (_, tail) = rest.split_once(end).expect("README end marker");
            let new = format!("{head}{start}{table}{end}{tail}");
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"), new).unwrap();
        }
        panic!("README tool table is stale (INSTA_UPDATE=always rewrites it):\n{table}");
    }
}

/// Prints every row whose verdict kind differs from its label (waiter vs check vs
/// other included) and the ambiguous rows: for reviewing the dataset.
#[test]
#[ignore]
fn benchmark_review() {
    let Some(rows) = benchmark_rows() else { return };
    for r in &rows {
        let v = r.verdict();
        let kind = headline(&v);
        let said = kind
            .split(' ')
            .next()
            .unwrap_or("")
            .replace("migrates-then-serves", "migration");
        if said != r.expect {
            println!(
                "{} [{}] {:?} {:?} -> {kind}",
                r.expect,
                r.context,
                r.command.to_json(),
                r.args.to_json()
            );
        }
    }
}

/// Pieces of shell that scripts are made of, to build arbitrary ones.
const PIECES: &[&str] = &[
    "python manage.py migrate",
    "migrate --check",
    "until ",
    "while ! ",
    "; do ",
    "sleep 2",
    "; done",
    "done",
    "&&",
    "||",
    ";",
    "\n",
    "exec ",
    "FOO=1 ",
    "'",
    "\"",
    "$(",
    ")",
    "`",
    "<<EOF\n",
    "EOF\n",
    "case $1 in",
    " x) ",
    ";;",
    "esac",
    "if ",
    "then ",
    "fi",
    "\\\n",
    "# c\n",
    "(",
    "{",
    "}",
    "2>&1 ",
    ">/dev/null ",
    "sh -c ",
    "eval ",
    "prisma migrate status",
    "flyway migrate",
];

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(400))]

    /// Any script is read without a panic, and a check or wait loop built around a
    /// tool's check command is never a migration.
    #[test]
    fn any_script_reads_and_checks_never_migrate(
        parts in proptest::collection::vec(0..PIECES.len(), 0..24),
        check in 0..3usize,
    ) {
        let script: String = parts.iter().map(|i| PIECES[*i]).collect();
        let c = container_with(&["sh", "-c", &script]);
        let _ = premigrate::detect::classify_container(&c, &premigrate::detect::no_scripts);
        let checks = ["python manage.py migrate --check", "prisma migrate status", "flyway validate"];
        let gate = format!("until {}; do echo waiting; sleep 5; done", checks[check]);
        let v = premigrate::detect::classify_container(&container_with(&["sh", "-c", &gate]), &premigrate::detect::no_scripts);
        proptest::prop_assert!(!v.is_migration());
    }
}
