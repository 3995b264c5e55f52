//! Builds the deadlock check's model from a stream as the engines will read it:
//! each object's hook, wave and kapp annotations, the Jobs its pods' gates wait
//! for (the chart's and premigrate's), the ConfigMaps and Secrets its pods need,
//! and what each migration needs (its data services, from the release graph).

use std::borrow::Cow;
use std::collections::HashMap;

use super::chart_gates;
use super::deadlock::{ArgoHook, Hook, Node, Why};
use super::roles::peek;
use super::service_waits::{self, Endpoints};
use crate::index::{DocInfo, Index};
use crate::k8s;
use crate::yaml::edit::Seg;
use crate::yaml::value::Text;
use crate::yaml::{Tree, Value};

/// What the release graph knows about one migration of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationFact {
    /// The Job's name in the stream being checked.
    pub name: String,
    /// Its namespace as written ("" = the release's).
    pub namespace: String,
    /// Runs before the apps (apps' migration-status checks wait for it).
    pub pre: bool,
    /// `(kind, name)` of the data services it needs, with the reason.
    pub needs: Vec<(String, String, String)>,
}

/// One document as the model reads it: what it is, and its value when it has
/// one the model needs (a parsed document, or one that orders itself).
pub struct Doc<'a> {
    /// Kind, name, namespace.
    pub info: Cow<'a, DocInfo>,
    /// Its value.
    pub value: Option<Cow<'a, Value>>,
}

impl<'a> Doc<'a> {
    /// Document `i` of an index, its value borrowed from the index's parse.
    pub fn of(index: &'a Index<'_>, i: usize) -> Doc<'a> {
        let e = &index.entries[i];
        let text = index.stream.doc_text(i);
        // An unparsed document's annotations are in its metadata block.
        let needed = e.parsed.is_some()
            || mentions_order(&text[e.metadata.clone().unwrap_or(0..text.len())]);
        Doc {
            info: Cow::Borrowed(&e.info),
            value: (needed && !e.info.blank).then(|| peek(index, i)).flatten(),
        }
    }

    /// An edited document, from what its edit's self-check read (`None`: empty).
    pub fn of_value(value: Option<&'a Value>) -> Doc<'a> {
        let info = value.map(crate::index::info_of).unwrap_or(DocInfo {
            blank: true,
            ..Default::default()
        });
        Doc {
            info: Cow::Owned(info),
            value: value.map(Cow::Borrowed),
        }
    }

    /// A document read from its text alone (one premigrate wrote): an error
    /// when it does not read, as premigrate never writes such a document.
    pub fn read(text: &str) -> Result<Doc<'static>, String> {
        if crate::stream::is_blank(text) {
            let info = DocInfo {
                blank: true,
                ..Default::default()
            };
            return Ok(Doc {
                info: Cow::Owned(info),
                value: None,
            });
        }
        let value = Tree::read_value(text)
            .map_err(|e| e.message)?
            .unwrap_or(Value::Null);
        Ok(Doc {
            info: Cow::Owned(crate::index::info_of(&value)),
            value: Some(Cow::Owned(value)),
        })
    }
}

/// Every document of an index.
pub fn docs<'a>(index: &'a Index<'_>) -> Vec<Doc<'a>> {
    (0..index.entries.len())
        .map(|i| Doc::of(index, i))
        .collect()
}

