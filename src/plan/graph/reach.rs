//! What a pod reaches: the Services of the stream its texts name as hosts
//! (env, args, scripts, the ConfigMaps and Secrets it reads), and the data
//! services behind them — for a migration, and in turn for each data service.

use std::collections::BTreeMap;

use super::hosts::{mail_setting, names_host, own_url_setting, Origin};
use super::roles::{
    chart_gated, peek, pod_of, runs_image_of, selected, side_service, texts_of, Svc,
};
use crate::index::Index;
use crate::yaml::Value;

/// A document's namespace as written.
pub(super) fn namespace_of(index: &Index<'_>, d: usize) -> String {
    index.entries[d]
        .info
        .namespace
        .as_deref()
        .unwrap_or_default()
        .to_string()
}

/// The Services a pod's texts name, and the data services behind them.
pub(super) struct Reach<'a, 'i> {
    pub(super) index: &'a Index<'i>,
    pub(super) services: &'a [Svc],
    pub(super) by_name: ServicesByName<'a>,
    /// Per Service: the workloads it selects, once looked up.
    pub(super) behind_of: Vec<Option<Vec<usize>>>,
    /// The image repositories the migrations run.
    pub(super) migration_repos: Vec<String>,
    pub(super) migrations: &'a std::collections::HashSet<usize>,
    /// Per data-service workload: what it reaches itself, once looked up.
    pub(super) of_data: BTreeMap<usize, Vec<(usize, String)>>,
    /// The app Services the last pod [`Reach::from`] read calls from its own
    /// command line, with why (`Service/x (its command …)`).
    pub(super) app_calls: Vec<String>,
    /// The documents of the migration being read (its Job, or the workloads
    /// it was built from): set around [`Reach::reached_by`] for a migration,
    /// empty for a data service (every migration's documents are then left out).
    pub(super) own: Vec<usize>,
    /// The workloads that carry another migration (built from their init
    /// containers) the last pod [`Reach::from`] read reaches, with the Services
    /// in front of them and why: apps of the release it needs running, not
    /// data services (each waits for its own migration).
    pub(super) carriers_reached: Vec<(usize, String)>,
    /// Whether the pod being read may call an app through its own env
    /// variable: a migration the chart does not make a pre hook.
    pub(super) env_calls: bool,
    /// The one namespace the stream's objects are written into, if one: an
    /// object written without one is there, so `miniflux.app` names no
    /// Service `miniflux` of namespace `app` in a `default` release.
    pub(super) single_ns: Option<String>,
}

impl<'a, 'i> Reach<'a, 'i> {
    /// The reader of what the migrations reach, over the stream's Services.
    pub(super) fn new(
        index: &'a Index<'i>,
        services: &'a [Svc],
        migrations: &[(usize, &Value, &str)],
        migration_docs: &'a std::collections::HashSet<usize>,
    ) -> Reach<'a, 'i> {
        // A workload that runs the image of any migration of the release is an app
        // (Sentry's snuba-api, reached by its web migration, runs snuba's image).
        let mut migration_repos: Vec<String> = migrations
            .iter()
            .flat_map(|(_, pod, _)| super::images::repos(pod))
            .collect();
        migration_repos.sort();
        migration_repos.dedup();
        Reach {
            index,
            services,
            by_name: ServicesByName::of(services),
            behind_of: vec![None; services.len()],
            migration_repos,
            migrations: migration_docs,
            of_data: Default::default(),
            app_calls: Vec::new(),
            own: Vec::new(),
            carriers_reached: Vec::new(),
            env_calls: false,
            single_ns: crate::plan::context::single_namespace(index),
        }
    }
}

impl Reach<'_, '_> {
    /// What `pod` (of namespace `ns`; `who` in the reasons) reaches: each
    /// Service it names and the data-service workloads behind it, with why.
    pub(super) fn from(&mut self, pod: &Value, ns: &str, who: &str) -> Vec<(usize, String)> {
        let texts = texts_of(self.index, pod);
        self.reached_by(pod, &texts, ns, who)
    }

    /// The release's namespace, for a document of namespace `ns` ("": unknown).
    pub(super) fn release_ns(&self, ns: &str) -> String {
        match ns.is_empty() {
            true => self.single_ns.clone().unwrap_or_default(),
            false => ns.to_string(),
        }
    }

