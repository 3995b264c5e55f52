//! premigrate under real Helm 3 and Helm 4 (installed by
//! `scripts/install-test-tools.sh`; skipped visibly when missing).

use crate::support;

use support::{
    add_helm4_passthrough_plugin, chart, helm4_plugin_dir, premigrate_bin, require_tool, resources,
    run_helm_ok, split_dry_run, yaml11_json, TempDir,
};

/// A chart with no migration must come out of Helm 3 exactly as without a
/// post-renderer: comments, `# Source:` lines, `0755`, `"yes"` and all.
#[test]
fn helm3_post_renderer_leaves_plain_web_byte_identical() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let chart = chart("plain-web");
    let chart = chart.to_str().unwrap();
    let bin = premigrate_bin();

    let plain = run_helm_ok(&helm3, &["template", "rel", chart], &[]);
    let post = run_helm_ok(
        &helm3,
        &[
            "template",
            "rel",
            chart,
            "--post-renderer",
            bin.to_str().unwrap(),
        ],
        &[],
    );

    assert!(
        plain.contains("defaultMode: 0755"),
        "chart lost its YAML 1.1 trap:\n{plain}"
    );
    assert_eq!(post, plain);
}

/// Helm 4 re-serializes every document it sends through a post-renderer (it
/// adds and later removes `postrenderer.helm.sh/postrender-filename`, and
/// re-indents block sequences while doing so), so even `cat` does not give
/// back the bytes of a plain `helm template`. premigrate must give back
/// exactly what `cat` does, and what Kubernetes reads must equal the plain
/// render.
#[test]
fn helm4_post_renderer_plugin_leaves_plain_web_unchanged() {
    let Some(helm4) = require_tool("helm4") else {
        return;
    };
    let Some(oracle) = require_tool("yaml11-oracle") else {
        return;
    };
    let tmp = TempDir::new("helm4-plain-web");
    let plugins = helm4_plugin_dir(tmp.path());
    add_helm4_passthrough_plugin(&plugins);
    let env = [("HELM_PLUGINS", plugins.to_str().unwrap())];
    let chart = chart("plain-web");
    let chart = chart.to_str().unwrap();

    let plain = run_helm_ok(&helm4, &["template", "rel", chart], &env);
    let cat = run_helm_ok(
        &helm4,
        &["template", "rel", chart, "--post-renderer", "passthrough"],
        &env,
    );
    let post = run_helm_ok(
        &helm4,
        &["template", "rel", chart, "--post-renderer", "premigrate"],
        &env,
    );

    assert_eq!(
        post, cat,
        "premigrate changed a chart without migrations under Helm 4"
    );
    assert!(
        !post.contains("postrender-filename"),
        "Helm 4 left its filename annotation in:\n{post}"
    );
    assert!(
        post.contains("defaultMode: 0755"),
        "0755 was rewritten:\n{post}"
    );
    assert_eq!(
        resources(&post),
        resources(&plain),
        "documents or their order changed"
    );
    assert_eq!(yaml11_json(&oracle, &post), yaml11_json(&oracle, &plain));
}

/// `helm4 install --dry-run=client` runs offline (no cluster, KUBECONFIG
/// pointing at a missing file, no extra flags) and prints the hooks apart
/// from the manifest: the way to see what Helm 4 makes of premigrate's output.
#[test]
fn helm4_dry_run_lists_hooks() {
    let Some(helm4) = require_tool("helm4") else {
        return;
    };
    let tmp = TempDir::new("helm4-dry-run");
    let plugins = helm4_plugin_dir(tmp.path());
    let env = [("HELM_PLUGINS", plugins.to_str().unwrap())];
    let chart = chart("already-hook");
    let chart = chart.to_str().unwrap();

    for extra in [&[][..], &["--post-renderer", "premigrate"][..]] {
        let args = [&["install", "rel", chart, "--dry-run=client"][..], extra].concat();
        let out = run_helm_ok(&helm4, &args, &env);
        let (hooks, manifest) = split_dry_run(&out);
        let hooks = resources(&hooks);
        let manifest = resources(&manifest);
        let job = ("Job".to_string(), "rel-already-hook-db-migrate".to_string());
        let test_pod = (
            "Pod".to_string(),
            "rel-already-hook-test-connection".to_string(),
        );
        let deployment = ("Deployment".to_string(), "rel-already-hook".to_string());

        // With premigrate the Job keeps its hook but is named by content.
        assert!(
            hooks
                .iter()
                .any(|(k, n)| *k == job.0 && n.starts_with(&job.1)),
            "{extra:?}: migration Job not under HOOKS: {hooks:?}\n{out}"
        );
        assert!(
            hooks.contains(&test_pod),
            "{extra:?}: test Pod not under HOOKS: {hooks:?}"
        );
        assert!(
            !manifest
                .iter()
                .any(|(k, n)| *k == job.0 && n.starts_with(&job.1)),
            "{extra:?}: hook Job under MANIFEST: {manifest:?}"
        );
        assert!(
            manifest.contains(&deployment),
            "{extra:?}: Deployment missing: {manifest:?}"
        );
    }
}
