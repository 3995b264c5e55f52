//! The command line as users see it: help, demo, explain and the Helm 4
//! plugin installer, snapshot-tested with insta-cmd.

mod support;

use insta_cmd::assert_cmd_snapshot;
use std::process::Command;
use support::{premigrate_bin, repo_root, TempDir};

/// The binary, run from the repository root with no `PREMIGRATE_*` settings
/// from the caller's environment and a fixed help width.
fn premigrate() -> Command {
    let mut cmd = Command::new(premigrate_bin());
    cmd.current_dir(repo_root()).env("COLUMNS", "100");
    for (k, _) in std::env::vars_os() {
        if k.to_str()
            .is_some_and(|k| k.starts_with("PREMIGRATE_") || k.starts_with("HELM_"))
        {
            cmd.env_remove(k);
        }
    }
    cmd
}

#[test]
fn help() {
    assert_cmd_snapshot!("help", premigrate().arg("--help"));
}

#[test]
fn explain_help() {
    assert_cmd_snapshot!("explain_help", premigrate().args(["explain", "--help"]));
}

#[test]
fn demo() {
    assert_cmd_snapshot!("demo", premigrate().arg("demo"));
}

#[test]
fn demo_hooks() {
    assert_cmd_snapshot!(
        "demo_hooks",
        premigrate().args(["demo", "--target", "hooks"])
    );
}

#[test]
fn explain_text() {
    assert_cmd_snapshot!(
        "explain_text",
        premigrate().args(["explain", "testdata/demo/input.yaml"])
    );
}

#[test]
fn explain_json() {
    assert_cmd_snapshot!(
        "explain_json",
        premigrate().args(["explain", "--format", "json", "testdata/demo/input.yaml"])
    );
}

