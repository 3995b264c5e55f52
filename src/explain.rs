//! The plan in words (text), as data (JSON), and as a Mermaid graph of the rollout order.

use std::fmt::Write as _;

use crate::index::Index;
use crate::plan::{Migration, Origin, Phase, Plan};

fn doc_label(index: &Index<'_>, i: usize) -> String {
    let info = &index.entries[i].info;
    let mut s = format!("document {} {}", i + 1, info.object());
    if let Some(src) = info.filename.as_ref().or(info.source.as_ref()) {
        let _ = write!(s, " ({src})");
    }
    s
}

/// Whether document `i` is an Argo CD `Sync` hook (its Helm hook ignored).
fn argo_sync_hook(index: &Index<'_>, i: usize) -> bool {
    let value = index.entries[i].parsed.as_ref().map(|p| &p.value);
    let hook = value.and_then(|v| v.at(&["metadata", "annotations", "argocd.argoproj.io/hook"]));
    hook.and_then(crate::yaml::Value::as_str)
        .map(crate::plan::graph::argo::ArgoHook::parse)
        == Some(crate::plan::graph::argo::ArgoHook::Phase(1))
}

/// The plan as text, for `--explain` and `premigrate explain`.
pub fn text(index: &Index<'_>, plan: &Plan) -> String {
    let mut o = String::new();
    let target = match plan.target {
        Some(crate::config::Target::Hooks) => "hooks",
        _ => "gitops",
    };
    let _ = writeln!(o, "target: {target} ({})", plan.target_reason);
    if plan.migrations.is_empty() {
        let _ = writeln!(o, "migrations: none found (use --job, --job-selector, --migrate or the premigrate.io/migration annotation to name one)");
    }
    for (k, m) in plan.migrations.iter().enumerate() {
        migration(&mut o, index, k, m);
    }
    if !plan.changes.is_empty() {
        let _ = writeln!(o, "changes:");
        for (doc, changes) in &plan.changes {
            let _ = writeln!(o, "  {}:", doc_label(index, *doc));
            for c in changes {
                let _ = writeln!(o, "    - {}", c.why);
            }
        }
    }
    documents(&mut o, index, plan);
    graph(&mut o, index, plan);
    for g in &plan.gates {
        // A contract step's gate waits for rollouts, not for Jobs.
        let what = match g.jobs.is_empty() {
            true => "the apps' rollout".to_string(),
            false => g.jobs.join(", "),
        };
        let _ = writeln!(o, "gate: {} waits for {what}: {}", g.workload, g.why);
    }
    for n in &plan.notes {
        let sev = format!("{:?}", n.severity).to_lowercase();
        let at = n
            .doc
            .map(|d| format!(" document {}", d + 1))
            .unwrap_or_default();
        let _ = writeln!(o, "{sev}[{}]{at}: {}", n.code, n.message);
    }
    if plan.is_empty() {
        let _ = writeln!(
            o,
            "nothing to change: the output is the input, byte for byte"
        );
    }
    o
}