/// The model of a stream's documents, given what the graph knows about its migrations.
pub fn nodes(docs: &[Doc<'_>], migrations: &[MigrationFact]) -> Vec<Node> {
    // Each object's draft on its own: a big stream's are made on every core
    // (weighed as documents of about 2 KB).
    let all: Vec<usize> = (0..docs.len()).collect();
    let drafts = crate::par::map(&all, |_| 2048, |i| draft(&docs[i], migrations));
    resolve(drafts.into_iter().map(|(_, d)| d).collect())
}

/// What one document says on its own: its node without its waits, and the
/// objects it waits for by name. Made as soon as a document is read (an
/// edited document's reading is dropped right after: a big stream's readings
/// are not all held at once), resolved once every document's name is known.
#[derive(Debug, Default)]
pub struct Draft {
    /// Kind and name, when it has both.
    key: Option<(Text, Text)>,
    /// Its namespace as written ("": the release's): where it is found, and
    /// where its waits look.
    namespace: Text,
    /// The node, its waits and checks still empty.
    node: Node,
    /// What it waits for, in order.
    wants: Vec<Want>,
    /// Its pods' labels, or its selector (a Service): for waits on endpoints.
    endpoints: Endpoints,
}

/// An object a document waits for, by name.
#[derive(Debug)]
struct Want {
    /// A migration-status check's wait (else a plain wait).
    check: bool,
    /// A wait for the workloads behind a Service (an init container looping
    /// until it answers), not for the Service itself.
    behind: bool,
    /// Always a word of premigrate's, but for a migration's needs.
    kind: Cow<'static, str>,
    name: Text,
    why: Why,
}

impl Want {
    /// A plain wait for `kind` `name`.
    fn plain(kind: Cow<'static, str>, name: &str, why: Why) -> Want {
        Want {
            check: false,
            behind: false,
            kind,
            name: name.into(),
            why,
        }
    }
}

/// The drafts' nodes, each wait found by kind, namespace and name (the first
/// object of that name; an object never waits for itself; a name the stream
/// does not hold is no wait).
pub fn resolve(drafts: Vec<Draft>) -> Vec<Node> {
    // Looked up only (never iterated), with borrowed keys.
    let mut by_name: HashMap<(&str, &str, &str), usize> = HashMap::with_capacity(drafts.len());
    // Kind and name → the one namespace that defines it (None: several).
    let mut one_namespace: HashMap<(&str, &str), Option<&str>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if let Some((k, n)) = &d.key {
            by_name.entry((k, &d.namespace, n)).or_insert(i);
            one_namespace
                .entry((k, n))
                .and_modify(|ns| *ns = ns.filter(|ns| *ns == d.namespace.as_str()))
                .or_insert(Some(&d.namespace));
        }
    }
    // Where each want points (the names are borrowed from the drafts, so
    // first all lookups, then the drafts are taken apart).
    let found: Vec<Vec<Option<usize>>> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.wants
                .iter()
                .map(|w| {
                    // Either spelling of the release namespace, as the plan
                    // reads it (see `plan::context::in_namespace`).
                    let (kind, name) = (w.kind.as_ref(), w.name.as_ref());
                    let find = |ns: &str| by_name.get(&(kind, ns, name)).copied();
                    let other = match d.namespace.is_empty() {
                        true => one_namespace.get(&(kind, name)).copied().flatten(),
                        false => Some(""),
                    };
                    find(&d.namespace)
                        .or_else(|| other.and_then(find))
                        .filter(|&at| at != i)
                })
                .collect()
        })
        .collect();
    drop(by_name);
    let behind = behind_services(&drafts, &found);
    drafts
        .into_iter()
        .zip(found)
        .zip(behind)
        .map(|((mut d, found), mut behind)| {
            for (w, at) in d.wants.into_iter().zip(found) {
                match (at, w.check, w.behind) {
                    (Some(at), _, true) => {
                        let pods = behind.remove(&at).unwrap_or_default();
                        d.node
                            .waits
                            .extend(pods.into_iter().map(|p| (p, w.why.clone())));
                    }
                    (Some(at), true, _) => d.node.checks.push((at, w.why)),
                    (Some(at), false, _) => d.node.waits.push((at, w.why)),
                    (None, _, _) => {}
                }
            }
            d.node
        })
        .collect()
}

/// For each draft, the workloads behind each Service it waits on the
/// endpoints of (found at `found`): those of the Service's namespace its
/// selector picks, itself left out.
fn behind_services(
    drafts: &[Draft],
    found: &[Vec<Option<usize>>],
) -> Vec<HashMap<usize, Vec<usize>>> {
    drafts
        .iter()
        .zip(found)
        .enumerate()
        .map(|(i, (d, found))| {
            let mut out: HashMap<usize, Vec<usize>> = HashMap::new();
            for (w, at) in d.wants.iter().zip(found) {
                let Some(s) = at.filter(|_| w.behind) else {
                    continue;
                };
                let svc = &drafts[s];
                let picked = drafts.iter().enumerate().filter(|(j, p)| {
                    *j != i
                        && p.namespace == svc.namespace
                        && svc.endpoints.selects(&p.endpoints.labels)
                });
                out.insert(s, picked.map(|(j, _)| j).collect());
            }
            out
        })
        .collect()
}

