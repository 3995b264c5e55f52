//! Which objects are *data services*: the databases, caches, brokers and object
//! stores a migration needs. They run before every migration and are never gated:
//! a database that waits for the migration that needs it is a deadlock on every engine.
//!
//! Two signals: a well-known image (on any registry or prefix), and reachability —
//! a host the migration names (in its env, args, scripts, or the ConfigMaps and
//! Secrets it reads) that is a Service of the stream, resolved to the workloads the
//! Service selects.

use std::borrow::Cow;

use std::collections::BTreeMap;

#[cfg(test)]
use super::hosts::mentions_host;
use super::hosts::Origin;
use super::images::{data_image, repos, same_product};
use super::lookup::derived_from;
pub(super) use super::lookup::find_doc;
use super::reach::{namespace_of, Reach};
use crate::index::Index;
use crate::k8s;
use crate::yaml::tree::Tree;
use crate::yaml::Value;

/// Kinds that run a data service (long-running pods): what a Service's
/// selector picks.
pub(super) const SERVICE_KINDS: &[&str] = &[
    "StatefulSet",
    "Deployment",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Rollout",
];

/// The data services of a release and what each migration needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataServices {
    /// Documents that are data services (workloads and the Services in front of
    /// them), with the reason.
    pub docs: BTreeMap<usize, String>,
    /// Per migration (its place in the list [`find`] was given: two Jobs
    /// built from one workload share its document), the data-service
    /// documents it needs, with the reason.
    pub needs: BTreeMap<usize, Vec<(usize, String)>>,
    /// Documents a data service uses (its ConfigMaps, Secrets, ServiceAccount):
    /// they must exist before it, so they move with it.
    pub support: BTreeMap<usize, String>,
    /// The data services found by their image: what a migration that names no
    /// host may need, with the Services in front of them ([`DataServices::fronts`]).
    pub by_image: std::collections::BTreeSet<usize>,
    /// Each Service in front of a data service found by image, and that
    /// workload: the migration connects through it, so it comes with the
    /// workload (an Argo CD wave that holds the database but not its Service
    /// fails the Job: SpiceDB's bundled PostgreSQL).
    pub fronts: BTreeMap<usize, usize>,
    /// The migrations (places in the list, as `needs`) that name no Service of
    /// the stream but a database of their own (a URL, a dotted host): those
    /// found by image are not theirs.
    pub external: std::collections::BTreeSet<usize>,
    /// The migrations (places in the list, as `needs`) that need an app of the
    /// release running: their own command calls it by its Service (SonarQube's
    /// `migrate_db` over HTTP), or they wait for a table it creates (DevLake's
    /// fix-up). The app must run first. Why, per migration.
    pub calls_app: BTreeMap<usize, String>,
    /// Workloads a migration needs running that carry another migration
    /// (and the Services in front of them): apps, each gated on its own
    /// migration, so never moved to the data services' Argo CD wave.
    pub apps_needed: std::collections::BTreeSet<usize>,
    /// Regular chart Jobs a migration needs because they write a claim it
    /// mounts before it (see `prepares`): needs, but no hosts.
    pub preparers: std::collections::BTreeSet<usize>,
}

impl DataServices {
    /// Whether document `i` is a data service.
    pub fn contains(&self, i: usize) -> bool {
        self.docs.contains_key(&i)
    }
}

/// The workload a Job premigrate built on an earlier run was taken out of
/// (the first its `premigrate.io/derived-from` names).
pub(crate) fn derived_source(index: &Index<'_>, doc: usize) -> Option<usize> {
    derived_from(index, doc).first().copied()
}

/// A document's value: the index's parse, or a lenient one of our own (a document
/// the index did not need; `None` when it cannot be read: it is simply not evidence).
pub fn peek<'a>(index: &'a Index<'_>, i: usize) -> Option<Cow<'a, Value>> {
    if let Some(p) = &index.entries[i].parsed {
        return Some(Cow::Borrowed(&p.value));
    }
    lenient(index.stream.doc_text(i)).map(Cow::Owned)
}

/// A document's value when it reads, `None` when it does not.
pub fn lenient(text: &str) -> Option<Value> {
    Tree::read_value(text).ok()?
}

