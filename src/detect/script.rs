//! Reading a shell script the way a shell would, well enough to know which simple
//! commands it runs: quotes, `\` line continuations, comments, `;`/`&&`/`||`/`|`/`&`
//! separators, subshells and groups, redirections, here-documents (kept as the
//! command's input), `if`/`while`/`until` conditions, `for` headers and `case`
//! patterns. Nothing is expanded.

/// Where a simple command sits in the script's control flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Place {
    /// Runs in sequence.
    #[default]
    Plain,
    /// The condition of a `while`/`until` loop.
    LoopCondition,
    /// The body of a `while`/`until` loop.
    LoopBody,
    /// The condition of an `if`/`elif`.
    IfCondition,
}

/// One simple command of a script.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cmd {
    /// Its words, quotes removed, `FOO=1` prefixes and `exec`/`!` kept out.
    pub argv: Vec<String>,
    /// The `FOO=1` assignments before it.
    pub assignments: Vec<String>,
    /// Where it sits.
    pub place: Place,
    /// It was run with `exec` (it replaces the shell: a long-running process).
    pub exec: bool,
    /// Its here-document bodies and the text piped into it by `echo`/`cat <<`.
    pub input: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    /// `;`, newline, `&&`, `||`, `|`, `&`, `(`, `)`, `;;`.
    Op(&'static str),
    /// A here-document body, for the command before it.
    Doc(String),
}

