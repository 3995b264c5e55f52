//! Which workloads wait for which migration, and why: a `premigrate.io/wait-for`
//! annotation, `--gate all` or `--gate KIND/NAME`, or under `--gate auto` the
//! workloads the migration was built from or that share a Secret, ConfigMap or
//! image repository with it (every workload of its namespace when none does).

use std::collections::BTreeMap;

use crate::config::GateMode;
use crate::diag::codes;
use crate::k8s::engines::{self, own};
use crate::k8s::{self, RefKind};
use crate::plan::context::{annotation, namespace, Context};
use crate::plan::graph::chart_gates;
use crate::plan::jobs::hash::is_hashed_name_of;
use crate::plan::model::{Migration, Origin, Phase, Plan};
use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// For each workload, the migrations (by index in `migrations`) it waits for, with why.
pub(crate) type Waits = BTreeMap<usize, Vec<(usize, String)>>;

/// Chooses the workloads that wait for each migration.
pub(crate) fn waits(
    ctx: &Context<'_>,
    plan: &mut Plan,
    workloads: &[usize],
    migrations: &[Migration],
) -> Waits {
    let mut waits = Waits::new();
    // Workloads by namespace, once (not once per migration).
    let mut by_ns: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &w in workloads {
        if ctx.value(w).is_some() {
            by_ns.entry(ctx.effective_ns(w)).or_default().push(w);
        }
    }
    for (k, m) in migrations.iter().enumerate() {
        let same_ns: &[usize] = by_ns.get(&migration_ns(ctx, m)).map_or(&[], Vec::as_slice);
        let mut chosen = chosen(ctx, m, same_ns, &plan.data_services);
        // Workloads the chart gates on this migration itself count as gated.
        let own: Vec<(usize, String)> = same_ns
            .iter()
            .filter_map(|&w| own_gate_why(ctx, w, m).map(|why| (w, why)))
            .collect();
        let covered = !own.is_empty();
        if same_ns.is_empty() && matches!(ctx.cfg.gate, GateMode::Auto | GateMode::All) {
            note_other_namespaces(ctx, plan, m, workloads);
        }
        if chosen.is_empty() && !covered && ctx.cfg.gate == GateMode::Auto {
            chosen = fallback(ctx, plan, m, same_ns);
        }
        // Said in explain: a workload left to the chart's own gate (not one
        // the migration was built from: its gate is gone from the output).
        plan.chart_gates.extend(
            own.into_iter()
                .filter(|(w, _)| !m.carriers.contains(w) && !chosen.iter().any(|(c, _)| c == w)),
        );
        if ctx.cfg.gate == GateMode::Auto {
            let picked: Vec<usize> = chosen.iter().map(|(w, _)| *w).collect();
            // Its containers' images only: Gravitee's upgrader downloads a JDBC
            // driver with alpine, as the gateway does, which says nothing of
            // who reads the schema.
            let images = crate::plan::graph::images::repos(&m.pod);
            super::owner::note_same_owner(ctx, plan, m, (same_ns, &picked), &images);
        }
        super::claims::note_shared_claims(ctx, plan, m, &chosen);
        for (w, why) in chosen {
            waits.entry(w).or_default().push((k, why));
        }
    }
    waits
}

/// The workloads of the migration's namespace that wait for it, with why:
/// each weighed on its own, a big stream's on every core.
fn chosen(
    ctx: &Context<'_>,
    m: &Migration,
    same_ns: &[usize],
    data_services: &BTreeMap<usize, String>,
) -> Vec<(usize, String)> {
    let job = (data_refs(&m.pod), crate::plan::graph::images::repos(&m.pod));
    let size = |w: usize| ctx.index.stream.doc_text(w).len();
    crate::par::map(same_ns, size, |w| choose(ctx, m, w, data_services, &job))
        .into_iter()
        .filter_map(|(w, why)| why.map(|why| (w, why)))
        .collect()
}

