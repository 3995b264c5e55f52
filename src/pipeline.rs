//! The pipeline, assembled in one place: bytes → stream → index → plan → apply
//! → bytes. [`rewrite`] returns the new stream with the plan that made it and,
//! for every output document, where it came from; [`explain`] renders the plan.

use crate::apply::Source;
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
    /// For each document of `stream`, in order: the input document it is (changed
    /// or not), or the added document (an index into `plan.added`).
    pub sources: Vec<Source>,
}

/// The post-renderer contract: bytes in, bytes out, or one clear error.
pub fn rewrite(input: &[u8], cfg: &Config) -> Result<Output, Error> {
    run(input, cfg, |index, plan, (stream, sources)| {
        let explanation = crate::explain::text(index, &plan);
        let stream = stream.unwrap_or_else(|| input.to_vec());
        debug_assert_eq!(
            crate::stream::Stream::split(&stream)
                .map(|s| s.docs.len())
                .ok(),
            Some(sources.len()),
            "one source per output document"
        );
        Output {
            stream,
            plan,
            explanation,
            sources,
        }
    })
}

/// `premigrate explain`: the plan as `text`, `json` or `mermaid`. It fails where the rewrite would.
pub fn explain(input: &[u8], cfg: &Config, format: &str) -> Result<String, Error> {
    run(input, cfg, |index, plan, _| match format {
        "json" => {
            serde_json::to_string_pretty(&crate::explain::json(index, &plan)).unwrap_or_default()
                + "\n"
        }
        "mermaid" => crate::explain::mermaid(index, &plan),
        _ => crate::explain::text(index, &plan),
    })
}

/// Builds the plan only (no output stream), then runs `finish` with the index and the plan.
pub fn plan<T>(
    input: &[u8],
    cfg: &Config,
    finish: impl FnOnce(&Index<'_>, Plan) -> Result<T, Error>,
) -> Result<T, Error> {
    let index = Index::build(input)?;
    let plan = crate::plan::build(&index, cfg)?;
    finish(&index, plan)
}

/// Runs every stage, then `finish` with the index, the plan and the applied
/// stream (`None`: the plan changes nothing, the stream is the input) with its sources.
fn run<T>(
    input: &[u8],
    cfg: &Config,
    finish: impl FnOnce(&Index<'_>, Plan, (Option<Vec<u8>>, Vec<Source>)) -> T,
) -> Result<T, Error> {
    let index = Index::build(input)?;
    let mut plan = crate::plan::build(&index, cfg)?;
    let applied = if plan.is_empty() {
        (None, crate::apply::unchanged(&index))
    } else {
        let a = crate::apply::apply(&index, &plan)?;
        // The deadlock check reads what was written: it refuses a stream that would hang.
        crate::plan::graph::verdicts(&index, (&a.sources, &a.readings), &mut plan)?;
        (Some(a.text.into_bytes()), a.sources)
    };
    Ok(finish(&index, plan, applied))
}