/// A Service of the stream.
pub(super) struct Svc {
    pub(super) doc: usize,
    pub(super) name: String,
    pub(super) namespace: String,
    pub(super) selector: Vec<(String, String)>,
}

/// Finds the data services of the stream for the migrations in documents `migrations`
/// (their pod specs given as values). `sources`, per migration: the other
/// workloads a Job premigrate builds is taken out of (the init containers of
/// several workloads make one Job): each waits for it, as the first does.
pub fn find(
    index: &Index<'_>,
    migrations: &[(usize, &Value, &str)],
    sources: &[Vec<usize>],
) -> DataServices {
    let mut out = DataServices::default();
    let mut migration_docs: std::collections::HashSet<usize> =
        migrations.iter().map(|(d, _, _)| *d).collect();
    migration_docs.extend(sources.iter().flatten().copied());
    // The workloads an earlier run built a Job from are its source, as on
    // that run (a rerun took Passbolt's app for a need of its own Job).
    migration_docs.extend(
        migrations
            .iter()
            .flat_map(|(d, _, _)| derived_from(index, *d)),
    );
    let is_migration = |i: usize| migration_docs.contains(&i);
    let services = services(index);
    let ours: Vec<String> = migrations.iter().flat_map(|(_, p, _)| repos(p)).collect();
    out.docs.extend(by_image(index, &ours, &is_migration));
    let by_image: Vec<(usize, String)> =
        out.docs.iter().map(|(&w, why)| (w, why.clone())).collect();
    let mut reach = Reach::new(index, &services, migrations, &migration_docs);
    for (k, (m, pod, name)) in migrations.iter().enumerate() {
        let ns = namespace_of(index, *m);
        let release_ns = reach.release_ns(&ns);
        // What the pod reads, once: its hosts, its waits, its own database.
        let texts = texts_of(index, pod);
        reach.own = std::iter::once(*m)
            .chain(derived_from(index, *m))
            .chain(sources.get(k).into_iter().flatten().copied())
            .collect();
        reach.env_calls = !super::reach::chart_pre_hook(index, *m);
        let mut need = reach.reached_by(pod, &texts, &ns, "the migration");
        reach.own.clear();
        reach.env_calls = false;
        let apps = std::mem::take(&mut reach.carriers_reached);
        if let Some(call) = reach.app_calls.first() {
            out.calls_app.insert(k, format!("it calls {call}, an app of the release: it runs after the apps, as a contract step does (before them, the app would wait for it and it for the app)"));
        } else if let Some(why) = super::schema_wait::waits_for_schema(&texts) {
            out.calls_app.insert(k, why);
        }
        close_over(&mut reach, &ns, &mut need);
        if need.is_empty()
            && texts
                .iter()
                .any(|(t, _, from)| super::hosts::names_database(t, from, &release_ns))
        {
            out.external.insert(k);
        }
        // Chart Jobs that write a claim it mounts or that its gates wait for: not hosts.
        for (d, why) in super::prepares::run_first(index, (*m, name), pod, &migration_docs) {
            out.preparers.insert(d);
            need.push((d, why));
        }
        for (d, why) in &need {
            out.docs.entry(*d).or_insert_with(|| why.clone());
        }
        // Needed, never data services: each waits for its own migration.
        out.apps_needed.extend(apps.iter().map(|(d, _)| *d));
        need.extend(apps);
        if !need.is_empty() {
            out.needs.entry(k).or_default().extend(need);
        }
    }
    // After the hosts: a Service a migration names keeps that reason.
    fronts(index, &services, &by_image, &mut out);
    supports(index, &mut out);
    out
}

/// Adds to `need` what its data services need in turn: what they reach
/// (Sentry's ClickHouse needs its ZooKeeper before the snuba migrations create
/// tables), and an operator's resource's CRD, operator and their RBAC.
fn close_over(reach: &mut Reach<'_, '_>, ns: &str, need: &mut Vec<(usize, String)>) {
    let mut todo: Vec<usize> = need.iter().map(|n| n.0).collect();
    while let Some(w) = todo.pop() {
        for (d, why) in reach.of_data_service(w) {
            if !need.iter().any(|n| n.0 == d) {
                need.push((d, why));
                todo.push(d);
            }
        }
    }
    cluster_members(reach, need);
    let operated: Vec<(usize, String)> = need
        .iter()
        .flat_map(|(d, _)| super::operated::companions(reach.index, *d))
        .chain(super::operated::provisioners_in(reach.index, ns))
        .collect();
    for (d, why) in operated {
        if !need.iter().any(|n| n.0 == d) {
            need.push((d, why));
        }
    }
}

