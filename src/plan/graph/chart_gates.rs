//! The chart's own wait gates: init containers that hold a pod until a migration
//! is done. premigrate keeps them (no second gate), points the ones that name a Job
//! at its new name, and counts them in the deadlock check.
//!
//! Recognised: k8s-wait-for (`job NAME`, `job-wr NAME`), `kubectl wait … job/NAME` (also as args to an image whose entrypoint is kubectl),
//! a loop on `kubectl get job NAME` reading its success,
//! kubernetes-entrypoint (`DEPENDENCY_JOBS=a,b`), inline code that reads a Job
//! from the API by a variable of its env, and checks that loop on the
//! migration tool's own status (`migrate --check`, `prisma migrate status`, …).

use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// Words of a command that only check migrations (they wait for *a* migration of
/// the app's database, whatever the Job is called).
const CHECKS: &[&[&str]] = &[
    &["migrate", "--check"],
    &["check-migrations"],
    &["check_migrations"],
    // PostHog's `wait-for-migrations`: `until (bin/migrate-check); do sleep 1; done`.
    &["migrate-check"],
    &["migrate", "status"],
    &["db:abort_if_pending_migrations"],
    // Laravel's `migrate:status` fails on pending migrations only with
    // `--pending` (without it, it prints: Invoice Ninja's database wait
    // prints it in a loop on the database).
    &["migrate:status", "--pending"],
    &["migrate:status", "--pending=1"],
    &["showmigrations"],
    &["alembic", "check"],
    &["db", "check"],
    // Kong's chart gate (`kong.wait-for-db`): `kong start` fails while the
    // schema is not bootstrapped or has pending migrations. Only in a loop: the
    // proxy itself runs `kong start` too.
    &["until", "kong", "start"],
    &["kong", "migrations", "list"],
];

/// Migration tools' version tables: a loop whose condition reads one waits
/// for the migration (Cadence's `wait-for-schema`: `until cqlsh … "SELECT
/// curr_version FROM schema_version …" | grep -q 0.37; do sleep 10; done`).
const VERSION_TABLES: &[&str] = &[
    "schema_version",
    "schema_migrations",
    "alembic_version",
    "flyway_schema_history",
    "goose_db_version",
];

/// The variable on premigrate's own gates that names the Jobs they wait for
/// (blank-separated): how a later run and the deadlock check recognise them.
pub const WAIT_FOR_ENV: &str = "PREMIGRATE_WAIT_FOR";

/// The variable on premigrate's rollout gates (a contract step's wait for an
/// app's rollout) that names the app, `Kind/name`.
pub const ROLLOUT_ENV: &str = "PREMIGRATE_WAIT_FOR_ROLLOUT";

/// The apps a pod's rollout gates wait for, `(kind, name)`.
pub fn rollouts(pod: &Value) -> Vec<(&str, &str)> {
    pod.get("initContainers")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .flat_map(|c| c.get("env").map(Value::items).unwrap_or(&[]))
        .filter(|e| e.get("name").and_then(Value::as_str) == Some(ROLLOUT_ENV))
        .filter_map(|e| e.get("value").and_then(Value::as_str)?.split_once('/'))
        .collect()
}

/// The name of premigrate's gate container (`premigrate-wait`, or `premigrate-wait-<job>`).
pub const GATE_NAME: &str = "premigrate-wait";

/// Where a gate names a Job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRef {
    /// The Job's name as written.
    pub name: String,
    /// Path of the scalar that holds it, from the pod spec.
    pub path: Vec<Seg>,
    /// The scalar is exactly the name (else the name is part of it: `job/NAME`, `a,NAME`).
    pub whole: bool,
    /// Where a k8s-wait-for gate says `job` (not `job-wr`), when its image has
    /// `job-wr`: `job` never passes once a pod of the Job failed, and with
    /// `restartPolicy: Never` a retry that succeeds leaves one failed pod.
    pub fail_blind: Option<Vec<Seg>>,
}

impl JobRef {
    /// A Job named inside the scalar at `path` (`job/NAME`, `a,NAME`).
    fn named(name: &str, path: Vec<Seg>) -> JobRef {
        JobRef {
            name: name.to_string(),
            path,
            whole: false,
            fail_blind: None,
        }
    }
}

