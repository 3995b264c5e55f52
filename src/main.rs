//! The `premigrate` binary: parses the arguments and runs one function per mode
//! (`premigrate::modes::run`). Exit code 0 when it worked, 2 on an error (and
//! for a KRM function whose ResourceList reports a failure).

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use premigrate::cli::{Cli, Command, HelmPluginAction};
use premigrate::modes::run;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let result = match cli.command {
        None => run::rewrite(&cli.opts, &cli.files),
        Some(Command::Explain {
            opts,
            format,
            files,
        }) => run::explain(&opts, &format, &files),
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

/// Command-line misuse: clap's message, starting like every other error with
/// `premigrate: error:` (stdout stays empty), exit 2. `--help` and `--version`
/// print as clap does, exit 0.
fn usage_error(e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return match e.kind() {
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ExitCode::from(2),
            _ => ExitCode::SUCCESS,
        };
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    eprint!("premigrate: error: {text}");
    ExitCode::from(2)
}
