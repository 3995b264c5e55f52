//! The fast reader's values that sit on one line (plain and quoted scalars,
//! one-line flow lists, `{}`) and literal block scalars.

use super::sink::Sink;
use super::{Reader, CLOSE_MAP, DQ, OPEN_MAP, SQ};
use crate::yaml::tree::build::past_line_comment;
use crate::yaml::tree::ScalarStyle;
use crate::yaml::value::{List, Text};

/// Characters that cannot start a plain scalar (`-` can, before a non-blank).
fn indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | SQ
            | DQ
            | b'%'
            | b'@'
            | b'`'
    )
}

impl<S: Sink> Reader<'_, S> {
    /// A value that starts at `q` on its key's or entry's line, the enclosing
    /// block's indentation `col`: it ends its line.
    pub(super) fn inline(&mut self, q: usize, col: usize) -> Option<S::Node> {
        let node = match self.byte(q) {
            b'|' => return self.literal(q, col),
            DQ | SQ => self.quoted(q)?,
            b'[' => self.flow_seq(q)?,
            OPEN_MAP => self.empty_flow_map(q)?,
            _ => self.plain(q)?,
        };
        self.end_of_line(self.last_end)?;
        // A more indented line after it would continue a plain scalar or be an error.
        let line = self.next_content(self.pos)?;
        (line.eof || line.indent <= col).then_some(node)
    }

    /// After a value: blanks, a comment, the line's end; moves to the next line.
    fn end_of_line(&mut self, mut i: usize) -> Option<()> {
        let blanks = i;
        while self.byte(i) == b' ' {
            i += 1;
        }
        match self.byte(i) {
            b'\n' => {}
            b'#' if i > blanks || self.byte(i - 1) == b' ' => {}
            _ => return None,
        }
        self.pos = self.next_line(i);
        Some(())
    }

    /// A one-line plain scalar at `q` (block context).
    fn plain(&mut self, q: usize) -> Option<S::Node> {
        let c = self.byte(q);
        // `-` starts a scalar when a non-blank follows (`-1`, `--flag`).
        let dash_word = c == b'-' && !matches!(self.byte(q + 1), b' ' | b'\n');
        if indicator(c) && !dash_word {
            return None;
        }
        // Only `:`, `#` and the line's end can stop it: jump from one to the
        // next (a byte at a time cost ~4 instructions a byte of every value).
        let mut i = q;
        let stop = loop {
            let Some(k) = memchr::memchr3(b'\n', b':', b'#', &self.b[i..]) else {
                break self.b.len();
            };
            let at = i + k;
            match self.b[at] {
                b'\n' => break at,
                b':' if matches!(self.byte(at + 1), b' ' | b'\n') => return None,
                // `at > q`: a `#` cannot start a plain scalar (`indicator`).
                b'#' if self.b[at - 1] == b' ' => break at,
                _ => i = at + 1,
            }
        };
        // No tab, CR or other blank but the space is read here (`plain_bytes`).
        let end = q + self.b[q..stop].trim_ascii_end().len();
        self.scalar(&self.text[q..end], ScalarStyle::Plain, q, end)
    }

    /// A one-line quoted scalar at `q`: its span runs over the blanks and
    /// comment after it, as libyaml's tree has it.
    fn quoted(&mut self, q: usize) -> Option<S::Node> {
        let (text, style, after) = match self.byte(q) {
            DQ => self.double_quoted(q)?,
            _ => self.single_quoted(q)?,
        };
        let end = self.quoted_end(after)?;
        self.styled(text, style, q, end)
    }

    /// Where the span of a quoted scalar whose closing quote ends at `after`
    /// ends. A comment right after the closing quote is left to libyaml.
    pub(super) fn quoted_end(&self, after: usize) -> Option<usize> {
        (self.byte(after) != b'#').then(|| past_line_comment(self.text, after))
    }

    /// A one-line double-quoted scalar at `q` with the common escapes only:
    /// its text, and where it ends (past the closing quote).
    pub(super) fn double_quoted(&self, q: usize) -> Option<(Text, ScalarStyle, usize)> {
        // Built only when an escape splits the text (a `Text` is immutable).
        let mut out = String::new();
        let mut i = q + 1;
        let mut run = i;
        loop {
            match self.byte(i) {
                b'\n' => return None,
                DQ => break,
                b'\\' => {
                    out.push_str(&self.text[run..i]);
                    out.push(match self.byte(i + 1) {
                        b'\\' => '\\',
                        DQ => char::from(DQ),
                        b'n' => '\n',
                        b't' => '\t',
                        _ => return None,
                    });
                    i += 2;
                    run = i;
                }
                _ => i += 1,
            }
        }
        let text = match run == q + 1 {
            true => Text::from(&self.text[run..i]),
            false => {
                out.push_str(&self.text[run..i]);
                Text::from(out)
            }
        };
        Some((text, ScalarStyle::DoubleQuoted, i + 1))
    }

    /// A one-line single-quoted scalar at `q`, as [`Reader::double_quoted`].
    pub(super) fn single_quoted(&self, q: usize) -> Option<(Text, ScalarStyle, usize)> {
        // Built only when a doubled quote splits the text (a `Text` is immutable).
        let mut out = String::new();
        let mut i = q + 1;
        loop {
            let rest = &self.b[i.min(self.b.len())..];
            let k = memchr::memchr2(SQ, b'\n', rest)?;
            if rest[k] == b'\n' {
                return None;
            }
            if self.byte(i + k + 1) != SQ {
                let text = match out.is_empty() {
                    true => Text::from(&self.text[i..i + k]),
                    false => Text::from(out + &self.text[i..i + k]),
                };
                return Some((text, ScalarStyle::SingleQuoted, i + k + 1));
            }
            out.push_str(&self.text[i..=i + k]);
            i += k + 2;
        }
    }

    /// `[a, "b", 'c']` on one line: simple items only.
    fn flow_seq(&mut self, q: usize) -> Option<S::Node> {
        let slot = self.sink.open(q);
        // A long list is sized up front (its commas: a bound, exact unless a
        // quoted item holds one): growing a million-item list by doubling
        // held the old and the new copy at once.
        let eol = self.eol(q);
        let mut items = match eol - q {
            n if n > 4096 => {
                List::with_capacity(memchr::memchr_iter(b',', &self.b[q..eol]).count() + 1)
            }
            _ => List::new(),
        };
        let mut i = q + 1;
        while self.byte(i) == b' ' {
            i += 1;
        }
        if self.byte(i) != b']' {
            loop {
                let item = match self.byte(i) {
                    DQ | SQ => self.quoted(i)?,
                    _ => self.flow_plain(i)?,
                };
                items.push(item);
                i = self.last_end;
                while self.byte(i) == b' ' {
                    i += 1;
                }
                match self.byte(i) {
                    b']' => break,
                    b',' => i += 1,
                    _ => return None,
                }
                while self.byte(i) == b' ' {
                    i += 1;
                }
            }
        }
        self.last_end = i + 1;
        Some(self.sink.seq(slot, items, true, i + 1))
    }

    /// A plain item of a flow list: a word of safe characters.
    fn flow_plain(&mut self, q: usize) -> Option<S::Node> {
        let safe = |c: u8| c.is_ascii_alphanumeric() || b"_./=+-$".contains(&c);
        let c = self.byte(q);
        let starts = c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'/' | b'.' | b'$')
            || (c == b'-' && safe(self.byte(q + 1)));
        if !starts {
            return None;
        }
        let mut i = q;
        while safe(self.byte(i)) {
            i += 1;
        }
        self.scalar(&self.text[q..i], ScalarStyle::Plain, q, i)
    }

    /// `{}` (or `{ }`): an empty flow mapping.
    fn empty_flow_map(&mut self, q: usize) -> Option<S::Node> {
        let mut i = q + 1;
        while self.byte(i) == b' ' {
            i += 1;
        }
        if self.byte(i) != CLOSE_MAP {
            return None;
        }
        let slot = self.sink.open(q);
        self.last_end = i + 1;
        Some(self.sink.map(slot, List::new(), true, i + 1))
    }

    /// A literal block scalar (`|` or `|-`) at `q` in a block indented `col`.
    fn literal(&mut self, q: usize, col: usize) -> Option<S::Node> {
        let strip = self.byte(q + 1) == b'-';
        let mut i = q + 1 + usize::from(strip);
        while self.byte(i) == b' ' {
            i += 1;
        }
        if self.byte(i) != b'\n' || i >= self.b.len() {
            return None;
        }
        let first = i + 1;
        let indent = self.literal_indent(first)?;
        if indent <= col {
            return None;
        }
        let (text, stop) = self.literal_lines(first, indent, strip)?;
        let end = q + self.text[q..stop].trim_end().len();
        self.pos = stop;
        self.styled(text.into(), ScalarStyle::Literal, q, end)
    }

    /// A literal scalar's indentation: that of its first non-blank line, as
    /// libyaml finds it. Leading blank lines with more spaces (libyaml then
    /// takes theirs) and a scalar of blank lines only are left to libyaml.
    fn literal_indent(&self, first: usize) -> Option<usize> {
        let mut widest = 0;
        let mut i = first;
        while i < self.b.len() {
            let eol = self.eol(i);
            let spaces = self.b[i..eol].iter().take_while(|&&c| c == b' ').count();
            if i + spaces < eol {
                return (widest <= spaces).then_some(spaces);
            }
            widest = widest.max(spaces);
            i = self.next_line(i);
        }
        None
    }

    /// The content of a literal scalar's lines from `from`, indented `indent`,
    /// and the start of the line that ends it.
    fn literal_lines(&self, from: usize, indent: usize, strip: bool) -> Option<(String, usize)> {
        let mut out = String::new();
        let (mut empties, mut any, mut broke) = (0, false, false);
        let mut i = from;
        while i < self.b.len() {
            let eol = self.eol(i);
            let spaces = self.b[i..eol].iter().take_while(|&&c| c == b' ').count();
            // A blank line with more spaces than the indentation is content
            // (its extra spaces) once content has started; before, libyaml
            // weighs it in the indentation, which is left to libyaml.
            if i + spaces == eol && (spaces <= indent || !any) {
                if spaces > indent {
                    return None;
                }
                empties += 1;
            } else if spaces >= indent {
                if any {
                    out.push('\n');
                }
                out.extend(std::iter::repeat_n('\n', empties));
                out.push_str(&self.text[i + indent..eol]);
                (any, empties, broke) = (true, 0, eol < self.b.len());
            } else {
                break;
            }
            i = self.next_line(i);
        }
        if broke && !strip {
            out.push('\n');
        }
        Some((out, i))
    }
}
