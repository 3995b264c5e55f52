//! The pipeline, assembled in one place: bytes in, bytes out, with the plan that made them.

use crate::config::Config;
use crate::diag::Error;
use crate::index::Index;
use crate::plan::Plan;

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
    let index = Index::build(input)?;
    let mut plan = crate::plan::build(&index, cfg)?;
    let stream = if plan.is_empty() {
        input.to_vec()
    } else {
        crate::apply::apply(&index, &plan)?.into_bytes()
    };
    crate::plan::graph::verdicts(&index, &stream, &mut plan)?;
    let explanation = crate::explain::text(&index, &plan);
    Ok(Output {
        stream,
        plan,
        explanation,
    })
}
