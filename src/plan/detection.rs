//! Detection as the plan runs it: the user's patterns (`--is-migration`,
//! `--not-migration`) on top of detection, or alone under `--no-detect`; and
//! premigrate's own gates never matched by a pattern, so that a second run over
//! the output changes nothing.

use std::borrow::Cow;

use crate::detect::{Confidence, Match, Verdict};
use crate::plan::context::Context;
use crate::plan::gates::container::is_gate;
use crate::yaml::Value;

/// The rule a migration found by a user pattern is recorded under.
pub(crate) const PATTERN_RULE: &str = "--is-migration";

impl Context<'_> {
    /// Why a container outside a Job (an init container, one of a workload a Job
    /// is built from) is a migration: a user pattern says so, or detection does
    /// (unless `--no-detect`). premigrate's gates never are.
    pub(crate) fn container_migration(&self, c: &Value, pod: &Value) -> Option<Match> {
        let m = self.container_match(c, pod)?;
        (m.rule == PATTERN_RULE || self.cfg.detect).then_some(m)
    }

    /// [`Context::container_migration`] whatever `--no-detect` says: a Job built
    /// from a workload leaves out the init containers that migrate themselves.
    /// Scripts the container runs from its pod's ConfigMap and Secret volumes are read.
    pub(crate) fn container_match(&self, c: &Value, pod: &Value) -> Option<Match> {
        if is_gate(c) {
            return None;
        }
        let scripts = |p: &str| self.sources.file(pod, p);
        let mut m = crate::detect::migration_command_in(c, &scripts, &self.rules)?;
        if m.rule == "pattern" {
            m.rule = PATTERN_RULE;
        }
        Some(m)
    }

    /// What detection and the user's patterns say of a Job's pod (its gates left
    /// out); under `--no-detect`, what the patterns alone say.
    pub(crate) fn job_verdict(
        &self,
        name: &str,
        pod: &Value,
        events: Option<&[String]>,
        shares: bool,
        scripts: &dyn Fn(&str) -> Option<String>,
    ) -> Verdict {
        let pod = without_gates(pod);
        let v = crate::detect::classify_job_with(name, &pod, events, shares, scripts, &self.rules);
        // Only a user pattern makes a verdict certain.
        if self.cfg.detect || v.confidence == Confidence::Certain {
            v
        } else {
            Verdict::other()
        }
    }
}

/// The pod spec without premigrate's gates among its init containers: a gated
/// Job (a workload that waits) is never a migration because a user's pattern
/// matches the gate's `kubectl wait` or image.
fn without_gates(pod: &Value) -> Cow<'_, Value> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    if !inits.iter().any(is_gate) {
        return Cow::Borrowed(pod);
    }
    let kept: Vec<Value> = inits.iter().filter(|c| !is_gate(c)).cloned().collect();
    let mut pod = pod.clone();
    pod.set("initContainers", Value::Seq(kept.into()));
    Cow::Owned(pod)
}
