//! PM516 `psql-errors-ignored`.
//!
//! ## What it does
//! Finds a migration Job whose command runs `psql` on a file (`-f FILE`,
//! `--file=FILE`, `< FILE`, or a script piped into it) and nowhere sets
//! `ON_ERROR_STOP`.
//!
//! ## Why is this bad?
//! psql runs every statement of a file and exits 0 whatever failed unless
//! `ON_ERROR_STOP` is set: the Job succeeds on a half-applied schema, and the
//! apps gated on it start against it (Guacamole's `initdb` Job).
//!
//! ## Example
//! ```yaml
//! kind: Job
//! spec:
//!   template:
//!     spec:
//!       containers:
//!         - name: initdb
//!           command: [sh, -c, "psql -f /schema/initdb.sql"]
//! ```
//!
//! ## Fix
//! `psql -v ON_ERROR_STOP=1 --single-transaction -f FILE`: the first failed
//! statement stops psql with exit status 3 and rolls the file back.

use super::{at, Fix, Rule};
use crate::diag::codes::PM516;
use crate::lint::{Cx, Hit};
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM516,
    name: "psql-errors-ignored",
    fix: Fix::No,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for (doc, pod, base) in cx.migration_pods() {
        let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
        for (i, c) in containers.iter().enumerate() {
            let text = [c.strings("command"), c.strings("args")].concat().join(" ");
            let Some(run) = psql_on_a_file(&text) else {
                continue;
            };
            if sets_on_error_stop(c, &text) {
                continue;
            }
            let mut path = at(&base, &["containers"]);
            path.push(crate::yaml::edit::Seg::Index(i));
            out.push(Hit::new(
                PM516,
                doc,
                path,
                format!(
                    "migration Job {} runs `{run}` without ON_ERROR_STOP: psql goes on past a failed statement and exits 0, so the Job succeeds on a half-applied schema and the apps waiting for it start",
                    cx.name(doc)
                ),
                false,
            ));
        }
    }
}

/// The first `psql` run of a command line that reads a file, in words: `-f
/// FILE`, `< FILE`, or a script piped into it (`gunzip -c dump.sql.gz | psql`:
/// DHIS2's seed Job), which psql reads as it reads a file.
fn psql_on_a_file(text: &str) -> Option<String> {
    let text = text.replace("||", ";");
    text.split(['\n', ';', '&']).find_map(|step| {
        step.split('|').enumerate().find_map(|(k, segment)| {
            let words: Vec<&str> = segment.split_whitespace().collect();
            let at = words
                .iter()
                .position(|w| w.trim_matches(['"', '\'']).rsplit('/').next() == Some("psql"))?;
            let rest = &words[at + 1..];
            let file = rest.iter().any(|w| {
                matches!(*w, "-f" | "--file" | "<")
                    || w.starts_with("--file=")
                    || (w.starts_with("-f") && w.len() > 2 && !w.starts_with("--"))
            });
            let command = rest
                .iter()
                .any(|w| *w == "--command" || w.starts_with("--command=") || w.starts_with("-c"));
            (file || (k > 0 && !command)).then(|| words[at..].join(" "))
        })
    })
}

/// Whether the command line (a `-v ON_ERROR_STOP=1`, or a psqlrc it writes)
/// or a value of the container's env names `ON_ERROR_STOP`.
fn sets_on_error_stop(c: &Value, text: &str) -> bool {
    let env = c.get("env").map(Value::items).unwrap_or(&[]);
    text.to_ascii_uppercase().contains("ON_ERROR_STOP")
        || env.iter().any(|e| {
            e.get("value")
                .and_then(Value::as_str)
                .is_some_and(|v| v.to_ascii_uppercase().contains("ON_ERROR_STOP"))
        })
}

#[cfg(test)]
mod tests {
    use super::psql_on_a_file;

    #[test]
    fn psql_reading_a_file() {
        let run = |t: &str| psql_on_a_file(t);
        assert!(run("sh -c psql -f /schema/initdb.sql").is_some());
        assert!(run("psql --file=/x.sql").is_some());
        assert!(run("set -e; /usr/bin/psql -h db < /x.sql").is_some());
        assert!(run("psql -f/x.sql").is_some());
        assert!(run("set -e; gunzip -c /seed/dump.sql.gz | psql").is_some());
        assert!(run("cat /x.sql | psql -h db app").is_some());
        // A query piped from psql, or a psql run after `||`, reads no script.
        assert!(run("psql -tAc 'SELECT 1' | grep -q 1").is_none());
        assert!(run("echo x | psql -c 'select 1'").is_none());
        assert!(run("pg_isready || psql -h db -c 'select 1'").is_none());
        // A query, or a file of another program, is not.
        assert!(run("psql -tAc 'SELECT 1'").is_none());
        assert!(run("flyway -f conf migrate; psql -c 'select 1'").is_none());
    }
}
