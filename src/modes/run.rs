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

/// The plain rewrite (no subcommand): a Helm post-renderer, or a filter.
pub fn rewrite(opts: &Opts, files: &[PathBuf]) -> Result<ExitCode, Error> {
    let cfg = opts.config()?;
    let input = read_input(files)?;
    let out = crate::rewrite(&input, &cfg)?;
    if opts.explain {
        eprint!("{}", out.explanation);
    } else {
        // Warnings reach the user even without --explain: Helm shows a
        // post-renderer's stderr, and CI logs keep it.
        for n in &out.plan.notes {
            if n.severity >= Severity::Warning {
                eprintln!("premigrate: warning[{}]: {}", n.code, n.message);
            }
        }
    }
    if out.stream.is_empty() && !input.is_empty() {
        return Err(Error::new("the rewrite produced an empty stream"));
    }
    emit(&out.stream)?;
    Ok(ExitCode::SUCCESS)
}

/// `premigrate explain`: the plan as text, JSON or a Mermaid graph.
pub fn explain(opts: &Opts, format: &str, files: &[PathBuf]) -> Result<ExitCode, Error> {
    let cfg = opts.config()?;
    let input = read_input(files)?;
    let text = crate::explain(&input, &cfg, format)?;
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
    let out = crate::modes::lint::run(opts, format, fail_on, files, read_input(files)?)?;
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
    let input = read_input(&[])?;
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
    let input = read_input(&[])?;
    let out = krm_mode::run(&input);
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
    let out = flux_mode::export(&hr, &helmrelease.display().to_string(), &input, &cfg)?;
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
    Ok(ExitCode::SUCCESS)
}

/// The input: the files in order (`-` is stdin) joined as one stream, or stdin.
fn read_input(files: &[PathBuf]) -> Result<Vec<u8>, Error> {
    let mut buf = Vec::new();
    if files.is_empty() || files.iter().all(|f| f.as_os_str() == "-") {
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::new(format!("cannot read stdin: {e}")))?;
        return Ok(buf);
    }
    for (k, f) in files.iter().enumerate() {
        let bytes = if f.as_os_str() == "-" {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map(|_| b)
        } else {
            std::fs::read(f)
        }
        .map_err(|e| {
            Error::new(format!("cannot read {}: {e}", f.display())).help("check the path")
        })?;
        if k > 0 && !buf.is_empty() {
            if !buf.ends_with(b"\n") {
                buf.push(b'\n');
            }
            if !bytes.starts_with(b"---") {
                buf.extend_from_slice(b"---\n");
            }
        }
        buf.extend_from_slice(&bytes);
    }
    Ok(buf)
}

/// Writes to stdout; a closed pipe is not an error (`premigrate … | head`).
fn emit(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::new(format!("cannot write stdout: {e}"))),
        Ok(()) => Ok(()),
    }
}
