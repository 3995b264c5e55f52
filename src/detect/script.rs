//! Reading a shell script the way a shell would, well enough to know which simple
//! commands it runs: quotes, `\` line continuations, comments, `;`/`&&`/`||`/`|`/`&`
//! separators, subshells and groups, redirections, here-documents (kept as the
//! command's input), `if`/`while`/`until` conditions, `for` headers and `case`
//! patterns. Nothing is expanded.

/// A double quote (a named constant keeps quote characters out of char literals).
const DQ: char = '\u{22}';
/// A single quote.
const SQ: char = '\u{27}';
/// Braces, named for the same reason (brace literals confuse tools that count blocks).
const OPEN_BRACE: char = '\u{7b}';
const CLOSE_BRACE: char = '\u{7d}';

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
    /// The `case` arms it sits in, outermost first: (which `case` of the
    /// script, which arm). Two commands in different arms of one `case` are
    /// alternatives: one never runs after the other.
    pub arms: Vec<(u32, u32)>,
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
    let mut lx = Lexer {
        cs: s.chars().collect(),
        i: 0,
        out: Vec::new(),
        cur: String::new(),
        in_word: false,
        docs: Vec::new(),
    };
    while lx.i < lx.cs.len() {
        lx.step();
        lx.i += 1;
    }
    lx.flush();
    lx.out
}

/// The state of [`tokens`].
struct Lexer {
    cs: Vec<char>,
    i: usize,
    out: Vec<Tok>,
    cur: String,
    in_word: bool,
    /// Here-documents opened on the current line: (delimiter, strip tabs).
    docs: Vec<(String, bool)>,
}

impl Lexer {
    fn at(&self, k: usize) -> Option<char> {
        self.cs.get(self.i + k).copied()
    }

    fn flush(&mut self) {
        if self.in_word {
            self.out.push(Tok::Word(std::mem::take(&mut self.cur)));
            self.in_word = false;
        }
    }

    fn push(&mut self, c: char) {
        self.in_word = true;
        self.cur.push(c);
    }

    /// Reads the character at `i` (and what it opens), leaving `i` on its last one.
    fn step(&mut self) {
        let c = self.cs[self.i];
        match c {
            '\\' if self.at(1) == Some('\n') => self.i += 1,
            '\\' => {
                self.in_word = true;
                if let Some(n) = self.at(1) {
                    self.cur.push(n);
                    self.i += 1;
                }
            }
            '\n' => self.newline(),
            c if c.is_whitespace() => self.flush(),
            '#' if !self.in_word => {
                while self.at(1).is_some_and(|n| n != '\n') {
                    self.i += 1;
                }
            }
            SQ => self.quoted(SQ),
            DQ => self.quoted(DQ),
            '$' if matches!(self.at(1), Some('(' | OPEN_BRACE)) => self.substitution(),
            '`' => {
                self.push('`');
                while self.at(1).is_some_and(|n| n != '`') {
                    self.i += 1;
                    self.cur.push(self.cs[self.i]);
                }
                self.i += 1;
                self.cur.push('`');
            }
            ';' | '&' | '|' | '(' | ')' => self.operator(c),
            '<' | '>' => self.redirection(c),
            _ => self.push(c),
        }
    }

    fn newline(&mut self) {
        self.flush();
        self.out.push(Tok::Op("\n"));
        for (delim, strip) in std::mem::take(&mut self.docs) {
            let (body, next) = heredoc(&self.cs, self.i + 1, &delim, strip);
            self.out.push(Tok::Doc(body));
            self.i = next - 1;
        }
    }

    fn quoted(&mut self, q: char) {
        self.in_word = true;
        self.i += 1;
        while self.i < self.cs.len() && self.cs[self.i] != q {
            let c = self.cs[self.i];
            if q == DQ && c == '\\' && self.at(1).is_some_and(|n| "\"\\$`\n".contains(n)) {
                self.i += 1;
            }
            self.cur.push(self.cs[self.i]);
            self.i += 1;
        }
    }

    /// `$(…)`, `$((…))`, `${…}` stay inside the word.
    fn substitution(&mut self) {
        let (open, close) = if self.at(1) == Some('(') {
            ('(', ')')
        } else {
            (OPEN_BRACE, CLOSE_BRACE)
        };
        let mut depth = 0;
        self.in_word = true;
        while self.i < self.cs.len() {
            let c = self.cs[self.i];
            self.cur.push(c);
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            self.i += 1;
        }
    }

    fn operator(&mut self, c: char) {
        if c == '&' && self.i > 0 && matches!(self.cs[self.i - 1], '>' | '<') {
            return;
        }
        self.flush();
        let op = match (c, self.at(1)) {
            ('&', Some('&')) => "&&",
            ('|', Some('|')) => "||",
            (';', Some(';')) => ";;",
            (';', _) => ";",
            ('&', _) => "&",
            ('|', _) => "|",
            ('(', _) => "(",
            _ => ")",
        };
        self.i += op.len() - 1;
        self.out.push(Tok::Op(op));
    }

