//! Throughput of the post-renderer pipeline on generated streams.
//!
//!     cargo bench --bench rewrite                 # time everything (< 1 min)
//!     cargo bench --bench rewrite -- --dump DIR   # write the streams to DIR/*.yaml, no timing
//!     cargo bench --bench rewrite -- --budget 0.2 # seconds per measurement (default 0.6)
//!
//! For each stream it times `Stream::split`, `Index::build` and `rewrite` (the
//! default config, then `--target gitops` and `--target hooks`), and prints the
//! median MB/s, ns per document and the cost as a multiple of a plain memcpy of
//! the input (the floor for a tool whose output is mostly its input).
//!
//! No benchmarking crate: `std::time::Instant`, a warm-up run, then runs until
//! the time budget is spent (at least 5, at most 500), median reported.

#[path = "support/generate.rs"]
mod generate;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use premigrate::config::Target;
use premigrate::index::Index;
use premigrate::stream::Stream;
use premigrate::Config;

// The binary's allocator (src/allocator.rs), so the figures are the CLI's.
#[path = "../src/allocator.rs"]
mod allocator;

struct Args {
    dump: Option<PathBuf>,
    budget: Duration,
}

fn args() -> Args {
    let mut a = Args {
        dump: None,
        budget: Duration::from_millis(600),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every bench binary.
            "--bench" => {}
            "--dump" => a.dump = Some(it.next().expect("--dump needs a directory").into()),
            "--budget" => {
                let s: f64 = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .expect("--budget needs seconds");
                a.budget = Duration::from_secs_f64(s);
            }
            "-h" | "--help" => {
                println!("usage: rewrite [--dump DIR] [--budget SECONDS]");
                std::process::exit(0);
            }
            // Ignore libtest-style filters so `cargo bench -- something` doesn't fail.
            _ => {}
        }
    }
    a
}

/// Median wall time of `f`, after one warm-up run.
fn time<R>(budget: Duration, mut f: impl FnMut() -> R) -> Duration {
    black_box(f());
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 5 || (start.elapsed() < budget && samples.len() < 500) {
        let t = Instant::now();
        black_box(f());
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn cfg(target: Target) -> Config {
    Config {
        target,
        ..Config::default()
    }
}

fn main() {
    allocator::return_freed_memory_soon();
    let args = args();
    let streams = generate::all();

    if let Some(dir) = &args.dump {
        std::fs::create_dir_all(dir).expect("create dump directory");
        for s in &streams {
            let path = dir.join(format!("{}.yaml", s.name));
            std::fs::write(&path, &s.bytes).expect("write stream");
            println!("{}\t{}\t{}", path.display(), s.bytes.len(), s.about);
        }
        return;
    }

    let total = Instant::now();
    println!(
        "premigrate rewrite bench (median of runs, {:.1} s budget per row)\n",
        args.budget.as_secs_f64()
    );
    for s in &streams {
        let input = &s.bytes[..];
        let mb = input.len() as f64 / 1e6;
        let stream = Stream::split(input).expect("generated streams are UTF-8");
        let docs = stream.docs.len();
        let index = Index::build(input).expect("generated streams index");
        let parsed = index.entries.iter().filter(|e| e.parsed.is_some()).count();
        drop(index);

        println!(
            "## {} — {} ({:.2} MB, {} documents, {} parsed by Index::build)\n",
            s.name, s.about, mb, docs, parsed
        );

        // Sanity: every rewrite must find the migration and change something.
        for (label, t) in [
            ("default", Target::Auto),
            ("gitops", Target::Gitops),
            ("hooks", Target::Hooks),
        ] {
            let out = premigrate::rewrite(input, &cfg(t)).expect("rewrite of a generated stream");
            let p = &out.plan;
            println!(
                "- rewrite {label}: target {:?}, {} migration(s), {} gate(s), {} doc(s) edited, {} added, {} moved; output {} bytes",
                p.target.unwrap_or(t),
                p.migrations.len(),
                p.gates.len(),
                p.changes.len(),
                p.added.len(),
                p.moves.len(),
                out.stream.len()
            );
            if p.migrations.is_empty() {
                println!("  WARNING: no migration found; the timing below is of a no-op rewrite");
            }
        }
        println!();

        let mut dst = vec![0u8; input.len()];
        let memcpy = time(args.budget, || {
            dst.copy_from_slice(black_box(input));
            dst[dst.len() / 2]
        });

        type Op<'a> = Box<dyn FnMut() -> usize + 'a>;
        let ops: Vec<(&str, Op)> = vec![
            ("memcpy (floor)", Box::new(|| 0)),
            (
                "to_vec (alloc + copy)",
                Box::new(|| {
                    let v = black_box(black_box(input).to_vec());
                    v[v.len() / 2] as usize
                }),
            ),
            (
                "Stream::split",
                Box::new(|| Stream::split(black_box(input)).unwrap().docs.len()),
            ),
            (
                "Index::build",
                Box::new(|| Index::build(black_box(input)).unwrap().entries.len()),
            ),
            (
                "rewrite (default)",
                Box::new(|| {
                    premigrate::rewrite(black_box(input), &cfg(Target::Auto))
                        .unwrap()
                        .stream
                        .len()
                }),
            ),
            (
                "rewrite --target gitops",
                Box::new(|| {
                    premigrate::rewrite(black_box(input), &cfg(Target::Gitops))
                        .unwrap()
                        .stream
                        .len()
                }),
            ),
            (
                "rewrite --target hooks",
                Box::new(|| {
                    premigrate::rewrite(black_box(input), &cfg(Target::Hooks))
                        .unwrap()
                        .stream
                        .len()
                }),
            ),
        ];

        println!("| operation | median | MB/s | ns/doc | × memcpy |");
        println!("|---|---:|---:|---:|---:|");
        for (name, mut op) in ops {
            let d = if name.starts_with("memcpy") {
                memcpy
            } else {
                time(args.budget, &mut op)
            };
            let secs = d.as_secs_f64();
            println!(
                "| {name} | {} | {:.0} | {:.0} | {:.1} |",
                fmt_dur(d),
                mb / secs,
                d.as_nanos() as f64 / docs as f64,
                secs / memcpy.as_secs_f64()
            );
        }
        println!();
    }
    println!("total bench time: {:.1} s", total.elapsed().as_secs_f64());
}

fn fmt_dur(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.1} µs", ns / 1e3)
    }
}
