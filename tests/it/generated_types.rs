//! Every object premigrate generates (gate containers of each style, projected
//! token volume, Role, RoleBinding) must survive a trip through the Kubernetes
//! types: deserialize into k8s-openapi, serialize again, and nothing is dropped
//! or retyped. The pod spec of every gated workload goes through `PodSpec` as a
//! whole, so a gate that fits `Container` but breaks its pod shows up too.

use crate::gate_cases::{self, docs, pod_spec};
use k8s_openapi::api::core::v1::{Container, PodSpec, Volume};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use premigrate::config::{GateStyle, Target};

fn same_through<T: serde::de::DeserializeOwned + serde::Serialize>(
    what: &str,
    v: &serde_json::Value,
) {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{what}: {e}: {v}"));
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        v,
        "{what}: k8s-openapi dropped or retyped a field"
    );
}

/// What the checks saw, to make sure each kind of object was checked at all.
#[derive(Default, Debug)]
struct Seen {
    styles: Vec<&'static str>,
    tokens: usize,
    roles: usize,
    bindings: usize,
    pods: usize,
}

fn check(what: &str, input: &str, cfg: &premigrate::Config, seen: &mut Seen) {
    let out = premigrate::rewrite(input.as_bytes(), cfg).unwrap();
    for d in docs(std::str::from_utf8(&out.stream).unwrap())
        .into_iter()
        .filter_map(|d| d.1)
    {
        let what = format!("{what}: {}/{}", d["kind"], d["metadata"]["name"]);
        match d["kind"].as_str() {
            Some("Role") => {
                same_through::<Role>(&what, &d);
                seen.roles += 1;
            }
            Some("RoleBinding") => {
                same_through::<RoleBinding>(&what, &d);
                seen.bindings += 1;
            }
            _ => {}
        }
        let Some(pod) = pod_spec(&d) else { continue };
        let mut gated = false;
        for c in pod["initContainers"].as_array().into_iter().flatten() {
            if c["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("premigrate-wait"))
            {
                same_through::<Container>(&what, c);
                gated = true;
                let style = match (c["args"][0].as_str(), c["command"][0].as_str()) {
                    (Some("job-wr"), _) => "k8s-wait-for",
                    (_, Some("/bin/kubectl")) => "kubectl",
                    (_, Some("sh")) => "check",
                    _ => panic!("{what}: unknown gate {c}"),
                };
                if !seen.styles.contains(&style) {
                    seen.styles.push(style);
                }
            }
        }
        for v in pod["volumes"].as_array().into_iter().flatten() {
            if v["name"] == "premigrate-wait-token" {
                same_through::<Volume>(&what, v);
                seen.tokens += 1;
            }
        }
        if gated {
            same_through::<PodSpec>(&what, pod);
            seen.pods += 1;
        }
    }
}

/// The demo through each style, with and without the pod's service-account token.
#[test]
fn demo_gates_and_rbac_match_the_kubernetes_types() {
    let demo = premigrate::demo::INPUT;
    let no_token = demo.replace("    spec:\n      containers:\n        - name: web", "    spec:\n      automountServiceAccountToken: false\n      containers:\n        - name: web");
    let mut seen = Seen::default();
    for style in [GateStyle::K8sWaitFor, GateStyle::Kubectl, GateStyle::Check] {
        let cfg = premigrate::Config {
            target: Target::Gitops,
            gate_style: style,
            gate_check: Some("php artisan migrate:status".into()),
            ..Default::default()
        };
        check(&format!("demo {style:?}"), demo, &cfg, &mut seen);
        check(
            &format!("demo {style:?} no token"),
            &no_token,
            &cfg,
            &mut seen,
        );
    }
    assert_eq!(seen.styles, ["k8s-wait-for", "kubectl", "check"]);
    // The token volume only where a gate reads the API: two styles, one workload each.
    assert_eq!(seen.tokens, 2, "{seen:?}");
}

/// Every gate fixture (each workload kind, style, automount case, several
/// migrations, reruns): every generated object matches the Kubernetes types.
#[test]
fn fixture_gates_and_rbac_match_the_kubernetes_types() {
    let mut seen = Seen::default();
    for case in gate_cases::cases() {
        let cfg = gate_cases::config(&case.args);
        check(&case.name, &case.input, &cfg, &mut seen);
    }
    let mut styles = seen.styles.clone();
    styles.sort();
    assert_eq!(styles, ["check", "k8s-wait-for", "kubectl"], "{seen:?}");
    assert!(
        seen.tokens >= 3 && seen.roles >= 10 && seen.bindings == seen.roles && seen.pods >= 20,
        "{seen:?}"
    );
}

/// Every Job premigrate builds from a workload (extracted from init containers or
/// generated with a command), from each case in testdata/sources, goes through
/// the `Job` type whole.
#[test]
fn derived_jobs_match_the_kubernetes_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sources");
    let mut jobs = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.ends_with(".yaml") && !n.starts_with("err-")
        })
        .collect();
    files.sort();
    for f in files {
        let input = std::fs::read_to_string(&f).unwrap();
        let args = input
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# args:"))
            .map(gate_cases::shell_words)
            .unwrap_or_default();
        let cfg = gate_cases::config(&args);
        let out = premigrate::rewrite(input.as_bytes(), &cfg).unwrap();
        for d in docs(std::str::from_utf8(&out.stream).unwrap())
            .into_iter()
            .filter_map(|d| d.1)
        {
            if d["kind"] == "Job"
                && d["metadata"]["annotations"]["premigrate.io/derived-from"].is_string()
            {
                let what = format!("{}: Job/{}", f.display(), d["metadata"]["name"]);
                same_through::<k8s_openapi::api::batch::v1::Job>(&what, &d);
                jobs += 1;
            }
        }
    }
    assert!(jobs >= 9, "only {jobs} derived Jobs checked");
}