/// Why workload `w` waits for `m`, or `None`. `job`: the migration's data
/// references and app images.
fn choose(
    ctx: &Context<'_>,
    m: &Migration,
    w: usize,
    data_services: &BTreeMap<usize, String>,
    (job_refs, job_images): &(Vec<DataRef>, Vec<String>),
) -> Option<String> {
    let v = ctx.value(w).expect("workloads are parsed");
    if annotation(v, own::GATE) == Some("false") {
        return None;
    }
    if let Some(list) = annotation(v, own::WAIT_FOR) {
        // Asked for by name: honoured even on a data service (the deadlock
        // check then refuses the stream and names the cycle).
        return list
            .split(',')
            .map(str::trim)
            .any(|n| n == m.original_name || n == m.name)
            .then(|| format!("its {} annotation names {}", own::WAIT_FOR, m.original_name));
    }
    let pod = k8s::pod_spec(v, ctx.kind(w))?;
    let named = matches!(ctx.cfg.gate, GateMode::List(_));
    // A workload the migration was built from waits for it, even when the
    // init container it came from looked like the chart's own gate (it is
    // gone from the output: a rerun would gate the workload).
    let own_gate = !m.carriers.contains(&w) && has_own_gate(pod, m);
    // A workload the migration needs running (an app it waits for) never
    // waits for it: each would wait for the other.
    let needed = m.needs.iter().any(|(d, _)| *d == w);
    if !named && (data_services.contains_key(&w) || own_gate || needed) {
        return None;
    }
    why_gate(ctx, m, w, pod, job_refs, job_images)
}

/// Why the workload `w` with pod spec `pod` waits for `m` under the `--gate` mode, or `None`.
fn why_gate(
    ctx: &Context<'_>,
    m: &Migration,
    w: usize,
    pod: &Value,
    job_refs: &[DataRef],
    job_images: &[String],
) -> Option<String> {
    match &ctx.cfg.gate {
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
            let images = app_images(pod);
            if let Some((rk, n, _)) = shared(job_refs, &refs) {
                Some(format!("shares {}/{n} with the migration", rk.kind()))
            } else {
                images
                    .iter()
                    .find(|i| job_images.contains(i))
                    .map(|i| format!("runs the migration's image repository {i}"))
            }
        }
    }
}

/// Warns that no workload is in the migration's namespace, naming the namespaces they are in.
fn note_other_namespaces(ctx: &Context<'_>, plan: &mut Plan, m: &Migration, workloads: &[usize]) {
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
    // The workloads there are Helm hooks (Phoenix's Deployment): said as such.
    let ns = migration_ns(ctx, m);
    let hooks: Vec<String> = (0..ctx.index.entries.len())
        .filter(|&d| k8s::kinds::workload_kind(ctx.kind(d)).is_some() && d != m.doc)
        .filter(|&d| !matches!(ctx.kind(d), "Job" | "CronJob"))
        .filter(|&d| (ctx.value(d)).is_some_and(|v| annotation(v, engines::HELM_HOOK).is_some()))
        .filter(|&d| ctx.effective_ns(d) == ns)
        .map(|d| ctx.object(d))
        .collect();
    if !hooks.is_empty() {
        plan.note(codes::PM206, Some(m.doc), format!(
            "Job/{}: the workloads of its namespace are Helm hooks ({}), which premigrate does not gate: Helm starts a hook when its event comes, whatever the migration's state; order them after the migration with the chart's hook events and weights, or make them regular resources",
            m.original_name,
            hooks.join(", ")
        ));
        return;
    }
    if !others.is_empty() {
        plan.note(codes::PM206, Some(m.doc), format!(
            "Job/{}: no workload is in its namespace ({}), so none waits for it; the workloads are in {}: give the Job and the workloads that use its database the same metadata.namespace",
            m.original_name,
            if m.namespace.is_empty() { "the release namespace: none set" } else { &m.namespace },
            others.join(", ")
        ));
    }
}

/// `--gate auto` with nothing shared: every workload of the namespace waits (unless it opts out).
fn fallback(
    ctx: &Context<'_>,
    plan: &mut Plan,
    m: &Migration,
    same_ns: &[usize],
) -> Vec<(usize, String)> {
    let fallback: Vec<usize> = same_ns
        .iter()
        .copied()
        .filter(|&w| {
            ctx.value(w).is_some_and(|v| {
                annotation(v, own::GATE) != Some("false") && annotation(v, own::WAIT_FOR).is_none()
            })
        })
        .filter(|w| !plan.data_services.contains_key(w) && !own_gate_of(ctx, *w, m))
        .collect();
    if !fallback.is_empty() {
        let what = match other_keys(ctx, m, &fallback) {
            Some(other) => format!("no workload reads a key of a Secret or ConfigMap the migration reads ({other}), nor its image"),
            None => "no workload shares a Secret, ConfigMap or image with the migration".to_string(),
        };
        plan.note(codes::PM202, Some(m.doc), format!(
            "Job/{}: {what}; every workload of its namespace waits for it (name them with --gate KIND/NAME or premigrate.io/wait-for)",
            m.original_name
        ));
    }
    fallback.into_iter().map(|w| (w, "no workload shares anything with the migration: all workloads of the namespace wait".to_string())).collect()
}

