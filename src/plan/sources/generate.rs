//! Generation: a chart with no migration Job at all (the team ran it from CI)
//! gets one built from a workload's pod template and a command, from
//! `--migrate KIND/NAME=COMMAND` or the workload's `premigrate.io/migrate` annotation.

use crate::detect::Match;
use crate::diag::Error;
use crate::k8s::engines::own;
use crate::k8s::kinds::{is_template_kind, kind_of};
use crate::plan::context::{annotation, Context};
use crate::plan::model::Origin;
use crate::plan::sources::derive::{self, NewJob, Shape};
use crate::yaml::Value;

use super::beside::{beside_its_database, reached_beside};
use super::container::container_index;

/// One request to generate a Job.
pub(super) struct Request {
    /// The workload's document.
    pub(super) doc: usize,
    command: String,
    /// The container named to run it, if one is.
    pub(super) container: Option<String>,
    matched: Match,
    /// `--migrate deployment/web` or `the premigrate.io/migrate annotation`, for messages.
    pub(super) said: String,
}

/// Builds the Jobs that flags and annotations ask for.
pub(crate) fn find(ctx: &Context<'_>, workloads: &[usize]) -> Result<Vec<NewJob>, Error> {
    let mut requests: Vec<Request> = Vec::new();
    for spec in &ctx.cfg.migrate {
        let said = format!("--migrate {}/{}", spec.kind, spec.name);
        let kind = kind_of(&spec.kind).ok_or_else(|| {
            Error::new(format!("{said}: `{}` is not a workload kind", spec.kind)).help(
                "name a Deployment, StatefulSet, DaemonSet, ReplicaSet or Rollout, e.g. --migrate deployment/web='npm run db:migrate'",
            )
        })?;
        let doc = workloads
            .iter()
            .copied()
            .find(|&w| {
                ctx.kind(w) == kind
                    && ctx.index.entries[w].info.name.as_deref() == Some(spec.name.as_str())
            })
            .ok_or_else(|| {
                if let Some(hook) = hook_named(ctx, kind, &spec.name) {
                    return Error::at(
                        ctx.index.location(hook),
                        format!("{said}: {} is a Helm hook, not a workload of the release", ctx.object(hook)),
                    )
                    .help("premigrate builds migration Jobs from the release's long-running workloads; a migration the chart runs as a hook is found as it is (a Job), or reported (PM014: a bare Pod)");
                }
                let present: Vec<String> = workloads.iter().map(|&w| ctx.object(w)).collect();
                Error::new(format!(
                    "{said}: there is no {kind} named `{}` in the stream",
                    spec.name
                ))
                .help(if present.is_empty() {
                    "the stream has no workloads; check the chart and its values".to_string()
                } else {
                    format!("use one of: {}", present.join(", "))
                })
            })?;
        if requests.iter().any(|r| r.doc == doc) {
            return Err(
                Error::new(format!("{said} is given twice")).help("give one command per workload")
            );
        }
        requests.push(Request {
            doc,
            command: spec.command.clone(),
            container: ctx.cfg.migrate_container.clone(),
            matched: Match {
                rule: "--migrate",
                detail: format!("{}/{}='{}'", spec.kind, spec.name, spec.command),
            },
            said,
        });
    }
    for &w in workloads {
        let v = ctx.value(w).expect("workloads are parsed");
        let Some(cmd) = annotation(v, own::MIGRATE) else {
            continue;
        };
        let said = format!("the {} annotation of {}", own::MIGRATE, ctx.object(w));
        let req = Request {
            doc: w,
            command: cmd.to_string(),
            container: annotation(v, own::MIGRATE_CONTAINER)
                .map(str::to_string)
                .or_else(|| ctx.cfg.migrate_container.clone()),
            matched: Match {
                rule: "annotation",
                detail: format!("{}: {cmd:?}", own::MIGRATE),
            },
            said,
        };
        // The chart author's annotation outranks the flag: annotations have the highest precedence.
        requests.retain(|r| r.doc != w);
        requests.push(req);
    }
    requests.sort_by_key(|r| r.doc);
    requests.into_iter().map(|r| build(ctx, r)).collect()
}

