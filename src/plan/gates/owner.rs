//! Workloads left ungated that run an image of the migration's image owner
//! (Sourcegraph's worker and repo-updater beside its `migrator`): they share no
//! Secret, ConfigMap or image repository with the migration, so `--gate auto`
//! leaves them alone, but a product's services often read its schema. Said, not
//! acted on (PM212).

use std::collections::BTreeMap;

use crate::diag::codes;
use crate::plan::context::Context;
use crate::plan::graph::images::image_owner as owner;
use crate::plan::model::{Migration, Plan};

/// Notes the workloads of `same_ns` not `chosen`, no data service and not
/// gated by the chart, that run an image of an owner the migration's images
/// have (`job_images`: the migration's image repositories).
pub(super) fn note_same_owner(
    ctx: &Context<'_>,
    plan: &mut Plan,
    m: &Migration,
    (same_ns, chosen): (&[usize], &[usize]),
    job_images: &[String],
) {
    let owners: Vec<&str> = job_images.iter().filter_map(|i| owner(i)).collect();
    if owners.is_empty() {
        return;
    }
    let data: &BTreeMap<usize, String> = &plan.data_services;
    let left: Vec<String> = (same_ns.iter())
        // A workload the migration needs would wait for it and it for the
        // workload: never one to annotate.
        .filter(|w| !chosen.contains(w) && !data.contains_key(w))
        .filter(|w| !m.needs.iter().any(|(d, _)| d == *w))
        .filter(|&&w| {
            let pod = ctx
                .value(w)
                .and_then(|v| crate::k8s::pod_spec(v, ctx.kind(w)));
            pod.is_some_and(|p| {
                !super::select::has_own_gate(p, m)
                    && super::select::app_images(p)
                        .iter()
                        .any(|i| owner(i).is_some_and(|o| owners.contains(&o)))
            })
        })
        .map(|&w| ctx.object(w))
        .collect();
    if left.is_empty() {
        return;
    }
    // Said of one workload or of several.
    let [runs, they, share, are, read, them] = match left.len() {
        1 => ["runs", "it", "shares", "is", "reads", "it"],
        _ => ["run", "they", "share", "are", "read", "them"],
    };
    plan.note(codes::PM212, Some(m.doc), format!(
        "Job/{}: {} {runs} an image of the migration's image owner ({}) but {share} nothing else with it, so {they} {are} not gated: if {they} {read} the schema, annotate {them} premigrate.io/wait-for: {} (or use --gate all)",
        m.original_name,
        left.join(", "),
        owners.join(", "),
        m.original_name
    ));
}

#[cfg(test)]
mod tests {
    use super::owner;

    #[test]
    fn an_owner_is_the_path_before_the_repository_name() {
        assert_eq!(
            owner("index.docker.io/sourcegraph/migrator"),
            Some("index.docker.io/sourcegraph")
        );
        assert_eq!(owner("sourcegraph/worker"), Some("sourcegraph"));
        assert_eq!(owner("nginx"), None);
        assert_eq!(owner("registry.example.com/app"), None);
        assert_eq!(owner("docker.io/bitnami/postgresql"), None);
        // The ASF publishes unrelated products (SkyWalking, Kafka, Airflow).
        assert_eq!(owner("apache/skywalking-oap-server"), None);
    }
}
