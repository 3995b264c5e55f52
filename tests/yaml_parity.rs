//! premigrate reads what Kubernetes (go-yaml v2) reads: the YAML shapes real
//! charts render (testdata/yaml/) and every case of the shared corpus of real
//! chart renders pass with exit 0, and every document premigrate has no
//! reason to change comes out byte for byte.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};

use premigrate::index::{Index, READ_KINDS};
use support::{repo_root, run_premigrate};

/// Kinds premigrate edits without reading them as values: the RBAC of a
/// migration's ServiceAccount goes in the Job's wave, a chart Role that lets a
/// gate read a Job by name gets the Job's new name, and a claim a migration or
/// a data service mounts goes in its wave. Only those its plan changes are
/// left out of the check.
const RBAC_KINDS: &[&str] = &[
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "PersistentVolumeClaim",
];

/// The documents of `input` that premigrate must leave alone: not of a kind it
/// reads or orders, not naming premigrate. Each as its text after its `---` line.
fn untouched_docs(input: &[u8]) -> Vec<String> {
    let index = Index::build(input).expect("the input reads");
    let planned: Vec<usize> = premigrate::rewrite(input, &premigrate::Config::default())
        .map(|o| o.plan.changes.keys().copied().collect())
        .unwrap_or_default();
    let mut out = vec![];
    for (i, e) in index.entries.iter().enumerate() {
        let text = index.stream.doc_text(i);
        let kind = e.info.kind.as_deref().unwrap_or("");
        let ordered =
            READ_KINDS.contains(&kind) || (RBAC_KINDS.contains(&kind) && planned.contains(&i));
        if e.info.blank || ordered || text.contains("premigrate.io/") {
            continue;
        }
        let body = match text.split_once('\n') {
            Some((first, rest)) if premigrate::stream::is_doc_start(first) => rest,
            _ => text,
        };
        out.push(body.to_string());
    }
    out
}

/// Runs premigrate on a file: exit 0, and untouched documents byte for byte.
fn check_passes(path: &Path) -> usize {
    let input = std::fs::read(path).unwrap();
    let out = run_premigrate::<&str>(&[], &input);
    assert!(
        out.status.success(),
        "{}: exit {:?}\n{}",
        path.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    // What go-yaml v2 reads in, it reads out.
    if let Some(oracle) = support::tool("yaml11-oracle") {
        if go_yaml_reads(&oracle, &input) {
            assert!(
                go_yaml_reads(&oracle, stdout.as_bytes()),
                "{}: go-yaml v2 cannot read the output",
                path.display()
            );
        }
    }
    let docs = untouched_docs(&input);
    for d in &docs {
        assert!(
            stdout.contains(d.as_str()),
            "{}: a document premigrate has no reason to change changed:\n{d}",
            path.display()
        );
    }
    docs.len()
}

/// Whether go-yaml v2 reads a whole stream.
fn go_yaml_reads(oracle: &Path, stream: &[u8]) -> bool {
    let mut child = std::process::Command::new(oracle)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stream);
    child.wait().unwrap().success()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    v.sort();
    v
}

#[test]
fn shapes_that_helm_and_kubernetes_read_pass() {
    let files = yaml_files(&repo_root().join("testdata/yaml"));
    assert!(files.len() >= 3);
    for f in &files {
        check_passes(f);
    }
}

#[test]
fn flow_collections_closed_at_the_keys_indentation() {
    for name in [
        "flow-seq-bracket-at-key-indent.yaml",
        "flow-map-brace-at-key-indent.yaml",
    ] {
        let input = std::fs::read(repo_root().join("testdata/yaml").join(name)).unwrap();
        let out = run_premigrate::<&str>(&[], &input);
        assert!(out.status.success(), "{name}");
        // The Job was read and rewritten as the migration.
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("premigrate.io/original-name: app-migrate"),
            "{name}"
        );
    }
}

#[test]
fn multi_line_single_quoted_scalars_at_a_lower_indentation() {
    // Helm 4 re-serializes documents so; a PrometheusRule passes untouched and
    // a Job holding such a scalar is still rewritten.
    let path = repo_root().join("testdata/yaml/single-quoted-lower-indent-helm4.yaml");
    assert_eq!(check_passes(&path), 1);
    let out = run_premigrate::<&str>(&[], &std::fs::read(&path).unwrap());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("helm.sh/hook: \"pre-install,pre-upgrade\""));
    assert!(stdout.contains("    description: 'Runs the database migrations\n  before"));
}

#[test]
fn every_corpus_case_passes() {
    let corpus = repo_root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("SKIPPED: no ../shared/corpus");
        return;
    }
    let mut cases = 0;
    let mut untouched = 0;
    for case in std::fs::read_dir(&corpus).unwrap().filter_map(Result::ok) {
        for f in ["helm3.yaml", "helm4.yaml"] {
            let p = case.path().join(f);
            if p.is_file() {
                untouched += check_passes(&p);
                cases += 1;
            }
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "corpus: {cases} streams pass, {untouched} untouched documents byte for byte"
    );
    assert!(cases >= 20, "{cases}");
}
