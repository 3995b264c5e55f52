//! The validated configuration the pipeline reads. Flags, environment, config
//! files and annotations are all turned into this one value before any work starts.

use crate::detect::Rules;
use crate::diag::Error;

/// Where the migration is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// `hooks` for Helm 4 input, `gitops` otherwise.
    Auto,
    /// Helm hooks: Helm 4, Flux helm-controller ≥ 1.6.
    Hooks,
    /// A regular, force-recreated Job with wait gates: Helm 3, Flux, Argo CD, kapp, kubectl.
    Gitops,
}

/// Which workloads wait for a migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum GateMode {
    /// Those sharing a Secret/ConfigMap reference or image repository with the Job.
    Auto,
    /// Every workload in the Job's namespace.
    All,
    /// None.
    None,
    /// These `kind/name` workloads.
    List(Vec<(String, String)>),
}

/// How a gate waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateStyle {
    /// `groundnuty/k8s-wait-for job-wr NAME`.
    K8sWaitFor,
    /// `kubectl wait --for=condition=complete`.
    Kubectl,
    /// The app's own image running a schema check.
    Check,
}

/// A `--migrate KIND/NAME=COMMAND` request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MigrateSpec {
    /// Workload kind (as written, matched case-insensitively).
    pub kind: String,
    /// Workload name.
    pub name: String,
    /// The command, as one shell-like string.
    pub command: String,
}

/// Everything the pipeline needs to know.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    /// Ordering target.
    pub target: Target,
    /// Job name globs that are migrations.
    pub jobs: Vec<String>,
    /// A label selector for migration Jobs.
    pub job_selector: Option<String>,
    /// Detect migrations by name and command.
    pub detect: bool,
    /// User patterns that make a match a migration (`command:GLOB`, `image:GLOB`,
    /// `name:GLOB`), validated.
    pub is_migration: Vec<String>,
    /// User patterns that make a match never a migration, validated.
    pub not_migration: Vec<String>,
    /// Mixed into every hash (e.g. a release revision).
    pub salt: String,
    /// `activeDeadlineSeconds` for migration Jobs.
    pub timeout_seconds: Option<u64>,
    /// Hook weight of migration Jobs (their dependencies get one less).
    pub hook_weight: i64,
    /// Which workloads get gates.
    pub gate: GateMode,
    /// How gates wait.
    pub gate_style: GateStyle,
    /// Image of the gate container (default depends on the style).
    pub gate_image: Option<String>,
    /// Command of the `check` style.
    pub gate_check: Option<String>,
    /// Jobs to generate from workloads.
    pub migrate: Vec<MigrateSpec>,
    /// The container to use with `--migrate` when a workload has several.
    pub migrate_container: Option<String>,
    /// Init container names to extract as migrations.
    pub extract_init: Vec<String>,
    /// Leave init-container migrations in place.
    pub keep_init: bool,
}

impl Config {
    /// The user patterns compiled for detection. They were validated with the
    /// configuration, so compiling them again cannot fail.
    pub fn rules(&self) -> Rules {
        patterns(&self.is_migration, &self.not_migration)
            .expect("patterns are validated with the configuration")
    }

    /// Whether gates under `hooks` wait for the Job object (not a `check` style): then
    /// the Job must not be deleted on success, or they wait for ever.
    pub fn hooks_gates_wait(&self) -> bool {
        !matches!(self.gate, GateMode::Auto | GateMode::None) && self.gate_style != GateStyle::Check
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            target: Target::Auto,
            jobs: vec![],
            job_selector: None,
            detect: true,
            is_migration: vec![],
            not_migration: vec![],
            salt: String::new(),
            timeout_seconds: None,
            hook_weight: -5,
            gate: GateMode::Auto,
            gate_style: GateStyle::Kubectl,
            gate_image: None,
            gate_check: None,
            migrate: vec![],
            migrate_container: None,
            extract_init: vec![],
            keep_init: false,
        }
    }
}

