//! YAML as Kubernetes reads it, edited without a round trip: libyaml's events
//! (`libyaml`, the library go-yaml v2 is a port of), a span tree over the
//! original text (`tree`), YAML 1.1 scalar resolution (`scalar`), owned
//! values for reading and building (`value`), and text splices (`edit`).

pub mod edit;
pub mod libyaml;
pub mod scalar;
pub mod tree;
pub mod value;

pub use tree::{NodeId, NodeKind, SyntaxError, Tree};
pub use value::Value;
