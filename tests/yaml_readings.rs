//! The reading differences and refusals of issue 13, one stream each in
//! testdata/yaml/readings/: premigrate reads them as Kubernetes (go-yaml v2)
//! does, edits them without an internal error, and refuses what Kubernetes
//! cannot read, with document, line and column. Each accepted output is read
//! back by go-yaml v2 (`yaml11-oracle`) and checked there.

mod support;

use serde_json::Value as Json;
use support::{repo_root, require_tool, run_premigrate};

/// How a case ends.
enum Want {
    /// Exit 0; each (kind, JSON pointer, value) holds in the output as
    /// go-yaml v2 reads it (`*` as value: the string starts with the rest).
    Ok(&'static [(&'static str, &'static str, &'static str)]),
    /// Exit 2 with this in the message.
    Refused(&'static str),
}

const CASES: &[(&str, Want)] = &[
    // Line breaks go-yaml v2 reads (YAML 1.1): a key after one is a real key.
    (
        "nel-in-comment.yaml",
        Want::Ok(&[("Job", "/spec/backoffLimit", "5")]),
    ),
    (
        "ls-in-comment.yaml",
        Want::Ok(&[
            (
                "Deployment",
                "/spec/template/spec/initContainers/1/name",
                "\"chart-init\"",
            ),
            ("Deployment", "/spec/template/spec/initContainers/2", "null"),
        ]),
    ),
    (
        "cr-line-breaks.yaml",
        Want::Ok(&[("Job", "/metadata/name", "*app-migrate-")]),
    ),
    (
        "nel-in-value.yaml",
        Want::Ok(&[("Job", "/metadata/annotations/d", "\"a b\"")]),
    ),
    (
        "tab-after-colon.yaml",
        Want::Ok(&[("Job", "/spec/template/spec/containers/0/image", "\"app:1\"")]),
    ),
    (
        "yaml-1-1-directive.yaml",
        Want::Ok(&[("Job", "/metadata/name", "*app-migrate-")]),
    ),
    // Once internal errors: now edited, every other value kept.
    (
        "anchored-empty-in-job.yaml",
        Want::Ok(&[("Job", "/metadata/name", "*app-migrate-")]),
    ),
    (
        "anchored-empty-init-containers.yaml",
        Want::Ok(&[
            (
                "Deployment",
                "/spec/template/spec/initContainers/0/name",
                "\"premigrate-wait\"",
            ),
            ("Deployment", "/spec/extra", "null"),
        ]),
    ),
    (
        "anchored-metadata-aliased.yaml",
        Want::Ok(&[
            ("Job", "/metadata/name", "*app-migrate-"),
            ("Job", "/spec/template/metadata/name", "\"app-migrate\""),
        ]),
    ),
    (
        "anchored-edited-value.yaml",
        Want::Ok(&[
            ("Job", "/spec/completions", "3"),
            ("Job", "/metadata/name", "*app-migrate-"),
        ]),
    ),
    (
        "merge-key-pod-template.yaml",
        Want::Ok(&[(
            "Job",
            "/spec/template/spec/containers/0/name",
            "\"migrate\"",
        )]),
    ),
    (
        "merge-key-metadata.yaml",
        Want::Ok(&[("Job", "/metadata/name", "*app-migrate-")]),
    ),
    (
        "merge-key-metadata-block.yaml",
        Want::Ok(&[("Job", "/metadata/labels/a", "\"b\"")]),
    ),
    (
        "null-tags-on-edited-fields.yaml",
        Want::Ok(&[(
            "Job",
            "/metadata/annotations/premigrate.io~1original-name",
            "\"app-migrate\"",
        )]),
    ),
    (
        "binary-tag-on-name.yaml",
        Want::Ok(&[("Job", "/metadata/name", "*app-migrate-")]),
    ),
    (
        "flow-key-without-value-metadata.yaml",
        Want::Ok(&[(
            "Job",
            "/metadata/annotations/premigrate.io~1original-name",
            "\"app-migrate\"",
        )]),
    ),
    (
        "flow-key-without-value-template.yaml",
        Want::Ok(&[
            ("Deployment", "/spec/template/metadata/annotations", "null"),
            ("Job", "/metadata/name", "*app-migrate-"),
        ]),
    ),
    // An edit inside what a merge key gives is refused, clearly.
    (
        "merge-key-pod-template-edited-inside.yaml",
        Want::Refused("`template` comes from a YAML merge key (`<<`)"),
    ),
    // What Kubernetes cannot read is refused.
    (
        "nan-where-integer.yaml",
        Want::Refused("line 14, column 17: `.nan` is not a number JSON can hold"),
    ),
    (
        "inf-where-integer.yaml",
        Want::Refused("`.inf` is not a number JSON can hold"),
    ),
    (
        "esc-in-job.yaml",
        Want::Refused("line 13, column 26: invalid YAML: control characters are not allowed"),
    ),
    (
        "del-in-job.yaml",
        Want::Refused("control characters are not allowed"),
    ),
    (
        "bom-before-later-doc-start.yaml",
        Want::Refused("line 15, column 1: invalid YAML"),
    ),
];

/// The documents of a stream as go-yaml v2 reads them.
fn oracle_docs(oracle: &std::path::Path, stream: &[u8]) -> Vec<Json> {
    use std::io::Write;
    let mut child = std::process::Command::new(oracle)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stream).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "go-yaml v2 cannot read the output: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn issue_13_readings() {
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let dir = repo_root().join("testdata/yaml/readings");
    for (name, want) in CASES {
        let input = std::fs::read(dir.join(name)).unwrap();
        let out = run_premigrate::<&str>(&[], &input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("internal error"), "{name}: {stderr}");
        match want {
            Want::Refused(msg) => {
                assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
                assert!(stderr.contains(msg), "{name}: {stderr}");
            }
            Want::Ok(checks) => {
                assert!(out.status.success(), "{name}: {stderr}");
                let docs = oracle_docs(&oracle, &out.stdout);
                for (kind, pointer, value) in *checks {
                    let doc = docs
                        .iter()
                        .find(|d| d["kind"] == *kind)
                        .unwrap_or_else(|| panic!("{name}: no {kind}"));
                    let got = doc.pointer(pointer).cloned().unwrap_or(Json::Null);
                    match value.strip_prefix('*') {
                        Some(prefix) => assert!(
                            got.as_str().is_some_and(|s| s.starts_with(prefix))
                                || (prefix.is_empty() && !got.is_null()),
                            "{name}: {kind}{pointer} = {got}"
                        ),
                        None => assert_eq!(
                            got,
                            serde_json::from_str::<Json>(value).unwrap(),
                            "{name}: {kind}{pointer}"
                        ),
                    }
                }
            }
        }
    }
}

#[test]
fn cr_line_breaks_stay_cr() {
    let input =
        std::fs::read(repo_root().join("testdata/yaml/readings/cr-line-breaks.yaml")).unwrap();
    let out = run_premigrate::<&str>(&[], &input);
    assert!(out.status.success());
    // The edited Job keeps its CR line breaks (documents premigrate adds are its own text).
    let text = String::from_utf8(out.stdout).unwrap();
    let job = text.split("\r---").next().unwrap();
    assert!(job.contains("premigrate.io/original-name"));
    assert!(
        !job.contains('\n'),
        "an LF crept into a CR-only document:\n{job}"
    );
}
