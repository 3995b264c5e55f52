//! Helpers for integration tests that run premigrate under real tools (Helm 3,
//! Helm 4, kubectl, the YAML 1.1 oracle) installed by
//! `scripts/install-test-tools.sh` into `.tools/bin`.
//!
//! A missing tool skips the test with a visible line, unless
//! `PREMIGRATE_E2E=1` (set by `scripts/test.sh`), where it fails the test.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `charts/<name>` in the repository.
pub fn chart(name: &str) -> PathBuf {
    repo_root().join("charts").join(name)
}

/// `<repo>/.tools/bin/<name>` when it exists.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = repo_root().join(".tools").join("bin").join(name);
    path.is_file().then_some(path)
}

/// Like [`tool`], but says so when the tool is missing: prints a `SKIPPED`
/// line (the caller then returns early), or panics under `PREMIGRATE_E2E=1`.
pub fn require_tool(name: &str) -> Option<PathBuf> {
    if let Some(path) = tool(name) {
        return Some(path);
    }
    let message = format!("SKIPPED (missing {name}): run scripts/install-test-tools.sh");
    if std::env::var("PREMIGRATE_E2E").as_deref() == Ok("1") {
        panic!("{message}");
    }
    // Written to the stderr handle rather than with eprintln!, which the test
    // harness captures: a skip must be seen.
    let _ = writeln!(std::io::stderr(), "{message}");
    None
}

/// The premigrate binary built for this test run.
pub fn premigrate_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_premigrate"))
}

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "premigrate-{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
        ));
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a Helm 4 `postrenderer/v1` plugin called `name` that runs `command`
/// into `<plugins>/<name>/plugin.yaml`. `--post-renderer-args` values are
/// appended to the command by Helm.
/// Runs the premigrate binary from the repository root with `stdin` piped in, and
/// every `PREMIGRATE_*` variable of the test's environment removed (so a developer's
/// shell cannot change a test's outcome). stdin is written from a thread and a
/// closed pipe is ignored: the binary may stop reading early, e.g. on an error.
#[allow(dead_code)]
pub fn run_premigrate<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = Command::new(premigrate_bin());
    cmd.args(args)
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PREMIGRATE_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd.spawn().expect("running premigrate");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("waiting for premigrate");
    writer.join().expect("the stdin writer");
    out
}

pub fn write_helm4_plugin(plugins: &Path, name: &str, command: &Path) {
    let dir = plugins.join(name);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    // Single-quoted YAML scalar: only `'` needs escaping.
    let command = command
        .to_str()
        .expect("plugin command path is UTF-8")
        .replace('\'', "''");
    let manifest = format!(
        "apiVersion: v1\n\
         type: postrenderer/v1\n\
         name: {name}\n\
         version: 0.1.0\n\
         runtime: subprocess\n\
         runtimeConfig:\n\
         \x20 platformCommand:\n\
         \x20   - command: '{command}'\n"
    );
    std::fs::write(dir.join("plugin.yaml"), manifest).expect("writing plugin.yaml");
}

/// Writes the Helm 4 plugin `premigrate` (running this test run's binary by
/// its absolute path, which Helm 4.1.4 accepts as well as
/// `${HELM_PLUGIN_DIR}/bin/premigrate`) under `tmp/plugins`, and returns that
/// directory: the value for `HELM_PLUGINS`. Use with `--post-renderer premigrate`.
pub fn helm4_plugin_dir(tmp: &Path) -> PathBuf {
    let plugins = tmp.join("plugins");
    write_helm4_plugin(&plugins, "premigrate", &premigrate_bin());
    plugins
}