/// Adds the other members of a needed data service's cluster, where nodes
/// have roles (Elasticsearch): workloads of the same image that reach it
/// (OpenCTI's data nodes join the master-only nodes its Service selects: the
/// indices a migration creates live on them, so they come first too). A
/// replica of a database or cache (Redis, PostgreSQL) is no such member: the
/// primary holds what the migration writes.
fn cluster_members(reach: &mut Reach<'_, '_>, need: &mut Vec<(usize, String)>) {
    let index = reach.index;
    let images = |d: usize| {
        pod_of(index, d)
            .filter(|p| super::images::role_tiered(p))
            .map(|p| repos(&p))
    };
    let needed: Vec<(usize, Vec<String>)> = need
        .iter()
        .filter_map(|(d, _)| Some((*d, images(*d)?)))
        .collect();
    if needed.is_empty() {
        return;
    }
    for x in 0..index.entries.len() {
        let kind = index.entries[x].info.kind.as_deref().unwrap_or("");
        // A bare Pod (a chart's `helm test`) is no member.
        if !SERVICE_KINDS.contains(&kind) || kind == "Pod" || need.iter().any(|n| n.0 == x) {
            continue;
        }
        let Some(mine) = images(x) else { continue };
        let reached = reach.of_data_service(x);
        let joins = needed.iter().find(|(w, theirs)| {
            mine.iter().any(|r| theirs.contains(r)) && reached.iter().any(|(d, _)| d == w)
        });
        if let Some((w, _)) = joins {
            let why = format!(
                "{} joins the cluster of {} (same image; it reaches it): the data the migration writes lives on its members too",
                index.entries[x].info.object(),
                index.entries[*w].info.object()
            );
            need.push((x, why));
        }
    }
}

/// The Services in front of the data services found by image: part of them (a
/// migration connects through one; an Argo CD wave that holds the database but
/// not its Service hangs the Job until it fails).
fn fronts(
    index: &Index<'_>,
    services: &[Svc],
    by_image: &[(usize, String)],
    out: &mut DataServices,
) {
    out.by_image.extend(by_image.iter().map(|(w, _)| *w));
    let single = crate::plan::context::single_namespace(index);
    for s in services {
        let fronted = |(w, _): &&(usize, String)| selects(index, s, *w, single.as_deref());
        if let Some((w, why)) = by_image.iter().find(fronted) {
            out.fronts.insert(s.doc, *w);
            let object = index.entries[*w].info.object();
            out.docs
                .entry(s.doc)
                .or_insert_with(|| format!("{why}: the Service in front of {object}"));
        }
    }
}

/// The ConfigMaps, Secrets and ServiceAccounts the data-service workloads use.
fn supports(index: &Index<'_>, out: &mut DataServices) {
    let docs: Vec<usize> = out.docs.keys().copied().collect();
    for d in docs {
        let Some(pod) = pod_of(index, d) else {
            continue;
        };
        let owner = index.entries[d].info.object();
        for r in k8s::pod_refs(&pod, &[]) {
            if let Some(j) = find_doc(index, r.kind.kind(), &r.name, Some(d)) {
                out.support
                    .entry(j)
                    .or_insert_with(|| format!("{owner} (a data service) uses it"));
            }
        }
    }
}

/// Whether workload `w` runs one of the image repositories `ours` (the
/// migrations' containers; their init containers are left out: a wait for the
/// database runs the database's image), or another image of the same product,
/// and is no database by its image.
pub(super) fn runs_image_of(index: &Index<'_>, w: usize, ours: &[String]) -> bool {
    pod_of(index, w).is_some_and(|pod| {
        data_image(&pod).is_none()
            && repos(&pod).iter().any(|r| {
                ours.iter()
                    .any(|o| o == r || (same_product(o, r) && !super::images::names_a_store(r)))
            })
    })
}

