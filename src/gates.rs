//! Wait gates: under `gitops`, workloads that use the migrated database get a
//! first init container (after the pod's leading native sidecars) that waits for
//! the hashed Job, with least-privilege RBAC. A rerun over the output moves gates
//! to changed Jobs and removes those no longer wanted.

use std::collections::BTreeMap;

use crate::config::{GateMode, GateStyle, Target};
use crate::diag::Error;
use crate::engines::{self, own, Role};
use crate::k8s;
use crate::migrations::{annotation, ensure_separator, fill, namespace, set_annotation, Context};
use crate::plan::{Added, Gate, Migration, Origin, Phase, Plan, Severity};
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

/// Whether gates under `hooks` wait for the Job object (not a `check` style): then
/// the Job must not be deleted on success, or they wait for ever.
pub fn hooks_gates_wait(cfg: &crate::config::Config) -> bool {
    !matches!(cfg.gate, GateMode::Auto | GateMode::None) && cfg.gate_style != GateStyle::Check
}

/// The default image of the `k8s-wait-for` style.
pub const K8S_WAIT_FOR_IMAGE: &str = "groundnuty/k8s-wait-for:v2.0";
/// The default image of the `kubectl` style.
pub const KUBECTL_IMAGE: &str = "registry.k8s.io/kubectl:v1.34.0";
/// Name of gate init containers (a suffix is added when a workload waits for several Jobs).
pub const GATE_NAME: &str = "premigrate-wait";
/// Projected token volume for pods that do not mount their service account token.
pub const TOKEN_VOLUME: &str = "premigrate-wait-token";
/// Seconds a `check` gate retries before giving up (the pod then restarts it).
pub const CHECK_DEADLINE: u64 = 3600;

