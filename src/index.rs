//! What each document is: apiVersion, kind, name, namespace, source file. Only
//! documents a later stage reads are parsed (ConfigMaps and Secrets when a pod
//! of the stream uses them); the rest (CRDs are most of the bytes of big
//! charts) are identified by a quick look at their top-level lines.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::diag::{Error, Location};
use crate::stream::{is_blank, Stream};
use crate::yaml::value::Text;
use crate::yaml::{Tree, Value};

/// The Helm 4 annotation that names the template file a document came from.
pub const HELM4_FILENAME: &str = "postrenderer.helm.sh/postrender-filename";

/// Identity of a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocInfo {
    /// `apiVersion`.
    pub api_version: Option<Text>,
    /// `kind`.
    pub kind: Option<Text>,
    /// `metadata.name`.
    pub name: Option<Text>,
    /// `metadata.namespace`.
    pub namespace: Option<Text>,
    /// The `# Source:` comment that precedes or opens it.
    pub source: Option<Text>,
    /// Helm 4's filename annotation.
    pub filename: Option<Text>,
    /// No content: only comments and markers.
    pub blank: bool,
}

impl DocInfo {
    /// `Kind/name`.
    pub fn object(&self) -> String {
        format!(
            "{}/{}",
            self.kind.as_deref().unwrap_or("?"),
            self.name.as_deref().unwrap_or("?")
        )
    }
}

/// A fully parsed document: its value. Its syntax tree is not kept (trees are
/// most of the memory of a big stream); [`Index::tree`] reads it again for the
/// few documents premigrate edits.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Its value as Kubernetes reads it.
    pub value: Value,
}

/// One document of the stream.
#[derive(Debug, Clone)]
pub struct Entry {
    /// What it is.
    pub info: DocInfo,
    /// Its parse, when a later stage needs it.
    pub parsed: Option<Parsed>,
    /// Where its top-level `metadata` block is in its text (empty: none),
    /// when it was identified without parsing: a later stage looking for an
    /// annotation looks there, not through a whole CRD.
    pub metadata: Option<Range<usize>>,
}

/// Kinds whose documents premigrate reads.
pub const READ_KINDS: &[&str] = &[
    "Job",
    "CronJob",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Rollout",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Service",
    "Role",
    "RoleBinding",
    "List",
];

/// The stream with every document identified.
pub struct Index<'a> {
    /// The split input.
    pub stream: Stream<'a>,
    /// One entry per document.
    pub entries: Vec<Entry>,
}

