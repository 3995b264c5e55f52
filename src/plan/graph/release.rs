//! The release graph for the migrations of one stream: the data services each
//! needs, their phases and their order. Built once, before any Job is planned;
//! the Job passes and the gates read it.

use super::order::{self, Facts, Placed};
use super::roles::{self, DataServices};
use crate::index::Index;
use crate::yaml::Value;

/// A migration as the graph sees it.
pub(crate) struct Candidate<'s> {
    /// The Job's document (a Job premigrate builds: the workload it derives from).
    pub doc: usize,
    /// Its pod spec.
    pub pod: &'s Value,
    /// Its namespace as written.
    pub ns: String,
    /// What the chart says about its phase and order.
    pub facts: Facts,
}

/// The graph: data services, and per candidate its place and needs.
pub(crate) struct Release {
    /// The stream's data services.
    pub data: DataServices,
    /// Per candidate: phase, rank, predecessors.
    pub placed: Vec<Placed>,
    /// Per candidate: the data-service documents it needs, with why.
    pub needs: Vec<Vec<(usize, String)>>,
    /// Per candidate: its name before hashing (shared with each Job's place).
    pub names: std::rc::Rc<[String]>,
    /// How many migrations run before the apps.
    pub pre_count: usize,
}

impl Release {
    /// A migration that runs after candidate `k` and cannot be a hook (it needs
    /// a data service of the release), directly or through the ones between.
    pub fn regular_follower(&self, k: usize) -> Option<usize> {
        let mut todo = vec![k];
        let mut seen = vec![false; self.placed.len()];
        while let Some(i) = todo.pop() {
            for (j, p) in self.placed.iter().enumerate() {
                if seen[j] || !p.after.contains(&i) {
                    continue;
                }
                if !self.needs[j].is_empty() {
                    return Some(j);
                }
                seen[j] = true;
                todo.push(j);
            }
        }
        None
    }

    /// Candidate indices in the order they run: pre migrations by rank, then post.
    pub fn run_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.placed.len()).collect();
        order.sort_by_key(|&k| {
            (
                self.placed[k].phase == crate::plan::Phase::Post,
                self.placed[k].rank,
            )
        });
        order
    }
}

/// Builds the graph; `Err` names an unknown `premigrate.io/after` target or a cycle.
pub(crate) fn build(index: &Index<'_>, cands: &[Candidate<'_>]) -> Result<Release, String> {
    let migs: Vec<(usize, &Value)> = cands.iter().map(|c| (c.doc, c.pod)).collect();
    let data = roles::find(index, &migs);
    let facts: Vec<Facts> = cands.iter().map(|c| c.facts.clone()).collect();
    let placed = order::place(&facts)?;
    let needs = cands
        .iter()
        .map(|c| {
            let mut n = data.needs.get(&c.doc).cloned().unwrap_or_default();
            if n.is_empty() {
                n = by_image(index, &data, &c.ns);
            }
            n.sort();
            n.dedup_by_key(|x| x.0);
            n
        })
        .collect();
    let pre_count = placed
        .iter()
        .filter(|p| p.phase == crate::plan::Phase::Pre)
        .count();
    Ok(Release {
        data,
        placed,
        needs,
        names: facts.iter().map(|f| f.name.clone()).collect(),
        pre_count,
    })
}

/// A migration that names no host of the stream may still need the release's
/// databases (a host in a config file): those of its namespace found by image.
fn by_image(index: &Index<'_>, data: &DataServices, ns: &str) -> Vec<(usize, String)> {
    data.docs
        .iter()
        .filter(|(d, why)| {
            why.starts_with("runs image")
                && index.entries[**d].info.namespace.as_deref().unwrap_or("") == ns
        })
        .map(|(d, why)| {
            (
                *d,
                format!("{why}; the migration names no host of the stream, so it may need it"),
            )
        })
        .collect()
}
