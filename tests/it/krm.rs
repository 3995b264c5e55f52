//! `premigrate krm` against golden ResourceLists, one folder a case, as kyaml's
//! framework tests functions: `testdata/krm/<case>/input.yaml` goes in on stdin,
//! `expected.yaml` is the exact stdout. A case whose expected output has an
//! error result must exit non-zero. `PREMIGRATE_UPDATE_GOLDEN=1` rewrites the
//! expected files (review the diff).
//!
//! kubectl's kustomize cannot run exec KRM functions (FACTS.md), so the
//! protocol is pinned here rather than end to end.

use crate::support;

use std::path::{Path, PathBuf};

use premigrate::yaml::{Tree, Value};
use support::repo_root;

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo_root().join("testdata/krm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn run_krm(input: &[u8]) -> (i32, String, String) {
    let out = support::run_premigrate(&["krm"], input);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn read(v: &Path) -> Value {
    let text = std::fs::read_to_string(v).unwrap();
    parse(&text)
}

fn parse(text: &str) -> Value {
    let t = Tree::parse(text).unwrap_or_else(|e| panic!("not YAML: {e:?}\n{text}"));
    t.value(t.root.unwrap()).unwrap()
}

fn has_error(list: &Value) -> bool {
    list.get("results")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .any(|r| r.get("severity").and_then(Value::as_str) == Some("error"))
}

#[test]
fn golden_cases() {
    let update = std::env::var("PREMIGRATE_UPDATE_GOLDEN").as_deref() == Ok("1");
    let mut failures = Vec::new();
    for dir in cases() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(dir.join("input.yaml")).unwrap();
        let (code, stdout, stderr) = run_krm(&input);
        let expected_path = dir.join("expected.yaml");
        if update {
            std::fs::write(&expected_path, &stdout).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if stdout != expected {
            failures.push(format!(
                "{name}: output differs from expected.yaml:\n{stdout}"
            ));
            continue;
        }
        let out = parse(&stdout);
        assert_eq!(
            out.get("kind").and_then(Value::as_str),
            Some("ResourceList"),
            "{name}"
        );
        if has_error(&out) {
            assert_eq!(code, 2, "{name}: an error result must fail the run");
            assert!(stderr.contains("premigrate: error:"), "{name}: {stderr}");
            // A failed run hands the items back as they came.
            assert_eq!(
                out.get("items"),
                read(&dir.join("input.yaml")).get("items"),
                "{name}"
            );
        } else {
            assert_eq!(code, 0, "{name}: {stderr}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What a case must show, beyond its golden output.
#[test]
fn the_cases_cover_what_the_spec_asks() {
    let names: Vec<String> = cases()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for needed in [
        "plain-rewrite",
        "internal-annotations",
        "bad-function-config",
        "invalid-item",
    ] {
        assert!(names.iter().any(|n| n == needed), "missing case {needed}");
    }
}

fn annotations(item: &Value) -> Vec<(String, String)> {
    item.at(&["metadata", "annotations"])
        .map(Value::entries)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.to_string(), s.to_string())))
        .collect()
}

fn is_orchestration(key: &str) -> bool {
    key.starts_with("config.kubernetes.io/") || key.starts_with("internal.config.kubernetes.io/")
}

#[test]
fn orchestration_annotations_are_kept_and_added_items_get_a_file() {
    for dir in cases() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let input = read(&dir.join("input.yaml"));
        let output = read(&dir.join("expected.yaml"));
        if has_error(&output) {
            continue;
        }
        let in_items = input.get("items").map(Value::items).unwrap_or(&[]);
        let out_items = output.get("items").map(Value::items).unwrap_or(&[]);
        let mut files = std::collections::BTreeSet::new();
        for item in out_items {
            let ann = annotations(item);
            let generated = ann
                .iter()
                .any(|(k, v)| k == "premigrate.io/generated" && v == "true");
            if generated {
                let get = |k: &str| ann.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
                let path = get("internal.config.kubernetes.io/path")
                    .unwrap_or_else(|| panic!("{name}: an added item has no path"));
                let index = get("internal.config.kubernetes.io/index")
                    .unwrap_or_else(|| panic!("{name}: an added item has no index"));
                assert_eq!(get("config.kubernetes.io/path"), Some(path.clone()));
                assert_eq!(get("config.kubernetes.io/index"), Some(index.clone()));
                assert!(
                    get("internal.config.kubernetes.io/id").is_none(),
                    "{name}: an added item carries a copied id"
                );
            }
            // Every item has its own (path, index).
            let key = ann
                .iter()
                .find(|(k, _)| k == "internal.config.kubernetes.io/path")
                .map(|(_, p)| {
                    let i = ann
                        .iter()
                        .find(|(k, _)| k == "internal.config.kubernetes.io/index")
                        .map(|(_, i)| i.clone());
                    (p.clone(), i)
                });
            if let Some(key) = key {
                assert!(files.insert(key.clone()), "{name}: two items at {key:?}");
            }
        }
        for item in in_items {
            let orchestration: Vec<_> = annotations(item)
                .into_iter()
                .filter(|(k, _)| is_orchestration(k))
                .collect();
            if orchestration.is_empty() {
                continue;
            }
            let id = orchestration
                .iter()
                .find(|(k, _)| k == "internal.config.kubernetes.io/id")
                .cloned();
            let Some(id) = id else { continue };
            let out = out_items
                .iter()
                .find(|o| annotations(o).contains(&id))
                .unwrap_or_else(|| panic!("{name}: item with {id:?} lost its id"));
            let kept = annotations(out);
            for a in &orchestration {
                assert!(kept.contains(a), "{name}: {a:?} not kept");
            }
        }
    }
}

#[test]
fn the_output_is_a_fixed_point() {
    for dir in cases() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
        if has_error(&parse(&expected)) {
            continue;
        }
        let (code, again, _) = run_krm(expected.as_bytes());
        assert_eq!(code, 0, "{name}");
        assert_eq!(
            parse(&again).get("items"),
            parse(&expected).get("items"),
            "{name}: a second run changed the items"
        );
    }
}

#[test]
fn garbage_in_is_an_error_result() {
    for (input, needle) in [
        (&b"kind: Deployment\n"[..], "not a ResourceList"),
        (b"items: [\n", "not valid YAML"),
        (b"\xff\xfe", "not UTF-8"),
        (b"", "empty"),
    ] {
        let (code, stdout, _) = run_krm(input);
        assert_eq!(code, 2);
        let out = parse(&stdout);
        assert!(has_error(&out), "{stdout}");
        assert!(stdout.contains(needle), "{stdout}");
    }
}

/// Every golden case's output is the same whether its items are cut out of
/// the text or read from the whole list's tree.
#[test]
fn the_cut_read_writes_what_the_whole_tree_read_writes() {
    for dir in cases() {
        let input = std::fs::read(dir.join("input.yaml")).unwrap();
        let (cut, whole) = (
            premigrate::modes::krm::run(input.clone()),
            premigrate::modes::krm::run_reading_whole(input),
        );
        assert_eq!(
            (cut.bytes, cut.failed),
            (whole.bytes, whole.failed),
            "{}",
            dir.display()
        );
    }
}
