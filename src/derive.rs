//! A migration Job derived from a workload's pod template, for the Jobs that
//! extraction and generation create. The Job is the workload's own text, edited:
//! every value it keeps (a volume's `defaultMode: 0755`, env values, scheduling)
//! stays exactly as the chart wrote it.

use crate::detect::migration_command;
use crate::detect::Match;
use crate::diag::Error;
use crate::engines::own;
use crate::gates::GATE_NAME;
use crate::index::HELM4_FILENAME;
use crate::migrations::Context;
use crate::path;
use crate::plan::Origin;
use crate::yaml::edit::{self, Edit, Seg};
use crate::yaml::{Tree, Value};

/// Workload kinds a Job can be derived from: their pod template sits at
/// `spec.template`, where a Job keeps its own.
pub const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
];

/// Pod spec fields the Job keeps: what the container needs to reach the database
/// and to be scheduled like the app. Everything else (e.g. hostname, subdomain,
/// topology spread, termination grace) belongs to the long-running workload.
const POD_FIELDS_KEPT: &[&str] = &[
    "containers",
    "initContainers",
    "volumes",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "imagePullSecrets",
    "nodeSelector",
    "affinity",
    "tolerations",
    "priorityClassName",
    "securityContext",
    "dnsPolicy",
    "dnsConfig",
    "hostAliases",
    "runtimeClassName",
    "enableServiceLinks",
    "schedulerName",
    "restartPolicy",
];

/// Container fields a generated Job drops: a run-to-completion container serves nothing.
const CONTAINER_FIELDS_DROPPED: &[&str] = &[
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "ports",
    "lifecycle",
    "args",
];

/// Which container of the workload becomes the migration.
#[derive(Debug, Clone)]
pub enum Shape {
    /// Init container `init` runs alone (with the native sidecars started before it).
    Extract {
        /// Its index in `initContainers`.
        init: usize,
    },
    /// Regular container `container` runs `command`.
    Generate {
        /// Its index in `containers`.
        container: usize,
        /// The argv.
        command: Vec<String>,
    },
}

/// A Job premigrate creates, before it is named and ordered like any other migration.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The Job's text.
    pub text: String,
    /// Its syntax tree.
    pub tree: Tree,
    /// Its value.
    pub value: Value,
    /// Where it came from.
    pub origin: Origin,
    /// Why it is a migration.
    pub matched: Match,
    /// The workload document it is derived from.
    pub from: usize,
    /// Workload documents and init container indices it replaces (extraction).
    pub carriers: Vec<(usize, usize)>,
    /// Names of regular containers left out (generation).
    pub dropped: Vec<String>,
    /// Volume mounts left out: `container/volume` for volumes the pod spec does not
    /// define (a StatefulSet's volumeClaimTemplates), which a Job cannot mount.
    pub dropped_mounts: Vec<String>,
    /// Container fields and init containers left out, in words (generation).
    pub left_out: Vec<String>,
}

/// What [`derive`] builds.
pub struct Derived {
    /// The Job's text.
    pub text: String,
    /// Its syntax tree.
    pub tree: Tree,
    /// Its value.
    pub value: Value,
    /// Regular containers left out.
    pub dropped: Vec<String>,
    /// Mounts left out, as `container/volume`.
    pub dropped_mounts: Vec<String>,
    /// Container fields and init containers left out, in words (generation).
    pub left_out: Vec<String>,
}

/// Whether an init container is a native sidecar (it keeps running beside the app).
pub fn is_sidecar(c: &Value) -> bool {
    c.get("restartPolicy").and_then(Value::as_str) == Some("Always")
}

/// Whether an init container is one of premigrate's gates.
pub fn is_gate(c: &Value) -> bool {
    c.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.starts_with(GATE_NAME))
}