/// The workloads that run a data service's image (not a migration, a Helm
/// test, nor an app with a cache beside it), with why.
fn by_image(
    index: &Index<'_>,
    ours: &[String],
    is_migration: &dyn Fn(usize) -> bool,
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for i in 0..index.entries.len() {
        let kind = index.entries[i].info.kind.as_deref().unwrap_or("");
        if !SERVICE_KINDS.contains(&kind) || is_migration(i) || test_hook(index, i) {
            continue;
        }
        let Some(pod) = pod_of(index, i) else {
            continue;
        };
        let beside = super::images::app_beside_data(&pod, ours);
        out.extend(data_image(&pod).filter(|_| !beside).map(|why| (i, why)));
    }
    out
}

/// Whether every container of workload `w` runs a telemetry sink's or a
/// forward proxy's image: nothing a migration waits on.
pub(super) fn side_service(index: &Index<'_>, w: usize) -> bool {
    let Some(pod) = pod_of(index, w) else {
        return false;
    };
    super::images::side_service(&pod)
}

/// Whether the chart's own init containers hold the workload until migrations are done.
pub(super) fn chart_gated(index: &Index<'_>, w: usize) -> bool {
    pod_of(index, w).is_some_and(|pod| !super::chart_gates::find(&pod).is_empty())
}

/// A workload's pod spec (borrowed from the index's parse when it has one).
pub(super) fn pod_of<'a>(index: &'a Index<'_>, i: usize) -> Option<Cow<'a, Value>> {
    let kind = index.entries[i].info.kind.as_deref()?;
    if !k8s::has_pod_spec(kind) {
        return None;
    }
    match peek(index, i)? {
        Cow::Borrowed(v) => k8s::pod_spec(v, kind).map(Cow::Borrowed),
        Cow::Owned(v) => k8s::pod_spec(&v, kind).cloned().map(Cow::Owned),
    }
}

/// The Services of the stream, and those operators will create.
pub(super) fn services(index: &Index<'_>) -> Vec<Svc> {
    let mut out = Vec::new();
    for (i, e) in index.entries.iter().enumerate() {
        if e.info.kind.as_deref() != Some("Service") {
            continue;
        }
        let Some(v) = peek(index, i) else { continue };
        let selector = v
            .at(&["spec", "selector"])
            .map(Value::entries)
            .unwrap_or(&[])
            .iter()
            .map(|(k, v)| (k.to_string(), crate::yaml::value::scalar_text(v)))
            .collect();
        out.push(Svc {
            doc: i,
            name: e.info.name.as_deref().unwrap_or_default().to_string(),
            namespace: e.info.namespace.as_deref().unwrap_or_default().to_string(),
            selector,
        });
    }
    // The Services operators will create for the data services they run.
    out.extend(super::operated::services(index));
    out
}

/// The workloads a Service selects.
pub(super) fn selected(index: &Index<'_>, s: &Svc, single: Option<&str>) -> Vec<usize> {
    (0..index.entries.len())
        .filter(|&i| selects(index, s, i, single))
        .collect()
}

/// Whether Service `s` selects workload `i` (same namespace, an object
/// written without one being in the stream's `single` one: Snipe-IT's MySQL
/// Service names `default`, its Deployment none; every selector label on its
/// pod template; an empty selector selects nothing).
fn selects(index: &Index<'_>, s: &Svc, i: usize, single: Option<&str>) -> bool {
    let info = &index.entries[i].info;
    let ns = info.namespace.as_deref().unwrap_or_default();
    let candidate = !s.selector.is_empty()
        && SERVICE_KINDS.contains(&info.kind.as_deref().unwrap_or(""))
        && crate::plan::context::same_ns(ns, &s.namespace, single);
    let Some(v) = candidate.then(|| peek(index, i)).flatten() else {
        return false;
    };
    // A test hook is a client of the app, never behind its Service for the
    // release (Zulip's test Pod carries the app's labels).
    if k8s::is_test_hook(&v) {
        return false;
    }
    let labels = if info_kind(index, i) == "Pod" {
        v.at(&["metadata", "labels"])
    } else {
        v.at(&["spec", "template", "metadata", "labels"])
    };
    let labels = labels.map(Value::entries).unwrap_or(&[]);
    s.selector.iter().all(|(k, want)| {
        labels
            .iter()
            .any(|(lk, lv)| lk == k && crate::yaml::value::scalar_text(lv) == *want)
    })
}

