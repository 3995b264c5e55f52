//! premigrate: rewrites rendered Kubernetes manifests so that database migrations run once per change.

pub mod yaml;
