//! premigrate: rewrites rendered Kubernetes manifests so that database migrations run once per change.

pub mod yaml;
pub mod stream;
pub mod diag;
pub mod index;