/// Whether document `i` is a Helm test hook: a client `helm test` runs after
/// the release is up (a health check in the database's image), never a data
/// service, whatever its image.
fn test_hook(index: &Index<'_>, i: usize) -> bool {
    peek(index, i).is_some_and(|v| k8s::is_test_hook(&v))
}

fn info_kind<'i>(index: &'i Index<'_>, i: usize) -> &'i str {
    index.entries[i].info.kind.as_deref().unwrap_or("")
}

/// Env names of a host to connect to that end in `NAME` (`DB_HOSTNAME`,
/// `REDIS_SERVICE_NAME`); any other `*NAME` names an object, not a host
/// (`*_DEPLOYMENT_NAME=x`, `DB_NAME`).
const HOST_NAME_SUFFIXES: &[&str] = &[
    "HOSTNAME",
    "HOST_NAME",
    "SERVERNAME",
    "SERVER_NAME",
    "SERVICENAME",
    "SERVICE_NAME",
    "SVC_NAME",
];

/// Whether an env variable's value names an object rather than a host ([`HOST_NAME_SUFFIXES`]).
fn names_an_object(env_name: &str) -> bool {
    let n = env_name.to_ascii_uppercase();
    n.ends_with("NAME") && !HOST_NAME_SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// Every string a migration's pod reads: its containers' command, args and env
/// values, and the data of the ConfigMaps and Secrets it references; each with
/// where it came from, and what it is (a command line, an env variable, a
/// ConfigMap's or Secret's key: [`names_host`] reads a bare name by it).
pub(crate) fn texts_of(index: &Index<'_>, pod: &Value) -> Vec<(String, String, Origin)> {
    let mut out = Vec::new();
    for c in crate::k8s::containers(pod) {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
        // One command line: an option's value reads with the option (`-h db`).
        let argv: Vec<&str> = ["command", "args"]
            .iter()
            .flat_map(|k| c.get(k).map(Value::items).unwrap_or(&[]))
            .filter_map(Value::as_str)
            .collect();
        if !argv.is_empty() {
            let key = if c.get("command").is_some() {
                "command"
            } else {
                "args"
            };
            out.push((
                argv.join(" "),
                format!("{key} of container {cname}"),
                Origin::Argv,
            ));
        }
        let literal = k8s::env_values(c).filter_map(|(_, n, v)| Some((n, v.as_str()?)));
        for (n, v) in literal.filter(|(n, _)| !names_an_object(n)) {
            // A config file passed base64-encoded in env (Feast's
            // `FEATURE_STORE_YAML_BASE64`) is read as a Secret's is.
            let encoded = ["_BASE64", "_B64"].iter().any(|e| n.ends_with(e));
            let (text, from) = match encoded.then(|| decode_base64(v)).flatten() {
                Some(t) => (t, Origin::File(n.to_string(), None)),
                None => (v.to_string(), Origin::Env(n.to_string())),
            };
            out.push((text, format!("env {n}"), from));
        }
    }
    for r in k8s::pod_refs(pod, &[]) {
        if r.kind == k8s::RefKind::ServiceAccount {
            continue;
        }
        let Some(d) = find_doc(index, r.kind.kind(), &r.name, None) else {
            continue;
        };
        let Some(v) = peek(index, d) else { continue };
        let label = format!("{} {}", r.kind.kind(), r.name);
        let keys = keys_read(pod, &r.path);
        for (field, b64) in [
            ("data", r.kind == k8s::RefKind::Secret),
            ("stringData", false),
        ] {
            for (k, val) in v.get(field).map(Value::entries).unwrap_or(&[]) {
                let Some(s) = val.as_str() else { continue };
                if keys.as_ref().is_some_and(|ks| !ks.iter().any(|x| x == k)) {
                    continue;
                }
                let text = if b64 {
                    decode_base64(s).unwrap_or_default()
                } else {
                    s.to_string()
                };
                out.push((
                    text,
                    format!("{label} key {k}"),
                    Origin::File(k.to_string(), Some((r.kind, r.name.to_string()))),
                ));
            }
        }
    }
    out
}

/// The keys of a ConfigMap or Secret a pod reads through the reference at `path`
/// (`None`: all of them). One key for `valueFrom`; for a volume, its `items`, or the
/// `subPath`s it is mounted with when every mount has one (a chart's shared scripts
/// ConfigMap holds every Job's script; only the mounted one runs).
fn keys_read(pod: &Value, path: &[crate::yaml::edit::Seg]) -> Option<Vec<String>> {
    use crate::yaml::edit::Seg;
    let parent = k8s::at(pod, &path[..path.len().saturating_sub(1)])?;
    if let Some(k) = parent.get("key").and_then(Value::as_str) {
        return Some(vec![k.to_string()]);
    }
    let (Some(Seg::Key(top)), Some(Seg::Index(i))) = (path.first(), path.get(1)) else {
        return None;
    };
    if top != "volumes" {
        return None;
    }
    let vol = pod.get("volumes")?.items().get(*i)?;
    let items: Vec<String> = parent
        .get("items")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|it| it.get("key").and_then(Value::as_str).map(str::to_string))
        .collect();
    if !items.is_empty() {
        return Some(items);
    }
    let vname = vol.get("name").and_then(Value::as_str)?;
    let mounts: Vec<&Value> = crate::k8s::containers(pod)
        .flat_map(|c| c.get("volumeMounts").map(Value::items).unwrap_or(&[]))
        .filter(|m| m.get("name").and_then(Value::as_str) == Some(vname))
        .collect();
    let subs: Vec<String> = mounts
        .iter()
        .filter_map(|m| m.get("subPath").and_then(Value::as_str).map(str::to_string))
        .collect();
    (!mounts.is_empty() && subs.len() == mounts.len()).then_some(subs)
}

