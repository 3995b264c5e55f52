//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line
//! per finding, with file, line, column and title, so a pull request shows the
//! findings on the rendered file.

use crate::diag::Severity;
use crate::lint::Finding;

/// Renders one workflow command per finding.
pub fn render(findings: &[Finding], file: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let fix = if f.fixable {
            " (fixed by the post-renderer)"
        } else {
            ""
        };
        out.push_str(&format!(
            "::{level} file={},line={},col={},title={}::{}\n",
            property(file),
            f.location.line.unwrap_or(1),
            f.location.column.unwrap_or(1),
            property(f.code),
            data(&format!("{}{fix} [{}]", f.message, f.rule)),
        ));
    }
    out
}

/// Escapes a message (the data after `::`).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