fn names(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|c| {
            c.get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

/// Builds the Job text for `shape` from workload `doc`, named `name`.
pub fn derive(
    ctx: &Context<'_>,
    doc: usize,
    name: &str,
    shape: &Shape,
    own_annotations: &[(&str, String)],
) -> Result<Derived, Error> {
    let parsed = ctx.index.entries[doc]
        .parsed
        .as_ref()
        .expect("workloads are parsed");
    let v = &parsed.value;
    let pod = v
        .at(&["spec", "template", "spec"])
        .expect("callers check the pod template");
    let mut edits = vec![
        Edit::Set(path!["apiVersion"], Value::str("batch/v1")),
        Edit::Set(path!["kind"], Value::str("Job")),
        Edit::Set(path!["metadata", "name"], Value::str(name)),
    ];
    for (k, _) in v.get("metadata").map(Value::entries).unwrap_or(&[]) {
        if !matches!(k.as_str(), "name" | "namespace" | "labels" | "annotations") {
            edits.push(Edit::Remove(path!["metadata", k]));
        }
    }
    // The workload's annotations describe the workload (rollout hints, engine rules);
    // only Helm 4's filename travels, as DESIGN.md asks of derived documents.
    for (k, _) in v
        .at(&["metadata", "annotations"])
        .map(Value::entries)
        .unwrap_or(&[])
    {
        if k != HELM4_FILENAME {
            edits.push(Edit::Remove(path!["metadata", "annotations", k]));
        }
    }
    for (k, val) in own_annotations {
        edits.push(Edit::Set(
            path!["metadata", "annotations", *k],
            Value::str(val),
        ));
    }
    for (k, _) in v.get("spec").map(Value::entries).unwrap_or(&[]) {
        if k != "template" {
            edits.push(Edit::Remove(path!["spec", k]));
        }
    }
    // The labels the workload selects its pods by stay off the migration pod, so
    // the app's Services, PodDisruptionBudgets and ReplicaSets do not count it.
    let selector = v.at(&["spec", "selector", "matchLabels"]);
    let labels = v.at(&["spec", "template", "metadata", "labels"]);
    if let (Some(sel), Some(labels)) = (selector, labels) {
        let drop: Vec<&String> = labels
            .entries()
            .iter()
            .filter(|(k, val)| sel.get(k) == Some(val))
            .map(|(k, _)| k)
            .collect();
        let meta_keys = v
            .at(&["spec", "template", "metadata"])
            .map_or(0, |m| m.entries().len());
        if !drop.is_empty() && drop.len() == labels.entries().len() {
            // No `metadata: {}` left behind when labels were all there was.
            edits.push(if meta_keys == 1 {
                Edit::Remove(path!["spec", "template", "metadata"])
            } else {
                Edit::Remove(path!["spec", "template", "metadata", "labels"])
            });
        } else {
            for k in drop {
                edits.push(Edit::Remove(path![
                    "spec", "template", "metadata", "labels", k
                ]));
            }
        }
    }
    let base = path!["spec", "template", "spec"];
    let at = |k: &str| {
        let mut p = base.clone();
        p.push(Seg::Key(k.to_string()));
        p
    };
    for (k, _) in pod.entries() {
        if !POD_FIELDS_KEPT.contains(&k.as_str()) {
            edits.push(Edit::Remove(at(k)));
        }
    }
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    let defined: Vec<&str> = volumes
        .iter()
        .filter_map(|vol| vol.get("name").and_then(Value::as_str))
        .collect();
    let mut dropped_mounts: Vec<String> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    // Mounts of volumes the pod does not define (claim templates), by index, noted as dropped.
    let undefined_mounts = |c: &Value, noted: &mut Vec<String>| -> Vec<usize> {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
        let list = c.get("volumeMounts").map(Value::items).unwrap_or(&[]);
        let mut out = Vec::new();
        for (k, m) in list.iter().enumerate() {
            let vname = m.get("name").and_then(Value::as_str).unwrap_or("");
            if !defined.contains(&vname) {
                noted.push(format!("{cname}/{vname}"));
                out.push(k);
            }
        }
        out
    };
    let drop_mounts = |edits: &mut Vec<Edit>, noted: &mut Vec<String>, cpath: &[Seg], c: &Value| {
        let bad = undefined_mounts(c, noted);
        let n = c.get("volumeMounts").map_or(0, |l| l.items().len());
        let mut p = cpath.to_vec();
        p.push(Seg::Key("volumeMounts".into()));
        if !bad.is_empty() && bad.len() == n {
            edits.push(Edit::Remove(p));
        } else {
            for &k in bad.iter().rev() {
                edits.push(Edit::RemoveItem(p.clone(), k));
            }
        }
    };
    // Which init containers stay, and which containers run.
    let (keep_init, running, dropped): (Vec<usize>, Vec<&Value>, Vec<String>) = match shape {
        Shape::Extract { init } => {
            let sidecars: Vec<usize> = (0..*init).filter(|&j| is_sidecar(&inits[j])).collect();
            let mut job_container = inits[*init].clone();
            let bad = undefined_mounts(&job_container, &mut dropped_mounts);
            if let Some(Value::Seq(list)) = job_container.get("volumeMounts").cloned() {
                let kept: Vec<Value> = list
                    .into_iter()
                    .enumerate()
                    .filter(|(k, _)| !bad.contains(k))
                    .map(|(_, m)| m)
                    .collect();
                if kept.is_empty() {
                    job_container.remove("volumeMounts");
                } else {
                    job_container.set("volumeMounts", Value::Seq(kept));
                }
            }
            for &j in &sidecars {
                let mut p = at("initContainers");
                p.push(Seg::Index(j));
                drop_mounts(&mut edits, &mut dropped_mounts, &p, &inits[j]);
            }
            edits.push(Edit::Set(at("containers"), Value::Seq(vec![job_container])));
            let mut run: Vec<&Value> = sidecars.iter().map(|&j| &inits[j]).collect();
            run.push(&inits[*init]);
            (sidecars, run, vec![])
        }
        Shape::Generate { container, command } => {
            let mut cpath = at("containers");
            for (j, _) in containers.iter().enumerate().rev() {
                if j != *container {
                    edits.push(Edit::RemoveItem(cpath.clone(), j));
                }
            }
            cpath.push(Seg::Index(*container));
            for k in CONTAINER_FIELDS_DROPPED {
                if containers[*container].get(k).is_some() {
                    left_out.push(k.to_string());
                    let mut p = cpath.clone();
                    p.push(Seg::Key(k.to_string()));
                    edits.push(Edit::Remove(p));
                }
            }
            drop_mounts(
                &mut edits,
                &mut dropped_mounts,
                &cpath,
                &containers[*container],
            );
            let mut p = cpath.clone();
            p.push(Seg::Key("command".into()));
            edits.push(Edit::Set(
                p,
                Value::Seq(command.iter().map(Value::str).collect()),
            ));
            let keep: Vec<usize> = (0..inits.len())
                .filter(|&j| {
                    !is_gate(&inits[j])
                        && (is_sidecar(&inits[j]) || migration_command(&inits[j]).is_none())
                })
                .collect();
            for &j in &keep {
                let mut p = at("initContainers");
                p.push(Seg::Index(j));
                drop_mounts(&mut edits, &mut dropped_mounts, &p, &inits[j]);
            }
            let all = names(inits);
            for (j, n) in all.iter().enumerate() {
                if !keep.contains(&j) && !is_gate(&inits[j]) {
                    left_out.push(format!("init container {n} (a migration itself)"));
                }
            }
            let mut run: Vec<&Value> = keep.iter().map(|&j| &inits[j]).collect();
            run.push(&containers[*container]);
            let mut dropped = names(containers);
            dropped.remove(*container);
            (keep, run, dropped)
        }
    };
    if !inits.is_empty() {
        if keep_init.is_empty() {
            edits.push(Edit::Remove(at("initContainers")));
        } else {
            for j in (0..inits.len()).rev() {
                if !keep_init.contains(&j) {
                    edits.push(Edit::RemoveItem(at("initContainers"), j));
                }
            }
        }
    }
    // Only the volumes the remaining containers mount.
    let mounted: Vec<&str> = running
        .iter()
        .flat_map(|c| {
            ["volumeMounts", "volumeDevices"]
                .iter()
                .flat_map(|k| c.get(k).map(Value::items).unwrap_or(&[]))
        })
        .filter_map(|m| m.get("name").and_then(Value::as_str))
        .collect();
    if !volumes.is_empty() {
        let keep: Vec<bool> = volumes
            .iter()
            .map(|vol| {
                vol.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| mounted.contains(&n))
            })
            .collect();
        if !keep.contains(&true) {
            edits.push(Edit::Remove(at("volumes")));
        } else {
            for (j, k) in keep.iter().enumerate().rev() {
                if !k {
                    edits.push(Edit::RemoveItem(at("volumes"), j));
                }
            }
        }
    }
    let text = ctx.index.stream.doc_text(doc);
    let out = edit::apply(text, &parsed.tree, &edits).map_err(|e| {
        let loc = match e.offset {
            Some(o) => ctx.index.location_at(doc, o),
            None => ctx.index.location(doc),
        };
        Error::at(
            loc,
            format!("cannot build a migration Job from this workload: {}", e.message),
        )
        .help("simplify the YAML at that spot (no aliases there), or keep the migration where it is with --keep-init")
    })?;
    // The workload's leading comments describe the workload; Helm's `# Source:` line
    // stays, because it says which template the Job's content comes from.
    let body_start = out
        .split_inclusive('\n')
        .take_while(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---" || t.starts_with("--- #")
        })
        .map(str::len)
        .sum::<usize>();
    let out = match &ctx.index.entries[doc].info.source {
        Some(src) => format!("# Source: {src}\n{}", &out[body_start..]),
        None => out[body_start..].to_string(),
    };
    let tree = Tree::parse(&out).map_err(|e| {
        Error::at(
            ctx.index.location(doc),
            format!(
                "internal error: the derived Job does not parse: {}",
                e.message
            ),
        )
    })?;
    let value = match tree.root {
        Some(r) => tree.value(r).map_err(|e| {
            Error::at(
                ctx.index.location(doc),
                format!("internal error: {}", e.message),
            )
        })?,
        None => Value::Null,
    };
    Ok(Derived {
        text: out,
        tree,
        value,
        dropped,
        dropped_mounts,
        left_out,
    })
}

/// `own` annotations every derived Job carries, so a second run recognises it.
pub fn marks(from: &str, generated: bool) -> Vec<(&'static str, String)> {
    let mut v = vec![
        (own::MIGRATION, "true".to_string()),
        (own::DERIVED_FROM, from.to_string()),
    ];
    if generated {
        v.push((own::GENERATED, "true".to_string()));
    }
    v
}
