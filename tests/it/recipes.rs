//! The README's recipes, tried as far as this machine allows: the README shows
//! the recipe files of `testdata/recipes/` as they are, the Argo CD plugin's
//! generate command and the Flux CI script run with real Helm 3 (and a
//! stand-in `flux`), the kustomize plugin install script works with real
//! kubectl kustomize, and the cluster-side objects parse.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use premigrate::yaml::{Tree, Value};
use support::{chart, premigrate_bin, repo_root, require_tool, TempDir};

fn recipe(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("testdata/recipes").join(name)).unwrap()
}

fn docs(text: &str) -> Vec<Value> {
    let s = premigrate::stream::Stream::split(text.as_bytes()).unwrap();
    (0..s.docs.len())
        .filter_map(|i| {
            let t = Tree::parse(s.doc_text(i)).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
            t.root.map(|r| t.value(r).unwrap())
        })
        .collect()
}

/// A PATH with `helm` (Helm 3), `premigrate` and the extra `tools`.
fn bin_dir(tmp: &Path, helm3: &Path, extra: &[(&str, &str)]) -> PathBuf {
    let bin = tmp.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(helm3, bin.join("helm")).unwrap();
    std::os::unix::fs::symlink(premigrate_bin(), bin.join("premigrate")).unwrap();
    for (name, script) in extra {
        let p = bin.join(name);
        std::fs::write(&p, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn the_readme_shows_the_recipe_files_as_they_are() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let dir = repo_root().join("testdata/recipes");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let text = recipe(&name);
        assert!(
            readme.contains(&text),
            "README does not show testdata/recipes/{name} as it is"
        );
    }
    for file in [
        "testdata/policy/full.yaml",
        "testdata/policy/configmap.yaml",
    ] {
        let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
        assert!(readme.contains(&text), "README does not show {file}");
    }
    for k in premigrate::policy::KEYS {
        assert!(
            readme.contains(&format!("| `{}` | `--{}` |", k.key, k.flag)),
            "README's key table lacks {}",
            k.key
        );
    }
}

#[test]
fn argocd_plugin_generate_command_runs() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let cm = docs(&recipe("argocd-cmp.yaml")).remove(0);
    let plugin = cm
        .at(&["data", "plugin.yaml"])
        .and_then(Value::as_str)
        .unwrap();
    let plugin = docs(plugin).remove(0);
    assert_eq!(
        plugin.at(&["spec", "generate", "command"]),
        Some(&Value::Seq(vec![Value::str("sh"), Value::str("-c")].into()))
    );
    let script = plugin.at(&["spec", "generate", "args"]).unwrap().items()[0]
        .as_str()
        .unwrap()
        .to_string();
    let tmp = TempDir::new("recipe-argocd");
    let bin = bin_dir(tmp.path(), &helm3, &[]);
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(chart("laravel"))
        .env("PATH", path_with(&bin))
        .env("ARGOCD_APP_NAME", "shop")
        .env("ARGOCD_APP_NAMESPACE", "shop")
        .env("ARGOCD_ENV_HELM_ARGS", "--set web.replicas=3")
        .env("HELM_CACHE_HOME", tmp.path().join("cache"))
        .env("HELM_CONFIG_HOME", tmp.path().join("config"))
        .env("HELM_DATA_HOME", tmp.path().join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("name: shop-laravel-migrate-"), "{stdout}");
    assert!(stdout.contains("argocd.argoproj.io/sync-wave: \"-1\""));
    assert!(
        stdout.contains("replicas: 3"),
        "ARGOCD_ENV_HELM_ARGS reaches helm"
    );
    // The Application names the plugin as <name>-<version>.
    let app = docs(&recipe("argocd-application.yaml")).remove(0);
    let name = plugin
        .at(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap();
    let version = plugin
        .at(&["spec", "version"])
        .and_then(Value::as_str)
        .unwrap();
    assert_eq!(
        app.at(&["spec", "source", "plugin", "name"])
            .and_then(Value::as_str),
        Some(format!("{name}-{version}").as_str())
    );
    docs(&recipe("argocd-repo-server-patch.yaml"));
}

#[test]
fn flux_ci_script_renders_and_pushes() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let tmp = TempDir::new("recipe-flux");
    let work = tmp.path().join("repo");
    std::fs::create_dir_all(&work).unwrap();
    // An empty global config of the test's own: on this machine /dev/null has
    // been a regular file that something wrote into ("bad config line 1 in
    // file /dev/null"), and git read it.
    let config = tmp.path().join("gitconfig");
    std::fs::write(&config, "").unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&work)
            .env("GIT_CONFIG_GLOBAL", &config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&[
        "-c",
        "user.name=ci",
        "-c",
        "user.email=ci@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    ]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/shop.git",
    ]);
    // The chart, its values and the policy, as the app repository holds them.
    let copy = Command::new("cp")
        .args([
            "-r",
            chart("laravel").to_str().unwrap(),
            work.join("chart").to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(copy.success());
    std::fs::write(work.join("values-prod.yaml"), "web:\n  replicas: 3\n").unwrap();
    std::fs::write(work.join("premigrate.yaml"), recipe("premigrate.yaml")).unwrap();
    let log = tmp.path().join("flux.log");
    let fake_flux = format!("#!/bin/sh\necho \"$@\" >> '{}'\n", log.display());
    let bin = bin_dir(tmp.path(), &helm3, &[("flux", &fake_flux)]);
    let out = Command::new("bash")
        .arg("-c")
        .arg(recipe("flux-ci.sh"))
        .current_dir(&work)
        .env("PATH", path_with(&bin))
        .env("GIT_CONFIG_GLOBAL", &config)
        .env("HELM_CACHE_HOME", tmp.path().join("cache"))
        .env("HELM_CONFIG_HOME", tmp.path().join("config"))
        .env("HELM_DATA_HOME", tmp.path().join("data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifests = std::fs::read_to_string(work.join("deploy/shop.yaml")).unwrap();
    assert!(
        manifests.contains("activeDeadlineSeconds: 900"),
        "the policy applies"
    );
    assert!(manifests.contains("kustomize.toolkit.fluxcd.io/force: Enabled"));
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains("push artifact oci://ghcr.io/acme/manifests/shop:"),
        "{calls}"
    );
    assert!(calls.contains("--path=./deploy"), "{calls}");
    assert!(calls.contains("--revision=main@sha1:"), "{calls}");
    assert!(
        calls.contains("tag artifact") && calls.contains("--tag prod"),
        "{calls}"
    );
    // The cluster side parses and has the settings the README explains.
    let objs = docs(&recipe("flux-oci.yaml"));
    let ks = objs
        .iter()
        .find(|o| o.get("kind").and_then(Value::as_str) == Some("Kustomization"))
        .unwrap();
    assert_eq!(ks.at(&["spec", "prune"]), Some(&Value::Bool(true)));
    assert_eq!(ks.at(&["spec", "wait"]), Some(&Value::Bool(true)));
}

#[test]
fn kustomize_plugin_install_script_and_overlay() {
    let (Some(helm3), Some(kubectl)) = (require_tool("helm3"), require_tool("kubectl")) else {
        return;
    };
    let tmp = TempDir::new("recipe-kustomize");
    let bin = bin_dir(tmp.path(), &helm3, &[]);
    let home = tmp.path().join("plugins");
    let ok = Command::new("sh")
        .arg("-c")
        .arg(recipe("install-kustomize-plugin.sh"))
        .env("KUSTOMIZE_PLUGIN_HOME", &home)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let overlay = tmp.path().join("overlays/prod");
    std::fs::create_dir_all(&overlay).unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        recipe("kustomization.yaml"),
    )
    .unwrap();
    std::fs::write(overlay.join("premigrate.yaml"), recipe("premigrate.yaml")).unwrap();
    let rendered = support::run_helm_ok(
        &helm3,
        &[
            "template",
            "shop",
            chart("prisma-flux").to_str().unwrap(),
            "--namespace",
            "shop",
        ],
        &[],
    );
    std::fs::write(overlay.join("rendered.yaml"), rendered).unwrap();
    let out = Command::new(&kubectl)
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&overlay)
        .env("KUSTOMIZE_PLUGIN_HOME", &home)
        .env("PATH", path_with(&bin))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("premigrate.io/hash:"), "{stdout}");
    assert!(stdout.contains("activeDeadlineSeconds: 900"), "{stdout}");
}
