//! `premigrate kustomize-plugin CONFIG`: kustomize's exec plugin protocol.
//! kustomize runs `$KUSTOMIZE_PLUGIN_HOME/premigrate.io/v1alpha1/migrationpolicy/MigrationPolicy`
//! with the path of the MigrationPolicy (the `transformers:` entry) as `argv[1]`
//! and the resources as a YAML stream on stdin, and reads the new stream from
//! stdout. The policy alone configures the run: no flags, and no `PREMIGRATE_*`
//! variables, so a build gives the same output on every machine.

use crate::apply::Source;
use crate::diag::Error;
use crate::index::Index;
use crate::stream::Stream;
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
    out.stream = strip_from_added(&out, &[ID_ANNOTATION])?;
    Ok(out)
}

/// Removes annotations from the documents premigrate added. A hook copy starts
/// as the text of what it copies, so it would carry that object's identity
/// (kustomize's id, a KRM function's path and index); a new object has none.
pub fn strip_from_added(out: &Output, keys: &[&str]) -> Result<Vec<u8>, Error> {
    let split = Stream::split(&out.stream).expect("the rewrite writes UTF-8");
    let mut texts: Vec<String> = Vec::with_capacity(out.sources.len());
    let mut changed = false;
    for (i, source) in out.sources.iter().enumerate() {
        let text = split.doc_text(i);
        let new = match source {
            Source::Added(_) => strip(text, keys)?,
            Source::Input { .. } => None,
        };
        changed |= new.is_some();
        texts.push(new.unwrap_or_else(|| text.to_string()));
    }
    if !changed {
        return Ok(out.stream.clone());
    }
    Ok(crate::stream::join(split.bom, &texts).into_bytes())
}

/// The added document's text without `keys`, or `None` when it has none of them.
fn strip(text: &str, keys: &[&str]) -> Result<Option<String>, Error> {
    let index = Index::build(text.as_bytes())?;
    // A Job extracted from a workload is not marked generated: it keeps what it has.
    let Some(p) = index.entries[0]
        .parsed
        .as_ref()
        .filter(|p| is_generated(&p.value))
    else {
        return Ok(None);
    };
    let edits: Vec<Edit> = keys
        .iter()
        .filter(|k| p.value.at(&["metadata", "annotations", k]).is_some())
        .map(|k| Edit::Remove(crate::path!["metadata", "annotations", *k]))
        .collect();
    if edits.is_empty() {
        return Ok(None);
    }
    let new = edit::apply(text, &index.tree(0), &edits).map_err(|err| {
        Error::at(
            index.location(0),
            format!("cannot clean up an added document: {}", err.message),
        )
    })?;
    Ok(Some(new))
}

/// Whether premigrate marked this document as generated (regenerated on every run).
pub fn is_generated(v: &crate::yaml::Value) -> bool {
    crate::plan::context::annotation(v, crate::k8s::engines::own::GENERATED).is_some()
}