/// Refuses a Job that could never complete, which the workload would wait for
/// forever: one whose command runs from a volume it leaves out, or serves
/// after it migrates (the container's own command, `ak server`).
fn runnable(
    ctx: &Context<'_>,
    r: &Request,
    (command, own): (&[String], Option<&Value>),
    d: &derive::Derived,
    fail: &dyn Fn(String, &str) -> Error,
) -> Result<(), Error> {
    // The container's own command serves (it is the app): whatever it runs
    // first, the Job would never complete (Bitnami's `…/entrypoint.sh …/run.sh`).
    // Also its first words (`node packages/backend` of Backstage's
    // `node packages/backend --config …`): the same server, its options left out.
    let tail = script_words(command);
    let forms: Vec<&[String]> = std::iter::once(command).chain(tail.as_deref()).collect();
    if own.is_some_and(|c| {
        let line = crate::detect::command_line(c);
        (forms.iter()).any(|f| !f.is_empty() && (line.starts_with(f) || serves_as(c, f)))
    }) {
        return Err(own_command(r, fail));
    }
    if let Some(server) = crate::detect::runs_a_server(command) {
        return Err(fail(
            format!("{}: the command runs `{server}`, a server that never exits: the Job would never complete, and the workload would wait for it forever", r.said),
            "give the command that only migrates, then exits",
        ));
    }
    if own.is_some_and(|c| runs_the_image_default(c, command)) {
        return Err(fail(
            format!("{}: `{}` is the program of the container's image, which it runs with no command or arguments: the server, which the Job would run for ever, and the workload would wait for it", r.said, command[0]),
            "give the command that only migrates, then exits; an app that migrates only as its server starts cannot migrate in a Job of its own: leave it there",
        ));
    }
    let image = own.and_then(|c| c.get("image")).and_then(Value::as_str);
    let left_out = with_linked(image.unwrap_or(""), &d.dropped_paths);
    if let Some((path, program)) = runs_from_left_out_volume(command, &left_out) {
        let does = if program { "runs" } else { "is given" };
        return Err(fail(
            format!("{}: the command {does} `{path}`, on a volume the Job cannot mount (a claim the workload's pods hold, or a StatefulSet's claim template): the Job would fail, and the workload would wait for it", r.said),
            "give a command the image itself holds; a migration that writes the app's volume (Nextcloud's `occ upgrade`) cannot run in a Job of its own: leave it in the app's start-up",
        ));
    }
    let pod = d.value.at(&["spec", "template", "spec"]);
    let container = pod
        .and_then(|p| p.get("containers"))
        .map(Value::items)
        .and_then(<[Value]>::first);
    let (Some(pod), Some(c)) = (pod, container) else {
        return Ok(());
    };
    if let Some(setting) = super::file_database(ctx, pod, c) {
        return Err(fail(
            format!("{}: the container's database is a file of each pod ({setting}): the Job would migrate a file of its own, never the app's, and open the gates", r.said),
            "leave the migration in the app's start-up; a Job migrates a database server the app shares (set the app to one, then --migrate)",
        ));
    }
    let scripts = |p: &str| ctx.sources.file(pod, p);
    let v = crate::detect::classify_container_with(c, &scripts, &ctx.rules);
    if v.kind != crate::detect::Kind::MigratesThenServes {
        // Last, as the tool table's reason is the better one: the server's
        // command with some of its options left out (Dex's `dex serve CONFIG`).
        let line = own.map(crate::detect::command_line);
        return match line.is_some_and(|l| forms.iter().any(|f| is_own_command(&l, f))) {
            true => Err(own_command(r, fail)),
            false => Ok(()),
        };
    }
    let tool = v.tool.and_then(crate::detect::tools::named);
    let help = match (v.command.as_deref(), tool) {
        (Some(c), _) => format!("give the command that only migrates, then exits (`{c}`)"),
        (None, Some(t)) if t.locked || t.migrate.is_empty() => format!(
            "{} has no command that only migrates, and migrates at start: leave it there (PM016)",
            t.name
        ),
        _ => "give the command that only migrates, then exits".to_string(),
    };
    Err(fail(
        format!("{}: the command serves after it migrates ({}): the Job would never complete, and the workload would wait for it forever", r.said, v.signals.first().map_or("", |s| s.detail.as_str())),
        &help,
    ))
}

