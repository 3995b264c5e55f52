//! Waits on a Service's endpoints, for the deadlock check: an init container
//! that loops until a host answers (`until pg_isready -h db`, a `curl` of a
//! migration-status endpoint) holds its pod until the workloads behind that
//! Service of the stream are Ready. Without them in the model, a database
//! gated on the Job that waits for it (Twenty's bundled database, once taken
//! for an app) or a migration service gated on the Job its own gate polls
//! (Rasa X under `--migrate`) passed the check and hung on every engine.

use super::chart_gates::ChartGate;
use super::hosts::{names_host, Origin};
use super::roles::SERVICE_KINDS;
use crate::yaml::value::List;
use crate::yaml::Value;

/// What a document tells the endpoint waits: the labels of the pods it runs
/// (a workload), or the selector of a Service, each `key=value` pair kept as
/// a hash (a big stream's model holds one per object: no strings of its own).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Endpoints {
    /// Its pods' labels, for a workload a Service can select.
    pub labels: List<u64>,
    /// Its selector, for a Service (empty: it selects nothing).
    pub selector: List<u64>,
}

impl Endpoints {
    /// What document `v` (of kind `kind`) tells.
    pub fn of(v: &Value, kind: &str) -> Endpoints {
        let pairs = |m: Option<&Value>| -> List<u64> {
            m.map(Value::entries)
                .unwrap_or(&[])
                .iter()
                .filter_map(|(k, v)| Some(pair_hash(k, v.as_str()?)))
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
            k if SERVICE_KINDS.contains(&k) => Endpoints {
                labels: pairs(v.at(&["spec", "template", "metadata", "labels"])),
                ..Default::default()
            },
            _ => Endpoints::default(),
        }
    }

    /// Whether a Service with these endpoints' selector selects pods labelled `labels`.
    pub fn selects(&self, labels: &[u64]) -> bool {
        !self.selector.is_empty() && self.selector.iter().all(|kv| labels.contains(kv))
    }
}

/// A label's `key=value` as a number (std's SipHash with its fixed keys:
/// the same on every run).
fn pair_hash(key: &str, value: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (key, value).hash(&mut h);
    h.finish()
}

/// The hosts the pod's waiting init containers loop on, each with the
/// container's name: every DNS-label word of their command, args and env
/// values in a host's place (a word that names no Service of the stream
/// waits for nothing).
pub fn waited_hosts(pod: &Value) -> Vec<(String, String)> {
    waited_hosts_beside(pod, &super::chart_gates::find_all(pod))
}

/// [`waited_hosts`], the pod's gates (`chart_gates::find_all`) already found:
/// they wait for Jobs and are modelled as such, not as hosts.
pub fn waited_hosts_beside(pod: &Value, gates: &[ChartGate]) -> Vec<(String, String)> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    if inits.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for c in inits {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
        if gates.iter().any(|g| g.container == name) {
            continue;
        }
        let hosts = hosts_named(c);
        // Read by detection only when it names a host (most init containers
        // copy files or set permissions).
        if hosts.is_empty() || !waits(c) {
            continue;
        }
        for host in hosts {
            if !out.iter().any(|(_, h)| *h == host) {
                out.push((name.to_string(), host));
            }
        }
    }
    out
}

/// The words of a container's command, args and env values in a host's
/// place (not a user or a database so named: `pg_isready -h db -U openproject`).
fn hosts_named(c: &Value) -> Vec<String> {
    let argv = ["command", "args"]
        .into_iter()
        .flat_map(|k| c.strings(k))
        .map(|a| (a, Origin::Argv));
    let env = crate::k8s::env_values(c)
        .filter_map(|(_, n, v)| Some((v.as_str()?, Origin::Env(n.to_string()))));
    let mut out: Vec<String> = Vec::new();
    for (text, origin) in argv.chain(env) {
        for host in host_words(text).filter(|h| names_host(text, &origin, h, "", "")) {
            if !out.contains(&host) {
                out.push(host);
            }
        }
    }
    out
}

/// Whether an init container waits: detection says so, or it loops with a sleep.
fn waits(c: &Value) -> bool {
    let looped = ["command", "args"]
        .into_iter()
        .flat_map(|k| c.strings(k))
        .any(is_retry_loop);
    looped || {
        let no_scripts = |_: &str| None;
        crate::detect::classify_container(c, &no_scripts).kind == crate::detect::Kind::Waiter
    }
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
            selector: [pair_hash("app", "db")].into_iter().collect(),
            ..Default::default()
        };
        let labels = [pair_hash("app", "db"), pair_hash("x", "y")];
        assert!(svc.selects(&labels));
        assert!(!svc.selects(&[pair_hash("app", "web")]));
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
