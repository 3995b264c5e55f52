//! The release as a graph: which objects are data services, migrations, their
//! config, apps; in which order they must start; and a check that the order each
//! engine will follow can never hang.

pub mod chart_gates;
pub mod deadlock;
pub mod order;
pub mod roles;