/// The refusal of the container's own command, which serves.
fn own_command(r: &Request, fail: &dyn Fn(String, &str) -> Error) -> Error {
    fail(
        format!("{}: the command is the container's own, which serves: the Job would never complete, and the workload would wait for it forever", r.said),
        "give the command that only migrates, then exits",
    )
}

/// Whether `command` is one word naming the program of the container's image
/// (the last part of its repository: `woodpecker-server` for
/// `woodpeckerci/woodpecker-server`) while the container runs the image with
/// no command or arguments: the image's own server, which a Job would run
/// for ever (an app the tool table does not know).
fn runs_the_image_default(c: &Value, command: &[String]) -> bool {
    let [program] = command else { return false };
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let repo = crate::detect::image_repository(image);
    let name = repo.rsplit('/').next().unwrap_or(repo);
    let runs_default = c.get("command").is_none() && c.get("args").is_none();
    runs_default && !name.is_empty() && program.rsplit('/').next() == Some(name)
}

/// Programs that run a script named by their first argument (shells too: `crate::detect::is_shell`).
const INTERPRETERS: &[&str] = &[
    "php", "python", "python3", "node", "ruby", "perl", "bun", "deno",
];

/// The last part of a path.
fn base_name(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// Whether `command` is what container `c` runs as its server, written out
/// otherwise: the image's program with the container's arguments (Quickwit's
/// `quickwit run --service metastore` of `args: [run, --service,
/// metastore]`), or the last command of its shell script (RudderStack's
/// `/rudder-server` after `/wait-for … --`).
fn serves_as(c: &Value, command: &[String]) -> bool {
    let args: Vec<&str> = c.strings("args");
    let by_entrypoint = c.get("command").is_none()
        && !args.is_empty()
        && command.len() == args.len() + 1
        && command[1..].iter().zip(&args).all(|(a, b)| a == b);
    let own = crate::detect::command_line(c);
    let last = script_tail(&own);
    by_entrypoint || last.is_some_and(|l| !l.is_empty() && l == command.join(" "))
}

/// The words of the last statement of a `sh -c` script the command is: it
/// runs the server as plainly (`sh -c 'exec /openmrs/startup.sh'`).
fn script_words(command: &[String]) -> Option<Vec<String>> {
    // Only a shell's `-c` takes a script (`headscale configtest -c FILE` is none).
    let program = command.first().map(|p| base_name(p))?;
    if !crate::detect::is_shell(program) {
        return None;
    }
    script_tail(command).map(|t| t.split_whitespace().map(str::to_string).collect())
}

/// The last statement of the `-c` script of a command line, `exec` left out
/// (RudderStack's `/rudder-server` after `/wait-for … --`), if it runs one.
fn script_tail(line: &[String]) -> Option<&str> {
    let script = line
        .iter()
        .position(|w| w == "-c")
        .and_then(|i| line.get(i + 1))?;
    let tail = (script.rsplit(['\n', ';']).map(str::trim)).find(|l| !l.is_empty())?;
    let tail = tail.rsplit("&&").next()?.rsplit(" -- ").next()?.trim();
    Some(tail.strip_prefix("exec ").unwrap_or(tail).trim())
}

/// Whether `command` is the container's own command line `own`: its first
/// words, or its program and subcommand with some of its options left out
/// (Dex: `dex serve CONFIG` of `dex serve --web-http-addr ADDR CONFIG`).
fn is_own_command(own: &[String], command: &[String]) -> bool {
    if own.starts_with(command) {
        return true;
    }
    let (Some(prog), Some(own_prog)) = (command.first(), own.first()) else {
        return false;
    };
    let mut rest = own[1..].iter();
    command.len() >= 2
        && base_name(prog) == base_name(own_prog)
        && command[1] == *own.get(1).unwrap_or(&String::new())
        && command[1..].iter().all(|w| rest.by_ref().any(|o| o == w))
}

/// Images that keep the whole app on their claim and link it into the
/// app's folder (image, claim path, linked folder): Bitnami's Magento keeps
/// its code and `env.php` at `/bitnami/magento` and links them into
/// `/opt/bitnami/magento`, so a command under the second needs the first.
/// (Bitnami's Ghost links only its settings and content: its code stays the image's.)
const LINKED_FOLDERS: &[(&str, &str, &str)] = &[(
    "*bitnami/magento",
    "/bitnami/magento",
    "/opt/bitnami/magento",
)];

/// The mount paths the Job leaves out, with the folders image `image` links
/// from them ([`LINKED_FOLDERS`]).
fn with_linked(image: &str, left_out: &[String]) -> Vec<String> {
    let repo = crate::detect::image_repository(image).to_ascii_lowercase();
    let linked = LINKED_FOLDERS
        .iter()
        .filter(|(glob, from, _)| {
            crate::detect::glob(glob, &repo) && left_out.iter().any(|at| at == from)
        })
        .map(|(_, _, to)| to.to_string());
    left_out.iter().cloned().chain(linked).collect()
}

/// The path under one of `left_out` (the mount paths of the volumes the Job
/// leaves out) that `command` names, if any, and whether it is the program
/// itself: the program or script the Job would run is not there, or a file or
/// folder it is given (`-C /data/`, `--data-path=/data/`, `-C/data/`) is not.
fn runs_from_left_out_volume<'c>(
    command: &'c [String],
    left_out: &[String],
) -> Option<(&'c str, bool)> {
    let under = |w: &str| {
        w.starts_with('/')
            && left_out.iter().any(|at| {
                !at.is_empty()
                    && (w == at
                        || w.strip_prefix(at.as_str())
                            .is_some_and(|r| r.starts_with('/')))
            })
    };
    command.iter().enumerate().find_map(|(k, w)| {
        // A flag's value written in the flag's word: `--opt=PATH`, `-CPATH`.
        let value = match w.strip_prefix('-') {
            Some(flag) => match flag.split_once('=') {
                Some((_, v)) => v,
                None if !flag.starts_with('-') => flag.get(1..).unwrap_or(""),
                None => "",
            },
            None => w.as_str(),
        };
        // A script an interpreter runs is the program too (`php …/occ upgrade`).
        let first = base_name(&command[0]);
        let interpreter = INTERPRETERS.contains(&first) || crate::detect::is_shell(first);
        let program = k == 0 || (k == 1 && interpreter);
        under(value).then_some((value, program))
    })
}

