//! Where migration Jobs premigrate builds come from: `extract` (a migration run
//! as an init container), `generate` (`--migrate KIND/NAME=COMMAND`), both
//! shaped by `derive` (a Job from a workload's pod template); `shell` splits commands.

pub mod derive;
pub mod extract;
pub mod generate;
pub mod shell;
