//! `premigrate kustomize-plugin` under real `kubectl kustomize --enable-alpha-plugins`
//! (kustomize 5.7.1): on the example charts' rendered output, the plugin gives
//! exactly what kustomize makes of the post-renderer's output for the same input.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::{chart, premigrate_bin, require_tool, run_helm_ok, TempDir};

const CHARTS: &[&str] = &[
    "laravel",
    "prisma-flux",
    "long-names",
    "already-hook",
    "plain-web",
    "flyway-init",
    "django-init",
];

/// Installs the plugin as the README says: an executable at
/// `$KUSTOMIZE_PLUGIN_HOME/premigrate.io/v1alpha1/migrationpolicy/MigrationPolicy`.
fn install_plugin(home: &Path) {
    let file = home.join(premigrate::kustomize_plugin::PLUGIN_PATH);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let script = premigrate::kustomize_plugin::wrapper_script(premigrate_bin().to_str().unwrap());
    std::fs::write(&file, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn kustomize(kubectl: &Path, dir: &Path, plugin_home: Option<&Path>) -> (bool, String, String) {
    let mut cmd = Command::new(kubectl);
    cmd.arg("kustomize");
    if let Some(home) = plugin_home {
        cmd.arg("--enable-alpha-plugins")
            .env("KUSTOMIZE_PLUGIN_HOME", home);
    }
    for (k, _) in std::env::vars_os() {
        if k.to_str().is_some_and(|k| k.starts_with("PREMIGRATE_")) {
            cmd.env_remove(k);
        }
    }
    let out = cmd.arg(dir).stdin(Stdio::null()).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn post_render(input: &str, args: &[&str]) -> String {
    let out = support::run_premigrate(args, input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn policy(spec: &str) -> String {
    format!(
        "apiVersion: premigrate.io/v1alpha1\nkind: MigrationPolicy\nmetadata:\n  name: migrations\nspec:\n{spec}"
    )
}

/// (plugin run, kustomize over the post-renderer's output) for a chart and a policy.
fn both(name: &str, spec: &str, flags: &[&str]) -> Option<(String, String)> {
    let helm3 = require_tool("helm3")?;
    let kubectl = require_tool("kubectl")?;
    let rendered = run_helm_ok(
        &helm3,
        &["template", "rel", chart(name).to_str().unwrap()],
        &[],
    );
    let tmp = TempDir::new("kustomize-plugin");
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let with_plugin = tmp.path().join("with-plugin");
    std::fs::create_dir_all(&with_plugin).unwrap();
    std::fs::write(with_plugin.join("rendered.yaml"), &rendered).unwrap();
    std::fs::write(with_plugin.join("policy.yaml"), policy(spec)).unwrap();
    std::fs::write(
        with_plugin.join("kustomization.yaml"),
        "resources: [rendered.yaml]\ntransformers: [policy.yaml]\n",
    )
    .unwrap();
    let (ok, plugin_out, err) = kustomize(&kubectl, &with_plugin, Some(&home));
    assert!(
        ok,
        "{name}: kubectl kustomize with the plugin failed:\n{err}"
    );

    let post = tmp.path().join("post-rendered");
    std::fs::create_dir_all(&post).unwrap();
    std::fs::write(post.join("post.yaml"), post_render(&rendered, flags)).unwrap();
    std::fs::write(post.join("kustomization.yaml"), "resources: [post.yaml]\n").unwrap();
    let (ok, post_out, err) = kustomize(&kubectl, &post, None);
    assert!(ok, "{name}: kubectl kustomize failed:\n{err}");
    Some((plugin_out, post_out))
}

#[test]
fn plugin_gives_the_post_renderers_rewrite_gitops() {
    for name in CHARTS {
        let Some((plugin, post)) = both(name, "  target: gitops\n", &["--target", "gitops"]) else {
            return;
        };
        assert_eq!(
            plugin, post,
            "{name}: the plugin and the post-renderer differ"
        );
        if *name != "plain-web" {
            assert!(
                plugin.contains("premigrate.io/hash:"),
                "{name}: nothing rewritten"
            );
            assert!(plugin.contains("name: premigrate-wait"), "{name}: no gate");
        }
        if *name == "laravel" {
            insta::assert_snapshot!("kustomize_plugin_laravel_gitops", plugin);
        }
    }
}

#[test]
fn plugin_gives_the_post_renderers_rewrite_hooks() {
    for name in CHARTS {
        let Some((plugin, post)) = both(
            name,
            "  target: hooks\n  hookWeight: -7\n",
            &["--target", "hooks", "--hook-weight", "-7"],
        ) else {
            return;
        };
        assert_eq!(
            plugin, post,
            "{name}: the plugin and the post-renderer differ"
        );
        // Hook copies start as the text of what they copy: kustomize's id must not come along.
        assert!(!plugin.contains("kustomize.config.k8s.io/id"), "{name}");
        if *name == "laravel" {
            assert!(
                plugin.contains("name: rel-laravel-env-"),
                "no ConfigMap copy"
            );
            assert!(plugin.contains("helm.sh/hook-weight: \"-8\""), "{plugin}");
        }
    }
}

#[test]
fn the_policy_configures_the_plugin() {
    let Some((plugin, post)) = both(
        "prisma-flux",
        "  gateStyle: kubectl\n  timeout: 5m\n  salt: rev-7\n",
        &[
            "--gate-style",
            "kubectl",
            "--timeout",
            "300",
            "--salt",
            "rev-7",
        ],
    ) else {
        return;
    };
    assert_eq!(plugin, post);
    assert!(plugin.contains("activeDeadlineSeconds: 300"));
    assert!(plugin.contains("kubectl"));
}

#[test]
fn a_bad_policy_fails_the_build_by_name() {
    let Some(kubectl) = require_tool("kubectl") else {
        return;
    };
    let tmp = TempDir::new("kustomize-plugin-bad");
    let home = tmp.path().join("plugins");
    install_plugin(&home);
    let dir = tmp.path().join("k");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        support::repo_root().join("testdata/demo/input.yaml"),
        dir.join("input.yaml"),
    )
    .unwrap();
    std::fs::write(dir.join("policy.yaml"), policy("  gateStyle: sleep\n")).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources: [input.yaml]\ntransformers: [policy.yaml]\n",
    )
    .unwrap();
    let (ok, out, err) = kustomize(&kubectl, &dir, Some(&home));
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("spec.gateStyle: unknown gate style `sleep`")
            && err.contains("use one of: k8s-wait-for, kubectl, check"),
        "{err}"
    );
}
