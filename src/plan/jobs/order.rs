//! The Job passes' view of the release graph: each Job's phase, its rank among
//! the migrations of its phase, the migrations it follows, the data services it
//! needs, and whether it can be a Helm hook at all.

use crate::config::Target;
use crate::diag::Error;
use crate::k8s::engines::own;
use crate::plan::context::{annotation, namespace, Context};
use crate::plan::graph::order::Facts;
use crate::plan::graph::release::{self, Candidate, Release};
use crate::plan::model::{Phase, Plan};
use crate::yaml::Value;

/// What the graph reads of one migration.
pub(crate) struct View<'a> {
    /// Its document (a Job premigrate builds: the workload it derives from).
    pub doc: usize,
    /// The Job.
    pub value: &'a Value,
    /// The chart's hook events.
    pub events: Option<&'a [String]>,
    /// For a Job premigrate builds: the workload (`Kind/name`) it is taken out of.
    pub workload: Option<String>,
    /// For a Job premigrate takes out of several workloads: the others.
    pub sources: Vec<usize>,
}

/// A migration already planned, as the ones after it see it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Done {
    /// Its name before hashing.
    pub original: String,
    /// Its hashed name.
    pub name: String,
    /// Whether it is a Helm hook in the output.
    pub hook: bool,
    /// Its hook weight, when it is a hook.
    pub weight: Option<i64>,
}

/// Where one Job goes in the release.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    /// Pre or post.
    pub phase: Phase,
    /// Why.
    pub phase_reason: String,
    /// Its rank among the migrations of its phase.
    pub rank: usize,
    /// How many migrations run before the apps.
    pub pre_count: usize,
    /// The migrations it follows, as planned.
    pub after: Vec<Done>,
    /// Whether the order came from `premigrate.io/after` (else from the chart).
    pub explicit_after: bool,
    /// The data services it needs (documents), with why (none for a post
    /// migration: it runs after them anyway).
    pub needs: Vec<(usize, String)>,
    /// The data services it needs, whatever its phase (a post hook can still
    /// start before the database is up: Helm without `--wait`).
    pub data: Vec<(usize, String)>,
    /// A post migration: the regular pre migrations planned before it, which
    /// its gates wait for (a contract step waits for every one of them).
    pub gated_by: Vec<Done>,
    /// A contract step of the stream: the apps (`Kind/name`) its gates wait
    /// for the rollout of (set by the Job pass, see `gates::rollout`).
    pub rollout: Vec<String>,
    /// Under `hooks`: `Ok` when it can be a hook, else why it stays a regular resource.
    pub hookable: Result<(), String>,
    /// The names before hashing of every migration of the release (shared:
    /// each Job's place holds them).
    pub originals: std::rc::Rc<[String]>,
}

/// Builds the release graph over the migrations.
pub(crate) fn release(ctx: &Context<'_>, views: &[View<'_>]) -> Result<Release, Error> {
    let mut cands: Vec<Candidate<'_>> = views
        .iter()
        .map(|v| Candidate {
            doc: v.doc,
            pod: v
                .value
                .at(crate::k8s::POD_TEMPLATE_SPEC)
                .unwrap_or(&Value::Null),
            ns: namespace(v.value),
            facts: facts(ctx, v),
            sources: v.sources.clone(),
        })
        .collect();
    waits_of_own_gates(ctx, &mut cands);
    // A `premigrate.io/needs` that names no document is refused where it is written.
    for c in &cands {
        if let Some(Err(e)) = release::declared_needs(ctx.index, c.doc) {
            return Err(Error::at(ctx.index.location(c.doc), e).help(
                "write `none`, or the Kind/name of documents of the stream, comma-separated",
            ));
        }
    }
    release::build(ctx.index, &cands).map_err(|e| {
        Error::new(e)
            .help("fix or remove the premigrate.io/after or premigrate.io/needs annotations")
    })
}

