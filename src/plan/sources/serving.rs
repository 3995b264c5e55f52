//! App containers that migrate, then serve (`migrate && exec server`, or an env
//! switch such as `RUN_MIGRATIONS=true`): every replica migrates on start and
//! races the others. premigrate leaves the app's own command alone, so it says so
//! (PM011) with the fix: a Job generated from the workload with `--migrate`.

use crate::detect::{Kind, Verdict};
use crate::diag::codes;
use crate::k8s::kinds::is_template_kind;
use crate::plan::context::{annotation, Context};
use crate::plan::model::{Origin, Phase, Plan};
use crate::yaml::Value;

/// Notes every app container of a long-running workload that migrates, then
/// serves, unless a Job is already generated from that workload (the user took
/// the fix) or detection is off.
pub(crate) fn warn(ctx: &Context<'_>, plan: &mut Plan) {
    if !ctx.cfg.detect {
        return;
    }
    let todo: Vec<usize> = (0..ctx.index.entries.len())
        .filter(|&doc| {
            let kind = ctx.kind(doc);
            is_template_kind(kind) && !matches!(kind, "Job" | "CronJob")
        })
        .filter(|&doc| {
            let object = ctx.object(doc);
            !plan
                .migrations
                .iter()
                .any(|m| matches!(&m.origin, Origin::Generated { from } if *from == object))
        })
        .collect();
    let migrated = migrated_images(ctx, plan);
    let job_sources = job_env_sources(plan);
    // Every app container is classified: a big stream's are spread over the cores.
    let size = |doc: usize| ctx.index.stream.doc_text(doc).len();
    // Autoscalers are identified, not read: charts name one after its target.
    let autoscaled: Vec<&str> = (ctx.index.entries.iter())
        .filter(|e| e.info.kind.as_deref() == Some("HorizontalPodAutoscaler"))
        .filter_map(|e| e.info.name.as_deref())
        .collect();
    let found = crate::par::map(&todo, size, |doc| {
        serving(ctx, doc, (&migrated, &autoscaled), &job_sources)
    });
    // Workloads that run one image with one tool (Kestra's five server
    // components) are one note: one Job migrates for all of them.
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut notes: Vec<(usize, crate::diag::Code, String, Vec<String>)> = Vec::new();
    for (doc, found) in found {
        for (code, message, key) in found {
            match seen.iter().find(|(k, _)| *k == key) {
                Some(&(_, at)) => notes[at].3.push(ctx.object(doc)),
                None => {
                    seen.push((key, notes.len()));
                    notes.push((doc, code, message, Vec::new()));
                }
            }
        }
    }
    for (doc, code, message, also) in notes {
        let then = match code == codes::PM016 {
            true => "the same holds for them",
            false => "the one Job migrates for them too",
        };
        let message = match also.is_empty() {
            true => message,
            false => format!("{message}; {} run the same image: {then}", also.join(", ")),
        };
        plan.note(code, Some(doc), message);
    }
}

/// The images (namespace, repository) the migrations that run before the
/// workloads run: an app container of one of them finds nothing left to
/// migrate at start once its pods wait for that Job (Dify's api beside the
/// chart's `upgrade-db` Job; n8n's worker after `--migrate deployment/n8n`).
fn migrated_images(ctx: &Context<'_>, plan: &Plan) -> Vec<(String, String)> {
    let pre = plan.migrations.iter().filter(|m| m.phase == Phase::Pre);
    pre.flat_map(|m| {
        let containers = m.pod.get("containers").map(Value::items).unwrap_or(&[]);
        containers.iter().filter_map(|c| {
            let image = c.get("image").and_then(Value::as_str)?;
            let ns = ctx.effective_ns(m.doc);
            Some((ns, crate::detect::image_repository(image).to_string()))
        })
    })
    .collect()
}

/// The config sources (`ConfigMap/name`, `Secret/name`) each migration's
/// containers read whole (`envFrom`), with the image repository that reads them.
fn job_env_sources(plan: &Plan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for m in &plan.migrations {
        for c in crate::k8s::containers(&m.pod) {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let repo = crate::detect::image_repository(image).to_string();
            out.extend(
                crate::detect::env_from_names(c)
                    .into_iter()
                    .map(|s| (s, repo.clone())),
            );
        }
    }
    out
}

/// Whether the generic switch that makes container `c` migrate at start
/// reaches it only from a config source a migration Job of another image
/// reads too: the Job's setting (Agenta's `AGENTA_AUTO_MIGRATIONS`, read by
/// the alembic Job's runner), not the app's.
fn jobs_switch(c: &Value, with_env: &Value, job_sources: &[(String, String)]) -> bool {
    let Some((_, switch)) = crate::detect::on_switch(with_env) else {
        return false;
    };
    let name = switch.split('=').next().unwrap_or("");
    let own = crate::k8s::env_values(c).any(|(_, n, _)| n == name);
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let repo = crate::detect::image_repository(image);
    let mine = crate::detect::env_from_names(c);
    let shared: Vec<&(String, String)> = job_sources
        .iter()
        .filter(|(s, _)| mine.contains(s))
        .collect();
    !own && !shared.is_empty() && shared.iter().all(|(_, r)| r != repo)
}

