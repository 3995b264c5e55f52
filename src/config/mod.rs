//! Configuration: command-line flags (`cli`, `flags`) and a MigrationPolicy file
//! (`policy`) merged with flags winning (precedence: flag or `PREMIGRATE_*`
//! variable, then the policy, then the default), validated into a [`Config`] (`types`).

pub mod cli;
pub mod flags;
pub mod keys;
pub mod policy;
pub mod types;

pub use types::*;
