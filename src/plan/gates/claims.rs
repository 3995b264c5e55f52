//! A migration Job that mounts a claim the workloads it gates mount too
//! (Pimcore's install Job and its web pods on the project claim): said, not
//! acted on (PM213). The gated pods wait in their init containers with the
//! claim attached, so a Job pod on another node cannot attach a ReadWriteOnce
//! claim and never starts; and their gate runs before their own init
//! containers, so whatever those put on the claim is not there for the Job.

use crate::diag::codes;
use crate::k8s::{claim_names, pod_spec};
use crate::plan::context::Context;
use crate::plan::model::{Migration, Plan};
use crate::yaml::Value;

/// Notes each claim the migration's pod mounts that a `chosen` workload's
/// pod mounts too.
pub(super) fn note_shared_claims(
    ctx: &Context<'_>,
    plan: &mut Plan,
    m: &Migration,
    chosen: &[(usize, String)],
) {
    for claim in claim_names(&m.pod) {
        let holders: Vec<String> = (chosen.iter())
            .filter(|(w, _)| {
                let pod = ctx.value(*w).and_then(|v| pod_spec(v, ctx.kind(*w)));
                pod.is_some_and(|p| claim_names(p).contains(&claim))
            })
            .map(|(w, _)| ctx.object(*w))
            .collect();
        if holders.is_empty() {
            continue;
        }
        let modes = access_modes(ctx, claim, Some(m.doc));
        let attach = (!modes.iter().any(|m| m == "ReadWriteMany")).then(|| format!(
            "{}: the gated pods hold it while they wait, so a Job pod on another node cannot attach it and never starts, and the pods wait for ever",
            match modes.is_empty() {
                true => "its access mode is not in the stream (ReadWriteOnce is the common default)".to_string(),
                false => format!("it is {}", modes.join(", ")),
            }
        ));
        let fillers: Vec<String> = (chosen.iter())
            .filter(|(w, _)| fills(ctx, *w, claim))
            .map(|(w, _)| ctx.object(*w))
            .collect();
        let fill = (!fillers.is_empty()).then(|| format!(
            "the gate runs before the init containers of {} that write the claim, so what they put there is not there for the Job",
            fillers.join(", ")
        ));
        let why: Vec<String> = attach.into_iter().chain(fill).collect();
        if why.is_empty() {
            continue;
        }
        plan.note(codes::PM213, Some(m.doc), format!(
            "Job/{}: mounts PersistentVolumeClaim/{claim}, which {} it gates mount too: {}. Pin the Job to their node or use a ReadWriteMany claim if the migration needs the claim, or name the workloads that wait (--gate KIND/NAME, premigrate.io/gate: \"false\")",
            m.original_name,
            holders.join(", "),
            why.join("; and "),
        ));
    }
}

/// Whether an init container of workload `w` (premigrate's gates left out)
/// writes the claim `claim`.
fn fills(ctx: &Context<'_>, w: usize, claim: &str) -> bool {
    let Some(pod) = ctx.value(w).and_then(|v| pod_spec(v, ctx.kind(w))) else {
        return false;
    };
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    let claim_of = |volume: &str| {
        (volumes.iter())
            .find(|v| v.get("name").and_then(Value::as_str) == Some(volume))
            .and_then(|v| v.at(&["persistentVolumeClaim", "claimName"]))
            .and_then(Value::as_str)
    };
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    // An init container that only waits (Galaxy's `until [ -f /m/db_init_done ]`) writes nothing.
    let waits = |c: &Value| {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
        crate::detect::name_says_waiter(name)
            || crate::detect::classify_container(c, &crate::detect::no_scripts).kind
                == crate::detect::Kind::Waiter
    };
    (inits.iter())
        .filter(|c| !crate::plan::gates::container::is_gate(c) && !waits(c))
        .flat_map(|c| crate::plan::sources::derive::written_volumes(c, volumes))
        .any(|v| claim_of(v) == Some(claim))
}

/// The access modes of the stream's claim `name` that document `near`'s pod
/// mounts: the one of its namespace, else the first of that name (none when
/// it is not there).
pub(crate) fn access_modes(ctx: &Context<'_>, name: &str, near: Option<usize>) -> Vec<String> {
    let info = |d: usize| &ctx.index.entries[d].info;
    let named = |d: &usize| {
        ctx.kind(*d) == "PersistentVolumeClaim" && info(*d).name.as_deref() == Some(name)
    };
    let all = 0..ctx.index.entries.len();
    let claim = (all.clone().filter(named))
        .find(|&d| near.is_some_and(|n| info(d).namespace == info(n).namespace))
        .or_else(|| all.clone().find(named));
    // The index parses only what the plan reads: a claim is read here.
    let Some(v) = claim.and_then(|d| crate::plan::graph::roles::peek(ctx.index, d)) else {
        return vec![];
    };
    let modes = v
        .at(&["spec", "accessModes"])
        .map(Value::items)
        .unwrap_or(&[]);
    modes
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}
