//! Jobs that run before a migration: a chart Job its own wait gates wait for
//! by name (Jitsu's token Job), and one that prepares what it reads: a regular chart Job listed before
//! the migration that writes a claim the migration mounts (ERPNext's configure
//! Job writes the bench's config onto the sites claim `bench migrate` reads).
//! It runs first, as a data service does, and never waits for the migration:
//! a gate there would hold it behind a migration that fails without it.

use std::collections::HashSet;

use super::roles::{peek, pod_of};
use crate::index::Index;
use crate::k8s::engines::{own, HELM_HOOK};
use crate::plan::context::annotation;
use crate::yaml::Value;

/// The chart Jobs that run before the migration: its [`preparers`] and the
/// Jobs it [`awaited`].
pub(super) fn run_first(
    index: &Index<'_>,
    (m, name): (usize, &str),
    pod: &Value,
    migrations: &HashSet<usize>,
) -> Vec<(usize, String)> {
    let mut out = preparers(index, (m, name), pod, migrations);
    out.extend(awaited(index, m, pod, migrations));
    for found in provisioners(index, m, migrations) {
        if !out.iter().any(|(d, _)| *d == found.0) {
            out.push(found);
        }
    }
    out
}

/// Words of an image name that say "database" and "set it up": an image whose
/// last path part has one of each (`keitaro/psql-init`, `db-create`) sets up
/// a database, as its name says.
const PROVISION_IMAGE_WORDS: (&[&str], &[&str]) = (
    &[
        "psql",
        "postgres",
        "postgresql",
        "pg",
        "mysql",
        "mariadb",
        "db",
        "database",
    ],
    &["init", "create", "setup", "provision", "bootstrap"],
);

/// What a command writes that creates a database or the role the app logs in
/// with (checked in upper case), and the programs that do.
const PROVISION_COMMANDS: (&[&str], &[&str]) = (
    &["CREATE DATABASE", "CREATE USER", "CREATE ROLE"],
    &["createdb", "createuser"],
);

/// The regular chart Jobs of the migration's namespace (no hook, no
/// migration, none premigrate made, no wait of their own) that create a database or a role (CKAN's
/// psql-init, next to the app's database Secret): the migration logs in to
/// what they create, so they run first. Gated behind the migration, they and
/// it waited for each other.
fn provisioners(index: &Index<'_>, m: usize, migrations: &HashSet<usize>) -> Vec<(usize, String)> {
    let ns = &index.entries[m].info.namespace;
    (0..index.entries.len())
        .filter(|j| {
            !migrations.contains(j) && index.entries[*j].info.kind.as_deref() == Some("Job")
        })
        .filter(|&j| &index.entries[j].info.namespace == ns)
        .filter(|&j| {
            // premigrate's own Job from an earlier run (regenerated) is none.
            peek(index, j).is_some_and(|v| {
                [HELM_HOOK, own::GENERATED, own::DERIVED_FROM]
                    .iter()
                    .all(|a| annotation(&v, a).is_none())
            })
        })
        .filter_map(|j| {
            let pod = pod_of(index, j)?;
            let how = provisions(&pod)?;
            let why = format!(
                "{} {how}: the migration logs in to what it creates, so it runs first",
                index.entries[j].info.object()
            );
            Some((j, why))
        })
        .collect()
}

