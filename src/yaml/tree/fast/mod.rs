//! A fast reader for the plain block YAML that templates render: block maps of
//! simple keys, block sequences, one-line plain and quoted scalars, literal
//! block scalars, one-line flow lists of simple items, `{}`. It builds the same
//! [`Tree`] libyaml's events build — same nodes, same spans — or gives up
//! (`None`) at the first thing outside that subset, and libyaml reads the
//! document. Giving up is always safe; reading differently never is, so every
//! rule here errs on the side of giving up. Debug builds check each tree it
//! builds against libyaml's (every test is a differential test), and
//! `tests/yaml_fast.rs` does so over the corpus and mutations of it.
//!
//! The same reader also reads a document's value straight from its text,
//! without a tree ([`value`]): what it reads goes to a [`Sink`], which makes
//! tree nodes or values.

mod bytes;
mod scalars;
mod sink;

use std::cell::Cell;

use super::{ScalarStyle, Tree};
use crate::yaml::value::{List, Text, Value};
use bytes::{plain_bytes, spaces, KEY_BYTES};
use sink::{Cut, Nodes, Scalar, Sink, Values};

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
    // About a node per 10 bytes of a manifest: room up front instead of
    // growing (and copying) the list a few times per document.
    let nodes = Nodes(Vec::with_capacity(text.len() / 10 + 4));
    let (root, nodes) = read(text, nodes)?;
    // Trees live while one document is read or edited: no shrinking.
    Some(Tree {
        nodes: nodes.0,
        root: Some(root),
    })
}

/// The tree of `text` but for what is below the items of its root's `key`
/// list (see [`Cut`]), when the text is inside the subset.
pub(super) fn build_cut(text: &str, key: &'static str) -> Option<Tree> {
    // Room for a node every 64 bytes (an item of a list is one node): what is
    // not written is address space, not memory, and a list of 20k nodes grown
    // by doubling touched twice its size.
    let nodes = Nodes(Vec::with_capacity(text.len() / 64));
    let (root, sink) = read(text, Cut::new(nodes, key))?;
    (!sink.refused).then(|| Tree {
        nodes: sink.nodes.0,
        root: Some(root),
    })
}

/// The value of `text` as Kubernetes reads it, when the text is inside the
/// subset and its value has nothing odd (see [`Values`]); no tree is built.
pub(super) fn value(text: &str) -> Option<Value> {
    read(text, Values).map(|(v, _)| v)
}

/// Reads `text` into `sink`: the root's node, and the sink.
fn read<S: Sink>(text: &str, sink: S) -> Option<(S::Node, S)> {
    let b = text.as_bytes();
    if !plain_bytes(b) {
        return None;
    }
    let mut r = Reader {
        text,
        b,
        pos: 0,
        sink,
        open_entries: Vec::new(),
        open_items: Vec::new(),
        last_end: 0,
        depth: 0,
        last_content: Cell::new((usize::MAX, None)),
        last_key: Cell::new((usize::MAX, None)),
    };
    let first = r.preamble()?;
    r.pos = first.start;
    let root = r.block(first, None)?;
    if !r.only_trailer(r.pos) {
        return None;
    }
    Some((root, r.sink))
}

/// The children of one collection being read: on the reader's shared stack
/// while they are few (moved out at the end into a list of their exact size:
/// growing a list per collection left up to half of it unused), in a list of
/// their own once they are many (a 100k-key map is not held twice).
struct Open<T> {
    base: usize,
    own: Option<List<T>>,
}

impl<T> Open<T> {
    /// Past this many children, a collection gets a list of its own.
    const MANY: usize = 1024;

    fn new(stack: &[T]) -> Open<T> {
        Open {
            base: stack.len(),
            own: None,
        }
    }

    fn push(&mut self, stack: &mut Vec<T>, child: T) {
        match &mut self.own {
            Some(own) => own.push(child),
            None => {
                stack.push(child);
                if stack.len() - self.base > Self::MANY {
                    self.own = Some(stack.drain(self.base..).collect());
                }
            }
        }
    }

    fn is_empty(&self, stack: &[T]) -> bool {
        self.own.is_none() && stack.len() == self.base
    }

    fn finish(self, stack: &mut Vec<T>) -> List<T> {
        self.own
            .unwrap_or_else(|| stack.drain(self.base..).collect())
    }
}

/// A line with content: where it starts and how far its content is indented.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    eof: bool,
}

struct Reader<'t, S: Sink> {
    text: &'t str,
    b: &'t [u8],
    /// Start of the line to read next (or a position inside the current line).
    pos: usize,
    sink: S,
    /// The entries and items of the block collections being read, innermost
    /// last: each collection's are moved out into a list of their exact size
    /// (growing a list per collection left up to half of it unused).
    open_entries: Vec<(S::Key, S::Node)>,
    open_items: Vec<S::Node>,
    /// Where the node read last ends (its span's end): a block collection ends
    /// where its last child does.
    last_end: usize,
    depth: usize,
    /// The last [`Reader::next_content`] asked for, and its answer.
    last_content: Cell<(usize, Option<Line>)>,
    /// The last [`Reader::key_len`] asked for, and its answer: a block map's
    /// first key is asked for twice (is a map there? then its key).
    last_key: Cell<(usize, Option<usize>)>,
}

