//! What every lint rule reads, computed once: the indexed stream, the plan the
//! post-renderer would follow (and its deadlock verdicts), each document's value,
//! and small views (pod specs, hook events, how many pods a workload runs).

use std::borrow::Cow;

use crate::config::Target;
use crate::detect::Rules;
use crate::index::Index;
use crate::k8s;
use crate::plan::graph::chart_gates::{self, ChartGate};
use crate::plan::graph::roles::peek;
use crate::plan::{Migration, Origin, Phase, Plan};
use crate::yaml::edit::Seg;
use crate::yaml::{NodeKind, Tree, Value};

use super::possible::Possible;

/// The stream, the plan and the values every rule reads.
pub struct Cx<'a> {
    /// The indexed input.
    pub index: &'a Index<'a>,
    /// The plan the post-renderer follows on this input.
    pub plan: &'a Plan,
    /// The target in force.
    pub target: Target,
    /// Each document's value (`None`: blank or unreadable).
    pub values: Vec<Option<Cow<'a, Value>>>,
    /// Jobs that look like migrations but were not confirmed.
    pub possible: Vec<Possible>,
    /// The user's patterns (`--is-migration`, `--not-migration`): what they
    /// exclude is never reported as a migration.
    pub rules: Rules,
    /// The stream's ConfigMaps and Secrets, for the scripts containers run from them.
    pub sources: crate::detect::Sources,
}

/// A wait gate of a workload's pods: the chart's or premigrate's.
pub struct PodGate {
    /// The workload's document.
    pub doc: usize,
    /// The gate as the release graph recognises it.
    pub gate: ChartGate,
    /// Index of its init container.
    pub index: usize,
    /// Path of the pod spec in the document.
    pub pod_path: Vec<Seg>,
}

