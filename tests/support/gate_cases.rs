//! The gate fixtures under `testdata/gates/`, and the invariants every gated output keeps.
//!
//! Fixtures: hand-written rendered streams,
//! each starting with comment lines that say what the case is about and, in
//! `# args: FLAGS`, the command-line flags of the case (shell-quoted). Shared
//! by tests/gates.rs, tests/generated_types.rs and tests/helm_charts.rs.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Parser;
use premigrate::stream::Stream;
use premigrate::yaml::Tree;
use serde_json::Value as Json;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/gates")
}

/// A fixture: its name, flags and stream (header cut).
pub struct Case {
    pub name: String,
    pub args: Vec<String>,
    /// `# known-bug: …`: a bug outside the gates (named in the header) breaks the rerun
    /// invariants; only the snapshot and the consistency of the first output are checked.
    pub known_bug: bool,
    pub input: String,
}

pub fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir().display());
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let mut args = Vec::new();
            let mut known_bug = false;
            let mut body = text.as_str();
            while let Some(line) = body.lines().next().filter(|l| l.starts_with('#')) {
                if let Some(a) = line.strip_prefix("# args:") {
                    args.extend(shell_words(a));
                }
                known_bug |= line.starts_with("# known-bug:");
                body = &body[line.len()..];
                body = body.strip_prefix('\n').unwrap_or(body);
            }
            Case {
                name: p.file_stem().unwrap().to_str().unwrap().to_string(),
                args,
                known_bug,
                input: body.to_string(),
            }
        })
        .collect()
}

/// Splits flags as a shell would, for the quoting fixtures use ('…' and "…").
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in `{s}`");
    if any {
        out.push(cur);
    }
    out
}

/// The configuration the flags make, as the command line validates it.
pub fn config(args: &[String]) -> premigrate::Config {
    let cli = premigrate::cli::Cli::try_parse_from(
        std::iter::once("premigrate".to_string()).chain(args.iter().cloned()),
    )
    .unwrap_or_else(|e| panic!("bad args {args:?}: {e}"));
    cli.opts.config().unwrap_or_else(|e| panic!("{e:?}"))
}

/// Each document's text and what Kubernetes reads from it (None for blank ones).
pub fn docs(stream: &str) -> Vec<(String, Option<Json>)> {
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

pub fn pod_spec(d: &Json) -> Option<&Json> {
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

pub fn ann<'a>(d: &'a Json, key: &str) -> Option<&'a str> {
    d["metadata"]["annotations"][key].as_str()
}

pub fn is_gate(c: &Json) -> bool {
    c["name"]
        .as_str()
        .is_some_and(|n| n.starts_with("premigrate-wait"))
}

/// The Job a gate container waits for, read from its command line.
pub fn gate_job(c: &Json) -> String {
    let words: Vec<&str> = c["command"]
        .as_array()
        .into_iter()
        .chain(c["args"].as_array())
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    match words.as_slice() {
        ["job-wr", name] => name.to_string(),
        ["/bin/kubectl", "wait", _, job, _] => job.strip_prefix("job/").unwrap().to_string(),
        // The check gate names its Job in its marker variable, never in its script.
        ["sh", "-c", _] => c["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == "PREMIGRATE_WAIT_FOR")
            .and_then(|e| e["value"].as_str())
            .unwrap()
            .to_string(),
        _ => panic!("unknown gate command line: {c}"),
    }
}

/// The invariants every output keeps, whatever the case:
/// - every gate waits for a Job that is in the output, under its hashed name,
///   and is its workload's first init container(s) after the leading native sidecars;
/// - every Role names only Jobs of the output, and every gated workload's
///   service account is bound, before the workload in the stream;
/// - a pod without a service-account token has the projected one, in the gate only.
pub fn check_consistent(case: &str, stream: &str) {
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
                // A contract step's rollout gates read apps; every other Role, Jobs.
                let kind = match d["rules"][0]["resources"][0].as_str() {
                    Some("deployments") => "Deployment",
                    Some("statefulsets") => "StatefulSet",
                    Some("daemonsets") => "DaemonSet",
                    _ => "Job",
                };
                for n in &names {
                    let found = match kind {
                        "Job" => jobs.contains(&n.as_str()),
                        _ => position(kind, n, &d["metadata"]["namespace"]).is_some(),
                    };
                    assert!(
                        found,
                        "{case}: Role {key:?} names a {kind} that is not in the output: {n}"
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
