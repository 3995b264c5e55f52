//! Why one object of the release waits for another, as the deadlock check
//! keeps it: data, put in words only when a hang is reported.

use crate::yaml::value::Text;

/// Why an object waits for another. Kept as data and put in words only for a
/// hang's report: a big stream's model holds one per wait (25k Deployments:
/// ~100k), and formatting each up front was 2% of a run and ~8 MB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Its init container (named) waits for the Job.
    Gate(Text),
    /// Its init container (named) checks that the migrations are applied.
    Check(Text),
    /// Its pods use the object (a ConfigMap, Secret, ServiceAccount).
    Uses,
    /// A reason given in words (a migration's needs).
    Said(String),
}

impl Why {
    /// The reason in words, given the label (`Kind/name`) of the object waited for.
    pub fn words(&self, on: &str) -> String {
        let (kind, name) = on.split_once('/').unwrap_or(("?", on));
        match self {
            Why::Gate(c) => format!("init container {c} waits for {kind} {name}"),
            Why::Check(c) => format!("init container {c} waits until the migrations are applied"),
            Why::Uses => format!("its pods use {kind} {name}"),
            Why::Said(s) => s.clone(),
        }
    }
}

impl From<&str> for Why {
    fn from(s: &str) -> Why {
        Why::Said(s.to_string())
    }
}
