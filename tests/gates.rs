//! Wait gates, one hand-written rendered stream per case under `testdata/gates/`.
//!
//! A fixture starts with comment lines: what the case is about, and optionally
//! `# args: FLAGS` (the command-line flags of the case, shell-quoted). Those
//! header lines are cut before the stream is rewritten. Each case is
//! snapshot-tested (output stream and `--explain` text), and every case must
//! keep the invariants below, whatever its snapshot says:
//! - a second run over the output changes nothing;
//! - every gate waits for a Job that is in the output, under its hashed name,
//!   and is its workload's first init container(s) after the leading native sidecars;
//! - every Role names only Jobs of the output, and every gated workload's
//!   service account is bound, before the workload in the stream;
//! - when the first migration changes (its image tag), rerunning over the
//!   earlier output gives what a fresh run gives: no stale gate, Role or name.

#[path = "support/gate_cases.rs"]
mod gate_cases;

use std::collections::BTreeMap;

use gate_cases::{cases, config, Case};
use premigrate::stream::Stream;
use premigrate::yaml::Tree;
use serde_json::Value as Json;

fn rewrite(input: &str, cfg: &premigrate::Config) -> premigrate::Output {
    premigrate::rewrite(input.as_bytes(), cfg).unwrap_or_else(|e| panic!("{e:?}"))
}

fn text(out: &premigrate::Output) -> String {
    String::from_utf8(out.stream.clone()).unwrap()
}

/// Each document's text and what Kubernetes reads from it (None for blank ones).
fn docs(stream: &str) -> Vec<(String, Option<Json>)> {
    let st = Stream::split(stream.as_bytes()).unwrap();
    (0..st.docs.len())
        .map(|i| {
            let t = st.doc_text(i);
            let tree = Tree::parse(t).unwrap();
            (
                t.to_string(),
                tree.root.map(|r| tree.value(r).unwrap().to_json()),
            )
        })
        .collect()
}

fn pod_spec(d: &Json) -> Option<&Json> {
    let p = match d["kind"].as_str()? {
        "Pod" => &d["spec"],
        "CronJob" => &d["spec"]["jobTemplate"]["spec"]["template"]["spec"],
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "Rollout" => {
            &d["spec"]["template"]["spec"]
        }
        _ => return None,
    };
    p.is_object().then_some(p)
}

fn ann<'a>(d: &'a Json, key: &str) -> Option<&'a str> {
    d["metadata"]["annotations"][key].as_str()
}

fn is_gate(c: &Json) -> bool {
    c["name"]
        .as_str()
        .is_some_and(|n| n.starts_with("premigrate-wait"))
}

/// The Job a gate container waits for, read from its command line.
fn gate_job(c: &Json) -> String {
    let words: Vec<&str> = c["command"]
        .as_array()
        .into_iter()
        .chain(c["args"].as_array())
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    match words.as_slice() {
        ["job-wr", name] => name.to_string(),
        ["kubectl", "wait", _, job, _] => job.strip_prefix("job/").unwrap().to_string(),
        ["sh", "-c", script] => script
            .split("waiting for Job ")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap()
            .to_string(),
        _ => panic!("unknown gate command line: {c}"),
    }
}

