//! Splitting a `--migrate` command into argv the way a POSIX shell would, so the
//! Job runs exactly what the user typed, without a shell in the image.

/// Splits `s` into words: blanks separate, `'…'` is literal, `"…"` honours `\"`,
/// `\\`, `\$` and `` \` ``, and a backslash outside quotes escapes the next character.
///
/// Unquoted shell operators (`;`, `&`, `|`, `<`, `>`, `` ` ``), shell expansions
/// (`$VAR`, `${VAR}`, unquoted or in double quotes, unless the program is a shell
/// that expands them: `sh -c "… $VAR …"`) and a leading `NAME=value` are refused:
/// without a shell they would reach the program as written, a silently wrong command. `$(VAR)` is left as written because Kubernetes expands it from
/// the container's environment.
pub fn split(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    // A `$NAME` outside single quotes: for a shell the command runs, fine.
    let mut expansion = false;
    // Surrounding blanks (a block scalar's final newline) are not part of the command.
    let mut chars = s.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\r' => {
                return Err(
                    "a line break separates commands in a shell, and the Job runs the command without a shell"
                        .into(),
                );
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("a single quote (') is not closed".into()),
                    }
                }
            }
            DOUBLE_QUOTE => {
                in_word = true;
                double_quoted(&mut chars, &mut cur, &mut expansion)?;
            }
            '$' if expands(chars.peek()) => {
                expansion = true;
                in_word = true;
                cur.push('$');
            }
            '\\' => {
                match chars.next() {
                    // A line continuation joins lines: no word of its own.
                    Some('\n') => {}
                    Some(c) => {
                        in_word = true;
                        cur.push(c);
                    }
                    None => return Err("the command ends with a lone backslash".into()),
                }
            }
            ';' | '&' | '|' | '<' | '>' | '`' => {
                return Err(format!(
                    "`{c}` is shell syntax, and the Job runs the command without a shell"
                ));
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    let shell = (words.first()).is_some_and(|w| crate::detect::is_shell(base_name(w)));
    if expansion && !shell {
        return Err(expansion_error());
    }
    if let Some(w) = words.first().filter(|w| is_assignment(w)) {
        return Err(format!(
            "`{w}` before the program sets a variable in a shell, and the Job runs the command without a shell: set it in the workload's env"
        ));
    }
    Ok(words)
}

/// The rest of a `"…"` word into `cur`: `\"`, `\\`, `\$` and `` \` `` escaped, a
/// `$NAME` noted in `expansion`.
fn double_quoted(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    cur: &mut String,
    expansion: &mut bool,
) -> Result<(), String> {
    loop {
        match chars.next() {
            Some('"') => return Ok(()),
            Some('\\') => match chars.next() {
                Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                Some('\n') => {}
                Some(c) => {
                    cur.push('\\');
                    cur.push(c);
                }
                None => return Err("a double quote (\") is not closed".into()),
            },
            Some('$') if expands(chars.peek()) => {
                *expansion = true;
                cur.push('$');
            }
            Some(c) => cur.push(c),
            None => return Err("a double quote (\") is not closed".into()),
        }
    }
}

/// `"`, a constant so that the line counter of scripts/structure.py and the
/// before-stop check, which know strings but not char literals, read `split` right.
const DOUBLE_QUOTE: char = '"';

/// The last part of a path.
fn base_name(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// Whether a `$` followed by `next` is a shell expansion (`$NAME`, `${NAME}`),
/// which nothing expands without a shell; `$(NAME)` is Kubernetes' own.
fn expands(next: Option<&char>) -> bool {
    next.is_some_and(|&c| c == '{' || c == '_' || c.is_ascii_alphabetic())
}

fn expansion_error() -> String {
    "`$NAME` is expanded by a shell, and the Job runs the command without a shell (it would get the text `$NAME`): write `$(NAME)`, which Kubernetes expands from the container's env".into()
}

/// `NAME=value`: a shell's assignment before a program.
fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(name, _)| {
        name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split("npm run db:migrate").unwrap(),
            ["npm", "run", "db:migrate"]
        );
        assert_eq!(
            split(r#"sh -c 'echo "a b" && migrate'"#).unwrap(),
            ["sh", "-c", r#"echo "a b" && migrate"#]
        );
        assert_eq!(
            split(r#"say "it's \"quoted\"" a\ b ''"#).unwrap(),
            ["say", r#"it's "quoted""#, "a b", ""]
        );
        assert_eq!(
            split("migrate -database $(DATABASE_URL) up").unwrap(),
            ["migrate", "-database", "$(DATABASE_URL)", "up"]
        );
        assert_eq!(split("  a\t b\n").unwrap(), ["a", "b"]);
        assert!(split("").unwrap().is_empty());
    }

    #[test]
    fn refuses_what_needs_a_shell_or_is_unfinished() {
        assert!(split("a && b").unwrap_err().contains("`&`"));
        assert!(split("a | b").is_err());
        assert!(split("a > log").is_err());
        assert!(split("'open").unwrap_err().contains("single quote"));
        assert!(split("\"open").unwrap_err().contains("double quote"));
        assert!(split("x\\").is_err());
        assert!(split("migrate up\nrm -rf /data")
            .unwrap_err()
            .contains("line break"));
        assert!(split("migrate up\r\nrm").is_err());
        assert_eq!(split("migrate \\\n up\n").unwrap(), ["migrate", "up"]);
        assert_eq!(split("'a\nb'").unwrap(), ["a\nb"]);
    }

    /// Kutt/golang-migrate: `$DATABASE_URL` reached the Job as that text.
    #[test]
    fn refuses_shell_expansions_and_assignments() {
        for cmd in [
            "migrate -database $DATABASE_URL up",
            "migrate -database ${DATABASE_URL} up",
            "migrate -database \"$DATABASE_URL\" up",
            "RAILS_ENV=production bin/rails db:migrate",
        ] {
            assert!(split(cmd).is_err(), "{cmd}");
        }
        assert!(split("migrate $DB").unwrap_err().contains("$(NAME)"));
        // Kubernetes' own `$(VAR)`, a literal `$` and single quotes stay.
        assert_eq!(
            split("echo $(A) '$B' \\$C 5$").unwrap(),
            ["echo", "$(A)", "$B", "$C", "5$"]
        );
        assert_eq!(
            split("sh -c 'X=1 migrate $DB'").unwrap(),
            ["sh", "-c", "X=1 migrate $DB"]
        );
        assert_eq!(split("app --opt=x").unwrap(), ["app", "--opt=x"]);
        // A shell the Job runs expands them itself (Flarum's, Synapse's fixtures).
        assert_eq!(
            split("sh -c \"migrate $DB\"").unwrap(),
            ["sh", "-c", "migrate $DB"]
        );
    }
}