/// Adds a Helm 4 plugin `passthrough` running `cat` to `plugins`: the
/// baseline for "premigrate changed nothing", since Helm 4 itself re-indents
/// what goes through any post-renderer.
pub fn add_helm4_passthrough_plugin(plugins: &Path) {
    let cat = ["/bin/cat", "/usr/bin/cat"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .expect("no cat in /bin or /usr/bin");
    write_helm4_plugin(plugins, "passthrough", &cat);
}

/// What a finished command printed.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs Helm isolated from the user's setup: no inherited `HELM_*` or
/// `KUBECONFIG`, config/cache/data homes in a fresh temp dir, and a
/// `KUBECONFIG` that does not exist (enough for `template` and
/// `install --dry-run=client`). `env` is applied last, e.g.
/// `("HELM_PLUGINS", ...)`.
pub fn run_helm(helm: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = TempDir::new("helm-home");
    let mut cmd = Command::new(helm);
    for (key, _) in std::env::vars_os() {
        if key
            .to_str()
            .is_some_and(|k| k.starts_with("HELM_") || k == "KUBECONFIG")
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HELM_CONFIG_HOME", home.path().join("config"))
        .env("HELM_CACHE_HOME", home.path().join("cache"))
        .env("HELM_DATA_HOME", home.path().join("data"))
        .env("KUBECONFIG", home.path().join("kubeconfig-does-not-exist"))
        .envs(env.iter().copied())
        .args(args)
        .current_dir(repo_root())
        .stdin(Stdio::null());
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {} {args:?}: {e}", helm.display()));
    Output {
        status: out.status,
        stdout: String::from_utf8(out.stdout).expect("helm stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Like [`run_helm`], panicking with Helm's stderr unless it succeeded; returns stdout.
pub fn run_helm_ok(helm: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = run_helm(helm, args, env);
    assert!(
        out.status.success(),
        "{} {args:?} failed ({}):\n{}",
        helm.display(),
        out.status,
        out.stderr
    );
    out.stdout
}

/// Splits the output of `helm install --dry-run` into its `HOOKS:` and
/// `MANIFEST:` sections (each a YAML stream; `NOTES:` is left out).
/// `helm install rel CHART --dry-run=client --post-renderer NAME [--post-renderer-args A]…`
/// under Helm 4, split into its HOOKS and MANIFEST sections.
#[allow(dead_code)]
pub fn helm4_dry_run(
    helm4: &Path,
    chart_dir: &Path,
    post_renderer: &str,
    post_renderer_args: &[&str],
    env: &[(&str, &str)],
) -> (String, String) {
    let mut argv: Vec<&str> = vec![
        "install",
        "rel",
        chart_dir.to_str().unwrap(),
        "--dry-run=client",
        "--post-renderer",
        post_renderer,
    ];
    for a in post_renderer_args {
        argv.extend(["--post-renderer-args", a]);
    }
    split_dry_run(&run_helm_ok(helm4, &argv, env))
}

pub fn split_dry_run(output: &str) -> (String, String) {
    #[derive(PartialEq)]
    enum Section {
        Header,
        Hooks,
        Manifest,
        Notes,
    }
    let mut section = Section::Header;
    let (mut hooks, mut manifest) = (String::new(), String::new());
    for line in output.split_inclusive('\n') {
        match line.trim_end() {
            "HOOKS:" if section == Section::Header => section = Section::Hooks,
            "MANIFEST:" if section != Section::Notes => section = Section::Manifest,
            "NOTES:" if section == Section::Manifest => section = Section::Notes,
            _ => match section {
                Section::Hooks => hooks.push_str(line),
                Section::Manifest => manifest.push_str(line),
                Section::Header | Section::Notes => {}
            },
        }
    }
    assert!(
        section == Section::Manifest || section == Section::Notes,
        "no HOOKS:/MANIFEST: sections in helm output:\n{output}"
    );
    (hooks, manifest)
}

/// `(kind, metadata.name)` of each document of a block-style YAML stream, in
/// order, read line by line (enough for Helm's output, not a YAML parser).
pub fn resources(stream: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for doc in stream.split("\n---") {
        let mut kind = None;
        let mut name = None;
        let mut in_metadata = false;
        for line in doc.lines() {
            if let Some(v) = line.strip_prefix("kind:") {
                kind = Some(unquote(v));
            }
            if !line.starts_with(' ') {
                in_metadata = line.starts_with("metadata:");
            } else if in_metadata && name.is_none() {
                if let Some(v) = line.strip_prefix("  name:") {
                    name = Some(unquote(v));
                }
            }
        }
        if let (Some(kind), Some(name)) = (kind, name) {
            found.push((kind, name));
        }
    }
    found
}

fn unquote(v: &str) -> String {
    v.trim().trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// What Kubernetes reads from each document of `stream`: one JSON line per
/// document from `yaml11-oracle` (go-yaml v2 + sigs.k8s.io/yaml conversion).
pub fn yaml11_json(oracle: &Path, stream: &str) -> Vec<String> {
    let mut child = Command::new(oracle)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {}: {e}", oracle.display()));
    let mut stdin = child.stdin.take().expect("oracle stdin");
    let input = stream.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("waiting for yaml11-oracle");
    writer
        .join()
        .expect("oracle writer thread")
        .expect("writing to yaml11-oracle");
    assert!(
        out.status.success(),
        "yaml11-oracle rejected the stream: {}\n{stream}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("oracle output is UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}
