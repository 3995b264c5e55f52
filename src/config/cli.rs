//! The command line: subcommands and their arguments. The rewrite's options are
//! [`Opts`] (`flags.rs`), validated into one [`crate::Config`] before any work starts.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use crate::config::flags::Opts;

const EXAMPLES: &str = "Examples:
  helm upgrade --install app ./chart --post-renderer \"$(command -v premigrate)\"   # Helm 3
  premigrate helm-plugin install && helm upgrade --install app ./chart --post-renderer premigrate   # Helm 4
  helm template app ./chart | premigrate --target gitops > manifests.yaml            # GitOps CI
  premigrate --explain --job 'app-db-*' rendered.yaml
  premigrate demo";

const LINT_HELP: &str = "Exit codes: 0 no finding at --fail-on or above, 1 at least one, 2 bad input.
Suppress: annotation premigrate.io/lint-ignore: PM5xx[,…] on an object; lintIgnore in a MigrationPolicy.
CI: helm template app ./chart > rendered.yaml && premigrate lint --format sarif rendered.yaml > premigrate.sarif";

/// Rewrites rendered Kubernetes manifests so database migrations run once, before the workloads that need them.
#[derive(Debug, Parser)]
#[command(name = "premigrate", version, about, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: rewrite the stream, as a post-renderer).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the rewrite.
    #[command(flatten)]
    pub opts: Opts,
    /// Manifest files to read; stdin when none or `-`.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the plan (what was found, why, what changes) instead of the stream.
    Explain {
        /// Options of the rewrite.
        #[command(flatten)]
        opts: Opts,
        /// Output format.
        #[arg(long, default_value = "text", value_parser = ["text", "json", "mermaid"])]
        format: String,
        /// Manifest files; stdin when none.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Report the known migration mistakes of a rendered chart (exit 1 when a finding reaches --fail-on).
    #[command(after_help = LINT_HELP)]
    Lint {
        /// Options of the rewrite (the plan the findings come from; --lint-ignore CODE,… silences rules).
        #[command(flatten)]
        opts: Opts,
        /// Output format.
        #[arg(long, default_value = "text", value_parser = ["text", "json", "sarif", "github"])]
        format: String,
        /// Exit 1 when a finding is this severe or more.
        #[arg(long, default_value = "warning", value_parser = ["error", "warning", "info"])]
        fail_on: String,
        /// Manifest files; stdin when none.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Run on a built-in example and show input, plan and output.
    Demo {
        /// Options of the rewrite.
        #[command(flatten)]
        opts: Opts,
    },
    /// kustomize exec plugin: the MigrationPolicy file in CONFIG, resources on stdin, the new stream on stdout.
    #[command(
        after_help = "Install: an executable at $KUSTOMIZE_PLUGIN_HOME/premigrate.io/v1alpha1/migrationpolicy/MigrationPolicy\nthat runs `exec premigrate kustomize-plugin \"$@\"`, a MigrationPolicy file listed under\n`transformers:`, then `kubectl kustomize --enable-alpha-plugins DIR`."
    )]
    KustomizePlugin {
        /// The MigrationPolicy file (kustomize passes its path).
        #[arg(value_name = "CONFIG")]
        config: PathBuf,
    },
    /// KRM function: a ResourceList on stdin (functionConfig: a MigrationPolicy or a ConfigMap), a ResourceList with results on stdout.
    Krm,
    /// Write a Flux HelmRelease whose spec.postRenderers patch the chart as `--target hooks` would (helm-controller >= 1.6).
    FluxHelmrelease {
        /// Options of the rewrite (the target is always hooks).
        #[command(flatten)]
        opts: Opts,
        /// The file holding the HelmRelease.
        #[arg(long, value_name = "FILE")]
        helmrelease: PathBuf,
        /// The chart rendered with the HelmRelease's release name and values (`helm template`); stdin when none.
        #[arg(value_name = "RENDERED")]
        files: Vec<PathBuf>,
    },
    /// Manage the Helm 4 post-renderer plugin.
    HelmPlugin {
        /// What to do.
        #[command(subcommand)]
        action: HelmPluginAction,
    },
}

/// `helm-plugin` actions.
#[derive(Debug, Subcommand)]
pub enum HelmPluginAction {
    /// Write the Helm 4 plugin that runs this binary (idempotent).
    Install {
        /// Plugin folder (default: first entry of $HELM_PLUGINS, else Helm's data folder).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}
