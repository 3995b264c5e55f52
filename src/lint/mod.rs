//! `premigrate lint`: the known migration mistakes of a rendered chart, as
//! findings with a code, a severity, a location and whether the post-renderer
//! fixes them. The rules read the same plan and release graph as the rewrite
//! (`rules/`, one file each); the findings are rendered by `format/`.

pub mod context;
pub mod format;
pub mod possible;
pub mod rules;
mod suppress;

pub use suppress::check_codes;

use crate::config::Config;
use crate::diag::{Code, Error, Location, Severity};
use crate::index::Index;
use crate::yaml::edit::Seg;

pub use context::Cx;
pub use rules::{Rule, RULES};

/// What a rule reports: a document, the path of the offending field, a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The rule's code.
    pub code: Code,
    /// The document (0-based).
    pub doc: usize,
    /// Path of the offending field in the document.
    pub path: Vec<Seg>,
    /// What is wrong, about this object.
    pub message: String,
    /// Whether the post-renderer fixes it.
    pub fixable: bool,
}

impl Hit {
    /// A finding of `code` at `path` of document `doc`.
    pub fn new(
        code: Code,
        doc: usize,
        path: Vec<Seg>,
        message: impl Into<String>,
        fixable: bool,
    ) -> Hit {
        Hit {
            code,
            doc,
            path,
            message: message.into(),
            fixable,
        }
    }
}

/// One finding, located in the input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// The code, e.g. `PM504`.
    pub code: &'static str,
    /// The rule's name, e.g. `ttl-under-gitops`.
    pub rule: &'static str,
    /// How serious.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where: document, source file, object, line and column of the offending field.
    pub location: Location,
    /// The post-renderer fixes it.
    pub fixable: bool,
    /// The offending line of the input.
    #[serde(skip)]
    pub snippet: String,
    /// What to do (the rule's documentation in one paragraph).
    #[serde(skip)]
    pub help: &'static str,
}

/// What a lint run needs besides the input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The rewrite's configuration (target, detection flags).
    pub config: Config,
    /// Codes never reported (`--lint-ignore`, the policy's `lintIgnore`).
    pub ignore: Vec<String>,
}

/// Lints a rendered stream: the findings in input order. An error (bad input,
/// an unknown code to ignore) stops the run.
pub fn lint(input: &[u8], opts: &Options) -> Result<Vec<Finding>, Error> {
    suppress::check_codes(&opts.ignore, None)?;
    let index = Index::build(input)?;
    let plan = match crate::rewrite(input, &opts.config) {
        Ok(out) => out.plan,
        // A stream the rewrite refuses (it would hang) is still linted: the plan
        // without the verdicts, and the deadlock rule reports the hang.
        Err(_) => crate::plan::build(&index, &opts.config)?,
    };
    let rules = opts.config.rules();
    let possible = possible::unconfirmed(&index, &plan, &rules);
    let cx = Cx::new(&index, &plan, possible, rules);
    let ignored = suppress::per_object(&cx)?;
    let mut hits: Vec<Hit> = Vec::new();
    for rule in RULES {
        (rule.check)(&cx, &mut hits);
    }
    hits.retain(|h| {
        !opts.ignore.iter().any(|c| c == h.code.code)
            && !ignored
                .get(&h.doc)
                .is_some_and(|codes| codes.iter().any(|c| c == h.code.code))
    });
    let mut out: Vec<Finding> = hits.iter().map(|h| locate(&cx, h)).collect();
    out.sort_by_key(|f| (f.location.line, f.location.column, f.code));
    out.dedup();
    Ok(out)
}

fn locate(cx: &Cx<'_>, h: &Hit) -> Finding {
    let offset = cx.offset(h.doc, &h.path);
    let location = cx.index.location_at(h.doc, offset);
    let text = cx.index.stream.doc_text(h.doc);
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |p| p + 1);
    let end = text[start..].find('\n').map_or(text.len(), |p| start + p);
    let rule = RULES
        .iter()
        .find(|r| r.code.code == h.code.code)
        .expect("every hit's code is a rule");
    Finding {
        code: h.code.code,
        rule: rule.name,
        severity: h.code.severity,
        message: h.message.clone(),
        location,
        fixable: h.fixable,
        snippet: text[start..end].to_string(),
        help: h.code.doc,
    }
}

/// Whether `findings` hold one at `fail_on` or worse (exit code 1).
pub fn fails(findings: &[Finding], fail_on: Severity) -> bool {
    findings.iter().any(|f| f.severity >= fail_on)
}
