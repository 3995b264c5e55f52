//! Where migration Jobs premigrate builds come from: `extract` (a migration run
//! as an init container), `generate` (`--migrate KIND/NAME=COMMAND`), both
//! shaped by `derive` (a Job from a workload's pod template); `shell` splits commands;
//! `serving` warns of app containers that migrate, then serve, which premigrate leaves;
//! `pod_annotations` of premigrate's annotations written where it does not read them.

mod beside;
mod container;
pub mod derive;
pub mod extract;
pub mod generate;
pub mod pod_annotations;
pub mod serving;
pub mod shell;

use crate::plan::context::Context;
use crate::yaml::Value;

/// Where container `c` of pod spec `pod` keeps its database, when that is a
/// file of the pod: a setting of its env (ConfigMaps and Secrets it reads by
/// `envFrom` included), or a line of a configuration file the pod mounts from
/// the stream (Gitea's and Forgejo's `DB_TYPE=sqlite3`). A Job built from the
/// pod would migrate a file of its own.
pub(crate) fn file_database(ctx: &Context<'_>, pod: &Value, c: &Value) -> Option<String> {
    crate::detect::file_database(&ctx.sources.detection_env(c)).or_else(|| {
        ctx.sources.files(pod).into_iter().find_map(|(path, text)| {
            crate::detect::file_database_line(&text).map(|line| format!("{line} in {path}"))
        })
    })
}
