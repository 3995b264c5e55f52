//! `premigrate lint` as a mode: the options (the policy file merged in) into
//! lint options, the findings rendered in the format asked for, and whether
//! the exit code is 1.

use std::path::PathBuf;

use crate::config::flags::Opts;
use crate::config::policy::{load, overlay};
use crate::diag::{Error, Severity};
use crate::lint::format::{render, Format};
use crate::lint::{fails, lint, Options};

/// What `premigrate lint` prints, and whether it fails.
pub struct Output {
    /// The rendered findings.
    pub text: String,
    /// A finding reached `--fail-on`.
    pub failed: bool,
}

/// Lints `input` (read from `files`, or stdin).
pub fn run(
    opts: &Opts,
    format: &str,
    fail_on: &str,
    files: &[PathBuf],
    input: Vec<u8>,
) -> Result<Output, Error> {
    let merged = match &opts.config {
        Some(path) => overlay(load(path)?, opts),
        None => opts.clone(),
    };
    let options = Options {
        config: merged.validate()?,
        ignore: merged.lint_ignore.clone(),
    };
    let format = Format::parse(format).ok_or_else(|| {
        Error::new(format!("unknown format `{format}`")).help("use text, json, sarif or github")
    })?;
    let fail_on = match fail_on {
        "error" => Severity::Error,
        "info" => Severity::Info,
        "warning" => Severity::Warning,
        other => {
            return Err(Error::new(format!("unknown severity `{other}`"))
                .help("use error, warning or info"))
        }
    };
    let findings = lint(&input, &options)?;
    let file = match files {
        [one] if one.as_os_str() != "-" => one.display().to_string(),
        _ => "stdin".to_string(),
    };
    Ok(Output {
        text: render(&findings, format, &file),
        failed: fails(&findings, fail_on),
    })
}
