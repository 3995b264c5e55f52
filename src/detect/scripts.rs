//! Scripts a container runs that the stream itself holds: the data of ConfigMaps and
//! Secrets (base64 decoded) mounted into the pod, found by path.

use std::collections::BTreeMap;

use crate::yaml::value::Text;
use crate::yaml::Value;

/// The ConfigMaps and Secrets of a stream: name → key → text.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    config_maps: BTreeMap<String, Data>,
    secrets: BTreeMap<String, Data>,
}

/// One ConfigMap's or Secret's data: (key, text) sorted by key, a later key
/// replacing an earlier one. A flat list of inline strings: a 100k-key
/// ConfigMap held as a map of `String`s cost twice its value's memory.
#[derive(Debug, Clone)]
struct Data(Vec<(Text, Text)>);

impl Data {
    /// The data of `pairs`, in the order they were written.
    fn new(mut pairs: Vec<(Text, Text)>) -> Data {
        // Last first, so that the stable sort puts the one that counts ahead
        // of the keys it replaces, and `dedup` keeps it.
        pairs.reverse();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, kept| later.0 == kept.0);
        pairs.shrink_to_fit();
        Data(pairs)
    }

    /// The data of a map already decoded.
    fn of(data: BTreeMap<String, String>) -> Data {
        Data(
            data.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        let at = self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)).ok()?;
        Some(&self.0[at].1)
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl Sources {
    /// No sources.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a document if it is a ConfigMap (`data`, `binaryData`) or a Secret
    /// (`data` base64-decoded, `stringData`); other documents are ignored.
    pub fn add(&mut self, doc: &Value) {
        let Some(name) = doc.at(&["metadata", "name"]).and_then(Value::as_str) else {
            return;
        };
        let entries = |key: &str| doc.get(key).map(Value::entries).unwrap_or(&[]);
        // A string is copied as it is (a short one stays inline).
        let text = |v: &Value| match v {
            Value::Str(s) => s.clone(),
            other => Text::from(super::text(other)),
        };
        let decoded = |v: &Value| {
            decode_base64(&super::text(v))
                .and_then(|b| String::from_utf8(b).ok())
                .map(Text::from)
        };
        let as_text = |(k, v): &(Text, Value)| (k.clone(), text(v));
        let as_decoded = |(k, v): &(Text, Value)| Some((k.clone(), decoded(v)?));
        // In the order written: a Secret's `stringData` replaces its `data`,
        // as the API server merges it in.
        let (pairs, map): (Vec<(Text, Text)>, _) = match doc.get("kind").and_then(Value::as_str) {
            Some("ConfigMap") => {
                let plain = entries("data").iter().map(as_text);
                let binary = entries("binaryData").iter().filter_map(as_decoded);
                (plain.chain(binary).collect(), &mut self.config_maps)
            }
            Some("Secret") => {
                let encoded = entries("data").iter().filter_map(as_decoded);
                let plain = entries("stringData").iter().map(as_text);
                (encoded.chain(plain).collect(), &mut self.secrets)
            }
            _ => return,
        };
        map.insert(name.to_string(), Data::new(pairs));
    }

    /// Adds a ConfigMap's data.
    pub fn insert_config_map(&mut self, name: &str, data: BTreeMap<String, String>) {
        self.config_maps.insert(name.to_string(), Data::of(data));
    }

    /// Adds a Secret's data, already decoded.
    pub fn insert_secret(&mut self, name: &str, data: BTreeMap<String, String>) {
        self.secrets.insert(name.to_string(), Data::of(data));
    }

    /// The ConfigMaps and Secrets a volume projects, in the order their files
    /// count: each volume source with the data it names.
    fn volume_data<'v>(&'v self, vol: &'v Value) -> Vec<(&'v Value, &'v Data)> {
        let mut sources = vec![
            (vol.get("configMap"), "name", false),
            (vol.get("secret"), "secretName", true),
        ];
        for src in vol
            .at(&["projected", "sources"])
            .map(Value::items)
            .unwrap_or(&[])
        {
            sources.push((src.get("configMap"), "name", false));
            sources.push((src.get("secret"), "name", true));
        }
        sources
            .into_iter()
            .filter_map(|(src, name_key, secret)| {
                let src = src?;
                let map = if secret {
                    &self.secrets
                } else {
                    &self.config_maps
                };
                let data = src
                    .get(name_key)
                    .and_then(Value::as_str)
                    .and_then(|n| map.get(n))?;
                Some((src, data))
            })
            .collect()
    }

    /// The files one volume gives, in order: path inside the volume, text.
    fn volume_files<'v>(&'v self, vol: &'v Value) -> Vec<(&'v str, &'v str)> {
        let mut out = Vec::new();
        for (src, data) in self.volume_data(vol) {
            let items = src.get("items").map(Value::items).unwrap_or(&[]);
            if items.is_empty() {
                out.extend(data.iter());
            }
            for it in items {
                let key = it.get("key").and_then(Value::as_str);
                let path = it.get("path").and_then(Value::as_str).or(key);
                if let (Some(t), Some(p)) = (key.and_then(|k| data.get(k)), path) {
                    out.push((p, t));
                }
            }
        }
        out
    }

    /// The first file the volume gives at `want` (path inside the volume).
    fn volume_file<'v>(&'v self, vol: &'v Value, want: &str) -> Option<&'v str> {
        self.volume_data(vol).into_iter().find_map(|(src, data)| {
            let items = src.get("items").map(Value::items).unwrap_or(&[]);
            if items.is_empty() {
                return data.get(want);
            }
            items.iter().find_map(|it| {
                let key = it.get("key").and_then(Value::as_str);
                let path = it.get("path").and_then(Value::as_str).or(key);
                (path == Some(want))
                    .then(|| key.and_then(|k| data.get(k)))
                    .flatten()
            })
        })
    }

    /// The text of the file at `path` that the pod's containers see from the
    /// stream's ConfigMaps and Secrets (the first mount that has it wins),
    /// looked up without listing every file: a 20k-key ConfigMap mounted by 200
    /// workloads was copied whole for each of them, each time one was classified.
    pub fn file(&self, pod_spec: &Value, path: &str) -> Option<String> {
        let vols = pod_spec.get("volumes").map(Value::items).unwrap_or(&[]);
        let mut found = None;
        each_mount(pod_spec, vols, |vol, at, sub| {
            let inside = match sub {
                Some(s) => (path == at).then_some(s),
                None => path
                    .strip_prefix(at.trim_end_matches('/'))
                    .and_then(|rest| rest.strip_prefix('/')),
            };
            found = inside.and_then(|p| self.volume_file(vol, p));
            found.is_some()
        });
        found.map(str::to_string)
    }

    /// The container with the variables it gets through `envFrom` from the
    /// stream's ConfigMaps and Secrets that `keep` accepts (name, value), added to its
    /// `env` ahead of its own (which Kubernetes lets win), each source's
    /// `prefix` applied: Dify's `MIGRATION_ENABLED` comes from a ConfigMap.
    /// Borrowed as is when none is added.
    pub fn with_env_from<'c>(
        &self,
        container: &'c Value,
        keep: impl Fn(&str, &str) -> bool,
    ) -> std::borrow::Cow<'c, Value> {
        let sources = container.get("envFrom").map(Value::items).unwrap_or(&[]);
        let mut added: Vec<Value> = Vec::new();
        for src in sources {
            let prefix = src.get("prefix").and_then(Value::as_str).unwrap_or("");
            let (data, r) = match (src.get("configMapRef"), src.get("secretRef")) {
                (Some(r), _) => (&self.config_maps, r),
                (None, Some(r)) => (&self.secrets, r),
                _ => continue,
            };
            let Some(d) = r
                .get("name")
                .and_then(Value::as_str)
                .and_then(|n| data.get(n))
            else {
                continue;
            };
            for (k, v) in d.iter().filter(|(k, v)| keep(&format!("{prefix}{k}"), v)) {
                added.push(Value::map([
                    ("name", Value::str(format!("{prefix}{k}"))),
                    ("value", Value::str(v)),
                ]));
            }
        }
        if added.is_empty() {
            return std::borrow::Cow::Borrowed(container);
        }
        let mut c = container.clone();
        added.extend(
            c.get("env")
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .cloned(),
        );
        c.set("env", Value::Seq(added.into_iter().collect()));
        std::borrow::Cow::Owned(c)
    }

    /// The container as detection reads its env: [`Sources::with_env_from`]
    /// with the variables that say how it migrates and where its database is
    /// ([`crate::detect::reads_env`]), and without its `envFrom` when every
    /// source is a ConfigMap or Secret of the stream (then what it sets is in
    /// `env`: a SQLite setting of a ConfigMap counts, HedgeDoc's
    /// `CMD_DB_DIALECT`, and one no source sets is not there).
    pub fn detection_env<'c>(&self, container: &'c Value) -> std::borrow::Cow<'c, Value> {
        let sources = container.get("envFrom").map(Value::items).unwrap_or(&[]);
        let known = sources.iter().all(|src| {
            let (data, r) = match (src.get("configMapRef"), src.get("secretRef")) {
                (Some(r), _) => (&self.config_maps, r),
                (None, Some(r)) => (&self.secrets, r),
                _ => return false,
            };
            r.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| data.contains_key(n))
        });
        let merged = self.with_env_from(container, super::switches::reads_env);
        // Only an image with a default file database asks what is not there.
        if sources.is_empty() || !known || !super::switches::has_file_default(container) {
            return merged;
        }
        let mut c = merged.into_owned();
        c.remove("envFrom");
        std::borrow::Cow::Owned(c)
    }

    /// Every file the pod's containers (init containers included) see from the
    /// stream's ConfigMaps and Secrets: absolute path → text (the first mount wins).
    pub fn files(&self, pod_spec: &Value) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let vols = pod_spec.get("volumes").map(Value::items).unwrap_or(&[]);
        each_mount(pod_spec, vols, |vol, at, sub| {
            for (p, t) in self.volume_files(vol) {
                let path = match sub {
                    Some(s) if s == p => at.to_string(),
                    Some(_) => continue,
                    None => format!("{}/{p}", at.trim_end_matches('/')),
                };
                out.entry(path).or_insert_with(|| t.to_string());
            }
            false
        });
        out
    }
}