/// One init container of the chart that waits for migrations.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGate {
    /// Its name.
    pub container: String,
    /// The Jobs it names.
    pub jobs: Vec<JobRef>,
    /// It runs a migration-status check: it waits for the app's pending migrations.
    pub check: bool,
}

impl ChartGate {
    /// Whether this gate waits for the migration originally named `job`.
    pub fn waits_for(&self, job: &str) -> bool {
        self.check || self.jobs.iter().any(|j| j.name == job)
    }
}

/// The chart's wait gates in a pod spec's init containers (premigrate's own,
/// known by their marker, left out: a chart's `premigrate-…` container is the chart's).
pub fn find(pod: &Value) -> Vec<ChartGate> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    inits
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_gate(c))
        .filter_map(|(i, c)| gate(i, c))
        .collect()
}

/// Whether an init container is one of premigrate's gates: it carries the
/// `PREMIGRATE_WAIT_FOR` (or `PREMIGRATE_WAIT_FOR_ROLLOUT`) marker, or it is a gate an earlier version wrote (named
/// `premigrate-wait*` and running exactly what those gates ran). A user's init
/// container that merely shares the name is not a gate and is left alone.
pub fn is_gate(c: &Value) -> bool {
    let marked = c
        .get("env")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .any(|e| {
            let name = e.get("name").and_then(Value::as_str);
            name == Some(WAIT_FOR_ENV) || name == Some(ROLLOUT_ENV)
        });
    marked || is_legacy_gate(c)
}

/// A gate written before gates carried the marker: the name and the exact shape of
/// its command (`job-wr NAME`, `kubectl wait … job/NAME`, or the old check script).
fn is_legacy_gate(c: &Value) -> bool {
    let named = c
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.starts_with(GATE_NAME));
    let (command, args) = (c.strings("command"), c.strings("args"));
    let shape = match (command.as_slice(), args.as_slice()) {
        ([], ["job-wr", _]) => true,
        (["kubectl"], ["wait", "--for=condition=complete", job, timeout]) => {
            job.starts_with("job/") && timeout.starts_with("--timeout=")
        }
        (["sh", "-c", script], []) => {
            script.starts_with("end=$(( $(date +%s) + ")
                && script.contains("echo 'premigrate: waiting for Job ")
        }
        _ => false,
    };
    named && shape
}

/// Every wait gate in a pod spec's init containers, premigrate's own included.
pub fn find_all(pod: &Value) -> Vec<ChartGate> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    inits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| gate(i, c))
        .collect()
}

/// Whether a k8s-wait-for image knows `job-wr` (ready when one pod succeeded
/// and none runs): every tag but v1.0–v1.4 (an untagged image is the latest).
fn has_job_wr(image: &str) -> bool {
    let tag = image.split('@').next().unwrap_or(image);
    let tag = tag.rsplit_once(':').map_or("", |(_, t)| t);
    let version = tag.trim_start_matches("no-root-").trim_start_matches('v');
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    !matches!(
        (parts.next().flatten(), parts.next().flatten()),
        (Some(1), Some(0..=4)) | (Some(0), _)
    )
}