impl<'a> Index<'a> {
    /// Splits and identifies `input`, parsing what later stages read.
    pub fn build(input: &'a [u8]) -> Result<Index<'a>, Error> {
        let stream = Stream::split(input).map_err(|e| {
            // The valid prefix splits like the whole would: its last document holds the bad byte.
            let prefix = Stream::split(&input[..e.offset]).expect("valid UTF-8 up to the error");
            let doc = prefix.docs.len() - 1;
            let text = prefix.doc_text(doc);
            let mut loc = Location::at(doc, text, prefix.docs[doc].line, text.len());
            loc.source = source_comment(text);
            Error::at(
                loc,
                format!(
                    "invalid UTF-8 (byte 0x{:02x} at offset {})",
                    input[e.offset], e.offset
                ),
            )
            .help("Kubernetes manifests must be UTF-8; re-encode the file (e.g. `iconv -t UTF-8`)")
        })?;
        // Each document's entry is made by the first look and completed in
        // place: a second list of every document's identity was a peak.
        let (mut entries, needs) = look_at_all(&stream);
        let parses = parse_all(&stream, &entries, &needs);
        for (i, parse) in parses {
            let e = &mut entries[i];
            match parse {
                Ok(p) => {
                    let source = e.info.source.take();
                    e.info = DocInfo {
                        source,
                        ..info_of(&p.value)
                    };
                    (e.parsed, e.metadata) = (Some(p), None);
                }
                // A document premigrate has no reason to read passes
                // through untouched, even when its YAML is odd.
                Err(_) if e.metadata.is_none() && passes_through(stream.doc_text(i)) => {
                    e.info.kind = sniff_kind(stream.doc_text(i)).map(Text::from);
                }
                // The first document in order that fails is the error: the
                // same one whichever thread read it.
                Err(e) => return Err(e),
            }
        }
        Ok(Index { stream, entries })
    }

    /// The syntax tree of parsed document `i`, for an edit: read again (it read
    /// when the index was built, and reading is deterministic).
    pub fn tree(&self, i: usize) -> Tree {
        Tree::parse(self.stream.doc_text(i)).expect("a parsed document parses again")
    }

    /// Where document `i` is, for messages.
    pub fn location(&self, i: usize) -> Location {
        let info = &self.entries[i].info;
        Location {
            doc: Some(i + 1),
            source: info
                .filename
                .as_ref()
                .or(info.source.as_ref())
                .map(Text::to_string),
            object: info.kind.as_ref().map(|_| info.object()),
            line: Some(self.stream.docs[i].line),
            column: None,
        }
    }

    /// Location of a byte offset inside document `i`.
    pub fn location_at(&self, i: usize, offset: usize) -> Location {
        let mut l = Location::at(i, self.stream.doc_text(i), self.stream.docs[i].line, offset);
        let base = self.location(i);
        l.source = base.source;
        l.object = base.object;
        l
    }

    /// Whether the stream came from Helm 4 (its post-renderer marks every document).
    pub fn from_helm4(&self) -> bool {
        // A parsed document has read its annotation; the others' metadata
        // block holds it if anything does.
        self.entries
            .iter()
            .enumerate()
            .any(|(i, e)| match &e.metadata {
                _ if e.info.filename.is_some() => true,
                Some(m) => {
                    crate::stream::mentions(&self.stream.doc_text(i)[m.clone()], &[HELM4_FILENAME])
                }
                None => false,
            })
    }
}

/// Whether a document is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// No stage reads it (a CRD, a custom resource): identified by a quick look.
    No,
    /// Stages read it.
    Yes,
    /// A ConfigMap or Secret: read for the scripts and settings of the pods
    /// that use it, so parsed only when a parsed document's pod names it (a
    /// 100k-key ConfigMap no pod uses is passed through, as a CRD is).
    IfUsed,
}

/// Kinds parsed only when a pod of the stream uses them by name.
const READ_IF_USED: &[&str] = &["ConfigMap", "Secret"];

/// A first look at every document, in order (sources carry over blank
/// documents): its entry as far as the look identifies it (the metadata
/// block's place when it does), and whether a later stage reads it.
fn look_at_all(stream: &Stream<'_>) -> (Vec<Entry>, Vec<Need>) {
    let mut pending_source: Option<String> = None;
    let mut entries = Vec::with_capacity(stream.docs.len());
    let mut needs = Vec::with_capacity(stream.docs.len());
    for i in 0..stream.docs.len() {
        let text = stream.doc_text(i);
        let own_source = source_comment(text);
        let blank = is_blank(text);
        let source = if blank {
            if own_source.is_some() {
                pending_source.clone_from(&own_source);
            }
            own_source
        } else {
            own_source.or_else(|| pending_source.take())
        };
        // The quick look reads `\n` lines only: a document broken by a
        // lone CR, NEL, LS or PS is parsed.
        let rare = stream.rare_breaks && crate::stream::has_rare_breaks(text.as_bytes());
        let quick = if blank || rare {
            None
        } else {
            quick_look(text, heads_of(stream, i))
        };
        needs.push(match &quick {
            _ if blank => Need::No,
            None => Need::Yes,
            // An annotation of premigrate's: in the metadata block.
            Some((_, m)) if crate::stream::mentions(&text[m.clone()], &["premigrate.io/"]) => {
                Need::Yes
            }
            Some((q, _)) => match q.kind.as_deref() {
                None => Need::Yes,
                Some(k) if READ_IF_USED.contains(&k) => Need::IfUsed,
                Some(k) if READ_KINDS.contains(&k) || k.ends_with("List") => Need::Yes,
                Some(_) => Need::No,
            },
        });
        let (info, metadata) = quick.map_or_else(Default::default, |(q, m)| (q, Some(m)));
        entries.push(Entry {
            info: DocInfo {
                blank,
                source: source.map(Text::from),
                ..info
            },
            parsed: None,
            metadata,
        });
    }
    (entries, needs)
}

/// A parse: the document's number and its value or why it has none.
type Parse = (usize, Result<Parsed, Error>);