/// How a Job's pod sets up a database, if it does: its image's name, or a
/// command that creates one or a role. A pod that waits for a Job itself is
/// none (it may wait for the migration).
fn provisions(pod: &Value) -> Option<String> {
    if !super::chart_gates::find(pod).is_empty() {
        return None;
    }
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let (dbs, sets) = PROVISION_IMAGE_WORDS;
    let (statements, programs) = PROVISION_COMMANDS;
    containers.iter().find_map(|c| {
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        let repo = crate::detect::image_repository(image);
        let last = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
        let words: Vec<&str> = last.split(['-', '_', '.']).collect();
        if words.iter().any(|w| dbs.contains(w)) && words.iter().any(|w| sets.contains(w)) {
            return Some(format!("runs image {repo}, which sets up a database"));
        }
        let line = crate::detect::command_line(c).join(" ");
        let upper = line.to_ascii_uppercase();
        let said = (statements.iter())
            .find(|s| upper.contains(*s))
            .map(|s| s.to_string());
        let run = (line.split(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&'))
            .find(|w| programs.contains(&w.rsplit('/').next().unwrap_or(w)))
            .map(|w| format!("`{w}`"));
        said.or(run).map(|what| format!("runs {what}"))
    })
}

/// The regular Jobs before document `m` in the stream (the migration's Job, or
/// the workload a Job is built from; `name` its name before hashing) that write
/// a claim its `pod` mounts, each with the reason; `migrations` are never one.
fn preparers(
    index: &Index<'_>,
    (m, name): (usize, &str),
    pod: &Value,
    migrations: &HashSet<usize>,
) -> Vec<(usize, String)> {
    let claims = crate::k8s::claim_names(pod);
    if claims.is_empty() {
        return vec![];
    }
    let ns = &index.entries[m].info.namespace;
    (0..index.entries.len())
        .filter(|j| !migrations.contains(j) && index.entries[*j].info.kind.as_deref() == Some("Job"))
        .filter(|&j| &index.entries[j].info.namespace == ns)
        .filter(|&j| {
            // After a run, the migration stands before the workloads it gates,
            // and so before its preparers: their kapp group says what they are.
            peek(index, j).is_some_and(|v| {
                annotation(&v, HELM_HOOK).is_none() && (j < m || in_needs_group_of(&v, name))
            })
        })
        .filter_map(|j| {
            let job = pod_of(index, j)?;
            let claim = written_claims(&job)
                .into_iter()
                .find(|c| claims.contains(&c.as_str()))?;
            let why = format!(
                "{} writes claim {claim}, which the migration mounts, and comes before it in the chart's order: it prepares what the migration reads",
                index.entries[j].info.object()
            );
            Some((j, why))
        })
        .collect()
}

/// The regular chart Jobs (no migration, no hook) the migration's own wait
/// gates wait for by name (Jitsu's migration waits with `k8s-wait-for` for
/// its token Job): they run before it, as a data service does. Left where
/// the chart put them, the migration's earlier wave made a cycle.
fn awaited(
    index: &Index<'_>,
    m: usize,
    pod: &Value,
    migrations: &HashSet<usize>,
) -> Vec<(usize, String)> {
    let ns = &index.entries[m].info.namespace;
    let mut out = Vec::new();
    for gate in super::chart_gates::find(pod) {
        for name in gate.jobs.iter().map(|j| j.name.as_str()) {
            let found = (0..index.entries.len()).find(|&j| {
                let info = &index.entries[j].info;
                !migrations.contains(&j)
                    && info.kind.as_deref() == Some("Job")
                    && info.name.as_deref() == Some(name)
                    && &info.namespace == ns
                    && peek(index, j).is_some_and(|v| annotation(&v, HELM_HOOK).is_none())
            });
            if let Some(j) = found.filter(|j| !out.iter().any(|(d, _)| d == j)) {
                let why = format!(
                    "the migration's init container `{}` waits for {}: it runs first",
                    gate.container,
                    index.entries[j].info.object()
                );
                out.push((j, why));
            }
        }
    }
    out
}

/// Whether an earlier run put a Job in the kapp group of the needs of the
/// migration named `name` (before hashing).
fn in_needs_group_of(job: &Value, name: &str) -> bool {
    use crate::k8s::engines::{per_migration_key, KAPP_GROUP};
    let key = per_migration_key(KAPP_GROUP, &format!("needs-{name}"));
    annotation(job, &key).is_some()
}

/// The claims a pod mounts writable in some container (`readOnly` not set), as
/// extraction reads a container's written volumes.
fn written_claims(pod: &Value) -> Vec<String> {
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    let claim_of = |volume: &str| {
        volumes
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(volume))
            .and_then(|v| v.at(&["persistentVolumeClaim", "claimName"]))
            .and_then(Value::as_str)
    };
    let mut out: Vec<String> = Vec::new();
    for c in crate::k8s::containers(pod) {
        let written = crate::plan::sources::derive::written_volumes(c, volumes);
        for claim in written.into_iter().filter_map(claim_of) {
            if !out.iter().any(|o| o == claim) {
                out.push(claim.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::written_claims;
    use crate::yaml::Tree;

    #[test]
    fn a_claim_mounted_read_only_everywhere_is_not_written() {
        let tree = Tree::parse(
            "volumes:\n- name: a\n  persistentVolumeClaim: {claimName: sites}\n- name: b\n  persistentVolumeClaim: {claimName: logs}\ncontainers:\n- name: c\n  volumeMounts:\n  - {name: a, mountPath: /s, readOnly: true}\n  - {name: b, mountPath: /l}\n",
        )
        .unwrap();
        let pod = tree.value(tree.root.unwrap()).unwrap();
        assert_eq!(written_claims(&pod), vec!["logs".to_string()]);
    }
}
