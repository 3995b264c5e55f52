//! The fuzz targets' bodies, shared by the libFuzzer binaries
//! (`fuzz_targets/*.rs`, run with `cargo fuzz`) and the plain-stable `smoke`
//! runner (`src/bin/smoke.rs`). Every function must return normally for every
//! input: errors are expected, a panic is a bug.
//!
//! With `PREMIGRATE_FUZZ_STRICT=1` an error whose message says "internal error"
//! (premigrate's own self-check refusing an edit it planned) is also treated as
//! a crash, to find those cases too.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

use premigrate::config::Target;
use premigrate::yaml::edit::{self, Edit, Seg};
use premigrate::yaml::{Tree, Value};
use premigrate::Config;

fn strict() -> bool {
    static S: OnceLock<bool> = OnceLock::new();
    *S.get_or_init(|| std::env::var_os("PREMIGRATE_FUZZ_STRICT").is_some_and(|v| v != "0" && !v.is_empty()))
}

fn check_message(what: &str, msg: &str) {
    if strict() && msg.contains("internal error") {
        panic!("{what}: {msg}");
    }
}

/// Panics already found and reported, as (file suffix, message). While fuzzing
/// they are skipped so the search goes on past them; with
/// `PREMIGRATE_FUZZ_KNOWN=1` (and always when the smoke runner replays
/// `regressions/`) they count as crashes again. Remove an entry once it is fixed.
///
/// Both panics found so far are fixed (`regressions/` keeps their reproducers,
/// replayed by the smoke runner and by the root crate's `tests/regressions.rs`).
pub const KNOWN: &[(&str, &str)] = &[];

static REPORT_KNOWN: AtomicBool = AtomicBool::new(false);
static REPORT_KNOWN_INIT: Once = Once::new();

/// Whether known panics are reported (default: `PREMIGRATE_FUZZ_KNOWN` is set).
pub fn set_report_known(on: bool) {
    REPORT_KNOWN_INIT.call_once(|| {});
    REPORT_KNOWN.store(on, Ordering::SeqCst);
}

fn report_known() -> bool {
    REPORT_KNOWN_INIT.call_once(|| {
        let on = std::env::var_os("PREMIGRATE_FUZZ_KNOWN").is_some_and(|v| v != "0" && !v.is_empty());
        REPORT_KNOWN.store(on, Ordering::SeqCst);
    });
    REPORT_KNOWN.load(Ordering::SeqCst)
}

thread_local!(static KNOWN_HIT: Cell<bool> = const { Cell::new(false) });

/// Runs `f`; a panic listed in [`KNOWN`] is swallowed (unless reported), any
/// other goes on to the previous panic hook (libFuzzer's aborts and saves the input).
fn guarded(f: impl FnOnce()) {
    if report_known() {
        return f();
    }
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let prev = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let file = info.location().map_or("", |l| l.file());
            let msg = info.payload_as_str().unwrap_or("");
            if !report_known() && KNOWN.iter().any(|(f, m)| file.ends_with(f) && msg == *m) {
                KNOWN_HIT.with(|k| k.set(true));
                return;
            }
            prev(info)
        }));
    });
    KNOWN_HIT.with(|k| k.set(false));
    if let Err(p) = panic::catch_unwind(AssertUnwindSafe(f)) {
        if !KNOWN_HIT.with(|k| k.replace(false)) {
            panic::resume_unwind(p);
        }
    }
}

/// `rewrite` target: the whole input is a manifest stream, rewritten with the
/// default config and with `--target hooks` (and `--target gitops` too when
/// the input looks like Helm 4's, where the default already means hooks); one
/// that names a ResourceList also goes through `premigrate krm`.
pub fn rewrite(data: &[u8]) {
    guarded(|| rewrite_inner(data));
}