/// A Secret or ConfigMap the migration reads some keys of and a workload of
/// `workloads` reads only others of (sharing is by key: AppFlowy's Jobs read
/// the admin password of the Secret whose other keys the apps read), shown
/// as `Secret/NAME key KEY, which WORKLOAD does not read`.
fn other_keys(ctx: &Context<'_>, m: &Migration, workloads: &[usize]) -> Option<String> {
    let job = data_refs(&m.pod);
    workloads.iter().find_map(|&w| {
        let pod = ctx.value(w).and_then(|v| k8s::pod_spec(v, ctx.kind(w)))?;
        let refs = data_refs(pod);
        job.iter().find_map(|(k, n, key)| {
            let key = key.as_deref()?;
            refs.iter().any(|(k2, n2, _)| k == k2 && n == n2).then(|| {
                format!(
                    "{}/{n} key {key}, which {} does not read",
                    k.kind(),
                    ctx.object(w)
                )
            })
        })
    })
}

/// The image repositories a pod runs, premigrate's own gates left out (a gate's
/// image says nothing about which database the pod uses).
pub(super) fn app_images(pod: &Value) -> Vec<String> {
    let repo = |c: &Value| {
        c.get("image")
            .and_then(Value::as_str)
            .map(|i| crate::detect::image_repository(i).to_string())
    };
    // The migration's image running a command that never opens the database
    // (Concourse's workers) is no reason to wait for it, nor is that image in
    // the same pod's init containers (the worker's work-dir cleanup).
    let no_database: Vec<String> = pod
        .get("containers")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter(|c| crate::detect::never_opens_database(c))
        .filter_map(repo)
        .collect();
    crate::k8s::containers(pod)
        .filter(|c| !crate::plan::gates::container::is_gate(c))
        .filter_map(repo)
        .filter(|r| !no_database.contains(r))
        .collect()
}

/// Whether workload `w`'s chart gate waits for `m` already.
fn own_gate_of(ctx: &Context<'_>, w: usize, m: &Migration) -> bool {
    ctx.value(w)
        .and_then(|v| k8s::pod_spec(v, ctx.kind(w)))
        .is_some_and(|pod| has_own_gate(pod, m))
}

/// How workload `w`'s chart gate waits for `m`, in words (for explain).
fn own_gate_why(ctx: &Context<'_>, w: usize, m: &Migration) -> Option<String> {
    let pod = ctx.value(w).and_then(|v| k8s::pod_spec(v, ctx.kind(w)))?;
    let g = own_gate(pod, m)?;
    let how = match g.check {
        true => "checks that the app's migrations are applied".to_string(),
        false => format!("waits for Job {}", m.original_name),
    };
    Some(format!(
        "its init container `{}` {how}: it keeps that gate, premigrate adds none for {}",
        g.container, m.original_name
    ))
}

/// Whether the chart already gates the pod on the migration: an init container
/// that waits for the Job by name, or checks the app's pending migrations. It is
/// kept and not doubled (a renamed Job is followed by `chart::follow`).
pub(crate) fn has_own_gate(pod: &Value, m: &Migration) -> bool {
    own_gate(pod, m).is_some()
}

/// The chart's init container that gates the pod on the migration, if any.
fn own_gate(pod: &Value, m: &Migration) -> Option<chart_gates::ChartGate> {
    chart_gates::find(pod)
        .into_iter()
        .find(|g| g.check || g.jobs.iter().any(|j| names_migration(&j.name, m)))
}

/// Whether a Job name in a gate is the migration: its original name, its name
/// now, a hashed name an earlier run gave it (`<original cut>-<10 hex digits>`),
/// or its original name with a render-time stamp (the chart's name for it).
pub(crate) fn names_migration(name: &str, m: &Migration) -> bool {
    name == m.original_name
        || name == m.name
        || is_hashed_name_of(name, &m.original_name)
        || crate::plan::jobs::hash::render_stamp(name)
            .is_some_and(|(base, _)| base == m.original_name)
        // The chart's name with the release revision premigrate left out.
        || crate::plan::jobs::hash::revision_suffix(crate::plan::jobs::hash::unstamped(name))
            .is_some_and(|(base, _)| base == m.original_name)
}

/// Warns about names that select nothing: a `premigrate.io/wait-for` entry that is
/// no migration of the workload's namespace (a typo, or a Job that is not a migration,
/// leaves the workload ungated without a word), the annotation under `--gate none`,
/// and a `--gate KIND/NAME` that is no workload of the stream.
pub(crate) fn check_names(
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
                    codes::PM205,
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
        let ns = ctx.effective_ns(w);
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let named = |m: &Migration| m.original_name == name || m.name == name;
            if migrations
                .iter()
                .any(|m| named(m) && migration_ns(ctx, m) == ns)
            {
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
                codes::PM203,
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
                plan.note(codes::PM204, None, missing_gate(ctx, kind, name));
            }
        }
    }
}