/// Each migration's own init containers that wait for another migration of
/// the stream, by its name as written (before or after hashing: a rerun reads
/// gates pointed at the hashed name).
fn waits_of_own_gates(ctx: &Context<'_>, cands: &mut [Candidate<'_>]) {
    let names: Vec<(String, String)> = cands
        .iter()
        .map(|c| {
            let current = ctx.index.entries[c.doc].info.name.as_deref().unwrap_or("");
            (current.to_string(), c.facts.name.clone())
        })
        .collect();
    for c in cands.iter_mut() {
        let mut waits: Vec<String> = crate::plan::graph::chart_gates::find(c.pod)
            .iter()
            .flat_map(|g| &g.jobs)
            .filter_map(|j| {
                names
                    .iter()
                    .find(|(cur, orig)| j.name == *cur || j.name == *orig)
            })
            .map(|(_, orig)| orig.clone())
            .filter(|o| *o != c.facts.name)
            .collect();
        waits.sort();
        waits.dedup();
        c.facts.waits_for = waits;
    }
}

fn facts(ctx: &Context<'_>, v: &View<'_>) -> Facts {
    let name = crate::plan::jobs::names::original_of(ctx, v.value).unwrap_or_default();
    let phase = match annotation(v.value, own::PHASE) {
        Some("post") => Some(Phase::Post),
        Some("pre") => Some(Phase::Pre),
        _ => None,
    };
    // The chart's order of its hooks; of regular Jobs, its Argo CD sync waves
    // (Logto's setup at wave 4 creates the schema its migrate at 5 alters).
    let weight = match v.events {
        Some(_) => crate::plan::context::hook_weight(v.value),
        // A wave premigrate wrote (a rerun) is its own order, not the chart's;
        // a Job built from a workload carries the workload's wave, not a Job's.
        None if annotation(v.value, own::HASH).is_some() || v.workload.is_some() => None,
        None if annotation(v.value, own::DERIVED_FROM).is_some() => None,
        None => {
            annotation(v.value, crate::k8s::engines::ARGO_WAVE).and_then(|w| w.trim().parse().ok())
        }
    }
    .unwrap_or(0);
    let after = annotation(v.value, own::AFTER).map(|a| {
        a.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    });
    Facts {
        name,
        events: v.events.map(<[String]>::to_vec),
        weight,
        phase,
        after,
        workload: v
            .workload
            .clone()
            // The first of the workloads that carried it, as the first run named it.
            .or_else(|| {
                annotation(v.value, own::DERIVED_FROM)
                    .and_then(|d| d.split(',').next())
                    .map(|d| d.trim().to_string())
            }),
        source: match v.workload {
            Some(_) => Some(v.doc),
            None => crate::plan::graph::roles::derived_source(ctx.index, v.doc),
        },
        // Known once the release graph has read the hosts.
        calls_app: None,
        images: images(v.value),
        waits_for: Vec::new(),
        argo_post: v.events.is_none()
            && annotation(v.value, crate::k8s::engines::ARGO_HOOK)
                .is_some_and(|h| h.split(',').all(|p| p.trim() == "PostSync")),
    }
}

/// The image repositories a Job's containers run, premigrate's gates left out.
fn images(job: &Value) -> Vec<String> {
    let pod = job.at(crate::k8s::POD_TEMPLATE_SPEC);
    crate::k8s::containers_of(pod)
        .filter(|c| !crate::plan::gates::container::is_gate(c))
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .map(|i| crate::detect::image_repository(i).to_string())
        .collect()
}

/// Records the data services in the plan: they are never gated, and run first.
pub(crate) fn record_data(ctx: &Context<'_>, release: &Release, plan: &mut Plan) {
    plan.data_services = release.data.docs.clone();
    plan.apps_needed = release.data.apps_needed.clone();
    let needed: Vec<usize> = release.needs.iter().flatten().map(|n| n.0).collect();
    for &d in needed.iter().filter(|d| !plan.apps_needed.contains(d)) {
        for u in crate::plan::graph::uses::uses(ctx.index, d) {
            plan.data_support
                .entry(u)
                .or_insert_with(|| format!("{} (a data service) uses it", ctx.object(d)));
        }
    }
}