/// One migration, in words.
fn migration(o: &mut String, index: &Index<'_>, k: usize, m: &Migration) {
    let _ = writeln!(o, "migration {}: {} → {}", k + 1, m.original_name, m.name);
    let from = match &m.origin {
        Origin::Job => doc_label(index, m.doc),
        Origin::Extracted { from } => {
            format!("extracted from init containers of {}", from.join(", "))
        }
        Origin::Generated { from } => format!("generated from {from}"),
    };
    let _ = writeln!(o, "  from: {from}");
    let _ = writeln!(o, "  found by: {} — {}", m.matched.rule, m.matched.detail);
    let _ = writeln!(
        o,
        "  hash: {} (sha256 of namespace {:?}, spec and salt)",
        m.hash, m.namespace
    );
    let phase = match m.phase {
        Phase::Pre => "pre",
        Phase::Post => "post",
    };
    let _ = writeln!(o, "  phase: {phase}: {}", m.phase_reason);
    let order = match m.after.is_empty() {
        true => format!("#{} of its phase", m.rank + 1),
        false => format!("#{} of its phase, after {}", m.rank + 1, m.after.join(", ")),
    };
    let _ = writeln!(o, "  order: {order}");
    let _ = writeln!(o, "  form: {}", m.form_reason);
    for (d, why) in &m.needs {
        let _ = writeln!(o, "  needs: {} ({why})", doc_label(index, *d));
    }
    if let Some(w) = m.wave {
        let _ = writeln!(o, "  argo cd sync-wave: {w}");
    }
    for d in &m.uses {
        let at = match (d.doc, d.hook) {
            (Some(i), _) => format!("defined in document {}", i + 1),
            (None, Some(h)) if argo_sync_hook(index, h) => format!(
                "a Helm hook in document {}, and an Argo CD Sync hook: it gets the Job's wave",
                h + 1
            ),
            // A regular Job: only Helm and Argo CD read the hook annotation.
            (None, Some(h)) if m.wave.is_some() => format!(
                "a Helm hook in document {}: Helm and Argo CD (as PreSync) make it before the Job; kubectl, Flux and kapp apply it with the Job, {}",
                h + 1,
                until_it_exists(d.kind)
            ),
            (None, Some(h)) => format!(
                "a Helm hook in document {}: left to the hook's order",
                h + 1
            ),
            (None, None) => "not in the stream: referenced as is".into(),
        };
        let _ = writeln!(o, "  uses: {}/{} ({at})", d.kind.kind(), d.name);
    }
}

/// The release graph: its data services and the deadlock check's verdict per engine.
fn graph(o: &mut String, index: &Index<'_>, plan: &Plan) {
    for (d, why) in &plan.data_services {
        let _ = writeln!(o, "data service: {}: {why}", doc_label(index, *d));
    }
    for (d, why) in &plan.chart_gates {
        let _ = writeln!(o, "chart gate: {}: {why}", doc_label(index, *d));
    }
    for v in &plan.verdicts {
        let verdict = match (&v.deadlock, v.inherited) {
            (None, _) => "every object starts and completes".to_string(),
            (Some(d), _) => format!("hangs, without premigrate too: {d}"),
        };
        let _ = writeln!(o, "deadlock check: {}: {verdict}", v.engine.name());
    }
}

/// Documents added, moved and removed, in words.
fn documents(o: &mut String, index: &Index<'_>, plan: &Plan) {
    for a in &plan.added {
        let _ = writeln!(
            o,
            "added: {} before {}: {}",
            a.object,
            doc_label(index, a.before),
            a.why
        );
    }
    for m in &plan.moves {
        let to = if m.before == crate::plan::END {
            "to the end".to_string()
        } else {
            format!("before {}", doc_label(index, m.before))
        };
        let _ = writeln!(o, "moved: {} {to}: {}", doc_label(index, m.doc), m.why);
    }
    for r in &plan.removed {
        // Added again under the same name, or gone because nothing needs it now.
        let object = index.entries[*r].info.object();
        let what = if plan.added.iter().any(|a| a.object == object) {
            "regenerated"
        } else {
            "removed"
        };
        let _ = writeln!(
            o,
            "{what}: {} (premigrate's own output from an earlier run)",
            doc_label(index, *r)
        );
    }
}

/// The version of the plan's JSON format (`schema/plan.schema.json`): raised
/// whenever a field changes meaning or goes away.
pub const PLAN_FORMAT_VERSION: u32 = 1;

/// A 1-based document number, as every field of the plan JSON counts them.
fn number(d: usize) -> serde_json::Value {
    (d + 1).into()
}

/// One migration as JSON: its fields, with document numbers 1-based.
fn migration_json(m: &Migration) -> serde_json::Value {
    let mut v = serde_json::to_value(m).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("doc");
        o.insert("document".into(), number(m.doc));
        o.insert(
            "uses".into(),
            m.uses
                .iter()
                .map(|u| serde_json::json!({"kind": u.kind, "name": u.name, "document": u.doc.map(number), "hook_document": u.hook.map(number)}))
                .collect(),
        );
        o.insert(
            "needs".into(),
            m.needs
                .iter()
                .map(|(d, why)| serde_json::json!({"document": number(*d), "why": why}))
                .collect(),
        );
    }
    v
}