/// Calls `f` with each volume mount of the pod's containers (init containers
/// first), in order: the volume, the mount path and the `subPath`; stops when
/// `f` says so.
fn each_mount<'v>(
    pod_spec: &'v Value,
    vols: &'v [Value],
    mut f: impl FnMut(&'v Value, &'v str, Option<&'v str>) -> bool,
) {
    for c in crate::k8s::containers(pod_spec) {
        for m in c.get("volumeMounts").map(Value::items).unwrap_or(&[]) {
            let (Some(vname), Some(at)) = (
                m.get("name").and_then(Value::as_str),
                m.get("mountPath").and_then(Value::as_str),
            ) else {
                continue;
            };
            let Some(vol) = vols
                .iter()
                .find(|v| v.get("name").and_then(Value::as_str) == Some(vname))
            else {
                continue;
            };
            let sub = m
                .get("subPath")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            if f(vol, at, sub) {
                return;
            }
        }
    }
}

/// The names of the Secrets and ConfigMaps a pod spec reads (env, envFrom, volumes,
/// projected volumes), as `Secret/NAME` and `ConfigMap/NAME`: a Job that reads one the
/// app's workloads read shares their credentials.
pub fn references(pod_spec: &Value) -> std::collections::BTreeSet<String> {
    env_references(pod_spec, false)
}

