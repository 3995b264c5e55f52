//! premigrate: rewrites rendered Kubernetes manifests so that database migrations
//! run once per change, before the workloads that need them.
//!
//! The pipeline, one folder or file per stage: bytes → [`stream`] (documents) →
//! [`index`] (parsed, located) → [`plan`] (what to do, as data) → `apply` (edits,
//! added and moved documents) → bytes. [`rewrite`] runs it; [`modes`] adapt it.

pub(crate) mod apply;
pub mod config;
pub mod detect;
pub mod diag;
pub mod explain;
pub mod index;
pub(crate) mod k8s;
pub mod lint;
pub mod modes;
mod par;
mod pipeline;
pub mod plan;
pub mod stream;
pub mod yaml;

pub use apply::Source;
pub use config::{cli, policy, Config};
pub use diag::Error;
pub use modes::{demo, flux, helm_plugin, krm, kustomize_plugin};
pub use pipeline::{explain, rewrite, rewrite_in_pieces, Output, Rewritten};
pub use plan::sources::shell;
pub use plan::Plan;