    /// [`Reach::from`], the pod's texts read already (`roles::texts_of`).
    pub(super) fn reached_by(
        &mut self,
        pod: &Value,
        texts: &[(String, String, Origin)],
        ns: &str,
        who: &str,
    ) -> Vec<(usize, String)> {
        let (index, services) = (self.index, self.services);
        let single = self.single_ns.as_deref();
        let release = |ns: &str| match ns.is_empty() {
            true => single.unwrap_or("").to_string(),
            false => ns.to_string(),
        };
        let mut out = Vec::new();
        self.app_calls.clear();
        self.carriers_reached.clear();
        // Services the pod's init containers loop on until they answer.
        let waited = super::service_waits::waited_hosts(pod);
        for k in self.by_name.candidates(texts) {
            let s = &services[k];
            let Some(seen) = texts.iter().find(|(t, _, from)| {
                !mail_setting(from)
                    && !own_url_setting(from)
                    && names_host(t, from, &s.name, &release(&s.namespace), &release(ns))
            }) else {
                continue;
            };
            let why = format!("{who} reaches Service/{} ({})", s.name, seen.1);
            let behind = self.behind_of[k].get_or_insert_with(|| selected(index, s, single));
            // A workload the chart itself gates on migrations is an app, whatever
            // reaches it; so is one that runs a migration's own image (a URL of
            // the app in the config they share is not a dependency), unless
            // the pod loops until it answers (Rasa X's migration service).
            let waits_for = waited.iter().any(|(_, h)| *h == s.name);
            let data: Vec<usize> = behind
                .iter()
                .copied()
                .filter(|&w| !self.migrations.contains(&w) && !chart_gated(index, w))
                .filter(|&w| {
                    // (A database beside the app in its pod is no app.)
                    let ours = &self.migration_repos;
                    let app = runs_image_of(index, w, ours)
                        && !super::sidecar::targets_a_sidecar(index, s, w, ours);
                    waits_for
                        || (!app
                            && !side_service(index, w)
                            && !peer_app(index, w, (seen, &s.name), ours))
                })
                .collect();
            // Another migration's carrier the pod waits for or names as a
            // host: an app it needs running (OpenNMS's core init waits for
            // Grafana, which migrates in its own init container).
            let carriers: Vec<usize> = match self.own.is_empty() {
                true => vec![],
                false => (behind.iter().copied())
                    .filter(|w| self.migrations.contains(w) && !self.own.contains(w))
                    .collect(),
            };
            if data.is_empty() && !carriers.is_empty() {
                self.carriers_reached.push((s.doc, why.clone()));
                (self.carriers_reached).extend(carriers.into_iter().map(|w| (w, why.clone())));
                continue;
            }
            if !behind.is_empty() && data.is_empty() {
                let by_env = self.env_calls && is_http_url(&seen.0);
                if calls(index, (&seen.2, by_env), behind)
                    && behind.iter().any(|&w| !self.migrations.contains(&w))
                {
                    self.app_calls
                        .push(format!("Service/{} ({})", s.name, seen.1));
                }
                continue;
            }
            out.push((s.doc, why.clone()));
            out.extend(data.into_iter().map(|w| (w, why.clone())));
        }
        out.extend(super::operated::by_secret(index, pod, ns, who));
        out.extend(super::filled::by_filler(index, pod, ns, who));
        out
    }

    /// What data-service workload (or Service) `w` reaches itself.
    pub(super) fn of_data_service(&mut self, w: usize) -> Vec<(usize, String)> {
        if let Some(found) = self.of_data.get(&w) {
            return found.clone();
        }
        let who = format!("{} (a data service)", self.index.entries[w].info.object());
        let ns = namespace_of(self.index, w);
        let found = match pod_of(self.index, w) {
            Some(pod) => self.from(&pod, &ns, &who),
            // An operator's resource reaches the hosts its spec names (a
            // ClickHouseInstallation's ZooKeeper nodes).
            None => match super::operated::spec_texts(self.index, w) {
                Some(texts) => self.reached_by(&Value::Null, &texts, &ns, &who),
                None => Vec::new(),
            },
        };
        self.of_data.insert(w, found.clone());
        found
    }
}

/// Whether a pod that names an app's Service (the workloads `behind` it) from
/// `origin` calls the app: its own command does, or its own env variable
/// (Dataverse's configbaker Job: `DATAVERSE_URL=http://dv:80`, which the app's
/// pods do not set) when the chart does not make the app wait for migrations
/// (Keystone's db-sync registers the API's URLs, and the API waits for it);
/// a config they share that holds the app's URL does not.
/// An env variable counts only as an `http(s)://` URL (`by_env`), in a Job the
/// chart does not run before the apps: CVAT's `DJANGO_LOG_SERVER_HOST` names
/// its log sink, DataHub's pre-install system update `DATAHUB_GMS_HOST` the
/// server that waits for it.
fn calls(index: &Index<'_>, (origin, by_env): (&Origin, bool), behind: &[usize]) -> bool {
    match origin {
        Origin::Argv => true,
        Origin::Env(key) => {
            by_env && !(behind.iter()).any(|&w| sets_env(index, w, key) || chart_gated(index, w))
        }
        Origin::File(..) => false,
    }
}