/// Parses `--target`.
pub fn parse_target(s: &str) -> Result<Target, Error> {
    match s {
        "auto" => Ok(Target::Auto),
        "hooks" => Ok(Target::Hooks),
        "gitops" => Ok(Target::Gitops),
        _ => {
            Err(Error::new(format!("unknown target `{s}`")).help("use one of: auto, hooks, gitops"))
        }
    }
}

/// Parses `--gate`.
pub fn parse_gate(s: &str) -> Result<GateMode, Error> {
    match s {
        "auto" => Ok(GateMode::Auto),
        "all" => Ok(GateMode::All),
        "none" => Ok(GateMode::None),
        list => list
            .split(',')
            .map(|item| {
                let (k, n) = item
                    .trim()
                    .split_once('/')
                    .filter(|(k, n)| !k.is_empty() && !n.is_empty())
                    .ok_or_else(|| {
                        Error::new(format!("bad --gate value `{item}`"))
                            .help("use auto, all, none, or KIND/NAME[,KIND/NAME…]")
                    })?;
                Ok((k.to_string(), n.to_string()))
            })
            .collect::<Result<_, _>>()
            .map(GateMode::List),
    }
}

/// Parses `--gate-style`.
pub fn parse_gate_style(s: &str) -> Result<GateStyle, Error> {
    match s {
        "k8s-wait-for" => Ok(GateStyle::K8sWaitFor),
        "kubectl" => Ok(GateStyle::Kubectl),
        "check" => Ok(GateStyle::Check),
        _ => Err(Error::new(format!("unknown gate style `{s}`"))
            .help("use one of: k8s-wait-for, kubectl, check")),
    }
}

/// Parses a duration such as `600`, `90s`, `10m`, `1h30m` into seconds.
pub fn parse_duration(s: &str) -> Result<u64, Error> {
    let bad = || {
        Error::new(format!("bad duration `{s}`"))
            .help("write seconds or a Go-style duration such as 90s, 10m or 1h30m")
    };
    if let Ok(n) = s.parse::<u64>() {
        return Ok(n);
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        total = total
            .checked_add(n.checked_mul(unit).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        num.clear();
    }
    if !num.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(total)
}

/// Parses `--migrate KIND/NAME=COMMAND`.
pub fn parse_migrate(s: &str) -> Result<MigrateSpec, Error> {
    let help =
        "write --migrate KIND/NAME='COMMAND', e.g. --migrate deployment/web='npm run db:migrate'";
    let (target, command) = s
        .split_once('=')
        .ok_or_else(|| Error::new(format!("bad --migrate value `{s}`")).help(help))?;
    let (kind, name) = target
        .split_once('/')
        .filter(|(k, n)| !k.is_empty() && !n.is_empty())
        .ok_or_else(|| Error::new(format!("bad --migrate workload `{target}`")).help(help))?;
    if command.trim().is_empty() {
        return Err(Error::new(format!("--migrate {target} has an empty command")).help(help));
    }
    Ok(MigrateSpec {
        kind: kind.to_string(),
        name: name.to_string(),
        command: command.to_string(),
    })
}

/// Help for a pattern that is refused.
const PATTERN_HELP: &str = "write command:GLOB, image:GLOB or name:GLOB (globs with `*` and `?`), e.g. 'command:*my-tool sync*', 'image:*/schema-runner', 'name:*-seed'";

/// Checks one `--is-migration` (`include`) or `--not-migration` pattern.
pub fn parse_pattern(include: bool, spec: &str) -> Result<(), Error> {
    Rules::new()
        .add_spec(include, spec)
        .map_err(|e| Error::new(e).help(PATTERN_HELP))
}

/// Compiles the include and exclude patterns; the first bad one is the error,
/// naming the flag it came from.
pub fn patterns(include: &[String], exclude: &[String]) -> Result<Rules, Error> {
    let mut rules = Rules::new();
    let tagged = include
        .iter()
        .map(|p| (true, p))
        .chain(exclude.iter().map(|p| (false, p)));
    for (inc, spec) in tagged {
        let flag = if inc {
            "--is-migration"
        } else {
            "--not-migration"
        };
        rules
            .add_spec(inc, spec)
            .map_err(|e| Error::new(format!("{flag}: {e}")).help(PATTERN_HELP))?;
    }
    Ok(rules)
}
