//! The example charts through real Helm with premigrate as the post-renderer:
//! Helm 3 (`helm template --post-renderer PATH`, gitops target) and Helm 4
//! (`helm install --dry-run=client --post-renderer premigrate`, hooks target).
//! Outputs are snapshot-tested; ordering is checked through what Helm reports.

#[path = "support/gate_cases.rs"]
mod gate_cases;
mod support;

use support::{
    chart, helm4_dry_run, helm4_plugin_dir, premigrate_bin, require_tool, resources, run_helm_ok,
    TempDir,
};

const MIGRATING: &[&str] = &["laravel", "prisma-flux", "already-hook", "long-names"];
/// Helm 3 never post-renders hooks, so the chart that is already a hook is not among these.
const HELM3_MIGRATING: &[&str] = &["laravel", "prisma-flux", "long-names", "bundled-postgres"];

fn helm3_render(name: &str) -> Option<String> {
    let helm3 = require_tool("helm3")?;
    let c = chart(name);
    let bin = premigrate_bin();
    Some(run_helm_ok(
        &helm3,
        &[
            "template",
            "rel",
            c.to_str().unwrap(),
            "--post-renderer",
            bin.to_str().unwrap(),
        ],
        &[],
    ))
}

fn position(res: &[(String, String)], kind: &str, pred: impl Fn(&str) -> bool) -> Option<usize> {
    res.iter().position(|(k, n)| k == kind && pred(n))
}

#[test]
fn helm3_orders_the_hashed_job_and_gates_before_the_workloads() {
    for name in HELM3_MIGRATING {
        let Some(out) = helm3_render(name) else {
            return;
        };
        let res = resources(&out);
        let job = position(&res, "Job", |n| n.contains("migrat"))
            .unwrap_or_else(|| panic!("{name}: no migration Job in\n{out}"));
        let first_workload = position(&res, "Deployment", |_| true).expect("a Deployment");
        assert!(
            job < first_workload,
            "{name}: Job after the workloads: {res:?}"
        );
        let role =
            position(&res, "Role", |_| true).unwrap_or_else(|| panic!("{name}: no Role: {res:?}"));
        assert!(role < first_workload, "{name}: Role after the workloads");
        assert!(
            out.contains("kustomize.toolkit.fluxcd.io/force: Enabled"),
            "{name}"
        );
        assert!(out.contains("- name: premigrate-wait"), "{name}: no gate");
        // Gates wait for the hashed Job; the Role and RoleBinding that let them read it
        // come before the workloads; a pod without a token gets one for its gate.
        gate_cases::check_consistent(name, &out);
        // These charts' workloads all use the migrated database: each one waits.
        for (text, d) in gate_cases::docs(&out) {
            let Some(d) = d else { continue };
            if d["kind"] == "Deployment" {
                let gated = gate_cases::pod_spec(&d).unwrap()["initContainers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(gate_cases::is_gate);
                assert!(gated, "{name}: workload without a gate:\n{text}");
            }
        }
        let binding = position(&res, "RoleBinding", |_| true)
            .unwrap_or_else(|| panic!("{name}: no RoleBinding: {res:?}"));
        assert!(
            binding < first_workload,
            "{name}: RoleBinding after the workloads"
        );
        assert!(!out.contains("ttlSecondsAfterFinished"), "{name}: TTL kept");
        let (_, job_name) = &res[job];
        assert!(job_name.len() <= 63, "{name}: {job_name} too long");
        insta::assert_snapshot!(format!("helm3_{name}"), out);
    }
}

/// Gate flags reach premigrate through Helm 3's `--post-renderer-args`; every style
/// keeps the gate invariants on a real chart (laravel: its ServiceAccount mounts no token).
#[test]
fn helm3_gate_styles_through_post_renderer_args() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let c = chart("laravel");
    let bin = premigrate_bin();
    for (flags, expect) in [
        (&["--gate-style", "kubectl"][..], "- wait"),
        (
            &[
                "--gate-style",
                "check",
                "--gate-check",
                "php artisan migrate:status",
            ][..],
            "value: \"php artisan migrate:status\"",
        ),
    ] {
        let mut args = vec![
            "template",
            "rel",
            c.to_str().unwrap(),
            "--post-renderer",
            bin.to_str().unwrap(),
        ];
        for f in flags {
            args.extend(["--post-renderer-args", f]);
        }
        let out = run_helm_ok(&helm3, &args, &[]);
        assert!(out.contains(expect), "{flags:?}:\n{out}");
        gate_cases::check_consistent(&format!("laravel {flags:?}"), &out);
        let rbac = out.contains("kind: Role\n");
        assert_eq!(
            rbac,
            flags[1] != "check",
            "{flags:?}: RBAC only for waiting gates"
        );
    }
}

