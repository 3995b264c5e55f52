//! A plain-stable stand-in for `cargo fuzz run`: replays the committed
//! regressions, then mutates seeds (no coverage feedback) for a while, running
//! the same target bodies as the libFuzzer binaries.
//!
//!     cd fuzz && cargo run --release --no-default-features --bin smoke -- rewrite --secs 60
//!     cd fuzz && cargo run --release --no-default-features --bin smoke -- edit --secs 60 --corpus corpus/edit
//!
//!     cargo run --release --no-default-features --bin smoke -- edit --show regressions/edit/set-empty-path.bin
//!
//! Options: `--secs N` (default 30), `--seed N` (default: from the clock),
//! `--corpus DIR` (default `corpus/TARGET`, made by `./seed.sh`; falls back to
//! `../testdata`), `--max-len N` (default 65536). A panicking input is written
//! to `artifacts/smoke/TARGET/crash-HASH` and the runner exits 1 at the end.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::panic;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// YAML- and premigrate-significant snippets the mutator splices in.
const TOKENS: &[&[u8]] = &[
    b"---\n", b"...\n", b"--- |\n", b": ", b"- ", b"? ", b"&a ", b"*a", b"<<: *a\n", b"!!str ", b"!!binary ", b"!custom ",
    b"\"", b"'", b"\t", b"#", b" #x", b"|-\n", b">+\n", b"|2\n", b"{", b"}", b"[", b"]", b",", b"\n", b"\r\n", b"  ",
    b"    ", b"\xef\xbb\xbf", b"\\", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n", b"~", b"null", b"yes", b"0x1F", b"1e3",
    b"kind: Job\n", b"kind: Deployment\n", b"kind: List\nitems:\n- ", b"apiVersion: batch/v1\n", b"metadata:\n  name: app-migrate\n",
    b"command: [\"php\", \"artisan\", \"migrate\"]\n", b"args: [\"manage.py\", \"migrate\"]\n",
    b"  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n", b"    premigrate.io/",
    b"postrenderer.helm.sh/postrender-filename: 'c/templates/x.yaml'\n", b"# Source: c/templates/x.yaml\n",
    b"initContainers:\n", b"containers:\n", b"envFrom:\n- secretRef:\n    name: db\n", b"image: x/y:1\n",
    b"\xc3\xa9", b"\xf0\x9f\x98\x80", b"\x85", b"\xe2\x80\xa8",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], max_len: usize) -> Vec<u8> {
    let mut d = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(6) {
        let len = d.len();
        let at = rng.below(len + 1);
        match rng.below(12) {
            0 if len > 0 => {
                let i = rng.below(len);
                d[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                d[i] = rng.next() as u8;
            }
            2 | 3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                d.splice(at..at, t.iter().copied());
            }
            4 if len > 0 => {
                let n = 1 + rng.below(16.min(len - at.min(len)).max(1));
                let end = (at + n).min(len);
                d.drain(at..end);
            }
            5 => {
                // Duplicate a line.
                let s = d[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let e = d[at..].iter().position(|&b| b == b'\n').map_or(len, |i| at + i + 1);
                let line = d[s..e].to_vec();
                d.splice(e..e, line);
            }
            6 => {
                // Delete a line.
                let s = d[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let e = d[at..].iter().position(|&b| b == b'\n').map_or(len, |i| at + i + 1);
                d.drain(s..e);
            }
            7 => {
                // Change the indentation of a line.
                let s = d[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                if rng.below(2) == 0 {
                    d.splice(s..s, std::iter::repeat_n(b' ', 1 + rng.below(4)));
                } else {
                    let n = d[s..].iter().take_while(|&&b| b == b' ').count().min(1 + rng.below(4));
                    d.drain(s..s + n);
                }
            }
            8 => {
                // Splice in a chunk of another seed.
                let o = &seeds[rng.below(seeds.len())];
                if !o.is_empty() {
                    let s = rng.below(o.len());
                    let e = (s + 1 + rng.below(512)).min(o.len());
                    d.splice(at..at, o[s..e].iter().copied());
                }
            }
            9 if len > 0 => {
                // Copy a chunk of itself elsewhere.
                let s = rng.below(len);
                let e = (s + 1 + rng.below(256)).min(len);
                let chunk = d[s..e].to_vec();
                let at = rng.below(d.len() + 1);
                d.splice(at..at, chunk);
            }
            10 if len > 0 => {
                // Truncate.
                d.truncate(at);
            }
            _ => {
                // Control bytes of the `edit` target.
                for b in d.iter_mut().take(16) {
                    if rng.below(4) == 0 {
                        *b = rng.next() as u8;
                    }
                }
            }
        }
    }
    d.truncate(max_len);
    d
}

fn load_dir(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            load_dir(&p, out);
        } else if let Ok(b) = std::fs::read(&p) {
            out.push(b);
        }
    }
}

fn hash(d: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    d.hash(&mut h);
    h.finish()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_else(|| {
        eprintln!("usage: smoke rewrite|edit [--secs N] [--seed N] [--corpus DIR] [--max-len N]");
        std::process::exit(2)
    });
    let run: fn(&[u8]) = match target.as_str() {
        "rewrite" => premigrate_fuzz::rewrite,
        "edit" => premigrate_fuzz::edit,
        "fast_reader" => premigrate_fuzz::fast_reader,
        other => {
            eprintln!("unknown target `{other}` (rewrite, edit)");
            std::process::exit(2)
        }
    };
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // `smoke edit --show FILE`: decode one input instead of fuzzing.
    let rest: Vec<String> = args.collect();
    if rest.first().map(String::as_str) == Some("--show") {
        let data = std::fs::read(rest.get(1).expect("--show FILE")).expect("read FILE");
        if target == "edit" {
            print!("{}", premigrate_fuzz::describe_edit(&data));
        }
        premigrate_fuzz::set_report_known(true);
        run(&data);
        println!("{target}: no panic");
        return;
    }
    let mut args = rest.into_iter();
    let mut secs = 30.0;
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    let mut corpus = here.join("corpus").join(&target);
    let mut max_len = 65536;
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--secs" => secs = v.parse().expect("--secs N"),
            "--seed" => seed = v.parse().expect("--seed N"),
            "--corpus" => corpus = v.into(),
            "--max-len" => max_len = v.parse().expect("--max-len N"),
            _ => {
                eprintln!("unknown option {a}");
                std::process::exit(2)
            }
        }
    }

    // Panics are caught per input; keep the last message instead of printing each.
    thread_local!(static LAST: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) });
    panic::set_hook(Box::new(|info| {
        let msg = format!("{info}");
        LAST.with(|l| *l.borrow_mut() = msg);
    }));
    let artifacts = here.join("artifacts").join("smoke").join(&target);
    let crashes = std::cell::Cell::new(0usize);
    let caught = |data: &[u8]| -> Option<String> {
        match panic::catch_unwind(|| run(data)) {
            Ok(()) => None,
            Err(_) => Some(LAST.with(|l| l.borrow().clone())),
        }
    };
    let check = |data: &[u8], label: &str| -> bool {
        let Some(msg) = caught(data) else { return true };
        crashes.set(crashes.get() + 1);
        std::fs::create_dir_all(&artifacts).ok();
        let path = artifacts.join(format!("crash-{:016x}", hash(data)));
        std::fs::write(&path, data).ok();
        eprintln!("CRASH ({label}) saved to {}\n  {msg}", path.display());
        false
    };

    // 1. Regressions: report which committed reproducers still panic (known bugs
    // count here). They don't fail the run: they are bugs already reported.
    premigrate_fuzz::set_report_known(true);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(here.join("regressions").join(&target))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    let mut failing = 0;
    for p in &paths {
        let Ok(data) = std::fs::read(p) else { continue };
        match caught(&data) {
            None => eprintln!("{target}: regression {} passes", p.display()),
            Some(msg) => {
                failing += 1;
                eprintln!("{target}: regression {} STILL PANICS: {}", p.display(), msg.lines().next().unwrap_or(""));
            }
        }
    }
    eprintln!("{target}: {} regression input(s), {failing} still failing", paths.len());

    premigrate_fuzz::set_report_known(std::env::var_os("PREMIGRATE_FUZZ_KNOWN").is_some_and(|v| v != "0" && !v.is_empty()));

    // 2. Seeds.
    let mut seeds = Vec::new();
    load_dir(&corpus, &mut seeds);
    if seeds.is_empty() {
        eprintln!("{target}: no corpus at {}; using ../testdata directly (run ./seed.sh for a better one)", corpus.display());
        load_dir(&here.join("..").join("testdata"), &mut seeds);
        if target == "edit" {
            // The edit target's first 16 bytes are control bytes.
            for s in &mut seeds {
                s.splice(0..0, *b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10");
            }
        }
    }
    seeds.retain(|s| s.len() <= max_len);
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    for s in seeds.clone() {
        check(&s, "seed");
    }

    // 3. Mutations until the time is up.
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut execs = 0u64;
    let mut last_report = Instant::now();
    let start = Instant::now();
    while Instant::now() < deadline {
        let d = mutate(&mut rng, &seeds, max_len);
        if check(&d, "mutation") && rng.below(64) == 0 && seeds.len() < 4096 {
            // Keep a few passing mutants as new seeds, to walk further.
            seeds.push(d);
        }
        execs += 1;
        if last_report.elapsed() > Duration::from_secs(10) {
            eprintln!("{target}: {execs} execs, {:.0}/s, {} seeds, {} crash(es)", execs as f64 / start.elapsed().as_secs_f64(), seeds.len(), crashes.get());
            last_report = Instant::now();
        }
    }
    eprintln!(
        "{target}: done: seed {seed}, {execs} execs in {:.0} s ({:.0}/s), {} crash(es)",
        start.elapsed().as_secs_f64(),
        execs as f64 / start.elapsed().as_secs_f64().max(1e-9),
        crashes.get()
    );
    if crashes.get() > 0 {
        std::process::exit(1);
    }
}
