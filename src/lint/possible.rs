//! Possible migrations: Jobs that look like migrations but that no detection
//! rule confirmed, for rule PM514. Each source is a [`Detector`]; the lint
//! runs all of [`DETECTORS`]. Detection's own "possible" list plugs in as one
//! more detector (e.g. reading it from `plan.notes`), with no change to the rule.

use crate::detect::{no_scripts, Rules};
use crate::index::Index;
use crate::plan::graph::roles::peek;
use crate::plan::Plan;
use crate::yaml::Value;

/// A Job that may be a migration.
#[derive(Debug, Clone, PartialEq)]
pub struct Possible {
    /// Its document.
    pub doc: usize,
    /// Why it looks like one.
    pub why: String,
    /// What would confirm it (a flag or an annotation).
    pub confirm: String,
}

/// A source of possible migrations.
pub trait Detector: Sync {
    /// The possible migrations of an indexed stream, given the plan (whose
    /// migrations are confirmed ones).
    fn possible(&self, index: &Index<'_>, plan: &Plan) -> Vec<Possible>;
}

/// Jobs whose name or command speaks of a database or a schema.
pub struct ByWords;

/// The plan's own notes of possible migrations (detection's `PM010`, "possibly a
/// migration, not acted on: WHY"), once detection records them.
pub struct FromNotes {
    /// The code of those notes.
    pub code: &'static str,
}

/// Every detector the lint runs; the first to name a document wins.
pub const DETECTORS: &[&dyn Detector] = &[&FromNotes { code: "PM010" }, &ByWords];

impl Detector for FromNotes {
    fn possible(&self, index: &Index<'_>, plan: &Plan) -> Vec<Possible> {
        plan.notes
            .iter()
            .filter(|n| n.code == self.code)
            // Not an init container extraction left in place on purpose: it is
            // no Job, and neither advice below would change it.
            .filter(|n| n.message.contains("possibly a migration"))
            .filter_map(|n| {
                let doc = n.doc?;
                let name = index.entries[doc].info.name.clone().unwrap_or_default();
                let why = note_reason(&n.message);
                Some(Possible {
                    doc,
                    why: why.to_string(),
                    confirm: format!(
                        "annotate it `premigrate.io/migration: \"true\"` or pass `--job {name}`"
                    ),
                })
            })
            .collect()
    }
}

/// The reason of a PM010 note (`Job/x: possibly a migration, not acted on
/// (WHY; to act on it: …)`), without the advice, which the rule gives its own way.
fn note_reason(message: &str) -> &str {
    let why = match message.split_once("not acted on (") {
        Some((_, w)) => w.strip_suffix(')').unwrap_or(w),
        None => message
            .split_once("not acted on: ")
            .map_or(message, |(_, w)| w),
    };
    why.split_once("; to act on it:").map_or(why, |(w, _)| w)
}

/// Name parts that suggest schema work.
const NAME_WORDS: &[&str] = &[
    "db", "database", "schema", "dbsync", "seed", "seeder", "dbinit",
];
/// Command fragments that suggest schema work.
const COMMAND_WORDS: &[&str] = &[
    "db_sync",
    "db-sync",
    "dbsync",
    "upgradedb",
    "upgrade-db",
    "schema",
    "db upgrade",
    "db init",
];

impl Detector for ByWords {
    fn possible(&self, index: &Index<'_>, plan: &Plan) -> Vec<Possible> {
        let mut out = Vec::new();
        for (i, e) in index.entries.iter().enumerate() {
            if e.info.kind.as_deref() != Some("Job") || plan.migrations.iter().any(|m| m.doc == i) {
                continue;
            }
            let Some(v) = peek(index, i) else { continue };
            let ann = |k: &str| {
                v.at(&["metadata", "annotations", k])
                    .and_then(Value::as_str)
            };
            let events = crate::plan::jobs::find::hook_events(&v);
            if ann("premigrate.io/migration").is_some()
                || ann("helm.sh/hook").is_some_and(|h| h.contains("test"))
                || crate::plan::jobs::find::lifecycle_only(events.as_deref())
            {
                continue;
            }
            let name = e.info.name.clone().unwrap_or_default();
            let why = name_word(&name)
                .map(|w| format!("its name `{name}` has `{w}`"))
                .or_else(|| command_word(&v).map(|w| format!("its command mentions `{w}`")));
            if let Some(why) = why {
                out.push(Possible {
                    doc: i,
                    why,
                    confirm: format!(
                        "annotate it `premigrate.io/migration: \"true\"` or pass `--job {name}`"
                    ),
                });
            }
        }
        out
    }
}

fn name_word(name: &str) -> Option<&'static str> {
    let parts: Vec<String> = name
        .split(['-', '_', '.'])
        .map(str::to_ascii_lowercase)
        .collect();
    NAME_WORDS
        .iter()
        .copied()
        .find(|w| parts.iter().any(|p| p == w))
}

