//! Where things are in the text: lines, columns, the `:` after a key, the
//! `-` before an item, comments, node properties.

use super::{err, EditError, Editor};
use crate::yaml::tree::{NodeId, NodeKind, ScalarStyle};

impl Editor<'_> {
    /// The end of the line holding `pos`, or of the comment-only lines right
    /// under it that are indented deeper than `col` (they go with what is above).
    pub(super) fn past_deeper_comments(&self, pos: usize, col: usize) -> usize {
        let mut at = self.line_end(pos);
        loop {
            let next = self.next_line(at);
            if next >= self.text.len() {
                return at;
            }
            let line = &self.text[next..self.line_end(next)];
            let code = line.trim_start();
            if !code.starts_with('#') || line.len() - code.len() <= col {
                return at;
            }
            at = self.line_end(next);
        }
    }

    /// Where the line break ending the line before `line_start` begins.
    pub(super) fn before_line_break(&self, line_start: usize) -> usize {
        let s = &self.text[..line_start];
        if s.ends_with("\r\n") {
            line_start - 2
        } else if s.ends_with('\n') {
            line_start - 1
        } else {
            line_start
        }
    }

    /// Start of the comment-only lines right above the line starting at `line`
    /// (no blank line between), not above `floor`; with `max_col`, only comments
    /// at most that indented (deeper ones belong to the item above).
    pub(super) fn leading_comments(
        &self,
        line: usize,
        floor: usize,
        max_col: Option<usize>,
    ) -> usize {
        let mut start = line;
        while start > floor {
            let above = self.line_start(start - 1);
            if above < floor {
                break;
            }
            let text = &self.text[above..start];
            let trimmed = text.trim_start();
            let indent = text.len() - trimmed.len();
            if !trimmed.starts_with('#') || max_col.is_some_and(|c| indent > c) {
                break;
            }
            start = above;
        }
        start
    }

    /// Start of the line after the one holding `pos` (the text's end on the last line).
    pub(super) fn next_line(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
    }

    pub(super) fn col(&self, pos: usize) -> usize {
        pos - self.line_start(pos)
    }

    pub(super) fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// End of the line holding `pos`, before any `\r\n` / `\n`.
    pub(super) fn line_end(&self, pos: usize) -> usize {
        let e = self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i);
        if e > pos && self.text.as_bytes()[e - 1] == b'\r' && e < self.text.len() {
            e - 1
        } else {
            e
        }
    }

    pub(super) fn colon_after(&self, key_end: usize) -> Result<usize, EditError> {
        let rest = &self.text[key_end..];
        let i = rest
            .find(':')
            .ok_or_else(|| err("expected `:` after a key", Some(key_end)))?;
        Ok(key_end + i + 1)
    }

    /// The `-` of the block sequence item starting at `pos`; it must begin its
    /// line. The item may start on a later line than its dash (`-` alone, or
    /// `- # comment`, then the content), past blank and comment lines.
    pub(super) fn dash_before(&self, pos: usize) -> Result<usize, EditError> {
        let bad = || {
            err(
                "cannot edit a list item that does not start its own line",
                Some(pos),
            )
        };
        let starts_line = |dash: usize| self.text[self.line_start(dash)..dash].trim().is_empty();
        let trimmed = self.text[..pos].trim_end_matches([' ', '\t']);
        if trimmed.ends_with('-') {
            let dash = trimmed.len() - 1;
            return if starts_line(dash) {
                Ok(dash)
            } else {
                Err(bad())
            };
        }
        if !(trimmed.is_empty() || trimmed.ends_with('\n')) {
            return Err(bad());
        }
        // The content begins its line: the dash is on the nearest line above
        // that holds more than blanks and a comment, and is all that line holds.
        let mut end = trimmed.len();
        while end > 0 {
            let start = self.line_start(end - 1);
            let line = &self.text[start..end - 1];
            let code = line[..comment_start(line)].trim();
            if code == "-" {
                let dash = start + line.find('-').expect("the line is a dash");
                return if starts_line(dash) {
                    Ok(dash)
                } else {
                    Err(bad())
                };
            }
            if !code.is_empty() {
                return Err(bad());
            }
            end = start;
        }
        Err(bad())
    }

    /// Start of a scalar's text after its anchor and tag.
    /// A block scalar that ends the text without a line break has none in its
    /// value (`|` reads `x` from `|\n  x` at the end of input). Text added
    /// after it gives it that line break, so its header gets the `-` (strip)
    /// chomping indicator, which reads the same value either way.
    pub(super) fn keep_final_block_scalar(&mut self) {
        let len = self.text.len();
        if self.text.ends_with(['\n', '\r'])
            || !self
                .splices
                .iter()
                .any(|s| s.start == len && !s.text.is_empty())
        {
            return;
        }
        let last = self.tree.nodes.iter().rposition(|n| {
            n.end == len
                && matches!(
                    &n.kind,
                    NodeKind::Scalar { style: ScalarStyle::Literal | ScalarStyle::Folded, text, .. }
                        if !text.ends_with('\n')
                )
        });
        let Some(id) = last else { return };
        let start = self.tree.nodes[id].start;
        if self.splices.iter().any(|s| s.start < len && s.end > start) {
            return;
        }
        let h = self.skip_properties(id);
        let header = &self.text[h..];
        let n = 1 + header[1..]
            .bytes()
            .take_while(|c| matches!(c, b'0'..=b'9' | b'+' | b'-'))
            .count();
        let digits: String = header[1..n].chars().filter(char::is_ascii_digit).collect();
        let new = format!("{}{digits}-", &header[..1]);
        self.splice(h, h + n, new);
    }

    pub(super) fn skip_properties(&self, node: NodeId) -> usize {
        let n = &self.tree.nodes[node];
        let mut s = &self.text[n.start..n.end];
        let mut off = n.start;
        while s.starts_with('&') || s.starts_with('!') {
            let w = s.find([' ', '\t']).unwrap_or(s.len());
            let rest = s[w..].trim_start();
            off += s.len() - rest.len();
            s = rest;
        }
        off
    }
}

/// Where a comment starts on a line holding at most an indicator before it: at
/// a `#` that begins the line or follows a blank; the line's length when none.
pub(super) fn comment_start(line: &str) -> usize {
    let b = line.as_bytes();
    (0..b.len())
        .find(|&i| b[i] == b'#' && (i == 0 || matches!(b[i - 1], b' ' | b'\t')))
        .unwrap_or(b.len())
}
