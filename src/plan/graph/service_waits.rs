//! Waits on a Service's endpoints, for the deadlock check: an init container
//! that loops until a host answers (`until pg_isready -h db`, a `curl` of a
//! migration-status endpoint) holds its pod until the workloads behind that
//! Service of the stream are Ready. Without them in the model, a database
//! gated on the Job that waits for it (Twenty's bundled database, once taken
//! for an app) or a migration service gated on the Job its own gate polls
//! (Rasa X under `--migrate`) passed the check and hung on every engine.

use super::hosts::{names_host, Origin};
use crate::yaml::value::Text;
use crate::yaml::Value;

/// Kinds whose pods a Service's selector can pick (long-running pods).
const SELECTED_KINDS: &[&str] = &[
    "StatefulSet",
    "Deployment",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Rollout",
];

/// What a document tells the endpoint waits: the labels of the pods it runs
/// (a workload), or the selector of a Service.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Endpoints {
    /// Its pods' labels, for a workload a Service can select.
    pub labels: Vec<(Text, Text)>,
    /// Its selector, for a Service (empty: it selects nothing).
    pub selector: Vec<(Text, Text)>,
}

impl Endpoints {
    /// What document `v` (of kind `kind`) tells.
    pub fn of(v: &Value, kind: &str) -> Endpoints {
        let pairs = |m: Option<&Value>| -> Vec<(Text, Text)> {
            m.map(Value::entries)
                .unwrap_or(&[])
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.into())))
                .collect()
        };
        match kind {
            "Service" => Endpoints {
                selector: pairs(v.at(&["spec", "selector"])),
                ..Default::default()
            },
            "Pod" => Endpoints {
                labels: pairs(v.at(&["metadata", "labels"])),
                ..Default::default()
            },
            k if SELECTED_KINDS.contains(&k) => Endpoints {
                labels: pairs(v.at(&["spec", "template", "metadata", "labels"])),
                ..Default::default()
            },
            _ => Endpoints::default(),
        }
    }

    /// Whether a Service with these endpoints' selector selects pods labelled `labels`.
    pub fn selects(&self, labels: &[(Text, Text)]) -> bool {
        !self.selector.is_empty() && self.selector.iter().all(|kv| labels.contains(kv))
    }
}

/// The hosts the pod's waiting init containers loop on, each with the
/// container's name: every DNS-label word of their command, args and env
/// values in a host's place (a word that names no Service of the stream
/// waits for nothing).
pub fn waited_hosts(pod: &Value) -> Vec<(String, String)> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    let no_scripts = |_: &str| None;
    // Gates that wait for Jobs are modelled as such (`chart_gates`).
    let gates: Vec<String> = super::chart_gates::find_all(pod)
        .into_iter()
        .map(|g| g.container.to_string())
        .collect();
    let mut out = Vec::new();
    for c in inits {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
        if gates.iter().any(|g| g == name) {
            continue;
        }
        let argv: Vec<&str> = ["command", "args"]
            .into_iter()
            .flat_map(|k| c.strings(k))
            .collect();
        let kind = crate::detect::classify_container(c, &no_scripts).kind;
        if kind != crate::detect::Kind::Waiter && !argv.iter().any(|a| is_retry_loop(a)) {
            continue;
        }
        let env = crate::k8s::env_values(c)
            .filter_map(|(_, n, v)| Some((v.as_str()?, Origin::Env(n.to_string()))));
        let texts = argv.into_iter().map(|a| (a, Origin::Argv)).chain(env);
        for (text, origin) in texts {
            // A word in a host's place only: not a user or a database so named
            // (`pg_isready -h db -U openproject`).
            for host in host_words(text).filter(|h| names_host(text, &origin, h, "", "")) {
                if !out.iter().any(|(_, h): &(String, String)| *h == host) {
                    out.push((name.to_string(), host));
                }
            }
        }
    }
    out
}

/// Whether a script loops until something answers: `until`/`while` and a
/// `sleep` (Rasa X's `until [[ "$(curl -s http://…)" … ]]; do sleep 5; done`,
/// which detection reads as no waiter: its command is a test).
fn is_retry_loop(script: &str) -> bool {
    let has = |w: &str| {
        script
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|t| t == w)
    };
    (has("until") || has("while")) && has("sleep")
}

/// The first DNS label of every host-like word of `text` (`db`,
/// `db.ns.svc.cluster.local:5432`, `http://migsvc:8000/status` → `db`, `db`, `migsvc`).
fn host_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .filter_map(|w| w.split('.').next())
        .filter(|l| {
            (1..=63).contains(&l.len())
                && l.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_words_are_first_dns_labels() {
        let words: Vec<String> =
            host_words("until curl -s http://migsvc:8000/st | grep -c Done; do sleep 5; done")
                .collect();
        assert!(words.contains(&"migsvc".to_string()));
        assert!(words.contains(&"sleep".to_string()));
        assert!(!words.iter().any(|w| w == "Done"));
        let fq: Vec<String> = host_words("db.ns.svc.cluster.local:5432").collect();
        assert_eq!(fq, vec!["db".to_string()]);
    }

    #[test]
    fn a_service_selects_pods_with_every_selector_label() {
        let svc = Endpoints {
            selector: vec![("app".into(), "db".into())],
            ..Default::default()
        };
        let labels: Vec<(Text, Text)> = vec![("app".into(), "db".into()), ("x".into(), "y".into())];
        assert!(svc.selects(&labels));
        assert!(!svc.selects(&[("app".into(), "web".into())]));
        assert!(!Endpoints::default().selects(&labels));
    }

    #[test]
    fn a_retry_loop_waits_for_the_hosts_it_names() {
        let pod = crate::yaml::Tree::read_value(concat!(
            "initContainers:\n",
            "- name: init-db\n",
            "  image: acme/app:1\n",
            "  command: [/bin/bash, -c, 'until [[ \"$(curl -s http://migsvc:8000 | grep -c completed)\" == \"1\" ]]; do sleep 5; done']\n",
            "- name: copy\n",
            "  image: busybox\n",
            "  command: [cp, /src/config, /dst/]\n",
        ))
        .unwrap()
        .unwrap();
        let hosts = waited_hosts(&pod);
        assert!(hosts.iter().any(|(c, h)| c == "init-db" && h == "migsvc"));
        assert!(hosts.iter().all(|(c, _)| c == "init-db"));
    }
}