/// The draft of one document.
pub fn draft(e: &Doc<'_>, migrations: &[MigrationFact]) -> Draft {
    let ns: Text = e.info.namespace.as_deref().unwrap_or_default().into();
    let mut d = Draft {
        key: e
            .info
            .kind
            .as_deref()
            .zip(e.info.name.as_deref())
            .map(|(k, n)| (k.into(), n.into())),
        node: Node {
            // Empty for a blank document: it is no object (see `Node`).
            label: match e.info.blank {
                true => String::new(),
                false => e.info.object(),
            },
            ..Default::default()
        },
        namespace: ns.clone(),
        wants: Vec::new(),
        endpoints: Endpoints::default(),
    };
    if let Some(v) = e.value.as_deref() {
        annotations(v, &mut d.node);
        d.endpoints = Endpoints::of(v, e.info.kind.as_deref().unwrap_or(""));
        if let Some(pod) = e.info.kind.as_deref().and_then(|k| k8s::pod_spec(v, k)) {
            pod_waits(pod, &ns, migrations, &mut d.wants);
        }
    }
    if e.info.kind.as_deref() == Some("Job") {
        let name = e.info.name.as_deref().unwrap_or("");
        for m in migrations
            .iter()
            .filter(|m| m.name == name && m.namespace == ns)
        {
            for (kind, dname, why) in &m.needs {
                let kind = Cow::Owned(kind.clone());
                d.wants
                    .push(Want::plain(kind, dname, Why::Said(why.clone())));
            }
        }
    }
    d
}

/// Whether a document the index did not parse still orders itself.
fn mentions_order(text: &str) -> bool {
    crate::stream::mentions(
        text,
        &[
            "helm.sh/hook",
            "sync-wave",
            "argocd.argoproj.io/hook",
            "kapp.k14s.io/",
        ],
    )
}

fn annotations(v: &Value, node: &mut Node) {
    let ann = v
        .at(&["metadata", "annotations"])
        .map(Value::entries)
        .unwrap_or(&[]);
    let get = |k: &str| {
        ann.iter()
            .rev()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| v.as_str())
    };
    if let Some(events) = get("helm.sh/hook") {
        node.hook = Some(Box::new(Hook {
            events: events
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            weight: get("helm.sh/hook-weight")
                .and_then(|w| w.trim().parse().ok())
                .unwrap_or(0),
            deleted_after: get("helm.sh/hook-delete-policy")
                .is_some_and(|p| p.contains("hook-succeeded")),
        }));
    }
    let wave = get("argocd.argoproj.io/sync-wave").and_then(|w| w.trim().parse().ok());
    node.wave_from_weight = wave.is_none() && node.hook.is_some();
    node.wave = wave.or(node.hook.as_ref().map(|h| h.weight)).unwrap_or(0);
    node.argo_hook = get("argocd.argoproj.io/hook").map(ArgoHook::parse);
    for (k, val) in ann {
        let Some(val) = val.as_str() else { continue };
        if k == "kapp.k14s.io/change-group" || k.starts_with("kapp.k14s.io/change-group.") {
            node.groups.push(val.to_string());
        }
        if k == "kapp.k14s.io/change-rule" || k.starts_with("kapp.k14s.io/change-rule.") {
            if let Some(g) = val.trim().strip_prefix("upsert after upserting ") {
                node.after_groups.push(g.trim().to_string());
            }
        }
    }
}

/// What a pod waits for: the Jobs its gates name or check, and the ConfigMaps,
/// Secrets, ServiceAccount and PersistentVolumeClaims of the stream it cannot
/// start without.
fn pod_waits(pod: &Value, ns: &str, migrations: &[MigrationFact], wants: &mut Vec<Want>) {
    let gates = chart_gates::find_all(pod);
    for g in &gates {
        for j in &g.jobs {
            let why = Why::Gate(g.container.as_str().into());
            wants.push(Want::plain(Cow::Borrowed("Job"), &j.name, why));
        }
        if g.check {
            for m in migrations.iter().filter(|m| m.pre && m.namespace == ns) {
                let why = Why::Check(g.container.as_str().into());
                wants.push(Want {
                    check: true,
                    ..Want::plain(Cow::Borrowed("Job"), &m.name, why)
                });
            }
        }
    }
    for (kind, name) in chart_gates::rollouts(pod) {
        let why = Why::Said(format!("its gate waits for the rollout of {kind}/{name}"));
        wants.push(Want::plain(Cow::Owned(kind.to_string()), name, why));
    }
    for r in k8s::pod_refs(pod, &[]) {
        if optional(pod, &r.path)
            || matches!(r.path.first(), Some(Seg::Key(k)) if k == "imagePullSecrets")
        {
            continue;
        }
        wants.push(Want::plain(
            Cow::Borrowed(r.kind.kind()),
            &r.name,
            Why::Uses,
        ));
    }
    for (container, host) in service_waits::waited_hosts_beside(pod, &gates) {
        let why = Why::Said(format!(
            "its init container `{container}` waits until Service/{host} answers"
        ));
        wants.push(Want {
            behind: true,
            ..Want::plain(Cow::Borrowed("Service"), &host, why)
        });
    }
    // A pod is not scheduled before the claims it mounts exist.
    for claim in k8s::claim_names(pod) {
        let kind = Cow::Borrowed("PersistentVolumeClaim");
        wants.push(Want::plain(kind, claim, Why::Uses));
    }
}

