//! What detection finds about one command: what it does, by which rule, and
//! where in its script it sits.

/// What a command was found to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Does {
    /// Migrates.
    Migrate,
    /// Migrates, then runs the app (a long-running process).
    MigrateThenServe,
    /// Checks for pending migrations.
    Check,
    /// Waits for something (a database, a Job, migrations).
    Wait,
    /// Runs a server or other long-running process.
    Serve,
    /// Runs a known tool for something else (generate, roll back, …).
    Other,
}

/// Which rule found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A row of the tool table.
    Tool,
    /// An application CLI's migrate verb.
    Verb,
    /// The program's or script's name.
    ScriptName,
    /// SQL DDL through a database client.
    Sql,
    /// A user pattern.
    User,
    /// A known waiting program or a wait loop.
    Wait,
    /// A server process.
    Serve,
}

/// One finding about one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it does.
    pub does: Does,
    /// Which rule said so.
    pub rule: Rule,
    /// The tool, when a table row matched.
    pub tool: Option<&'static str>,
    /// The tool's check command.
    pub check: Option<&'static str>,
    /// The command, as found.
    pub command: String,
    /// The script it came from, when it came from a mounted script.
    pub script: Option<String>,
    /// The `case` arms of its outermost script it sits in (see [`super::script::Cmd::arms`]):
    /// a command of another arm of the same `case` never runs after it.
    pub arms: Vec<(u32, u32)>,
    /// It was run with `exec`: nothing after it in its script runs.
    pub exec: bool,
    /// Which simple command of the outermost script it comes from: findings
    /// of one command (a script it runs) follow one another.
    pub step: usize,
}

impl Finding {
    /// Whether `later`, found after this one, can run after it: not after an
    /// `exec` of another command (the shell is gone), nor in another arm of
    /// one `case`. Findings of one command follow one another.
    pub fn may_precede(&self, later: &Finding) -> bool {
        let other_arm = self
            .arms
            .iter()
            .any(|(id, arm)| later.arms.iter().any(|(i, a)| i == id && a != arm));
        self.step == later.step || (!self.exec && !other_arm)
    }
}
