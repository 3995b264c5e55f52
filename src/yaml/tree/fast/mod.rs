//! A fast reader for the plain block YAML that templates render: block maps of
//! simple keys, block sequences, one-line plain and quoted scalars, literal
//! block scalars, one-line flow lists of simple items, `{}`. It builds the same
//! [`Tree`] libyaml's events build — same nodes, same spans — or gives up
//! (`None`) at the first thing outside that subset, and libyaml reads the
//! document. Giving up is always safe; reading differently never is, so every
//! rule here errs on the side of giving up. Debug builds check each tree it
//! builds against libyaml's (every test is a differential test), and
//! `tests/yaml_parity.rs` does so over the corpus and generated documents.

mod scalars;

use std::cell::Cell;

use super::{Node, NodeId, NodeKind, ScalarStyle, Tree};

/// The quotes, named: a quote in a byte literal is easy to misread.
const DQ: u8 = b'"';
const SQ: u8 = b'\'';
/// Flow map brackets, named for the same reason.
const OPEN_MAP: u8 = b'{';
const CLOSE_MAP: u8 = b'}';

/// Deepest nesting read here; deeper documents go to libyaml.
const MAX_DEPTH: usize = 64;
/// libyaml refuses a simple key longer than 1024 characters; stay well below.
const MAX_KEY: usize = 512;

/// The tree of `text`, when it is inside the subset.
pub(super) fn build(text: &str) -> Option<Tree> {
    let b = text.as_bytes();
    if !plain_bytes(b) {
        return None;
    }
    let mut r = Reader {
        text,
        b,
        pos: 0,
        // About a node per 10 bytes of a manifest: room up front instead of
        // growing (and copying) the list a few times per document.
        nodes: Vec::with_capacity(b.len() / 10 + 4),
        depth: 0,
        last_content: Cell::new((usize::MAX, None)),
    };
    let first = r.preamble()?;
    r.pos = first.start;
    let root = r.block(first, None)?;
    if !r.only_trailer(r.pos) {
        return None;
    }
    // Trees live while one document is read or edited: no shrinking.
    Some(Tree {
        nodes: r.nodes,
        root: Some(root),
    })
}

/// Bytes libyaml reads as in any plain text: no tab, CR, control character,
/// NEL, LS, PS, BOM or non-character (each has rules of its own).
fn plain_bytes(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        // 16 bytes at once while they are printable ASCII or `\n` (branch-free,
        // so the compiler makes it vector compares): most of a manifest.
        if let Some(chunk) = b.get(i..i + 16) {
            let odd = chunk.iter().fold(false, |odd, &c| {
                odd | ((c < 0x20) & (c != b'\n')) | (c >= 0x7F)
            });
            if !odd {
                i += 16;
                continue;
            }
        }
        let c = b[i];
        if c < 0x80 {
            if (c < 0x20 && c != b'\n') || c == 0x7F {
                return false;
            }
            i += 1;
            continue;
        }
        let next = b.get(i + 1).copied().unwrap_or(0);
        let third = b.get(i + 2).copied().unwrap_or(0);
        let special = matches!((c, next), (0xC2, 0x80..=0x9F))
            || (c == 0xE2 && next == 0x80 && matches!(third, 0xA8 | 0xA9))
            || (c == 0xEF && next == 0xBB && third == 0xBF)
            || (c == 0xEF && next == 0xBF && matches!(third, 0xBE | 0xBF));
        if special {
            return false;
        }
        i += 1;
    }
    true
}

/// A line with content: where it starts and how far its content is indented.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    eof: bool,
}

struct Reader<'t> {
    text: &'t str,
    b: &'t [u8],
    /// Start of the line to read next (or a position inside the current line).
    pos: usize,
    nodes: Vec<Node>,
    depth: usize,
    /// The last [`Reader::next_content`] asked for, and its answer.
    last_content: Cell<(usize, Option<Line>)>,
}

