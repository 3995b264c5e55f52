//! Streams without a migration go through premigrate byte for byte: every
//! oddity of `testdata/streams` (comment-only documents, markers, CRLF, BOM,
//! JSON, anchors, YAML 1.1 traps, …), through the binary (stdin and file
//! argument) and through the library.

use crate::support;

use std::path::PathBuf;

use support::repo_root;

fn streams() -> Vec<PathBuf> {
    let dir = repo_root().join("testdata").join("streams");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "testdata/streams lost files: {files:?}");
    files
}

fn name(p: &std::path::Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Runs the binary; panics unless it exits 0 with an empty stderr.
fn run_ok(args: &[&std::ffi::OsStr], stdin: &[u8], what: &str) -> Vec<u8> {
    let out = support::run_premigrate(args, stdin);
    assert!(
        out.status.success(),
        "{what}: premigrate failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{what}: unexpected stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Panics with the first differing line rather than two 50 KB blobs.
fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    if got == want {
        return;
    }
    let at = got.iter().zip(want).take_while(|(a, b)| a == b).count();
    let ctx = |b: &[u8]| {
        String::from_utf8_lossy(&b[at.saturating_sub(40)..(at + 40).min(b.len())]).into_owned()
    };
    panic!(
        "{what}: output differs from input at byte {at} (lengths {} vs {}):\n got: {:?}\nwant: {:?}",
        got.len(),
        want.len(),
        ctx(got),
        ctx(want)
    );
}

#[test]
fn every_stream_is_unchanged_through_stdin() {
    for f in streams() {
        let input = std::fs::read(&f).unwrap();
        let out = run_ok(&[], &input, &format!("{} (stdin)", name(&f)));
        assert_same(&format!("{} (stdin)", name(&f)), &out, &input);
    }
}

#[test]
fn every_stream_is_unchanged_as_a_file_argument() {
    for f in streams() {
        let input = std::fs::read(&f).unwrap();
        let out = run_ok(&[f.as_os_str()], b"", &format!("{} (file)", name(&f)));
        assert_same(&format!("{} (file)", name(&f)), &out, &input);
    }
}

#[test]
fn every_stream_is_unchanged_through_the_library() {
    for f in streams() {
        let input = std::fs::read(&f).unwrap();
        let out = premigrate::rewrite(&input, &premigrate::Config::default())
            .unwrap_or_else(|e| panic!("{}: {e}", name(&f)));
        assert!(
            out.plan.is_empty(),
            "{}: found a migration in a stream meant to have none:\n{}",
            name(&f),
            out.explanation
        );
        assert_same(&format!("{} (library)", name(&f)), &out.stream, &input);
        for target in [
            premigrate::config::Target::Hooks,
            premigrate::config::Target::Gitops,
        ] {
            let cfg = premigrate::Config {
                target,
                ..Default::default()
            };
            let out = premigrate::rewrite(&input, &cfg)
                .unwrap_or_else(|e| panic!("{} ({target:?}): {e}", name(&f)));
            assert_same(
                &format!("{} (library, {target:?})", name(&f)),
                &out.stream,
                &input,
            );
        }
    }
}

/// The streams also split and join back exactly, document by document.
#[test]
fn every_stream_splits_and_joins_exactly() {
    for f in streams() {
        let input = std::fs::read(&f).unwrap();
        let st = premigrate::stream::Stream::split(&input).unwrap();
        let docs: Vec<&str> = (0..st.docs.len()).map(|i| st.doc_text(i)).collect();
        let joined = premigrate::stream::join(st.bom, &docs);
        assert_same(
            &format!("{} (split/join)", name(&f)),
            joined.as_bytes(),
            &input,
        );
    }
}

/// Sanity of the corpus: each file holds the oddity it is named after.
#[test]
fn corpus_holds_its_oddities() {
    let read = |n: &str| std::fs::read(repo_root().join("testdata/streams").join(n)).unwrap();
    assert!(read("bom.yaml").starts_with(b"\xef\xbb\xbf"));
    assert!(
        read("crlf.yaml")
            .windows(2)
            .filter(|w| w == b"\r\n")
            .count()
            > 10
    );
    assert!(!read("crlf.yaml")
        .windows(2)
        .any(|w| w[1] == b'\n' && w[0] != b'\r'));
    assert!(!read("no-final-newline.yaml").ends_with(b"\n"));
    assert!(read("long-line.yaml")
        .split(|&b| b == b'\n')
        .any(|l| l.len() == 50_000));
    assert!(String::from_utf8(read("tabs-in-comments.yaml"))
        .unwrap()
        .contains("#\t"));
    assert!(!read("non-ascii.yaml").is_ascii());
    for f in streams() {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).to_lowercase();
        assert!(
            !text.contains("migrat"),
            "{} mentions a migration",
            name(&f)
        );
    }
}