impl<'a> Cx<'a> {
    /// Builds the context of one lint run.
    pub fn new(
        index: &'a Index<'a>,
        plan: &'a Plan,
        possible: Vec<Possible>,
        rules: Rules,
    ) -> Cx<'a> {
        let values: Vec<Option<Cow<'a, Value>>> = (0..index.entries.len())
            .map(|i| {
                if index.entries[i].info.blank {
                    None
                } else {
                    peek(index, i)
                }
            })
            .collect();
        let mut sources = crate::detect::Sources::new();
        for v in values.iter().flatten() {
            sources.add(v);
        }
        Cx {
            index,
            plan,
            target: plan.target.unwrap_or(Target::Gitops),
            values,
            possible,
            rules,
            sources,
        }
    }

    /// Number of documents (blank ones included).
    pub fn docs(&self) -> usize {
        self.index.entries.len()
    }

    /// Kind of document `i` ("" when unknown).
    pub fn kind(&self, i: usize) -> &str {
        self.index.entries[i].info.kind.as_deref().unwrap_or("")
    }

    /// Name of document `i` ("" when unknown).
    pub fn name(&self, i: usize) -> &str {
        self.index.entries[i].info.name.as_deref().unwrap_or("")
    }

    /// Namespace of document `i` as written ("" = the release's).
    pub fn namespace(&self, i: usize) -> &str {
        self.index.entries[i]
            .info
            .namespace
            .as_deref()
            .unwrap_or("")
    }

    /// `Kind/name` of document `i`.
    pub fn object(&self, i: usize) -> String {
        self.index.entries[i].info.object()
    }

    /// An annotation of document `i`.
    pub fn annotation(&self, i: usize, key: &str) -> Option<&str> {
        self.values[i]
            .as_ref()?
            .at(&["metadata", "annotations", key])
            .and_then(Value::as_str)
    }

    /// The Helm hook events of document `i` (empty: a regular resource).
    pub fn hook_events(&self, i: usize) -> Vec<String> {
        self.annotation(i, "helm.sh/hook")
            .map(|h| {
                h.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Path of document `i`'s pod spec, when it is a workload.
    pub fn pod_path(&self, i: usize) -> Option<Vec<Seg>> {
        k8s::pod_spec_path(self.kind(i))
    }

    /// Document `i`'s pod spec, when it is a workload.
    pub fn pod(&self, i: usize) -> Option<&Value> {
        k8s::pod_spec(self.values[i].as_ref()?, self.kind(i))
    }

    /// The migration whose Job is document `i` (a Job of the stream).
    pub fn migration(&self, i: usize) -> Option<&Migration> {
        self.plan
            .migrations
            .iter()
            .find(|m| m.doc == i && m.origin == Origin::Job)
    }

    /// The stream's migration Jobs, each with its pod spec and the spec's path.
    pub fn migration_pods(&self) -> impl Iterator<Item = (usize, &Value, Vec<Seg>)> + '_ {
        (0..self.docs())
            .filter(|&d| self.migration(d).is_some())
            .filter_map(|d| Some((d, self.pod(d)?, self.pod_path(d)?)))
    }

    /// Whether the stream holds a Job with this name in this namespace.
    pub fn job(&self, ns: &str, name: &str) -> Option<usize> {
        (0..self.docs())
            .find(|&i| self.kind(i) == "Job" && self.name(i) == name && self.namespace(i) == ns)
    }

    /// Every wait gate in the stream's pod specs.
    pub fn gates(&self) -> Vec<PodGate> {
        let mut out = Vec::new();
        for doc in 0..self.docs() {
            let (Some(pod), Some(pod_path)) = (self.pod(doc), self.pod_path(doc)) else {
                continue;
            };
            let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
            for gate in chart_gates::find_all(pod) {
                let index = inits
                    .iter()
                    .position(|c| c.get("name").and_then(Value::as_str) == Some(&gate.container))
                    .unwrap_or(0);
                out.push(PodGate {
                    doc,
                    gate,
                    index,
                    pod_path: pod_path.clone(),
                });
            }
        }
        out
    }

    /// Why document `i`'s workload runs more than one pod at once, if it does.
    pub fn many_pods(&self, i: usize) -> Option<String> {
        let v = self.values[i].as_ref()?;
        let kind = self.kind(i);
        let replicas = match v.at(&["spec", "replicas"]) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        };
        match kind {
            "DaemonSet" => return Some("a DaemonSet runs a pod on every node".into()),
            "Deployment" | "ReplicaSet" | "Rollout" if replicas.unwrap_or(1) > 1 => {
                return Some(format!("replicas: {}", replicas.unwrap_or(1)))
            }
            "StatefulSet" if replicas.unwrap_or(1) > 1 => {
                let parallel = v
                    .at(&["spec", "podManagementPolicy"])
                    .and_then(Value::as_str)
                    == Some("Parallel");
                if parallel {
                    return Some(format!(
                        "replicas: {} with podManagementPolicy: Parallel",
                        replicas.unwrap_or(1)
                    ));
                }
            }
            _ => {}
        }
        if let Some(max) = self.hpa_max(i) {
            return Some(format!(
                "a HorizontalPodAutoscaler scales it to {max} replicas"
            ));
        }
        let surge = v.at(&["spec", "strategy", "rollingUpdate", "maxSurge"]);
        if matches!(kind, "Deployment" | "Rollout")
            && matches!(surge, Some(Value::Int(n)) if *n > 1)
        {
            return Some("a rolling update surges more than one new pod".into());
        }
        None
    }

    /// The largest `maxReplicas` (above 1) of an HPA that targets document `i`.
    fn hpa_max(&self, i: usize) -> Option<i64> {
        (0..self.docs())
            .filter(|&h| {
                self.kind(h) == "HorizontalPodAutoscaler" && self.namespace(h) == self.namespace(i)
            })
            .filter_map(|h| self.values[h].as_ref())
            .filter(|v| {
                v.at(&["spec", "scaleTargetRef", "kind"])
                    .and_then(Value::as_str)
                    == Some(self.kind(i))
                    && v.at(&["spec", "scaleTargetRef", "name"])
                        .and_then(Value::as_str)
                        == Some(self.name(i))
            })
            .filter_map(|v| match v.at(&["spec", "maxReplicas"]) {
                Some(Value::Int(n)) if *n > 1 => Some(*n),
                _ => None,
            })
            .max()
    }

    /// The pre-phase migrations of the plan in namespace `ns`.
    pub fn pre_migrations(&self, ns: &str) -> impl Iterator<Item = &Migration> + '_ {
        let ns = ns.to_string();
        self.plan
            .migrations
            .iter()
            .filter(move |m| m.phase == Phase::Pre && m.namespace == ns)
    }

    /// Byte offset in document `i`'s text of the node at `path` (the key of a
    /// mapping entry; as deep as the path exists), or of the document's start.
    pub fn offset(&self, i: usize, path: &[Seg]) -> usize {
        let Ok(tree) = Tree::parse(self.index.stream.doc_text(i)) else {
            return 0;
        };
        locate(&tree, path).unwrap_or(0)
    }
}

/// The start of the node at `path` in `tree` (a key's own start for a map entry).
fn locate(tree: &Tree, path: &[Seg]) -> Option<usize> {
    let mut node = tree.root?;
    let mut at = tree.node(node).start;
    for seg in path {
        let id = match (&tree.node(node).kind, seg) {
            (NodeKind::Map { .. }, Seg::Key(k)) => {
                let Some((key, value)) = tree.entry(node, k) else {
                    break;
                };
                at = tree.nodes[key].start;
                node = value;
                continue;
            }
            (NodeKind::Seq { items, .. }, Seg::Index(n)) => match items.get(*n) {
                Some(id) => *id,
                None => break,
            },
            _ => break,
        };
        node = id;
        at = tree.node(node).start;
    }
    Some(at)
}
