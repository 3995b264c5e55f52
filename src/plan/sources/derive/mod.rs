//! A migration Job derived from a workload's pod template, for the Jobs that
//! extraction and generation create. The Job is the workload's own text, edited:
//! every value it keeps (a volume's `defaultMode: 0755`, env values, scheduling)
//! stays exactly as the chart wrote it.

use crate::detect::Match;
use crate::diag::Error;
use crate::index::HELM4_FILENAME;
use crate::k8s::engines::own;
use crate::path;
use crate::plan::context::{generated_marker, Context};
use crate::plan::gates::container::is_gate;
use crate::plan::model::Origin;
use crate::yaml::edit::{self, Edit, Seg};
use crate::yaml::value::Text;
use crate::yaml::{Tree, Value};

use fields::{CONTAINER_FIELDS_DROPPED, DROPPED_POD_ANNOTATIONS, POD_FIELDS_KEPT};
pub(crate) use mounts::{kept, mount_names, written_volumes};
use script::script_env;

mod fields;
mod labels;
mod mounts;
pub(crate) mod output;
mod script;

/// Which container of the workload becomes the migration.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
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
        /// Init containers the Job leaves out beyond detected migrations and gates
        /// (indexes): those extracted as Jobs of their own, the chart's wait gates.
        leave_out: Vec<usize>,
    },
}

/// A Job premigrate creates, before it is named and ordered like any other migration.
#[derive(Debug, Clone)]
pub(crate) struct NewJob {
    /// The Job as derived.
    pub(crate) job: Derived,
    /// Where it came from.
    pub(crate) origin: Origin,
    /// Why it is a migration.
    pub(crate) matched: Match,
    /// The workload document it is derived from.
    pub(crate) from: usize,
    /// Workload documents and init container indices it replaces (extraction).
    pub(crate) carriers: Vec<(usize, usize)>,
}

/// The init containers that run before init container `init` in the Job made
/// of it: the native sidecars started before it, and the earlier ones that
/// write a volume it mounts, which prepare what it reads (Gitea's `init-app-ini`
/// writes the `app.ini` its `gitea migrate` loads). One that only reads the
/// same ConfigMap or Secret prepares nothing (Flyte's `run-migrations` beside
/// its `seed-projects`: taken along, it would migrate twice). So do the earlier
/// ones that wait for a database: the Job waits as the pods did, where it
/// would otherwise spend its retries (OpenMetadata's `wait-for-mysql`). Gates
/// on a migration, the chart's or premigrate's, are not. `volumes`: the pod's.
pub(crate) fn preparers(inits: &[Value], volumes: &[Value], init: usize) -> Vec<usize> {
    let own = mount_names(&inits[init]);
    // One that prepares only claims (left out) would fail: Canvas's `chown -R`.
    let prepares = |c: &Value| {
        let written = written_volumes(c, volumes);
        !is_gate(c) && written.iter().any(|m| own.contains(m) && kept(volumes, m))
    };
    (0..init)
        .filter(|&j| is_sidecar(&inits[j]) || prepares(&inits[j]) || waits_for_data(inits, j))
        .collect()
}

/// Whether init container `j` waits for a database or another service, not
/// for a migration (a gate that names a Job or checks the migrations).
fn waits_for_data(inits: &[Value], j: usize) -> bool {
    let c = &inits[j];
    if is_gate(c) {
        return false;
    }
    let no_scripts = |_: &str| None;
    let waiter =
        crate::detect::classify_container(c, &no_scripts).kind == crate::detect::Kind::Waiter;
    let alone = Value::map([(
        "initContainers",
        Value::Seq([c.clone()].into_iter().collect()),
    )]);
    waiter && crate::plan::graph::chart_gates::find(&alone).is_empty()
}

/// What [`derive`](fn@derive) builds.
#[derive(Debug, Clone)]
pub(crate) struct Derived {
    /// The Job's text.
    pub(crate) text: String,
    /// Its syntax tree.
    pub(crate) tree: Tree,
    /// Its value.
    pub(crate) value: Value,
    /// Regular containers left out.
    pub(crate) dropped: Vec<String>,
    /// Mounts left out, as `container/volume (where it comes from)`.
    pub(crate) dropped_mounts: Vec<String>,
    /// Where the mounts left out were mounted (`mountPath`).
    pub(crate) dropped_paths: Vec<String>,
    /// Container fields and init containers left out, in words (generation).
    pub(crate) left_out: Vec<String>,
    /// The env variables the replaced command's shell script set before it
    /// ran the app (generation): the Job's command runs without them.
    pub(crate) script_env: Vec<String>,
}