impl<S: Sink> Reader<'_, S> {
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
            let i = from + spaces(&self.b[from..]);
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

    /// A scalar read, spanning `start..end`.
    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        start: usize,
        end: usize,
    ) -> Option<S::Node> {
        self.styled(Text::from(text), style, start, end)
    }

    /// A scalar whose text is decoded already (quoted, literal).
    fn styled(
        &mut self,
        text: Text,
        style: ScalarStyle,
        start: usize,
        end: usize,
    ) -> Option<S::Node> {
        self.last_end = end;
        self.sink.scalar(Scalar {
            text,
            style,
            start,
            end,
        })
    }

    /// Whether position `i` holds a block sequence entry (`-` then a space or the line's end).
    fn is_entry(&self, i: usize) -> bool {
        self.byte(i) == b'-' && matches!(self.byte(i + 1), b' ' | b'\n')
    }

    /// The block collection whose first line is `line`. `first`: the position
    /// of its first key when it starts mid-line (`- key: value`).
    fn block(&mut self, line: Line, first: Option<usize>) -> Option<S::Node> {
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
    fn map(&mut self, col: usize, first: Option<usize>) -> Option<S::Node> {
        let at = first.unwrap_or_else(|| self.pos_at(col));
        let slot = self.sink.open(at);
        let mut open = Open::new(&self.open_entries);
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
            open.push(&mut self.open_entries, (key, value));
        }
        let end = self.close(at, open.is_empty(&self.open_entries));
        let entries = open.finish(&mut self.open_entries);
        Some(self.sink.map(slot, entries, false, end))
    }

    /// The start of the next content line's column `col` (the first key of a block map).
    fn pos_at(&self, col: usize) -> usize {
        self.next_content(self.pos)
            .map_or(self.pos, |l| l.start + col)
    }

    /// A simple key at `q`: the key and the position of its `:`.
    fn key(&mut self, q: usize) -> Option<(S::Key, usize)> {
        if matches!(self.byte(q), DQ | SQ) {
            let (text, style, after) = match self.byte(q) {
                DQ => self.double_quoted(q)?,
                _ => self.single_quoted(q)?,
            };
            // The span runs over the blanks after the quote, up to the `:`.
            let colon = self.quoted_end(after)?;
            let ok = self.byte(colon) == b':'
                && matches!(self.byte(colon + 1), b' ' | b'\n')
                && colon - q <= MAX_KEY;
            if !ok {
                return None;
            }
            let key = Scalar {
                text,
                style,
                start: q,
                end: colon,
            };
            return Some((self.sink.key(key)?, colon));
        }
        let len = self.key_len(q)?;
        let text = Text::from(&self.text[q..q + len]);
        let key = self.sink.key(Scalar {
            text,
            style: ScalarStyle::Plain,
            start: q,
            end: q + len,
        })?;
        Some((key, q + len))
    }

    /// The length of a simple key at `q` followed by `: ` or `:` and the line's end.
    fn key_len(&self, q: usize) -> Option<usize> {
        let (at, len) = self.last_key.get();
        if at == q {
            return len;
        }
        let len = self.find_key_len(q);
        self.last_key.set((q, len));
        len
    }

    fn find_key_len(&self, q: usize) -> Option<usize> {
        let c = self.byte(q);
        if !KEY_BYTES[usize::from(c)] || c == b'-' {
            return None;
        }
        let rest = &self.b[q + 1..];
        let i = q
            + 1
            + rest
                .iter()
                .position(|&c| !KEY_BYTES[usize::from(c)])
                .unwrap_or(rest.len());
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
    fn map_value(&mut self, col: usize, p: usize) -> Option<S::Node> {
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
            return self.scalar("", ScalarStyle::Plain, p, p);
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
    fn seq(&mut self, col: usize, indentless: bool) -> Option<S::Node> {
        let at = self.pos_at(col);
        let slot = self.sink.open(at);
        let mut open = Open::new(&self.open_items);
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
            let item = self.entry(col, dash)?;
            open.push(&mut self.open_items, item);
        }
        let end = self.close(at, open.is_empty(&self.open_items));
        let items = open.finish(&mut self.open_items);
        Some(self.sink.seq(slot, items, false, end))
    }

    /// The item of the sequence entry whose `-` is at `dash` (column `col`).
    fn entry(&mut self, col: usize, dash: usize) -> Option<S::Node> {
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

    /// Where a block collection starting at `start` ends: where its last
    /// child does, as in libyaml's tree.
    fn close(&mut self, start: usize, empty: bool) -> usize {
        if empty {
            self.last_end = start;
        }
        self.last_end
    }
}
