//! Resources an operator applies inside a data service (a mariadb-operator
//! `User`, a CloudNativePG `Database`, an unknown operator's `PostgresUser`):
//! they make the database, the user and the grants a migration connects with,
//! so they come before it, with what their specs name.

use super::{row, Operated, OPERATED};
use crate::index::Index;
use crate::plan::graph::roles::Svc;
use crate::yaml::Value;

/// Resources an operator applies inside a data service it runs, by group:
/// their kinds and the spec key that names the service's resource
/// (`spec.mariaDbRef.name`). They make the database, the user and its grants
/// the migration connects with, so they come before it with the service
/// (Snipe-IT's chart: with its MariaDB alone in an earlier Argo CD wave, the
/// migration ran before its user existed).
const PROVISIONS: &[(&str, &[&str], &str)] = &[
    (
        "k8s.mariadb.com",
        &["Database", "User", "Grant"],
        "mariaDbRef",
    ),
    ("postgresql.cnpg.io", &["Database"], "cluster"),
];

/// The resource document `i` provisions in (a [`PROVISIONS`] kind): its
/// group, and the name and namespace its spec gives (the resource's own
/// namespace when it gives none).
pub(super) fn provisions(index: &Index<'_>, i: usize) -> Option<(&'static str, String, String)> {
    let info = &index.entries[i].info;
    let group = info.api_version.as_deref()?.split_once('/')?.0;
    let kind = info.kind.as_deref()?;
    let (group, _, key) = PROVISIONS
        .iter()
        .find(|(g, kinds, _)| *g == group && kinds.contains(&kind))?;
    let r = crate::plan::graph::roles::peek(index, i)?
        .at(&["spec", key])?
        .clone();
    let name = r.get("name").and_then(Value::as_str)?.to_string();
    let own = info.namespace.as_deref().unwrap_or_default();
    let ns = r.get("namespace").and_then(Value::as_str).unwrap_or(own);
    Some((group, name, ns.to_string()))
}

/// The stream's resources that provision in operated resource `d` (see
/// [`PROVISIONS`]), with why.
pub(super) fn provisioned_in(index: &Index<'_>, d: usize, o: &Operated) -> Vec<(usize, String)> {
    let info = &index.entries[d].info;
    let (Some(name), ns) = (info.name.as_deref(), info.namespace.as_deref()) else {
        return Vec::new();
    };
    let object = info.object();
    (0..index.entries.len())
        .filter(|&i| {
            provisions(index, i).is_some_and(|(g, n, in_ns)| {
                g == o.group && n == name && (ns.is_none() || in_ns.is_empty() || ns == Some(&*in_ns))
            })
        })
        .map(|i| (i, format!("the operator applies it in {object} ({}): it makes what the migration connects with", o.what)))
        .collect()
}

/// The stream's other [`PROVISIONS`] resources that name the same resource
/// as document `d` (one outside the stream): the user, its grants and the
/// database come together.
pub(super) fn provisioned_beside(index: &Index<'_>, d: usize) -> Vec<(usize, String)> {
    let Some(target) = provisions(index, d) else {
        return Vec::new();
    };
    let object = index.entries[d].info.object();
    (0..index.entries.len())
        .filter(|&i| i != d && provisions(index, i).as_ref() == Some(&target))
        .map(|i| {
            let why = format!(
                "the operator applies it in {} as it does {object}",
                target.1
            );
            (i, why)
        })
        .collect()
}

/// The Services of operated resources outside the stream that the stream's
/// [`PROVISIONS`] resources name (Snipe-IT's User, Database and Grant in a
/// shared MariaDB): each the first such resource's, so that a migration
/// naming the service's host needs them (a pre-install hook would run before
/// its user exists).
pub(super) fn outside_services(index: &Index<'_>) -> Vec<Svc> {
    let mut out: Vec<Svc> = Vec::new();
    for i in 0..index.entries.len() {
        let Some((group, name, ns)) = provisions(index, i) else {
            continue;
        };
        let inside = (0..index.entries.len()).any(|d| {
            let e = &index.entries[d].info;
            row(index, d).is_some_and(|o| o.group == group)
                && e.name.as_deref() == Some(&*name)
                && e.namespace.as_deref().unwrap_or(&ns) == ns
        });
        let rows = OPERATED.iter().filter(|o| o.group == group);
        for service in rows.flat_map(|o| o.services.iter().map(|p| p.replace("{}", &name))) {
            let known = out.iter().any(|s| s.name == service && s.namespace == ns);
            if !inside && !known {
                out.push(Svc {
                    doc: i,
                    name: service,
                    namespace: ns.clone(),
                    selector: Vec::new(),
                });
            }
        }
    }
    out
}

/// Words of an API group that say its kinds are a database's
/// (`dbs.plural.sh`, `db.movetokube.com`, `mysql.presslabs.org`).
const DB_GROUP_WORDS: &[&str] = &[
    "db",
    "dbs",
    "sql",
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "database",
    "databases",
];

/// Ends of kinds that make a database, a user or a grant (`PostgresUser`,
/// `MysqlDatabase`, `Grant`).
const PROVISION_KIND_ENDS: &[&str] = &["Database", "User", "Grant"];

/// Whether document `i` provisions in a database: a [`PROVISIONS`] kind, or
/// a kind of an operator premigrate does not know whose group names a
/// database and whose kind ends in a [`PROVISION_KIND_ENDS`] word (Plural's
/// `PostgresDatabase` and `PostgresUser`).
pub(super) fn provisioner(index: &Index<'_>, i: usize) -> bool {
    let info = &index.entries[i].info;
    let (Some(api), Some(kind)) = (info.api_version.as_deref(), info.kind.as_deref()) else {
        return false;
    };
    let Some((group, _)) = api.split_once('/') else {
        return false;
    };
    let known = PROVISIONS
        .iter()
        .any(|(g, kinds, _)| *g == group && kinds.contains(&kind));
    let db_group = group.split('.').any(|w| DB_GROUP_WORDS.contains(&w));
    let operated = OPERATED.iter().any(|o| o.group == group && o.kind == kind);
    known || (db_group && !operated && PROVISION_KIND_ENDS.iter().any(|e| kind.ends_with(e)))
}

/// The stream's provisioning resources (see [`provisioner`]) in namespace
/// `ns` (as written; a resource with none is in every one), with why: a
/// migration there needs them, whichever database they provision in (the
/// operator may write the Secret the migration reads; before them, it
/// connects as a user that does not exist).
pub fn provisioners_in(index: &Index<'_>, ns: &str) -> Vec<(usize, String)> {
    (0..index.entries.len())
        .filter(|&i| provisioner(index, i))
        .filter(|&i| {
            let own = index.entries[i].info.namespace.as_deref().unwrap_or_default();
            own.is_empty() || ns.is_empty() || own == ns
        })
        .map(|i| {
            let why = format!(
                "it provisions a database or its user ({}): the operator makes what the migration connects with",
                index.entries[i].info.object()
            );
            (i, why)
        })
        .collect()
}