impl Reader<'_> {
    fn byte(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(b'\n')
    }

    /// One past the end of the line holding `i` (its `\n`, or the end).
    fn eol(&self, i: usize) -> usize {
        memchr::memchr(b'\n', &self.b[i.min(self.b.len())..]).map_or(self.b.len(), |k| i + k)
    }

    /// The start of the line after the one holding `i`.
    fn next_line(&self, i: usize) -> usize {
        (self.eol(i) + 1).min(self.b.len())
    }

    /// The next line with content from line start `from`, past blank and comment
    /// lines. `None` on a document marker or directive (libyaml's business).
    /// Each line is asked for two or three times (after a value, then by its
    /// block): the last answer is kept.
    fn next_content(&self, from: usize) -> Option<Line> {
        let (at, line) = self.last_content.get();
        if at == from {
            return line;
        }
        let line = self.find_content(from);
        self.last_content.set((from, line));
        line
    }

    fn find_content(&self, mut from: usize) -> Option<Line> {
        while from < self.b.len() {
            let mut i = from;
            while self.byte(i) == b' ' {
                i += 1;
            }
            match self.byte(i) {
                b'\n' | b'#' => from = self.next_line(i),
                // Indented content: no marker can start there.
                _ if i > from => {
                    return Some(Line {
                        start: from,
                        indent: i - from,
                        eof: false,
                    })
                }
                _ => {
                    let line = &self.b[from..self.eol(from)];
                    if line.starts_with(b"...") && line[3..].iter().all(|&c| c == b' ') {
                        // The document ends here; `only_trailer` checks what follows.
                        return Some(Line {
                            start: from,
                            indent: 0,
                            eof: true,
                        });
                    }
                    if line.starts_with(b"---") || line.starts_with(b"...") || line[0] == b'%' {
                        return None;
                    }
                    return Some(Line {
                        start: from,
                        indent: 0,
                        eof: false,
                    });
                }
            }
        }
        Some(Line {
            start: self.b.len(),
            indent: 0,
            eof: true,
        })
    }

    /// Whether nothing but blank lines, comments and one `...` line (the
    /// document end marker some charts render) follows line start `from`.
    fn only_trailer(&self, mut from: usize) -> bool {
        let mut ended = false;
        while from < self.b.len() {
            let line = &self.b[from..self.eol(from)];
            let t = line.trim_ascii_start();
            let end_marker =
                !ended && line.starts_with(b"...") && line[3..].iter().all(|&c| c == b' ');
            if !(t.is_empty() || t[0] == b'#' || end_marker) {
                return false;
            }
            ended |= end_marker;
            from = self.next_line(from);
        }
        true
    }

    /// Skips comments, blank lines and one leading `---` line; the first content line.
    fn preamble(&mut self) -> Option<Line> {
        let mut i = 0;
        let mut marker = false;
        while i < self.b.len() {
            let line = &self.b[i..self.eol(i)];
            let t = line.trim_ascii_start();
            let skip = t.is_empty()
                || t[0] == b'#'
                || (!marker && line.starts_with(b"---") && line[3..].iter().all(|&c| c == b' '));
            if !skip {
                break;
            }
            marker |= line.starts_with(b"---");
            i = self.next_line(i);
        }
        let line = self.next_content(i)?;
        (!line.eof).then_some(line)
    }

    fn push(&mut self, kind: NodeKind, start: usize, end: usize) -> NodeId {
        self.nodes.push(Node { kind, start, end });
        self.nodes.len() - 1
    }

    /// Whether position `i` holds a block sequence entry (`-` then a space or the line's end).
    fn is_entry(&self, i: usize) -> bool {
        self.byte(i) == b'-' && matches!(self.byte(i + 1), b' ' | b'\n')
    }

    /// The block collection whose first line is `line`. `first`: the position
    /// of its first key when it starts mid-line (`- key: value`).
    fn block(&mut self, line: Line, first: Option<usize>) -> Option<NodeId> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let at = first.unwrap_or(line.start + line.indent);
        let col = at - line.start;
        let id = if first.is_none() && self.is_entry(at) {
            self.seq(col, false)
        } else {
            self.map(col, first)
        };
        self.depth -= 1;
        id
    }

    /// A block mapping whose keys are at column `col`.
    fn map(&mut self, col: usize, first: Option<usize>) -> Option<NodeId> {
        let at = first.unwrap_or_else(|| self.pos_at(col));
        let id = self.push(map(false), at, at);
        let mut entries = Vec::new();
        let mut key_at = first;
        loop {
            let q = match key_at.take() {
                Some(q) => q,
                None => {
                    let line = self.next_content(self.pos)?;
                    if line.eof || line.indent < col {
                        break;
                    }
                    if line.indent > col || self.is_entry(line.start + col) {
                        return None;
                    }
                    line.start + col
                }
            };
            let (key, colon) = self.key(q)?;
            let value = self.map_value(col, colon + 1)?;
            entries.push((key, value));
        }
        self.close(id, entries.last().map(|e| e.1));
        self.nodes[id].kind = map_of(entries);
        Some(id)
    }

    /// The start of the next content line's column `col` (the first key of a block map).
    fn pos_at(&self, col: usize) -> usize {
        self.next_content(self.pos)
            .map_or(self.pos, |l| l.start + col)
    }

    /// A simple key at `q`: the scalar node and the position of its `:`.
    fn key(&mut self, q: usize) -> Option<(NodeId, usize)> {
        if matches!(self.byte(q), DQ | SQ) {
            let id = match self.byte(q) {
                DQ => self.double_quoted(q)?,
                _ => self.single_quoted(q)?,
            };
            // The span runs over the blanks after the quote, up to the `:`.
            let colon = self.nodes[id].end;
            let ok = self.byte(colon) == b':'
                && matches!(self.byte(colon + 1), b' ' | b'\n')
                && colon - q <= MAX_KEY;
            return ok.then_some((id, colon));
        }
        let len = self.key_len(q)?;
        let id = self.push(plain(&self.text[q..q + len]), q, q + len);
        Some((id, q + len))
    }

    /// The length of a simple key at `q` followed by `: ` or `:` and the line's end.
    fn key_len(&self, q: usize) -> Option<usize> {
        let c = self.byte(q);
        if !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b'.' | b'$')) {
            return None;
        }
        let mut i = q + 1;
        while self.byte(i).is_ascii_alphanumeric()
            || matches!(self.byte(i), b'_' | b'/' | b'.' | b'-' | b'$')
        {
            i += 1;
        }
        let ok =
            self.byte(i) == b':' && matches!(self.byte(i + 1), b' ' | b'\n') && i - q <= MAX_KEY;
        ok.then_some(i - q)
    }

    /// Whether a key (plain or quoted) starts at `q`.
    fn is_key(&self, q: usize) -> bool {
        if self.key_len(q).is_some() {
            return true;
        }
        let quote = self.byte(q);
        if !matches!(quote, DQ | SQ) {
            return false;
        }
        let mut i = q + 1;
        loop {
            match self.byte(i) {
                b'\n' => return false,
                b'\\' if quote == DQ => i += 2,
                c if c == quote && quote == SQ && self.byte(i + 1) == SQ => i += 2,
                c if c == quote => break,
                _ => i += 1,
            }
        }
        i += 1;
        while self.byte(i) == b' ' {
            i += 1;
        }
        self.byte(i) == b':' && matches!(self.byte(i + 1), b' ' | b'\n')
    }

    /// The value after a key's `:` at `p`, the mapping's keys at column `col`.
    fn map_value(&mut self, col: usize, p: usize) -> Option<NodeId> {
        let mut q = p;
        while self.byte(q) == b' ' {
            q += 1;
        }
        if !matches!(self.byte(q), b'\n' | b'#') {
            return self.inline(q, col);
        }
        self.pos = self.next_line(q);
        let line = self.next_content(self.pos)?;
        let nested = !line.eof
            && (line.indent > col || (line.indent == col && self.is_entry(line.start + col)));
        if !nested {
            // libyaml's empty scalar sits right after the `:`.
            return Some(self.push(plain(""), p, p));
        }
        if line.indent == col {
            self.depth += 1;
            let id = self.seq(col, true);
            self.depth -= 1;
            return id;
        }
        let at = line.start + line.indent;
        if !self.is_entry(at) && !self.is_key(at) {
            // A scalar or a flow collection on the lines after its key.
            return self.inline(at, col);
        }
        self.block(line, None)
    }

    /// A block sequence whose entries are at column `col`; `indentless`: it is
    /// a map value written at its key's column, and ends at the next key.
    fn seq(&mut self, col: usize, indentless: bool) -> Option<NodeId> {
        let at = self.pos_at(col);
        let id = self.push(seq(false), at, at);
        let mut items = Vec::new();
        loop {
            let line = self.next_content(self.pos)?;
            if line.eof || line.indent < col {
                break;
            }
            let dash = line.start + col;
            if line.indent > col || !self.is_entry(dash) {
                if indentless && line.indent == col {
                    break;
                }
                return None;
            }
            items.push(self.entry(col, dash)?);
        }
        self.close(id, items.last().copied());
        self.nodes[id].kind = NodeKind::Seq { items, flow: false };
        Some(id)
    }

    /// The item of the sequence entry whose `-` is at `dash` (column `col`).
    fn entry(&mut self, col: usize, dash: usize) -> Option<NodeId> {
        let mut q = dash + 1;
        while self.byte(q) == b' ' {
            q += 1;
        }
        match self.byte(q) {
            b'\n' | b'#' => {
                self.pos = self.next_line(q);
                let line = self.next_content(self.pos)?;
                // An empty item is placed by libyaml's previous event: libyaml's business.
                (!line.eof && line.indent > col).then_some(())?;
                self.block(line, None)
            }
            _ if self.is_entry(q) => None,
            _ if self.key_len(q).is_some() => {
                let line_start = dash - col;
                let line = Line {
                    start: line_start,
                    indent: q - line_start,
                    eof: false,
                };
                self.block(line, Some(q))
            }
            _ => self.inline(q, col),
        }
    }

    /// Ends a block collection with its last child, as libyaml's tree does.
    fn close(&mut self, id: NodeId, last: Option<NodeId>) {
        self.nodes[id].end = last.map_or(self.nodes[id].start, |c| self.nodes[c].end);
    }
}

pub(super) fn plain(text: &str) -> NodeKind {
    NodeKind::Scalar {
        text: text.into(),
        style: ScalarStyle::Plain,
        tag: None,
    }
}

pub(super) fn map(flow: bool) -> NodeKind {
    NodeKind::Map {
        entries: Vec::new(),
        flow,
    }
}

fn map_of(entries: Vec<(NodeId, NodeId)>) -> NodeKind {
    NodeKind::Map {
        entries,
        flow: false,
    }
}

pub(super) fn seq(flow: bool) -> NodeKind {
    NodeKind::Seq {
        items: Vec::new(),
        flow,
    }
}