/// The plan as JSON (format [`PLAN_FORMAT_VERSION`]; every document number 1-based).
pub fn json(index: &Index<'_>, plan: &Plan) -> serde_json::Value {
    let object = |d: usize| index.entries[d].info.object();
    let changes: Vec<serde_json::Value> = plan
        .changes
        .iter()
        .map(|(d, cs)| serde_json::json!({"document": number(*d), "object": object(*d), "changes": cs.iter().map(|c| c.why.clone()).collect::<Vec<_>>()}))
        .collect();
    serde_json::json!({
        "version": PLAN_FORMAT_VERSION,
        "target": plan.target,
        "targetReason": plan.target_reason,
        "migrations": plan.migrations.iter().map(migration_json).collect::<Vec<_>>(),
        "changes": changes,
        "added": plan.added.iter().map(|a| serde_json::json!({"object": a.object, "before": number(a.before), "why": a.why})).collect::<Vec<_>>(),
        "moved": plan.moves.iter().map(|m| serde_json::json!({"document": number(m.doc), "before": (m.before != crate::plan::END).then(|| number(m.before)), "why": m.why})).collect::<Vec<_>>(),
        "removed": plan.removed.iter().map(|r| {
            let regenerated = plan.added.iter().any(|a| a.object == object(*r));
            serde_json::json!({"document": number(*r), "object": object(*r), "regenerated": regenerated, "why": "premigrate's own output from an earlier run"})
        }).collect::<Vec<_>>(),
        "gates": plan.gates.iter().map(|g| serde_json::json!({"document": number(g.doc), "workload": g.workload, "jobs": g.jobs, "why": g.why})).collect::<Vec<_>>(),
        "dataServices": plan.data_services.iter().map(|(d, why)| serde_json::json!({"document": number(*d), "object": object(*d), "why": why})).collect::<Vec<_>>(),
        "chartGates": plan.chart_gates.iter().map(|(d, why)| serde_json::json!({"document": number(*d), "object": object(*d), "why": why})).collect::<Vec<_>>(),
        "verdicts": plan.verdicts,
        "notes": plan.notes.iter().map(|n| serde_json::json!({"severity": n.severity, "code": n.code, "document": n.doc.map(number), "message": n.message})).collect::<Vec<_>>(),
    })
}

/// The rollout order as a Mermaid flowchart.
pub fn mermaid(index: &Index<'_>, plan: &Plan) -> String {
    let mut o = String::from("flowchart TD\n");
    for (k, m) in plan.migrations.iter().enumerate() {
        let _ = writeln!(o, "  m{k}[\"Job/{}\"]", m.name);
        for (d, _) in &m.needs {
            let _ = writeln!(
                o,
                "  s{d}[(\"{}\")] --> m{k}",
                index.entries[*d].info.object()
            );
        }
        for a in &m.after {
            if let Some(j) = plan.migrations.iter().position(|p| &p.original_name == a) {
                let _ = writeln!(o, "  m{j} --> m{k}");
            }
        }
        for (j, d) in m.uses.iter().enumerate() {
            let _ = writeln!(o, "  d{k}_{j}[\"{}/{}\"] --> m{k}", d.kind.kind(), d.name);
        }
        for g in plan.gates.iter().filter(|g| g.jobs.contains(&m.name)) {
            let _ = writeln!(o, "  m{k} --> w{}[\"{}\"]", g.doc, g.workload);
        }
        if plan.gates.is_empty() && m.phase == Phase::Pre {
            for (i, e) in index.entries.iter().enumerate() {
                if e.info.kind.as_deref().is_some_and(crate::k8s::has_pod_spec)
                    && !plan
                        .migrations
                        .iter()
                        .any(|mm| mm.doc == i && mm.origin == Origin::Job)
                {
                    let _ = writeln!(o, "  m{k} --> w{i}[\"{}\"]", e.info.object());
                }
            }
        }
    }
    o
}

/// How a Job copes with an object it uses that is applied with it, not before.
fn until_it_exists(kind: crate::k8s::RefKind) -> &'static str {
    match kind {
        // No pod is made without its account: the Job controller retries.
        crate::k8s::RefKind::ServiceAccount => {
            "and the Job controller retries making its pod until it exists"
        }
        _ => "whose pod waits until it exists",
    }
}
