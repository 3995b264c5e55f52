//! Set-up commands that only set up an empty database and fail on one they
//! set up (PM018): Hive's `schematool -initSchema`, `boundary database
//! init`, Rails' `db:setup`. A shell list with `||` is the idempotent form,
//! and a step whose failure does not fail its script is harmless.

use super::{command_line, vocab, words::is_shell};
use crate::yaml::Value;

/// The command of container `c` that only sets up an empty database and
/// fails on one it set up ([`vocab::SET_UP_ONLY`]), if it runs one with no
/// `||` fallback and its failure fails the container: it ends the command,
/// `&&` follows it, or the shell exits on errors (`set -e`, `sh -e`); a step
/// of a script without errexit fails alone and the script goes on.
pub fn set_up_only(c: &Value) -> Option<String> {
    let line = command_line(c);
    // A script's lines are statements: a line break reads as `;`.
    let raw: Vec<&str> = (line.iter())
        .flat_map(|w| w.split('\n').enumerate())
        .flat_map(|(k, l)| {
            (k > 0)
                .then_some(";")
                .into_iter()
                .chain(l.split_whitespace())
        })
        .collect();
    let tokens: Vec<String> = raw
        .iter()
        .map(|t| t.trim_end_matches(';').to_ascii_lowercase())
        .collect();
    if tokens.iter().any(|t| t == "||") {
        return None;
    }
    let errexit = tokens
        .windows(2)
        .any(|w| w[0] == "set" && exits_on_error(&w[1]))
        || (tokens
            .first()
            .is_some_and(|t| is_shell(t.rsplit('/').next().unwrap_or(t)))
            && tokens.iter().skip(1).take(2).any(|t| exits_on_error(t)));
    vocab::SET_UP_ONLY.iter().find_map(|(program, words)| {
        let at = tokens
            .iter()
            .position(|t| t.rsplit('/').next() == Some(*program))?;
        let mut rest = tokens[at + 1..].iter().enumerate();
        let mut last = at;
        let found = words.iter().all(|w| {
            rest.find(|(_, t)| *t == w)
                .map(|(k, _)| last = at + 1 + k)
                .is_some()
        });
        let shown: Vec<&str> = (raw[at..=last].iter())
            .map(|t| t.trim_end_matches(';'))
            .filter(|t| !t.is_empty())
            .collect();
        let rerunnable = statement(&raw[last..]).iter().any(|t| {
            let t = t.trim_end_matches(';');
            (vocab::SET_UP_RERUN_FLAGS.iter()).any(|(p, flag)| p == program && t == *flag)
        });
        let fails = errexit || fails_the_command(&raw[last..]);
        (found && fails && !rerunnable).then(|| shown.join(" "))
    })
}

/// The words of the statement that starts `words`: up to its `;`, `&&`,
/// `||`, `|` or `&`, or through its word that ends in `;`.
fn statement<'w>(words: &'w [&'w str]) -> &'w [&'w str] {
    let end = (1..words.len()).find_map(|k| match words[k] {
        ";" | "&&" | "||" | "|" | "&" => Some(k),
        t if t.ends_with(';') => Some(k + 1),
        _ => None,
    });
    &words[..end.unwrap_or(words.len())]
}

/// Whether the statement that starts `words` fails the whole command when
/// it fails: it is the last one, or `&&` follows it.
fn fails_the_command(words: &[&str]) -> bool {
    let end = words.iter().enumerate().find_map(|(k, t)| match *t {
        ";" | "&&" | "|" | "&" if k > 0 => Some((k, *t)),
        t if t.ends_with(';') => Some((k, ";")),
        _ => None,
    });
    match end {
        None => true,
        Some((_, "&&")) => true,
        Some((k, ";")) => words[k + 1..].iter().all(|t| *t == ";"),
        Some(_) => false,
    }
}

/// A shell option word that makes the shell exit on a failed step (`-e`,
/// `-eu`, `-ex`, `-o errexit` reads as `-o` then `errexit`).
fn exits_on_error(word: &str) -> bool {
    word == "errexit"
        || word.strip_prefix('-').is_some_and(|f| {
            !f.starts_with('-') && f.contains('e') && f.chars().all(|c| c.is_ascii_alphabetic())
        })
}

#[cfg(test)]
mod tests {
    use crate::yaml::Value;

    /// Set-up commands that fail on a database they set up (PM018), as
    /// written; the idempotent forms are none.
    #[test]
    fn set_up_only_commands() {
        let c = |cmd: &[&str]| {
            Value::map([(
                "command",
                Value::Seq(cmd.iter().map(|w| Value::str(*w)).collect()),
            )])
        };
        let found = |cmd: &[&str]| super::set_up_only(&c(cmd));
        assert_eq!(
            found(&[
                "/opt/hive/bin/schematool",
                "-dbType",
                "postgres",
                "-initSchema"
            ])
            .as_deref(),
            Some("/opt/hive/bin/schematool -dbType postgres -initSchema")
        );
        assert_eq!(
            found(&["schematool", "-dbType", "postgres", "-initOrUpgradeSchema"]),
            None
        );
        assert_eq!(
            found(&["boundary", "database", "init", "-config", "/c.hcl"]).as_deref(),
            Some("boundary database init")
        );
        let guarded =
            "boundary database init -config /c.hcl || boundary database migrate -config /c.hcl";
        assert_eq!(found(&["sh", "-c", guarded]), None);
        // Rails' set-up tasks, in a script only where their failure fails it.
        assert_eq!(
            found(&["bundle", "exec", "rake", "db:setup"]).as_deref(),
            Some("rake db:setup")
        );
        assert_eq!(
            found(&["sh", "-c", "bin/rails db:schema:load && exec puma"]).as_deref(),
            Some("bin/rails db:schema:load")
        );
        assert_eq!(
            found(&["sh", "-ec", "rake db:reset; exec puma"]).as_deref(),
            Some("rake db:reset")
        );
        assert_eq!(
            found(&["sh", "-c", "set -eu\nrake db:setup\nexec puma"]).as_deref(),
            Some("rake db:setup")
        );
        assert_eq!(found(&["sh", "-c", "rake db:setup\nrake db:migrate"]), None);
        assert_eq!(found(&["sh", "-c", "rake db:setup; rake db:migrate"]), None);
        assert_eq!(
            found(&["sh", "-c", "rake db:migrate || rake db:setup"]),
            None
        );
        assert_eq!(found(&["bundle", "exec", "rake", "db:prepare"]), None);
        // Invenio's chain: `index init` fails on indices that exist, unless forced.
        let chain = "invenio db init && invenio db create && invenio index init && invenio roles create admin";
        assert_eq!(
            found(&["bash", "-c", chain]).as_deref(),
            Some("invenio db init && invenio db create && invenio index init")
        );
        let forced = "invenio db init && invenio db create && invenio index init --force";
        assert_eq!(found(&["bash", "-c", forced]), None);
        let forced_then = "invenio index init --force; invenio rdm-records fixtures";
        assert_eq!(found(&["bash", "-ec", forced_then]), None);
        assert_eq!(
            found(&["invenio", "roles", "create", "admin"]).as_deref(),
            Some("invenio roles create")
        );
    }
}
