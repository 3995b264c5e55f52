//! `premigrate demo`: the built-in example, shown as input, plan and output.

/// A Laravel-style shop: web and worker Deployments, a ConfigMap, an external
/// Secret and a migration Job with the usual mistakes (TTL, OnFailure, no backoffLimit).
pub const INPUT: &str = include_str!("../../testdata/demo/input.yaml");

/// Renders the demo for a target.
pub fn render(cfg: &crate::Config) -> Result<String, crate::Error> {
    let out = crate::rewrite(INPUT.as_bytes(), cfg)?;
    Ok(format!(
        "# ── input: a rendered chart (helm template shop ./shop) ──\n{}\n# ── plan (premigrate explain) ──\n{}\n# ── output (what premigrate writes to stdout) ──\n{}",
        INPUT.trim_end(),
        out.explanation.lines().map(|l| format!("# {l}")).collect::<Vec<_>>().join("\n"),
        String::from_utf8_lossy(&out.stream)
    ))
}
