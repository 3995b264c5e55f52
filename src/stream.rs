//! Splitting a manifest stream into documents and joining it back, byte for byte.
//! A document is its `---` line (if any) plus the lines up to the next one; its
//! bytes are never re-encoded, so an unchanged stream comes out identical.

/// A document: a range of the input. `text[start..end]` includes its `---` line.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// First byte (the `---` line, when there is one).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// 1-based line number of `start` in the input.
    pub line: usize,
}

/// The input split into documents.
#[derive(Debug)]
pub struct Stream<'a> {
    /// The input without its byte-order mark.
    pub text: &'a str,
    /// The input started with a UTF-8 byte-order mark.
    pub bom: bool,
    /// The documents, in order; together they cover `text` exactly.
    pub docs: Vec<Doc>,
    /// The text breaks lines at a lone CR, NEL, LS or PS somewhere.
    pub rare_breaks: bool,
    /// Where the lines that start with neither a space nor a tab begin
    /// ([`line_heads`]): the top-level lines, which is all the quick look
    /// of a big document needs.
    pub heads: Vec<usize>,
}

/// Invalid UTF-8, positioned.
#[derive(Debug, Clone, PartialEq)]
pub struct Utf8Error {
    /// Byte offset of the first invalid byte.
    pub offset: usize,
}

const BOM: &str = "\u{feff}";

/// Whether a line (without its newline) is a `---` document start.
pub fn is_doc_start(line: &str) -> bool {
    marker(line, "---")
}

/// Whether a line is a `...` document end.
pub fn is_doc_end(line: &str) -> bool {
    marker(line, "...")
}

fn marker(line: &str, m: &str) -> bool {
    line.starts_with(m)
        && (matches!(
            line.as_bytes().get(3),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        ) || break_len(line.as_bytes(), 3) > 0)
}

/// Length of the YAML 1.1 line break at `i` (`\r\n`, `\n`, `\r`, NEL, LS,
/// PS), 0 when there is none. go-yaml v2 (and libyaml) break lines at all of them.
pub fn break_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') => 1 + usize::from(b.get(i + 1) == Some(&b'\n')),
        Some(0xC2) if b.get(i + 1) == Some(&0x85) => 2,
        Some(0xE2) if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) => 3,
        _ => 0,
    }
}

/// Where the line starting at `i` ends: its first YAML line break (see
/// [`break_len`]), or the end. The `\n` is found at once; only a line that
/// holds a byte a rarer break starts with is looked at byte by byte.
fn line_end(b: &[u8], i: usize) -> usize {
    let nl = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
    if memchr::memchr3(b'\r', 0xC2, 0xE2, &b[i..nl]).is_none() {
        return nl;
    }
    let mut end = i;
    while end < b.len() && break_len(b, end) == 0 {
        end += 1;
    }
    end
}

