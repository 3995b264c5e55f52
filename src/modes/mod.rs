//! The ways premigrate is run, each a thin adapter over [`crate::rewrite`]:
//! the demo, the Helm plugin installer, the kustomize exec plugin, the KRM
//! function, the Flux HelmRelease export and the linter.

pub mod demo;
pub mod flux;
pub mod helm_plugin;
mod input;
pub mod krm;
pub mod kustomize_plugin;
pub mod lint;
pub mod run;