fn rewrite_inner(data: &[u8]) {
    // A ResourceList is also run as the KRM function reads it (its items cut
    // out of the text one at a time).
    if data.windows(12).any(|w| w == b"ResourceList") {
        let out = premigrate::modes::krm::run(data.to_vec());
        for e in &out.errors {
            check_message("krm", e);
        }
        // Items cut out of the text read as the whole list's tree reads them.
        let whole = premigrate::modes::krm::run_reading_whole(data.to_vec());
        assert!(
            (&out.bytes, out.failed) == (&whole.bytes, whole.failed),
            "krm: the cut read differs from the whole tree's"
        );
    }
    let mut targets = vec![Target::Auto, Target::Hooks];
    if memchr_helm4(data) {
        targets.push(Target::Gitops);
    }
    for target in targets {
        let cfg = Config { target, ..Config::default() };
        match premigrate::rewrite(data, &cfg) {
            Ok(out) => {
                // The post-renderer contract: what it returns is UTF-8 text.
                if std::str::from_utf8(&out.stream).is_err() {
                    panic!("rewrite ({target:?}) returned invalid UTF-8");
                }
            }
            Err(e) => check_message("rewrite", &e.to_string()),
        }
    }
}

fn memchr_helm4(data: &[u8]) -> bool {
    let needle = premigrate::index::HELM4_FILENAME.as_bytes();
    data.windows(needle.len()).any(|w| w == needle)
}

/// Number of leading bytes of an `edit` input that choose the edits; the rest is
/// the document (UTF-8, lossily).
pub const EDIT_CONTROL: usize = 16;

/// Reads choices from the control bytes, cycling (and 0 when there are none).
struct Ctl<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Ctl<'_> {
    fn next(&mut self) -> usize {
        if self.bytes.is_empty() {
            return 0;
        }
        let b = self.bytes[self.pos % self.bytes.len()];
        self.pos += 1;
        // Mix in the round so cycling doesn't repeat exactly.
        (b as usize) ^ (self.pos / self.bytes.len()).wrapping_mul(0x9e)
    }
}

/// Values chosen to stress quoting, YAML 1.1 resolution and block/flow layout.
fn value(c: &mut Ctl<'_>) -> Value {
    match c.next() % 26 {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::Int(-1),
        3 => Value::Int(i64::MAX),
        4 => Value::Float(1.5),
        5 => Value::Float(f64::NAN),
        6 => Value::str(""),
        7 => Value::str("yes"),
        8 => Value::str("0o17"),
        9 => Value::str("a: b"),
        10 => Value::str("- x"),
        11 => Value::str("#c"),
        12 => Value::str("multi\nline\n"),
        13 => Value::str("  lead"),
        14 => Value::str("trail "),
        15 => Value::str("'q\"\\"),
        16 => Value::str("\t"),
        17 => Value::str("~"),
        18 => Value::str("日本\u{feff}\u{85}"),
        19 => Value::map([("a", Value::str("b"))]),
        20 => Value::Map(Default::default()),
        21 => Value::Seq(Default::default()),
        22 => Value::Seq(vec![Value::Int(1), Value::str("x: y")].into()),
        23 => Value::map([("k", Value::Seq(vec![Value::map([("n", Value::Null)])].into())), ("", Value::str("empty key"))]),
        24 => Value::str("---"),
        _ => Value::str("1e3"),
    }
}

/// A path into the document, mostly along keys and indices that exist.
fn path(c: &mut Ctl<'_>, root: Option<&Value>) -> Vec<Seg> {
    let depth = c.next() % 6;
    let mut p = Vec::new();
    let mut cur = root;
    for _ in 0..depth {
        let fresh = c.next() % 8 == 0;
        match cur {
            Some(Value::Map(entries)) if !entries.is_empty() && !fresh => {
                let (k, v) = &entries[c.next() % entries.len()];
                p.push(Seg::Key(k.to_string()));
                cur = Some(v);
            }
            Some(Value::Seq(items)) if !fresh => {
                let i = c.next() % (items.len() + 2);
                p.push(Seg::Index(i));
                cur = items.get(i);
            }
            _ => {
                match c.next() % 4 {
                    0 => p.push(Seg::Index(c.next() % 3)),
                    1 => p.push(Seg::Key(String::new())),
                    2 => p.push(Seg::Key("premigrate.io/x".into())),
                    _ => p.push(Seg::Key(format!("k{}", c.next() % 4))),
                }
                cur = None;
            }
        }
    }
    p
}