/// `explain --format json` is JSON, and says what the text says.
#[test]
fn explain_json_parses() {
    let out = premigrate()
        .args(["explain", "--format", "json", "testdata/demo/input.yaml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("explain --format json prints JSON");
    assert!(v.is_object(), "{v}");
}

/// explain reads stdin like the rewrite does, and gives the same plan.
#[test]
fn explain_reads_stdin_too() {
    let file = premigrate()
        .args(["explain", "testdata/demo/input.yaml"])
        .output()
        .unwrap();
    let stdin = premigrate()
        .arg("explain")
        .stdin(std::fs::File::open(repo_root().join("testdata/demo/input.yaml")).unwrap())
        .output()
        .unwrap();
    assert!(file.status.success() && stdin.status.success());
    assert_eq!(
        String::from_utf8_lossy(&stdin.stdout),
        String::from_utf8_lossy(&file.stdout)
    );
}

/// The demo's output section is exactly what the rewrite prints for its input.
#[test]
fn demo_output_is_the_rewrite_of_its_input() {
    for target in ["gitops", "hooks"] {
        let demo = premigrate()
            .args(["demo", "--target", target])
            .output()
            .unwrap();
        let rewrite = premigrate()
            .args(["--target", target, "testdata/demo/input.yaml"])
            .output()
            .unwrap();
        assert!(demo.status.success() && rewrite.status.success());
        let demo = String::from_utf8(demo.stdout).unwrap();
        let marker = "# ── output (what premigrate writes to stdout) ──\n";
        let at = demo.find(marker).expect("demo has an output section") + marker.len();
        assert_eq!(
            &demo[at..],
            String::from_utf8(rewrite.stdout).unwrap(),
            "{target}"
        );
    }
}

#[test]
fn helm_plugin_install_is_idempotent() {
    let tmp = TempDir::new("cli-plugin");
    // A relative --dir keeps the temp path out of the snapshot.
    let run = || {
        let mut cmd = premigrate();
        cmd.current_dir(tmp.path())
            .args(["helm-plugin", "install", "--dir", "plugins"]);
        cmd
    };
    assert_cmd_snapshot!("helm_plugin_install", run());
    let file = tmp.path().join("plugins/premigrate/plugin.yaml");
    let first = std::fs::read_to_string(&file).expect("plugin.yaml written");
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    assert_cmd_snapshot!("helm_plugin_install", run());
    let second = std::fs::read_to_string(&file).unwrap();
    assert_eq!(first, second, "a second install changed plugin.yaml");
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        mtime,
        "a second install rewrote an identical plugin.yaml"
    );
    let entries: Vec<_> = std::fs::read_dir(tmp.path().join("plugins"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["premigrate"], "only one plugin folder");

    // The manifest is a Helm 4 postrenderer/v1 plugin running this binary.
    let bin = premigrate_bin();
    let manifest = first.replace(
        &serde_json::to_string(bin.to_str().unwrap()).unwrap(),
        "\"[BIN]\"",
    );
    insta::assert_snapshot!(
        "helm_plugin_manifest",
        manifest.replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
    );
}

/// `--dir` wins over `HELM_PLUGINS`; without `--dir`, the first `HELM_PLUGINS` entry is used.
#[test]
fn helm_plugin_install_uses_helm_plugins() {
    let tmp = TempDir::new("cli-plugin-env");
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    let out = premigrate()
        .args(["helm-plugin", "install"])
        .env("HELM_PLUGINS", format!("{}:{}", a.display(), b.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"premigrate\n");
    assert!(a.join("premigrate/plugin.yaml").is_file());
    assert!(!b.exists());
}

/// An init container nothing detects (a neutral name, an unknown program):
/// `PREMIGRATE_EXTRACT_INIT` (a chart's post-renderer takes no arguments)
/// extracts it as `--extract-init` does, and lint, told the same, reports the
/// race the extraction fixes.
#[test]
fn extract_init_from_the_environment_and_in_lint() {
    let dir = TempDir::new("extract-init");
    let input = dir.path().join("stream.yaml");
    std::fs::write(
        &input,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      initContainers:\n        - name: init\n          image: acme/web:1\n          command: [./setup, --apply]\n      containers:\n        - name: web\n          image: acme/web:1\n",
    )
    .unwrap();
    let stdin = || std::fs::File::open(&input).unwrap();
    let by_flag = premigrate()
        .args(["--extract-init", "init"])
        .stdin(stdin())
        .output()
        .unwrap();
    let by_env = premigrate()
        .env("PREMIGRATE_EXTRACT_INIT", "init")
        .stdin(stdin())
        .output()
        .unwrap();
    assert!(by_flag.status.success() && by_env.status.success());
    let out = String::from_utf8_lossy(&by_env.stdout);
    assert!(out.contains("name: web-init-"), "{out}");
    assert_eq!(by_env.stdout, by_flag.stdout);
    let lint = |args: &[&str]| {
        let out = premigrate()
            .arg("lint")
            .args(args)
            .arg(&input)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(!lint(&[]).contains("PM501"));
    let report = lint(&["--extract-init", "init"]);
    assert!(
        report.contains("PM501") && report.contains("named by --extract-init"),
        "{report}"
    );
}

/// A big file (mapped, not read: src/modes/input.rs) gives the same output
/// whether named, redirected to stdin, piped, or redirected after part of it
/// was read (then the rest is the input); a bad byte in it is the same error.
#[test]
fn a_big_file_reads_the_same_named_redirected_or_piped() {
    let demo = std::fs::read_to_string(repo_root().join("testdata/demo/input.yaml")).unwrap();
    let filler: String = (0..3000)
        .map(|i| format!("  key{i}: \"a value long enough to grow the file\"\n"))
        .collect();
    let head =
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n{filler}---\n");
    let text = format!("{head}{demo}");
    assert!(text.len() > 128 << 10, "over the mapping threshold");
    let dir = TempDir::new("big-input");
    let path = dir.path().join("big.yaml");
    std::fs::write(&path, &text).unwrap();
    let run = |cmd: &mut Command| cmd.output().unwrap();
    let named = run(premigrate().arg(&path));
    let redirected = run(premigrate().stdin(std::fs::File::open(&path).unwrap()));
    let piped = pipe(premigrate(), text.as_bytes());
    assert!(
        named.status.success(),
        "{}",
        String::from_utf8_lossy(&named.stderr)
    );
    assert_ne!(named.stdout, text.as_bytes(), "the demo's Job is rewritten");
    assert_eq!(named.stdout, redirected.stdout);
    assert_eq!(named.stdout, piped.stdout);
    // stdin already read up to the demo: only the demo is the input.
    let mut file = std::fs::File::open(&path).unwrap();
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(head.len() as u64)).unwrap();
    let rest = run(premigrate().stdin(file));
    assert_eq!(rest.stdout, pipe(premigrate(), demo.as_bytes()).stdout);
    // A bad byte at the end: the same message however the file arrives.
    let mut bad = text.into_bytes();
    bad.extend_from_slice(b"# \xff\n");
    std::fs::write(&path, &bad).unwrap();
    let named = run(premigrate().arg(&path));
    let piped = pipe(premigrate(), &bad);
    assert_eq!(named.status.code(), Some(2));
    assert!(named.stdout.is_empty());
    assert_eq!(named.stderr, piped.stderr);
}

/// Runs the binary with `input` written to its stdin through a pipe.
fn pipe(mut cmd: Command, input: &[u8]) -> std::process::Output {
    use std::io::Write as _;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}