/// The script of `sh [-x…] -c SCRIPT WORDS…` when it is one word and words
/// follow it: a script split by missing quotes, not a script and its `$0`.
fn unquoted_script(command: &[String]) -> Option<&str> {
    let shell = crate::detect::is_shell(base_name(&command[0]));
    let flags = command[1..]
        .iter()
        .take_while(|a| a.starts_with('-') && a.len() > 1 && !a.starts_with("--"))
        .count();
    let dash_c = command[1..=flags].iter().any(|f| f.contains('c'));
    let script = command.get(1 + flags)?;
    (shell && dash_c && !script.contains(char::is_whitespace) && command.len() > 2 + flags)
        .then_some(script.as_str())
}

/// A Helm hook of kind `kind` named `name`: not among the workloads, which are
/// the release's regular objects (Airbyte's bootloader Pod).
fn hook_named(ctx: &Context<'_>, kind: &str, name: &str) -> Option<usize> {
    (0..ctx.index.entries.len()).find(|&i| {
        ctx.kind(i) == kind
            && ctx.index.entries[i].info.name.as_deref() == Some(name)
            && ctx
                .value(i)
                .is_some_and(|v| annotation(v, crate::k8s::engines::HELM_HOOK).is_some())
    })
}

/// The init containers a Job generated from this workload leaves out: those
/// extracted as Jobs of their own (as the workload loses them, else the next run
/// builds a different Job), and the chart's gates that wait for migrations (a
/// migration waiting for a migration, maybe itself, is ordered by premigrate's
/// own gates instead).
fn leave_out(ctx: &Context<'_>, v: &Value, pod: &Value) -> Vec<usize> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    let chart_gates: Vec<String> = crate::plan::graph::chart_gates::find(pod)
        .into_iter()
        .map(|g| g.container)
        .collect();
    (0..inits.len())
        .filter(|&j| {
            crate::plan::sources::extract::is_extracted(ctx, v, &inits[j])
                || inits[j]
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| chart_gates.iter().any(|g| g == n))
        })
        .collect()
}

