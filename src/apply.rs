//! Carrying out a plan: edit the planned documents, add and move documents, and
//! join the stream. Every other document is copied byte for byte.

use std::borrow::Cow;

use crate::diag::Error;
use crate::index::Index;
use crate::plan::Plan;
use crate::stream::join;
use crate::yaml::edit::{self, Edit};

/// Produces the rewritten stream.
pub fn apply(index: &Index<'_>, plan: &Plan) -> Result<String, Error> {
    let n = index.entries.len();
    let mut texts: Vec<Cow<'_, str>> = (0..n)
        .map(|i| Cow::Borrowed(index.stream.doc_text(i)))
        .collect();
    for (&doc, changes) in &plan.changes {
        let parsed = index.entries[doc]
            .parsed
            .as_ref()
            .expect("planned documents are parsed");
        let edits: Vec<Edit> = changes.iter().map(|c| c.edit.clone()).collect();
        let out = edit::apply(&texts[doc], &parsed.tree, &edits).map_err(|e| {
            let loc = match e.offset {
                Some(o) => index.location_at(doc, o),
                None => index.location(doc),
            };
            Error::at(loc, format!("cannot rewrite this document: {}", e.message))
                .help("simplify the YAML at that spot (no aliases or inline lists there), or exclude the object with premigrate.io/migration: \"false\" / premigrate.io/gate: \"false\"")
        })?;
        texts[doc] = Cow::Owned(out);
    }

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
    for (k, a) in plan.added.iter().enumerate() {
        let to = unit_of(&units, a.before).unwrap_or(units.len());
        units.insert(to, vec![Item::Added(k)]);
    }
    let out: Vec<&str> = units
        .iter()
        .flatten()
        .map(|item| match item {
            Item::Doc(i) => texts[*i].as_ref(),
            Item::Added(k) => plan.added[*k].text.as_str(),
        })
        .collect();
    Ok(join(index.stream.bom, &out))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Item {
    Doc(usize),
    Added(usize),
}
