//! Carrying out a plan: edit the planned documents, add and move documents, and
//! join the stream. Every other document is copied byte for byte.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diag::Error;
use crate::index::Index;
use crate::plan::Plan;
use crate::yaml::edit::{self, Edit};
use crate::yaml::Value;

/// Where a document of the output comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Input document `doc` (0-based), edited when `changed`.
    Input {
        /// Its index in the input.
        doc: usize,
        /// Whether premigrate edited it.
        changed: bool,
    },
    /// `plan.added[k]`.
    Added(usize),
}

/// The sources of an unchanged stream: every input document, as is.
pub fn unchanged(index: &Index<'_>) -> Vec<Source> {
    (0..index.entries.len())
        .map(|doc| Source::Input {
            doc,
            changed: false,
        })
        .collect()
}

/// The rewritten stream, as its documents (`stream::join` makes it one text).
pub struct Applied<'i, S> {
    /// The output's documents in order: unchanged ones borrowed from the input.
    pub docs: Vec<Cow<'i, str>>,
    /// Where each of its documents comes from.
    pub sources: Vec<Source>,
    /// For each edited input document, the caller's summary of what
    /// Kubernetes reads from it (`None`: empty), as the edit's self-check read
    /// it from the text written.
    pub summaries: BTreeMap<usize, S>,
}

/// Produces the rewritten stream, and where each of its documents comes from.
/// `summary` keeps what a later stage needs of an edited document's reading:
/// each reading is dropped as soon as it is summed up, so a big stream's are
/// never all held at once.
pub fn apply<'i, S: Send>(
    index: &Index<'i>,
    plan: &Plan,
    summary: impl Fn(Option<Value>) -> S + Sync,
) -> Result<Applied<'i, S>, Error> {
    let (mut texts, summaries) = edited(index, plan, summary)?;
    let units = units(index, plan);
    let mut docs = Vec::new();
    let mut sources = Vec::new();
    for item in units.iter().flatten() {
        let (text, source) = match *item {
            Item::Doc(i) => (
                std::mem::take(&mut texts[i]),
                Source::Input {
                    doc: i,
                    changed: plan.changes.contains_key(&i),
                },
            ),
            Item::Added(k) => (Cow::Owned(plan.added[k].text.clone()), Source::Added(k)),
        };
        // `join` leaves out empty documents: so do the sources.
        if !text.is_empty() {
            sources.push(source);
            docs.push(text);
        }
    }
    Ok(Applied {
        docs,
        sources,
        summaries,
    })
}

/// Every document's text with the planned edits made, and the summaries of
/// the edited ones' readings.
fn edited<'i, S: Send>(
    index: &Index<'i>,
    plan: &Plan,
    summary: impl Fn(Option<Value>) -> S + Sync,
) -> Result<Edited<'i, S>, Error> {
    let n = index.entries.len();
    let mut texts: Vec<Cow<'_, str>> = (0..n)
        .map(|i| Cow::Borrowed(index.stream.doc_text(i)))
        .collect();
    let mut summaries = BTreeMap::new();
    // Each document is edited (and its edit checked) on its own: a big
    // stream's are spread over the cores.
    let docs: Vec<usize> = plan.changes.keys().copied().collect();
    let edit_one = |doc: usize| {
        let edits: Vec<Edit> = plan.changes[&doc].iter().map(|c| c.edit.clone()).collect();
        let known = index.entries[doc].parsed.as_ref().map(|p| &p.value);
        edit::apply_reading(
            index.stream.doc_text(doc),
            (&index.tree(doc), known),
            &edits,
        )
        .map(|(out, reading)| (out, summary(reading)))
    };
    // An edit costs about what reading its document eight times does (its
    // tree, the edit, the read-back and the check): weighed so, a few dozen
    // edited Deployments are spread too.
    let cost = |d: usize| 8 * index.stream.doc_text(d).len();
    for (doc, done) in crate::par::map(&docs, cost, edit_one) {
        let (out, summed) = done.map_err(|e| {
            let loc = match e.offset {
                Some(o) => index.location_at(doc, o),
                None => index.location(doc),
            };
            Error::at(loc, format!("cannot rewrite this document: {}", e.message))
                .help("simplify the YAML at that spot (no aliases or inline lists there), or exclude the object with premigrate.io/migration: \"false\" / premigrate.io/gate: \"false\"")
        })?;
        texts[doc] = Cow::Owned(out);
        summaries.insert(doc, summed);
    }
    Ok((texts, summaries))
}

/// Each document's text, and the summaries of the edited ones' readings.
type Edited<'i, S> = (Vec<Cow<'i, str>>, BTreeMap<usize, S>);

/// The output's documents in order, in units: a document with the blank
/// (comment-only) documents right before it, which hold its `# Source:`.
fn units(index: &Index<'_>, plan: &Plan) -> Vec<Vec<Item>> {
    let n = index.entries.len();
    // Units: a document with the blank (comment-only) documents right before it, which hold its `# Source:`.
    let mut units: Vec<Vec<Item>> = Vec::new();
    let mut pending: Vec<Item> = Vec::new();
    for i in 0..n {
        if plan.removed.contains(&i) {
            continue;
        }
        pending.push(Item::Doc(i));
        if !index.entries[i].info.blank {
            units.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        units.push(pending);
    }
    let unit_of =
        |units: &Vec<Vec<Item>>, doc: usize| units.iter().position(|u| u.contains(&Item::Doc(doc)));
    for m in &plan.moves {
        if m.before == crate::plan::END {
            if let Some(from) = unit_of(&units, m.doc) {
                let unit = units.remove(from);
                units.push(unit);
            }
            continue;
        }
        let (Some(from), Some(_)) = (unit_of(&units, m.doc), unit_of(&units, m.before)) else {
            continue;
        };
        let unit = units.remove(from);
        let to = unit_of(&units, m.before).expect("target unit exists");
        units.insert(to, unit);
    }
    for (k, anchors) in placements(index, plan) {
        let to = (anchors.iter())
            .filter_map(|&d| unit_of(&units, d))
            .min()
            .unwrap_or(units.len());
        units.insert(to, vec![Item::Added(k)]);
    }
    units
}

/// Each added document, in the order they are inserted, with the documents
/// it goes ahead of (the first of them found wins; none: the end). A document
/// premigrate regenerates (its own output from an earlier run, dropped from
/// the input) goes back where it was, before the document that followed it:
/// where the plan would put it anew can lie on the other side of a Job the
/// first run added and the rerun keeps, and a rerun must change nothing.
/// Those go first, in their input order.
fn placements(index: &Index<'_>, plan: &Plan) -> Vec<(usize, Vec<usize>)> {
    let mut taken = vec![false; plan.removed.len()];
    let mut kept: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    let mut fresh = Vec::new();
    for (k, a) in plan.added.iter().enumerate() {
        let was = (0..plan.removed.len())
            .find(|&j| !taken[j] && index.entries[plan.removed[j]].info.object() == a.object);
        match was {
            Some(j) => {
                taken[j] = true;
                let r = plan.removed[j];
                let next = (r + 1..index.entries.len()).find(|d| !plan.removed.contains(d));
                kept.push((r, k, next.into_iter().collect()));
            }
            None => fresh.push((
                k,
                [a.before].into_iter().chain(a.ahead_of.clone()).collect(),
            )),
        }
    }
    kept.sort_by_key(|&(r, ..)| r);
    (kept.into_iter().map(|(_, k, anchors)| (k, anchors)))
        .chain(fresh)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Doc(usize),
    Added(usize),
}
