//! Helpers of the detection tests: the benchmark's rows and scores, the corpus'
//! Jobs and containers, the fixtures.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use premigrate::detect::{self, Sources, Verdict};
use premigrate::yaml::Value;

pub use premigrate::detect::tools::tools_markdown;

/// One benchmark row.
pub struct Row {
    pub expect: String,
    pub context: String,
    pub name: String,
    pub image: String,
    pub command: Value,
    pub args: Value,
    pub note: String,
    pub source: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rows of `testdata/detect/cases.tsv`, or `None` when it is not there.
pub fn benchmark_rows() -> Option<Vec<Row>> {
    let text = std::fs::read_to_string(root().join("testdata/detect/cases.tsv")).ok()?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next()?.split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (e, c, n, i, cmd, a, s, no) = (
        col("expect"),
        col("context"),
        col("name"),
        col("image"),
        col("command"),
        col("args"),
        col("source"),
        col("note"),
    );
    let json = |s: &str| {
        let j: serde_json::Value = serde_json::from_str(if s.is_empty() { "[]" } else { s })
            .unwrap_or_else(|err| panic!("bad JSON `{s}`: {err}"));
        Value::from_json(&j)
    };
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let get = |k: usize| f.get(k).copied().unwrap_or("").to_string();
            Row {
                expect: get(e),
                context: get(c),
                name: get(n),
                image: get(i),
                command: json(f.get(cmd).copied().unwrap_or("")),
                args: json(f.get(a).copied().unwrap_or("")),
                note: get(no),
                source: get(s),
            }
        })
        .collect();
    Some(rows)
}

impl Row {
    fn container(&self) -> Value {
        Value::map([
            ("name", Value::str(self.name.clone())),
            ("image", Value::str(self.image.clone())),
            ("command", self.command.clone()),
            ("args", self.args.clone()),
        ])
    }

    /// The verdict detection gives for the row, in its context.
    pub fn verdict(&self) -> Verdict {
        let c = self.container();
        if self.context == "job" {
            let pod = Value::map([("containers", Value::Seq(vec![c].into()))]);
            detect::classify_job(&self.name, &pod, None, false, &detect::no_scripts)
        } else {
            detect::classify_container(&c, &detect::no_scripts)
        }
    }

    fn neutral(&self) -> bool {
        self.note.contains("neutral-name")
    }

    fn shown(&self) -> String {
        let cmd = premigrate::detect::command_line(&self.container()).join(" ");
        let cmd: String = cmd.chars().take(110).collect();
        format!(
            "{} {} `{}` image `{}` [{}]",
            self.context, self.name, cmd, self.image, self.source
        )
    }
}

/// A ratio.
pub struct Ratio(pub usize, pub usize);

impl Ratio {
    pub fn rate(&self) -> f64 {
        if self.1 == 0 {
            1.0
        } else {
            self.0 as f64 / self.1 as f64
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} = {:.1}%", self.0, self.1, 100.0 * self.rate())
    }
}

/// Each row with whether detection says migration.
pub struct Score<'a> {
    rows: Vec<(&'a Row, Verdict)>,
}

