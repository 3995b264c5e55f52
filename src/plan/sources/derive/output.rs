//! What an init container would take away from its pod if it were made a Job:
//! the emptyDir it writes for the containers after it.

use super::written_volumes;
use crate::yaml::Value;

/// Mount paths of scratch space: a container that writes there leaves nothing
/// the others read (many charts give every container one `tmp` emptyDir).
const SCRATCH_PATHS: &[&str] = &["/tmp", "/var/tmp", "/run", "/var/run", "/dev/shm"];

/// What init container `j` would take away from its pod as a Job: an emptyDir
/// it writes that a container left in the pod mounts (Nautobot's init container
/// runs `collectstatic` into the static volume the web and nginx containers
/// serve; in a Job, its output would land in the Job's own emptyDir).
pub(crate) fn output_left_behind(pod: &Value, j: usize) -> Option<String> {
    let inits = pod.get("initContainers").map(Value::items).unwrap_or(&[]);
    let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
    let empty_dir = |name: &str| {
        volumes.iter().any(|v| {
            v.get("name").and_then(Value::as_str) == Some(name) && v.get("emptyDir").is_some()
        })
    };
    let scratch = |m: &Value| {
        let path = m.get("mountPath").and_then(Value::as_str).unwrap_or("");
        SCRATCH_PATHS.contains(&path.trim_end_matches('/'))
    };
    let written: Vec<&str> = written_volumes(&inits[j], volumes)
        .into_iter()
        .filter(|n| empty_dir(n))
        .filter(|n| !mounts_of(&inits[j]).any(|m| mount_name(m) == Some(n) && scratch(m)))
        .collect();
    let later = inits[j + 1..]
        .iter()
        .chain(pod.get("containers").map(Value::items).unwrap_or(&[]));
    later.into_iter().find_map(|c| {
        let m = mounts_of(c).find(|m| mount_name(m).is_some_and(|n| written.contains(&n)) && !scratch(m))?;
        Some(format!(
            "it writes emptyDir `{}`, which container `{}` mounts: in a Job, what it writes there would never reach the pod",
            mount_name(m).unwrap_or_default(),
            c.get("name").and_then(Value::as_str).unwrap_or("?")
        ))
    })
}

fn mounts_of(c: &Value) -> impl Iterator<Item = &Value> {
    c.get("volumeMounts")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
}

fn mount_name(m: &Value) -> Option<&str> {
    m.get("name").and_then(Value::as_str)
}