/// Standard base64 (Secret `data`), padding optional; `None` when not valid UTF-8 text.
fn decode_base64(s: &str) -> Option<String> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every Service a text mentions as a host is among the candidates the
        /// name lookup gives (it may give more: mentions_host decides).
        #[test]
        fn the_name_lookup_misses_no_host(
            names in prop::collection::vec(
                prop::sample::select(vec!["db", "db-1", "pg_main", "a.b", "x", "DB", "é"]), 1..5),
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "db", "db-1", "pg_main", "a.b", "x", "DB", "é", "postgres://", "@", ":5432",
                    ".default", ".svc", "/", " ", "=", "-", "_", "\"", ",", "(", ")", "?", ";", "\n",
                ]),
                0..10,
            ),
        ) {
            let services: Vec<Svc> = names
                .iter()
                .enumerate()
                .map(|(doc, n)| Svc {
                    doc,
                    name: n.to_string(),
                    namespace: "default".into(),
                    selector: vec![],
                })
                .collect();
            let texts = vec![(parts.concat(), String::new(), Origin::Argv)];
            let candidates = super::super::reach::ServicesByName::of(&services).candidates(&texts);
            for (k, s) in services.iter().enumerate() {
                if mentions_host(&texts[0].0, &s.name, &s.namespace, "default") {
                    prop_assert!(candidates.contains(&k), "{} in {:?}", s.name, texts[0].0);
                }
            }
        }
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aG9zdD1kYg==").as_deref(), Some("host=db"));
        assert_eq!(decode_base64("!!"), None);
    }

    #[test]
    fn images() {
        let pod = |image: &str| {
            Value::map([(
                "containers",
                Value::Seq(vec![Value::map([("image", Value::str(image))])].into()),
            )])
        };
        assert!(data_image(&pod("docker.io/bitnamilegacy/postgresql:15.4.0")).is_some());
        assert!(data_image(&pod("bitnami/postgresql-repmgr:16")).is_some());
        assert!(data_image(&pod("redis@sha256:abc")).is_some());
        assert!(data_image(&pod("prometheuscommunity/postgres-exporter:v0.15")).is_none());
        assert!(data_image(&pod("myorg/api:1.0")).is_none());
    }
}