/// Parses the documents a later stage reads, in document order: first all
/// but ConfigMaps and Secrets, then those their pods use. Only those parsed
/// are listed (a slot for each of a 20k-item list's documents was a peak).
fn parse_all(stream: &Stream<'_>, entries: &[Entry], needs: &[Need]) -> Vec<Parse> {
    let first: Vec<usize> = (0..needs.len())
        .filter(|&i| needs[i] == Need::Yes)
        .collect();
    let mut out = parse_these(stream, entries, &first);
    let used = used_by_pods(&out);
    let then: Vec<usize> = (0..needs.len())
        .filter(|&i| needs[i] == Need::IfUsed)
        .filter(|&i| {
            let q = &entries[i].info;
            let named = (q.kind.as_deref())
                .zip(q.name.as_deref())
                .map(|(k, n)| format!("{k}/{n}"));
            match (&used, named) {
                (Some(used), Some(named)) => used.contains(&named),
                _ => true,
            }
        })
        .collect();
    if !then.is_empty() {
        out.extend(parse_these(stream, entries, &then));
        out.sort_by_key(|(i, _)| *i);
    }
    out
}

/// The ConfigMaps and Secrets the pods of the parsed documents use (and the
/// originals of premigrate's copies), as `Kind/name` (any namespace); `None`
/// when a List is parsed (its items are not looked into here: everything is used).
fn used_by_pods(parsed: &[Parse]) -> Option<BTreeSet<String>> {
    let mut used = BTreeSet::new();
    for (_, p) in parsed {
        let Ok(p) = p else { continue };
        let kind = p.value.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List") {
            return None;
        }
        let pod = crate::k8s::pod_spec(&p.value, kind);
        if let Some(pod) = pod {
            used.extend(crate::detect::references(pod));
        }
        // premigrate's hook copy of one (a rerun): the copy is made from it.
        let original = [
            "metadata",
            "annotations",
            crate::k8s::engines::own::ORIGINAL_NAME,
        ];
        if let Some(name) = p.value.at(&original).and_then(Value::as_str) {
            used.insert(format!("{kind}/{name}"));
        }
    }
    Some(used)
}

/// Parses documents `todo` (in order), in order: a big run is parsed on
/// every core, each thread taking a run of documents.
fn parse_these(stream: &Stream<'_>, entries: &[Entry], todo: &[usize]) -> Vec<Parse> {
    let parse = |i: usize| parse_doc(stream, i, entries[i].info.source.as_deref());
    crate::par::map(todo, |i| stream.doc_text(i).len(), parse)
}

fn parse_doc(stream: &Stream<'_>, i: usize, source: Option<&str>) -> Result<Parsed, Error> {
    let text = stream.doc_text(i);
    let fail = |offset: usize, msg: String| {
        let mut l = Location::at(i, text, stream.docs[i].line, offset);
        l.source = source.map(str::to_string);
        Error::at(l, msg)
    };
    if stream.lacks_doc_start(i) {
        return Err(fail(
            0,
            "invalid YAML: did not find expected <document start> (a document after `...` must start with `---`)".into(),
        )
        .help("put a `---` line before this document"));
    }
    if let Some(value) = Tree::fast_value(text) {
        return Ok(Parsed { value });
    }
    let tree = Tree::parse(text).map_err(|e| {
        fail(e.offset, format!("invalid YAML: {}", e.message))
            .help("fix the template that renders this document (run `helm template` to see it)")
    })?;
    let value = match tree.root {
        Some(r) => tree.value(r).map_err(|e| {
            // Reading fails on alias bombs, and on what go-yaml v2 refuses too
            // (`!!int yes`, a null key, a merge of a non-map).
            let help = if e.message.contains("alias") {
                "expand the aliases in this document or split it"
            } else {
                "Kubernetes cannot read this document either: fix the template that renders it (run `helm template` to see it)"
            };
            fail(e.offset, e.message).help(help)
        })?,
        None => Value::Null,
    };
    Ok(Parsed { value })
}

/// Identity from a parsed value.
pub fn info_of(v: &Value) -> DocInfo {
    let s = |p: &[&str]| v.at(p).and_then(Value::as_str).map(Text::from);
    DocInfo {
        api_version: s(&["apiVersion"]),
        kind: s(&["kind"]),
        name: s(&["metadata", "name"]),
        namespace: s(&["metadata", "namespace"]),
        filename: s(&["metadata", "annotations", HELM4_FILENAME]),
        ..Default::default()
    }
}

