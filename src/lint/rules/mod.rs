//! The lint rules, one file each (ruff style): the file's doc comment is the
//! rule's documentation — what it does, why it is bad, an example, the fix —
//! and its [`Rule`] row registers it. The codes live in the one diagnostics
//! table (`crate::diag::codes`, PM5xx).

use crate::diag::Code;
use crate::yaml::edit::Seg;

use super::context::Cx;
use super::Hit;

mod apps_start_with_migration;
mod argo_helm_hook_mix;
mod artisan_migrate_unforced;
mod data_service_after_migration;
mod deleted_hook_awaited;
mod gate_image;
mod gate_names_missing_job;
mod gate_rbac;
mod migrate_then_serve;
mod migration_in_init_container;
mod migration_reads_missing_key;
mod migration_retried;
mod possible_migration;
mod post_migration_awaited;
mod pre_install_hook_uses_release;
mod psql_errors_ignored;
mod ttl_under_gitops;
mod unversioned_job_name;

/// Whether the post-renderer fixes a rule's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fix {
    /// Always.
    Yes,
    /// Some findings (each says).
    Sometimes,
    /// Never: the chart must change.
    No,
    /// Once told what the chart means (`--job NAME`, an annotation): the
    /// chart need not change.
    WhenTold,
}

impl Fix {
    /// The table word.
    pub fn word(&self) -> &'static str {
        match self {
            Fix::Yes => "yes",
            Fix::Sometimes => "sometimes",
            Fix::No => "no",
            Fix::WhenTold => "when told",
        }
    }

    /// What a finding says of it, `fixed` when the post-renderer fixes that one.
    pub fn line(&self, fixed: bool) -> &'static str {
        match (fixed, self) {
            (true, _) => "the post-renderer fixes this",
            (false, Fix::WhenTold) => "the post-renderer fixes this once told: `--job NAME`, or the annotation `premigrate.io/migration: \"true\"` (values often take it)",
            (false, _) => "the post-renderer does not fix this: change the chart",
        }
    }
}

/// One lint rule.
pub struct Rule {
    /// Its code in the diagnostics table.
    pub code: Code,
    /// Its name, kebab-case.
    pub name: &'static str,
    /// Whether the post-renderer fixes it.
    pub fix: Fix,
    /// The engines (targets) it applies to.
    pub engines: &'static str,
    /// Runs the rule.
    pub check: fn(&Cx<'_>, &mut Vec<Hit>),
}

/// Every rule, in code order.
pub const RULES: &[Rule] = &[
    migration_in_init_container::RULE,
    migrate_then_serve::RULE,
    pre_install_hook_uses_release::RULE,
    ttl_under_gitops::RULE,
    unversioned_job_name::RULE,
    migration_retried::RULE,
    gate_names_missing_job::RULE,
    gate_rbac::RULE,
    gate_image::RULE,
    post_migration_awaited::RULE,
    data_service_after_migration::RULE,
    argo_helm_hook_mix::RULE,
    deleted_hook_awaited::RULE,
    possible_migration::RULE,
    apps_start_with_migration::RULE,
    psql_errors_ignored::RULE,
    migration_reads_missing_key::RULE,
    artisan_migrate_unforced::RULE,
];

/// `base` followed by `keys`.
pub(super) fn at(base: &[Seg], keys: &[&str]) -> Vec<Seg> {
    let mut p = base.to_vec();
    p.extend(keys.iter().map(|k| Seg::Key(k.to_string())));
    p
}

/// The path of init container `i` of the pod spec at `pod`.
pub(super) fn init(pod: &[Seg], i: usize) -> Vec<Seg> {
    let mut p = at(pod, &["initContainers"]);
    p.push(Seg::Index(i));
    p
}

/// The README's table of rules (between its `lint-rules` markers).
pub fn markdown() -> String {
    let mut out = String::from("| Code | Rule | Severity | Fixed by the post-renderer | Engines | Title |\n|---|---|---|---|---|---|\n");
    for r in RULES {
        let severity = format!("{:?}", r.code.severity).to_lowercase();
        let fix = r.fix.word();
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {severity} | {fix} | {} | {} |\n",
            r.code.code,
            r.code.code.to_lowercase(),
            r.name,
            r.engines,
            r.code.title
        ));
    }
    out.push('\n');
    for r in RULES {
        out.push_str(&format!(
            "#### {}\n\n`{}`: {}\n\n",
            r.code.code, r.name, r.code.doc
        ));
    }
    out
}