/// Whether an init container is a native sidecar (it keeps running beside the app).
pub(crate) fn is_sidecar(c: &Value) -> bool {
    c.get("restartPolicy").and_then(Value::as_str) == Some("Always")
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
pub(crate) fn derive(
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
    let mut b = Builder::new(v, pod, ctx);
    b.identity(v, name, own_annotations);
    b.pod_metadata(doc, v);
    b.pod_fields(pod);
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    let (keep_init, running, dropped) = match shape {
        Shape::Extract { init } => b.extract(inits, *init),
        Shape::Generate {
            container,
            command,
            leave_out,
        } => b.generate(pod, *container, command, leave_out),
    };
    b.keep_items("initContainers", inits.len(), &keep_init);
    // `initContainers:` rendered empty goes too, as a list emptied does: the
    // Job is the same whether its workload had the key (a rerun: premigrate's
    // gate, dropped) or not, and a gate added later lands in one place.
    // So does `volumes:` (Jaeger's collector renders it empty): the gate's
    // token volume of a rerun, dropped, left none, and the Job moved the key.
    for list in ["initContainers", "volumes"] {
        if matches!(pod.get(list), Some(v) if v.items().is_empty() && !matches!(v, Value::Map(_))) {
            b.edits.push(Edit::Remove(pod_path(list)));
        }
    }
    b.volumes(pod, &running);

    let text = ctx.index.stream.doc_text(doc);
    let out = edit::apply(text, &ctx.index.tree(doc), &b.edits).map_err(|e| {
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
    let text = with_source_only(&out, ctx.index.entries[doc].info.source.as_deref());
    let internal = |m: String| {
        Error::at(
            ctx.index.location(doc),
            format!("internal error: the derived Job: {m}"),
        )
    };
    let tree = Tree::parse(&text).map_err(|e| internal(e.message))?;
    let value = match tree.root {
        Some(r) => tree.value(r).map_err(|e| internal(e.message))?,
        None => Value::Null,
    };
    Ok(Derived {
        text,
        tree,
        value,
        dropped,
        dropped_mounts: b.dropped_mounts,
        dropped_paths: b.dropped_paths,
        left_out: b.left_out,
        script_env: b.script_env,
    })
}

/// The workload's leading comments describe the workload; Helm's `# Source:` line
/// stays, because it says which template the Job's content comes from.
fn with_source_only(text: &str, source: Option<&str>) -> String {
    let body_start = text
        .split_inclusive('\n')
        .take_while(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---" || t.starts_with("--- #")
        })
        .map(str::len)
        .sum::<usize>();
    match source {
        Some(src) => format!("# Source: {src}\n{}", &text[body_start..]),
        None => text[body_start..].to_string(),
    }
}

/// Path of a pod spec field.
fn pod_path(k: &str) -> Vec<Seg> {
    path!["spec", "template", "spec", k]
}

/// The edits that turn a workload's document into a Job, gathered step by step.
struct Builder<'v> {
    edits: Vec<Edit>,
    /// Volumes the pod defines: a mount of anything else comes from a claim template.
    defined: Vec<&'v str>,
    /// The pod's volumes.
    volumes: &'v [Value],
    dropped_mounts: Vec<String>,
    dropped_paths: Vec<String>,
    left_out: Vec<String>,
    script_env: Vec<String>,
    /// What says an init container migrates (detection and the user's patterns).
    ctx: &'v Context<'v>,
}

impl<'v> Builder<'v> {
    fn new(workload: &'v Value, pod: &'v Value, ctx: &'v Context<'v>) -> Self {
        let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
        // A StatefulSet's claim template replaces a pod volume of its name
        // (Langflow's `data`: an emptyDir in values, the claim in the pods).
        let templates: Vec<&str> = (workload.at(&["spec", "volumeClaimTemplates"]))
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|t| t.at(&["metadata", "name"]).and_then(Value::as_str))
            .collect();
        // A claim is not mounted either: a ReadWriteOnce claim the gated pods
        // hold keeps a Job on another node from ever starting, and a claim of
        // the release is applied after the Job's Argo CD wave (NetBox's media).
        let defined = volumes
            .iter()
            .filter_map(|vol| vol.get("name").and_then(Value::as_str))
            .filter(|name| kept(volumes, name) && !templates.contains(name))
            .collect();
        Builder {
            edits: vec![],
            defined,
            volumes,
            dropped_mounts: vec![],
            dropped_paths: vec![],
            left_out: vec![],
            script_env: vec![],
            ctx,
        }
    }

    /// The Job's annotations: premigrate's own, and Helm 4's filename of the workload.
    fn annotations(&mut self, v: &Value, own_annotations: &[(&str, String)]) {
        // The workload's annotations describe the workload (rollout hints, engine rules);
        // only Helm 4's filename travels: an added document gets the one of the document it derives from.
        let current = v
            .at(&["metadata", "annotations"])
            .map(Value::entries)
            .unwrap_or(&[]);
        if current.is_empty() {
            // One edit for the whole map: keys set one by one into an empty flow
            // map (`annotations: {}`) made invalid YAML.
            let own: Vec<(Text, Value)> = own_annotations
                .iter()
                .map(|(k, val)| ((*k).into(), Value::str(val)))
                .collect();
            self.edits.push(Edit::Set(
                path!["metadata", "annotations"],
                Value::Map(own.into()),
            ));
            return;
        }
        for (k, _) in current {
            if k != HELM4_FILENAME {
                self.edits
                    .push(Edit::Remove(path!["metadata", "annotations", k]));
            }
        }
        for (k, val) in own_annotations {
            self.edits.push(Edit::Set(
                path!["metadata", "annotations", *k],
                Value::str(val),
            ));
        }
    }

    /// Kind, name, metadata and spec keys of a Job.
    fn identity(&mut self, v: &Value, name: &str, own_annotations: &[(&str, String)]) {
        self.edits.extend([
            Edit::Set(path!["apiVersion"], Value::str("batch/v1")),
            Edit::Set(path!["kind"], Value::str("Job")),
            Edit::Set(path!["metadata", "name"], Value::str(name)),
        ]);
        for (k, _) in v.get("metadata").map(Value::entries).unwrap_or(&[]) {
            if !matches!(k.as_str(), "name" | "namespace" | "labels" | "annotations") {
                self.edits.push(Edit::Remove(path!["metadata", k]));
            }
        }
        self.annotations(v, own_annotations);
        for (k, _) in v.get("spec").map(Value::entries).unwrap_or(&[]) {
            if k != "template" {
                self.edits.push(Edit::Remove(path!["spec", k]));
            }
        }
    }

    /// The pod template's metadata a migration pod keeps: not the labels the
    /// app's pods are selected by (see `labels`), nor the `checksum/*` annotations that
    /// roll the app when its config or Secrets change: the Job's hash covers
    /// its ConfigMaps, and leaves Secrets out on purpose (Immich's random
    /// Valkey password renamed the Job, and reran the migration, on every
    /// render); nor kubectl's default container, the app's (Sourcegraph's
    /// `frontend` in a Job whose one container is `migrator`).
    fn pod_metadata(&mut self, doc: usize, v: &Value) {
        let Some(meta) = v.at(&["spec", "template", "metadata"]) else {
            return;
        };
        let labels = meta.get("labels").map(Value::entries).unwrap_or(&[]);
        let annotations = meta.get("annotations").map(Value::entries).unwrap_or(&[]);
        let drop_labels = labels::selected(self.ctx, (doc, v), labels);
        let drop_annotations: Vec<&Text> = annotations
            .iter()
            .filter(|(k, _)| {
                k.starts_with("checksum/") || DROPPED_POD_ANNOTATIONS.contains(&k.as_str())
            })
            .map(|(k, _)| k)
            .collect();
        let all = |drop: &[&Text], of: &[(Text, Value)]| !of.is_empty() && drop.len() == of.len();
        let gone = [
            ("labels", &drop_labels, labels),
            ("annotations", &drop_annotations, annotations),
        ];
        let emptied = gone.iter().filter(|(_, d, of)| all(d, of)).count();
        if emptied > 0 && emptied == meta.entries().len() {
            // No `metadata: {}` left behind.
            self.edits
                .push(Edit::Remove(path!["spec", "template", "metadata"]));
            return;
        }
        for (key, drop, of) in gone {
            if all(drop, of) {
                self.edits
                    .push(Edit::Remove(path!["spec", "template", "metadata", key]));
                continue;
            }
            for k in drop {
                self.edits
                    .push(Edit::Remove(path!["spec", "template", "metadata", key, *k]));
            }
        }
    }

    fn pod_fields(&mut self, pod: &Value) {
        for (k, _) in pod.entries() {
            if !POD_FIELDS_KEPT.contains(&k.as_str()) {
                self.edits.push(Edit::Remove(pod_path(k)));
            }
        }
        self.pod_affinity(pod);
    }

    /// Where the Job may run: the workload's node affinity, not its pod
    /// (anti-)affinity, which places replicas against each other. Keycloak.X
    /// keeps its pods off each other's nodes (required anti-affinity on the
    /// app's labels): a Job with it could not start beside an app pod, and on
    /// an upgrade the gated pods would wait for a Job that never runs.
    fn pod_affinity(&mut self, pod: &Value) {
        let Some(affinity) = pod.get("affinity") else {
            return;
        };
        let mut p = pod_path("affinity");
        let between_pods = ["podAffinity", "podAntiAffinity"];
        let dropped: Vec<&str> = (affinity.entries().iter())
            .map(|(k, _)| k.as_str())
            .filter(|k| between_pods.contains(k))
            .collect();
        if !dropped.is_empty() && dropped.len() == affinity.entries().len() {
            return self.edits.push(Edit::Remove(p));
        }
        for k in dropped {
            p.push(Seg::Key(k.to_string()));
            self.edits.push(Edit::Remove(p.clone()));
            p.pop();
        }
    }

    /// The init container runs alone, after the native sidecars and the init
    /// containers that prepare its volumes.
    /// Returns the init containers kept and the containers that run.
    fn extract<'a>(
        &mut self,
        inits: &'a [Value],
        init: usize,
    ) -> (Vec<usize>, Vec<&'a Value>, Vec<String>) {
        let sidecars = preparers(inits, self.volumes, init);
        let mut job_container = inits[init].clone();
        // An init container's own restart policy (SpiceDB's chart writes
        // `OnFailure`, which only `Always` may be) means another thing on a
        // Job's container: restarting a failed migration in place.
        job_container.remove("restartPolicy");
        job_container.remove("restartPolicyRules");
        let bad = self.undefined_mounts(&job_container);
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
                job_container.set("volumeMounts", Value::Seq(kept.into()));
            }
        }
        for &j in &sidecars {
            let mut p = pod_path("initContainers");
            p.push(Seg::Index(j));
            self.drop_undefined_mounts(&p, &inits[j]);
        }
        self.edits.push(Edit::Set(
            pod_path("containers"),
            Value::Seq(vec![job_container].into()),
        ));
        let mut run: Vec<&Value> = sidecars.iter().map(|&j| &inits[j]).collect();
        run.push(&inits[init]);
        (sidecars, run, vec![])
    }

    /// Container `container` runs `command`; the other regular containers go.
    /// Returns the init containers kept, the containers that run, and those dropped.
    fn generate<'a>(
        &mut self,
        pod: &'a Value,
        container: usize,
        command: &[String],
        extracted: &[usize],
    ) -> (Vec<usize>, Vec<&'a Value>, Vec<String>) {
        let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
        let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
        self.keep_items("containers", containers.len(), &[container]);
        let ctx = self.ctx;
        self.script_env = script_env(&containers[container], &|p| ctx.sources.file(pod, p));
        let mut cpath = pod_path("containers");
        cpath.push(Seg::Index(container));
        for k in CONTAINER_FIELDS_DROPPED {
            if containers[container].get(k).is_some() {
                self.left_out.push(k.to_string());
                let mut p = cpath.clone();
                p.push(Seg::Key(k.to_string()));
                self.edits.push(Edit::Remove(p));
            }
        }
        self.drop_undefined_mounts(&cpath, &containers[container]);
        cpath.push(Seg::Key("command".into()));
        self.edits.push(Edit::Set(
            cpath,
            Value::Seq(command.iter().map(Value::str).collect()),
        ));
        // Native sidecars and plain init containers stay; migrations (detected or
        // extracted as Jobs of their own) and gates go.
        // So does one that mounts only claims the Job leaves out: it would work
        // on nothing (Open WebUI's `copy-app-data`, seeding the app's claim).
        let defined = self.defined.clone();
        let on_claims_only = |c: &Value| {
            let mounts = mount_names(c);
            !mounts.is_empty() && mounts.iter().all(|m| !defined.contains(m))
        };
        let keep: Vec<usize> = (0..inits.len())
            .filter(|&j| {
                !is_gate(&inits[j])
                    && !extracted.contains(&j)
                    && !on_claims_only(&inits[j])
                    && (is_sidecar(&inits[j]) || self.ctx.container_match(&inits[j], pod).is_none())
            })
            .collect();
        for &j in &keep {
            let mut p = pod_path("initContainers");
            p.push(Seg::Index(j));
            self.drop_undefined_mounts(&p, &inits[j]);
        }
        for (j, n) in names(inits).iter().enumerate() {
            if keep.contains(&j) || is_gate(&inits[j]) {
                continue;
            }
            let why = match !extracted.contains(&j) && on_claims_only(&inits[j]) {
                true => "it mounts only claims the Job leaves out",
                false => "a migration itself",
            };
            self.left_out.push(format!("init container {n} ({why})"));
        }
        let mut run: Vec<&Value> = keep.iter().map(|&j| &inits[j]).collect();
        run.push(&containers[container]);
        let mut dropped = names(containers);
        dropped.remove(container);
        (keep, run, dropped)
    }

    /// Keeps items `keep` of the pod list `list` (of `len` items): the others are
    /// removed, the whole key when none stays.
    fn keep_items(&mut self, list: &str, len: usize, keep: &[usize]) {
        if len == 0 {
            return;
        }
        if keep.is_empty() {
            self.edits.push(Edit::Remove(pod_path(list)));
            return;
        }
        for j in (0..len).rev() {
            if !keep.contains(&j) {
                self.edits.push(Edit::RemoveItem(pod_path(list), j));
            }
        }
    }
}