/// The `# Source: path` comment of a document, if it has one before its content.
fn source_comment(text: &str) -> Option<String> {
    for line in text.lines().take(8) {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("# Source:") {
            return Some(rest.trim().to_string());
        }
        if !(t.is_empty() || t.starts_with('#') || t.starts_with("---")) {
            break;
        }
    }
    None
}

/// Identity from top-level lines alone, for plain block documents. `None` means
/// the document is not simple enough to read that way and must be parsed.
///
/// Documents it reads are mostly big CRDs, so it is a line scan that looks at
/// most lines by their first byte only: an indented line matters only before
/// the first top-level key (then the document is not simple) and inside the
/// top-level `metadata` block (its direct children).
fn quick_look(text: &str, heads: impl Iterator<Item = usize>) -> Option<(DocInfo, Range<usize>)> {
    let mut heads = heads.peekable();
    let mut info = DocInfo::default();
    // The `metadata:` line to the next top-level line.
    let mut meta: Option<Range<usize>> = None;
    let mut in_metadata = false;
    let mut meta_indent: Option<usize> = None;
    let mut seen_content = false;
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut first = true;
    while pos < bytes.len() {
        // One line, as `str::lines` gives it: without `\n` or `\r\n`.
        let nl = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line_bytes = &bytes[pos..nl];
        let line_start = pos;
        pos = nl + 1;
        let indented = matches!(line_bytes.first(), Some(b' ' | b'\t'));
        if indented && seen_content && !in_metadata {
            // Inside some other top-level value: a nested map, a block scalar,
            // a multi-line flow collection. Never the document's own keys:
            // go on at the next line that is not indented.
            first = false;
            while heads.next_if(|&h| h <= line_start).is_some() {}
            pos = heads.peek().map_or(bytes.len(), |&h| h.min(bytes.len()));
            continue;
        }
        let mut line = &text[line_start..nl];
        if nl < bytes.len() {
            line = line.strip_suffix('\r').unwrap_or(line);
        }
        if std::mem::take(&mut first) && line.starts_with("---") {
            if !line[3..].trim().is_empty() && !line[3..].trim_start().starts_with('#') {
                return None;
            }
            continue;
        }
        let trimmed = line.trim_end();
        let content = trimmed.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - content.len();
        if indent == 0 {
            let (key, val) = simple_entry(trimmed)?;
            seen_content = true;
            if in_metadata {
                meta.as_mut().expect("metadata started").end = line_start;
            }
            in_metadata = key == "metadata";
            if in_metadata {
                // Two `metadata` keys: the range covers both.
                let start = meta.as_ref().map_or(line_start, |m| m.start);
                meta = Some(start..bytes.len());
            }
            match key {
                "apiVersion" => info.api_version = Some(simple_scalar(val)?.into()),
                "kind" => info.kind = Some(simple_scalar(val)?.into()),
                "metadata" if !val.is_empty() => return None,
                _ => {}
            }
        } else if !seen_content {
            return None;
        } else if in_metadata {
            // Only `metadata`'s direct children (the first indentation seen) matter.
            let mi = *meta_indent.get_or_insert(indent);
            if indent == mi {
                let (key, val) = simple_entry(content)?;
                match key {
                    "name" => info.name = Some(simple_scalar(val)?.into()),
                    "namespace" => info.namespace = Some(simple_scalar(val)?.into()),
                    _ => {}
                }
            }
        }
    }
    seen_content.then(|| (info, meta.unwrap_or(0..0)))
}

/// [`quick_look`]'s identity alone.
#[cfg(test)]
fn quick_info(text: &str) -> Option<DocInfo> {
    quick_info_look(text).map(|q| q.0)
}

/// [`quick_look`] of a text on its own.
#[cfg(test)]
fn quick_info_look(text: &str) -> Option<(DocInfo, Range<usize>)> {
    quick_look(text, crate::stream::line_heads(text.as_bytes()).into_iter())
}

