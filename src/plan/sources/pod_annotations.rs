//! premigrate's annotations written on a pod template (`podAnnotations`, the
//! one annotation value most charts expose) instead of the workload's or
//! Job's own metadata: premigrate never reads them there, so PM607 says where
//! they belong and which flag does the same.

use crate::diag::codes;
use crate::k8s::engines::own;
use crate::plan::context::Context;
use crate::plan::model::Plan;
use crate::yaml::Value;

/// The annotations premigrate reads on a workload or Job, each with the flag
/// that does the same from the command line, if one does.
const READ_ON_THE_OBJECT: &[(&str, Option<&str>)] = &[
    (own::MIGRATE, Some("--migrate KIND/NAME=COMMAND")),
    (own::MIGRATE_CONTAINER, Some("--migrate-container NAME")),
    (own::EXTRACT_INIT, Some("--extract-init NAME")),
    (own::GATE, Some("--gate")),
    (own::WAIT_FOR, None),
    (own::MIGRATION, Some("--job NAME")),
    (own::AFTER, None),
    (own::NEEDS, None),
];

/// Notes each of premigrate's annotations found on a pod template.
pub(crate) fn warn(ctx: &Context<'_>, plan: &mut Plan) {
    for doc in 0..ctx.index.entries.len() {
        let kind = ctx.kind(doc);
        let Some(w) = crate::k8s::kinds::workload_kind(kind) else {
            continue;
        };
        // The pod template's metadata sits beside its spec; a Pod's is its own.
        let Some((_, parent)) = w.pod_spec.split_last().filter(|(_, p)| !p.is_empty()) else {
            continue;
        };
        let Some(v) = ctx.value(doc) else { continue };
        let annotations = v
            .at(parent)
            .and_then(|t| t.at(&["metadata", "annotations"]))
            .map(Value::entries)
            .unwrap_or(&[]);
        for (key, _) in annotations {
            let Some((_, flag)) = READ_ON_THE_OBJECT.iter().find(|(k, _)| *k == key.as_str())
            else {
                continue;
            };
            let or = flag.map_or(String::new(), |f| format!(", or use {f}"));
            plan.note(codes::PM607, Some(doc), format!(
                "{}: {key} is on its pod template (spec.template.metadata.annotations, a chart's podAnnotations), where premigrate does not read it: put it in the {kind}'s own metadata.annotations (a kustomize patch of the rendered {kind}){or}",
                ctx.object(doc)
            ));
        }
    }
}
