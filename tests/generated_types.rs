//! Every object premigrate generates (gate containers, projected token volume,
//! Role, RoleBinding) must survive a trip through the Kubernetes types:
//! deserialize into k8s-openapi, serialize again, and nothing is dropped or retyped.

use k8s_openapi::api::core::v1::{Container, Volume};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use premigrate::config::{GateStyle, Target};
use premigrate::stream::Stream;
use premigrate::yaml::Tree;

fn docs(out: &[u8]) -> Vec<serde_json::Value> {
    let st = Stream::split(out).unwrap();
    (0..st.docs.len())
        .filter_map(|i| {
            let t = Tree::parse(st.doc_text(i)).unwrap();
            t.root.map(|r| t.value(r).unwrap().to_json())
        })
        .collect()
}

fn same_through<T: serde::de::DeserializeOwned + serde::Serialize>(v: &serde_json::Value) {
    let typed: T = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v}"));
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        v,
        "k8s-openapi dropped or retyped a field"
    );
}

fn check(input: &str, cfg: &premigrate::Config) -> usize {
    let out = premigrate::rewrite(input.as_bytes(), cfg).unwrap();
    let mut checked = 0;
    for d in docs(&out.stream) {
        match d["kind"].as_str() {
            Some("Role") => same_through::<Role>(&d),
            Some("RoleBinding") => same_through::<RoleBinding>(&d),
            _ => {}
        }
        let pod = if d["kind"] == "Pod" {
            &d["spec"]
        } else {
            &d["spec"]["template"]["spec"]
        };
        for c in pod["initContainers"].as_array().into_iter().flatten() {
            if c["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("premigrate-wait"))
            {
                same_through::<Container>(c);
                checked += 1;
            }
        }
        for v in pod["volumes"].as_array().into_iter().flatten() {
            if v["name"] == "premigrate-wait-token" {
                same_through::<Volume>(v);
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn gates_and_rbac_match_the_kubernetes_types() {
    let demo = premigrate::demo::INPUT;
    let no_token = demo.replace("    spec:\n      containers:\n        - name: web", "    spec:\n      automountServiceAccountToken: false\n      containers:\n        - name: web");
    for style in [GateStyle::K8sWaitFor, GateStyle::Kubectl, GateStyle::Check] {
        let cfg = premigrate::Config {
            target: Target::Gitops,
            gate_style: style,
            gate_check: Some("php artisan migrate:status".into()),
            ..Default::default()
        };
        assert_eq!(check(demo, &cfg), 2, "{style:?}");
        let n = check(&no_token, &cfg);
        assert_eq!(
            n,
            if style == GateStyle::Check { 2 } else { 3 },
            "{style:?}"
        );
    }
}
