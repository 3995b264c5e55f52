//! Words and their parts: program names reduced to what identifies them, and the
//! vocabulary that says "migrate", "check", "wait" or "something else".

use crate::yaml::value::Text;

/// A double quote (a named constant keeps quote characters out of char literals).
const DQ: char = '\u{22}';
/// A single quote.
const SQ: char = '\u{27}';

/// Script and binary extensions dropped from program names.
const EXTENSIONS: &[&str] = &[
    ".sh", ".bash", ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".php", ".dll", ".jar", ".exe",
    ".pl",
];

/// A word as detection compares it: lowercased, a path reduced to its basename
/// (URLs are kept whole), surrounding quotes and parentheses dropped.
pub fn norm(w: &str) -> String {
    // On bytes: every character trimmed or split at is ASCII, and the char-pattern
    // searchers cost more than these short words.
    let trim = |c: &u8| matches!(*c as char, DQ | SQ | '(' | ')' | ';');
    let b = w.as_bytes();
    let start = b.iter().position(|c| !trim(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !trim(c)).map_or(start, |e| e + 1);
    let w = &w[start..end];
    let url = w.as_bytes().windows(3).any(|b| b == b"://");
    let base = if url || w.starts_with('$') {
        w
    } else {
        let t = w.trim_end_matches('/');
        t.as_bytes()
            .iter()
            .rposition(|&c| c == b'/')
            .map_or(t, |i| &t[i + 1..])
    };
    base.to_ascii_lowercase()
}

/// Whether a program name (as [`program`] gives it) is a POSIX shell.
pub fn is_shell(program: &str) -> bool {
    matches!(program, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
}

/// A program name: [`norm`] without a script extension.
pub fn program(w: &str) -> String {
    let n = norm(w);
    for ext in EXTENSIONS {
        if let Some(stem) = n.strip_suffix(ext) {
            if !stem.is_empty() {
                return stem.to_string();
            }
        }
    }
    n
}

/// The parts of a name: split at `-`, `_`, `:`, `.`, `/`, blanks and brackets,
/// lowercased. Every command word of every container is split (several times),
/// so a part is an inline string: most are short, and none then allocates.
pub fn segments(w: &str) -> Vec<Text> {
    parts(w).map(lowercase).collect()
}

/// Whether a part of `w` is one of `set` (words in lowercase): `segments(w)`
/// compared without a string made for each part.
pub fn has_segment(w: &str, set: &[&str]) -> bool {
    parts(w).any(|p| set.iter().any(|k| p.eq_ignore_ascii_case(k)))
}

/// The parts of `w` at least `len` bytes long, lowercased: [`segments`] filtered.
pub fn segments_from(w: &str, len: usize) -> Vec<Text> {
    parts(w).filter(|p| p.len() >= len).map(lowercase).collect()
}

/// The parts [`segments`] splits `w` into, as written (not lowercased).
fn parts(w: &str) -> impl Iterator<Item = &str> {
    // camelCase parts too: `DbMigrationsConsole` → Db, Migrations, Console.
    let bytes = w.as_bytes();
    let mut i = 0;
    let mut prev_lower = false;
    std::iter::from_fn(move || {
        let mut start: Option<usize> = None;
        while let Some(&c) = bytes.get(i) {
            // Parts are ASCII letters and digits: any other byte (a UTF-8 one included) ends one.
            let alnum = c.is_ascii_alphanumeric();
            let camel = c.is_ascii_uppercase() && prev_lower;
            if let Some(s) = start.filter(|_| !alnum || camel) {
                // Byte `i` is looked at again by the next call, as the start of a part.
                return Some(&w[s..i]);
            }
            if alnum && start.is_none() {
                start = Some(i);
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            i += 1;
        }
        start.map(|s| &w[s..])
    })
}

/// An ASCII part, lowercased (without a heap copy when it is short).
fn lowercase(part: &str) -> Text {
    let mut buf = [0u8; 16];
    match part.len() <= buf.len() {
        true => {
            let buf = &mut buf[..part.len()];
            buf.copy_from_slice(part.as_bytes());
            buf.make_ascii_lowercase();
            Text::from(std::str::from_utf8(buf).unwrap_or_default())
        }
        false => Text::from(part.to_ascii_lowercase()),
    }
}

/// Parts that say "migrate".
pub const MIGRATE: &[&str] = &[
    "migrate",
    "migrations",
    "migration",
    "migrator",
    "migrating",
    "migrates",
    "dbmigrate",
    "dbmigration",
    "dbmigrations",
    "migratedb",
    "dbupgrade",
    "upgradedb",
    "syncdb",
    "dbsync",
    "updb",
    "predeploy",
];

/// Parts that say the migration is not of a database (files, media, buckets, …).
const NOT_DB: &[&str] = &[
    "s3",
    "gcs",
    "media",
    "files",
    "uploads",
    "assets",
    "bucket",
    "storage",
    "volume",
    "volumes",
    "pvc",
    "images",
    "static",
    "staticfiles",
    "helm",
    "k8s",
    "kubernetes",
    "certs",
    "certificates",
    "vault",
    "secrets",
    "chart",
    "charts",
    "crd",
    "crds",
];

/// Parts that name a database or schema.
const DB: &[&str] = &["db", "database", "schema", "schemas", "tables", "dbs"];

/// Parts that, next to a [`DB`] part, say "bring it up to date".
const UP: &[&str] = &[
    "upgrade",
    "sync",
    "update",
    "setup",
    "migrate",
    "deploy",
    "prepare",
    "init",
    "initialize",
    "load",
    "apply",
];

/// Parts that say "check" (never a migration).
pub const CHECK: &[&str] = &[
    "check",
    "checker",
    "status",
    "validate",
    "verify",
    "info",
    "pending",
    "list",
    "show",
    "history",
    "current",
    "heads",
    "plan",
    "dry",
    "dryrun",
    "ready",
    "health",
    "version",
    "showmigrations",
    "ls",
    "is",
];

/// Parts that say "wait".
pub const WAIT: &[&str] = &["wait", "waiting", "waiter", "await", "waitfor"];

/// Parts that say "something else than migrating".
pub const OTHER: &[&str] = &[
    "rollback",
    "down",
    "downgrade",
    "undo",
    "revert",
    "redo",
    "reset",
    "drop",
    "fresh",
    "refresh",
    "wipe",
    "dump",
    "backup",
    "restore",
    "diff",
    "squash",
    "test",
    "tests",
    "lint",
    "help",
    "clean",
    "purge",
    "export",
    "unlock",
    "stamp",
    "new",
    "generate",
    "gen",
    "make",
    "makemigrations",
    "seed",
    "fake",
    "squashmigrations",
    "mark",
    "complete",
    "notify",
    "revision",
    "rename",
    "delete",
    "cleanup",
];

/// What the parts of a name say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Says {
    /// Nothing about migrations.
    Nothing,
    /// Migrate (or bring a schema up to date).
    Migrate,
    /// Check migrations.
    Check,
    /// Wait (for a database or migrations).
    Wait,
    /// Something else about migrations (generate, roll back, …).
    Other,
}

/// Whether the parts name a migration or schema update.
pub fn about_migrations(segs: &[Text]) -> bool {
    let has = |set: &[&str]| segs.iter().any(|s| set.contains(&s.as_str()));
    let migrat = segs.iter().any(|s| {
        s.contains("migrat") && !OTHER.contains(&s.as_str()) && !CHECK.contains(&s.as_str())
    });
    if has(NOT_DB) {
        return false;
    }
    has(MIGRATE)
        || migrat
        || (has(DB) && has(UP))
        || has(&["create_tables", "tables"]) && has(&["create"])
}

/// What a name (program, script, image, positional word) says.
pub fn says(name: &str) -> Says {
    if !parts(name).any(may_say) {
        return Says::Nothing;
    }
    says_split(name)
}

/// [`says`], from the parts as strings.
fn says_split(name: &str) -> Says {
    let segs = segments(name);
    // `migrate-and-seed`, `migrate-then-create-admin`: each action on its own; a
    // migration among them is what counts.
    let parts: Vec<&[Text]> = segs.split(|s| s == "and" || s == "then").collect();
    if parts.len() > 1 {
        let said: Vec<Says> = parts.iter().map(|p| says_parts(p)).collect();
        if said.contains(&Says::Migrate) {
            return Says::Migrate;
        }
        return said
            .into_iter()
            .find(|s| *s != Says::Nothing)
            .unwrap_or(Says::Nothing);
    }
    says_parts(&segs)
}

/// Whether a part (as written) could make [`says_parts`] say anything: it says
/// wait, migrate or database, is `tables` or holds `migrat`. Any other part leaves
/// [`about_migrations`] false; most words (`serve`, `--port=8080`, an app's name)
/// have none, and [`says`] answers them without splitting into strings.
fn may_say(part: &str) -> bool {
    let mut buf = [0u8; 16];
    // No word of the lists is longer: a longer part only says something by `migrat`.
    let Some(low) = buf.get_mut(..part.len()) else {
        return part.to_ascii_lowercase().contains("migrat");
    };
    low.copy_from_slice(part.as_bytes());
    low.make_ascii_lowercase();
    let low: &[u8] = low;
    low.windows(6).any(|w| w == b"migrat")
        || [WAIT, MIGRATE, DB]
            .iter()
            .any(|set| set.iter().any(|k| k.as_bytes() == low))
}

fn says_parts(segs: &[Text]) -> Says {
    let has = |set: &[&str]| segs.iter().any(|s| set.contains(&s.as_str()));
    if has(WAIT) {
        return if about_migrations(segs) || has(DB) || has(&["for", "on"]) {
            Says::Wait
        } else {
            Says::Nothing
        };
    }
    if !about_migrations(segs) {
        return Says::Nothing;
    }
    if has(CHECK) {
        return Says::Check;
    }
    let db_pair = has(DB) && has(UP);
    if has(OTHER) || (has(&["create"]) && !db_pair && !has(&["tables"])) {
        return Says::Other;
    }
    Says::Migrate
}

/// Shell-style glob with `*` and `?`.
pub fn glob(pattern: &str, s: &str) -> bool {
    // `*suffix`, most of the table's image patterns: a plain comparison.
    if let Some(suffix) = pattern.strip_prefix('*') {
        // On bytes: a char-set search decodes every character.
        if !suffix.bytes().any(|b| b == b'*' || b == b'?') {
            return s.ends_with(suffix);
        }
    }
    // Greedy with one backtrack point (the last `*`): linear for the table's
    // patterns, and never exponential for a user's (`*a*a*a*b`).
    let (p, s) = (pattern.as_bytes(), s.as_bytes());
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    star = Some((sp, ss + 1));
                    pi = sp + 1;
                    si = ss + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_shells_and_stay_linear() {
        for (p, s, want) in [
            ("*", "", true),
            ("", "", true),
            ("", "a", false),
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*b*", "abc", true),
            ("*x*", "abc", false),
            ("*/migrator", "ghcr.io/acme/migrator", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("**a", "bba", true),
            ("*c", "c", true),
            ("*bc", "c", false),
            ("*/flyway", "flyway", false),
        ] {
            assert_eq!(glob(p, s), want, "{p} {s}");
        }
        let long = "a".repeat(5_000);
        assert!(!glob("*a*a*a*a*a*a*a*a*b", &long));
    }

    #[test]
    fn names_say() {
        assert_eq!(program("/app/manage.py"), "manage");
        assert_eq!(program("./node_modules/.bin/prisma"), "prisma");
        assert_eq!(norm("postgres://x/y"), "postgres://x/y");
        for (n, s) in [
            ("migration-runner.sh", Says::Migrate),
            ("run-migrations", Says::Migrate),
            ("db:migrate", Says::Migrate),
            ("init_and_upgrade_db", Says::Migrate),
            ("update-schema", Says::Migrate),
            ("db_sync", Says::Migrate),
            ("wait-for-migrations", Says::Wait),
            ("wait_on_database_migrations", Says::Wait),
            ("wait-for-db", Says::Wait),
            ("check-migrations", Says::Check),
            ("migrate:status", Says::Check),
            ("migrate:rollback", Says::Other),
            ("create-migration", Says::Other),
            ("makemigrations", Says::Nothing),
            ("kube-webhook-certgen", Says::Nothing),
            ("zabbix-server-create-upgrade-db", Says::Migrate),
            ("db:seed", Says::Nothing),
            ("migrate-and-create-admin.sh", Says::Migrate),
            ("migrate-and-seed", Says::Migrate),
        ] {
            assert_eq!(says(n), s, "{n}");
        }
    }

    /// The definition `segments` is held to: camelCase parts spaced out, the
    /// whole lowercased, split at anything but an ASCII letter or digit.
    fn segments_by_definition(w: &str) -> Vec<String> {
        let mut spaced = String::new();
        let mut prev_lower = false;
        for c in w.chars() {
            if c.is_ascii_uppercase() && prev_lower {
                spaced.push(' ');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            spaced.push(c);
        }
        spaced
            .to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn says_skips_only_words_that_say_nothing(
            w in "(migrat|Migrate|db|DB|wait|for|and|tables|create|check|down|seed|app|[a-z]{1,3}|[-_:./ A-Z0-9]){0,8}"
        ) {
            proptest::prop_assert_eq!(says(&w), says_split(&w));
        }

        #[test]
        fn segments_are_their_definition(w in "[a-zA-Z0-9_:./ ()\\-é€ÄK]{0,40}") {
            let got: Vec<String> = segments(&w).iter().map(|s| s.to_string()).collect();
            proptest::prop_assert_eq!(got, segments_by_definition(&w));
        }
    }

    #[test]
    fn segments_split_names() {
        for w in [
            "DbMigrationsConsole",
            "db:migrate",
            "ÄpfelMigrate",
            "a-very-long-segment-name-abcdefghijklmnopqrstuvwxyz0123456789",
            "ABCdef",
            "x2Y",
            "",
            "--",
        ] {
            let got: Vec<String> = segments(w).iter().map(|s| s.to_string()).collect();
            assert_eq!(got, segments_by_definition(w), "{w}");
        }
    }
}