/// Plans gates and their RBAC.
pub fn plan(ctx: &Context<'_>, plan: &mut Plan) -> Result<(), Error> {
    let explicit = ctx.cfg.gate != GateMode::Auto;
    // Without gating, workloads are still visited: gates left by an earlier run go.
    let gating = !(ctx.target == Target::Hooks && !explicit || ctx.cfg.gate == GateMode::None);
    if ctx.target == Target::Hooks && gating {
        plan.note(Severity::Warning, "PM201", None, if hooks_gates_wait(ctx.cfg) {
            "gates were asked for with --target hooks: Helm already waits for hook Jobs; the Job's delete policy is before-hook-creation only, so it outlives its success and the gates can see it complete"
        } else {
            "gates were asked for with --target hooks: Helm already waits for hook Jobs"
        });
    }
    let migrations: Vec<Migration> = plan
        .migrations
        .iter()
        .filter(|m| m.phase == Phase::Pre)
        .cloned()
        .collect();
    // A Job premigrate built derives from a workload, which stays a workload.
    let mig_docs: Vec<usize> = plan
        .migrations
        .iter()
        .filter(|m| m.origin == Origin::Job)
        .map(|m| m.doc)
        .collect();
    let workloads: Vec<usize> = (0..ctx.index.entries.len())
        .filter(|&i| {
            k8s::pod_spec_path(ctx.kind(i)).is_some()
                && !mig_docs.contains(&i)
                && !ctx.generated.contains(&i)
        })
        .filter(|&i| {
            ctx.value(i)
                .is_some_and(|v| annotation(v, engines::HELM_HOOK).is_none())
        })
        .collect();

    // Which migrations each workload waits for, and why.
    let mut waits: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new();
    for (k, m) in migrations.iter().enumerate().filter(|_| gating) {
        let job_pod = Some(&m.pod);
        let job_refs = job_pod.map(data_refs).unwrap_or_default();
        let job_images = job_pod.map(k8s::pod_images).unwrap_or_default();
        let mut chosen = Vec::new();
        let same_ns: Vec<usize> = workloads
            .iter()
            .copied()
            .filter(|&w| ctx.value(w).map(namespace).as_deref() == Some(m.namespace.as_str()))
            .collect();
        for &w in &same_ns {
            let v = ctx.value(w).expect("workloads are parsed");
            if annotation(v, own::GATE) == Some("false") {
                continue;
            }
            if let Some(list) = annotation(v, own::WAIT_FOR) {
                if list
                    .split(',')
                    .map(str::trim)
                    .any(|n| n == m.original_name || n == m.name)
                {
                    chosen.push((
                        w,
                        format!("its {} annotation names {}", own::WAIT_FOR, m.original_name),
                    ));
                }
                continue;
            }
            let pod = k8s::pod_spec_path(ctx.kind(w)).and_then(|p| k8s::at(v, &p));
            let Some(pod) = pod else { continue };
            let why = match &ctx.cfg.gate {
                GateMode::All => Some("--gate all".to_string()),
                GateMode::List(list) => list
                    .iter()
                    .any(|(kk, nn)| {
                        kk.eq_ignore_ascii_case(ctx.kind(w))
                            && Some(nn.as_str()) == ctx.index.entries[w].info.name.as_deref()
                    })
                    .then(|| "named by --gate".to_string()),
                GateMode::None => None,
                GateMode::Auto if m.carriers.contains(&w) => Some(match m.origin {
                    Origin::Generated { .. } => "the migration was generated from it".to_string(),
                    _ => "it ran this migration as an init container".to_string(),
                }),
                GateMode::Auto => {
                    let refs = data_refs(pod);
                    let images = k8s::pod_images(pod);
                    if let Some((rk, n)) = job_refs.iter().find(|r| refs.contains(r)) {
                        Some(format!("shares {}/{n} with the migration", rk.kind()))
                    } else {
                        images
                            .iter()
                            .find(|i| job_images.contains(i))
                            .map(|i| format!("runs the migration's image repository {i}"))
                    }
                }
            };
            if let Some(why) = why {
                chosen.push((w, why));
            }
        }
        if same_ns.is_empty() && matches!(ctx.cfg.gate, GateMode::Auto | GateMode::All) {
            let mut others: Vec<String> = workloads
                .iter()
                .map(|&w| ctx.value(w).map(namespace).unwrap_or_default())
                .map(|ns| {
                    if ns.is_empty() {
                        "the release namespace (none set)".into()
                    } else {
                        ns
                    }
                })
                .collect();
            others.sort();
            others.dedup();
            if !others.is_empty() {
                plan.note(Severity::Warning, "PM206", Some(m.doc), format!(
                    "Job/{}: no workload is in its namespace ({}), so none waits for it; the workloads are in {}: give the Job and the workloads that use its database the same metadata.namespace",
                    m.original_name,
                    if m.namespace.is_empty() { "the release namespace: none set" } else { &m.namespace },
                    others.join(", ")
                ));
            }
        }
        if chosen.is_empty() && ctx.cfg.gate == GateMode::Auto {
            let fallback: Vec<usize> = same_ns
                .iter()
                .copied()
                .filter(|&w| {
                    ctx.value(w).is_some_and(|v| {
                        annotation(v, own::GATE) != Some("false")
                            && annotation(v, own::WAIT_FOR).is_none()
                    })
                })
                .collect();
            if !fallback.is_empty() {
                plan.note(Severity::Warning, "PM202", Some(m.doc), format!(
                    "Job/{}: no workload shares a Secret, ConfigMap or image with the migration; every workload of its namespace waits for it (name them with --gate KIND/NAME or premigrate.io/wait-for)",
                    m.original_name
                ));
            }
            chosen = fallback.into_iter().map(|w| (w, "no workload shares anything with the migration: all workloads of the namespace wait".to_string())).collect();
        }
        for (w, why) in chosen {
            waits.entry(w).or_default().push((k, why));
        }
    }
    check_names(ctx, plan, &workloads, &migrations, gating);

    // Gate containers, per workload.
    let mut bindings: BTreeMap<usize, Vec<(usize, String)>> = BTreeMap::new(); // migration → (workload, service account)
    for &w in &workloads {
        let v = ctx.value(w).expect("workloads are parsed");
        let pod_path = k8s::pod_spec_path(ctx.kind(w)).expect("a workload");
        // A workload without a pod spec (e.g. a bare Pod with no spec) has nothing to gate.
        let Some(pod) = k8s::at(v, &pod_path) else {
            continue;
        };
        let Some(list) = waits.get(&w) else {
            // Not gated (any more): drop what an earlier run added.
            plan_init(plan, w, &pod_path, pod, &[], &[]);
            plan_token(plan, w, &pod_path, pod, false);
            drop_own_rules(plan, w, v, &[]);
            continue;
        };
        let several = list.len() > 1;
        let no_token = mounts_no_token(ctx, v, pod);
        let mut gates = Vec::new();
        for (k, _) in list {
            let m = &migrations[*k];
            let name = if several {
                container_name(&m.original_name)
            } else {
                GATE_NAME.to_string()
            };
            gates.push(gate_container(ctx, &name, m, pod, no_token)?);
            if ctx.cfg.gate_style != GateStyle::Check {
                bindings
                    .entry(*k)
                    .or_default()
                    .push((w, k8s::service_account(pod)));
            }
        }
        let jobs: Vec<String> = list
            .iter()
            .map(|(k, _)| migrations[*k].name.clone())
            .collect();
        let names: Vec<&str> = jobs.iter().map(String::as_str).collect();
        plan_init(plan, w, &pod_path, pod, &gates, &names);
        plan_token(
            plan,
            w,
            &pod_path,
            pod,
            no_token && ctx.cfg.gate_style != GateStyle::Check,
        );
        // One kapp rule per migration waited for, each under its own suffixed key.
        let mut wanted: Vec<String> = Vec::new();
        if ctx.target == Target::Gitops {
            for (k, _) in list {
                let original = &migrations[*k].original_name;
                for row in engines::rows(Role::GitopsWorkload) {
                    let key = engines::per_migration_key(row.2, original);
                    let value = fill(row.3, "", 0, 0, original);
                    set_annotation(
                        plan,
                        v,
                        w,
                        &key,
                        &value,
                        "kapp applies it after the migration",
                    );
                    wanted.push(key);
                }
            }
        }
        drop_own_rules(plan, w, v, &wanted);
        // With several Jobs, each reason says which Job it is for.
        let why = list
            .iter()
            .map(|(k, why)| match several {
                true => format!("{}: {why}", migrations[*k].original_name),
                false => why.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        if matches!(ctx.kind(w), "Job" | "Pod") {
            plan.note(Severity::Warning, "PM207", Some(w), format!(
                "{}: its pod spec cannot be changed once created, and its gate changes with every new migration: applying it then fails as immutable unless it is recreated (a name that changes per release, kustomize.toolkit.fluxcd.io/force: Enabled, Argo CD Replace=true), or mark it premigrate.io/gate: \"false\"",
                ctx.object(w)
            ));
        }
        plan.gates.push(Gate {
            doc: w,
            workload: ctx.object(w),
            jobs,
            why,
        });
    }

    // RBAC: one Role and one RoleBinding per migration.
    for (k, subjects) in bindings {
        let m = &migrations[k];
        let first = subjects
            .iter()
            .map(|s| s.0)
            .min()
            .expect("at least one gated workload");
        let filename = ctx.index.entries[first].info.filename.clone();
        let mut sas: Vec<String> = subjects.iter().map(|s| s.1.clone()).collect();
        sas.sort();
        sas.dedup();
        let rbac_name = format!("{}-premigrate-wait", m.original_name);
        let meta = || {
            let mut ann = vec![
                (own::GENERATED.to_string(), Value::str("true")),
                (own::ORIGINAL_NAME.to_string(), Value::str(&m.original_name)),
            ];
            if let Some(w) = m.wave {
                ann.push((engines::ARGO_WAVE.to_string(), Value::str(w.to_string())));
            }
            if let Some(f) = &filename {
                ann.push((crate::index::HELM4_FILENAME.to_string(), Value::str(f)));
            }
            let mut md = vec![("name".to_string(), Value::str(&rbac_name))];
            if !m.namespace.is_empty() {
                md.push(("namespace".into(), Value::str(&m.namespace)));
            }
            md.push(("annotations".into(), Value::Map(ann)));
            Value::Map(md)
        };
        let role = Value::map([
            ("apiVersion", Value::str("rbac.authorization.k8s.io/v1")),
            ("kind", Value::str("Role")),
            ("metadata", meta()),
            (
                "rules",
                Value::Seq(vec![Value::map([
                    ("apiGroups", Value::Seq(vec![Value::str("batch")])),
                    ("resources", Value::Seq(vec![Value::str("jobs")])),
                    ("resourceNames", Value::Seq(vec![Value::str(&m.name)])),
                    (
                        "verbs",
                        Value::Seq(vec![
                            Value::str("get"),
                            Value::str("list"),
                            Value::str("watch"),
                        ]),
                    ),
                ])]),
            ),
        ]);
        let binding = Value::map([
            ("apiVersion", Value::str("rbac.authorization.k8s.io/v1")),
            ("kind", Value::str("RoleBinding")),
            ("metadata", meta()),
            (
                "roleRef",
                Value::map([
                    ("apiGroup", Value::str("rbac.authorization.k8s.io")),
                    ("kind", Value::str("Role")),
                    ("name", Value::str(&rbac_name)),
                ]),
            ),
            (
                "subjects",
                Value::Seq(
                    sas.iter()
                        .map(|sa| {
                            let mut s = vec![
                                ("kind".to_string(), Value::str("ServiceAccount")),
                                ("name".to_string(), Value::str(sa)),
                            ];
                            if !m.namespace.is_empty() {
                                s.push(("namespace".into(), Value::str(&m.namespace)));
                            }
                            Value::Map(s)
                        })
                        .collect(),
                ),
            ),
        ]);
        for (obj, kind) in [(role, "Role"), (binding, "RoleBinding")] {
            plan.added.push(Added {
                text: ensure_separator(obj.to_document()),
                object: format!("{kind}/{rbac_name}"),
                derived_from: first,
                before: first,
                why: format!(
                    "lets the gates read Job/{} and nothing else ({})",
                    m.name,
                    if kind == "Role" {
                        "get/list/watch on that one Job".to_string()
                    } else {
                        sas.join(", ")
                    }
                ),
            });
        }
    }
    Ok(())
}

/// Warns about names that select nothing: a `premigrate.io/wait-for` entry that is
/// no migration of the workload's namespace (a typo, or a Job that is not a migration,
/// leaves the workload ungated without a word), the annotation under `--gate none`,
/// and a `--gate KIND/NAME` that is no workload of the stream.
fn check_names(
    ctx: &Context<'_>,
    plan: &mut Plan,
    workloads: &[usize],
    migrations: &[Migration],
    gating: bool,
) {
    for &w in workloads {
        let v = ctx.value(w).expect("workloads are parsed");
        let Some(list) = annotation(v, own::WAIT_FOR) else {
            continue;
        };
        if !gating {
            if ctx.cfg.gate == GateMode::None {
                plan.note(
                    Severity::Warning,
                    "PM205",
                    Some(w),
                    format!(
                        "{}: its {} annotation is ignored with --gate none",
                        ctx.object(w),
                        own::WAIT_FOR
                    ),
                );
            }
            continue;
        }
        let ns = namespace(v);
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let named = |m: &Migration| m.original_name == name || m.name == name;
            if migrations.iter().any(|m| named(m) && m.namespace == ns) {
                continue;
            }
            let why = match plan.migrations.iter().find(|m| named(m)) {
                Some(m) if m.phase == Phase::Post => {
                    "a post-install/post-upgrade migration, which runs after the workloads"
                }
                Some(_) => "a migration of another namespace",
                None => "no migration Job of the stream",
            };
            plan.note(
                Severity::Warning,
                "PM203",
                Some(w),
                format!(
                    "{}: its {} annotation names `{name}`, {why}: it does not wait for it",
                    ctx.object(w),
                    own::WAIT_FOR
                ),
            );
        }
    }
    if let GateMode::List(list) = &ctx.cfg.gate {
        for (kind, name) in list {
            let found = workloads.iter().any(|&w| {
                kind.eq_ignore_ascii_case(ctx.kind(w))
                    && Some(name.as_str()) == ctx.index.entries[w].info.name.as_deref()
            });
            if !found {
                plan.note(
                    Severity::Warning,
                    "PM204",
                    None,
                    format!(
                    "--gate {kind}/{name}: no such workload in the stream; nothing is gated for it"
                ),
                );
            }
        }
    }
}

/// Removes workload annotations an earlier run wrote that no longer apply: a kapp
/// rule (suffixed, or unsuffixed as older runs wrote it) after a migration group
/// this workload does not wait for now. `keep` are the keys this run writes.
fn drop_own_rules(plan: &mut Plan, w: usize, v: &Value, keep: &[String]) {
    let annotations = v
        .at(&["metadata", "annotations"])
        .map(Value::entries)
        .unwrap_or(&[]);
    for row in engines::rows(Role::GitopsWorkload) {
        let ours = fill(row.3, "", 0, 0, "");
        for (key, val) in annotations {
            let same_row = key == row.2 || key.starts_with(&format!("{}.", row.2));
            if same_row && !keep.contains(key) && val.as_str().is_some_and(|a| a.starts_with(&ours))
            {
                plan.change(
                    w,
                    Edit::Remove(
                        ["metadata", "annotations", key.as_str()]
                            .map(|k| Seg::Key(k.into()))
                            .to_vec(),
                    ),
                    format!("removed annotation {key}: written by an earlier run, the workload no longer waits for that migration"),
                );
            }
        }
    }
}

fn is_gate(c: &Value) -> bool {
    c.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.starts_with(GATE_NAME))
}

