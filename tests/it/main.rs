//! One test binary for the integration tests that take no insta snapshots.
//! The snapshot tests (bad_input, cli, flux_helmrelease, gates, helm_charts,
//! helm_sources, kustomize_plugin, policy, sources) keep their own binaries for
//! now: insta names a snapshot file after the test's module path, so moving
//! them here would rename every `.snap` file (`cli__x.snap` → `it__cli__x.snap`).

#[path = "../support/gate_cases.rs"]
mod gate_cases;
#[path = "../support/readme_block.rs"]
mod readme_block;
#[path = "../support/mod.rs"]
mod support;

mod generated_types;
mod graph_props;
mod helm_e2e;
mod krm;
mod oracle_matrix;
mod output;
mod policy_scan;
mod properties;
mod readme;
mod recipes;
mod regressions;
mod roundtrip;
