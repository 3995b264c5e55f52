//! Diagnostics: the one error type users see (which document, where, what is
//! wrong, what to do), and the table of codes of the findings ([`codes`]).

pub mod codes;

pub use codes::{Code, Severity};

use std::fmt;

/// Where in the input a problem is.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Location {
    /// 1-based document number in the stream.
    pub doc: Option<usize>,
    /// The document's `# Source:` comment or Helm 4 filename annotation.
    pub source: Option<String>,
    /// The document's kind/name, when known.
    pub object: Option<String>,
    /// 1-based line in the input.
    pub line: Option<usize>,
    /// 1-based column (in characters).
    pub column: Option<usize>,
}

impl Location {
    /// Position of `offset` (bytes) inside `doc_text`, which starts at input line `first_line`.
    pub fn at(doc: usize, doc_text: &str, first_line: usize, offset: usize) -> Location {
        let offset = offset.min(doc_text.len());
        let before = &doc_text[..offset];
        let line = first_line + before.matches('\n').count();
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Location {
            doc: Some(doc + 1),
            line: Some(line),
            column: Some(col),
            ..Default::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(d) = self.doc {
            let mut s = format!("document {d}");
            if let Some(o) = &self.object {
                s.push_str(&format!(" ({o})"));
            }
            if let Some(src) = &self.source {
                s.push_str(&format!(" from {src}"));
            }
            parts.push(s);
        } else if let Some(src) = &self.source {
            // A file that is not a manifest stream, such as a policy.
            let mut s = src.clone();
            if let Some(o) = &self.object {
                s.push_str(&format!(" ({o})"));
            }
            parts.push(s);
        }
        if let Some(l) = self.line {
            parts.push(match self.column {
                Some(c) => format!("line {l}, column {c}"),
                None => format!("line {l}"),
            });
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// An error that stops the run: nothing is written to stdout.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// Where, when it is about the input.
    pub location: Option<Box<Location>>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl Error {
    /// An error with no location.
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            location: None,
            message: message.into(),
            help: None,
        }
    }

    /// An error at a location.
    pub fn at(location: Location, message: impl Into<String>) -> Error {
        Error {
            location: Some(Box::new(location)),
            message: message.into(),
            help: None,
        }
    }

    /// Adds what to do.
    pub fn help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) if l.doc.is_some() || l.line.is_some() => write!(f, "{l}: {}", self.message)?,
            _ => write!(f, "{}", self.message)?,
        }
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
