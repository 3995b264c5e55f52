//! PM511 `data-service-after-migration`.
//!
//! ## What it does
//! Finds a data service of the release (a bundled database, cache or broker,
//! as the release graph recognises it) that waits for a migration or comes in a
//! later Argo CD wave than one; and any endless wait or cycle the release
//! graph's deadlock check finds on the engines of the target (kubectl/Flux,
//! Argo CD and kapp for `gitops`; Helm install and upgrade for `hooks`).
//!
//! ## Why is this bad?
//! The migration needs the database: if the database waits for the migration,
//! neither ever starts, and the rollout hangs until it times out.
//!
//! ## Example
//! ```yaml
//! kind: StatefulSet
//! metadata: {name: app-postgresql}
//! spec:
//!   template:
//!     spec:
//!       initContainers:
//!         - name: wait
//!           image: groundnuty/k8s-wait-for:v2.0
//!           args: [job-wr, app-migrate]
//! ```
//!
//! ## Fix
//! The post-renderer never gates a data service and orders it before every
//! migration; a hang it cannot remove is reported with its chain of waits.
//! Remove the gate, or give the data service an earlier wave.

use super::{at, init, Fix, Rule};
use crate::diag::codes::PM511;
use crate::lint::{Cx, Hit};
use crate::plan::graph::deadlock::Engine;
use crate::plan::graph::model::MigrationFact;
use crate::plan::{Origin, Phase};

/// The rule.
pub const RULE: Rule = Rule {
    code: PM511,
    name: "data-service-after-migration",
    fix: Fix::Sometimes,
    engines: "all (per engine)",
    check,
};

const WAVE: &str = "argocd.argoproj.io/sync-wave";

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    gated(cx, out);
    waves(cx, out);
    deadlocks(cx, out);
}

/// Data services whose gates wait for a migration.
fn gated(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for g in cx.gates() {
        let Some(why) = cx.plan.data_services.get(&g.doc) else {
            continue;
        };
        let ns = cx.namespace(g.doc);
        let waits: Vec<String> = g
            .gate
            .jobs
            .iter()
            .filter(|j| {
                cx.job(ns, &j.name)
                    .is_some_and(|d| cx.plan.migrations.iter().any(|m| m.doc == d))
            })
            .map(|j| j.name.clone())
            .chain(g.gate.check.then(|| "the pending migrations".to_string()))
            .collect();
        if waits.is_empty() {
            continue;
        }
        out.push(Hit::new(
            PM511,
            g.doc,
            init(&g.pod_path, g.index),
            format!(
                "{} is a data service ({why}) but gate `{}` waits for {}: the migration needs it, so neither starts",
                cx.object(g.doc),
                g.gate.container,
                waits.join(", ")
            ),
            false,
        ));
    }
}

/// Data services in a later Argo CD wave than a migration that needs them.
fn waves(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let wave = |i: usize| {
        cx.annotation(i, WAVE)
            .and_then(|w| w.trim().parse::<i64>().ok())
    };
    for m in cx
        .plan
        .migrations
        .iter()
        .filter(|m| m.origin == Origin::Job)
    {
        let Some(mw) = wave(m.doc) else { continue };
        for (d, _) in &m.needs {
            let Some(dw) = wave(*d) else { continue };
            if dw > mw {
                out.push(Hit::new(
                    PM511,
                    *d,
                    at(&[], &["metadata", "annotations", WAVE]),
                    format!(
                        "{} (a data service of migration {}) is in sync wave {dw}, after the migration's wave {mw}: Argo CD waits for the migration first, which waits for it",
                        cx.object(*d),
                        cx.name(m.doc)
                    ),
                    true,
                ));
            }
        }
    }
}

/// The deadlock check of the input, on the engines of the target.
fn deadlocks(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    let engines = match cx.target {
        crate::config::Target::Hooks => Engine::HOOKS,
        _ => Engine::GITOPS,
    };
    let facts: Vec<MigrationFact> = cx
        .plan
        .migrations
        .iter()
        .filter(|m| m.origin == Origin::Job)
        .map(|m| MigrationFact {
            name: cx.name(m.doc).to_string(),
            namespace: m.namespace.clone(),
            pre: m.phase == Phase::Pre,
            needs: m
                .needs
                .iter()
                .map(|(d, why)| {
                    (
                        cx.kind(*d).to_string(),
                        cx.name(*d).to_string(),
                        why.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    for d in crate::plan::graph::check(cx.index, &facts, engines) {
        let first = d.chain.first().map(|c| c.0.clone()).unwrap_or_default();
        let doc =
            (0..cx.docs()).find(|&i| !cx.index.entries[i].info.blank && cx.object(i) == first);
        let fixed = cx
            .plan
            .verdicts
            .iter()
            .any(|v| v.engine == d.engine && v.deadlock.is_none());
        out.push(Hit::new(
            PM511,
            doc.unwrap_or(0),
            Vec::new(),
            format!("the release never finishes rolling out under {d}"),
            fixed,
        ));
    }
}
