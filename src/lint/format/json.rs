//! The JSON format: `{"findings": [...], "summary": {...}}`, one object per
//! finding with its code, rule, severity, message, location and `fixable`.

use crate::diag::Severity;
use crate::lint::Finding;

/// Renders findings as one pretty JSON document.
pub fn render(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let doc = serde_json::json!({
        "findings": findings,
        "summary": {
            "error": count(Severity::Error),
            "warning": count(Severity::Warning),
            "info": count(Severity::Info),
            "fixable": findings.iter().filter(|f| f.fixable).count(),
        }
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