/// The Secrets and ConfigMaps a pod spec reads whole: `envFrom`, volumes.
/// The ConfigMaps and Secrets a container reads whole (`envFrom`), as `Kind/name`.
pub fn env_from_names(c: &Value) -> Vec<String> {
    let named = |src: &Value, key: &str, kind: &str| {
        let name = src.at(&[key, "name"]).and_then(Value::as_str)?;
        Some(format!("{kind}/{name}"))
    };
    (c.get("envFrom").map(Value::items).unwrap_or(&[]).iter())
        .flat_map(|s| {
            [
                named(s, "secretRef", "Secret"),
                named(s, "configMapRef", "ConfigMap"),
            ]
        })
        .flatten()
        .collect()
}

fn references_whole(pod_spec: &Value) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for c in crate::k8s::containers(pod_spec) {
        out.extend(env_from_names(c));
    }
    let mut add = |kind: &str, v: Option<&Value>| {
        if let Some(n) = v.and_then(Value::as_str) {
            out.insert(format!("{kind}/{n}"));
        }
    };
    for v in pod_spec.get("volumes").map(Value::items).unwrap_or(&[]) {
        add("Secret", v.at(&["secret", "secretName"]));
        add("ConfigMap", v.at(&["configMap", "name"]));
        for src in v
            .at(&["projected", "sources"])
            .map(Value::items)
            .unwrap_or(&[])
        {
            add("Secret", src.at(&["secret", "name"]));
            add("ConfigMap", src.at(&["configMap", "name"]));
        }
    }
    out
}