/// Helm 3 splits hooks out before post-rendering: a chart whose migration is
/// already a hook reaches premigrate without it, and comes out unchanged.
#[test]
fn helm3_never_shows_hooks_to_the_post_renderer() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let c = chart("already-hook");
    let plain = run_helm_ok(&helm3, &["template", "rel", c.to_str().unwrap()], &[]);
    let Some(post) = helm3_render("already-hook") else {
        return;
    };
    assert_eq!(post, plain);
}

#[test]
fn helm3_output_is_a_fixed_point() {
    for name in HELM3_MIGRATING {
        let Some(out) = helm3_render(name) else {
            return;
        };
        let again = premigrate::rewrite(out.as_bytes(), &premigrate::Config::default()).unwrap();
        assert_eq!(
            String::from_utf8(again.stream).unwrap(),
            out,
            "{name}: a second run changed the output"
        );
    }
}

#[test]
fn helm4_lists_the_job_and_its_copies_under_hooks() {
    let Some(helm4) = require_tool("helm4") else {
        return;
    };
    let tmp = TempDir::new("helm4-charts");
    let plugins = helm4_plugin_dir(tmp.path());
    let env = [("HELM_PLUGINS", plugins.to_str().unwrap())];
    for name in MIGRATING {
        let (hooks, manifest) = helm4_dry_run(&helm4, &chart(name), "premigrate", &[], &env);
        let hook_res = resources(&hooks);
        let man_res = resources(&manifest);
        assert!(
            position(&hook_res, "Job", |n| n.contains("migrat")).is_some(),
            "{name}: Job not a hook:\n{hooks}"
        );
        assert!(
            position(&man_res, "Job", |n| n.contains("migrat")).is_none(),
            "{name}: Job in the manifest"
        );
        assert!(
            position(&man_res, "Deployment", |_| true).is_some(),
            "{name}: workloads not in MANIFEST"
        );
        assert!(
            !manifest.contains("premigrate-wait"),
            "{name}: hooks mode must not gate"
        );
        if *name == "laravel" {
            let cm = position(&hook_res, "ConfigMap", |_| true)
                .unwrap_or_else(|| panic!("no ConfigMap copy among hooks:\n{hooks}"));
            assert!(
                hooks.contains("helm.sh/hook-weight: \"-6\"")
                    && hooks.contains("helm.sh/hook-weight: \"-5\""),
                "{hooks}"
            );
            assert!(
                cm < position(&hook_res, "Job", |_| true).unwrap(),
                "copy must run before the Job"
            );
            assert!(
                position(&man_res, "ConfigMap", |_| true).is_some(),
                "the regular ConfigMap stays"
            );
        }
        insta::assert_snapshot!(format!("helm4_{name}_hooks"), hooks);
    }
}

/// A chart that bundles its database: a pre-install hook would run before the
/// database exists, so under real Helm 4 the migration is no hook — it is a regular
/// Job of the release, the app waits for it with a gate, and the database never waits.
#[test]
fn helm4_keeps_a_migration_that_needs_the_release_database_out_of_hooks() {
    let Some(helm4) = require_tool("helm4") else {
        return;
    };
    let tmp = TempDir::new("helm4-bundled");
    let plugins = helm4_plugin_dir(tmp.path());
    let env = [("HELM_PLUGINS", plugins.to_str().unwrap())];
    let (hooks, manifest) =
        helm4_dry_run(&helm4, &chart("bundled-postgres"), "premigrate", &[], &env);
    let hook_res = resources(&hooks);
    let man_res = resources(&manifest);
    assert!(
        position(&hook_res, "Job", |_| true).is_none(),
        "a migration among the hooks:\n{hooks}"
    );
    assert!(
        position(&man_res, "Job", |n| n.contains("migrate")).is_some(),
        "no migration Job in the manifest:\n{manifest}"
    );
    for (text, d) in gate_cases::docs(&manifest) {
        let Some(d) = d else { continue };
        let gated = gate_cases::pod_spec(&d)
            .and_then(|p| p["initContainers"].as_array())
            .is_some_and(|l| l.iter().any(gate_cases::is_gate));
        match d["kind"].as_str() {
            Some("StatefulSet") => assert!(!gated, "the database waits:\n{text}"),
            Some("Deployment") => assert!(gated, "the app does not wait:\n{text}"),
            _ => {}
        }
    }
    insta::assert_snapshot!("helm4_bundled-postgres_manifest", manifest);
}
