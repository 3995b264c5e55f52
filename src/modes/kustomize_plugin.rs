//! `premigrate kustomize-plugin CONFIG`: kustomize's exec plugin protocol.
//! kustomize runs `$KUSTOMIZE_PLUGIN_HOME/premigrate.io/v1alpha1/migrationpolicy/MigrationPolicy`
//! with the path of the MigrationPolicy (the `transformers:` entry) as argv[1]
//! and the resources as a YAML stream on stdin, and reads the new stream from
//! stdout. The policy alone configures the run: no flags, and no `PREMIGRATE_*`
//! variables, so a build gives the same output on every machine.

use crate::diag::Error;
use crate::index::Index;
use crate::yaml::edit::{self, Edit};
use crate::Output;

/// Where kustomize looks for the plugin, under `$KUSTOMIZE_PLUGIN_HOME`.
pub const PLUGIN_PATH: &str = "premigrate.io/v1alpha1/migrationpolicy/MigrationPolicy";

/// The annotation kustomize puts on every resource it hands to a plugin, to
/// match what comes back with what went in.
pub const ID_ANNOTATION: &str = "kustomize.config.k8s.io/id";

/// The executable to install at [`PLUGIN_PATH`] for a premigrate binary at `exe`.
pub fn wrapper_script(exe: &str) -> String {
    format!(
        "#!/bin/sh\n# kustomize exec plugin: the MigrationPolicy path in $1, resources on stdin.\nexec '{}' kustomize-plugin \"$@\"\n",
        exe.replace('\'', "'\\''")
    )
}

/// Rewrites the stream kustomize sends, configured by the policy text.
pub fn run(policy: &str, policy_source: &str, input: &[u8]) -> Result<Output, Error> {
    let cfg = crate::config::policy::parse(policy, policy_source)?.validate()?;
    let mut out = crate::rewrite(input, &cfg)?;
    out.stream = strip_from_generated(&out.stream, &[ID_ANNOTATION])?;
    Ok(out)
}

/// Removes annotations from the documents premigrate added. A hook copy starts
/// as the text of what it copies, so it would carry that object's identity
/// (kustomize's id, a KRM function's path and index); a new object has none.
pub fn strip_from_generated(stream: &[u8], keys: &[&str]) -> Result<Vec<u8>, Error> {
    let index = Index::build(stream)?;
    let mut texts: Vec<String> = Vec::with_capacity(index.entries.len());
    let mut changed = false;
    for (i, e) in index.entries.iter().enumerate() {
        let text = index.stream.doc_text(i);
        let edits: Vec<Edit> = match &e.parsed {
            Some(p) if is_generated(&p.value) => keys
                .iter()
                .filter(|k| p.value.at(&["metadata", "annotations", k]).is_some())
                .map(|k| Edit::Remove(crate::path!["metadata", "annotations", *k]))
                .collect(),
            _ => vec![],
        };
        if edits.is_empty() {
            texts.push(text.to_string());
            continue;
        }
        let parsed = e.parsed.as_ref().expect("checked above");
        let new = edit::apply(text, &parsed.tree, &edits).map_err(|err| {
            Error::at(
                index.location(i),
                format!("cannot clean up an added document: {}", err.message),
            )
        })?;
        texts.push(new);
        changed = true;
    }
    if !changed {
        return Ok(stream.to_vec());
    }
    Ok(crate::stream::join(index.stream.bom, &texts).into_bytes())
}

/// Whether premigrate added this document.
pub fn is_generated(v: &crate::yaml::Value) -> bool {
    crate::plan::context::annotation(v, crate::k8s::engines::own::GENERATED) == Some("true")
}
