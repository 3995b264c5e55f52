//! Hook copies of the RBAC a copied ServiceAccount runs with. A pre hook's
//! ServiceAccount gets a hook copy (the chart's does not exist yet on a first
//! install); the chart's RoleBindings bind the original only, so the copy ran
//! with no rights: Zabbix's upgrade Job, whose image calls `kubectl scale`
//! from its entrypoint, then waited for ever for the old servers to stop.
//! Each binding of the ServiceAccount (and the Role it grants, when the
//! release holds it) gets a hook copy too, bound to the copy.

use crate::diag::Error;
use crate::k8s::engines::own;
use crate::path;
use crate::plan::context::{annotation, Context};
use crate::plan::jobs::facts::JobFacts;
use crate::plan::jobs::hash::{content_hash, hashed_name};
use crate::plan::jobs::hooks::{copy_doc, Hook};
use crate::plan::model::{Added, Plan};
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

/// Plans hook copies of the bindings (and their Roles) of ServiceAccount
/// `sa`, bound to its hook copy `sa_copy`.
pub(super) fn copy_bindings(
    ctx: &Context<'_>,
    (job, job_hash): (&JobFacts<'_>, &str),
    hook: &Hook,
    (sa, sa_copy): (&str, &str),
    plan: &mut Plan,
) -> Result<(), Error> {
    for (b, role) in crate::plan::graph::uses::rbac_of(ctx.index, sa, &job.ns) {
        if premigrates(ctx, b) {
            continue;
        }
        let Some(bv) = ctx.value(b) else { continue };
        let (role_kind, role_name) = crate::k8s::role_ref(bv);
        let mut edits = subject_edits(bv, sa, &job.ns, sa_copy);
        // A ClusterRole of the release does not exist yet either on a first install.
        if let Some(r) = role.filter(|&r| !premigrates(ctx, r)) {
            let name = copy_name(&job.ns, (role_kind, role_name), job_hash);
            let why = format!(
                "the {role_kind} the hook copy of {}/{} grants",
                ctx.kind(b),
                name_of(ctx, b)
            );
            // One copy of a role two bindings grant.
            let object = format!("{role_kind}/{name}");
            if !plan.added.iter().any(|a| a.object == object) {
                add(
                    ctx,
                    (r, &name, role_name),
                    hook,
                    (job.doc, why),
                    vec![],
                    plan,
                )?;
            }
            edits.push(Edit::Set(path!["roleRef", "name"], Value::str(&name)));
        }
        let kind = ctx.kind(b);
        let original = name_of(ctx, b);
        let name = copy_name(&job.ns, (kind, &original), job_hash);
        let why = format!("binds the hook copy {sa_copy} as {kind}/{original} binds ServiceAccount {sa}: the Job keeps the rights the chart gave it");
        add(
            ctx,
            (b, &name, &original),
            hook,
            (job.doc, why),
            edits,
            plan,
        )?;
    }
    Ok(())
}

/// Whether a document is premigrate's own (a gate's RBAC, an earlier copy).
fn premigrates(ctx: &Context<'_>, d: usize) -> bool {
    ctx.value(d).is_some_and(|v| {
        annotation(v, own::GENERATED).is_some() || annotation(v, own::ORIGINAL_NAME).is_some()
    })
}

/// The edits that point a binding's subjects for `sa` at its copy.
fn subject_edits(bv: &Value, sa: &str, ns: &str, sa_copy: &str) -> Vec<Edit> {
    let subjects = bv.get("subjects").map(Value::items).unwrap_or(&[]);
    (subjects.iter().enumerate())
        .filter(|(_, s)| {
            s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                && s.get("name").and_then(Value::as_str) == Some(sa)
                && s.get("namespace")
                    .and_then(Value::as_str)
                    .is_none_or(|n| n == ns || ns.is_empty())
        })
        .map(|(k, _)| {
            let path = vec![
                Seg::Key("subjects".into()),
                Seg::Index(k),
                Seg::Key("name".into()),
            ];
            Edit::Set(path, Value::str(sa_copy))
        })
        .collect()
}

/// The name of a copy: as for the Job's other copies, the source's kind and
/// name folded into the Job's content hash.
fn copy_name(ns: &str, (kind, name): (&str, &str), job_hash: &str) -> String {
    let source = Value::str(format!("{kind}/{name}"));
    hashed_name(name, &content_hash(ns, &source, job_hash))
}

/// The name of document `d`.
fn name_of(ctx: &Context<'_>, d: usize) -> String {
    ctx.index.entries[d]
        .info
        .name
        .as_deref()
        .unwrap_or("")
        .to_string()
}

/// Adds the hook copy of document `def`.
fn add(
    ctx: &Context<'_>,
    (def, name, original): (usize, &str, &str),
    hook: &Hook,
    (before, why): (usize, String),
    extra: Vec<Edit>,
    plan: &mut Plan,
) -> Result<(), Error> {
    let text = copy_doc(ctx, def, (name, original), hook, extra)?;
    plan.added.push(Added {
        text,
        object: format!("{}/{name}", ctx.kind(def)),
        derived_from: def,
        before,
        why: format!(
            "hook copy of {}/{original} at weight {}: {why}",
            ctx.kind(def),
            hook.weight - 1
        ),
        hook: Some((hook.events.clone(), hook.weight - 1)),
        ahead_of: Vec::new(),
    });
    Ok(())
}