/// The invariants every output keeps (see the module comment).
fn check_consistent(case: &str, stream: &str) {
    let docs = docs(stream);
    let values: Vec<&Json> = docs.iter().filter_map(|d| d.1.as_ref()).collect();
    let jobs: Vec<&str> = values
        .iter()
        .filter(|d| d["kind"] == "Job")
        .filter_map(|d| d["metadata"]["name"].as_str())
        .collect();
    let position = |kind: &str, name: &str, ns: &Json| {
        values.iter().position(|d| {
            d["kind"] == kind && d["metadata"]["name"] == name && &d["metadata"]["namespace"] == ns
        })
    };
    // Role name → the Jobs it lets read; RoleBinding name → its service accounts.
    let mut roles: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut bindings: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for d in &values {
        let key = (
            d["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            d["metadata"]["name"].as_str().unwrap_or("").to_string(),
        );
        match d["kind"].as_str() {
            Some("Role") => {
                let names: Vec<String> = d["rules"][0]["resourceNames"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap().to_string())
                    .collect();
                for n in &names {
                    assert!(
                        jobs.contains(&n.as_str()),
                        "{case}: Role {key:?} names a Job that is not in the output: {n}"
                    );
                }
                assert!(
                    roles.insert(key.clone(), names).is_none(),
                    "{case}: two Roles {key:?}"
                );
            }
            Some("RoleBinding") => {
                assert_eq!(
                    d["roleRef"]["name"].as_str(),
                    Some(key.1.as_str()),
                    "{case}"
                );
                let sas = d["subjects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap().to_string())
                    .collect();
                assert!(
                    bindings.insert(key, sas).is_none(),
                    "{case}: two RoleBindings"
                );
            }
            _ => {}
        }
    }
    assert_eq!(
        roles.keys().collect::<Vec<_>>(),
        bindings.keys().collect::<Vec<_>>(),
        "{case}: every Role has its RoleBinding"
    );
    for (w, d) in values.iter().enumerate() {
        let Some(pod) = pod_spec(d) else { continue };
        let inits: Vec<&Json> = pod["initContainers"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        let gates: Vec<&Json> = inits.iter().copied().filter(|c| is_gate(c)).collect();
        let what = format!("{case}: {}/{}", d["kind"], d["metadata"]["name"]);
        // Gates come first, after the native sidecars that lead the list (they start before).
        let sidecars = inits
            .iter()
            .take_while(|c| c["restartPolicy"] == "Always")
            .count();
        assert!(
            inits[sidecars..]
                .iter()
                .take(gates.len())
                .all(|c| is_gate(c)),
            "{what}: gates are not the first init containers after the leading sidecars"
        );
        let ns = &d["metadata"]["namespace"];
        let sa = pod["serviceAccountName"]
            .as_str()
            .or(pod["serviceAccount"].as_str())
            .filter(|s| !s.is_empty())
            .unwrap_or("default");
        // No token when the pod says so, or when it does not say and its ServiceAccount does.
        let no_token = match pod["automountServiceAccountToken"].as_bool() {
            Some(b) => !b,
            None => values.iter().any(|a| {
                a["kind"] == "ServiceAccount"
                    && a["metadata"]["name"] == sa
                    && &a["metadata"]["namespace"] == ns
                    && a["automountServiceAccountToken"] == false
            }),
        };
        let mut names: Vec<&str> = gates.iter().map(|g| g["name"].as_str().unwrap()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), gates.len(), "{what}: two gates share a name");
        for g in &gates {
            let job = gate_job(g);
            assert!(
                jobs.contains(&job.as_str()),
                "{what}: gate waits for {job}, which is not in the output"
            );
            assert!(
                g["name"].as_str().unwrap().len() <= 63,
                "{what}: gate name longer than a DNS label"
            );
            if g["command"][0] == "sh" {
                continue; // `check` gates read the database, not the API.
            }
            // The Role that lets this gate read its Job, bound to the pod's service account, before the workload.
            let role = roles
                .iter()
                .find(|((rns, _), names)| {
                    Some(rns.as_str()) == Some(ns.as_str().unwrap_or("")) && names.contains(&job)
                })
                .unwrap_or_else(|| panic!("{what}: no Role lets the gate read Job {job}"));
            assert!(
                bindings[role.0].contains(&sa.to_string()),
                "{what}: service account {sa} is not bound to Role {:?}",
                role.0
            );
            for kind in ["Role", "RoleBinding"] {
                let at = position(kind, &role.0 .1, ns).unwrap();
                assert!(
                    at < w,
                    "{what}: {kind} {:?} comes after the workload",
                    role.0
                );
            }
            if no_token {
                let mounts = &g["volumeMounts"];
                assert_eq!(
                    mounts[0]["name"], "premigrate-wait-token",
                    "{what}: gate gets no token"
                );
                assert!(
                    pod["volumes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|v| v["name"] == "premigrate-wait-token"),
                    "{what}: no token volume"
                );
            }
        }
        // The token is the gate's alone.
        for c in pod["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(inits.iter().copied().filter(|c| !is_gate(c)))
        {
            for m in c["volumeMounts"].as_array().into_iter().flatten() {
                assert_ne!(
                    m["name"], "premigrate-wait-token",
                    "{what}: app container mounts the gate's token"
                );
            }
        }
    }
}

/// Appends `-next` to the tag of the first `image:` line of the document (the migration's own container).
fn bump_image(doc: &str) -> String {
    let mut done = false;
    doc.split_inclusive('\n')
        .map(|l| {
            if done {
                return l.to_string();
            }
            let Some(i) = l.find("image: ") else {
                return l.to_string();
            };
            done = true;
            let (head, value) = l.split_at(i + "image: ".len());
            let end = value.trim_end();
            let nl = &value[end.len()..];
            match end.strip_suffix('"') {
                Some(inner) => format!("{head}{inner}-next\"{nl}"),
                None => format!("{head}{end}-next{nl}"),
            }
        })
        .collect()
}

/// The stream with the migration Job named `original` (as written, or hashed with that original name) changed.
fn change_migration(stream: &str, original: &str) -> String {
    let mut hit = 0;
    let out = docs(stream)
        .into_iter()
        .map(|(t, v)| match v {
            Some(v)
                if v["kind"] == "Job"
                    && ann(&v, "premigrate.io/generated").is_none()
                    && (ann(&v, "premigrate.io/original-name") == Some(original)
                        || v["metadata"]["name"] == original) =>
            {
                hit += 1;
                bump_image(&t)
            }
            _ => t,
        })
        .collect();
    assert_eq!(hit, 1, "migration {original} not found once in\n{stream}");
    out
}

fn snapshot_text(out: &premigrate::Output) -> String {
    format!(
        "{}\n# ── explain ──\n{}",
        text(out),
        out.explanation
            .lines()
            .map(|l| format!("# {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// Runs one case: snapshot, then the invariants.
fn run(case: &Case) {
    let name = &case.name;
    let cfg = config(&case.args);
    let out = rewrite(&case.input, &cfg);
    let first = text(&out);
    insta::assert_snapshot!(name.as_str(), snapshot_text(&out));
    check_consistent(name, &first);
    if case.known_bug {
        return;
    }

    let again = text(&rewrite(&first, &cfg));
    assert_eq!(again, first, "{name}: a second run changed the output");

    // A changed migration, over the earlier output and fresh: the same stream, nothing left of the old name.
    let Some(m) = out.plan.migrations.first() else {
        return;
    };
    let fresh = text(&rewrite(
        &change_migration(&case.input, &m.original_name),
        &cfg,
    ));
    let rerun = text(&rewrite(&change_migration(&first, &m.original_name), &cfg));
    assert!(
        !fresh.contains(&m.name),
        "{name}: changed migration kept its name {}",
        m.name
    );
    assert_eq!(
        rerun, fresh,
        "{name}: rerun over a changed migration differs from a fresh run"
    );
    check_consistent(name, &rerun);
}

#[test]
fn gates() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/gates");
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    // Every case runs, so one failure does not hide the others.
    let failed: Vec<String> = cases()
        .iter()
        .filter(|case| std::panic::catch_unwind(|| run(case)).is_err())
        .map(|case| case.name.clone())
        .collect();
    assert!(failed.is_empty(), "failing cases: {failed:?}");
}

/// Bug in src/migrations.rs: under gitops the contract Job of an expand/contract pair loses
/// its `helm.sh/hook: post-…` annotation, which is the only thing its phase is read from; a
/// second run then makes it a pre migration (wave -1, kapp group) and gates the web on it,
/// so the contract step runs before the new version is out.
#[test]
#[ignore = "known bug: the post phase is not kept in the output (src/migrations.rs)"]
fn post_phase_survives_a_rerun() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "post-phase")
        .unwrap();
    let cfg = config(&case.args);
    let first = text(&rewrite(&case.input, &cfg));
    assert_eq!(text(&rewrite(&first, &cfg)), first);
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        gate_cases::shell_words(
            " --gate-style check --gate-check 'php artisan migrate:status' --x=\"a b\" ''"
        ),
        [
            "--gate-style",
            "check",
            "--gate-check",
            "php artisan migrate:status",
            "--x=a b",
            ""
        ]
    );
}
