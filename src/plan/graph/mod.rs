//! The release as a graph: which objects are data services, migrations, their
//! config, apps; in which order they must start; and a check that the order each
//! engine will follow can never hang.

pub mod chart_gates;
pub mod deadlock;
pub mod model;
pub mod order;
pub mod release;
pub mod roles;

use std::borrow::Cow;
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

/// Checks the rewritten stream on every engine that reads it. A hang the input
/// does not have is an error (premigrate never writes such a stream); one the
/// chart has without premigrate too is a warning. The verdicts go in the plan.
pub fn verdicts(
    input: &Index<'_>,
    (sources, readings): (&[Source], &BTreeMap<usize, Option<Value>>),
    plan: &mut Plan,
) -> Result<(), Error> {
    if plan.migrations.is_empty() {
        return Ok(());
    }
    let engines = match plan.target {
        Some(Target::Hooks) => Engine::HOOKS,
        _ => Engine::GITOPS,
    };
    let in_docs = model::docs(input);
    let out_nodes = model::nodes(
        &output_docs(&in_docs, (sources, readings), plan)?,
        &facts(input, plan, false),
    );
    let in_nodes = model::nodes(&in_docs, &facts(input, plan, true));
    for &engine in engines {
        let deadlock = deadlock::check(&out_nodes, engine).err();
        let inherited = deadlock.is_some() && deadlock::check(&in_nodes, engine).is_err();
        if let (Some(d), false) = (&deadlock, inherited) {
            return Err(refusal(input, d));
        }
        if let Some(d) = &deadlock {
            plan.note(
                crate::diag::codes::PM210,
                None,
                format!(
                    "the chart never finishes rolling out under {} — without premigrate too: {d}",
                    engine.name()
                ),
            );
        }
        plan.verdicts.push(Verdict {
            engine,
            deadlock,
            inherited,
        });
    }
    Ok(())
}

/// The output's documents: an unchanged input document is the input's (its
/// value borrowed, not read again), an edited one is what its edit's
/// self-check read from the text written, and an added one is read.
fn output_docs<'a>(
    input: &'a [model::Doc<'a>],
    (sources, readings): (&[Source], &'a BTreeMap<usize, Option<Value>>),
    plan: &Plan,
) -> Result<Vec<model::Doc<'a>>, Error> {
    let internal = |j: usize, why: String| {
        Error::new(format!(
            "internal error: output document {} does not read ({why}); please report it",
            j + 1
        ))
    };
    sources
        .iter()
        .enumerate()
        .map(|(j, s)| match *s {
            Source::Input { doc, changed } => match (changed, readings.get(&doc)) {
                (true, Some(value)) => Ok(model::Doc::of_value(value.as_ref())),
                _ => Ok(model::Doc {
                    info: Cow::Borrowed(&*input[doc].info),
                    value: input[doc].value.as_deref().map(Cow::Borrowed),
                }),
            },
            Source::Added(k) => {
                model::Doc::read(&plan.added[k].text).map_err(|why| internal(j, why))
            }
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
                true => input.entries[m.doc].info.name.clone().unwrap_or_default(),
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
                        info.kind.clone().unwrap_or_default(),
                        info.name.clone().unwrap_or_default(),
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
