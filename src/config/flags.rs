//! The rewrite's options as given — flags, `PREMIGRATE_*` variables or a
//! MigrationPolicy's keys — and their validation into one [`Config`].

use std::path::PathBuf;

use clap::Args;

use crate::config::types::{self as config, Config};
use crate::diag::Error;

/// The rewrite's options. Every flag also reads a `PREMIGRATE_*` variable.
#[derive(Debug, Args, Clone, Default)]
pub struct Opts {
    /// Read options from a MigrationPolicy file; flags and PREMIGRATE_* variables override it.
    #[arg(long, env = "PREMIGRATE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where to order the migration: hooks (Helm 4, Flux helm-controller >= 1.6), gitops (Helm 3, Flux, Argo CD, kapp, kubectl), or auto (hooks when the input carries Helm 4's filename annotation).
    #[arg(long, env = "PREMIGRATE_TARGET", value_name = "auto|hooks|gitops")]
    pub target: Option<String>,
    /// A Job name glob that is a migration (repeatable).
    #[arg(
        long = "job",
        value_name = "GLOB",
        env = "PREMIGRATE_JOB",
        value_delimiter = ','
    )]
    pub jobs: Vec<String>,
    /// Jobs whose labels match this selector are migrations (e.g. `app.kubernetes.io/component=migration`).
    #[arg(long, env = "PREMIGRATE_JOB_SELECTOR", value_name = "LABELS")]
    pub job_selector: Option<String>,
    /// Do not detect migrations by name or command; only --job, --job-selector, --is-migration and annotations count.
    #[arg(long, env = "PREMIGRATE_NO_DETECT")]
    pub no_detect: bool,
    /// What also is a migration: command:GLOB, image:GLOB or name:GLOB (repeatable; one a line in the variable), e.g. 'command:*my-tool sync*'.
    // Split on newlines only: a command pattern may hold commas, never a newline.
    #[arg(
        long,
        value_name = "PATTERN",
        env = "PREMIGRATE_IS_MIGRATION",
        value_delimiter = '\n'
    )]
    pub is_migration: Vec<String>,
    /// What is never a migration, whatever detection says: command:GLOB, image:GLOB or name:GLOB (repeatable; one a line in the variable).
    #[arg(
        long,
        value_name = "PATTERN",
        env = "PREMIGRATE_NOT_MIGRATION",
        value_delimiter = '\n'
    )]
    pub not_migration: Vec<String>,
    /// Mixed into every content hash (e.g. a release revision, to force a rerun).
    #[arg(long, env = "PREMIGRATE_SALT", value_name = "TEXT")]
    pub salt: Option<String>,
    /// Deadline for migration Jobs (activeDeadlineSeconds), e.g. 600, 10m, 1h.
    #[arg(long, env = "PREMIGRATE_TIMEOUT", value_name = "DURATION")]
    pub timeout: Option<String>,
    /// Helm hook weight of migration Jobs; what they use gets one less (default -5).
    #[arg(
        long,
        env = "PREMIGRATE_HOOK_WEIGHT",
        value_name = "N",
        allow_hyphen_values = true
    )]
    pub hook_weight: Option<i64>,
    /// Which workloads wait for the migration: auto, all, none, or KIND/NAME[,KIND/NAME…].
    #[arg(long, env = "PREMIGRATE_GATE", value_name = "MODE")]
    pub gate: Option<String>,
    /// How gates wait: kubectl (default: registry.k8s.io/kubectl pinned by digest), k8s-wait-for, or check.
    #[arg(long, env = "PREMIGRATE_GATE_STYLE", value_name = "STYLE")]
    pub gate_style: Option<String>,
    /// Image of the gate container.
    #[arg(long, env = "PREMIGRATE_GATE_IMAGE", value_name = "IMAGE")]
    pub gate_image: Option<String>,
    /// Command the `check` gate runs in the workload's image, e.g. "python manage.py migrate --check".
    #[arg(long, env = "PREMIGRATE_GATE_CHECK", value_name = "COMMAND")]
    pub gate_check: Option<String>,
    /// Generate a migration Job from a workload: KIND/NAME=COMMAND (repeatable; one a line in the variable).
    #[arg(
        long,
        value_name = "KIND/NAME=COMMAND",
        env = "PREMIGRATE_MIGRATE",
        value_delimiter = '\n'
    )]
    pub migrate: Vec<String>,
    /// The container --migrate uses when the workload has several.
    #[arg(long, env = "PREMIGRATE_MIGRATE_CONTAINER", value_name = "NAME")]
    pub migrate_container: Option<String>,
    /// Extract the init container with this name as a migration Job: NAME in every workload, WORKLOAD/NAME in one (repeatable; comma-separated in the variable).
    #[arg(
        long,
        value_name = "NAME",
        env = "PREMIGRATE_EXTRACT_INIT",
        value_delimiter = ','
    )]
    pub extract_init: Vec<String>,
    /// Leave migrations that run in init containers where they are.
    #[arg(long, env = "PREMIGRATE_KEEP_INIT")]
    pub keep_init: bool,
    /// Lint codes never to report (`premigrate lint`), e.g. PM509,PM514.
    #[arg(
        long,
        env = "PREMIGRATE_LINT_IGNORE",
        value_name = "CODE",
        value_delimiter = ','
    )]
    pub lint_ignore: Vec<String>,
    /// Also print the plan on stderr.
    #[arg(long, env = "PREMIGRATE_EXPLAIN")]
    pub explain: bool,
}
impl Opts {
    /// Validates these options (the `--config` file already merged in) into a configuration.
    pub fn validate(&self) -> Result<Config, Error> {
        let mut c = Config::default();
        if let Some(t) = &self.target {
            c.target = config::parse_target(t)?;
        }
        c.jobs = self
            .jobs
            .iter()
            .filter(|j| !j.is_empty())
            .cloned()
            .collect();
        c.job_selector = self.job_selector.clone().filter(|s| !s.is_empty());
        c.detect = !self.no_detect;
        config::patterns(&self.is_migration, &self.not_migration)?;
        c.is_migration = self.is_migration.clone();
        c.not_migration = self.not_migration.clone();
        c.salt = self.salt.clone().unwrap_or_default();
        c.timeout_seconds = self
            .timeout
            .as_deref()
            .map(config::parse_duration)
            .transpose()?;
        if let Some(w) = self.hook_weight {
            c.hook_weight = w;
        }
        if let Some(g) = &self.gate {
            c.gate = config::parse_gate(g)?;
        }
        if let Some(s) = &self.gate_style {
            c.gate_style = config::parse_gate_style(s)?;
        }
        c.gate_image = self.gate_image.clone();
        c.gate_check = self.gate_check.clone();
        if c.gate_style == config::GateStyle::Check && c.gate_check.is_none() {
            return Err(Error::new("the check gate style needs a check command: --gate-check COMMAND (gateCheck in a MigrationPolicy)")
                .help("e.g. --gate-check 'python manage.py migrate --check'"));
        }
        c.migrate = self
            .migrate
            .iter()
            .map(|m| config::parse_migrate(m))
            .collect::<Result<_, _>>()?;
        c.migrate_container = self.migrate_container.clone();
        c.extract_init = self.extract_init.clone();
        c.keep_init = self.keep_init;
        Ok(c)
    }
}
