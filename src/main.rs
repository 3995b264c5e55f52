//! The `premigrate` binary: a thin adapter that reads files or stdin, calls the
//! library, and maps the outcome to an exit code (0 ok, 1 findings, 2 error).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use premigrate::cli::{Cli, Command, HelmPluginAction};
use premigrate::Error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("premigrate: error: {e}");
            ExitCode::from(2)
        }
    }
}

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

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        None => {
            let cfg = cli.opts.config()?;
            let input = read_input(&cli.files)?;
            let out = premigrate::rewrite(&input, &cfg)?;
            if cli.opts.explain {
                eprint!("{}", out.explanation);
            } else {
                // Warnings reach the user even without --explain: Helm shows a
                // post-renderer's stderr, and CI logs keep it.
                for n in &out.plan.notes {
                    if n.severity >= premigrate::plan::Severity::Warning {
                        eprintln!("premigrate: warning[{}]: {}", n.code, n.message);
                    }
                }
            }
            if out.stream.is_empty() && !input.is_empty() {
                return Err(Error::new("the rewrite produced an empty stream"));
            }
            emit(&out.stream)?;
        }
        Some(Command::Explain {
            opts,
            format,
            files,
        }) => {
            let cfg = opts.config()?;
            let input = read_input(&files)?;
            let index = premigrate::index::Index::build(&input)?;
            let plan = premigrate::plan::build(&index, &cfg)?;
            // Build the output too: explain fails where the rewrite would.
            if !plan.is_empty() {
                premigrate::apply::apply(&index, &plan)?;
            }
            let text = match format.as_str() {
                "json" => {
                    serde_json::to_string_pretty(&premigrate::explain::json(&index, &plan))
                        .unwrap_or_default()
                        + "\n"
                }
                "mermaid" => premigrate::explain::mermaid(&index, &plan),
                _ => premigrate::explain::text(&index, &plan),
            };
            emit(text.as_bytes())?;
        }
        Some(Command::Demo { opts }) => {
            let cfg = opts.config()?;
            emit(premigrate::demo::render(&cfg)?.as_bytes())?;
        }
        Some(Command::KustomizePlugin { config }) => {
            let policy = std::fs::read_to_string(&config).map_err(|e| {
                Error::new(format!("cannot read {}: {e}", config.display())).help(
                    "kustomize passes the path of the MigrationPolicy listed under `transformers:`",
                )
            })?;
            let input = read_input(&[])?;
            // kustomize hands over a temporary copy: name the kustomization it came from.
            let source = match std::env::var("KUSTOMIZE_PLUGIN_CONFIG_ROOT") {
                Ok(root) => format!("the transformers: entry of {root}"),
                Err(_) => config.display().to_string(),
            };
            let out = premigrate::kustomize_plugin::run(&policy, &source, &input)?;
            emit(&out.stream)?;
        }
        Some(Command::Krm) => {
            let input = read_input(&[])?;
            let out = premigrate::krm::run(&input);
            emit(&out.bytes)?;
            if out.failed {
                for e in &out.errors {
                    eprintln!("premigrate: error: {e}");
                }
                return Ok(ExitCode::from(2));
            }
        }
        Some(Command::FluxHelmrelease {
            opts,
            helmrelease,
            files,
        }) => {
            let cfg = opts.config()?;
            let hr = std::fs::read_to_string(&helmrelease).map_err(|e| {
                Error::new(format!("cannot read {}: {e}", helmrelease.display()))
                    .help("pass the HelmRelease file with --helmrelease FILE")
            })?;
            let input = read_input(&files)?;
            let out =
                premigrate::flux::export(&hr, &helmrelease.display().to_string(), &input, &cfg)?;
            for w in &out.warnings {
                eprintln!("premigrate: warning: {w}");
            }
            emit(out.helmrelease.as_bytes())?;
        }
        Some(Command::HelmPlugin {
            action: HelmPluginAction::Install { dir },
        }) => {
            let dir = dir
                .or_else(|| premigrate::helm_plugin::default_dir(|k| std::env::var(k).ok()))
                .ok_or_else(|| {
                    Error::new("cannot tell where Helm keeps plugins")
                        .help("pass --dir DIR or set HELM_PLUGINS")
                })?;
            let exe = std::env::current_exe()
                .map_err(|e| Error::new(format!("cannot find this binary: {e}")))?;
            let file = premigrate::helm_plugin::install(&dir, &exe)?;
            eprintln!("installed {}", file.display());
            emit(format!("{}\n", premigrate::helm_plugin::NAME).as_bytes())?;
            eprintln!(
                "use: helm upgrade --install RELEASE CHART --post-renderer {}",
                premigrate::helm_plugin::NAME
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
