//! premigrate: rewrites rendered Kubernetes manifests so that database migrations run once per change.

pub mod apply;
pub mod config;
pub mod derive;
pub mod detect;
pub mod diag;
pub mod engines;
pub mod explain;
pub mod extract;
pub mod flux;
pub mod gates;
pub mod generate;
pub mod graph;
pub mod hash;
pub mod index;
pub mod k8s;
pub mod krm;
pub mod kustomize_plugin;
pub mod migrations;
pub mod plan;
pub mod policy;
pub mod shell;
pub mod stream;
pub mod yaml;

pub use config::Config;
pub use diag::Error;
pub use plan::Plan;

/// The result of a rewrite: the new stream and the plan that made it.
pub struct Output {
    /// The rewritten stream.
    pub stream: Vec<u8>,
    /// What was done and why.
    pub plan: Plan,
    /// The plan in words.
    pub explanation: String,
}

/// The post-renderer contract: bytes in, bytes out, or one clear error.
pub fn rewrite(input: &[u8], cfg: &Config) -> Result<Output, Error> {
    let index = index::Index::build(input)?;
    let plan = plan::build(&index, cfg)?;
    let explanation = explain::text(&index, &plan);
    let stream = if plan.is_empty() {
        input.to_vec()
    } else {
        apply::apply(&index, &plan)?.into_bytes()
    };
    Ok(Output {
        stream,
        plan,
        explanation,
    })
}
pub mod cli;
pub mod demo;
pub mod helm_plugin;