    /// A redirection: an fd number before it and its target after it are dropped; a
    /// here-document is remembered until the end of the line.
    fn redirection(&mut self, c: char) {
        if self.in_word && self.cur.chars().all(|c| c.is_ascii_digit()) {
            self.cur.clear();
            self.in_word = false;
        }
        self.flush();
        if c == '<' && self.at(1) == Some('<') && self.at(2) != Some('<') {
            return self.heredoc_start();
        }
        while self
            .at(1)
            .is_some_and(|n| matches!(n, '>' | '<' | '&' | '|'))
        {
            self.i += 1;
        }
        while self.at(1) == Some(' ') {
            self.i += 1;
        }
        let mut quote = None;
        while let Some(n) = self.at(1) {
            match quote {
                Some(q) if n == q => quote = None,
                Some(_) => {}
                None if n == SQ || n == DQ => quote = Some(n),
                None if n.is_whitespace() || ";&|()".contains(n) => break,
                None => {}
            }
            self.i += 1;
        }
    }

    fn heredoc_start(&mut self) {
        self.i += 2;
        let strip = self.at(0) == Some('-');
        if strip {
            self.i += 1;
        }
        while self.at(0) == Some(' ') {
            self.i += 1;
        }
        let mut delim = String::new();
        while let Some(c) = self
            .at(0)
            .filter(|c| !c.is_whitespace() && !";&|<>()".contains(*c))
        {
            if c != SQ && c != DQ {
                delim.push(c);
            }
            self.i += 1;
        }
        self.i -= 1;
        self.docs.push((delim, strip));
    }
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
    let mut p = Parser::default();
    for tok in tokens(script) {
        match tok {
            Tok::Doc(body) => {
                if let Some(last) = p.cmds.last_mut() {
                    last.input.push_str(&body);
                }
            }
            Tok::Op(op) => p.op(op),
            Tok::Word(w) => p.word(w),
        }
    }
    p.finish();
    p.cmds
}

/// The state of [`parse`].
#[derive(Default)]
struct Parser {
    cmds: Vec<Cmd>,
    cur: Cmd,
    stack: Vec<Place>,
    /// Inside `for x in …` / `case x in` headers.
    skip_header: bool,
    case_depth: usize,
    /// Inside a `case` pattern (up to its `)`).
    in_pattern: bool,
    /// The open `case`s: (their number in the script, the arm now read).
    arms: Vec<(u32, u32)>,
    /// How many `case`s the script has opened.
    cases: u32,
}

impl Parser {
    fn place(&self) -> Place {
        self.stack
            .iter()
            .rev()
            .find(|p| **p != Place::Plain)
            .copied()
            .unwrap_or_default()
    }

    fn finish(&mut self) {
        if !self.cur.argv.is_empty() || !self.cur.assignments.is_empty() {
            let mut c = std::mem::take(&mut self.cur);
            c.place = self.place();
            c.arms.clone_from(&self.arms);
            self.cmds.push(c);
        }
        self.cur = Cmd::default();
    }

    fn op(&mut self, op: &'static str) {
        if self.in_pattern && op == ")" {
            self.in_pattern = false;
            self.cur = Cmd::default();
            return;
        }
        if op == "(" && self.cur.argv.len() == 1 {
            // `name() { … }`: a function definition.
            self.cur = Cmd::default();
            return;
        }
        let first = self.cur.argv.first().map(String::as_str);
        let piped_from_echo = op == "|" && matches!(first, Some("echo" | "printf"));
        let text = self.cur.argv[1.min(self.cur.argv.len())..].join(" ");
        self.finish();
        if piped_from_echo {
            self.cur.input = text;
        }
        if matches!(op, ";" | "\n") {
            self.skip_header = false;
        }
        if op == ";;" && self.case_depth > 0 {
            self.in_pattern = true;
            if let Some((_, arm)) = self.arms.last_mut() {
                *arm += 1;
            }
        }
    }

    fn word(&mut self, w: String) {
        if self.skip_header {
            if w == "in" && self.case_depth > 0 && !self.in_pattern {
                self.skip_header = false;
                self.in_pattern = true;
            }
            return;
        }
        if self.in_pattern {
            if w == "esac" {
                self.in_pattern = false;
                self.case_depth = self.case_depth.saturating_sub(1);
                self.arms.pop();
            }
            return;
        }
        let at_start = self.cur.argv.is_empty();
        if at_start && KEYWORDS.contains(&w.as_str()) {
            self.keyword(&w);
        } else if at_start && w == "exec" {
            self.cur.exec = true;
        } else if at_start && is_assignment(&w) {
            self.cur.assignments.push(w);
        } else {
            self.cur.argv.push(w);
        }
    }

    fn keyword(&mut self, w: &str) {
        let stack = &mut self.stack;
        match w {
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
            "for" | "select" | "function" => self.skip_header = true,
            "case" => {
                self.case_depth += 1;
                self.skip_header = true;
                self.arms.push((self.cases, 0));
                self.cases += 1;
            }
            "esac" => {
                self.case_depth = self.case_depth.saturating_sub(1);
                self.arms.pop();
            }
            _ => {}
        }
    }
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
        // Arms of one `case` are alternatives; a later `case` is another.
        let arms: Vec<Vec<(u32, u32)>> = parse(
            "case \"$1\" in\n  migrate) alembic upgrade head;;\n  *) exec gunicorn app;;\nesac\ncase x in y) a;; esac\nb",
        )
        .into_iter()
        .map(|c| c.arms)
        .collect();
        assert_eq!(arms, [vec![(0, 0)], vec![(0, 1)], vec![(1, 0)], vec![]]);
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