/// `own` annotations every derived Job carries, so a second run recognises it.
pub(crate) fn marks(from: &str, generated: bool) -> Vec<(&'static str, String)> {
    let mut v = vec![
        (own::MIGRATION, "true".to_string()),
        (own::DERIVED_FROM, from.to_string()),
    ];
    if generated {
        v.push((own::GENERATED, generated_marker("Job", from)));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::preparers;

    fn value(yaml: &str) -> crate::yaml::Value {
        crate::plan::graph::roles::lenient(yaml).expect("the test's YAML reads")
    }

    /// Gitea's `init-app-ini` writes the emptyDir `gitea migrate` reads: taken
    /// along. Flyte's `run-migrations` only reads the ConfigMap and Secret
    /// `seed-projects` reads too: not taken along (it would migrate twice), and
    /// neither is a container that mounts a shared emptyDir `readOnly`.
    #[test]
    fn preparers_write_what_the_container_reads() {
        let pod = value(
            "
initContainers:
  - name: run-migrations
    volumeMounts: [{name: config, mountPath: /etc/cfg}, {name: secret, mountPath: /etc/s}]
  - name: write-ini
    volumeMounts: [{name: work, mountPath: /work}]
  - name: read-only
    volumeMounts: [{name: work, mountPath: /work, readOnly: true}]
  - name: seed
    volumeMounts: [{name: config, mountPath: /etc/cfg}, {name: work, mountPath: /work}]
volumes:
  - {name: config, configMap: {name: cfg}}
  - {name: secret, secret: {secretName: db}}
  - {name: work, emptyDir: {}}
",
        );
        let inits = pod.get("initContainers").unwrap().items();
        let volumes = pod.get("volumes").unwrap().items();
        assert_eq!(preparers(inits, volumes, 3), vec![1]);
    }
}
