//! The release as a graph: which objects are data services, migrations, their
//! config, apps; in which order they must start; and a check that the order each
//! engine will follow can never hang.

pub mod argo;
pub mod chart_gates;
pub mod deadlock;
mod filled;
pub mod hosts;
pub mod images;
mod lookup;
pub mod model;
mod operated;
pub mod order;
mod prepares;
mod reach;
pub mod release;
pub mod roles;
mod schema_wait;
pub mod service_waits;
pub(crate) mod sidecar;
pub mod uses;
pub mod why;

use std::collections::BTreeMap;

use crate::apply::Source;
use crate::config::Target;
use crate::diag::Error;
use crate::index::Index;
use crate::plan::model::{Phase, Plan, Verdict};
use crate::yaml::Value;
use deadlock::{Deadlock, Engine};
use model::MigrationFact;

/// Runs the deadlock check of every engine in `engines` over a stream; the hangs found.
pub fn check(index: &Index<'_>, migrations: &[MigrationFact], engines: &[Engine]) -> Vec<Deadlock> {
    let nodes = model::nodes(&model::docs(index), migrations);
    engines
        .iter()
        .filter_map(|e| deadlock::check(&nodes, *e).err())
        .collect()
}

/// What the deadlock check keeps of an edited document's reading: its model
/// draft against the output's migrations (`None` when the plan has no
/// migration: then nothing is checked). See `crate::apply::apply`.
pub fn reading_summary(
    input: &Index<'_>,
    plan: &Plan,
) -> impl Fn(Option<Value>) -> Option<model::Draft> + Sync {
    let migrations = (!plan.migrations.is_empty()).then(|| facts(input, plan, false));
    move |reading| {
        let m = migrations.as_ref()?;
        Some(model::draft(&model::Doc::of_value(reading.as_ref()), m))
    }
}

/// Checks the rewritten stream on every engine that reads it. A hang the input
/// does not have is an error (premigrate never writes such a stream); one the
/// chart has without premigrate too is a warning. The verdicts go in the plan.
/// `drafts`: the edited documents' ([`reading_summary`]).
pub fn verdicts(
    input: &Index<'_>,
    (sources, drafts): (&[Source], BTreeMap<usize, Option<model::Draft>>),
    plan: &mut Plan,
) -> Result<(), Error> {
    if plan.migrations.is_empty() {
        return Ok(());
    }
    let engines = engines_of(plan);
    let in_docs = model::docs(input);
    let out_nodes = model::resolve(output_drafts(
        &in_docs,
        (sources, drafts),
        plan,
        &facts(input, plan, false),
    )?);
    // The input's model only says whether a hang is the chart's own: built
    // when the output hangs (a second model of a big stream was its peak).
    let in_facts = facts(input, plan, true);
    let in_nodes = std::cell::OnceCell::new();
    let in_nodes = || in_nodes.get_or_init(|| model::nodes(&in_docs, &in_facts));
    for &engine in engines {
        let deadlock = deadlock::check(&out_nodes, engine).err();
        let inherited = deadlock.is_some() && deadlock::check(in_nodes(), engine).is_err();
        if let (Some(d), false) = (&deadlock, inherited) {
            return Err(refusal(input, d));
        }
        if let Some(d) = &deadlock {
            note_inherited(plan, engine, d);
        }
        plan.verdicts.push(Verdict {
            engine,
            deadlock,
            inherited,
        });
    }
    Ok(())
}

/// A stream premigrate leaves as it is (no migration) that never finishes
/// rolling out on an engine of its target: PM210, as for a chart that hangs
/// with its migration (Rocket.Chat's PreSync Job mounts a Sync-phase
/// ConfigMap under Argo CD). The migrations' facts are none: only what the
/// chart itself orders. Only a cycle is said: a wait for an object no engine
/// applies may end when a Job of the chart makes it (Synapse's signing key,
/// an Argo CD `Skip` Secret its hook Job writes), which the model cannot see.
pub fn hangs_of_the_chart(input: &Index<'_>, plan: &mut Plan) {
    if !plan.migrations.is_empty() || !may_wait(input) {
        return;
    }
    let docs = model::docs(input);
    let nodes = model::nodes(&docs, &[]);
    for &engine in engines_of(plan) {
        match deadlock::check(&nodes, engine) {
            Err(d) if d.cycle => note_inherited(plan, engine, &d),
            _ => {}
        }
    }
}