/// Whether the text holds a line break other than `\n` and `\r\n` (a lone
/// CR, NEL, LS or PS): then lines are found the slow way.
pub fn has_rare_breaks(b: &[u8]) -> bool {
    // One pass over the bytes that can start one: CR, and NEL's and LS/PS's lead bytes.
    let mut from = 0;
    while let Some(i) = memchr::memchr3(b'\r', 0xC2, 0xE2, &b[from..]) {
        let at = from + i;
        let rare = match b[at] {
            b'\r' => b.get(at + 1) != Some(&b'\n'),
            _ => break_len(b, at) > 0,
        };
        if rare {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The lines of a text as YAML reads them: (start, end before the break, start of the next line).
pub struct Lines<'a> {
    b: &'a [u8],
    pos: usize,
    rare: bool,
}

impl<'a> Lines<'a> {
    /// The lines of `text`.
    pub fn new(text: &'a str) -> Lines<'a> {
        let b = text.as_bytes();
        Lines {
            b,
            pos: 0,
            rare: has_rare_breaks(b),
        }
    }
}

impl Iterator for Lines<'_> {
    type Item = (usize, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let (b, start) = (self.b, self.pos);
        if start >= b.len() {
            return None;
        }
        let (end, next) = if self.rare {
            let mut i = start;
            loop {
                // Every break starts with one of these bytes.
                match memchr::memchr3(b'\n', b'\r', 0xC2, &b[i..])
                    .into_iter()
                    .chain(memchr::memchr(0xE2, &b[i..]))
                    .min()
                {
                    None => break (b.len(), b.len()),
                    Some(k) => {
                        let n = break_len(b, i + k);
                        if n > 0 {
                            break (i + k, i + k + n);
                        }
                        i += k + 1;
                    }
                }
            }
        } else {
            match memchr::memchr(b'\n', &b[start..]) {
                Some(k) => {
                    let e = start + k;
                    let end = if e > start && b[e - 1] == b'\r' {
                        e - 1
                    } else {
                        e
                    };
                    (end, e + 1)
                }
                None => (b.len(), b.len()),
            }
        };
        self.pos = next;
        Some((start, end, next))
    }
}

impl<'a> Stream<'a> {
    /// Splits `input` into documents where go-yaml v2 does: at `---` and
    /// after `...` lines, whatever YAML line break ends the line before; the
    /// `%` directive lines right before a `---` belong to its document.
    pub fn split(input: &'a [u8]) -> Result<Stream<'a>, Utf8Error> {
        let text = std::str::from_utf8(input).map_err(|e| Utf8Error {
            offset: e.valid_up_to(),
        })?;
        let (text, bom) = match text.strip_prefix(BOM) {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        let rare_breaks = has_rare_breaks(text.as_bytes());
        let heads = line_heads(text.as_bytes());
        let docs = match rare_breaks {
            false => split_at_markers(text, &heads),
            true => None,
        }
        .unwrap_or_else(|| split_by_lines(text));
        Ok(Stream {
            text,
            bom,
            docs,
            rare_breaks,
            heads,
        })
    }

    /// Whether document `i` follows a `...` line without starting with `---`
    /// (or directives) while it has content: go-yaml v2 refuses that
    /// (`did not find expected <document start>`).
    pub fn lacks_doc_start(&self, i: usize) -> bool {
        if i == 0 {
            return false;
        }
        let ended = ends_with_doc_end(self.doc_text(i - 1));
        let text = self.doc_text(i);
        ended && !is_blank(text) && !text.starts_with("---") && !text.starts_with('%')
    }

    /// The text of a document.
    pub fn doc_text(&self, i: usize) -> &'a str {
        let d = &self.docs[i];
        &self.text[d.start..d.end]
    }
}

/// The documents of a text, line by line (any YAML line break, directives).
fn split_by_lines(text: &str) -> Vec<Doc> {
    let mut cuts = Cuts::default();
    // The first directive line of a run that may precede a `---`.
    let mut directives: Option<(usize, usize)> = None;
    let bytes = text.as_bytes();
    for (n, (pos, end, next)) in Lines::new(text).enumerate() {
        let line_no = n + 1;
        // Only lines starting with `-`, `.` or `%` can matter: skip the rest fast.
        match bytes[pos] {
            b'-' if is_doc_start(&text[pos..end]) => {
                let (cut, cut_line) = directives.take().unwrap_or((pos, line_no));
                cuts.start_at(cut, cut_line);
            }
            b'.' if is_doc_end(&text[pos..end]) => {
                cuts.end_at(next, line_no + 1);
                directives = None;
            }
            b'%' => {
                directives.get_or_insert((pos, line_no));
            }
            _ if directives.is_some() => {
                let t = text[pos..end].trim_start_matches([' ', '\t']);
                if !(t.is_empty() || t.starts_with('#')) {
                    directives = None;
                }
            }
            _ => {}
        }
    }
    cuts.finish(text.len())
}

/// The documents of a text broken by `\n` (or `\r\n`) only and without
/// directives, found among its top-level lines (`heads`, from
/// [`line_heads`]) rather than by looking at every line (CRDs make streams of
/// 100k lines); `None` when a line starts with `%`.
fn split_at_markers(text: &str, heads: &[usize]) -> Option<Vec<Doc>> {
    let b = text.as_bytes();
    let first = (!b.is_empty()).then_some(0);
    let starts = || first.into_iter().chain(heads.iter().copied());
    if starts().any(|p| b.get(p) == Some(&b'%')) {
        return None;
    }
    let marks = || starts().filter(|&p| b[p..].starts_with(b"---") || b[p..].starts_with(b"..."));
    // As many documents as markers at most, plus the last: a list grown by
    // doubling touched twice its size (a 20k-document stream).
    let mut cuts = Cuts {
        docs: Vec::with_capacity(marks().count() + 1),
        ..Cuts::default()
    };
    let (mut counted, mut line) = (0, 1);
    for pos in marks() {
        line += memchr::memchr_iter(b'\n', &b[counted..pos]).count();
        counted = pos;
        let eol = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |k| pos + k);
        let marker_line = text[pos..eol].strip_suffix('\r').unwrap_or(&text[pos..eol]);
        if is_doc_start(marker_line) {
            cuts.start_at(pos, line);
        } else if is_doc_end(marker_line) {
            cuts.end_at((eol + 1).min(b.len()), line + 1);
        }
    }
    Some(cuts.finish(text.len()))
}

/// Where each line that starts with neither a space nor a tab begins: every
/// position right after a `\n` whose byte is not ` ` or `\t` (the end of the
/// text is not one). Such lines are rare in a CRD (a few in 100 KB): the text
/// is looked at in blocks by a loop the compiler vectorizes, and only a block
/// that holds one is looked at byte by byte. A `memchr` per line costs ~25 ns a
/// line, four times the whole scan on a 5 MB CRD stream.
pub fn line_heads(b: &[u8]) -> Vec<usize> {
    const BLOCK: usize = 256;
    // Room for a head every 16 bytes, more than most streams have (a CRD has
    // a few in 100 KB): what is not written is address space, not memory,
    // and a list grown by doubling touched twice its size.
    let mut heads = Vec::with_capacity(b.len() / 16);
    let mut i = 0;
    // Pairs (b[k], b[k + 1]) for k in i..end: a head is at k + 1.
    while i + 1 < b.len() {
        let end = (i + BLOCK).min(b.len() - 1);
        let (this, next) = (&b[i..end], &b[i + 1..end + 1]);
        let any = this.iter().zip(next).fold(false, |any, (&x, &y)| {
            any | ((x == b'\n') & (y != b' ') & (y != b'\t'))
        });
        if any {
            heads.extend(
                memchr::memchr_iter(b'\n', &b[i..end])
                    .map(|k| i + k + 1)
                    .filter(|&k| !matches!(b[k], b' ' | b'\t')),
            );
        }
        i = end;
    }
    heads
}

/// The documents found so far, and where the current one starts (byte, line).
struct Cuts {
    docs: Vec<Doc>,
    start: usize,
    line: usize,
}

impl Default for Cuts {
    fn default() -> Cuts {
        Cuts {
            docs: Vec::new(),
            start: 0,
            line: 1,
        }
    }
}

impl Cuts {
    /// A document starts at `at` (on line `line`): the current one ends there
    /// (when it holds anything).
    fn start_at(&mut self, at: usize, line: usize) {
        if at > self.start {
            self.end_at(at, line);
        }
    }

    /// The current document ends before `next` (a `...` line's end); the next
    /// one starts there, on line `line`.
    fn end_at(&mut self, next: usize, line: usize) {
        self.docs.push(Doc {
            start: self.start,
            end: next,
            line: self.line,
        });
        (self.start, self.line) = (next, line);
    }

    /// The documents, the last one (the rest of the text, or an empty text's only one) included.
    fn finish(mut self, len: usize) -> Vec<Doc> {
        if self.start < len || self.docs.is_empty() {
            self.end_at(len, self.line);
        }
        self.docs
    }
}

/// Whether a document has no content: only `---`, blank lines and comments
/// (lines as YAML breaks them: a comment ends at a CR, NEL, LS or PS too).
/// It stops at the first content, so a big document costs little.
pub fn is_blank(doc: &str) -> bool {
    let b = doc.as_bytes();
    let mut i = 0;
    let mut first = true;
    while i < b.len() {
        let end = line_end(b, i);
        // Only a comment or marker line runs long; content returns early.
        let l = &doc[i..end];
        let t = l.trim();
        let blank = t.is_empty()
            || t.starts_with('#')
            || (first && is_doc_start(l) && t[3..].trim_start().starts_with('#'))
            || (first && t == "---")
            || is_doc_end(l);
        if !blank {
            return false;
        }
        first = false;
        i = end + break_len(b, end).max(1);
    }
    true
}

/// Whether a text holds any of `needles` (a SIMD substring search: it runs
/// over whole documents, CRDs of hundreds of KB among them).
pub fn mentions(text: &str, needles: &[&str]) -> bool {
    needles
        .iter()
        .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
}

/// The first line of a text, up to any YAML line break.
fn first_line(s: &str) -> &str {
    // Only the first `\n` line can hold the first break: look no further
    // (documents are joined one after another; a scan of each would add up).
    let head = memchr::memchr(b'\n', s.as_bytes()).map_or(s, |i| &s[..=i]);
    Lines::new(head).next().map_or("", |(a, e, _)| &head[a..e])
}

/// Whether the last line with content is a `...` document end.
fn ends_with_doc_end(s: &str) -> bool {
    s.trim_end()
        .rsplit(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .next()
        .is_some_and(is_doc_end)
}

/// Whether a text ends with a YAML line break.
pub(crate) fn ends_with_break(s: &str) -> bool {
    s.ends_with(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
}

/// Joins document texts into a stream. Adjacent documents are kept apart: a
/// document that follows another gets a `---` line if it has none, and a
/// document that is followed gets a final newline. For the documents of an
/// unchanged stream, in order, this gives back the input exactly.
pub fn join<S: AsRef<str>>(bom: bool, docs: &[S]) -> String {
    join_pieces(bom, docs).concat()
}

/// [`join`] as the pieces to write one after another: the documents
/// themselves and the separators between them (a big stream is written
/// without being copied into one buffer first).
pub fn join_pieces<S: AsRef<str>>(bom: bool, docs: &[S]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(docs.len() * 2 + 1);
    if bom {
        out.push(BOM);
    }
    // Whether the previous document ended with `...` (then no `---` is needed).
    let mut prev_ended = true;
    let mut last: Option<&str> = None;
    for d in docs {
        let d = d.as_ref();
        if d.is_empty() {
            continue;
        }
        if let Some(prev) = last {
            if !ends_with_break(prev) {
                out.push("\n");
            }
            // A document opening with directives has its `---` after them.
            if !prev_ended && !is_doc_start(first_line(d)) && !d.starts_with('%') {
                out.push("---\n");
            }
        }
        out.push(d);
        last = Some(d);
        prev_ended = ends_with_doc_end(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(s: &str) {
        let st = Stream::split(s.as_bytes()).unwrap();
        let parts: Vec<&str> = (0..st.docs.len()).map(|i| st.doc_text(i)).collect();
        assert_eq!(join(st.bom, &parts), s);
    }

    #[test]
    fn splits_and_joins_exactly() {
        for s in [
            "",
            "a: 1",
            "---\na: 1\n---\nb: 2\n",
            "a: 1\n---\n# Source: x\n---\nb: 2",
            "a: |\n  ---\n  x\n---\n",
            "a: 1\n...\n---\nb: 1\n...\n",
            "\u{feff}---\r\na: 1\r\n---\r\nb: 2\r\n",
            "--- \n---\n---\n",
            "---x: 1\n",
        ] {
            roundtrip(s);
        }
        assert_eq!(Stream::split(b"a: 1\n---\nb: 2\n").unwrap().docs.len(), 2);
        assert_eq!(Stream::split(b"a: |\n  ---\n").unwrap().docs.len(), 1);
    }

    #[test]
    fn every_yaml_line_break_splits_documents() {
        for s in [
            "a: 1\r---\rb: 2\r",
            "a: 1\u{85}---\u{85}b: 2",
            "a: 1\u{2028}--- # c\u{2029}b: 2\n",
            "a: 1\r...\r---\rb: 2\r",
            "# c\u{85}a: 1\n%YAML 1.1\n# d\n---\nb: 2\n",
        ] {
            roundtrip(s);
            assert_eq!(Stream::split(s.as_bytes()).unwrap().docs.len(), 2, "{s:?}");
        }
        // A directive belongs to the document its `---` starts.
        let st = Stream::split(b"a: 1\n%YAML 1.1\n---\nb: 2\n").unwrap();
        assert_eq!(st.doc_text(1), "%YAML 1.1\n---\nb: 2\n");
        // A comment broken by NEL ends there: what follows is content.
        assert!(!is_blank("# c\u{85}a: 1\n"));
        assert!(!is_blank("# c\ra: 1"));
        assert!(is_blank("--- # c\r# d\r"));
    }

    /// The marker search splits exactly as the line walk does.
    #[test]
    fn marker_search_splits_as_the_line_walk() {
        let mut texts: Vec<String> = [
            "",
            "---",
            "---\n",
            "...\n",
            "a: 1\n...",
            "a: 1\n...\nb: 2\n",
            "a: 1\n... # c\n---\nb",
            "a: 1\n---\n---\n",
            "a: 1\r\n---\r\nb: 2\r\n...\r\n",
            "a: |\n  ---\n---x: 1\n---\tb\n",
            "--- |\n  x\n--- >\n  y\n",
            "a\n----\n....\n---\n",
            "x\n---",
            "x\n...",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [root.join("testdata"), root.join("../shared/corpus")] {
            let mut stack = vec![dir];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if let Ok(t) = std::fs::read_to_string(&p) {
                        texts.push(t);
                    }
                }
            }
        }
        let mut checked = 0;
        for t in &texts {
            assert_eq!(
                line_heads(t.as_bytes()),
                heads_by_bytes(t.as_bytes()),
                "{t:?}"
            );
            if has_rare_breaks(t.as_bytes()) {
                continue;
            }
            if let Some(docs) = split_at_markers(t, &line_heads(t.as_bytes())) {
                assert_eq!(docs, split_by_lines(t), "{t:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    /// [`line_heads`] by its definition, a byte at a time.
    fn heads_by_bytes(b: &[u8]) -> Vec<usize> {
        (1..b.len())
            .filter(|&p| b[p - 1] == b'\n' && !matches!(b[p], b' ' | b'\t'))
            .collect()
    }

    #[test]
    fn line_heads_across_block_edges() {
        // A newline at every spot around the 256-byte blocks, followed by
        // each kind of byte, and at the very end.
        for at in 240..280 {
            for next in [b'a', b' ', b'\t', b'\n', b'-'] {
                for len in [at + 1, at + 2, at + 3, 600] {
                    let mut b = vec![b' '; len];
                    b[at] = b'\n';
                    if at + 1 < len {
                        b[at + 1] = next;
                    }
                    assert_eq!(line_heads(&b), heads_by_bytes(&b), "{at} {next} {len}");
                }
            }
        }
        assert_eq!(line_heads(b""), Vec::<usize>::new());
        assert_eq!(line_heads(b"\n"), Vec::<usize>::new());
        assert_eq!(line_heads(b"\n\nx\n y"), vec![1, 2]);
    }

    #[test]
    fn moved_documents_stay_apart() {
        assert_eq!(
            join(false, &["---\nb: 2", "a: 1\n"]),
            "---\nb: 2\n---\na: 1\n"
        );
    }
}