/// The regular PersistentVolumeClaims of the stream the pod of document `doc`
/// (a Job, or the workload a new Job derives from) mounts: the pod is not
/// scheduled before they exist (OpenProject's seeder mounts the app's data
/// claim). A claim name is looked up in the pod's namespace first: a stream
/// with a `data` claim in two namespaces orders only the pod's.
pub(crate) fn claims_of_release(ctx: &Context<'_>, doc: usize, pod: &Value) -> Vec<usize> {
    let names = crate::k8s::claim_names(pod);
    let found: Vec<usize> = (0..ctx.index.entries.len())
        .filter(|&i| {
            let info = &ctx.index.entries[i].info;
            info.kind.as_deref() == Some("PersistentVolumeClaim")
                && info.name.as_deref().is_some_and(|n| names.contains(&n))
                && crate::plan::graph::roles::peek(ctx.index, i)
                    .is_none_or(|v| annotation(&v, crate::k8s::engines::HELM_HOOK).is_none())
        })
        .collect();
    // A claim is identified, not parsed: its namespace is the one written.
    let ns = ctx.effective_ns(doc);
    let info = |i: usize| &ctx.index.entries[i].info;
    let name = |i: usize| info(i).name.as_deref();
    let here = |i: usize| info(i).namespace.as_deref().unwrap_or("") == ns;
    found
        .iter()
        .copied()
        .filter(|&c| here(c) || !found.iter().any(|&o| name(o) == name(c) && here(o)))
        .collect()
}

/// Whether data service `d` is a chart `pre-install` hook: Helm creates it
/// with the hooks, by weight, so a migration hook after it finds it on a first
/// install (Airbyte's database and MinIO, hooks at -1 before its bootloader).
/// On an upgrade it is still there: a hook is only deleted before it is made again.
pub(crate) fn installed_before_hooks(ctx: &Context<'_>, d: usize) -> bool {
    // Read on demand: a document the index left unparsed (a RoleBinding) may be a hook too.
    crate::plan::graph::roles::peek(ctx.index, d)
        .as_deref()
        .and_then(|v| crate::plan::context::annotation(v, crate::k8s::engines::HELM_HOOK))
        .is_some_and(|events| events.split(',').any(|e| e.trim() == "pre-install"))
}

/// A RoleBinding (or ClusterRoleBinding) of the release, not a pre-install
/// hook, that grants the migration's ServiceAccount its permissions: a
/// pre-install hook runs before it exists, and a hook copy of the account
/// would have none (Hatchet's setup Job creates a Secret through them).
/// premigrate's own wait bindings of an earlier run are not the chart's.
fn regular_binding<'a>(
    ctx: &Context<'_>,
    (sa, ns): &'a (String, String),
) -> Option<(&'a str, usize)> {
    let bindings = crate::plan::graph::uses::rbac_of(ctx.index, sa, ns);
    let b = bindings
        .into_iter()
        .map(|(b, _)| b)
        .filter(|b| !ctx.generated.contains(b))
        .find(|&b| !installed_before_hooks(ctx, b))?;
    Some((sa.as_str(), b))
}

/// The first data service of `needs` Helm creates after the pre-install hooks,
/// one the migration names itself first (not the CRD of a database it names).
fn first_regular_need<'n>(
    ctx: &Context<'_>,
    needs: &'n [(usize, String)],
) -> Option<&'n (usize, String)> {
    let mut regular = needs
        .iter()
        .filter(|(d, _)| !installed_before_hooks(ctx, *d));
    let named = regular
        .clone()
        .find(|(_, why)| why.starts_with("the migration"));
    named.or_else(|| regular.next())
}

