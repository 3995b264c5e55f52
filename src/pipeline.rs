//! The pipeline, assembled in one place: bytes → stream → index → plan → apply
//! → bytes. [`rewrite`] returns the new stream with the plan that made it and,
//! for every output document, where it came from; [`explain`] renders the plan.

use std::borrow::Cow;

use crate::apply::{Applied, Source};
use crate::config::Config;
use crate::diag::Error;
use crate::index::Index;
use crate::plan::Plan;

/// What the pipeline keeps of an edited document's reading: its draft for the deadlock check.
type Draft = Option<crate::plan::graph::model::Draft>;

/// The result of a rewrite: the new stream and the plan that made it.
pub struct Output<S = Vec<u8>> {
    /// The rewritten stream.
    pub stream: S,
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
    rewrite_in_pieces(input, cfg).map(Rewritten::into_output)
}

/// A rewrite whose stream is not joined into one buffer: the binary writes
/// its pieces (unchanged documents straight from the input) to stdout.
pub struct Rewritten<'i> {
    /// What was done and why.
    pub plan: Plan,
    /// For each output document, in order, where it comes from (see [`Output`]).
    pub sources: Vec<Source>,
    /// The input, when the plan changes nothing (the output is the input).
    input: &'i [u8],
    /// The rewritten stream, when the plan changes something.
    applied: Option<Vec<Cow<'i, str>>>,
    /// The input's byte-order mark.
    bom: bool,
    /// The index the plan was made from: kept so that a caller about to exit
    /// can leave it unfreed (`std::mem::forget`): freeing every parsed value
    /// one by one costs more than the exit (2 ms of 30 on 500 Deployments).
    index: Index<'i>,
}

impl<'i> Rewritten<'i> {
    /// The index the plan was made from.
    pub fn index(&self) -> &Index<'i> {
        &self.index
    }

    /// The plan in words: put in words when asked for (the binary prints it
    /// only with `--explain`).
    pub fn explanation(&self) -> String {
        crate::explain::text(&self.index, &self.plan)
    }

    /// The output stream as pieces to write in order.
    pub fn pieces(&self) -> Vec<&[u8]> {
        pieces(self.input, self.applied.as_deref(), self.bom)
    }

    /// The whole result, the stream in one buffer.
    pub fn into_output(self) -> Output {
        let Output {
            stream,
            plan,
            explanation,
            sources,
        } = self.into_borrowed();
        Output {
            stream: stream.into_owned(),
            plan,
            explanation,
            sources,
        }
    }

    /// The whole result, the stream in one buffer: the input itself when
    /// nothing changed (not a copy of it).
    pub fn into_borrowed(self) -> Output<Cow<'i, [u8]>> {
        let explanation = self.explanation();
        // The index goes first: a big stream's index and its output in one
        // buffer were its peak.
        drop(self.index);
        let stream = match &self.applied {
            None => Cow::Borrowed(self.input),
            _ => Cow::Owned(pieces(self.input, self.applied.as_deref(), self.bom).concat()),
        };
        // An empty text splits into one empty document: an empty output has
        // that one (an empty input, unchanged) or none (all of it removed).
        debug_assert!(
            match crate::stream::Stream::split(&stream) {
                Ok(_) if stream.is_empty() => self.sources.len() <= 1,
                Ok(s) => s.docs.len() == self.sources.len(),
                Err(_) => false,
            },
            "one source per output document"
        );
        Output {
            stream,
            plan: self.plan,
            explanation,
            sources: self.sources,
        }
    }
}

/// The output stream as pieces: the input when nothing changed, else the
/// documents written and their separators.
fn pieces<'a>(input: &'a [u8], applied: Option<&'a [Cow<'_, str>]>, bom: bool) -> Vec<&'a [u8]> {
    match applied {
        None => vec![input],
        Some(docs) => coalesce(
            input,
            crate::stream::join_pieces(bom, docs)
                .into_iter()
                .map(str::as_bytes),
        ),
    }
}

