//! The binary's side of each mode, one function per subcommand: read files or
//! stdin, run the mode, write stdout and warnings on stderr. `main.rs` only
//! parses the arguments and dispatches here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::flags::Opts;
use crate::diag::Error;
use crate::modes::input::read_input;
use crate::modes::{demo as demo_mode, flux as flux_mode, helm_plugin, krm as krm_mode};
use crate::plan::model::Severity;

/// Command-line misuse: clap's message, starting like every other error with
/// `premigrate: error:` (stdout stays empty), exit 2. `--help` and `--version`
/// print as clap does, exit 0.
pub fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
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

/// The plain rewrite (no subcommand): a Helm post-renderer, or a filter.
pub fn rewrite(opts: &Opts, files: &[PathBuf]) -> Result<ExitCode, Error> {
    let cfg = opts.config()?;
    let input = read_input(files)?;
    let out = crate::rewrite_in_pieces(&input.bytes, &cfg).map_err(|e| input.locate(e))?;
    if opts.explain {
        eprint!("{}", out.explanation());
    } else {
        // Warnings reach the user even without --explain: Helm shows a
        // post-renderer's stderr, and CI logs keep it.
        for n in &out.plan.notes {
            if n.severity >= Severity::Warning {
                eprintln!("premigrate: warning[{}]: {}", n.code, n.message);
            }
        }
    }
    let pieces = out.pieces();
    if pieces.iter().all(|p| p.is_empty()) && !input.bytes.is_empty() {
        return Err(input.locate(empty_output(&out)));
    }
    emit_all(&pieces)?;
    // The process exits next: its memory goes back at once (see `Rewritten`).
    drop(pieces);
    std::mem::forget(out);
    Ok(ExitCode::SUCCESS)
}

/// `premigrate explain`: the plan as text, JSON or a Mermaid graph.
pub fn explain(opts: &Opts, format: &str, files: &[PathBuf]) -> Result<ExitCode, Error> {
    let cfg = opts.config()?;
    let input = read_input(files)?;
    let text = crate::explain(&input.bytes, &cfg, format).map_err(|e| input.locate(e))?;
    emit(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `premigrate lint`: findings on stdout; exit 1 when one reaches `fail_on`.
pub fn lint(
    opts: &Opts,
    format: &str,
    fail_on: &str,
    files: &[PathBuf],
) -> Result<ExitCode, Error> {
    let input = read_input(files)?;
    let out = crate::modes::lint::run(opts, format, fail_on, files, input.bytes.to_vec())
        .map_err(|e| input.locate(e))?;
    emit(out.text.as_bytes())?;
    Ok(if out.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `premigrate demo`.
pub fn demo(opts: &Opts) -> Result<ExitCode, Error> {
    let cfg = opts.config()?;
    emit(demo_mode::render(&cfg)?.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `premigrate kustomize-plugin POLICY`: kustomize's exec transformer.
pub fn kustomize_plugin(config: &Path) -> Result<ExitCode, Error> {
    let policy = std::fs::read_to_string(config).map_err(|e| {
        Error::new(format!("cannot read {}: {e}", config.display()))
            .help("kustomize passes the path of the MigrationPolicy listed under `transformers:`")
    })?;
    let input = read_input(&[])?.bytes;
    // kustomize hands over a temporary copy: name the kustomization it came from.
    let source = match std::env::var("KUSTOMIZE_PLUGIN_CONFIG_ROOT") {
        Ok(root) => format!("the transformers: entry of {root}"),
        Err(_) => config.display().to_string(),
    };
    let out = crate::modes::kustomize_plugin::run(&policy, &source, &input)?;
    emit(&out.stream)?;
    Ok(ExitCode::SUCCESS)
}

/// `premigrate krm`: a KRM function; a failed ResourceList still goes to stdout.
pub fn krm() -> Result<ExitCode, Error> {
    let input = read_input(&[])?.bytes.into_vec();
    let out = krm_mode::run(input);
    emit(&out.bytes)?;
    if out.failed {
        for e in &out.errors {
            eprintln!("premigrate: error: {e}");
        }
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// `premigrate flux-helmrelease`: the HelmRelease with premigrate's changes as post-renderer patches.
pub fn flux(opts: &Opts, helmrelease: &Path, files: &[PathBuf]) -> Result<ExitCode, Error> {
    let cfg = opts.config()?;
    let hr = std::fs::read_to_string(helmrelease).map_err(|e| {
        Error::new(format!("cannot read {}: {e}", helmrelease.display()))
            .help("pass the HelmRelease file with --helmrelease FILE")
    })?;
    let input = read_input(files)?;
    let out = flux_mode::export(&hr, &helmrelease.display().to_string(), &input.bytes, &cfg)
        .map_err(|e| input.locate(e))?;
    for w in &out.warnings {
        eprintln!("premigrate: warning: {w}");
    }
    emit(out.helmrelease.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `premigrate helm-plugin install`.
pub fn helm_plugin_install(dir: Option<PathBuf>) -> Result<ExitCode, Error> {
    let dir = dir
        .or_else(|| helm_plugin::default_dir(|k| std::env::var(k).ok()))
        .ok_or_else(|| {
            Error::new("cannot tell where Helm keeps plugins")
                .help("pass --dir DIR or set HELM_PLUGINS")
        })?;
    let exe =
        std::env::current_exe().map_err(|e| Error::new(format!("cannot find this binary: {e}")))?;
    let file = helm_plugin::install(&dir, &exe)?;
    eprintln!("installed {}", file.display());
    emit(format!("{}\n", helm_plugin::NAME).as_bytes())?;
    eprintln!(
        "use: helm upgrade --install RELEASE CHART --post-renderer {}",
        helm_plugin::NAME
    );
    eprintln!("note: Helm 3 cannot read this Helm 4 plugin: with both on this machine, give Helm 4 a folder of its own (--dir DIR, HELM_PLUGINS=DIR)");
    Ok(ExitCode::SUCCESS)
}

/// The error for a rewrite that leaves nothing: every object was one premigrate
/// generated on an earlier run, for a migration no longer in the stream (Helm
/// refuses a post-renderer's empty output).
fn empty_output(out: &crate::Rewritten<'_>) -> Error {
    let message = "every object of the stream is one premigrate generated on an earlier run, \
                   for a migration no longer in it: without them the output would be empty";
    match out.plan.removed.first() {
        Some(&doc) => Error::at(out.index().location(doc), message),
        None => Error::new(message),
    }
    .help("render the chart again (its migration Job included), or leave these objects out")
}

/// Writes to stdout; a closed pipe is not an error (`premigrate … | head`).
fn emit(bytes: &[u8]) -> Result<(), Error> {
    emit_all(&[bytes])
}

/// Writes pieces to stdout one after another, as [`emit`].
fn emit_all(pieces: &[&[u8]]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let written = pieces.iter().try_for_each(|p| out.write_all(p));
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write stdout: {e}"))),
        Ok(()) => Ok(()),
    }
}
