//! Where migration Jobs premigrate builds come from: `extract` (a migration run
//! as an init container), `generate` (`--migrate KIND/NAME=COMMAND`), both
//! shaped by `derive` (a Job from a workload's pod template); `shell` splits commands;
//! `serving` warns of app containers that migrate, then serve, which premigrate leaves;
//! `pod_annotations` of premigrate's annotations written where it does not read them.

pub mod derive;
pub mod extract;
pub mod generate;
pub mod pod_annotations;
pub mod serving;
pub mod shell;
