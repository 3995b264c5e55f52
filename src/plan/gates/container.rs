//! The gate init container: its name, and what it runs for each `--gate-style`
//! (`k8s-wait-for`, `kubectl wait`, or the app's own `check` command).

use crate::config::GateStyle;
use crate::diag::Error;
use crate::plan::context::Context;
use crate::plan::gates::token::TOKEN_VOLUME;
use crate::plan::graph::chart_gates::WAIT_FOR_ENV;
pub(crate) use crate::plan::graph::chart_gates::{is_gate, GATE_NAME};
use crate::plan::model::Migration;
use crate::yaml::value::Text;
use crate::yaml::Value;

/// The default image of the `k8s-wait-for` style.
pub(crate) const K8S_WAIT_FOR_IMAGE: &str = "groundnuty/k8s-wait-for:v2.0";
/// The default image of the `kubectl` style.
/// The Kubernetes project's own kubectl image, pinned by digest (v1.34.1; the digest
/// as published on registry.k8s.io, cited by several public Dockerfiles). Maintained,
/// shell-free; it only needs `get/list/watch` on the one Job.
pub(crate) const KUBECTL_IMAGE: &str = "registry.k8s.io/kubectl:v1.34.1@sha256:59bafa07ff3a6d4b417e7633ddb9d79a9606ca98bf64bac080b3e65748669250";

/// The pull policy of the wait images: `Always`, so a pod start re-checks the
/// node's right to the image (checkov CKV_K8S_15) like a hardened app does.
const WAIT_PULL_POLICY: &str = "Always";

/// The `check` gate's pull policy: the app container's (it runs the same image),
/// else `Always` as for the wait images.
fn pull_policy(app: &Value) -> Value {
    app.get("imagePullPolicy")
        .cloned()
        .unwrap_or_else(|| Value::str(WAIT_PULL_POLICY))
}

/// The variable of a `check` gate that holds the check command: the script is a
/// constant and reads it from there, so no input text is ever pasted into shell code.
pub(crate) const CHECK_ENV: &str = "PREMIGRATE_CHECK";

/// The variable of a `check` gate that holds `--timeout` in seconds (set only
/// with `--timeout`; the script's default is an hour).
pub(crate) const TIMEOUT_ENV: &str = "PREMIGRATE_TIMEOUT";

/// The script of a `check` gate: retries the check for `--timeout` (an hour,
/// 3600 s, by default), then gives up and the pod restarts it. Constant on
/// purpose: the Job name, the check command and the timeout arrive as
/// environment variables (`PREMIGRATE_WAIT_FOR`, `PREMIGRATE_CHECK`,
/// `PREMIGRATE_TIMEOUT`, a number premigrate writes), and a variable expanded
/// inside double quotes is data, never code, whatever quotes, `$(…)`,
/// backticks, `;` or newlines it holds.
pub(crate) const CHECK_SCRIPT: &str = "end=$(( $(date +%s) + ${PREMIGRATE_TIMEOUT:-3600} )); until sh -c \"$PREMIGRATE_CHECK\"; do if [ \"$(date +%s)\" -ge \"$end\" ]; then echo 'premigrate: migrations still pending' >&2; exit 1; fi; echo \"premigrate: waiting for Job $PREMIGRATE_WAIT_FOR\"; sleep 5; done";

/// The marker every gate carries: the Job(s) it waits for.
fn marker(m: &Migration) -> Value {
    Value::map([
        ("name", Value::str(WAIT_FOR_ENV)),
        ("value", Value::str(&m.name)),
    ])
}

/// The gate's container name when a workload waits for several Jobs:
/// `premigrate-wait-<original>`. Container names are DNS labels (63 characters,
/// no dots), so a name that does not fit as is is cut and gets a short hash of
/// the whole original name: two long names with a common prefix stay apart.
pub(crate) fn container_name(original: &str) -> String {
    crate::plan::jobs::hash::label_name(&format!("{GATE_NAME}-{original}"), original, 63)
}

/// The restricted security context of the wait images.
fn restricted() -> Value {
    Value::map([
        ("allowPrivilegeEscalation", Value::Bool(false)),
        (
            "capabilities",
            Value::map([("drop", Value::Seq(vec![Value::str("ALL")].into()))]),
        ),
        ("readOnlyRootFilesystem", Value::Bool(true)),
        ("runAsNonRoot", Value::Bool(true)),
        ("runAsUser", Value::Int(65532)),
        ("runAsGroup", Value::Int(65532)),
        (
            "seccompProfile",
            Value::map([("type", Value::str("RuntimeDefault"))]),
        ),
    ])
}

/// Small requests and limits for the wait images.
fn small_resources() -> Value {
    Value::map([
        (
            "requests",
            Value::map([("cpu", Value::str("10m")), ("memory", Value::str("16Mi"))]),
        ),
        (
            "limits",
            Value::map([("cpu", Value::str("100m")), ("memory", Value::str("64Mi"))]),
        ),
    ])
}

/// What every wait container ends with: its resources, its security context,
/// and the gate's own service-account token when the pod mounts none.
pub(crate) fn wait_tail(no_token: bool) -> Vec<(Text, Value)> {
    let mut tail: Vec<(Text, Value)> = vec![
        ("resources".into(), small_resources()),
        ("securityContext".into(), restricted()),
    ];
    if no_token {
        tail.push((
            "volumeMounts".into(),
            Value::Seq(
                vec![Value::map([
                    ("name", Value::str(TOKEN_VOLUME)),
                    (
                        "mountPath",
                        Value::str("/var/run/secrets/kubernetes.io/serviceaccount"),
                    ),
                    ("readOnly", Value::Bool(true)),
                ])]
                .into(),
            ),
        ));
    }
    tail
}

