//! PM514 `possible-migration`.
//!
//! ## What it does
//! Reports a Job that looks like a migration (its name or command speaks of a
//! database or a schema) but that no detection rule confirmed, with the flag or
//! annotation that would make it one.
//!
//! ## Why is this bad?
//! premigrate leaves an unconfirmed Job alone: it is not hashed, hardened,
//! ordered or waited for. If it does change the schema, the apps may start on
//! the old one.
//!
//! ## Example
//! ```yaml
//! kind: Job
//! metadata: {name: keystone-db-sync}
//! spec:
//!   template:
//!     spec:
//!       containers:
//!         - command: [keystone-manage, db_sync]
//! ```
//!
//! ## Fix
//! `premigrate.io/migration: "true"` on the Job or `--job NAME` makes it a
//! migration; `premigrate.io/migration: "false"` says it is not one.

use super::{at, Fix, Rule};
use crate::diag::codes::PM514;
use crate::lint::{Cx, Hit};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM514,
    name: "possible-migration",
    fix: Fix::WhenTold,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for p in &cx.possible {
        out.push(Hit::new(
            PM514,
            p.doc,
            at(&[], &["metadata", "name"]),
            format!(
                "{} may be a migration ({}), but no rule confirmed it: {}",
                cx.object(p.doc),
                p.why,
                p.confirm
            ),
            false,
        ));
    }
}