fn command_word(job: &Value) -> Option<&'static str> {
    let pod = job.at(&["spec", "template", "spec"])?;
    let text: String = crate::k8s::containers(pod)
        .map(|c| {
            crate::detect::command_line(c)
                .join(" ")
                .to_ascii_lowercase()
        })
        .collect::<Vec<_>>()
        .join(" ");
    COMMAND_WORDS.iter().copied().find(|w| text.contains(w))
}

/// Every detector's possible migrations, one per document; none the user's
/// patterns exclude (`--not-migration`).
pub fn unconfirmed(index: &Index<'_>, plan: &Plan, rules: &Rules) -> Vec<Possible> {
    let mut out: Vec<Possible> = Vec::new();
    for d in DETECTORS {
        for p in d.possible(index, plan) {
            if !out.iter().any(|o| o.doc == p.doc) && !excluded(index, p.doc, rules) {
                out.push(p);
            }
        }
    }
    out
}

/// Whether the user's patterns say a Job is never a migration.
fn excluded(index: &Index<'_>, doc: usize, rules: &Rules) -> bool {
    if rules.is_empty() {
        return false;
    }
    let Some(v) = peek(index, doc) else {
        return false;
    };
    let name = index.entries[doc].info.name.as_deref().unwrap_or("");
    let pod = v.at(crate::k8s::POD_TEMPLATE_SPEC).unwrap_or(&Value::Null);
    crate::detect::classify_job_with(name, pod, None, false, &no_scripts, rules).is_excluded()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use crate::plan::Note;

    #[test]
    fn detections_possible_notes_feed_the_rule() {
        let input = b"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: app-setup\n";
        let index = Index::build(input).unwrap();
        let mut plan = Plan::default();
        plan.notes.push(Note {
            severity: Severity::Info,
            code: "PM010",
            doc: Some(0),
            message: "Job/app-setup: possibly a migration, not acted on: a post-install hook running `setup.sh`".into(),
        });
        let found = unconfirmed(&index, &plan, &Rules::new());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].why, "a post-install hook running `setup.sh`");
        assert!(found[0].confirm.contains("--job app-setup"));
        // The note's own wording: the reason in parentheses, its advice cut.
        let note = "Job/x: possibly a migration, not acted on (Helm hook `pre-install`; to act on it: --job x (or the annotation y))";
        assert_eq!(note_reason(note), "Helm hook `pre-install`");
    }

    /// An init container extraction leaves in place on purpose is no possible
    /// Job: neither the annotation nor `--job` would change it (Label Studio's
    /// `db-migrations` mounting the app's ReadWriteOnce claim).
    #[test]
    fn an_init_container_left_in_place_is_not_a_possible_job() {
        let input = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n";
        let index = Index::build(input).unwrap();
        let mut plan = Plan::default();
        plan.notes.push(Note {
            severity: Severity::Info,
            code: "PM010",
            doc: Some(0),
            message: "Deployment/app: container `db-migrations` runs `migrate` is left in place, not made a Job: it mounts claim data (ReadWriteOnce)".into(),
        });
        assert!(unconfirmed(&index, &plan, &Rules::new()).is_empty());
    }
}
