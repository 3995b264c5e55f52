//! Charts whose migration is not a Job, through real Helm: Flyway and Django
//! migrating in init containers (extracted), and a Node app with no migration
//! at all (generated with --migrate, passed by `--post-renderer-args`).
//! Helm 3 renders the gitops target, Helm 4 the hooks target.

mod support;

use support::{
    chart, helm4_dry_run, helm4_plugin_dir, premigrate_bin, require_tool, resources, run_helm_ok,
    TempDir,
};

/// Each chart and the premigrate arguments it needs.
const CHARTS: &[(&str, &[&str])] = &[
    ("flyway-init", &[]),
    ("django-init", &[]),
    (
        "node-nomigration",
        &[
            "--migrate=deploy/rel-node-nomigration=npm run db:migrate",
            "--migrate-container=app",
        ],
    ),
];

/// Text that only a migration init container has, per chart.
const MIGRATION_INIT: &[(&str, &str)] = &[
    ("flyway-init", "- name: flyway"),
    ("django-init", "- name: migrate"),
    ("node-nomigration", "db:migrate"),
];

fn post_renderer_args(args: &[&str]) -> Vec<String> {
    args.iter()
        .flat_map(|a| ["--post-renderer-args".to_string(), a.to_string()])
        .collect()
}

fn helm3(name: &str, args: &[&str], extra: &[&str]) -> Option<String> {
    let helm3 = require_tool("helm3")?;
    let c = chart(name);
    let bin = premigrate_bin();
    let mut argv: Vec<String> = ["template", "rel", c.to_str().unwrap(), "--post-renderer"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    argv.push(bin.to_str().unwrap().to_string());
    argv.extend(post_renderer_args(args));
    argv.extend(extra.iter().map(|s| s.to_string()));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    Some(run_helm_ok(&helm3, &argv, &[]))
}

fn kinds(res: &[(String, String)], kind: &str) -> Vec<usize> {
    res.iter()
        .enumerate()
        .filter(|(_, (k, _))| k == kind)
        .map(|(i, _)| i)
        .collect()
}

fn workload_docs(out: &str) -> Vec<&str> {
    out.split("\n---")
        .filter(|d| d.contains("\nkind: Deployment"))
        .collect()
}

#[test]
fn helm3_one_job_before_gated_workloads() {
    for (name, args) in CHARTS {
        let Some(out) = helm3(name, args, &[]) else {
            return;
        };
        let res = resources(&out);
        let jobs = kinds(&res, "Job");
        assert_eq!(jobs.len(), 1, "{name}: one migration Job:\n{out}");
        let deployments = kinds(&res, "Deployment");
        assert!(jobs[0] < deployments[0], "{name}: {res:?}");
        let role = kinds(&res, "Role");
        assert!(role[0] < deployments[0], "{name}: Role after the workloads");
        let job_name = &res[jobs[0]].1;
        let marker = MIGRATION_INIT.iter().find(|m| m.0 == *name).unwrap().1;
        for d in workload_docs(&out) {
            assert!(
                d.contains("- name: premigrate-wait"),
                "{name}: ungated:\n{d}"
            );
            assert!(
                d.contains(job_name.as_str()),
                "{name}: gate waits for another Job"
            );
            assert!(
                !d.contains(marker),
                "{name}: the migration is still in:\n{d}"
            );
        }
        if *name == "flyway-init" {
            assert_eq!(
                out.matches("defaultMode: 0755").count(),
                2,
                "0755 stays octal in the Job and the Deployment"
            );
        }
        if *name == "django-init" {
            let web = workload_docs(&out)
                .into_iter()
                .find(|d| d.contains("collectstatic"))
                .expect("web keeps collectstatic");
            assert!(web.find("premigrate-wait") < web.find("collectstatic"));
        }
        insta::assert_snapshot!(format!("helm3_sources_{name}"), out);
    }
}

#[test]
fn helm3_output_is_a_fixed_point() {
    for (name, args) in CHARTS {
        let Some(out) = helm3(name, args, &[]) else {
            return;
        };
        let cli = <premigrate::cli::Cli as clap::Parser>::try_parse_from(
            std::iter::once("premigrate").chain(args.iter().copied()),
        )
        .unwrap();
        let cfg = cli.opts.config().unwrap();
        let again = premigrate::rewrite(out.as_bytes(), &cfg).unwrap();
        assert_eq!(String::from_utf8(again.stream).unwrap(), out, "{name}");
    }
}

#[test]
fn helm3_new_image_tag_gives_a_new_job_and_gates_follow() {
    for (name, args) in CHARTS {
        let Some(a) = helm3(name, args, &[]) else {
            return;
        };
        let tag = if *name == "flyway-init" {
            "flyway.image=flyway/flyway:10.18.0"
        } else {
            "image.tag=9.9.9"
        };
        let b = helm3(name, args, &["--set", tag]).unwrap();
        let job = |s: &str| {
            let res = resources(s);
            res[kinds(&res, "Job")[0]].1.clone()
        };
        let (old, new) = (job(&a), job(&b));
        assert_ne!(old, new, "{name}");
        assert!(!b.contains(&old), "{name}: stale name left");
        for d in workload_docs(&b) {
            assert!(d.contains(&new), "{name}: gate does not follow:\n{d}");
        }
    }
}

#[test]
fn helm4_the_job_is_a_hook_and_workloads_lose_the_migration() {
    let Some(helm4) = require_tool("helm4") else {
        return;
    };
    let tmp = TempDir::new("helm4-sources");
    let plugins = helm4_plugin_dir(tmp.path());
    let env = [("HELM_PLUGINS", plugins.to_str().unwrap())];
    for (name, args) in CHARTS {
        let (hooks, manifest) = helm4_dry_run(&helm4, &chart(name), "premigrate", args, &env);
        let hook_res = resources(&hooks);
        assert_eq!(kinds(&hook_res, "Job").len(), 1, "{name}:\n{hooks}");
        assert!(kinds(&resources(&manifest), "Job").is_empty(), "{name}");
        assert!(
            !manifest.contains("premigrate-wait"),
            "{name}: hooks mode must not gate"
        );
        let marker = MIGRATION_INIT.iter().find(|m| m.0 == *name).unwrap().1;
        for d in workload_docs(&manifest) {
            assert!(
                !d.contains(marker),
                "{name}: the migration is still in:\n{d}"
            );
        }
        if *name == "flyway-init" {
            // The SQL ConfigMap the Job mounts is copied as an earlier hook.
            let cm = kinds(&hook_res, "ConfigMap");
            assert_eq!(cm.len(), 1, "{hooks}");
            assert!(cm[0] < kinds(&hook_res, "Job")[0]);
            assert!(hooks.contains("defaultMode: 0755"), "{hooks}");
        }
        insta::assert_snapshot!(format!("helm4_sources_{name}_hooks"), hooks);
    }
}

/// Without `--migrate`, the Node chart has no migration: Helm 3 and Helm 4 give
/// exactly what they give without premigrate (Helm 4: what `cat` gives, since
/// Helm 4 re-serializes whatever a post-renderer sees).
#[test]
fn a_chart_without_migrations_is_unchanged() {
    let (Some(helm3), Some(helm4)) = (require_tool("helm3"), require_tool("helm4")) else {
        return;
    };
    let c = chart("node-nomigration");
    let c = c.to_str().unwrap();
    let bin = premigrate_bin();
    let plain = run_helm_ok(&helm3, &["template", "rel", c], &[]);
    let post = run_helm_ok(
        &helm3,
        &[
            "template",
            "rel",
            c,
            "--post-renderer",
            bin.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(post, plain);

    let tmp = TempDir::new("helm4-node");
    let plugins = helm4_plugin_dir(tmp.path());
    support::add_helm4_passthrough_plugin(&plugins);
    let env = [("HELM_PLUGINS", plugins.to_str().unwrap())];
    let cat = run_helm_ok(
        &helm4,
        &["template", "rel", c, "--post-renderer", "passthrough"],
        &env,
    );
    let post = run_helm_ok(
        &helm4,
        &["template", "rel", c, "--post-renderer", "premigrate"],
        &env,
    );
    assert_eq!(post, cat);
}