/// The edits an `edit` input asks for.
pub fn edits_for(control: &[u8], root: Option<&Value>) -> Vec<Edit> {
    let mut c = Ctl { bytes: control, pos: 0 };
    let n = 1 + c.next() % 3;
    (0..n)
        .map(|_| match c.next() % 4 {
            0 => Edit::Set(path(&mut c, root), value(&mut c)),
            1 => Edit::Remove(path(&mut c, root)),
            2 => {
                let at = path(&mut c, root);
                let i = c.next() % 4;
                let vals = (0..1 + c.next() % 2).map(|_| value(&mut c)).collect();
                Edit::Insert(at, i, vals)
            }
            _ => {
                let at = path(&mut c, root);
                Edit::RemoveItem(at, c.next() % 4)
            }
        })
        .collect()
}

/// `edit` target: the first [`EDIT_CONTROL`] bytes choose one to three edits
/// (paths mostly along the document's own keys), the rest is one document
/// body. `Tree::parse` and `edit::apply` must not panic.
pub fn edit(data: &[u8]) {
    guarded(|| edit_inner(data));
}

fn edit_inner(data: &[u8]) {
    let (control, doc) = data.split_at(data.len().min(EDIT_CONTROL));
    let text = String::from_utf8_lossy(doc);
    let Ok(tree) = Tree::parse(&text) else { return };
    let root = tree.root.and_then(|r| tree.value(r).ok());
    let edits = edits_for(control, root.as_ref());
    match edit::apply(&text, &tree, &edits) {
        Ok(out) => {
            // `apply` checks its own result; a result that doesn't even parse
            // would mean that check was skipped.
            if Tree::parse(&out).is_err() {
                panic!("edit::apply returned a document that does not parse: {edits:?}");
            }
        }
        Err(e) => check_message("edit::apply", &e.message),
    }
}

/// What an `edit` input means: the document body, the edits, and the outcome.
pub fn describe_edit(data: &[u8]) -> String {
    let (control, doc) = data.split_at(data.len().min(EDIT_CONTROL));
    let text = String::from_utf8_lossy(doc);
    let mut out = format!("document ({} bytes):\n{text}\n", text.len());
    match Tree::parse(&text) {
        Err(e) => out.push_str(&format!("Tree::parse: error at {}: {}\n", e.offset, e.message)),
        Ok(tree) => {
            let root = tree.root.and_then(|r| tree.value(r).ok());
            let edits = edits_for(control, root.as_ref());
            out.push_str(&format!("value: {:?}\nedits: {edits:?}\n", root));
            match edit::apply(&text, &tree, &edits) {
                Ok(new) => out.push_str(&format!("result:\n{new}\n")),
                Err(e) => out.push_str(&format!("error: {}\n", e.message)),
            }
        }
    }
    out
}

/// The fast reader against libyaml: wherever `Tree::parse_fast` reads a text,
/// its tree must be the one libyaml's events build, and the value
/// `Tree::fast_value` reads straight from the text that tree's reading (a
/// difference is a panic).
pub fn fast_reader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let value = Tree::fast_value(text);
    // The tree cut below a root list's items (a KRM ResourceList's): debug
    // builds check its items against libyaml's tree; it reads only what the
    // fast reader reads.
    let cut = Tree::parse_cut(text, "items");
    match Tree::parse_fast(text) {
        Some(fast) => {
            let libyaml = Tree::parse_with_libyaml(text);
            assert!(
                libyaml.as_ref() == Ok(&fast),
                "the fast reader differs from libyaml on {text:?}"
            );
            // Its value, read straight from the text, is the tree's reading
            // (or left to it).
            if let Some(v) = value {
                let read = fast.value(fast.root.expect("a read document has a root"));
                assert!(read.as_ref() == Ok(&v), "the fast value differs on {text:?}");
            }
        }
        None => {
            assert!(value.is_none(), "a value without a tree on {text:?}");
            assert!(cut.is_none(), "a cut tree without a tree on {text:?}");
        }
    }
}
