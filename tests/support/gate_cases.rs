//! The gate fixtures under `testdata/gates/`: hand-written rendered streams,
//! each starting with comment lines that say what the case is about and, in
//! `# args: FLAGS`, the command-line flags of the case (shell-quoted). Shared
//! by tests/gates.rs and tests/generated_types.rs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use clap::Parser;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/gates")
}

/// A fixture: its name, flags and stream (header cut).
pub struct Case {
    pub name: String,
    pub args: Vec<String>,
    /// `# known-bug: …`: a bug outside the gates (named in the header) breaks the rerun
    /// invariants; only the snapshot and the consistency of the first output are checked.
    pub known_bug: bool,
    pub input: String,
}

pub fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir().display());
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut args = Vec::new();
            let mut known_bug = false;
            let mut body = text.as_str();
            while let Some(line) = body.lines().next().filter(|l| l.starts_with('#')) {
                if let Some(a) = line.strip_prefix("# args:") {
                    args.extend(shell_words(a));
                }
                known_bug |= line.starts_with("# known-bug:");
                body = &body[line.len()..];
                body = body.strip_prefix('\n').unwrap_or(body);
            }
            Case {
                name: p.file_stem().unwrap().to_str().unwrap().to_string(),
                args,
                known_bug,
                input: body.to_string(),
            }
        })
        .collect()
}

/// Splits flags as a shell would, for the quoting fixtures use ('…' and "…").
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in `{s}`");
    if any {
        out.push(cur);
    }
    out
}

/// The configuration the flags make, as the command line validates it.
pub fn config(args: &[String]) -> premigrate::Config {
    let cli = premigrate::cli::Cli::try_parse_from(
        std::iter::once("premigrate".to_string()).chain(args.iter().cloned()),
    )
    .unwrap_or_else(|e| panic!("bad args {args:?}: {e}"));
    cli.opts.config().unwrap_or_else(|e| panic!("{e:?}"))
}
