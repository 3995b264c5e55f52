//! SARIF 2.1.0: one run, the rules as `tool.driver.rules` (title, help text, a
//! link to the README's section), one result per finding located in the
//! rendered file, with the object as a logical location.

use serde_json::{json, Value};

use crate::diag::Severity;
use crate::lint::rules::RULES;
use crate::lint::Finding;

use super::help_uri;

/// The schema a SARIF log names.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Renders findings as a SARIF log.
pub fn render(findings: &[Finding], file: &str) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code.code,
                "name": r.name,
                "shortDescription": {"text": r.code.title},
                "fullDescription": {"text": r.code.doc},
                "help": {"text": r.code.doc, "markdown": format!("{}\n\n[{}]({})", r.code.doc, r.code.code, help_uri(r.code.code))},
                "helpUri": help_uri(r.code.code),
                "defaultConfiguration": {"level": level(r.code.severity)},
                "properties": {"fixedByPostRenderer": r.fix.word(), "engines": r.engines},
            })
        })
        .collect();
    let results: Vec<Value> = findings.iter().map(|f| result(f, file)).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "premigrate",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/premigrate/premigrate",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

fn result(f: &Finding, file: &str) -> Value {
    let index = RULES
        .iter()
        .position(|r| r.code.code == f.code)
        .unwrap_or(0);
    let mut logical = Vec::new();
    if let Some(o) = &f.location.object {
        logical.push(json!({"fullyQualifiedName": o, "kind": "object"}));
    }
    json!({
        "ruleId": f.code,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": file},
                "region": {
                    "startLine": f.location.line.unwrap_or(1),
                    "startColumn": f.location.column.unwrap_or(1),
                    "snippet": {"text": f.snippet},
                },
            },
            "logicalLocations": logical,
        }],
        "properties": {
            "fixable": f.fixable,
            "document": f.location.doc,
            "source": f.location.source,
        },
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}