/// The PM011 messages for the containers of workload `doc` that migrate, then
/// serve, and run no image a migration of the stream runs (`migrated`), each
/// with what makes it the same as another workload's (code, namespace, image
/// repository and tool). `autoscaled`: the names of the stream's autoscalers.
fn serving(
    ctx: &Context<'_>,
    doc: usize,
    (migrated, autoscaled): (&[(String, String)], &[&str]),
    job_sources: &[(String, String)],
) -> Vec<(crate::diag::Code, String, String)> {
    let Some(v) = ctx.value(doc) else {
        return vec![];
    };
    if ctx.generated.contains(&doc) || annotation(v, crate::k8s::engines::HELM_HOOK).is_some() {
        return vec![];
    }
    let Some(pod) = v.at(crate::k8s::POD_TEMPLATE_SPEC) else {
        return vec![];
    };
    let scripts = |p: &str| ctx.sources.file(pod, p);
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let object = ctx.object(doc);
    // One replica, written or by default, and no autoscaler of its name.
    let name = ctx.index.entries[doc].info.name.as_deref().unwrap_or("");
    let single = ctx.kind(doc) != "DaemonSet"
        && !autoscaled.contains(&name)
        && matches!(v.at(&["spec", "replicas"]), None | Some(Value::Int(1)));
    containers
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let repo = crate::detect::image_repository(image);
            let ns = ctx.effective_ns(doc);
            !migrated.iter().any(|(n, r)| *n == ns && r == repo)
        })
        .filter_map(|(i, c)| {
            // A migration switch, or a database setting, can come from a
            // ConfigMap or Secret (envFrom).
            let with_env = ctx.sources.detection_env(c);
            let verdict = crate::detect::classify_container_with(&with_env, &scripts, &ctx.rules);
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let repo = crate::detect::image_repository(image);
            // A container that only migrates (then idles, or ends and is
            // restarted) in a long-running pod: PM020, advised as PM011 is.
            let acts = verdict.is_migration()
                && match verdict.kind {
                    Kind::MigratesThenServes => true,
                    Kind::Migration => {
                        crate::detect::idles_after_migration(c, &scripts, &ctx.rules)
                    }
                    _ => false,
                };
            // A database in a file its config names (Headscale's `type:
            // sqlite`) is the pod's own: nothing shared to race for.
            let own_file = || super::file_database(ctx, pod, c).is_some();
            let jobs_switch = || verdict.tool.is_none() && jobs_switch(c, &with_env, job_sources);
            (acts && !own_file() && !jobs_switch()).then(|| {
                let (code, text) = match verdict.kind {
                    Kind::Migration => {
                        only_migrates(&object, (c, i), &verdict, &scripts, &ctx.rules)
                    }
                    _ => message((&object, single), (c, i), &verdict, &scripts, &ctx.rules),
                };
                let tool = verdict.tool.unwrap_or("");
                let key = format!("{}|{}|{repo}|{tool}", code.code, ctx.effective_ns(doc));
                (code, text, key)
            })
        })
        .collect()
}