/// Splits a script into tokens.
fn tokens(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut docs: Vec<(String, bool)> = Vec::new();
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    macro_rules! flush {
        () => {
            if in_word {
                out.push(Tok::Word(std::mem::take(&mut cur)));
                in_word = false;
            }
        };
    }
    while i < cs.len() {
        let c = cs[i];
        match c {
            '\\' if cs.get(i + 1) == Some(&'\n') => i += 1,
            '\\' => {
                if let Some(n) = cs.get(i + 1) {
                    cur.push(*n);
                    i += 1;
                }
                in_word = true;
            }
            '\n' => {
                flush!();
                out.push(Tok::Op("\n"));
                for (delim, strip) in std::mem::take(&mut docs) {
                    let (body, next) = heredoc(&cs, i + 1, &delim, strip);
                    out.push(Tok::Doc(body));
                    i = next - 1;
                }
            }
            c if c.is_whitespace() => flush!(),
            '#' if !in_word => {
                while i + 1 < cs.len() && cs[i + 1] != '\n' {
                    i += 1;
                }
            }
            '\'' => {
                in_word = true;
                i += 1;
                while i < cs.len() && cs[i] != '\'' {
                    cur.push(cs[i]);
                    i += 1;
                }
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < cs.len() && cs[i] != '"' {
                    if cs[i] == '\\' && i + 1 < cs.len() && "\"\\$`\n".contains(cs[i + 1]) {
                        i += 1;
                    }
                    cur.push(cs[i]);
                    i += 1;
                }
            }
            '$' if matches!(cs.get(i + 1), Some('(') | Some('{')) => {
                // `$(…)`, `$((…))`, `${…}` stay inside the word.
                let (open, close) = if cs[i + 1] == '(' {
                    ('(', ')')
                } else {
                    ('{', '}')
                };
                let mut depth = 0;
                in_word = true;
                while i < cs.len() {
                    cur.push(cs[i]);
                    if cs[i] == open {
                        depth += 1;
                    } else if cs[i] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            '`' => {
                in_word = true;
                cur.push('`');
                i += 1;
                while i < cs.len() && cs[i] != '`' {
                    cur.push(cs[i]);
                    i += 1;
                }
                cur.push('`');
            }
            ';' | '&' | '|' | '(' | ')' => {
                if c == '&' && i > 0 && (cs[i - 1] == '>' || cs[i - 1] == '<') {
                    i += 1;
                    continue;
                }
                flush!();
                let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
                let op = match two.as_str() {
                    "&&" => "&&",
                    "||" => "||",
                    ";;" => ";;",
                    _ => match c {
                        ';' => ";",
                        '&' => "&",
                        '|' => "|",
                        '(' => "(",
                        _ => ")",
                    },
                };
                i += op.len() - 1;
                out.push(Tok::Op(op));
            }
            '<' | '>' => {
                // A redirection: drop an fd number before it and its target after it.
                if in_word && cur.chars().all(|c| c.is_ascii_digit()) {
                    cur.clear();
                    in_word = false;
                }
                flush!();
                if c == '<' && cs.get(i + 1) == Some(&'<') && cs.get(i + 2) != Some(&'<') {
                    i += 2;
                    let strip = cs.get(i) == Some(&'-');
                    if strip {
                        i += 1;
                    }
                    while i < cs.len() && cs[i] == ' ' {
                        i += 1;
                    }
                    let mut delim = String::new();
                    while i < cs.len() && !cs[i].is_whitespace() && !";&|<>()".contains(cs[i]) {
                        if cs[i] != '\'' && cs[i] != '"' {
                            delim.push(cs[i]);
                        }
                        i += 1;
                    }
                    docs.push((delim, strip));
                    continue;
                }
                while i + 1 < cs.len() && matches!(cs[i + 1], '>' | '<' | '&' | '|') {
                    i += 1;
                }
                while i + 1 < cs.len() && cs[i + 1] == ' ' {
                    i += 1;
                }
                // Skip the target word (with any quotes in it).
                let mut quote = None;
                while i + 1 < cs.len() {
                    let n = cs[i + 1];
                    match quote {
                        Some(q) if n == q => quote = None,
                        Some(_) => {}
                        None if n == '\'' || n == '"' => quote = Some(n),
                        None if n.is_whitespace() || ";&|()".contains(n) => break,
                        None => {}
                    }
                    i += 1;
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
        i += 1;
    }
    if in_word {
        out.push(Tok::Word(cur));
    }
    out
}

/// Reads a here-document body starting at `start`; returns it and where the script resumes.
fn heredoc(cs: &[char], start: usize, delim: &str, strip: bool) -> (String, usize) {
    let mut body = String::new();
    let mut i = start;
    while i < cs.len() {
        let end = cs[i..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(cs.len(), |p| i + p);
        let line: String = cs[i..end].iter().collect();
        let cmp = if strip {
            line.trim_start_matches('\t').trim()
        } else {
            line.trim_end()
        };
        i = end + 1;
        if cmp == delim {
            return (body, i.min(cs.len()));
        }
        body.push_str(&line);
        body.push('\n');
    }
    (body, cs.len())
}

/// Reserved words that open or close a compound command.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "case", "esac", "{",
    "}", "!", "in", "function", "select",
];

/// The simple commands a script runs, in order, with where each sits.
pub fn parse(script: &str) -> Vec<Cmd> {
    let toks = tokens(script);
    let mut cmds: Vec<Cmd> = Vec::new();
    let mut stack: Vec<Place> = Vec::new();
    let mut cur = Cmd::default();
    let mut skip_header = false; // `for x in …` / `case x in` words
    let mut case_depth = 0usize;
    let mut in_pattern = false;
    let place = |stack: &[Place]| {
        stack
            .iter()
            .rev()
            .find(|p| **p != Place::Plain)
            .copied()
            .unwrap_or_default()
    };
    let finish = |cur: &mut Cmd, cmds: &mut Vec<Cmd>, stack: &[Place]| {
        if !cur.argv.is_empty() || !cur.assignments.is_empty() {
            let mut c = std::mem::take(cur);
            c.place = place(stack);
            cmds.push(c);
        }
        *cur = Cmd::default();
    };
    for tok in toks {
        match tok {
            Tok::Doc(body) => {
                if let Some(last) = cmds.last_mut() {
                    last.input.push_str(&body);
                }
            }
            Tok::Op(op) => {
                if in_pattern && op == ")" {
                    in_pattern = false;
                    cur = Cmd::default();
                    continue;
                }
                if op == "(" && cur.argv.len() == 1 {
                    // `name() { … }`: a function definition.
                    cur = Cmd::default();
                    continue;
                }
                let piped_from_echo = op == "|"
                    && matches!(
                        cur.argv.first().map(String::as_str),
                        Some("echo" | "printf")
                    );
                let text = cur.argv[1.min(cur.argv.len())..].join(" ");
                finish(&mut cur, &mut cmds, &stack);
                if piped_from_echo {
                    cur.input = text;
                }
                if matches!(op, ";" | "\n") {
                    skip_header = false;
                }
                if op == ";;" && case_depth > 0 {
                    in_pattern = true;
                }
            }
            Tok::Word(w) => {
                if skip_header {
                    if w == "in" && case_depth > 0 && !in_pattern {
                        skip_header = false;
                        in_pattern = true;
                    }
                    continue;
                }
                if in_pattern {
                    if w == "esac" {
                        in_pattern = false;
                        case_depth = case_depth.saturating_sub(1);
                    }
                    continue;
                }
                let at_start = cur.argv.is_empty();
                if at_start && KEYWORDS.contains(&w.as_str()) {
                    match w.as_str() {
                        "while" | "until" => stack.push(Place::LoopCondition),
                        "if" => stack.push(Place::IfCondition),
                        "elif" => {
                            stack.pop();
                            stack.push(Place::IfCondition);
                        }
                        "then" | "else" => {
                            stack.pop();
                            stack.push(Place::Plain);
                        }
                        "do" => {
                            if stack.last() == Some(&Place::LoopCondition) {
                                stack.pop();
                                stack.push(Place::LoopBody);
                            } else {
                                stack.push(Place::Plain);
                            }
                        }
                        "done" | "fi" => {
                            stack.pop();
                        }
                        "for" | "select" | "function" => skip_header = true,
                        "case" => {
                            case_depth += 1;
                            skip_header = true;
                        }
                        "esac" => case_depth = case_depth.saturating_sub(1),
                        _ => {}
                    }
                    continue;
                }
                if at_start && w == "exec" {
                    cur.exec = true;
                    continue;
                }
                if at_start && is_assignment(&w) {
                    cur.assignments.push(w);
                    continue;
                }
                cur.argv.push(w);
            }
        }
    }
    finish(&mut cur, &mut cmds, &stack);
    cmds
}

/// `NAME=value`.
pub fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && !k.starts_with(|c: char| c.is_ascii_digit())
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(s: &str) -> Vec<String> {
        parse(s).iter().map(|c| c.argv.join(" ")).collect()
    }

    #[test]
    fn chains_loops_and_quotes() {
        assert_eq!(
            argvs("set -e; FOO=1 exec python manage.py migrate && echo 'a b' || true"),
            ["set -e", "python manage.py migrate", "echo a b", "true"]
        );
        let cmds = parse(
            "until (nc -vz $H $P);\ndo\n  echo wait; sleep 1;\ndone\npython manage.py migrate\n",
        );
        assert_eq!(cmds[0].place, Place::LoopCondition);
        assert_eq!(cmds[0].argv, ["nc", "-vz", "$H", "$P"]);
        assert_eq!(cmds[1].place, Place::LoopBody);
        assert_eq!(cmds[3].place, Place::Plain);
        assert_eq!(cmds[3].argv, ["python", "manage.py", "migrate"]);
        let cmds = parse("while ! /app/manage.py migrate --check; do sleep 5; done");
        assert_eq!(cmds[0].place, Place::LoopCondition);
        assert_eq!(
            argvs("keystone-manage \\\n  --config-file=/x \\\n  db_sync 2>&1 >/dev/null # done"),
            ["keystone-manage --config-file=/x db_sync"]
        );
    }

    #[test]
    fn heredocs_cases_and_functions() {
        let cmds =
            parse("psql -v ON_ERROR_STOP=1 <<-EOSQL\n\tCREATE TABLE t (id int);\n\tEOSQL\necho ok");
        assert_eq!(cmds[0].argv, ["psql", "-v", "ON_ERROR_STOP=1"]);
        assert!(cmds[0].input.contains("CREATE TABLE"));
        assert_eq!(cmds[1].argv, ["echo", "ok"]);
        assert_eq!(
            argvs(
                "case \"$1\" in\n  migrate) alembic upgrade head;;\n  *) exec gunicorn app;;\nesac"
            ),
            ["alembic upgrade head", "gunicorn app"]
        );
        assert_eq!(
            argvs("run() { flask db upgrade; }\nrun"),
            ["flask db upgrade", "run"]
        );
        assert_eq!(argvs("for i in 1 2 3; do migrate up; done"), ["migrate up"]);
        let cmds = parse("echo \"SELECT 1\" | psql -h db");
        assert_eq!(cmds[1].input, "SELECT 1");
        assert_eq!(argvs("x=$(cat /f | tr a b) cmd"), ["cmd"]);
    }
}
