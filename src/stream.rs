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
        && matches!(
            line.as_bytes().get(3),
            None | Some(b' ' | b'\t' | b'\r' | b'\n')
        )
}

impl<'a> Stream<'a> {
    /// Splits `input` into documents.
    pub fn split(input: &'a [u8]) -> Result<Stream<'a>, Utf8Error> {
        let text = std::str::from_utf8(input).map_err(|e| Utf8Error {
            offset: e.valid_up_to(),
        })?;
        let (text, bom) = match text.strip_prefix(BOM) {
            Some(rest) => (rest, true),
            None => (text, false),
        };
        let mut docs = Vec::new();
        let mut start = 0;
        let mut start_line = 1;
        let mut line_no = 1;
        let mut pos = 0;
        let bytes = text.as_bytes();
        while pos < bytes.len() {
            let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i + 1);
            // Only lines starting with `-` or `.` can be markers: skip the rest fast.
            match bytes[pos] {
                b'-' if pos > start && is_doc_start(&text[pos..nl]) => {
                    docs.push(Doc {
                        start,
                        end: pos,
                        line: start_line,
                    });
                    start = pos;
                    start_line = line_no;
                }
                b'.' if is_doc_end(&text[pos..nl]) => {
                    docs.push(Doc {
                        start,
                        end: nl,
                        line: start_line,
                    });
                    start = nl;
                    start_line = line_no + 1;
                }
                _ => {}
            }
            pos = nl;
            line_no += 1;
        }
        if start < text.len() || docs.is_empty() {
            docs.push(Doc {
                start,
                end: text.len(),
                line: start_line,
            });
        }
        Ok(Stream { text, bom, docs })
    }

    /// The text of a document.
    pub fn doc_text(&self, i: usize) -> &'a str {
        let d = &self.docs[i];
        &self.text[d.start..d.end]
    }
}

/// Whether a document has no content: only `---`, blank lines and comments.
pub fn is_blank(doc: &str) -> bool {
    doc.lines().enumerate().all(|(i, l)| {
        let t = l.trim();
        t.is_empty()
            || t.starts_with('#')
            || (i == 0 && is_doc_start(l) && t[3..].trim_start().starts_with('#'))
            || (i == 0 && t == "---")
            || is_doc_end(l)
    })
}

/// Joins document texts into a stream. Adjacent documents are kept apart: a
/// document that follows another gets a `---` line if it has none, and a
/// document that is followed gets a final newline. For the documents of an
/// unchanged stream, in order, this gives back the input exactly.
pub fn join<S: AsRef<str>>(bom: bool, docs: &[S]) -> String {
    let mut out =
        String::with_capacity(docs.iter().map(|d| d.as_ref().len() + 4).sum::<usize>() + 3);
    if bom {
        out.push_str(BOM);
    }
    let body_start = out.len();
    // Whether the previous document ended with `...` (then no `---` is needed).
    let mut prev_ended = true;
    for d in docs {
        let d = d.as_ref();
        if d.is_empty() {
            continue;
        }
        if out.len() > body_start {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            if !prev_ended && !is_doc_start(d.lines().next().unwrap_or("")) {
                out.push_str("---\n");
            }
        }
        out.push_str(d);
        prev_ended = d.trim_end().lines().last().is_some_and(is_doc_end);
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
    fn moved_documents_stay_apart() {
        assert_eq!(
            join(false, &["---\nb: 2", "a: 1\n"]),
            "---\nb: 2\n---\na: 1\n"
        );
    }
}