/// The gate container for one migration.
pub(crate) fn gate_container(
    ctx: &Context<'_>,
    style: GateStyle,
    name: &str,
    m: &Migration,
    pod: &Value,
    no_token: bool,
) -> Result<Value, Error> {
    let mut c = vec![("name".into(), Value::str(name))];
    match style {
        GateStyle::K8sWaitFor | GateStyle::Kubectl => {
            wait_container(ctx, style, m, no_token, &mut c)
        }
        GateStyle::Check => check_container(ctx, m, pod, &mut c)?,
    }
    Ok(Value::Map(c.into()))
}

/// A gate that waits for the Job object: `k8s-wait-for` or `kubectl wait`.
fn wait_container(
    ctx: &Context<'_>,
    style: GateStyle,
    m: &Migration,
    no_token: bool,
    c: &mut Vec<(Text, Value)>,
) {
    let (image, args) = if style == GateStyle::K8sWaitFor {
        (
            K8S_WAIT_FOR_IMAGE,
            vec![Value::str("job-wr"), Value::str(&m.name)],
        )
    } else {
        let timeout = ctx
            .cfg
            .timeout_seconds
            .map_or("1h".to_string(), |t| format!("{t}s"));
        (
            KUBECTL_IMAGE,
            vec![
                Value::str("wait"),
                Value::str("--for=condition=complete"),
                Value::str(format!("job/{}", m.name)),
                Value::str(format!("--timeout={timeout}")),
            ],
        )
    };
    c.push((
        "image".into(),
        // --gate-image is for the style asked for, not for a Job-waiting gate forced instead.
        Value::str(match ctx.cfg.gate_style == style {
            true => ctx.cfg.gate_image.as_deref().unwrap_or(image),
            false => image,
        }),
    ));
    c.push(("imagePullPolicy".into(), Value::str(WAIT_PULL_POLICY)));
    if style == GateStyle::Kubectl {
        // The image has no shell and keeps the binary at /bin/kubectl.
        c.push((
            "command".into(),
            Value::Seq(vec![Value::str("/bin/kubectl")].into()),
        ));
    }
    c.push(("args".into(), Value::Seq(args.into())));
    c.push(("env".into(), Value::Seq(vec![marker(m)].into())));
    c.extend(wait_tail(no_token));
}

/// A gate that runs the check command in the app's image until it succeeds.
fn check_container(
    ctx: &Context<'_>,
    m: &Migration,
    pod: &Value,
    c: &mut Vec<(Text, Value)>,
) -> Result<(), Error> {
    let app = pod
        .get("containers")
        .map(Value::items)
        .and_then(|c| c.first())
        .ok_or_else(|| Error::new("a gated workload has no containers"))?;
    let check = ctx.cfg.gate_check.clone().unwrap_or_default();
    let image = ctx
        .cfg
        .gate_image
        .clone()
        .or_else(|| app.get("image").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_default();
    c.push(("image".into(), Value::str(image)));
    c.push(("imagePullPolicy".into(), pull_policy(app)));
    c.push((
        "command".into(),
        Value::Seq(vec![Value::str("sh"), Value::str("-c"), Value::str(CHECK_SCRIPT)].into()),
    ));
    // The app's variables first, premigrate's last: a later entry wins, so the app
    // cannot shadow the marker or the command.
    let mut env: Vec<Value> = app
        .get("env")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter(|e| {
            !matches!(
                e.get("name").and_then(Value::as_str),
                Some(WAIT_FOR_ENV | CHECK_ENV | TIMEOUT_ENV)
            )
        })
        .cloned()
        .collect();
    env.push(marker(m));
    env.push(Value::map([
        ("name", Value::str(CHECK_ENV)),
        ("value", Value::str(check)),
    ]));
    if let Some(t) = ctx.cfg.timeout_seconds {
        env.push(Value::map([
            ("name", Value::str(TIMEOUT_ENV)),
            ("value", Value::str(t.to_string())),
        ]));
    }
    c.push(("env".into(), Value::Seq(env.into())));
    // The check runs the app's own runtime (a Rails, Django or Node boot needs far
    // more than the wait images' 64Mi), so it gets the app container's resources;
    // as an init container it never raises the pod's effective request above them.
    for key in ["envFrom", "volumeMounts", "securityContext", "resources"] {
        if let Some(v) = app.get(key) {
            c.push((key.into(), v.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_names_are_distinct_dns_labels() {
        assert_eq!(container_name("app-migrate"), "premigrate-wait-app-migrate");
        let a = "rel-long-names-database-schema-migration-job-for-tenant-service";
        let b = "rel-long-names-database-schema-migration-job-for-tenant-billing";
        let (na, nb) = (container_name(a), container_name(b));
        assert_ne!(na, nb);
        let dotted = container_name("db.v2.migrate");
        assert_ne!(dotted, container_name("db-v2-migrate"));
        for n in [na, nb, dotted] {
            assert!(n.len() <= 63, "{n}");
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{n}"
            );
            assert!(
                n.starts_with("premigrate-wait-") && !n.ends_with('-'),
                "{n}"
            );
        }
    }
}
