//! The text format, like rustc and cargo-deny: `severity[CODE]: message`, the
//! location, the offending line with a caret, whether premigrate fixes it, help.

use crate::diag::Severity;
use crate::lint::Finding;

/// Renders findings and a summary line.
pub fn render(findings: &[Finding], file: &str) -> String {
    let mut out = String::new();
    for f in findings {
        let line = f.location.line.unwrap_or(1);
        let col = f.location.column.unwrap_or(1);
        let width = line.to_string().len();
        let pad = " ".repeat(width);
        out.push_str(&format!(
            "{}[{}]: {}\n",
            severity(f.severity),
            f.code,
            f.message
        ));
        let mut what = Vec::new();
        if let Some(d) = f.location.doc {
            what.push(format!("document {d}"));
        }
        if let Some(o) = &f.location.object {
            what.push(o.clone());
        }
        if let Some(s) = &f.location.source {
            what.push(format!("# Source: {s}"));
        }
        out.push_str(&format!(
            "{pad}--> {file}:{line}:{col} ({})\n",
            what.join(", ")
        ));
        out.push_str(&format!("{pad} |\n{line} | {}\n", f.snippet));
        out.push_str(&format!("{pad} | {}^\n", " ".repeat(col.saturating_sub(1))));
        let fixed = crate::lint::RULES
            .iter()
            .find(|r| r.code.code == f.code)
            .map_or(crate::lint::rules::Fix::No.line(f.fixable), |r| {
                r.fix.line(f.fixable)
            });
        out.push_str(&format!("{pad} = {fixed}\n"));
        out.push_str(&format!("{pad} = help: {} ({})\n\n", f.help, f.rule));
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "{} error(s), {} warning(s), {} info; {} fixed by the post-renderer\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        findings.iter().filter(|f| f.fixable).count()
    ));
    out
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}
