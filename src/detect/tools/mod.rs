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
    /// Word sequences that migrate and then serve (a long-running app process;
    /// `""`: the program alone, with no more words).
    pub serves: &'static [&'static str],
    /// Image repositories (globs) whose entrypoint is this tool.
    pub images: &'static [&'static str],
    /// The command that exits non-zero while migrations are pending.
    pub check: Option<&'static str>,
    /// For a tool whose serving command migrates first: the command that only
    /// migrates, then exits (what PM011 advises a Job to run).
    pub migrate_only: Option<&'static str>,
    /// Whether its start-up migration takes a database lock, so that one pod
    /// migrates at a time (PM011 says so).
    pub locked: bool,
    /// Word sequences that run a process that never opens the database
    /// (Concourse's `worker`): a workload running only such a container
    /// shares the migration's image, not its database, and is not gated for it.
    pub no_database: &'static [&'static str],
    /// Its start migrates whatever env switch the chart sets (a switch of
    /// another image's spelling: Pixelfed's `DB_APPLY_NEW_MIGRATIONS_AUTOMATICALLY`,
    /// which only the official image's scripts read).
    pub ignores_switches: bool,
    /// The image's own start written out as a command (Planka's `bash
    /// start.sh`): a container of the row's image that runs it runs the
    /// image's start, as one with no command does.
    pub image_cmd: &'static [&'static str],
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
        migrate_only: None,
        locked: false,
        no_database: &[],
        ignores_switches: false,
        image_cmd: &[],
    }
}

/// The tool named `name` (as a verdict names it).
pub fn named(name: &str) -> Option<&'static Tool> {
    all().find(|t| t.name == name)
}

/// The command that only migrates, of the tool named `name` (see [`Tool::migrate_only`]).
pub fn migrate_only(name: &str) -> Option<&'static str> {
    named(name).and_then(|t| t.migrate_only)
}

mod app_clis;
mod apps;
mod frameworks;
mod start_images;
mod start_up;

pub use app_clis::APP_CLIS;
pub use apps::APPS;
pub use frameworks::FRAMEWORKS;
pub use start_images::START_IMAGES;
pub use start_up::START_UP;

/// Every known tool, frameworks first, then app CLIs, then the app images
/// and CLIs of [`START_UP`]; within each, most specific first.
pub fn all() -> impl Iterator<Item = &'static Tool> {
    FRAMEWORKS
        .iter()
        .chain(APPS)
        .chain(APP_CLIS)
        .chain(START_UP)
        .chain(START_IMAGES)
}

/// The tools a program word names, in table order: those with a program
/// pattern that matches the word, or a long plain one (6 characters or more)
/// equal to one of its segments (`app-migrate` names `migrate` tools only
/// through that rule's length). Every command of every container is looked up,
/// so plain names come from a map and only the patterns with `*` or `?` are
/// matched one by one.
///
/// Only the segments of [`NAMING_PART`] bytes or more are read: a caller may pass
/// just those.
pub fn named_by(word: &str, segments: &[crate::yaml::value::Text]) -> Vec<&'static Tool> {
    let index = program_index();
    let mut found: Vec<usize> = Vec::new();
    found.extend(index.plain.get(word).into_iter().flatten());
    for s in segments.iter().filter(|s| s.len() >= NAMING_PART) {
        found.extend(index.plain.get(s.as_str()).into_iter().flatten());
    }
    for &(g, t) in &index.patterns {
        let literal_segment =
            g.len() >= NAMING_PART && !g.contains('*') && segments.iter().any(|s| s == g);
        if super::words::glob(g, word) || literal_segment {
            found.push(t);
        }
    }
    found.sort_unstable();
    found.dedup();
    found.into_iter().map(|t| index.tools[t]).collect()
}

/// The shortest segment that names a tool by itself (`app-migrate` does not name
/// `migrate`).
pub const NAMING_PART: usize = 6;

/// The tool table indexed by program name.
struct ProgramIndex {
    tools: Vec<&'static Tool>,
    /// Plain program names → tools (indices into `tools`).
    plain: std::collections::HashMap<&'static str, Vec<usize>, FastHash>,
    /// Program patterns with `*` or `?`, with their tool.
    patterns: Vec<(&'static str, usize)>,
}

/// FxHash (rustc's) for the index: its keys are the table's own, so nothing
/// needs guarding against chosen keys, and SipHash cost more than the rest of a
/// lookup of a short word.
type FastHash = std::hash::BuildHasherDefault<Fx>;

#[derive(Default)]
struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn program_index() -> &'static ProgramIndex {
    static INDEX: std::sync::OnceLock<ProgramIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let tools: Vec<&'static Tool> = all().collect();
        let mut plain: std::collections::HashMap<_, Vec<usize>, FastHash> = Default::default();
        let mut patterns = Vec::new();
        for (t, tool) in tools.iter().enumerate() {
            for &g in tool.programs {
                match g.contains(['*', '?']) {
                    true => patterns.push((g, t)),
                    false => plain.entry(g).or_default().push(t),
                }
            }
        }
        ProgramIndex {
            tools,
            plain,
            patterns,
        }
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::words::{glob, segments};

    /// The index names the same tools as trying every row's patterns.
    #[test]
    fn program_index_names_what_the_table_does() {
        let mut words: Vec<String> = [
            "",
            "serve",
            "app-migrate",
            "my-flyway-runner",
            "python3",
            "x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for t in all() {
            for g in t.programs {
                words.push(g.to_string());
                words.push(g.replace(['*', '?'], "x"));
                words.push(format!("acme-{}", g.replace('*', "")));
                words.push(format!("{}-ctl", g.replace('*', "a")));
            }
        }
        for w in &words {
            let segs = segments(w);
            let want: Vec<&str> = all()
                .filter(|t| {
                    t.programs.iter().any(|g| {
                        glob(g, w)
                            || (g.len() >= 6 && !g.contains('*') && segs.iter().any(|s| s == g))
                    })
                })
                .map(|t| t.name)
                .collect();
            let got: Vec<&str> = named_by(w, &segs).iter().map(|t| t.name).collect();
            assert_eq!(got, want, "{w:?}");
        }
    }
}
