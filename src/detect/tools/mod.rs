//! The migration tools and application CLIs premigrate knows, as data.
//!
//! Each row names the programs that start the tool, the word sequences after the
//! program that make it migrate, check, or do something else, the images whose
//! entrypoint is the tool, and the command that checks for pending migrations
//! (exit status non-zero while some are pending) where the tool has one. Words are
//! compared lowercased; each word of a pattern is a glob (`*`, `?`); a sequence
//! matches when its words follow the program in order (other words may sit
//! between). The README's tool table is generated from this one.

/// One tool or application CLI.
#[derive(Debug)]
pub struct Tool {
    /// Its name, as reports show it.
    pub name: &'static str,
    /// Program names (basename, lowercased, script extension dropped; globs).
    pub programs: &'static [&'static str],
    /// Word sequences that make it migrate (`""`: the program alone migrates).
    pub migrate: &'static [&'static str],
    /// Word sequences that make it check for pending migrations (never a migration).
    pub checks: &'static [&'static str],
    /// Word sequences that make it do something else (generate, roll back, create, …).
    pub not: &'static [&'static str],
    /// Word sequences that migrate and then serve (a long-running app process).
    pub serves: &'static [&'static str],
    /// Image repositories (globs) whose entrypoint is this tool.
    pub images: &'static [&'static str],
    /// The command that exits non-zero while migrations are pending.
    pub check: Option<&'static str>,
}

pub(super) const fn tool(name: &'static str, programs: &'static [&'static str]) -> Tool {
    Tool {
        name,
        programs,
        migrate: &[],
        checks: &[],
        not: &[],
        serves: &[],
        images: &[],
        check: None,
    }
}

mod apps;
mod frameworks;

pub use apps::APPS;
pub use frameworks::FRAMEWORKS;

/// Every known tool, frameworks first, then app CLIs; within each, most specific first.
pub fn all() -> impl Iterator<Item = &'static Tool> {
    FRAMEWORKS.iter().chain(APPS)
}

/// The tool table as Markdown, for the README: tool, programs, what migrates, what
/// checks or does something else, the check command.
pub fn tools_markdown() -> String {
    let code = |v: &[&str]| {
        v.iter()
            .map(|s| {
                if s.is_empty() {
                    "(alone)".to_string()
                } else {
                    format!("`{s}`")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from(
        "| tool | programs (and images) | migrates | never a migration | check |\n|---|---|---|---|---|\n",
    );
    for t in all() {
        let progs = [t.programs, t.images].concat();
        let never = [t.checks, t.not].concat();
        let migrates = [t.migrate, t.serves].concat();
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            t.name,
            code(&progs),
            code(&migrates),
            code(&never),
            t.check.map(|c| format!("`{c}`")).unwrap_or_default()
        ));
    }
    out
}