fn key(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

fn gate(i: usize, c: &Value) -> Option<ChartGate> {
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let base = vec![key("initContainers"), Seg::Index(i)];
    let mut jobs = Vec::new();
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let argv: Vec<(Vec<Seg>, &str)> = ["command", "args"]
        .iter()
        .flat_map(|k| {
            let base = base.clone();
            c.get(k)
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter_map(move |(j, v)| {
                    let mut p = base.clone();
                    p.extend([key(k), Seg::Index(j)]);
                    v.as_str().map(|s| (p, s))
                })
        })
        .collect();
    if image.contains("k8s-wait-for") {
        for w in argv.windows(2) {
            if matches!(w[0].1, "job" | "job-wr") {
                let blind = w[0].1 == "job" && has_job_wr(image);
                jobs.push(JobRef {
                    name: w[1].1.to_string(),
                    path: w[1].0.clone(),
                    whole: true,
                    fail_blind: blind.then(|| w[0].0.clone()),
                });
            }
        }
    }
    let words: Vec<&str> = argv
        .iter()
        .flat_map(|(_, s)| {
            s.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
        })
        .filter(|w| !w.is_empty())
        .collect();
    // kubectl as the image's entrypoint (bitnami/kubectl, rancher/kubectl) runs
    // the args alone: Lago's `wait-for-migrations` is `args: [wait, job/…]`.
    let entrypoint = c.get("command").is_none() && super::images::image_name(image) == "kubectl";
    let kubectl = entrypoint || words.iter().any(|w| w.ends_with("kubectl"));
    if kubectl && words.contains(&"wait") {
        for (p, s) in &argv {
            for w in s.split_whitespace() {
                if let Some(n) = ["job/", "jobs/", "job.batch/"]
                    .iter()
                    .find_map(|pre| w.strip_prefix(pre))
                {
                    jobs.push(JobRef::named(n, p.clone()));
                }
            }
        }
    }
    if kubectl {
        jobs.extend(polled_jobs(&argv));
    }
    jobs.extend(entrypoint_jobs(c, &base));
    jobs.extend(api_polled_jobs(c, &base, &argv));
    jobs.extend(marked_jobs(c, &base));
    let check = CHECKS.iter().any(|seq| follows(&words, seq))
        || schema_version_wait(c, &words)
        || polls_version_table(&words);
    (!jobs.is_empty() || check).then_some(ChartGate {
        container: name,
        jobs,
        check,
    })
}

/// The Jobs a shell loop polls with `kubectl get job NAME` for their status
/// (Hoppscotch: `until [ "$(kubectl get job NAME -o
/// jsonpath='{.status.succeeded}')" = "1" ]; do sleep 2; done`). Only a script
/// that reads a Job's success (`succeeded`, `Complete`) waits for it: a `get`
/// for another reason is no gate.
fn polled_jobs(argv: &[(Vec<Seg>, &str)]) -> Vec<JobRef> {
    let mut out = Vec::new();
    for (p, s) in argv {
        if !(s.contains("succeeded") || s.contains("Complete")) {
            continue;
        }
        let words: Vec<&str> = s
            .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`'))
            .map(|w| w.trim_matches(QUOTES))
            .filter(|w| !w.is_empty())
            .collect();
        for (k, w) in words.iter().enumerate() {
            if !w.ends_with("kubectl") {
                continue;
            }
            if let Some(name) = get_job_operand(&words[k + 1..]) {
                out.push(JobRef::named(name, p.clone()));
            }
        }
    }
    out
}

/// Quotes around a shell word.
const QUOTES: [char; 2] = ['"', '\''];

/// kubectl's flags that take the next word as their value.
const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "--context",
    "--kubeconfig",
    "-l",
    "--selector",
];

/// The Job named by `get job NAME` (or `get job/NAME`) at the start of
/// kubectl's arguments, flags skipped; none for a selector or another kind.
fn get_job_operand<'w>(args: &[&'w str]) -> Option<&'w str> {
    let mut words = args.iter().copied();
    let mut verb = false;
    let mut kind = false;
    while let Some(w) = words.next() {
        if KUBECTL_VALUE_FLAGS.contains(&w) {
            // A selector picks Jobs by label: no Job name to follow.
            if matches!(w, "-l" | "--selector") {
                return None;
            }
            words.next();
            continue;
        }
        if w.starts_with('-') {
            continue;
        }
        match (verb, kind) {
            (false, _) if w == "get" => verb = true,
            (false, _) => return None,
            (true, false) if matches!(w, "job" | "jobs" | "job.batch" | "jobs.batch") => {
                kind = true
            }
            (true, false) => {
                return ["job/", "jobs/", "job.batch/", "jobs.batch/"]
                    .iter()
                    .find_map(|pre| w.strip_prefix(pre))
            }
            (true, true) => return Some(w),
        }
    }
    None
}

/// GitLab's `dependencies` init container: `/scripts/wait-for-deps` alone
/// waits until the database schema is at the code's version (a check of the
/// migrations), unless `BYPASS_SCHEMA_VERSION` is set; with a command after it,
/// it is a wrapper that waits for the database, then runs it (the migration Job).
fn schema_version_wait(c: &Value, words: &[&str]) -> bool {
    let alone = words
        .last()
        .is_some_and(|w| w.rsplit('/').next() == Some("wait-for-deps"));
    let bypass = crate::k8s::env_values(c).any(|(_, n, v)| {
        n == "BYPASS_SCHEMA_VERSION"
            && v.as_str()
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
    });
    alone && !bypass
}

/// Whether a shell loop's condition (`until …; do`, `while ! …; do`) reads a
/// migration tool's version table ([`VERSION_TABLES`]).
fn polls_version_table(words: &[&str]) -> bool {
    let mut in_condition = false;
    words.iter().any(|w| {
        match *w {
            "until" | "while" => in_condition = true,
            "do" => in_condition = false,
            _ => {}
        }
        // Quotes and punctuation around the name (`'schema_version'`) are not part of it.
        let bare = w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_');
        in_condition && VERSION_TABLES.contains(&bare)
    })
}

/// The Jobs a premigrate gate names in its `PREMIGRATE_WAIT_FOR` variable (its marker).
fn marked_jobs(c: &Value, base: &[Seg]) -> Vec<JobRef> {
    let env = c.get("env").map(Value::items).unwrap_or(&[]);
    let mut out = Vec::new();
    for (k, e) in env.iter().enumerate() {
        if e.get("name").and_then(Value::as_str) != Some(WAIT_FOR_ENV) {
            continue;
        }
        let Some(v) = e.get("value").and_then(Value::as_str) else {
            continue;
        };
        let mut p = base.to_vec();
        p.extend([key("env"), Seg::Index(k), key("value")]);
        for name in v.split_whitespace() {
            out.push(JobRef::named(name, p.clone()));
        }
    }
    out
}

/// The Jobs inline code reads from the Kubernetes API by a variable of the
/// container's env (Formbricks' `node -e` gate: `/apis/batch/v1/namespaces/…/
/// jobs/${jobName}`, `jobName = process.env.FORMBRICKS_MIGRATION_JOB_NAME`):
/// each such variable the code names whose name says a Job.
fn api_polled_jobs(c: &Value, base: &[Seg], argv: &[(Vec<Seg>, &str)]) -> Vec<JobRef> {
    let Some(code) = argv
        .iter()
        .map(|(_, s)| *s)
        .find(|s| s.contains("/apis/batch/"))
    else {
        return vec![];
    };
    let env = c.get("env").map(Value::items).unwrap_or(&[]);
    let mut out = Vec::new();
    for (k, e) in env.iter().enumerate() {
        let Some(var) = e.get("name").and_then(Value::as_str) else {
            continue;
        };
        let says_job = var.to_ascii_uppercase().split('_').any(|w| w == "JOB");
        let Some(name) = e.get("value").and_then(Value::as_str) else {
            continue;
        };
        if says_job && code.contains(var) && !name.is_empty() {
            let mut path = base.to_vec();
            path.extend([key("env"), Seg::Index(k), key("value")]);
            out.push(JobRef {
                whole: true,
                ..JobRef::named(name, path)
            });
        }
    }
    out
}

/// kubernetes-entrypoint's `DEPENDENCY_JOBS` (comma-separated, `ns:name` allowed).
fn entrypoint_jobs(c: &Value, base: &[Seg]) -> Vec<JobRef> {
    let env = c.get("env").map(Value::items).unwrap_or(&[]);
    let mut out = Vec::new();
    for (k, e) in env.iter().enumerate() {
        if e.get("name").and_then(Value::as_str) != Some("DEPENDENCY_JOBS") {
            continue;
        }
        let Some(v) = e.get("value").and_then(Value::as_str) else {
            continue;
        };
        let mut p = base.to_vec();
        p.extend([key("env"), Seg::Index(k), key("value")]);
        for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let name = item.rsplit(':').next().unwrap_or(item);
            out.push(JobRef::named(name, p.clone()));
        }
    }
    out
}

fn follows(words: &[&str], seq: &[&str]) -> bool {
    words.windows(seq.len()).any(|w| {
        w.iter()
            .zip(seq)
            .all(|(a, b)| a.rsplit('/').next() == Some(b) || a == b)
    })
}

/// `text` with the Job name `old` replaced by `new` where it stands as a Job name
/// (`job/old`, a comma-separated item, `ns:old`).
pub fn rename_in(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len() + new.len());
    let mut rest = text;
    while let Some(pos) = rest.find(old) {
        let end = pos + old.len();
        // A name in quotes or before a closing parenthesis stands alone too.
        let before_ok = pos == 0
            || matches!(
                rest.as_bytes()[pos - 1],
                b'/' | b',' | b':' | b' ' | b'"' | b'\''
            );
        let after_ok = end == rest.len()
            || matches!(
                rest.as_bytes()[end],
                b',' | b' ' | b'\n' | b';' | b'"' | b'\'' | b')'
            );
        out.push_str(&rest[..pos]);
        out.push_str(if before_ok && after_ok { new } else { old });
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k8s_wait_for_tags_with_job_wr() {
        for image in [
            "groundnuty/k8s-wait-for:v2.0",
            "ghcr.io/groundnuty/k8s-wait-for:no-root-v2.0",
            "groundnuty/k8s-wait-for:v1.5.1",
            "groundnuty/k8s-wait-for",
            "groundnuty/k8s-wait-for:v2.0@sha256:0123",
        ] {
            assert!(has_job_wr(image), "{image}");
        }
        for image in [
            "groundnuty/k8s-wait-for:v1.3",
            "groundnuty/k8s-wait-for:v1.4",
        ] {
            assert!(!has_job_wr(image), "{image}");
        }
    }

    fn init(c: Value) -> Value {
        Value::map([("initContainers", Value::Seq(vec![c].into()))])
    }

    fn strs(v: &[&str]) -> Value {
        Value::Seq(v.iter().map(|s| Value::str(*s)).collect())
    }

    #[test]
    fn k8s_wait_for() {
        let pod = init(Value::map([
            ("name", Value::str("wait-for-migration")),
            ("image", Value::str("groundnuty/k8s-wait-for:v2.0")),
            ("args", strs(&["job-wr", "openfga-migrate"])),
        ]));
        let g = find(&pod);
        assert_eq!(g.len(), 1);
        assert!(g[0].waits_for("openfga-migrate"));
        assert!(g[0].jobs[0].whole);
    }

    #[test]
    fn premigrate_gates_are_known_by_their_marker_not_their_name() {
        let chart_own = Value::map([
            ("name", Value::str("premigrate-db-ready")),
            ("image", Value::str("groundnuty/k8s-wait-for:v2.0")),
            ("args", strs(&["job-wr", "app-migrate"])),
        ]);
        assert_eq!(
            find(&init(chart_own.clone())).len(),
            1,
            "the chart's own gate"
        );
        let Value::Map(entries) = chart_own else {
            unreachable!()
        };
        let mut entries = entries;
        let marker = Value::map([
            ("name", Value::str(WAIT_FOR_ENV)),
            ("value", Value::str("app-migrate-1a2b3c4d5e")),
        ]);
        entries.push(("env".into(), Value::Seq(vec![marker].into())));
        let ours = Value::Map(entries);
        assert!(find(&init(ours.clone())).is_empty(), "premigrate's gate");
        assert_eq!(find_all(&init(ours)).len(), 1);
    }

    #[test]
    fn checks_and_kubectl() {
        let pod = init(Value::map([
            ("name", Value::str("db-migration-checker")),
            (
                "command",
                strs(&[
                    "sh",
                    "-c",
                    "while ! /app/manage.py migrate --check; do sleep 5; done",
                ]),
            ),
        ]));
        assert!(find(&pod)[0].check);
        let pod = init(Value::map([
            ("name", Value::str("w")),
            (
                "command",
                strs(&[
                    "kubectl",
                    "wait",
                    "--for=condition=complete",
                    "job/app-migrate",
                ]),
            ),
        ]));
        assert_eq!(find(&pod)[0].jobs[0].name, "app-migrate");
        let pod = init(Value::map([
            ("name", Value::str("wait-for-db")),
            (
                "command",
                strs(&["sh", "-c", "until pg_isready; do sleep 1; done"]),
            ),
        ]));
        assert!(find(&pod).is_empty());
        let kong = |script: &str| {
            init(Value::map([
                ("name", Value::str("wait-for-db")),
                ("args", strs(&["/bin/bash", "-c", script])),
            ]))
        };
        let gate =
            kong("export KONG_NGINX_DAEMON=on; until kong start; do sleep 1; done; kong stop");
        assert!(find(&gate)[0].check);
        assert!(find(&kong("kong start")).is_empty());
    }

    /// A loop on `kubectl get job NAME` that reads its success is a gate on
    /// that Job (Hoppscotch); a `get` of a Job without a status check, by
    /// selector, or of pods is not.
    #[test]
    fn a_loop_polling_a_job_with_kubectl_get() {
        let sh = |script: &str| {
            init(Value::map([
                ("name", Value::str("wait-for-migration")),
                ("image", Value::str("bitnami/kubectl:1.30")),
                ("command", strs(&["/bin/sh", "-c", script])),
            ]))
        };
        let names = |script: &str| -> Vec<String> {
            find(&sh(script))
                .iter()
                .flat_map(|g| g.jobs.iter().map(|j| j.name.clone()))
                .collect()
        };
        let hoppscotch = "until [ \"$(kubectl get job app-migrate -o jsonpath='{.status.succeeded}')\" = \"1\" ]; do\n  sleep 2\ndone\n";
        assert_eq!(names(hoppscotch), ["app-migrate"]);
        let flags = "while [ \"$(kubectl -n ns get jobs.batch/db-init --output=jsonpath='{.status.conditions[?(@.type==\"Complete\")].status}')\" != True ]; do sleep 1; done";
        assert_eq!(names(flags), ["db-init"]);
        assert!(names("kubectl get job app-migrate || kubectl apply -f job.yaml").is_empty());
        assert!(names("until kubectl get jobs -l app=x -o jsonpath='{.items[*].status.succeeded}'; do sleep 1; done").is_empty());
        assert!(names(
            "until kubectl get pod web -o jsonpath='{.status.succeeded}'; do sleep 1; done"
        )
        .is_empty());
        assert_eq!(
            rename_in(hoppscotch, "app-migrate", "app-migrate-0123456789"),
            hoppscotch.replace("app-migrate", "app-migrate-0123456789")
        );
        assert_eq!(rename_in("get job \"a\"", "a", "b"), "get job \"b\"");
    }

    #[test]
    fn a_loop_on_a_version_table_is_a_check() {
        let sh = |script: &str| {
            init(Value::map([
                ("name", Value::str("wait-for-schema")),
                ("command", strs(&["sh", "-c", script])),
            ]))
        };
        let cadence = "until cqlsh $HOST 9042 -e \"SELECT curr_version FROM schema_version WHERE keyspace_name = 'cadence';\" | grep -q 0.37; do sleep 10; done";
        assert!(find(&sh(cadence))[0].check);
        let rails = "while ! psql -tc 'select 1 from schema_migrations'; do sleep 2; done";
        assert!(find(&sh(rails))[0].check);
        // The table read after the loop (a migration that waits for its
        // database first) is no check.
        let after = "until pg_isready; do sleep 1; done; psql -c 'select * from schema_version'";
        assert!(find(&sh(after)).is_empty());
    }

    #[test]
    fn entrypoint() {
        let pod = init(Value::map([
            ("name", Value::str("init")),
            (
                "env",
                Value::Seq(
                    vec![Value::map([
                        ("name", Value::str("DEPENDENCY_JOBS")),
                        (
                            "value",
                            Value::str("keystone-db-init,default:keystone-fernet-setup"),
                        ),
                    ])]
                    .into(),
                ),
            ),
        ]));
        let g = find(&pod);
        assert!(g[0].waits_for("keystone-db-init") && g[0].waits_for("keystone-fernet-setup"));
        assert_eq!(
            rename_in(
                "keystone-db-init,default:keystone-fernet-setup",
                "keystone-db-init",
                "x-1"
            ),
            "x-1,default:keystone-fernet-setup"
        );
        assert_eq!(
            rename_in("job/a-migrate", "a-migrate", "a-migrate-1"),
            "job/a-migrate-1"
        );
        assert_eq!(
            rename_in("job/a-migrate-2", "a-migrate", "z"),
            "job/a-migrate-2"
        );
    }
}