/// Plans a pod's init containers so that its premigrate gates are exactly `gates`
/// (none: the workload is not gated), placed right after the pod's leading native
/// sidecars (`restartPolicy: Always`): those start before the gate, so a `check`
/// gate can reach the database through a proxy sidecar; a waiting gate loses nothing.
fn plan_init(
    plan: &mut Plan,
    w: usize,
    pod_path: &[Seg],
    pod: &Value,
    gates: &[Value],
    jobs: &[&str],
) {
    let mut path = pod_path.to_vec();
    path.push(Seg::Key("initContainers".into()));
    let existing = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    // Init containers extraction already takes out (src/extract.rs): their
    // removals stay planned, and the gates go in beside them.
    let extracted: Vec<(usize, String)> = plan
        .changes
        .get(&w)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| match &c.edit {
                    Edit::RemoveItem(q, i) if *q == path => Some((*i, c.why.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let old: Vec<usize> = (0..existing.len())
        .filter(|&i| is_gate(&existing[i]))
        .collect();
    // The chart's own init containers that stay, by original index.
    let others: Vec<usize> = (0..existing.len())
        .filter(|&i| !is_gate(&existing[i]) && !extracted.iter().any(|e| e.0 == i))
        .collect();
    let at = others
        .iter()
        .take_while(|&&i| {
            existing[i].get("restartPolicy").and_then(Value::as_str) == Some("Always")
        })
        .count();
    let item = |i: usize| {
        let mut p = path.clone();
        p.push(Seg::Index(i));
        p
    };
    let added = |jobs: &[&str]| {
        format!(
            "added init container(s) waiting for Job {}",
            jobs.join(", ")
        )
    };
    // The old gates are where this function puts them: contiguous, right after the sidecars.
    let laid_out = old.iter().enumerate().all(|(j, &i)| i == at + j) && extracted.is_empty();
    if old.is_empty() && extracted.is_empty() {
        if !gates.is_empty() {
            plan.change(w, Edit::Insert(path, at, gates.to_vec()), added(jobs));
        }
        return;
    }
    if laid_out && old.len() == gates.len() {
        // Same number of gates: each is overwritten in place when it changed.
        for (j, gate) in gates.iter().enumerate() {
            if existing[at + j] != *gate {
                plan.change(
                    w,
                    Edit::Set(item(at + j), gate.clone()),
                    format!("moved a premigrate gate to Job {}", jobs[j]),
                );
            }
        }
        return;
    }
    if others.is_empty() && gates.is_empty() {
        // Nothing is left: the key goes rather than staying as an empty list, and
        // extraction's removals with it.
        let mut whys: Vec<String> = extracted.into_iter().map(|e| e.1).collect();
        if !old.is_empty() {
            whys.push(gates_removed(old.len()).into());
        }
        if let Some(cs) = plan.changes.get_mut(&w) {
            cs.retain(|c| !matches!(&c.edit, Edit::RemoveItem(q, _) if *q == path));
        }
        plan.change(w, Edit::Remove(path), whys.join("; "));
        return;
    }
    // Anything else (gates added or removed, gates moved by hand, or containers
    // extracted): the old gates go and the new ones go in right after the kept
    // sidecars, each edit on original indices; the other init containers keep their text.
    for &i in &old {
        let name = existing[i]
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("?");
        let why = match (gates.is_empty(), old.len()) {
            (true, 1) => gates_removed(1).to_string(),
            (true, _) => format!(
                "removed premigrate gate `{name}`: the workload no longer waits for a migration"
            ),
            (false, _) => {
                format!("removed premigrate gate `{name}`: the gates added below replace it")
            }
        };
        plan.change(w, Edit::RemoveItem(path.clone(), i), why);
    }
    if !gates.is_empty() {
        let before = others.get(at).copied().unwrap_or(existing.len());
        plan.change(w, Edit::Insert(path, before, gates.to_vec()), added(jobs));
    }
}

fn gates_removed(n: usize) -> &'static str {
    if n == 1 {
        "removed a premigrate gate: the workload no longer waits for a migration"
    } else {
        "removed premigrate gates: the workload no longer waits for a migration"
    }
}

/// Plans the gate's projected token volume: present when `want`, absent otherwise.
fn plan_token(plan: &mut Plan, w: usize, pod_path: &[Seg], pod: &Value, want: bool) {
    let vols = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    let mut path = pod_path.to_vec();
    path.push(Seg::Key("volumes".into()));
    let found = vols
        .iter()
        .position(|v| v.get("name").and_then(Value::as_str) == Some(TOKEN_VOLUME));
    let volume = token_volume();
    match (found, want) {
        (None, false) => {}
        (Some(i), true) if vols[i] == volume => {}
        (Some(i), true) => {
            path.push(Seg::Index(i));
            plan.change(w, Edit::Set(path, volume), "refreshed the gate's projected token volume");
        }
        (None, true) => plan.change(w, Edit::Insert(path, usize::MAX, vec![volume]), "added a projected service-account token for the gate only (the pod or its ServiceAccount sets automountServiceAccountToken: false)"),
        (Some(_), false) if vols.len() == 1 => plan.change(w, Edit::Remove(path), "removed the gate's projected token: no gate needs it any more"),
        (Some(i), false) => plan.change(w, Edit::RemoveItem(path, i), "removed the gate's projected token: no gate needs it any more"),
    }
}

/// Whether the pod gets no service-account token: its own
/// `automountServiceAccountToken: false`, or, when the pod does not say, that of
/// its ServiceAccount as the stream defines it (the pod's field wins over the
/// account's, as in Kubernetes). An account the stream does not define is assumed
/// to mount the token.
fn mounts_no_token(ctx: &Context<'_>, workload: &Value, pod: &Value) -> bool {
    match pod.get("automountServiceAccountToken") {
        Some(Value::Bool(b)) => !b,
        _ => {
            ctx.defs
                .get(&(
                    k8s::RefKind::ServiceAccount,
                    namespace(workload),
                    k8s::service_account(pod),
                ))
                .and_then(|&d| ctx.value(d))
                .and_then(|sa| sa.get("automountServiceAccountToken"))
                == Some(&Value::Bool(false))
        }
    }
}

/// The ConfigMaps and Secrets a pod reads data from (env, envFrom, volumes): what
/// `--gate auto` compares. Image pull Secrets and the service account say nothing
/// about which database a pod uses (one registry Secret is often shared by all).
fn data_refs(pod: &Value) -> Vec<(k8s::RefKind, String)> {
    k8s::pod_refs(pod, &[])
        .into_iter()
        .filter(|r| r.kind != k8s::RefKind::ServiceAccount)
        .filter(|r| r.path.first() != Some(&Seg::Key("imagePullSecrets".into())))
        .map(|r| (r.kind, r.name))
        .collect()
}

/// The gate's container name when a workload waits for several Jobs:
/// `premigrate-wait-<original>`. Container names are DNS labels (63 characters,
/// no dots), so a name that does not fit as is is cut and gets a short hash of
/// the whole original name: two long names with a common prefix stay apart.
fn container_name(original: &str) -> String {
    crate::hash::label_name(&format!("{GATE_NAME}-{original}"), original, 63)
}

/// The restricted security context of the wait images.
fn restricted() -> Value {
    Value::map([
        ("allowPrivilegeEscalation", Value::Bool(false)),
        (
            "capabilities",
            Value::map([("drop", Value::Seq(vec![Value::str("ALL")]))]),
        ),
        ("readOnlyRootFilesystem", Value::Bool(true)),
        ("runAsNonRoot", Value::Bool(true)),
        ("runAsUser", Value::Int(65532)),
        ("runAsGroup", Value::Int(65532)),
        (
            "seccompProfile",
            Value::map([("type", Value::str("RuntimeDefault"))]),
        ),
    ])
}

fn small_resources() -> Value {
    Value::map([
        (
            "requests",
            Value::map([("cpu", Value::str("10m")), ("memory", Value::str("16Mi"))]),
        ),
        (
            "limits",
            Value::map([("cpu", Value::str("100m")), ("memory", Value::str("64Mi"))]),
        ),
    ])
}

/// A projected service-account token, CA and namespace, mounted only into the gate.
fn token_volume() -> Value {
    Value::map([
        ("name", Value::str(TOKEN_VOLUME)),
        (
            "projected",
            Value::map([(
                "sources",
                Value::Seq(vec![
                    Value::map([(
                        "serviceAccountToken",
                        Value::map([
                            ("path", Value::str("token")),
                            ("expirationSeconds", Value::Int(3607)),
                        ]),
                    )]),
                    Value::map([(
                        "configMap",
                        Value::map([
                            ("name", Value::str("kube-root-ca.crt")),
                            (
                                "items",
                                Value::Seq(vec![Value::map([
                                    ("key", Value::str("ca.crt")),
                                    ("path", Value::str("ca.crt")),
                                ])]),
                            ),
                        ]),
                    )]),
                    Value::map([(
                        "downwardAPI",
                        Value::map([(
                            "items",
                            Value::Seq(vec![Value::map([
                                ("path", Value::str("namespace")),
                                (
                                    "fieldRef",
                                    Value::map([("fieldPath", Value::str("metadata.namespace"))]),
                                ),
                            ])]),
                        )]),
                    )]),
                ]),
            )]),
        ),
    ])
}

/// The gate container for one migration.
fn gate_container(
    ctx: &Context<'_>,
    name: &str,
    m: &Migration,
    pod: &Value,
    no_token: bool,
) -> Result<Value, Error> {
    let mut c = vec![("name".to_string(), Value::str(name))];
    match ctx.cfg.gate_style {
        GateStyle::K8sWaitFor | GateStyle::Kubectl => {
            let (image, args) = if ctx.cfg.gate_style == GateStyle::K8sWaitFor {
                (
                    K8S_WAIT_FOR_IMAGE,
                    vec![Value::str("job-wr"), Value::str(&m.name)],
                )
            } else {
                let timeout = ctx
                    .cfg
                    .timeout_seconds
                    .map_or("1h".to_string(), |t| format!("{t}s"));
                (
                    KUBECTL_IMAGE,
                    vec![
                        Value::str("wait"),
                        Value::str("--for=condition=complete"),
                        Value::str(format!("job/{}", m.name)),
                        Value::str(format!("--timeout={timeout}")),
                    ],
                )
            };
            c.push((
                "image".into(),
                Value::str(ctx.cfg.gate_image.as_deref().unwrap_or(image)),
            ));
            if ctx.cfg.gate_style == GateStyle::Kubectl {
                c.push(("command".into(), Value::Seq(vec![Value::str("kubectl")])));
            }
            c.push(("args".into(), Value::Seq(args)));
            c.push(("resources".into(), small_resources()));
            c.push(("securityContext".into(), restricted()));
            if no_token {
                c.push((
                    "volumeMounts".into(),
                    Value::Seq(vec![Value::map([
                        ("name", Value::str(TOKEN_VOLUME)),
                        (
                            "mountPath",
                            Value::str("/var/run/secrets/kubernetes.io/serviceaccount"),
                        ),
                        ("readOnly", Value::Bool(true)),
                    ])]),
                ));
            }
        }
        GateStyle::Check => {
            let app = pod
                .get("containers")
                .map(Value::items)
                .and_then(|c| c.first())
                .ok_or_else(|| Error::new("a gated workload has no containers"))?;
            let check = ctx.cfg.gate_check.clone().unwrap_or_default();
            let image = ctx
                .cfg
                .gate_image
                .clone()
                .or_else(|| app.get("image").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default();
            c.push(("image".into(), Value::str(image)));
            let script = format!(
                "end=$(( $(date +%s) + {CHECK_DEADLINE} )); until {check}; do if [ \"$(date +%s)\" -ge \"$end\" ]; then echo 'premigrate: migrations still pending' >&2; exit 1; fi; echo 'premigrate: waiting for Job {}'; sleep 5; done",
                m.name
            );
            c.push((
                "command".into(),
                Value::Seq(vec![Value::str("sh"), Value::str("-c"), Value::str(script)]),
            ));
            // The check runs the app's own runtime (a Rails, Django or Node boot needs far
            // more than the wait images' 64Mi), so it gets the app container's resources;
            // as an init container it never raises the pod's effective request above them.
            for key in [
                "env",
                "envFrom",
                "volumeMounts",
                "securityContext",
                "resources",
            ] {
                if let Some(v) = app.get(key) {
                    c.push((key.to_string(), v.clone()));
                }
            }
        }
    }
    Ok(Value::Map(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_names_are_distinct_dns_labels() {
        assert_eq!(container_name("app-migrate"), "premigrate-wait-app-migrate");
        let a = "rel-long-names-database-schema-migration-job-for-tenant-service";
        let b = "rel-long-names-database-schema-migration-job-for-tenant-billing";
        let (na, nb) = (container_name(a), container_name(b));
        assert_ne!(na, nb);
        let dotted = container_name("db.v2.migrate");
        assert_ne!(dotted, container_name("db-v2-migrate"));
        for n in [na, nb, dotted] {
            assert!(n.len() <= 63, "{n}");
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n}"
            );
            assert!(
                n.starts_with("premigrate-wait-") && !n.ends_with('-'),
                "{n}"
            );
        }
    }
}