impl<'a> Score<'a> {
    pub fn of(rows: &'a [Row]) -> Score<'a> {
        Score {
            rows: rows.iter().map(|r| (r, r.verdict())).collect(),
        }
    }

    /// Migrations found among migration rows of a context.
    pub fn recall(&self, context: &str, neutral_only: bool) -> Ratio {
        let rows: Vec<_> = self
            .rows
            .iter()
            .filter(|(r, _)| r.expect == "migration" && r.context == context)
            .filter(|(r, _)| !neutral_only || r.neutral())
            .collect();
        Ratio(
            rows.iter().filter(|(_, v)| v.is_migration()).count(),
            rows.len(),
        )
    }

    /// Check, waiter and other rows classified as migrations.
    pub fn false_positives(&self) -> Ratio {
        let rows: Vec<_> = self
            .rows
            .iter()
            .filter(|(r, _)| matches!(r.expect.as_str(), "check" | "waiter" | "other"))
            .collect();
        Ratio(
            rows.iter().filter(|(_, v)| v.is_migration()).count(),
            rows.len(),
        )
    }

    /// The figures, as printed.
    pub fn report(&self) -> String {
        let tools: BTreeSet<&str> = self.rows.iter().map(|(r, _)| r.source.as_str()).collect();
        let ambiguous = self.rows.iter().filter(|(r, _)| r.expect == "ambiguous");
        let amb_mig = ambiguous.clone().filter(|(_, v)| v.is_migration()).count();
        format!(
            "benchmark: {} rows from {} sources\n\
             recall, jobs: {}\nrecall, init containers: {}\n\
             recall, jobs with neutral names: {}\nrecall, init containers with neutral names: {}\n\
             recall, app containers (migrate then serve): {}\n\
             false positives (check, waiter, other): {}\n\
             ambiguous rows (not scored): {} classified as migrations of {}",
            self.rows.len(),
            tools.len(),
            self.recall("job", false),
            self.recall("init", false),
            self.recall("job", true),
            self.recall("init", true),
            self.recall("container", false),
            self.false_positives(),
            amb_mig,
            ambiguous.count(),
        )
    }

    /// Every row detection gets wrong, with its verdict.
    pub fn misses(&self) -> String {
        let mut out = String::new();
        for (r, v) in &self.rows {
            let said = v.is_migration();
            let wrong = match r.expect.as_str() {
                "migration" => !said,
                "ambiguous" => false,
                _ => said,
            };
            if wrong {
                out.push_str(&format!(
                    "{}: {}\n    -> {}\n",
                    r.expect,
                    r.shown(),
                    headline(v)
                ));
            }
        }
        out
    }
}

/// The first line of a verdict's explain form.
pub fn headline(v: &Verdict) -> String {
    v.to_string().lines().next().unwrap_or("").to_string()
}

/// The parsed documents of a stream. A document the crate's reader refuses is
/// skipped with a note on stderr (one of OnCall's Deployments, a flow sequence
/// indented less than its key: a reader bug outside detection).
pub fn documents(bytes: &[u8]) -> Vec<Value> {
    if let Ok(index) = premigrate::index::Index::build(bytes) {
        return index
            .entries
            .into_iter()
            .filter_map(|e| e.parsed.map(|p| p.value))
            .collect();
    }
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for doc in text.split("\n---") {
        match premigrate::index::Index::build(doc.as_bytes()) {
            Ok(index) => out.extend(
                index
                    .entries
                    .into_iter()
                    .filter_map(|e| e.parsed.map(|p| p.value)),
            ),
            Err(e) => eprintln!("skipped a document the reader refuses: {e:?}"),
        }
    }
    out
}

fn kind(d: &Value) -> &str {
    d.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn name(d: &Value) -> &str {
    d.at(&["metadata", "name"])
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn hooks(d: &Value) -> Option<Vec<String>> {
    let h = d
        .at(&["metadata", "annotations", "helm.sh/hook"])?
        .as_str()?;
    Some(h.split(',').map(|e| e.trim().to_string()).collect())
}

/// The Secrets and ConfigMaps a pod spec reads that are not per-pod scripts
/// (script ConfigMaps mounted as volumes are shared by every pod of a chart).
fn refs(pod: &Value) -> BTreeSet<String> {
    let mut no_volumes = pod.clone();
    no_volumes.remove("volumes");
    detect::references(&no_volumes)
}

const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
];

/// Verdicts for the Jobs, init containers and app containers of a stream:
/// (`Job/name` or `Kind/name init|container NAME`, verdict).
pub fn stream_verdicts(bytes: &[u8]) -> Vec<(String, Verdict)> {
    stream_verdicts_with(bytes, &detect::Rules::new())
}

/// User patterns a fixture asks for in its leading comments:
/// `# rules: include|exclude command|image|name:GLOB`.
fn fixture_rules(text: &str) -> detect::Rules {
    let mut rules = detect::Rules::new();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(r) = line.strip_prefix("# rules: ") {
            let (how, spec) = r.split_once(' ').expect("`include|exclude SPEC`");
            rules
                .add_spec(how == "include", spec)
                .expect("a valid pattern");
        }
    }
    rules
}

/// [`stream_verdicts`] with user patterns.
pub fn stream_verdicts_with(bytes: &[u8], rules: &detect::Rules) -> Vec<(String, Verdict)> {
    let docs = documents(bytes);
    let mut sources = Sources::new();
    docs.iter().for_each(|d| sources.add(d));
    let pod = |d: &Value| d.at(&["spec", "template", "spec"]).cloned();
    let app_refs: BTreeSet<String> = docs
        .iter()
        .filter(|d| WORKLOADS.contains(&kind(d)))
        .filter_map(|d| pod(d).map(|p| refs(&p)))
        .flatten()
        .collect();
    let mut out = Vec::new();
    for d in &docs {
        let Some(p) = pod(d) else { continue };
        let lookup = |path: &str| sources.file(&p, path);
        let h = hooks(d);
        if h.as_ref()
            .is_some_and(|h| h.iter().any(|e| e.starts_with("test")))
        {
            continue;
        }
        if kind(d) == "Job" {
            let shares = refs(&p).intersection(&app_refs).next().is_some();
            let v = detect::classify_job_with(name(d), &p, h.as_deref(), shares, &lookup, rules);
            out.push((format!("Job/{}", name(d)), v));
        } else if WORKLOADS.contains(&kind(d)) {
            for (list, what) in [("initContainers", "init"), ("containers", "container")] {
                for c in p.get(list).map(Value::items).unwrap_or(&[]) {
                    let cn = c.get("name").and_then(Value::as_str).unwrap_or("?");
                    let v = detect::classify_container_with(c, &lookup, rules);
                    out.push((format!("{}/{} {what} {cn}", kind(d), name(d)), v));
                }
            }
        }
    }
    out
}

fn corpus_dir() -> PathBuf {
    root().join("../shared/corpus")
}

/// (case, what, verdict) for every case of the corpus (`helm3.yaml` or `helm4.yaml`),
/// or `None` without the corpus.
pub fn corpus_verdicts(file: &str) -> Option<Vec<(String, String, Verdict)>> {
    let dir = corpus_dir();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(file).exists())
        .collect();
    cases.sort();
    let mut out = Vec::new();
    for c in cases {
        let case = c.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(c.join(file)).unwrap();
        for (what, v) in stream_verdicts(&bytes) {
            out.push((case.clone(), what, v));
        }
    }
    Some(out)
}

