//! The `premigrate` binary: parses the arguments and runs one function per mode
//! (`premigrate::modes::run`). Exit code 0 when it worked, 1 when `lint` found
//! something at `--fail-on`, 2 on an error (and
//! for a KRM function whose ResourceList reports a failure).

use std::process::ExitCode;

use clap::Parser;
use premigrate::cli::{Cli, Command, HelmPluginAction};
use premigrate::modes::run;

mod allocator;

fn main() -> ExitCode {
    allocator::return_freed_memory_soon();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return run::usage_error(e),
    };
    let result = match cli.command {
        None => run::rewrite(&cli.opts, &cli.files),
        Some(Command::Explain {
            opts,
            format,
            files,
        }) => run::explain(&opts, &format, &files),
        Some(Command::Lint {
            opts,
            format,
            fail_on,
            files,
        }) => run::lint(&opts, &format, &fail_on, &files),
        Some(Command::Demo { opts }) => run::demo(&opts),
        Some(Command::KustomizePlugin { config }) => run::kustomize_plugin(&config),
        Some(Command::Krm) => run::krm(),
        Some(Command::FluxHelmrelease {
            opts,
            helmrelease,
            files,
        }) => run::flux(&opts, &helmrelease, &files),
        Some(Command::HelmPlugin {
            action: HelmPluginAction::Install { dir },
        }) => run::helm_plugin_install(dir),
    };
    result.unwrap_or_else(|e| {
        eprintln!("premigrate: error: {e}");
        ExitCode::from(2)
    })
}
