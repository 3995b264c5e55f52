//! The volumes of a Job built from a workload: mounts of what a Job cannot
//! mount (a StatefulSet's claim templates, the workload's claims) are left out,
//! with where they were mounted; only the volumes the Job's containers still
//! mount stay.

use super::Builder;
use crate::yaml::edit::{Edit, Seg};
use crate::yaml::Value;

impl Builder<'_> {
    /// Indices of a container's mounts of volumes the pod does not define (claim
    /// templates), noted as dropped.
    pub(super) fn undefined_mounts(&mut self, c: &Value) -> Vec<usize> {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or("?");
        let mut out = Vec::new();
        for (k, m) in c
            .get("volumeMounts")
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let vname = m.get("name").and_then(Value::as_str).unwrap_or("");
            if !self.defined.contains(&vname) {
                let claim = self
                    .volumes
                    .iter()
                    .find(|v| v.get("name").and_then(Value::as_str) == Some(vname))
                    .and_then(|v| v.at(&["persistentVolumeClaim", "claimName"]))
                    .map(crate::yaml::value::scalar_text);
                // Its access mode says why it cannot be shared (ReadWriteOnce)
                // or only why it cannot be ordered (ReadWriteMany).
                let from = match claim {
                    Some(c) => {
                        match crate::plan::gates::claims::access_modes(self.ctx, &c, None)[..] {
                            [] => format!("PersistentVolumeClaim {c}"),
                            ref modes => format!("PersistentVolumeClaim {c}, {}", modes.join(", ")),
                        }
                    }
                    None => "a volumeClaimTemplate".to_string(),
                };
                let what = format!("{cname}/{vname} ({from})");
                if !self.dropped_mounts.contains(&what) {
                    self.dropped_mounts.push(what);
                }
                if let Some(at) = m.get("mountPath").and_then(Value::as_str) {
                    self.dropped_paths
                        .push(at.trim_end_matches('/').to_string());
                }
                out.push(k);
            }
        }
        out
    }

    /// Plans dropping the undefined mounts of the container at `cpath`.
    pub(super) fn drop_undefined_mounts(&mut self, cpath: &[Seg], c: &Value) {
        let bad = self.undefined_mounts(c);
        let n = c.get("volumeMounts").map_or(0, |l| l.items().len());
        let mut p = cpath.to_vec();
        p.push(Seg::Key("volumeMounts".into()));
        if !bad.is_empty() && bad.len() == n {
            self.edits.push(Edit::Remove(p));
        } else {
            for &k in bad.iter().rev() {
                self.edits.push(Edit::RemoveItem(p.clone(), k));
            }
        }
    }

    /// Only the volumes the remaining containers mount (a claim's mounts are
    /// left out, see [`Builder::new`]; a raw block device stays).
    pub(super) fn volumes(&mut self, pod: &Value, running: &[&Value]) {
        let used = |key: &'static str| {
            running
                .iter()
                .flat_map(move |c| c.get(key).map(Value::items).unwrap_or(&[]))
                .filter_map(|m| m.get("name").and_then(Value::as_str))
        };
        let mounted: Vec<&str> = used("volumeMounts")
            .filter(|n| self.defined.contains(n))
            .chain(used("volumeDevices"))
            .collect();
        let volumes = pod.get("volumes").map(Value::items).unwrap_or(&[]);
        let keep: Vec<usize> = (0..volumes.len())
            .filter(|&j| {
                volumes[j]
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| mounted.contains(&n))
            })
            .collect();
        self.keep_items("volumes", volumes.len(), &keep);
    }
}

/// Volume sources a pod can only read, whatever the mount says.
const READ_ONLY_SOURCES: &[&str] = &["configMap", "secret", "downwardAPI", "projected", "image"];

/// The volumes a container mounts and can write: not `readOnly`, and not of
/// a [`READ_ONLY_SOURCES`] source (one the pod does not define comes from a
/// claim template: writable).
pub(crate) fn written_volumes<'c>(c: &'c Value, volumes: &[Value]) -> Vec<&'c str> {
    let read_only = |name: &str| {
        volumes
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(name))
            .is_some_and(|v| READ_ONLY_SOURCES.iter().any(|s| v.get(s).is_some()))
    };
    c.get("volumeMounts")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter(|m| m.get("readOnly") != Some(&Value::Bool(true)))
        .filter_map(|m| m.get("name").and_then(Value::as_str))
        .filter(|n| !read_only(n))
        .collect()
}

/// The names of the volumes a container mounts.
pub(crate) fn mount_names(c: &Value) -> Vec<&str> {
    c.get("volumeMounts")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| m.get("name").and_then(Value::as_str))
        .collect()
}

/// Whether a Job built from the pod keeps volume `name`: one the pod defines,
/// not a claim (a claim's mounts are left out).
pub(crate) fn kept(volumes: &[Value], name: &str) -> bool {
    volumes.iter().any(|v| {
        v.get("name").and_then(Value::as_str) == Some(name)
            && v.get("persistentVolumeClaim").is_none()
    })
}