/// The other data services of `needs` the migration reaches itself that Helm
/// creates after the pre-install hooks, one for each other reason (`first`
/// and its reason named already; a StatefulSet behind a Service has the
/// Service's), as words to add: ` and Service/ch (the migration reaches …)`.
fn also_needed(ctx: &Context<'_>, needs: &[(usize, String)], first: &(usize, String)) -> String {
    let mut reasons = vec![first.1.as_str()];
    let mut more = Vec::new();
    for (d, why) in needs
        .iter()
        .filter(|(d, _)| !installed_before_hooks(ctx, *d))
    {
        // What the migration reaches itself; not what those reach in turn.
        if why.starts_with("the migration") && !reasons.contains(&why.as_str()) {
            reasons.push(why);
            more.push(format!("{} ({why})", ctx.object(*d)));
        }
    }
    match more.split_last() {
        None => String::new(),
        Some((last, [])) => format!(" and {last}"),
        Some((last, rest)) => format!(", {}, and {last}", rest.join(", ")),
    }
}

impl Place {
    /// The place of candidate `k`, given the migrations planned so far.
    pub(crate) fn of(
        ctx: &Context<'_>,
        release: &Release,
        k: usize,
        done: &[Option<Done>],
        target: Target,
    ) -> Place {
        let p = &release.placed[k];
        let after: Vec<Done> = p.after.iter().filter_map(|&a| done[a].clone()).collect();
        let needs = if p.phase == Phase::Pre {
            release.needs[k].clone()
        } else {
            Vec::new()
        };
        // A post hook runs after every regular resource of the release, the
        // database included: only a pre migration is held back by what it needs.
        // A regular migration before a post one is waited for with a gate.
        let pre = p.phase == Phase::Pre;
        // On an upgrade the release's objects exist before the pre-upgrade hooks.
        let on_install = pre && !release.upgrade_only[k];
        let hookable = if target != Target::Hooks {
            Err("--target gitops".to_string())
        } else if let Some(first) =
            first_regular_need(ctx, &release.needs[k]).filter(|_| on_install)
        {
            let more = also_needed(ctx, &release.needs[k], first);
            Err(format!(
                "it needs {} of this release ({}){more}, which {} not exist yet when a pre-install hook runs",
                ctx.object(first.0),
                first.1,
                if more.is_empty() { "does" } else { "do" }
            ))
        } else if let Some((sa, b)) = release.api_accounts[k]
            .as_ref()
            .and_then(|a| regular_binding(ctx, a))
            .filter(|_| on_install)
        {
            Err(format!(
                "its ServiceAccount {sa} gets its permissions from {} of this release, which does not exist yet when a pre-install hook runs",
                ctx.object(b)
            ))
        } else if let Some(d) = after.iter().find(|d| !d.hook).filter(|_| pre) {
            Err(format!(
                "it runs after {}, a regular resource of the release",
                d.original
            ))
        } else if let Some(j) = release.regular_follower(k) {
            // One form for the sequence: a chart's post hook would run after the
            // regular one that follows it, and a rerun, which no longer sees the
            // chart's hook events, must find the same form.
            Err(format!(
                "{} runs after it and stays a regular resource",
                release.names[j]
            ))
        } else {
            Ok(())
        };
        Place {
            phase: p.phase,
            phase_reason: p.phase_reason.clone(),
            rank: p.rank,
            pre_count: release.pre_count,
            explicit_after: p.order_reason == "premigrate.io/after",
            after,
            needs,
            data: release.needs[k].clone(),
            rollout: Vec::new(),
            gated_by: match pre {
                true => Vec::new(),
                false => (0..done.len())
                    .filter(|&j| release.placed[j].phase == Phase::Pre)
                    .filter_map(|j| done[j].clone())
                    .filter(|d| !d.hook)
                    .collect(),
            },
            hookable,
            originals: release.names.clone(),
        }
    }
}