/// Whether an object of the stream can wait for another: only a pod (its
/// gates and mounts) or a kapp change rule waits, so a stream with neither
/// (a KRM list of 20k ConfigMaps) has no cycle, and its model (half of that
/// run's peak memory) is not made.
fn may_wait(input: &Index<'_>) -> bool {
    let pods = (input.entries.iter())
        .any(|e| e.info.kind.as_deref().is_some_and(crate::k8s::has_pod_spec));
    pods || crate::stream::mentions(input.stream.text, &["kapp.k14s.io/change-rule"])
}

/// The engines whose order the plan's target writes for.
fn engines_of(plan: &Plan) -> &'static [Engine] {
    match plan.target {
        Some(Target::Hooks) => Engine::HOOKS,
        _ => Engine::GITOPS,
    }
}

/// PM210: a hang the chart has without premigrate too.
fn note_inherited(plan: &mut Plan, engine: Engine, d: &deadlock::Deadlock) {
    plan.note(
        crate::diag::codes::PM210,
        None,
        format!(
            "the chart never finishes rolling out under {} — without premigrate too: {d}",
            engine.name()
        ),
    );
}

/// The drafts of the output's documents: an unchanged input document's is
/// made from the input's value (not read again), an edited one's was made
/// from what its edit's self-check read from the text written, and an added
/// one is read.
fn output_drafts(
    input: &[model::Doc<'_>],
    (sources, mut drafts): (&[Source], BTreeMap<usize, Option<model::Draft>>),
    plan: &Plan,
    migrations: &[MigrationFact],
) -> Result<Vec<model::Draft>, Error> {
    let internal = |j: usize, why: String| {
        Error::new(format!(
            "internal error: output document {} does not read ({why}); please report it",
            j + 1
        ))
    };
    let all: Vec<usize> = (0..sources.len()).collect();
    // Unchanged documents' drafts on every core, as the input's are.
    let made = crate::par::map(
        &all,
        |_| 2048,
        |j| match sources[j] {
            Source::Input {
                doc,
                changed: false,
            } => Some(Ok(model::draft(&input[doc], migrations))),
            Source::Input { .. } => None,
            Source::Added(k) => Some(
                model::Doc::read(&plan.added[k].text)
                    .map(|d| model::draft(&d, migrations))
                    .map_err(|why| internal(j, why)),
            ),
        },
    );
    made.into_iter()
        .map(|(j, d)| match (d, sources[j]) {
            (Some(d), _) => d,
            (None, Source::Input { doc, .. }) => drafts
                .remove(&doc)
                .flatten()
                .ok_or_else(|| internal(j, "its edit was not read back".into())),
            (None, Source::Added(_)) => unreachable!("added documents are drafted above"),
        })
        .collect()
}

/// What the model needs to know of each migration: its name in the stream checked,
/// and the data services it needs.
fn facts(input: &Index<'_>, plan: &Plan, as_input: bool) -> Vec<MigrationFact> {
    plan.migrations
        .iter()
        .filter(|m| !as_input || m.origin == crate::plan::model::Origin::Job)
        .map(|m| MigrationFact {
            name: match as_input {
                true => input.entries[m.doc]
                    .info
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .to_string(),
                false => m.name.clone(),
            },
            namespace: m.namespace.clone(),
            pre: m.phase == Phase::Pre,
            needs: m
                .needs
                .iter()
                .map(|(d, why)| {
                    let info = &input.entries[*d].info;
                    (
                        info.kind.as_deref().unwrap_or_default().to_string(),
                        info.name.as_deref().unwrap_or_default().to_string(),
                        why.clone(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// The error for a stream that would hang: where, the chain of waits, what to do.
fn refusal(input: &Index<'_>, d: &Deadlock) -> Error {
    let first = d.chain.first().map(|c| c.0.as_str()).unwrap_or("");
    let doc = input
        .entries
        .iter()
        .position(|e| !e.info.blank && e.info.object() == first);
    let msg = format!("the rewritten stream would never finish rolling out: {d}");
    let help = "break the cycle: a data service must not wait for a migration (premigrate.io/wait-for, --gate KIND/NAME), and a migration must not wait for what runs after it (premigrate.io/after, premigrate.io/phase)";
    match doc {
        Some(i) => Error::at(input.location(i), msg).help(help),
        None => Error::new(msg).help(help),
    }
}