/// Why `--gate KIND/NAME` gates nothing: no such object, or one that is a
/// Helm hook (Monica's post-install queue DaemonSet), which Helm runs apart
/// from the release's workloads.
fn missing_gate(ctx: &Context<'_>, kind: &str, name: &str) -> String {
    let hook = (0..ctx.index.entries.len())
        .filter(|&i| {
            kind.eq_ignore_ascii_case(ctx.kind(i))
                && Some(name) == ctx.index.entries[i].info.name.as_deref()
        })
        .find_map(|i| ctx.value(i).and_then(|v| annotation(v, engines::HELM_HOOK)));
    match hook {
        Some(events) => format!("--gate {kind}/{name}: a Helm hook (`{events}`), not one of the release's workloads: Helm runs it in its hook phase, apart from them; nothing is gated for it"),
        None => format!("--gate {kind}/{name}: no such workload in the stream; nothing is gated for it"),
    }
}

/// The ConfigMaps and Secrets a pod reads data from (env, envFrom, volumes): what
/// `--gate auto` compares. Image pull Secrets and the service account say nothing
/// about which database a pod uses (one registry Secret is often shared by all).
fn data_refs(pod: &Value) -> Vec<DataRef> {
    k8s::pod_refs(pod, &[])
        .into_iter()
        .filter(|r| r.kind != RefKind::ServiceAccount)
        // Published in every namespace (a projected token's CA, premigrate's own
        // gate's among them): shared by every pod, it says nothing of the schema.
        .filter(|r| {
            !(r.kind == RefKind::ConfigMap && NAMESPACE_CONFIGMAPS.contains(&r.name.as_str()))
        })
        .filter(|r| !matches!(r.path.first(), Some(Seg::Key(k)) if k == "imagePullSecrets"))
        .map(|r| {
            let key = key_of(pod, &r.path);
            (r.kind, r.name, key)
        })
        .collect()
}

/// ConfigMaps Kubernetes (and OpenShift) publish in every namespace.
const NAMESPACE_CONFIGMAPS: &[&str] = &["kube-root-ca.crt", "openshift-service-ca.crt"];

/// A ConfigMap or Secret a pod reads, and the one key it reads when it reads
/// only that (an env `secretKeyRef`); `None`: all of it (envFrom, a volume).
type DataRef = (RefKind, String, Option<String>);

/// The key beside a `secretKeyRef`/`configMapKeyRef` name at `path`, if it is one.
fn key_of(pod: &Value, path: &[Seg]) -> Option<String> {
    let [.., Seg::Key(by), Seg::Key(name)] = path else {
        return None;
    };
    if name != "name" || !matches!(by.as_str(), "secretKeyRef" | "configMapKeyRef") {
        return None;
    }
    let at = k8s::at(pod, &path[..path.len() - 1])?;
    at.get("key").and_then(Value::as_str).map(str::to_string)
}

/// The first object of the migration's that the workload reads too: all of it
/// on either side, or the same key (Medusa's storefront reads one public key
/// of the Secret whose database URL the migration reads: no sign it needs the schema).
fn shared<'a>(job: &'a [DataRef], refs: &[DataRef]) -> Option<&'a DataRef> {
    job.iter().find(|(k, n, key)| {
        refs.iter().any(|(k2, n2, key2)| {
            k == k2 && n == n2 && (key.is_none() || key2.is_none() || key == key2)
        })
    })
}

/// A migration's namespace as workloads are matched to it: its Job's (see
/// [`Context::effective_ns`]); a Job premigrate builds is in its workload's.
pub(crate) fn migration_ns(ctx: &Context<'_>, m: &Migration) -> String {
    match m.namespace.is_empty() {
        true => ctx.effective_ns(m.doc),
        false => m.namespace.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::{shared, DataRef};
    use crate::k8s::RefKind;

    /// Reading one key of a Secret the migration reads another key of is no
    /// sharing; all of it on either side, or the same key, is.
    #[test]
    fn sharing_by_key() {
        let r = |n: &str, k: Option<&str>| -> DataRef {
            (RefKind::Secret, n.into(), k.map(Into::into))
        };
        let job = [r("app", Some("DATABASE_URL"))];
        assert!(shared(&job, &[r("app", Some("PUBLIC_KEY"))]).is_none());
        assert!(shared(&job, &[r("app", Some("DATABASE_URL"))]).is_some());
        assert!(shared(&job, &[r("app", None)]).is_some());
        assert!(shared(&[r("app", None)], &[r("app", Some("PUBLIC_KEY"))]).is_some());
        assert!(shared(&job, &[r("other", None)]).is_none());
    }
}
