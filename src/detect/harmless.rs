//! Jobs that are never a migration whatever their names or hook events say:
//! they only print, make buckets, drive the Kubernetes API, or call an HTTP API.

use super::classify::strings;
use super::{vocab, words};
use crate::yaml::Value;

/// Whether every main container of a pod runs only [`vocab::PRINTS`],
/// [`vocab::OBJECT_STORE_CLIENTS`] and [`vocab::KUBE_CLIENTS`] programs: its
/// command, or each command of its shell script.
pub(super) fn only_prints(pod: &Value) -> bool {
    let harmless = |p: &String| {
        let p = words::program(p);
        [
            vocab::PRINTS,
            vocab::OBJECT_STORE_CLIENTS,
            vocab::KUBE_CLIENTS,
        ]
        .iter()
        .any(|set| set.contains(&p.as_str()))
    };
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    !containers.is_empty()
        && containers.iter().all(|c| {
            let argv = [strings(c, "command"), strings(c, "args")].concat();
            let script = match argv.iter().position(|a| a == "-c") {
                Some(i) if argv.len() == i + 2 => &argv[i + 1],
                _ => return argv.first().is_some_and(harmless),
            };
            let cmds = super::script::parse(script);
            !cmds.is_empty()
                && cmds
                    .iter()
                    .all(|cmd| cmd.argv.first().is_some_and(harmless))
        })
}

/// Whether every main container of a pod runs an image of
/// [`vocab::HTTP_CLIENT_IMAGES`].
pub(super) fn only_http_clients(pod: &Value) -> bool {
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    !containers.is_empty()
        && containers.iter().all(|c| {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            let repo = super::image_repository(image).to_ascii_lowercase();
            let repo = repo.strip_prefix("docker.io/").unwrap_or(&repo);
            vocab::HTTP_CLIENT_IMAGES.contains(&repo)
        })
}