/// Where document `i`'s top-level lines start, counted from the document's
/// start (its first line not included: the quick look reads that one itself).
fn heads_of<'s>(stream: &'s Stream<'_>, i: usize) -> impl Iterator<Item = usize> + 's {
    let d = &stream.docs[i];
    let from = stream.heads.partition_point(|&h| h <= d.start);
    let to = stream.heads.partition_point(|&h| h < d.end);
    stream.heads[from..to].iter().map(move |h| h - d.start)
}

/// The `kind:` of a document that could not be parsed, from its first
/// top-level `kind:` line, when it is a plain name.
fn sniff_kind(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("kind:"))
        .and_then(|v| simple_scalar(v.split(" #").next().unwrap_or("").trim()))
}

/// Whether a document that could not be parsed is one premigrate has no
/// reason to read: its kind is known and not one premigrate reads, and it
/// does not name premigrate.
fn passes_through(text: &str) -> bool {
    sniff_kind(text).is_some_and(|k| !READ_KINDS.contains(&k.as_str()))
        && !crate::stream::mentions(text, &["premigrate.io/"])
}

/// `key: value` with a plain key.
fn simple_entry(line: &str) -> Option<(&str, &str)> {
    // Lines are short: plain byte loops, not `str::find` or `memchr` (whose
    // set-up costs more than the line; the quick look calls this on every
    // top-level line of every document).
    let b = line.as_bytes();
    let colon = b.iter().position(|&c| c == b':')?;
    let key = &line[..colon];
    if key.is_empty()
        || !key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
    {
        return None;
    }
    let rest = &line[colon + 1..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    // A comment starts at ` #`.
    let val = match rest.as_bytes().windows(2).position(|w| w == b" #") {
        Some(i) => &rest[..i],
        None => rest,
    };
    Some((key, val.trim()))
}

/// A one-line scalar that needs no YAML 1.1 resolution to read as a name or kind.
fn simple_scalar(v: &str) -> Option<String> {
    let inner = if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        if crate::yaml::scalar::resolve_plain(v) != crate::yaml::scalar::Resolved::Str {
            return None;
        }
        v
    };
    inner
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
        .then(|| inner.to_string())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_info_reads_plain_documents_only() {
        let q = quick_info("---\n# Source: x\napiVersion: v1\nkind: \"Service\"\nmetadata:\n  name: web\n  labels:\n    name: no\n  namespace: ns\nspec: {}\n").unwrap();
        assert_eq!(q.kind.as_deref(), Some("Service"));
        assert_eq!(q.name.as_deref(), Some("web"));
        assert_eq!(q.namespace.as_deref(), Some("ns"));
        assert!(quick_info("{\"kind\": \"Service\"}").is_none());
        assert!(quick_info("kind: &k Service\n").is_none());
    }

    #[test]
    fn quick_info_reads_only_the_top_level() {
        let q = quick_info(concat!(
            "apiVersion: apiextensions.k8s.io/v1\r\n",
            "kind: 'CustomResourceDefinition'\r\n",
            "metadata:\r\n",
            "  # name: comment\r\n",
            "\r\n",
            "  annotations:\r\n",
            "    name: nested\r\n",
            "  name: \"crd.example.com\" # the name\r\n",
            "spec:\r\n",
            "  names:\r\n",
            "    kind: Nested\r\n",
            "  description: |\r\n",
            "    kind: InBlockScalar\r\n",
            "\tkind: tab\r\n",
            "status: {kind: InFlow,\r\n",
            "  name: x}\r\n",
        ))
        .unwrap();
        assert_eq!(q.api_version.as_deref(), Some("apiextensions.k8s.io/v1"));
        assert_eq!(q.kind.as_deref(), Some("CustomResourceDefinition"));
        assert_eq!(q.name.as_deref(), Some("crd.example.com"));
        assert_eq!(q.namespace, None);
        // Not simple: indented content first, a flow `metadata`, a resolvable kind.
        for text in [
            "  kind: Job\n",
            "# c\n  # c\n\n  kind: Job\n",
            "kind: Job\nmetadata: {name: x}\n",
            "kind: yes\n",
            "--- !!map\nkind: Job\n",
            "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"s\"}}",
            "[kind, Job]\n",
        ] {
            assert!(quick_info(text).is_none(), "{text:?}");
        }
        // Indented blank and comment lines before the first key are fine.
        let q = quick_info("--- # c\n  \n  # c\nkind: Job\nmetadata:\n\tname: t\n").unwrap();
        assert_eq!(q.kind.as_deref(), Some("Job"));
        assert_eq!(q.name.as_deref(), Some("t"));
    }

    /// `quick_info` as it was before it skipped indented lines by their first
    /// byte: the reference the fast scan must agree with.
    fn quick_info_by_lines(text: &str) -> Option<DocInfo> {
        let mut info = DocInfo::default();
        let mut in_metadata = false;
        let mut meta_indent: Option<usize> = None;
        let mut seen_content = false;
        for (n, line) in text.lines().enumerate() {
            if n == 0 && line.starts_with("---") {
                if !line[3..].trim().is_empty() && !line[3..].trim_start().starts_with('#') {
                    return None;
                }
                continue;
            }
            let trimmed = line.trim_end();
            if trimmed.trim_start().is_empty() || trimmed.trim_start().starts_with('#') {
                continue;
            }
            let indent = trimmed.len() - trimmed.trim_start().len();
            if indent == 0 {
                let (key, val) = simple_entry(trimmed)?;
                seen_content = true;
                in_metadata = key == "metadata";
                match key {
                    "apiVersion" => info.api_version = Some(simple_scalar(val)?.into()),
                    "kind" => info.kind = Some(simple_scalar(val)?.into()),
                    "metadata" if !val.is_empty() => return None,
                    _ => {}
                }
            } else if !seen_content {
                return None;
            } else if in_metadata {
                let mi = *meta_indent.get_or_insert(indent);
                if indent == mi {
                    let (key, val) = simple_entry(trimmed.trim_start())?;
                    match key {
                        "name" => info.name = Some(simple_scalar(val)?.into()),
                        "namespace" => info.namespace = Some(simple_scalar(val)?.into()),
                        _ => {}
                    }
                }
            }
        }
        seen_content.then_some(info)
    }

    #[test]
    fn quick_look_finds_the_metadata_block() {
        let text = "kind: X\nmetadata:\n  name: a\n  annotations:\n    k: v\nspec:\n  a: 1\n";
        let (_, m) = quick_info_look(text).unwrap();
        assert_eq!(&text[m], "metadata:\n  name: a\n  annotations:\n    k: v\n");
        let (_, m) = quick_info_look("kind: X\nspec: {}\nmetadata:\n  name: a").unwrap();
        assert_eq!(m, 17..36);
        assert_eq!(quick_info_look("kind: X\n").unwrap().1, 0..0);
        let (_, m) =
            quick_info_look("metadata:\n  name: a\nx: 1\nmetadata:\n  name: b\ny: 2\n").unwrap();
        assert_eq!(m, 0..45);
    }

    #[test]
    fn quick_info_agrees_with_a_plain_line_scan() {
        const LINES: &[&str] = &[
            "---",
            "--- # c",
            "--- x",
            "apiVersion: v1",
            "kind: Job",
            "kind: \"Job\"",
            "kind: yes",
            "metadata:",
            "metadata: {name: f}",
            "  name: a",
            "  namespace: ns",
            "    name: deep",
            "\tname: tab",
            "  labels:",
            "spec:",
            "  kind: Nested",
            "  description: |",
            "# comment",
            "  # comment",
            "",
            "   ",
            "\u{a0}name: nbsp",
            "{\"kind\": \"Service\"}",
            "data: {a: b,",
            "name: x}",
            "- item",
            "x: \"multi",
            "kind: Bad\"",
        ];
        // Every document of up to 3 lines from LINES and every 13th of 4 lines,
        // with `\n`, `\r\n` and no final newline.
        let n = LINES.len();
        let mut count = 0;
        for len in 1..=4u32 {
            let step = if len == 4 { 13 } else { 1 };
            for mut code in (0..n.pow(len)).step_by(step) {
                let mut lines = vec![];
                for _ in 0..len {
                    lines.push(LINES[code % n]);
                    code /= n;
                }
                for (sep, end) in [("\n", "\n"), ("\r\n", "\r\n"), ("\n", "")] {
                    let text = lines.join(sep) + end;
                    assert_eq!(quick_info(&text), quick_info_by_lines(&text), "{text:?}");
                    count += 1;
                }
            }
        }
        assert!(count > 100_000);
    }
}
