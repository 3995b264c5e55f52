//! The function's results: errors, the plan's findings and one line per
//! migration, and the ResourceList written out with them.

use crate::diag::Error;
use crate::modes::krm::items::Item;
use crate::plan::{Plan, Severity};
use crate::yaml::value::scalar_text;
use crate::yaml::Value;

/// One result for the orchestrator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KrmResult {
    /// What happened.
    pub(crate) message: String,
    /// `error`, `warning` or `info`.
    pub(crate) severity: Severity,
    /// The object it is about: apiVersion, kind, name, namespace.
    pub(crate) resource_ref: Option<Value>,
    /// Its file: path and index.
    pub(crate) file: Option<Value>,
    /// Extra keys, such as the note's code.
    pub(crate) tags: Vec<(String, String)>,
}

/// An error result.
pub(crate) fn error_result(
    message: impl Into<String>,
    resource_ref: Option<Value>,
    file: Option<Value>,
) -> KrmResult {
    KrmResult {
        message: message.into(),
        severity: Severity::Error,
        resource_ref,
        file,
        tags: vec![],
    }
}

/// The message of a rewrite error, with its position in the ResourceList, and the item it is about.
pub(crate) fn locate(e: &Error, items: &[Item], stream: &str) -> (String, Option<usize>) {
    let Some(loc) = e.location.as_deref() else {
        return (e.to_string(), None);
    };
    let Some(doc) = loc.doc.map(|d| d - 1).filter(|&d| d < items.len()) else {
        return (e.to_string(), None);
    };
    let split = crate::stream::Stream::split(stream.as_bytes()).expect("built from UTF-8");
    // The document's first line is the `---` that was added before the item.
    let doc_first = split.docs[doc].line + 1;
    let item = &items[doc];
    let mut message = format!("item {doc}");
    if let Some(o) = &loc.object {
        message.push_str(&format!(" ({o})"));
    }
    if let Some(l) = loc.line {
        let line = item.line + l.saturating_sub(doc_first);
        message.push_str(&format!(", line {line}"));
        if let Some(c) = loc.column {
            message.push_str(&format!(", column {}", c + item.column));
        }
    }
    message.push_str(&format!(": {}", e.message));
    if let Some(h) = &e.help {
        message.push_str(&format!(" (help: {h})"));
    }
    (message, Some(doc))
}

/// The plan's findings as results: its notes, and one line per migration.
pub(crate) fn plan_results(plan: &Plan, items: &[Item]) -> Vec<KrmResult> {
    let mut out = Vec::new();
    for m in &plan.migrations {
        let item = items.get(m.doc);
        // The object as it comes out: under its hashed name.
        let resource_ref = item.and_then(|i| i.reference.as_ref()).map(|r| {
            let mut r = r.to_value();
            r.set("name", Value::str(m.name.clone()));
            // A Job built from a workload: the item it derives from is not the Job.
            if m.origin != crate::plan::Origin::Job {
                r.set("apiVersion", Value::str("batch/v1"));
                r.set("kind", Value::str("Job"));
            }
            r
        });
        out.push(KrmResult {
            message: format!(
                "migration {} → {} (found by {}: {}; phase {})",
                m.original_name,
                m.name,
                m.matched.rule,
                m.matched.detail,
                match m.phase {
                    crate::plan::Phase::Pre => "pre",
                    crate::plan::Phase::Post => "post",
                }
            ),
            severity: Severity::Info,
            resource_ref,
            file: item.and_then(|i| i.file.clone()),
            tags: vec![("hash".into(), m.hash.clone())],
        });
    }
    for n in &plan.notes {
        let item = n.doc.and_then(|d| items.get(d));
        let renamed = plan
            .migrations
            .iter()
            .find(|m| Some(m.doc) == n.doc && m.origin == crate::plan::Origin::Job);
        let resource_ref = item.and_then(|i| i.reference.as_ref()).map(|r| {
            let mut r = r.to_value();
            if let Some(m) = renamed {
                r.set("name", Value::str(m.name.clone()));
            }
            r
        });
        out.push(KrmResult {
            message: n.message.clone(),
            severity: n.severity,
            resource_ref,
            file: item.and_then(|i| i.file.clone()),
            tags: vec![("code".into(), n.code.to_string())],
        });
    }
    out
}

