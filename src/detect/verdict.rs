//! Verdicts: what a container or a Job is, how sure detection is, and the signals
//! that say so.

use std::fmt;

/// What a container or Job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Migrates the database (or creates its schema), then ends.
    Migration,
    /// An app container that migrates and then serves (`migrate && exec server`, or an
    /// env switch such as `RUN_MIGRATIONS=true`): every replica races; worth a warning.
    MigratesThenServes,
    /// Checks whether migrations are pending (`migrate --check`, `status`).
    Check,
    /// Waits for a database, a Job or migrations.
    Waiter,
    /// Anything else.
    Other,
}

/// How sure detection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Reported only (`--explain`, warnings), with the flag that would confirm it.
    Possible,
    /// A known tool or app verb, a migrator image, a migration script, a hook Job with
    /// the app's credentials and a schema-ish name: acted on.
    Likely,
    /// Said by the user: annotation, flag, selector, pattern.
    Certain,
}

/// What kind of evidence a signal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// A user pattern matched.
    User,
    /// A command of a known tool or an app CLI's migrate verb.
    Command,
    /// A script read from the stream (ConfigMap/Secret) or named like a migration.
    Script,
    /// SQL DDL through a database client.
    Sql,
    /// The image (a migrator image run by its entrypoint).
    Image,
    /// An env switch (`RUN_MIGRATIONS=true`).
    Env,
    /// The name of the Job or container.
    Name,
    /// The Helm hook events.
    Hook,
    /// Reads the same database credentials as the app's workloads.
    Credentials,
    /// A check command.
    Check,
    /// A wait (loop or waiting program).
    Wait,
    /// A long-running process after the migration.
    Serves,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Signal {
    /// What kind.
    pub kind: SignalKind,
    /// The container it was found in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The evidence, in words.
    pub detail: String,
}

/// What detection concluded about a container or a Job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verdict {
    /// What it does.
    pub kind: Kind,
    /// How sure.
    pub confidence: Confidence,
    /// The tool, when known.
    pub tool: Option<&'static str>,
    /// The evidence.
    pub signals: Vec<Signal>,
    /// The tool's command that exits non-zero while migrations are pending.
    pub check: Option<&'static str>,
    /// The command that migrates, in full, when a command was found to (what
    /// `--migrate` would run instead of the app container).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
}

impl Verdict {
    /// A verdict with no evidence: `Other`, possible.
    pub fn other() -> Verdict {
        Verdict {
            kind: Kind::Other,
            confidence: Confidence::Possible,
            tool: None,
            signals: Vec::new(),
            check: None,
            command: None,
        }
    }

    /// Whether premigrate acts on it as a migration (migration or migrates-then-serves,
    /// likely or certain).
    pub fn is_migration(&self) -> bool {
        matches!(self.kind, Kind::Migration | Kind::MigratesThenServes)
            && self.confidence >= Confidence::Likely
    }

    /// For a possible migration, how the user confirms it: `object` is `Job` or
    /// `init` (an init container), `name` its name.
    pub fn confirm_with(&self, object: &str, name: &str) -> Option<String> {
        if !self.is_possible_migration() {
            return None;
        }
        Some(if object == "init" {
            format!("--extract-init {name} (or the workload annotation premigrate.io/extract-init: {name})")
        } else {
            format!("--job {name} (or the annotation premigrate.io/migration: \"true\")")
        })
    }

    /// Whether a user pattern (`--not-migration`) says it is never a migration:
    /// only a pattern makes a verdict certain.
    pub fn is_excluded(&self) -> bool {
        self.confidence == Confidence::Certain && !self.is_migration()
    }

    /// Whether it is reported as a possible migration without being acted on.
    pub fn is_possible_migration(&self) -> bool {
        matches!(self.kind, Kind::Migration | Kind::MigratesThenServes)
            && self.confidence == Confidence::Possible
    }
}

fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl fmt::Display for Verdict {
    /// The explain form: a headline, then one line per signal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}", word(&self.kind), word(&self.confidence))?;
        if let Some(t) = self.tool {
            write!(f, ", {t}")?;
        }
        write!(f, ")")?;
        if let Some(c) = self.check {
            write!(f, "; check: `{c}`")?;
        }
        for s in &self.signals {
            write!(f, "\n  - {}", word(&s.kind))?;
            if let Some(c) = &s.container {
                write!(f, " [{c}]")?;
            }
            write!(f, ": {}", s.detail)?;
        }
        Ok(())
    }
}
