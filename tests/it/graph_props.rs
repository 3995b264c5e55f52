//! Property test of the release graph over random releases: a bundled or an
//! external database, 0–4 migrations with random hook events and weights, apps
//! with or without the chart's own gates and Argo CD waves, one or two namespaces.
//! Under both targets: the rewrite never refuses a release that does not hang
//! without premigrate, no engine hangs because of premigrate, no data service is
//! gated or placed at or after a migration's wave, every migration runs after the
//! one it follows, every app that uses the migrated database waits for (or runs
//! after) each pre migration, and a second run changes nothing.

use proptest::prelude::*;
use serde_json::Value as Json;

use crate::gate_cases::docs;

#[derive(Debug, Clone)]
struct Mig {
    events: Option<&'static str>,
    weight: i64,
}

#[derive(Debug, Clone)]
struct Release {
    bundled: bool,
    migs: Vec<Mig>,
    apps: Vec<(Option<i64>, u8)>,
    second_ns: bool,
}

const EVENTS: &[Option<&str>] = &[
    None,
    Some("pre-install,pre-upgrade"),
    Some("pre-install"),
    Some("pre-upgrade"),
    Some("post-install,post-upgrade"),
    Some("post-install"),
];

fn release() -> impl Strategy<Value = Release> {
    let mig = (0..EVENTS.len(), -5i64..6).prop_map(|(e, weight)| Mig {
        events: EVENTS[e],
        weight,
    });
    (
        any::<bool>(),
        prop::collection::vec(mig, 0..5),
        prop::collection::vec((prop::option::of(-3i64..4), 0u8..3), 1..3),
        any::<bool>(),
    )
        .prop_map(|(bundled, migs, apps, second_ns)| Release {
            bundled,
            migs,
            apps,
            second_ns,
        })
}

fn render(r: &Release) -> String {
    let host = if r.bundled {
        "rel-postgresql"
    } else {
        "db.example.internal"
    };
    let mut s = format!("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app-db\nstringData:\n  DATABASE_URL: postgres://app:pw@{host}:5432/app\n");
    if r.bundled {
        s.push_str("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: rel-postgresql\nspec:\n  ports:\n    - port: 5432\n  selector:\n    app: pg\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: rel-postgresql\nspec:\n  serviceName: rel-postgresql\n  selector:\n    matchLabels: {app: pg}\n  template:\n    metadata:\n      labels: {app: pg}\n    spec:\n      containers:\n        - name: pg\n          image: bitnami/postgresql:16\n          envFrom:\n            - secretRef: {name: app-db}\n");
    }
    for (k, (wave, gate)) in r.apps.iter().enumerate() {
        let ann = wave
            .map(|w| format!("  annotations:\n    argocd.argoproj.io/sync-wave: \"{w}\"\n"))
            .unwrap_or_default();
        let init = match (gate, r.migs.is_empty()) {
            (1, false) => "      initContainers:\n        - name: wait-for-migration\n          image: groundnuty/k8s-wait-for:v2.0\n          args: [\"job-wr\", \"m0\"]\n",
            (2, _) => "      initContainers:\n        - name: wait-for-migrations\n          image: ghcr.io/acme/app:1\n          command: [\"sh\", \"-c\", \"until python manage.py migrate --check; do sleep 2; done\"]\n",
            _ => "",
        };
        s.push_str(&format!("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{k}\n{ann}spec:\n  selector:\n    matchLabels: {{app: a{k}}}\n  template:\n    metadata:\n      labels: {{app: a{k}}}\n    spec:\n{init}      containers:\n        - name: app\n          image: ghcr.io/acme/app:1\n          envFrom:\n            - secretRef: {{name: app-db}}\n"));
    }
    for (k, m) in r.migs.iter().enumerate() {
        let mut ann = String::from("    premigrate.io/migration: \"true\"\n");
        if let Some(e) = m.events {
            ann.push_str(&format!(
                "    helm.sh/hook: {e}\n    helm.sh/hook-weight: \"{}\"\n",
                m.weight
            ));
        }
        let ns = if r.second_ns && k % 2 == 1 {
            "  namespace: other\n"
        } else {
            ""
        };
        s.push_str(&format!("---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: m{k}\n{ns}  annotations:\n{ann}spec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: ghcr.io/acme/app:1\n          command: [\"python\", \"manage.py\", \"migrate\", \"app{k}\"]\n          envFrom:\n            - secretRef: {{name: app-db}}\n"));
    }
    s
}

fn wave(d: &Json) -> Option<i64> {
    d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
        .as_str()
        .and_then(|w| w.trim().parse().ok())
}

fn check(r: &Release, target: &str) -> Result<(), TestCaseError> {
    let input = render(r);
    let cfg = crate::gate_cases::config(&["--target".into(), target.into()]);
    let out = match premigrate::rewrite(input.as_bytes(), &cfg) {
        Ok(o) => o,
        Err(e) => return Err(TestCaseError::fail(format!("refused: {e}\n{input}"))),
    };
    for v in &out.plan.verdicts {
        prop_assert!(
            v.deadlock.is_none() || v.inherited,
            "{:?} hangs: {:?}\n{input}",
            v.engine,
            v.deadlock
        );
    }
    let text = String::from_utf8(out.stream.clone()).unwrap();
    let again = premigrate::rewrite(text.as_bytes(), &cfg).unwrap();
    prop_assert_eq!(
        String::from_utf8(again.stream).unwrap(),
        text.clone(),
        "not a fixed point"
    );
    let output = docs(&text);
    let find = |kind: &str, name: &str| {
        output
            .iter()
            .filter_map(|(_, v)| v.clone())
            .find(|v| v["kind"] == kind && v["metadata"]["name"] == name)
    };
    if let Some(db) = find("StatefulSet", "rel-postgresql") {
        let gated = db["spec"]["template"]["spec"]["initContainers"].is_array();
        prop_assert!(!gated, "the database is gated\n{text}");
        for m in out.plan.migrations.iter().filter(|m| !m.hook) {
            let job = find("Job", &m.name).unwrap();
            if let (Some(dw), Some(jw)) = (wave(&db), wave(&job)) {
                prop_assert!(
                    dw < jw,
                    "database wave {dw} not before {} wave {jw}",
                    m.name
                );
            }
        }
    }
    for m in &out.plan.migrations {
        for a in &m.after {
            let p = out
                .plan
                .migrations
                .iter()
                .find(|p| &p.original_name == a)
                .unwrap();
            if let (Some(w), Some(pw)) = (m.wave, p.wave) {
                prop_assert!(pw < w, "{} not after {a}", m.original_name);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_releases_never_hang_and_keep_data_services_first(r in release()) {
        check(&r, "gitops")?;
        check(&r, "hooks")?;
    }
}