/// What a pod spec reads of Secrets and ConfigMaps: `Kind/name` for a whole
/// object (`envFrom`, a volume), `Kind/name#key` for one key of it
/// (`secretKeyRef`, `configMapKeyRef`). Two pods that read different keys of
/// one Secret (a MinIO user, a database URL) share no setting.
pub fn reads(pod_spec: &Value) -> std::collections::BTreeSet<String> {
    env_references(pod_spec, true)
}

/// [`references_whole`] and the objects the env entries read a key of:
/// `Kind/name#key` with `keyed`, else `Kind/name` (the index reads this for
/// every workload: no key is written only to be cut off).
fn env_references(pod_spec: &Value, keyed: bool) -> std::collections::BTreeSet<String> {
    let mut out = references_whole(pod_spec);
    for c in crate::k8s::containers(pod_spec) {
        for e in c.get("env").map(Value::items).unwrap_or(&[]) {
            for (kind, at) in [("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")] {
                let r = |k: &str| e.at(&["valueFrom", at, k]).and_then(Value::as_str);
                match (r("name"), r("key").filter(|_| keyed)) {
                    (Some(n), Some(k)) => out.insert(format!("{kind}/{n}#{k}")),
                    (Some(n), None) => out.insert(format!("{kind}/{n}")),
                    _ => false,
                };
            }
        }
    }
    out
}

/// Whether what one pod reads (`a`, as [`reads`] gives it) shares a setting
/// with what others read (`b`): one key both read, or a key of an object the
/// other reads whole, or an object both read whole.
pub fn reads_overlap(a: &str, b: &std::collections::BTreeSet<String>) -> bool {
    match a.split_once('#') {
        Some((object, _)) => b.contains(a) || b.contains(object),
        None => {
            let keyed = format!("{a}#");
            b.contains(a)
                || b.range(keyed.clone()..)
                    .next()
                    .is_some_and(|r| r.starts_with(&keyed))
        }
    }
}

/// Decodes standard base64 (padding optional, blanks ignored).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `envFrom` adds the accepted keys of a ConfigMap and a Secret (with their
    /// prefix) ahead of the container's own env, which stays last (it wins).
    #[test]
    fn env_from_adds_the_accepted_keys_ahead_of_the_containers_env() {
        let mut sources = Sources::new();
        let data = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        sources.insert_config_map("cm", data(&[("RUN_MIGRATIONS", "true"), ("A", "b")]));
        sources.insert_secret("s", data(&[("MIGRATE", "1")]));
        let env =
            |n: &str, v: &str| Value::map([("name", Value::str(n)), ("value", Value::str(v))]);
        let from = Value::Seq(
            [
                Value::map([("configMapRef", Value::map([("name", Value::str("cm"))]))]),
                Value::map([
                    ("prefix", Value::str("APP_")),
                    ("secretRef", Value::map([("name", Value::str("s"))])),
                ]),
                Value::map([("configMapRef", Value::map([("name", Value::str("absent"))]))]),
            ]
            .into_iter()
            .collect(),
        );
        let c = Value::map([
            ("envFrom", from),
            (
                "env",
                Value::Seq([env("RUN_MIGRATIONS", "false")].into_iter().collect()),
            ),
        ]);
        let got = sources.with_env_from(&c, |k, _| k.contains("MIGRAT"));
        let names: Vec<(&str, &str)> = got
            .get("env")
            .map(Value::items)
            .unwrap_or(&[])
            .iter()
            .map(|e| {
                (
                    e.get("name").and_then(Value::as_str).unwrap(),
                    e.get("value").and_then(Value::as_str).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("RUN_MIGRATIONS", "true"),
                ("APP_MIGRATE", "1"),
                ("RUN_MIGRATIONS", "false")
            ]
        );
        let plain = Value::map([("name", Value::str("x"))]);
        assert!(matches!(
            sources.with_env_from(&plain, |_, _| true),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn base64() {
        assert_eq!(decode_base64("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(decode_base64("YQ").unwrap(), b"a");
        assert!(decode_base64("!!").is_none());
    }
}