/// Writes a ResourceList from item bodies (each a document body, possibly with a `---` line).
pub(crate) fn render<S: AsRef<str>>(
    api_version: &str,
    items: &[S],
    function_config: Option<&str>,
    results: &[KrmResult],
) -> String {
    let results = (!results.is_empty()).then(|| {
        let list = Value::Seq(results.iter().map(result_value).collect());
        list.to_block(0)
    });
    // Room for it all at once: a 20k-item list's output grown by doubling
    // touched twice its size.
    let indented =
        |body: &str| body.len() + 3 * (memchr::memchr_iter(b'\n', body.as_bytes()).count() + 1);
    let head = format!(
        "apiVersion: {}\nkind: ResourceList\n",
        scalar_text(&Value::str(api_version))
    );
    let room = head.len()
        + "items: []\nfunctionConfig:\nresults:\n".len()
        + items.iter().map(|b| indented(b.as_ref())).sum::<usize>()
        + function_config.map_or(0, indented)
        + results.as_ref().map_or(0, String::len);
    let mut out = String::with_capacity(room);
    out.push_str(&head);
    if items.is_empty() {
        out.push_str("items: []\n");
    } else {
        out.push_str("items:\n");
        for body in items {
            push_indented(&mut out, body.as_ref(), true);
        }
    }
    if let Some(fc) = function_config {
        out.push_str("functionConfig:\n");
        push_indented(&mut out, fc, false);
    }
    if let Some(block) = results {
        out.push_str("results:");
        out.push_str(&block);
        out.push('\n');
    }
    debug_assert!(out.len() <= room, "{} > {room}", out.len());
    out
}

/// Appends a document body two columns to the right: as a sequence item
/// (`- ` before its first content line) or as a mapping value.
fn push_indented(out: &mut String, body: &str, as_item: bool) {
    let mut seen_content = false;
    for line in body.lines() {
        if !seen_content && (crate::stream::is_doc_start(line) || line.trim().is_empty()) {
            continue;
        }
        if crate::stream::is_doc_end(line) {
            continue;
        }
        let is_content = !line.trim().is_empty() && !line.trim_start().starts_with('#');
        if as_item && is_content && !seen_content {
            out.push_str("- ");
        } else if !line.is_empty() {
            out.push_str("  ");
        }
        seen_content |= is_content;
        out.push_str(line);
        out.push('\n');
    }
}

/// A result as a value.
fn result_value(r: &KrmResult) -> Value {
    let mut m = vec![
        ("message".into(), Value::str(r.message.clone())),
        (
            "severity".into(),
            Value::str(match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            }),
        ),
    ];
    if let Some(rr) = &r.resource_ref {
        m.push(("resourceRef".into(), rr.clone()));
    }
    if let Some(f) = &r.file {
        m.push(("file".into(), f.clone()));
    }
    if !r.tags.is_empty() {
        m.push((
            "tags".into(),
            Value::Map(
                r.tags
                    .iter()
                    .map(|(k, v)| (k.into(), Value::str(v)))
                    .collect(),
            ),
        ));
    }
    Value::Map(m.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The output fits the room reserved for it (`render` debug-asserts it)
    /// however its apiVersion is quoted and its items' lines are broken.
    #[test]
    fn the_output_fits_its_reserved_room() {
        let odd = "v\u{1}\u{7}\u{1b}\"\\".repeat(40);
        let items = [
            "---\na: 1\r\nb: |\n  x\n\n  y",
            "",
            "# c\n\nkind: X\n...\n",
            "z",
        ];
        let results = [error_result("m".repeat(500), None, None)];
        for api_version in [odd.as_str(), "config.kubernetes.io/v1", ""] {
            for fc in [None, Some("a: 1\nb:\n- 2")] {
                let out = render(api_version, &items, fc, &results);
                assert!(out.starts_with("apiVersion: "), "{out}");
                render::<&str>(api_version, &[], fc, &[]);
            }
        }
    }
}
