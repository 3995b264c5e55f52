//! A Job that waits in a loop for a table it does not create: another writer of
//! the schema, the app at its start, comes first (DevLake's PostgreSQL fix-up
//! polls `_devlake_migration_history`, which only the lake server creates). It
//! runs after the apps, as the chart's `post-*` hook meant, never before them.

use super::hosts::Origin;

/// Database clients a shell loop may query with.
const CLIENTS: &[&str] = &[
    "psql",
    "mysql",
    "mariadb",
    "sqlcmd",
    "clickhouse-client",
    "cqlsh",
];

/// Why a pod (its `texts`, as `roles::texts_of` reads them) waits for a table
/// someone else creates, if it does: a shell `until`/`while` loop whose
/// condition queries a table with a database client.
pub(super) fn waits_for_schema(texts: &[(String, String, Origin)]) -> Option<String> {
    texts
        .iter()
        .filter(|(_, _, from)| matches!(from, Origin::Argv | Origin::File(..)))
        .find_map(|(text, label, _)| {
            let table = text.lines().find_map(polled_table)?;
            Some(format!(
                "its {label} waits in a loop for table {table}, which it does not create: an app of the release creates it, so the Job runs after the apps, as a contract step does (before them, the app would wait for it and it for the app)"
            ))
        })
}

/// The table a loop line's condition selects from (`until psql … -c "SELECT 1
/// FROM t"; do`), if it is one.
fn polled_table(line: &str) -> Option<String> {
    let l = line.trim_start();
    if !(l.starts_with("until ") || l.starts_with("while ")) {
        return None;
    }
    let words: Vec<&str> = l.split_whitespace().collect();
    let client = words.iter().any(|w| {
        let prog = w.trim_matches(|c: char| c == '"' || c == '\'' || c == '(' || c == '!');
        CLIENTS.contains(&prog.rsplit('/').next().unwrap_or(prog))
    });
    let lower = l.to_ascii_lowercase();
    let from = lower
        .find("select ")
        .and_then(|s| lower[s..].find(" from ").map(|f| s + f + 6))?;
    let table: String = l[from..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"' | '`'))
        .collect();
    let table = table.trim_matches(|c| c == '"' || c == '`');
    (client && !table.is_empty()).then(|| table.to_string())
}

#[cfg(test)]
mod tests {
    use super::polled_table;

    #[test]
    fn a_loop_that_selects_from_a_table_polls_it() {
        let line = r#"  until psql "postgresql://u:p@db:5432/d" -c "SELECT 1 FROM _devlake_migration_history LIMIT 1" >/dev/null 2>&1; do"#;
        assert_eq!(
            polled_table(line).as_deref(),
            Some("_devlake_migration_history")
        );
        assert_eq!(polled_table("until pg_isready -h db; do"), None);
        assert_eq!(polled_table(r#"until psql -c "SELECT 1"; do"#), None);
        assert_eq!(polled_table(r#"psql -c "SELECT * FROM t""#), None);
        let mysql =
            "while ! mysql -h db -e 'select count(*) from app.schema_version'; do sleep 2; done";
        assert_eq!(polled_table(mysql).as_deref(), Some("app.schema_version"));
    }
}
