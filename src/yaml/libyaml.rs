//! A safe event reader over libyaml (the `unsafe-libyaml` translation of
//! libyaml 0.2.5). go-yaml v2, which Kubernetes reads YAML with, is a port of
//! libyaml: using libyaml's own scanner and parser makes premigrate accept,
//! split and position YAML as Kubernetes does by construction (YAML 1.1 line
//! breaks, flow and quoted-scalar indentation rules, tabs, directives, BOMs).
//! All `unsafe` code of the crate is in this file.

use std::ffi::CStr;
use std::mem::MaybeUninit;

use unsafe_libyaml as unsafe_sys;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// `'…'`
    SingleQuoted,
    /// `"…"`
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

/// One parser event, owned.
#[derive(Debug)]
pub enum Event {
    /// Start of the stream.
    StreamStart,
    /// End of the stream.
    StreamEnd,
    /// A document starts, with its `%YAML` version directive if it has one.
    DocumentStart(Option<(i32, i32)>),
    /// A document ends.
    DocumentEnd,
    /// `*name`
    Alias(String),
    /// A scalar.
    Scalar {
        /// Its anchor name.
        anchor: Option<String>,
        /// Its tag, handle resolved (`!!str` is `tag:yaml.org,2002:str`).
        tag: Option<String>,
        /// Its decoded text.
        value: String,
        /// How it was written.
        style: ScalarStyle,
    },
    /// A sequence starts.
    SequenceStart {
        /// Its anchor name.
        anchor: Option<String>,
        /// It has an explicit tag.
        tagged: bool,
        /// `[ … ]` rather than `- …` lines.
        flow: bool,
    },
    /// A sequence ends.
    SequenceEnd,
    /// A mapping starts.
    MappingStart {
        /// Its anchor name.
        anchor: Option<String>,
        /// It has an explicit tag.
        tagged: bool,
        /// `{ … }` rather than `key: value` lines.
        flow: bool,
    },
    /// A mapping ends.
    MappingEnd,
}

/// A scanner or parser error: libyaml's problem and context, at a byte offset.
#[derive(Debug, Clone)]
pub struct ParseError {
    /// `context, problem`, as libyaml words it.
    pub message: String,
    /// Byte offset of the problem in the input.
    pub offset: usize,
}

/// Reads events from a UTF-8 text.
pub struct Parser<'a> {
    // Boxed: libyaml keeps pointers into the parser structure itself.
    parser: Box<MaybeUninit<unsafe_sys::yaml_parser_t>>,
    _input: &'a [u8],
    done: bool,
}