/// What the container does, and the `--migrate` that runs the migration once
/// (PM011); for a tool with no command that only migrates, that migrates
/// under its own lock or has no command that migrates at all, that
/// premigrate leaves it alone (PM016).
fn message(
    (object, single): (&str, bool),
    (c, index): (&Value, usize),
    v: &Verdict,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &crate::detect::Rules,
) -> (crate::diag::Code, String) {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
    let why: Vec<&str> = v.signals.iter().map(|s| s.detail.as_str()).collect();
    // No Job can run it: it migrates only as it starts to serve (under its
    // own lock, or with none and no command of it migrating: Vaultwarden).
    let no_job = v.tool.and_then(crate::detect::tools::named).filter(|t| {
        !t.serves.is_empty() && v.command.is_none() && (t.locked || t.migrate.is_empty())
    });
    if let Some(t) = no_job {
        let how = match (t.locked, single) {
            (true, _) => "migrates under its own lock, one pod at a time,",
            (false, false) => "migrates at start with no lock (on a fresh database the pods race: the losers fail and restart)",
            (false, true) => "migrates at start with no lock (one pod here; with more, on a fresh database they would race: the losers fail and restart)",
        };
        return (codes::PM016, format!(
            "{object}: container `{name}` migrates, then serves ({}): {} {how} and has no command that only migrates, so premigrate leaves it alone (a Job running its serving command would never complete); a failed migration crash-loops the new pods",
            why.join("; "),
            t.name
        ));
    }
    // A tool whose serving command migrates first (`ak server`, n8n, an
    // image's entrypoint): its own migration finds nothing left to do once
    // the Job ran, and the Job runs the tool's command that only migrates.
    let serving_tool = v
        .tool
        .and_then(crate::detect::tools::named)
        .filter(|t| !t.serves.is_empty());
    let command = advice_command(c, v, scripts, rules).replace('\'', "'\\''");
    let switched = v
        .signals
        .iter()
        .any(|s| s.kind == crate::detect::SignalKind::Env);
    let container = container_flag(name, index);
    let then = match (serving_tool, &v.command) {
        (Some(t), None) => format!(
            " ({} has no command that only migrates: COMMAND is one that migrates, then exits); the app's own start-up migration then finds nothing to do",
            t.name
        ),
        (Some(_), Some(_)) => "; the app's own start-up migration then finds nothing to do (turn it off if the image has a switch)".to_string(),
        (None, None) => " and turn the switch off".to_string(),
        (None, Some(_)) if switched => " and turn the switch off".to_string(),
        (None, Some(_)) => ", then drop the migration from the container's command".to_string(),
    };
    let risk = match (serving_tool.is_some_and(|t| t.locked), single) {
        (true, _) => "every pod migrates on start, under a lock, so one migrates at a time (the others wait for it, or give up and restart), but a failed migration crash-loops the app instead of failing one Job",
        (false, false) => "every pod migrates on start, racing the others",
        (false, true) => "every pod migrates on start (one replica here: more would race) and a failed migration crash-loops the app instead of failing one Job",
    };
    (codes::PM011, format!(
        "{object}: container `{name}` migrates, then serves ({}): {risk}; premigrate leaves the app's command alone. Run the migration once, in a Job: --migrate {}='{command}'{container} (or the annotation premigrate.io/migrate on the workload's own metadata){then}{}",
        why.join("; "),
        object.to_ascii_lowercase(),
        set_up_only(&command),
    ))
}

/// What a container of a long-running workload that only migrates does, and
/// the `--migrate` that runs its migration once (PM020).
fn only_migrates(
    object: &str,
    (c, index): (&Value, usize),
    v: &Verdict,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &crate::detect::Rules,
) -> (crate::diag::Code, String) {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
    let why: Vec<&str> = v.signals.iter().map(|s| s.detail.as_str()).collect();
    let command = advice_command(c, v, scripts, rules).replace('\'', "'\\''");
    let container = container_flag(name, index);
    (codes::PM020, format!(
        "{object}: container `{name}` only migrates ({}), then idles: every pod runs the migration each time it starts, in every replica and on every rollout; premigrate leaves the container alone. Run the migration once, in a Job: --migrate {}='{command}'{container} (or the annotation premigrate.io/migrate on the workload's own metadata), then take the migration out of the workload (the chart value that adds it, or the container){}",
        why.join("; "),
        object.to_ascii_lowercase(),
        set_up_only(v.command.as_deref().filter(|_| command == "COMMAND").unwrap_or(&command)),
    ))
}

/// The `--migrate-container` an advice needs: none for the first container.
fn container_flag(name: &str, index: usize) -> String {
    match index {
        0 => String::new(),
        _ => format!(" --migrate-container {name}"),
    }
}

/// A clause for advice whose command only sets up an empty database (PM018):
/// as a Job named by its content, it fails on the database it set up.
fn set_up_only(command: &str) -> String {
    let c = Value::map([(
        "args",
        Value::Seq([Value::str(command)].into_iter().collect()),
    )]);
    match crate::detect::set_up_only(&c) {
        Some(cmd) => format!("; `{cmd}` only sets up an empty database and fails on one it set up (PM018): give the Job the tool's idempotent form (`rails db:prepare`, `init || migrate`)"),
        None => String::new(),
    }
}

/// The command a Job should run, as PM011 advises it: the tool's command
/// that only migrates, or the container's own steps up to its migration as
/// written (several, or one that expands a variable: through `sh -c`), or
/// `COMMAND` when neither is known. Never detection's reading of a command
/// (`yarn-run db:migrate`, an entrypoint replaced by the image's name): a Job
/// running that could only fail, and the workloads wait for it.
fn advice_command(
    c: &Value,
    v: &Verdict,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &crate::detect::Rules,
) -> String {
    let Some(found) = v.command.as_deref() else {
        return "COMMAND".to_string();
    };
    if v.tool.and_then(crate::detect::tools::migrate_only) == Some(found) {
        return found.to_string();
    }
    match crate::detect::migration_steps(c, scripts, rules) {
        Some(steps) if steps.len() == 1 && !steps[0].contains('$') => steps[0].clone(),
        Some(steps) => {
            let script = steps.join(" && ");
            let mut quoted = String::new();
            for ch in script.chars() {
                if matches!(ch, '"' | '\\' | '`') {
                    quoted.push('\\');
                }
                quoted.push(ch);
            }
            format!("sh -c \"{quoted}\"")
        }
        None => "COMMAND".to_string(),
    }
}
