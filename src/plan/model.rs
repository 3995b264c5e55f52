//! The plan: everything premigrate will do to a stream, with reasons, as data.
//! Data only: `plan::build` fills it, `explain` and `apply` read it.

use std::collections::BTreeMap;

use crate::config::Target;
use crate::detect::Match;
use crate::k8s::RefKind;
use crate::yaml::edit::Edit;

use crate::diag::codes::Code;
pub use crate::diag::codes::Severity;

/// A finding for the user, tied to a document when there is one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Note {
    /// How serious.
    pub severity: Severity,
    /// A stable code, e.g. `PM003`.
    pub code: &'static str,
    /// The document (0-based index) it is about.
    pub doc: Option<usize>,
    /// What happened and why.
    pub message: String,
}

/// When a migration runs relative to the workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Before the workloads (expand, or a plain migration).
    Pre,
    /// After the workloads (the contract step of an expand/contract migration).
    Post,
}

/// Where a migration Job came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Origin {
    /// A Job in the stream.
    Job,
    /// Extracted from init containers of these workloads.
    Extracted {
        /// `Kind/name` of each workload that carried it.
        from: Vec<String>,
    },
    /// Generated from a workload with a command.
    Generated {
        /// `Kind/name` of the workload.
        from: String,
    },
}

/// Something a migration Job uses.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dependency {
    /// Its kind.
    pub kind: RefKind,
    /// Its name.
    pub name: String,
    /// The document that defines it, when the stream does.
    pub doc: Option<usize>,
    /// The document that defines it as a Helm hook, when only a hook does:
    /// Helm (or the engine's hook mapping) creates it, premigrate orders nothing by it.
    pub hook: Option<usize>,
}

/// A migration premigrate found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Migration {
    /// The Job's document (for a new Job: the document it derives from).
    pub doc: usize,
    /// Where it came from.
    pub origin: Origin,
    /// Why it is a migration.
    pub matched: Match,
    /// Its namespace as written ("" when the release namespace applies).
    pub namespace: String,
    /// The name before hashing.
    pub original_name: String,
    /// The content hash.
    pub hash: String,
    /// The new name.
    pub name: String,
    /// Pre or post.
    pub phase: Phase,
    /// What it uses.
    pub uses: Vec<Dependency>,
    /// Argo CD wave given to the Job (gitops).
    pub wave: Option<i64>,
    /// The Job's pod spec as the chart wrote it (references not yet pointed at hook copies).
    #[serde(skip)]
    pub pod: crate::yaml::Value,
    /// Workload documents it came from (extracted from their init containers, or generated from them): they always wait for it.
    #[serde(skip)]
    pub carriers: Vec<usize>,
    /// Why it is in its phase.
    pub phase_reason: String,
    /// Its place in the sequence of migrations of its phase (0 runs first).
    pub rank: usize,
    /// Migrations (original names) that complete before it starts.
    pub after: Vec<String>,
    /// Whether it is a Helm hook in the output (else a regular resource).
    pub hook: bool,
    /// Why it is a hook or a regular resource.
    pub form_reason: String,
    /// The data services it needs (documents), with why.
    pub needs: Vec<(usize, String)>,
}

/// A change to one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The edit.
    pub edit: Edit,
    /// Why, in words.
    pub why: String,
}

/// A document premigrate adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// Its full text (starting with `---`).
    pub text: String,
    /// `Kind/name`.
    pub object: String,
    /// The document it derives from (placed before it unless moved).
    pub derived_from: usize,
    /// The document it goes just before.
    pub before: usize,
    /// Why.
    pub why: String,
    /// For a hook copy: its hook events and weight.
    pub hook: Option<(String, i64)>,
    /// Documents of the stream it goes ahead of too, wherever they are moved
    /// (the stream's migration Jobs that run after a Job premigrate builds).
    pub ahead_of: Vec<usize>,
}

/// `Move::before` for "to the end of the stream".
pub const END: usize = usize::MAX;

/// A document moved ahead of another (or to the end: [`END`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// The document that moves.
    pub doc: usize,
    /// The document it goes just before.
    pub before: usize,
    /// Why.
    pub why: String,
}

/// A gate premigrate adds to a workload.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Gate {
    /// The workload's document.
    pub doc: usize,
    /// `Kind/name`.
    pub workload: String,
    /// The Job names it waits for.
    pub jobs: Vec<String>,
    /// Why this workload.
    pub why: String,
}

/// Everything premigrate will do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The target in force.
    pub target: Option<Target>,
    /// Why that target.
    pub target_reason: String,
    /// The migrations found.
    pub migrations: Vec<Migration>,
    /// Edits per document.
    pub changes: BTreeMap<usize, Vec<Change>>,
    /// Documents added.
    pub added: Vec<Added>,
    /// Documents moved.
    pub moves: Vec<Move>,
    /// Documents dropped (premigrate's own output from an earlier run, regenerated).
    pub removed: Vec<usize>,
    /// Gates added.
    pub gates: Vec<Gate>,
    /// Findings.
    pub notes: Vec<Note>,
    /// The release's data services (databases, caches, brokers a migration needs)
    /// with why: never gated, ordered before every migration.
    pub data_services: BTreeMap<usize, String>,
    /// Documents that data services use (their config), ordered with them.
    pub data_support: BTreeMap<usize, String>,
    /// Apps of the release a migration needs running that wait for a
    /// migration of their own (and their Services): needed, never gated on
    /// that migration, and left in their own Argo CD wave.
    pub apps_needed: std::collections::BTreeSet<usize>,
    /// Workloads the chart gates on a migration itself (an init container that
    /// waits for the Job or checks the migrations), with how: premigrate keeps
    /// that gate and adds none. One entry per workload and migration.
    pub chart_gates: Vec<(usize, String)>,
    /// The deadlock check's verdict per engine (filled once the stream is written).
    pub verdicts: Vec<Verdict>,
}

/// The deadlock check's verdict for one engine.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verdict {
    /// The engine modelled.
    pub engine: crate::plan::graph::deadlock::Engine,
    /// What hangs, if anything.
    pub deadlock: Option<crate::plan::graph::deadlock::Deadlock>,
    /// The chart hangs there without premigrate too.
    pub inherited: bool,
}

impl Plan {
    /// Records an edit of a document.
    pub fn change(&mut self, doc: usize, edit: Edit, why: impl Into<String>) {
        let list = self.changes.entry(doc).or_default();
        if !list.iter().any(|c| c.edit == edit) {
            list.push(Change {
                edit,
                why: why.into(),
            });
        }
    }

    /// Records a note.
    pub fn note(&mut self, code: Code, doc: Option<usize>, message: impl Into<String>) {
        self.notes.push(Note {
            severity: code.severity,
            code: code.code,
            doc,
            message: message.into(),
        });
    }

    /// Whether the plan changes nothing.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
            && self.added.is_empty()
            && self.moves.is_empty()
            && self.removed.is_empty()
    }
}
