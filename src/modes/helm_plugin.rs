//! `premigrate helm-plugin install`: writes the Helm 4 `postrenderer/v1` plugin
//! that runs this very binary, so `helm … --post-renderer premigrate` works.

use std::path::{Path, PathBuf};

use crate::diag::Error;

/// The plugin's name, as given to `--post-renderer`.
pub const NAME: &str = "premigrate";

/// The plugin manifest for a binary at `command`.
pub fn manifest(command: &str) -> String {
    format!(
        "apiVersion: v1\ntype: postrenderer/v1\nname: {NAME}\nversion: {}\nruntime: subprocess\nruntimeConfig:\n  platformCommand:\n    - command: {}\n",
        env!("CARGO_PKG_VERSION"),
        serde_json::to_string(command).unwrap_or_default()
    )
}

/// Where Helm looks for plugins: the first entry of `$HELM_PLUGINS`, else
/// `$HELM_DATA_HOME/plugins`, else `$XDG_DATA_HOME/helm/plugins`, else `~/.local/share/helm/plugins`.
pub fn default_dir(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("HELM_PLUGINS").filter(|s| !s.is_empty()) {
        return p.split(':').next().map(PathBuf::from);
    }
    if let Some(d) = env("HELM_DATA_HOME").filter(|s| !s.is_empty()) {
        return Some(Path::new(&d).join("plugins"));
    }
    if let Some(d) = env("XDG_DATA_HOME").filter(|s| !s.is_empty()) {
        return Some(Path::new(&d).join("helm/plugins"));
    }
    // An empty or relative HOME would put the plugin under the current folder,
    // where Helm never looks: no default then (the caller asks for --dir).
    env("HOME")
        .filter(|h| Path::new(h).is_absolute())
        .map(|h| Path::new(&h).join(".local/share/helm/plugins"))
}

/// Writes `<dir>/premigrate/plugin.yaml`; rewriting an identical file is a no-op.
pub fn install(dir: &Path, binary: &Path) -> Result<PathBuf, Error> {
    let plugin_dir = dir.join(NAME);
    let file = plugin_dir.join("plugin.yaml");
    let text = manifest(&binary.to_string_lossy());
    if std::fs::read_to_string(&file).ok().as_deref() == Some(text.as_str()) {
        return Ok(file);
    }
    std::fs::create_dir_all(&plugin_dir)
        .and_then(|_| std::fs::write(&file, text))
        .map_err(|e| {
            Error::new(format!("cannot write {}: {e}", file.display()))
                .help("pass --dir DIR or set HELM_PLUGINS to a writable folder")
        })?;
    Ok(file)
}