/// A Job of the stream, other than one built from `object` on an earlier run, whose
/// name (before hashing, without a render-time stamp) is `name`: two migrations
/// under one name would collide.
fn name_taken(ctx: &Context<'_>, name: &str, object: &str) -> Option<usize> {
    (0..ctx.index.entries.len()).find(|&i| {
        let Some(v) = ctx.value(i).filter(|_| ctx.kind(i) == "Job") else {
            return false;
        };
        crate::plan::context::original_name(v) == Some(name)
            && annotation(v, own::DERIVED_FROM) != Some(object)
    })
}

fn build(ctx: &Context<'_>, r: Request) -> Result<NewJob, Error> {
    let object = ctx.object(r.doc);
    let fail = |msg: String, help: &str| Error::at(ctx.index.location(r.doc), msg).help(help);
    if !is_template_kind(ctx.kind(r.doc)) {
        return Err(fail(
            format!("{}: premigrate builds migration Jobs from workloads with a pod template, not from a {}", r.said, ctx.kind(r.doc)),
            "name a Deployment, StatefulSet, DaemonSet, ReplicaSet or Rollout",
        ));
    }
    let v = ctx.value(r.doc).expect("workloads are parsed");
    let Some(pod) = v.at(&["spec", "template", "spec"]) else {
        return Err(fail(
            format!(
                "{}: {object} has no pod template (spec.template.spec)",
                r.said
            ),
            "fix the chart so the workload renders a pod template",
        ));
    };
    let command = crate::plan::sources::shell::split(&r.command).map_err(|e| {
        let said = format!(
            "{}: cannot read the command `{}`: {e}",
            r.said,
            r.command.escape_debug()
        );
        fail(
            said,
            "quote it as a shell would, or run it through a shell: sh -c '…'",
        )
    })?;
    if command.is_empty() {
        return Err(fail(
            format!("{}: the command is empty", r.said),
            "give the command that migrates, e.g. npm run db:migrate",
        ));
    }
    if let Some(script) = unquoted_script(&command) {
        return Err(fail(
            format!("{}: `-c` runs only `{script}` as the script: the words after it become its $0, $1…, so the Job would run `{script}` alone", r.said),
            "quote the script as one word: sh -c 'python manage.py migrate'",
        ));
    }
    let index = container_index(ctx, &r, &object, v, pod, &fail)?;
    let wname = ctx.index.entries[r.doc]
        .info
        .name
        .clone()
        .unwrap_or_default();
    let name = format!("{wname}-migrate");
    if let Some(other) = name_taken(ctx, &name, &object) {
        return Err(fail(
            format!("{}: the Job it would build, {name}, has the name of {} (document {})", r.said, ctx.object(other), other + 1),
            "the chart already has that migration: mark it with premigrate.io/migration: \"true\" instead of generating one",
        ));
    }
    let d = derive::derive(
        ctx,
        r.doc,
        &name,
        &Shape::Generate {
            container: index,
            command: command.clone(),
            leave_out: leave_out(ctx, v, pod),
        },
        &derive::marks(&object, true),
    )?;
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    beside_its_database(&r, (containers, index), &fail)?;
    reached_beside(ctx, &r, (containers, index), &fail)?;
    runnable(ctx, &r, (&command, containers.get(index)), &d, &fail)?;
    Ok(NewJob {
        job: d,
        origin: Origin::Generated { from: object },
        matched: r.matched,
        from: r.doc,
        carriers: vec![],
    })
}

#[cfg(test)]
#[path = "generate_tests.rs"]
mod tests;
