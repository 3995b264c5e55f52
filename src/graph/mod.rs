//! The release as a graph: which objects are data services, migrations, their
//! config, apps; in which order they must start; and a check that the order each
//! engine will follow can never hang.

pub mod chart_gates;
pub mod deadlock;
pub mod model;
pub mod order;
pub mod roles;

use crate::index::Index;
use deadlock::{Deadlock, Engine};
use model::MigrationFact;

/// Runs the deadlock check of every engine in `engines` over a stream; the hangs found.
pub fn check(index: &Index<'_>, migrations: &[MigrationFact], engines: &[Engine]) -> Vec<Deadlock> {
    let nodes = model::nodes(index, migrations);
    engines
        .iter()
        .filter_map(|e| deadlock::check(&nodes, *e).err())
        .collect()
}
