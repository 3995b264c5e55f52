//! Planning: everything premigrate will do to a stream, with reasons, as data.
//! The passes run in one order — migration Jobs (found in the stream, extracted
//! from init containers, generated from workloads), then gates and their RBAC,
//! then tidying of init container lists — over a `context::Context` computed once.
//! `explain` and the rewrite both read the same [`Plan`]; building it is pure.

pub(crate) mod context;
pub(crate) mod detection;
pub(crate) mod gates;
pub mod graph;
pub(crate) mod jobs;
pub mod model;
pub(crate) mod sources;

pub use model::*;

use crate::config::{Config, Target};
use crate::diag::Error;
use crate::index::Index;

/// Builds the plan for an indexed stream.
pub fn build(index: &Index<'_>, cfg: &Config) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    let (target, reason) = resolve_target(index, cfg.target);
    plan.target = Some(target);
    plan.target_reason = reason;
    let ctx = context::Context::new(index, cfg, target)?;
    jobs::plan(&ctx, &mut plan)?;
    sources::serving::warn(&ctx, &mut plan);
    sources::pod_annotations::warn(&ctx, &mut plan);
    gates::plan(&ctx, &mut plan)?;
    jobs::gitops::stale::drop_groups(&ctx, &mut plan);
    sources::extract::tidy(&ctx, &mut plan);
    jobs::gitops::stale::drop_emptied_annotations(&ctx, &mut plan);
    Ok(plan)
}

/// The target in force, and why.
fn resolve_target(index: &Index<'_>, asked: Target) -> (Target, String) {
    match asked {
        Target::Auto if index.from_helm4() => (
            Target::Hooks,
            "auto: the input carries Helm 4's postrender-filename annotation, so Helm 4 runs hooks".into(),
        ),
        Target::Auto => (
            Target::Gitops,
            "auto: no Helm 4 filename annotation in the input (Helm 3, kustomize or a plain stream): a regular Job with wait gates".into(),
        ),
        t => (
            t,
            format!(
                "--target {}",
                if t == Target::Hooks { "hooks" } else { "gitops" }
            ),
        ),
    }
}
