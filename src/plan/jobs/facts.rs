//! What the Job passes share: the Job being planned as facts computed once,
//! the stream's workloads, and the edits a pass makes to the Job itself.

use crate::detect::Match;
use crate::plan::context::{annotation_edit, Context};
use crate::plan::model::Phase;
use crate::plan::sources::derive::NewJob;
use crate::yaml::edit::Edit;
use crate::yaml::Value;

/// The Job a migration is planned for: a document of the stream, or one premigrate builds.
pub(crate) struct Subject<'s> {
    /// The Job's document, or the workload a new Job derives from.
    pub(crate) doc: usize,
    /// The Job's value.
    pub(crate) value: &'s Value,
    /// Its current `metadata.name`.
    pub(crate) name: String,
    /// The new Job, when premigrate builds it.
    pub(crate) new: Option<&'s NewJob>,
}

/// The workloads of the stream (not migrations), in stream order, and the range
/// of the Argo CD waves they carry (widened to include 0).
pub(crate) struct Workloads {
    /// Their documents.
    pub(crate) docs: Vec<usize>,
    /// The lowest wave, at most 0.
    pub(crate) min_wave: i64,
    /// The highest wave, at least 0.
    pub(crate) max_wave: i64,
}

/// One migration Job's facts, computed once; every pass reads them.
pub(crate) struct JobFacts<'s> {
    /// The Job's document, or the workload a new Job derives from.
    pub(crate) doc: usize,
    /// The Job's value.
    pub(crate) value: &'s Value,
    /// The new Job, when premigrate builds it.
    pub(crate) new: Option<&'s NewJob>,
    /// Why it is a migration.
    pub(crate) matched: Match,
    /// Its Helm hook events, when the chart made it a hook.
    pub(crate) events: Option<Vec<String>>,
    /// Its namespace as written.
    pub(crate) ns: String,
    /// Its current `metadata.name`.
    pub(crate) current_name: String,
    /// The name before hashing.
    pub(crate) original: String,
    /// Pre or post.
    pub(crate) phase: Phase,
    /// Its pod spec.
    pub(crate) pod: &'s Value,
    /// `Kind/name` for messages.
    pub(crate) object: String,
    /// Its place in the release graph.
    pub(crate) place: crate::plan::jobs::order::Place,
    /// Whether it becomes (or stays) a Helm hook.
    pub(crate) hook: bool,
}

impl<'s> JobFacts<'s> {
    /// The facts of a Job with a pod spec; `None` when it has none.
    pub(crate) fn new(
        ctx: &Context<'_>,
        subject: Subject<'s>,
        matched: Match,
        events: Option<Vec<String>>,
        place: crate::plan::jobs::order::Place,
    ) -> Option<JobFacts<'s>> {
        let v = subject.value;
        let original = crate::plan::jobs::names::original_of(ctx, v)
            .unwrap_or_else(|| crate::plan::jobs::hash::unstamped(&subject.name).to_string());
        let phase = place.phase;
        let pod = v.at(crate::k8s::POD_TEMPLATE_SPEC)?;
        let object = match subject.new {
            Some(_) => format!("Job/{original}"),
            None => ctx.object(subject.doc),
        };
        Some(JobFacts {
            doc: subject.doc,
            value: v,
            new: subject.new,
            matched,
            events,
            ns: crate::plan::context::namespace(v),
            current_name: subject.name,
            original,
            phase,
            pod,
            object,
            hook: place.hookable.is_ok(),
            place,
        })
    }
}

/// Edits of the Job itself, with reasons: planned on a stream document, or
/// applied at once to a Job premigrate builds.
pub(crate) type JobEdits = Vec<(Edit, String)>;

/// Adds setting an annotation of the Job unless it already has that value.
pub(crate) fn job_annotation(edits: &mut JobEdits, v: &Value, key: &str, value: &str, why: &str) {
    edits.extend(annotation_edit(v, key, value, why));
}