/// The migrations of the corpus (prefixes of `case: what`); the negative cases
/// (ingress-nginx, cert-manager, keycloak-config-cli) have none.
pub const EXPECTED_CORPUS_MIGRATIONS: &[&str] = &[
    "chainloop: Deployment/chainloop-controlplane init migrate",
    "concourse: Deployment/concourse-web init db-migrate",
    // `concourse web` migrates when it opens the database, under its lock
    // (the chart's init container migrates first: nothing is left to do).
    "concourse: Deployment/concourse-web container concourse",
    "defectdojo: Job/defectdojo-initializer",
    "hoppscotch-longname: Job/corpus-release-name-that-is-deliberately-long-abcdefg-hoppscotc",
    "hoppscotch: Job/hoppscotch-migrations-1",
    // Creates the database and user (`CREATE DATABASE`) before db-sync: schema setup.
    "keystone: Job/keystone-db-init",
    "keystone: Job/keystone-db-sync",
    // Keycloak itself migrates at start, under its lock (PM016: no Job is made).
    "keycloak-config-cli: StatefulSet/keycloak container keycloak",
    "oncall-hook: Job/oncall-engine-migrate",
    "oncall: Job/oncall-engine-migrate",
    "openfga-initcontainer: Deployment/openfga init migrate-database",
    "openfga-longname: Job/corpus-release-name-that-is-deliberately-long-abcdefg-openfga-migrate",
    "openfga: Job/openfga-migrate",
    "prefect-server: Job/prefect-server-db-migrations",
    "seaweedfs-external-initjob: Job/seaweedfs-init-db",
    "zabbix-ha-upgrade: Job/zabbix-create-upgrade-db",
    "zabbix-ha: Job/zabbix-create-upgrade-db",
];

/// Migrations in documents the crate's YAML reader refuses today (so detection never
/// sees them): each must be found once the reader reads it, or be absent.
pub const UNREADABLE_CORPUS_MIGRATIONS: &[&str] = &[
    // templates/seeder-job.yaml, line 95: "invalid indentation" (a reader bug).
    "openproject: Job/openproject-seeder-1",
];

/// The fixtures' verdicts: (fixture name, explain text).
pub fn fixture_verdicts() -> Vec<(String, String)> {
    let dir = root().join("testdata/detect/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let rules = fixture_rules(&String::from_utf8_lossy(&bytes));
            let text: Vec<String> = stream_verdicts_with(&bytes, &rules)
                .into_iter()
                .map(|(what, v)| format!("{what}: {v}"))
                .collect();
            (stem(p), text.join("\n"))
        })
        .collect()
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().to_string()
}

/// A container running `command`.
pub fn container_with(command: &[&str]) -> Value {
    Value::map([
        ("name", Value::str("c")),
        ("image", Value::str("registry.example.com/acme/app:1")),
        (
            "command",
            Value::Seq(command.iter().map(|s| Value::str(*s)).collect()),
        ),
    ])
}
