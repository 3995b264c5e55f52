//! How findings are written: `text` (like rustc and cargo-deny), `json`,
//! `sarif` (SARIF 2.1.0, for code scanning) and `github` (workflow commands
//! that annotate a pull request). One file per format.

mod github;
mod json;
mod sarif;
mod text;

use super::Finding;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

impl Format {
    /// Parses `--format`.
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "text" => Format::Text,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            _ => return None,
        })
    }
}

/// Renders `findings`; `file` is the rendered file they are about (what SARIF
/// and GitHub annotations point at).
pub fn render(findings: &[Finding], format: Format, file: &str) -> String {
    match format {
        Format::Text => text::render(findings, file),
        Format::Json => json::render(findings),
        Format::Sarif => sarif::render(findings, file),
        Format::Github => github::render(findings, file),
    }
}

/// The README section of a rule.
pub fn help_uri(code: &str) -> String {
    format!(
        "https://github.com/premigrate/premigrate#{}",
        code.to_lowercase()
    )
}
