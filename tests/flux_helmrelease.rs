//! `premigrate flux-helmrelease`: the HelmRelease's postRenderers patches,
//! applied by real kustomize (kubectl 1.34.5, kustomize 5.7.1) to the chart's
//! rendered stream, give premigrate's own `--target hooks` output, except that
//! the ConfigMaps and Secrets the Job uses are turned into hooks themselves
//! instead of being copied (patches cannot add documents).

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use premigrate::yaml::{Tree, Value};
use support::{chart, repo_root, require_tool, run_helm_ok, TempDir};

const CHARTS: &[&str] = &["laravel", "prisma-flux", "long-names", "already-hook"];

fn helmrelease() -> String {
    std::fs::read_to_string(repo_root().join("testdata/flux/helmrelease.yaml")).unwrap()
}

fn premigrate(args: &[&str], stdin: &str) -> (bool, String, String) {
    let out = support::run_premigrate(args, stdin.as_bytes());
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn value(text: &str) -> Value {
    let t = Tree::parse(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    t.root.map(|r| t.value(r).unwrap()).unwrap_or(Value::Null)
}

/// Objects of a stream by `Kind/name`.
fn objects(stream: &str) -> BTreeMap<String, Value> {
    let s = premigrate::stream::Stream::split(stream.as_bytes()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..s.docs.len() {
        let v = value(s.doc_text(i));
        if v == Value::Null {
            continue;
        }
        let key = format!(
            "{}/{}",
            v.get("kind").and_then(Value::as_str).unwrap(),
            v.at(&["metadata", "name"]).and_then(Value::as_str).unwrap()
        );
        out.insert(key, v);
    }
    out
}

fn annotation(v: &Value, key: &str) -> Option<String> {
    v.at(&["metadata", "annotations", key])
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn set_annotation(v: &mut Value, key: &str, val: &str) {
    let meta = match v {
        Value::Map(m) => &mut m.iter_mut().find(|(k, _)| k == "metadata").unwrap().1,
        _ => unreachable!(),
    };
    if meta.get("annotations").is_none() {
        meta.set("annotations", Value::Map(vec![].into()));
    }
    if let Value::Map(m) = meta {
        let ann = &mut m.iter_mut().find(|(k, _)| k == "annotations").unwrap().1;
        ann.set(key, Value::str(val));
    }
}

fn rename_strings(v: &mut Value, names: &BTreeMap<String, String>) {
    match v {
        Value::Str(s) => {
            if let Some(orig) = names.get(s.as_str()) {
                *s = orig.as_str().into();
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| rename_strings(i, names)),
        Value::Map(m) => m.iter_mut().for_each(|(_, i)| rename_strings(i, names)),
        _ => {}
    }
}

/// premigrate's hooks output, as the export means it: no copies, the Job using
/// the originals, the ConfigMaps/Secrets it uses made hooks at the copies' weight.
fn expected_from_hooks_output(hooks: &str) -> BTreeMap<String, Value> {
    let mut objs = objects(hooks);
    let copies: Vec<(String, Value)> = objs
        .iter()
        .filter(|(_, v)| annotation(v, "premigrate.io/generated").is_some())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut names = BTreeMap::new();
    for (key, copy) in &copies {
        objs.remove(key);
        let orig = annotation(copy, "premigrate.io/original-name").unwrap();
        let copy_name = copy
            .at(&["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap();
        names.insert(copy_name.to_string(), orig.clone());
        let kind = copy.get("kind").and_then(Value::as_str).unwrap();
        if kind == "ServiceAccount" {
            continue;
        }
        let target = objs.get_mut(&format!("{kind}/{orig}")).unwrap();
        for k in ["helm.sh/hook", "helm.sh/hook-weight"] {
            set_annotation(target, k, &annotation(copy, k).unwrap());
        }
        set_annotation(target, "helm.sh/hook-delete-policy", "before-hook-creation");
        set_annotation(target, "helm.sh/resource-policy", "keep");
    }
    for (_, v) in objs.iter_mut() {
        if annotation(v, "premigrate.io/hash").is_some() {
            if let Some(Value::Map(m)) = v.get("spec").cloned().as_ref().map(|s| {
                let mut s = s.clone();
                rename_strings(&mut s, &names);
                s
            }) {
                v.set("spec", Value::Map(m.clone()));
            }
        }
    }
    objs
}

fn kubectl_kustomize(kubectl: &Path, dir: &Path) -> String {
    let out = Command::new(kubectl)
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl kustomize: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The patches of premigrate's postRenderers entry, as a kustomization's `patches`.
fn patches_of(hr: &str) -> serde_json::Value {
    let v = value(hr);
    let entries = v
        .at(&["spec", "postRenderers"])
        .map(Value::items)
        .unwrap_or(&[]);
    let ours: Vec<serde_json::Value> = entries
        .iter()
        .flat_map(|e| {
            e.at(&["kustomize", "patches"])
                .map(Value::items)
                .unwrap_or(&[])
        })
        .map(Value::to_json)
        .collect();
    serde_json::Value::Array(ours)
}

#[test]
fn the_patches_round_trip_through_kustomize_to_the_hooks_output() {
    let (Some(helm3), Some(kubectl)) = (require_tool("helm3"), require_tool("kubectl")) else {
        return;
    };
    for name in CHARTS {
        let rendered = run_helm_ok(
            &helm3,
            &["template", "rel", chart(name).to_str().unwrap()],
            &[],
        );
        let tmp = TempDir::new("flux-hr");
        std::fs::write(tmp.path().join("rendered.yaml"), &rendered).unwrap();
        std::fs::write(tmp.path().join("hr.yaml"), helmrelease()).unwrap();
        let hr_path = tmp.path().join("hr.yaml");
        let (ok, hr, warnings) = premigrate(
            &[
                "flux-helmrelease",
                "--helmrelease",
                hr_path.to_str().unwrap(),
            ],
            &rendered,
        );
        assert!(ok, "{name}: {warnings}");
        assert!(value(&hr).at(&["spec", "postRenderStrategy"]) == Some(&Value::str("combined")));
        // Charts whose Job uses a ConfigMap or Secret of the chart get them as hooks, with a warning.
        if ["laravel", "prisma-flux"].contains(name) {
            assert!(
                warnings.contains("patches cannot add documents"),
                "{name}: {warnings}"
            );
        }

        // Real kustomize applies the emitted patches to the rendered stream.
        let kdir = tmp.path().join("k");
        std::fs::create_dir_all(&kdir).unwrap();
        std::fs::write(kdir.join("rendered.yaml"), &rendered).unwrap();
        let kustomization = serde_json::json!({
            "resources": ["rendered.yaml"],
            "patches": patches_of(&hr),
        });
        std::fs::write(kdir.join("kustomization.yaml"), kustomization.to_string()).unwrap();
        let patched = objects(&kubectl_kustomize(&kubectl, &kdir));

        // premigrate's own hooks output, through kustomize too (same serialization).
        let (ok, hooks, err) = premigrate(&["--target", "hooks"], &rendered);
        assert!(ok, "{err}");
        let expected = expected_from_hooks_output(&hooks);
        assert_eq!(
            patched.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{name}: different objects"
        );
        for (key, want) in &expected {
            assert_eq!(
                patched[key].to_json(),
                want.to_json(),
                "{name}: {key} differs between the patched render and the hooks output"
            );
        }
        if *name == "laravel" {
            insta::assert_snapshot!("flux_helmrelease_laravel", hr);
            assert!(
                warnings.contains("ServiceAccount/rel-laravel"),
                "{warnings}"
            );
        }
    }
}

#[test]
fn exporting_twice_gives_the_same_helmrelease() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let rendered = run_helm_ok(
        &helm3,
        &["template", "rel", chart("laravel").to_str().unwrap()],
        &[],
    );
    let cfg = premigrate::Config::default();
    let once =
        premigrate::flux::export(&helmrelease(), "hr.yaml", rendered.as_bytes(), &cfg).unwrap();
    let twice =
        premigrate::flux::export(&once.helmrelease, "hr.yaml", rendered.as_bytes(), &cfg).unwrap();
    assert_eq!(once.helmrelease, twice.helmrelease);
}

#[test]
fn the_users_own_post_renderers_are_kept() {
    let Some(helm3) = require_tool("helm3") else {
        return;
    };
    let rendered = run_helm_ok(
        &helm3,
        &["template", "rel", chart("prisma-flux").to_str().unwrap()],
        &[],
    );
    let hr = format!(
        "{}  postRenderers:\n    - kustomize:\n        images:\n          - name: nginx\n            newTag: \"1.27\"\n",
        helmrelease()
    );
    let out = premigrate::flux::export(
        &hr,
        "hr.yaml",
        rendered.as_bytes(),
        &premigrate::Config::default(),
    )
    .unwrap();
    let v = value(&out.helmrelease);
    let entries = v.at(&["spec", "postRenderers"]).unwrap().items();
    assert_eq!(entries.len(), 2);
    assert!(
        entries[0].at(&["kustomize", "images"]).is_some(),
        "theirs first, untouched"
    );
    assert!(entries[1].at(&["kustomize", "patches"]).is_some());
    assert!(out
        .helmrelease
        .starts_with(&hr[..hr.len() - 1].lines().next().unwrap().to_string()));
}

#[test]
fn gitops_target_is_refused() {
    let cfg = premigrate::Config {
        target: premigrate::config::Target::Gitops,
        ..Default::default()
    };
    let e = premigrate::flux::export(&helmrelease(), "hr.yaml", b"kind: ConfigMap\n", &cfg)
        .unwrap_err();
    assert!(
        e.to_string().contains("--target gitops does not apply"),
        "{e}"
    );
}

#[test]
fn a_file_without_a_helmrelease_is_refused() {
    let input = std::fs::read(repo_root().join("testdata/demo/input.yaml")).unwrap();
    let e = premigrate::flux::export(
        "kind: ConfigMap\napiVersion: v1\n",
        "x.yaml",
        &input,
        &premigrate::Config::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no HelmRelease in x.yaml"), "{e}");
}

/// helm-controller ≥ 1.6 with `postRenderStrategy: combined` post-renders the
/// whole render, hooks included, with the HelmRelease's kustomize patches; here
/// real Helm 4 does the same with a post-renderer that runs real kustomize with
/// the exported patches. The Job and the ConfigMap it uses must come out as hooks.
#[test]
fn helm4_with_the_patches_as_post_renderer_makes_hooks() {
    let (Some(helm3), Some(helm4), Some(kubectl)) = (
        require_tool("helm3"),
        require_tool("helm4"),
        require_tool("kubectl"),
    ) else {
        return;
    };
    let c = chart("laravel");
    let rendered = run_helm_ok(&helm3, &["template", "rel", c.to_str().unwrap()], &[]);
    let tmp = TempDir::new("flux-hr-helm4");
    let out = premigrate::flux::export(
        &helmrelease(),
        "hr.yaml",
        rendered.as_bytes(),
        &premigrate::Config::default(),
    )
    .unwrap();
    let kustomization = serde_json::json!({
        "resources": ["in.yaml"],
        "patches": patches_of(&out.helmrelease),
    });
    std::fs::write(
        tmp.path().join("kustomization.yaml"),
        kustomization.to_string(),
    )
    .unwrap();
    let script = tmp.path().join("kustomize-patches.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nset -e\nd=$(mktemp -d)\ncat > \"$d/in.yaml\"\ncp '{}' \"$d/kustomization.yaml\"\n'{}' kustomize \"$d\"\nrm -rf \"$d\"\n",
            tmp.path().join("kustomization.yaml").display(),
            kubectl.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let plugins = tmp.path().join("plugins");
    support::write_helm4_plugin(&plugins, "fluxpatches", &script);
    let dry = run_helm_ok(
        &helm4,
        &[
            "install",
            "rel",
            c.to_str().unwrap(),
            "--dry-run=client",
            "--post-renderer",
            "fluxpatches",
        ],
        &[("HELM_PLUGINS", plugins.to_str().unwrap())],
    );
    let (hooks, manifest) = support::split_dry_run(&dry);
    let hook_res = support::resources(&hooks);
    let man_res = support::resources(&manifest);
    assert!(
        hook_res.contains(&("Job".into(), "rel-laravel-migrate-4cd5b4d083".into())),
        "{hooks}"
    );
    assert!(
        hook_res.contains(&("ConfigMap".into(), "rel-laravel-env".into())),
        "{hooks}"
    );
    assert!(
        !man_res.iter().any(|(k, _)| k == "ConfigMap" || k == "Job"),
        "{manifest}"
    );
    assert!(man_res.iter().any(|(k, _)| k == "Deployment"), "{manifest}");
    assert!(
        hooks.contains("helm.sh/hook-delete-policy: before-hook-creation\n"),
        "{hooks}"
    );
    assert!(hooks.contains("helm.sh/resource-policy: keep"), "{hooks}");
}
