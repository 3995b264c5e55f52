//! The binary's side of each mode, one function per subcommand: read files or
//! stdin, run the mode, write stdout and warnings on stderr. `main.rs` only
//! parses the arguments and dispatches here.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::flags::Opts;
use crate::diag::Error;
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
    let out = crate::modes::lint::run(opts, format, fail_on, files, input.bytes.clone())
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
    let input = read_input(&[])?.bytes;
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

/// The input as one stream, and where each file starts in it.
struct Input {
    /// The files in order (`-` is stdin) joined as one stream, or stdin.
    bytes: Vec<u8>,
    /// Per file: its name and the stream line of its first line (only when there
    /// are several files, to name the file and its own line in errors).
    parts: Vec<(String, usize)>,
}

impl Input {
    /// An error at a stream line, told as the file and that file's own line.
    fn locate(&self, mut e: Error) -> Error {
        let Some(l) = e.location.as_deref_mut() else {
            return e;
        };
        let Some(line) = l.line else { return e };
        let Some((name, first)) = self.parts.iter().rev().find(|p| p.1 <= line) else {
            return e;
        };
        l.line = Some(line - first + 1);
        l.source = Some(match l.source.take() {
            Some(src) => format!("{src} in {name}"),
            None => name.clone(),
        });
        e
    }
}

/// Reads the input: the files in order (`-` is stdin) joined as one stream, or stdin.
/// The help for a file that cannot be read: a subcommand's name given after
/// options (`premigrate --target hooks explain FILE`) is read as a file, as
/// the options belong to the subcommand and come after it.
fn path_help(f: &Path) -> String {
    use clap::CommandFactory as _;
    let cli = crate::config::cli::Cli::command();
    let name = f.to_string_lossy();
    let subcommand = cli.get_subcommands().any(|s| s.get_name() == name);
    match subcommand {
        true => format!("`{name}` is a subcommand: give it first, then its options (`premigrate {name} [OPTIONS] [FILE]...`)"),
        false => "check the path".to_string(),
    }
}

fn read_input(files: &[PathBuf]) -> Result<Input, Error> {
    let mut buf = Vec::new();
    let mut parts = Vec::new();
    if files.is_empty() || files.iter().all(|f| f.as_os_str() == "-") {
        let bytes = read_stdin().map_err(|e| Error::new(format!("cannot read stdin: {e}")))?;
        return Ok(Input { bytes, parts });
    }
    for (k, f) in files.iter().enumerate() {
        let bytes = if f.as_os_str() == "-" {
            read_stdin()
        } else {
            std::fs::read(f)
        }
        .map_err(|e| Error::new(format!("cannot read {}: {e}", f.display())).help(path_help(f)))?;
        if k > 0 && !buf.is_empty() {
            if !buf.ends_with(b"\n") {
                buf.push(b'\n');
            }
            if !bytes.starts_with(b"---") {
                buf.extend_from_slice(b"---\n");
            }
        }
        let first = buf.iter().filter(|&&b| b == b'\n').count() + 1;
        let name = match f.as_os_str() == "-" {
            true => "stdin".to_string(),
            false => f.display().to_string(),
        };
        parts.push((name, first));
        // The first file's buffer is the stream's (one file: no copy of it).
        if buf.is_empty() {
            buf = bytes;
        } else {
            buf.extend_from_slice(&bytes);
        }
    }
    if parts.len() < 2 {
        parts.clear();
    }
    Ok(Input { bytes: buf, parts })
}

/// Reads stdin to its end into one buffer allocated up front: the file's
/// size when stdin is a file, else room for a big stream. Growing a buffer
/// by doubling copies it and touches every page twice or more (a third of
/// the run time on a 5 MB stream); the room reserved is address space only,
/// no page is touched before data lands in it.
fn read_stdin() -> std::io::Result<Vec<u8>> {
    const ROOM: u64 = 64 << 20;
    let room = stdin_file_size().map_or(ROOM, |n| n + 1).min(ROOM) as usize;
    let mut buf = Vec::new();
    // Address space can be short (a ulimit -v): then grow as needed.
    let _ = buf.try_reserve_exact(room);
    std::io::stdin().lock().read_to_end(&mut buf)?;
    Ok(buf)
}

/// The size of the file stdin is, when it is one.
#[cfg(unix)]
fn stdin_file_size() -> Option<u64> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    meta.is_file().then_some(meta.len())
}

#[cfg(not(unix))]
fn stdin_file_size() -> Option<u64> {
    None
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