/// Whether the chart makes document `m` a Helm hook of a `pre-*` event: it
/// runs before the apps, whatever its env names.
pub(super) fn chart_pre_hook(index: &Index<'_>, m: usize) -> bool {
    peek(index, m).is_some_and(|v| {
        crate::plan::context::annotation(&v, crate::k8s::engines::HELM_HOOK)
            .is_some_and(|h| h.split(',').any(|e| e.trim().starts_with("pre-")))
    })
}

/// Whether a text is one `http://` or `https://` URL.
fn is_http_url(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(char::is_whitespace)
}

/// Whether a container of workload `w`'s pod sets env variable `key` itself:
/// the same setting in the app and in a Job is config they share.
fn sets_env(index: &Index<'_>, w: usize, key: &str) -> bool {
    pod_of(index, w).is_some_and(|pod| {
        crate::k8s::containers(&pod)
            .flat_map(|c| c.get("env").map(Value::items).unwrap_or(&[]))
            .any(|e| e.get("name").and_then(Value::as_str) == Some(key))
    })
}

/// Whether workload `w` is an app of the migration's vendor whose web URL
/// (`http://name…`) is in a ConfigMap it reads itself (`seen`: the text, and
/// where it is: `ConfigMap x key k`): the release's shared config holds the
/// app's own address; it is no data service (StackStorm's `api_url =
/// http://st2-st2api:9101/` in the st2.conf every pod mounts, st2api
/// included). A Secret is left out: a database reads the one that holds its
/// own host (Sourcegraph's `codeinsights-db-auth`); so is a bare name:
/// OpenNMS's init waits for `${GRAFANA_SERVER}:3000`, whose shared setting
/// says `grafana`, an image of OpenNMS's own.
fn peer_app(
    index: &Index<'_>,
    w: usize,
    (seen, svc): (&(String, String, Origin), &str),
    migration_repos: &[String],
) -> bool {
    let Origin::File(_, Some((crate::k8s::RefKind::ConfigMap, name))) = &seen.2 else {
        return false;
    };
    let lower = seen.0.to_ascii_lowercase();
    let web_url = ["http://", "https://"].iter().any(|scheme| {
        lower.match_indices(scheme).any(|(at, _)| {
            let host = &lower[at + scheme.len()..];
            host.starts_with(svc)
                && !host[svc.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-')
        })
    });
    if !web_url {
        return false;
    }
    // A hook copy an earlier run made of it is read as its original.
    let original = super::lookup::find_doc(index, "ConfigMap", name, None)
        .and_then(|d| super::roles::peek(index, d))
        .and_then(|v| {
            let o = v.at(&[
                "metadata",
                "annotations",
                crate::k8s::engines::own::ORIGINAL_NAME,
            ]);
            o.and_then(Value::as_str).map(str::to_string)
        });
    let name = original.as_deref().unwrap_or(name);
    pod_of(index, w).is_some_and(|pod| {
        let vendor = super::images::repos(&pod).iter().any(|r| {
            migration_repos
                .iter()
                .any(|m| super::images::same_vendor(m, r))
        });
        vendor
            && super::images::data_image(&pod).is_none()
            && crate::k8s::pod_refs(&pod, &[])
                .iter()
                .any(|r| r.kind == crate::k8s::RefKind::ConfigMap && r.name == name)
    })
}

/// The stream's Services by name, so that a migration's texts are matched
/// against the few Services they can mention rather than every one (a stream
/// of a thousand migrations, each with its own database, was quadratic).
pub(super) struct ServicesByName<'s> {
    /// Services whose name is one word (letters, digits, `-`, `_`: every DNS label).
    by_name: std::collections::HashMap<&'s str, Vec<usize>>,
    /// The others, always tried.
    odd: Vec<usize>,
}

impl<'s> ServicesByName<'s> {
    pub(super) fn of(services: &'s [Svc]) -> ServicesByName<'s> {
        let mut out = ServicesByName {
            by_name: Default::default(),
            odd: Vec::new(),
        };
        for (k, s) in services.iter().enumerate() {
            match s.name.bytes().all(is_word) {
                true => out.by_name.entry(s.name.as_str()).or_default().push(k),
                false => out.odd.push(k),
            }
        }
        out
    }

    /// The Services that [`mentions_host`] may find in `texts`, in stream order.
    /// A one-word name it finds is a whole word of the text: the characters
    /// it accepts around a host are none of a word's.
    pub(super) fn candidates(&self, texts: &[(String, String, Origin)]) -> Vec<usize> {
        let mut out: Vec<usize> = texts
            .iter()
            .flat_map(|(t, _, _)| t.split(|c: char| !c.is_ascii() || !is_word(c as u8)))
            // A shell default's `-` is no part of the host (`${DB_HOST:-db}`).
            .flat_map(|w| [w, w.trim_start_matches('-')])
            .filter_map(|w| self.by_name.get(w))
            .flatten()
            .chain(&self.odd)
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A character of a one-word name.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}