/// The pieces, each run of them that follow one another in `input` (unchanged
/// documents in a row) made one: one write each, not one per document.
fn coalesce<'a>(input: &'a [u8], pieces: impl Iterator<Item = &'a [u8]>) -> Vec<&'a [u8]> {
    let span = input.as_ptr_range();
    // Where a piece lies in the input, if it does.
    let at = |p: &[u8]| {
        let r = p.as_ptr_range();
        (span.start <= r.start && r.end <= span.end).then(|| r.start as usize - span.start as usize)
    };
    let mut out: Vec<&'a [u8]> = Vec::new();
    for p in pieces.filter(|p| !p.is_empty()) {
        let joined = out.last().and_then(|last| {
            let (a, b) = (at(last)?, at(p)?);
            (a + last.len() == b).then(|| &input[a..b + p.len()])
        });
        match joined {
            Some(j) => *out.last_mut().expect("joined to the last piece") = j,
            None => out.push(p),
        }
    }
    out
}

/// [`rewrite`], the stream left in pieces.
pub fn rewrite_in_pieces<'i>(input: &'i [u8], cfg: &Config) -> Result<Rewritten<'i>, Error> {
    run(input, cfg, |index, plan, applied| {
        let (applied, sources) = match applied {
            Some(a) => (Some(a.docs), a.sources),
            None => (None, crate::apply::unchanged(&index)),
        };
        Rewritten {
            plan,
            sources,
            input,
            applied,
            bom: index.stream.bom,
            index,
        }
    })
}

/// `premigrate explain`: the plan as `text`, `json` or `mermaid`. It fails where the rewrite would.
pub fn explain(input: &[u8], cfg: &Config, format: &str) -> Result<String, Error> {
    run(input, cfg, |index, plan, _| match format {
        "json" => {
            serde_json::to_string_pretty(&crate::explain::json(&index, &plan)).unwrap_or_default()
                + "\n"
        }
        "mermaid" => crate::explain::mermaid(&index, &plan),
        _ => crate::explain::text(&index, &plan),
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
/// stream (`None`: the plan changes nothing, the stream is the input).
fn run<'i, T>(
    input: &'i [u8],
    cfg: &Config,
    finish: impl FnOnce(Index<'i>, Plan, Option<Applied<'i, Draft>>) -> T,
) -> Result<T, Error> {
    let index = Index::build(input)?;
    let mut plan = crate::plan::build(&index, cfg)?;
    let applied = if plan.is_empty() {
        crate::plan::graph::hangs_of_the_chart(&index, &mut plan);
        None
    } else {
        let summary = crate::plan::graph::reading_summary(&index, &plan);
        let mut a = crate::apply::apply(&index, &plan, summary)?;
        // The deadlock check reads what was written: it refuses a stream that would hang.
        let drafts = std::mem::take(&mut a.summaries);
        crate::plan::graph::verdicts(&index, (&a.sources, drafts), &mut plan)?;
        Some(a)
    };
    Ok(finish(index, plan, applied))
}

#[cfg(test)]
mod tests {
    use super::coalesce;

    #[test]
    fn pieces_in_a_row_of_the_input_are_written_as_one() {
        // On the heap, as the input is: a literal might share bytes with another.
        let input = b"---\na: 1\n---\nb: 2\n---\nc: 3\n".to_vec();
        let input = input.as_slice();
        let (one, two, three) = (&input[..9], &input[9..18], &input[18..]);
        let sep: &[u8] = b"\n";
        // Two input pieces in a row join; a separator that is not input, an
        // empty piece and a gap in the input do not.
        let out = coalesce(input, [one, two, sep, b"".as_slice(), three].into_iter());
        assert_eq!(out, vec![&input[..18], sep, three]);
        let out = coalesce(input, [one, three].into_iter());
        assert_eq!(out, vec![one, three]);
    }
}