impl<'a> Parser<'a> {
    /// A parser over `input`.
    pub fn new(input: &'a str) -> Parser<'a> {
        let mut parser = Box::new(MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit());
        // SAFETY: initialize fills the structure (it only fails on allocation
        // failure, which aborts in Rust); the input outlives the parser ('a).
        unsafe {
            let p = parser.as_mut_ptr();
            if unsafe_sys::yaml_parser_initialize(p).fail {
                panic!("libyaml could not initialize a parser");
            }
            unsafe_sys::yaml_parser_set_encoding(p, unsafe_sys::YAML_UTF8_ENCODING);
            unsafe_sys::yaml_parser_set_input_string(p, input.as_ptr(), input.len() as u64);
        }
        Parser {
            parser,
            _input: input.as_bytes(),
            done: false,
        }
    }

    /// The next event with its byte span, `None` after the stream's end.
    pub fn next_event(&mut self) -> Option<Result<(Event, usize, usize), ParseError>> {
        if self.done {
            return None;
        }
        let mut raw = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
        // SAFETY: the parser is initialized; on success the event is filled and
        // deleted below after its strings are copied out.
        unsafe {
            let p = self.parser.as_mut_ptr();
            if unsafe_sys::yaml_parser_parse(p, raw.as_mut_ptr()).fail {
                self.done = true;
                return Some(Err(error_of(&*p)));
            }
            let mut raw = raw.assume_init();
            let ev = convert(&raw);
            let span = (raw.start_mark.index as usize, raw.end_mark.index as usize);
            unsafe_sys::yaml_event_delete(&mut raw);
            if matches!(ev, Event::StreamEnd) {
                self.done = true;
            }
            Some(Ok((ev, span.0, span.1)))
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialized in `new`, deleted once.
        unsafe { unsafe_sys::yaml_parser_delete(self.parser.as_mut_ptr()) }
    }
}

/// A NUL-terminated libyaml string, if not null.
unsafe fn cstr(p: *const u8) -> Option<String> {
    (!p.is_null())
        .then(|| String::from_utf8_lossy(CStr::from_ptr(p.cast()).to_bytes()).into_owned())
}

unsafe fn convert(raw: &unsafe_sys::yaml_event_t) -> Event {
    match raw.type_ {
        unsafe_sys::YAML_STREAM_START_EVENT => Event::StreamStart,
        unsafe_sys::YAML_STREAM_END_EVENT => Event::StreamEnd,
        unsafe_sys::YAML_DOCUMENT_START_EVENT => {
            let v = raw.data.document_start.version_directive;
            Event::DocumentStart((!v.is_null()).then(|| ((*v).major, (*v).minor)))
        }
        unsafe_sys::YAML_DOCUMENT_END_EVENT => Event::DocumentEnd,
        unsafe_sys::YAML_ALIAS_EVENT => {
            Event::Alias(cstr(raw.data.alias.anchor).unwrap_or_default())
        }
        unsafe_sys::YAML_SCALAR_EVENT => {
            let s = raw.data.scalar;
            let bytes = std::slice::from_raw_parts(s.value, s.length as usize);
            Event::Scalar {
                anchor: cstr(s.anchor),
                tag: cstr(s.tag),
                // libyaml only produces UTF-8 from UTF-8 input.
                value: String::from_utf8_lossy(bytes).into_owned(),
                style: match s.style {
                    unsafe_sys::YAML_SINGLE_QUOTED_SCALAR_STYLE => ScalarStyle::SingleQuoted,
                    unsafe_sys::YAML_DOUBLE_QUOTED_SCALAR_STYLE => ScalarStyle::DoubleQuoted,
                    unsafe_sys::YAML_LITERAL_SCALAR_STYLE => ScalarStyle::Literal,
                    unsafe_sys::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Folded,
                    _ => ScalarStyle::Plain,
                },
            }
        }
        unsafe_sys::YAML_SEQUENCE_START_EVENT => {
            let s = raw.data.sequence_start;
            Event::SequenceStart {
                anchor: cstr(s.anchor),
                tagged: !s.tag.is_null(),
                flow: s.style == unsafe_sys::YAML_FLOW_SEQUENCE_STYLE,
            }
        }
        unsafe_sys::YAML_SEQUENCE_END_EVENT => Event::SequenceEnd,
        unsafe_sys::YAML_MAPPING_START_EVENT => {
            let s = raw.data.mapping_start;
            Event::MappingStart {
                anchor: cstr(s.anchor),
                tagged: !s.tag.is_null(),
                flow: s.style == unsafe_sys::YAML_FLOW_MAPPING_STYLE,
            }
        }
        unsafe_sys::YAML_MAPPING_END_EVENT => Event::MappingEnd,
        _ => Event::StreamEnd,
    }
}

unsafe fn error_of(p: &unsafe_sys::yaml_parser_t) -> ParseError {
    let problem = cstr(p.problem.cast()).unwrap_or_else(|| "invalid YAML".into());
    let message = match cstr(p.context.cast()) {
        Some(c) => format!("{c}, {problem}"),
        None => problem,
    };
    // Reader errors (bad UTF-8, control characters) carry a byte offset, not a mark.
    let offset = if p.error == unsafe_sys::YAML_READER_ERROR {
        p.problem_offset as usize
    } else {
        p.problem_mark.index as usize
    };
    ParseError { message, offset }
}