/// Whether a pod cannot start before `kind/name` exists: it names it (its
/// ServiceAccount, a volume, an env source) other than as `optional: true`.
pub(crate) fn waits_for_object(pod: &Value, kind: &str, name: &str) -> bool {
    (kind == "ServiceAccount" && k8s::service_account(pod) == name)
        || k8s::pod_refs(pod, &[])
            .iter()
            .any(|r| r.kind.kind() == kind && r.name == name && !optional(pod, &r.path))
}

/// Whether the reference at `path` (the name scalar) is marked `optional: true`.
fn optional(pod: &Value, path: &[Seg]) -> bool {
    let parent = &path[..path.len().saturating_sub(1)];
    k8s::at(pod, parent)
        .and_then(|p| p.get("optional"))
        .is_some_and(|o| matches!(o, Value::Bool(true)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drafted(kind: &str, name: &str, ns: &str, wants: Vec<Want>) -> Draft {
        Draft {
            key: Some((kind.into(), name.into())),
            namespace: ns.into(),
            node: Node::default(),
            wants,
            endpoints: Endpoints::default(),
        }
    }

    #[test]
    fn a_wait_finds_an_object_written_without_a_namespace() {
        let uses = |name: &str| vec![Want::plain(Cow::Borrowed("Secret"), name, Why::Uses)];
        let nodes = resolve(vec![
            drafted("Secret", "config", "", vec![]),
            drafted("Secret", "env", "default", vec![]),
            // A Job written into `default` mounts both: Helm installs the first
            // into the release namespace, which is `default` when the chart installs.
            drafted(
                "Job",
                "migrate",
                "default",
                uses("config").into_iter().chain(uses("env")).collect(),
            ),
            drafted("Job", "other", "", uses("env")),
        ]);
        let waits = |i: usize| nodes[i].waits.iter().map(|w| w.0).collect::<Vec<_>>();
        assert_eq!(waits(2), [0, 1]);
        // Written without one, a pod sees the one namespace that defines the name.
        assert_eq!(waits(3), [1]);
    }

    /// An init container that loops until a Service answers waits for the
    /// workloads behind it: a database gated on the Job that waits for it is
    /// a cycle (Twenty's, once taken for an app).
    #[test]
    fn an_init_loop_waits_for_the_workloads_behind_its_service() {
        let texts = [
            "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {selector: {app: db}}\n",
            concat!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n",
                "  template:\n    metadata: {labels: {app: db}}\n    spec:\n",
                "      initContainers:\n      - name: wait\n        image: kubectl\n",
                "        args: [wait, --for=condition=complete, job/create-db]\n",
                "      containers: [{name: db, image: postgres}]\n"
            ),
            concat!(
                "apiVersion: batch/v1\nkind: Job\nmetadata: {name: create-db}\nspec:\n",
                "  template:\n    spec:\n      initContainers:\n      - name: wait-db\n",
                "        image: postgres\n",
                "        command: [sh, -c, 'until pg_isready -h db -U app; do sleep 2; done']\n",
                "      containers: [{name: c, image: postgres, command: [createdb]}]\n"
            ),
        ];
        let docs: Vec<Doc<'static>> = texts.iter().map(|t| Doc::read(t).unwrap()).collect();
        let nodes = nodes(&docs, &[]);
        assert_eq!(nodes[2].waits.iter().map(|w| w.0).collect::<Vec<_>>(), [1]);
        let d = super::super::deadlock::check(&nodes, super::super::deadlock::Engine::Kubectl);
        assert!(d
            .unwrap_err()
            .to_string()
            .contains("waits until Service/db answers"));
    }
}
