//! PM502 `migrate-then-serve`.
//!
//! ## What it does
//! Finds an app container of a workload with more than one pod that runs a
//! migration before it serves (`migrate && exec server`), or an entrypoint
//! switch such as `RUN_MIGRATIONS=true`. Scripts mounted from the stream's
//! ConfigMaps and switches set through `envFrom` count; a container whose image
//! a migration of the release runs first does not (it finds nothing to do), nor
//! does a tool that migrates under its own lock with no command that only
//! migrates (the post-renderer's PM016: no Job can run it).
//!
//! ## Why is this bad?
//! Each pod migrates on start: the replicas race for the schema, and a failed
//! migration crash-loops the whole app instead of failing one Job.
//!
//! ## Example
//! ```yaml
//! kind: Deployment
//! spec:
//!   replicas: 2
//!   template:
//!     spec:
//!       containers:
//!         - name: web
//!           command: [sh, -c, "python manage.py migrate && exec gunicorn app"]
//! ```
//!
//! ## Fix
//! Not fixed by the post-renderer (the app's own command is left alone). Run the
//! migration in a Job (`premigrate.io/migrate: "python manage.py migrate"` on the
//! workload generates one) and turn the switch off.

use super::{at, Fix, Rule};
use crate::detect::SignalKind;
use crate::diag::codes::PM502;
use crate::lint::{Cx, Hit};
use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM502,
    name: "migrate-then-serve",
    fix: Fix::No,
    engines: "all",
    check,
};

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for doc in 0..cx.docs() {
        if matches!(cx.kind(doc), "Job" | "CronJob" | "Pod") {
            continue;
        }
        let (Some(pod), Some(pod_path)) = (cx.pod(doc), cx.pod_path(doc)) else {
            continue;
        };
        let Some(why) = cx.many_pods(doc) else {
            continue;
        };
        let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
        // Scripts the containers run from the stream's ConfigMaps, as the
        // post-renderer's PM011 reads them.
        let scripts = |p: &str| cx.sources.file(pod, p);
        for (i, c) in containers.iter().enumerate() {
            let mut base = at(&pod_path, &["containers"]);
            base.push(Seg::Index(i));
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            if migrated_before(cx, c) {
                continue; // its own migration finds nothing left to do
            }
            // A switch can come from a ConfigMap or Secret (envFrom).
            let with_env = cx.sources.detection_env(c);
            let said = crate::detect::classify_container_with(&with_env, &scripts, &cx.rules);
            if said.is_excluded() {
                continue; // the user said it is no migration
            }
            // A tool that migrates under its own lock and has no command that
            // only migrates (Coder, Rocket.Chat): the pods take turns, and no
            // Job can run it (the post-renderer's PM016).
            let locked_only = said
                .tool
                .and_then(crate::detect::tools::named)
                .is_some_and(|t| t.locked && !t.serves.is_empty() && said.command.is_none());
            if locked_only {
                continue;
            }
            // An env switch (detection's own reading of it): the env entry is the place.
            let by_env = said.signals.iter().find(|s| s.kind == SignalKind::Env);
            let (path, what) = if let Some((j, var)) =
                crate::detect::on_switch(c).filter(|_| by_env.is_some() || !said.is_migration())
            {
                let mut p = at(&base, &["env"]);
                p.push(Seg::Index(j));
                (p, format!("sets {var}"))
            } else if let Some(s) = by_env.filter(|_| c.get("envFrom").is_some()) {
                (at(&base, &["envFrom"]), s.detail.clone())
            } else if let Some(m) = crate::detect::migration_command_in(c, &scripts, &cx.rules) {
                let key = if c.get("command").is_some() {
                    "command"
                } else {
                    "args"
                };
                (at(&base, &[key]), m.detail)
            } else if let Some(m) = post_start_migration(c, &scripts, &cx.rules) {
                let hook = ["lifecycle", "postStart", "exec", "command"];
                (
                    at(&base, &hook),
                    format!("its postStart hook, run beside the server, {}", m.detail),
                )
            } else {
                continue;
            };
            let advice = start_only_advice(&said);
            out.push(Hit::new(
                PM502,
                doc,
                path,
                format!(
                    "{}: container `{name}` migrates before it serves ({what}) in every pod ({why}){advice}",
                    cx.object(doc)
                ),
                false,
            ));
        }
    }
}

/// The migration a container's `postStart` hook runs, if any (GLPI's chart
/// runs `bin/console db:install` there): in every pod as it starts, beside
/// the server, as a start-up migration is.
fn post_start_migration(
    c: &Value,
    scripts: &dyn Fn(&str) -> Option<String>,
    rules: &crate::detect::Rules,
) -> Option<crate::detect::Match> {
    let command = c.at(&["lifecycle", "postStart", "exec", "command"])?;
    let mut hook = c.clone();
    hook.set("command", command.clone());
    hook.set("args", Value::Seq(vec![].into()));
    crate::detect::migration_command_in(&hook, scripts, rules)
}

/// Whether a migration of the plan that runs before the workloads runs the
/// container's image (Miniflux's `RUN_MIGRATIONS=true` beside its pre-upgrade
/// Job): the container's own start-up migration then finds nothing to do.
fn migrated_before(cx: &Cx<'_>, c: &Value) -> bool {
    let repo = |c: &Value| {
        c.get("image")
            .and_then(Value::as_str)
            .map(|i| crate::detect::image_repository(i).to_string())
    };
    let Some(mine) = repo(c) else { return false };
    cx.plan
        .migrations
        .iter()
        .filter(|m| m.phase == crate::plan::Phase::Pre)
        .flat_map(|m| m.pod.get("containers").map(Value::items).unwrap_or(&[]))
        .any(|j| repo(j).as_deref() == Some(mine.as_str()))
}

/// For an image that only migrates at start (Casdoor, NocoDB), no Job can run
/// the migration and the code's advice (a Job) does not apply: say what does.
fn start_only_advice(said: &crate::detect::Verdict) -> &'static str {
    let start_only = said.command.is_none()
        && (said.tool)
            .and_then(crate::detect::tools::named)
            .is_some_and(|t| t.migrate_only.is_none());
    match start_only {
        true => "; the image has no command that only migrates, so no Job can run it: keep one pod (`replicas: 1`; a Deployment's `strategy: Recreate`)",
        false => "",
    }
}
