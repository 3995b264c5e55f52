//! The release graph for the migrations of one stream: the data services each
//! needs, their phases and their order. Built once, before any Job is planned;
//! the Job passes and the gates read it.

use super::order::{self, Facts, Placed};
use super::roles::{self, DataServices};
use crate::index::Index;
use crate::yaml::Value;

/// A migration as the graph sees it.
pub(crate) struct Candidate<'s> {
    /// The Job's document (a Job premigrate builds: the workload it derives from).
    pub doc: usize,
    /// Its pod spec.
    pub pod: &'s Value,
    /// Its namespace as written.
    pub ns: String,
    /// What the chart says about its phase and order.
    pub facts: Facts,
    /// A Job premigrate builds out of several workloads' init containers: the
    /// other workloads (`doc` is the first).
    pub sources: Vec<usize>,
}

/// The graph: data services, and per candidate its place and needs.
pub(crate) struct Release {
    /// The stream's data services.
    pub data: DataServices,
    /// Per candidate: phase, rank, predecessors.
    pub placed: Vec<Placed>,
    /// Per candidate: the data-service documents it needs, with why.
    pub needs: Vec<Vec<(usize, String)>>,
    /// Per candidate: its name before hashing (shared with each Job's place).
    pub names: std::rc::Rc<[String]>,
    /// Per candidate that calls the Kubernetes API and is no chart hook (see
    /// [`calls_the_api`]): the ServiceAccount its pod runs as, and its namespace.
    pub api_accounts: Vec<Option<(String, String)>>,
    /// Per candidate: the chart runs it on upgrades only (`post-upgrade`: Akeneo's
    /// upgrader, whose migrations fail on the empty database its installer
    /// fills): everything of the release exists when it runs, so what it needs
    /// keeps it no regular resource, which would run on install too.
    pub upgrade_only: Vec<bool>,
    /// How many migrations run before the apps.
    pub pre_count: usize,
    /// Per candidate: [`Release::regular_follower`].
    regular_followers: Vec<Option<usize>>,
}

impl Release {
    /// A migration that runs after candidate `k` and cannot be a hook (it needs
    /// a data service of the release), directly or through the ones between.
    pub fn regular_follower(&self, k: usize) -> Option<usize> {
        self.regular_followers[k]
    }

    /// Candidate indices in the order they run: pre migrations by rank, then post.
    pub fn run_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.placed.len()).collect();
        order.sort_by_key(|&k| {
            (
                self.placed[k].phase == crate::plan::Phase::Post,
                self.placed[k].rank,
            )
        });
        order
    }
}

/// Builds the graph; `Err` names an unknown `premigrate.io/after` target or a cycle.
pub(crate) fn build(index: &Index<'_>, cands: &[Candidate<'_>]) -> Result<Release, String> {
    let migs: Vec<(usize, &Value, &str)> = cands
        .iter()
        .map(|c| (c.doc, c.pod, c.facts.name.as_str()))
        .collect();
    let sources: Vec<Vec<usize>> = cands.iter().map(|c| c.sources.clone()).collect();
    let data = roles::find(index, &migs, &sources);
    let facts: Vec<Facts> = (cands.iter().enumerate())
        .map(|(k, c)| Facts {
            // A chart's own Job: one built from a workload (an init container
            // that waits for the app) keeps the place it had in that pod.
            calls_app: (data.calls_app.get(&k))
                .filter(|_| c.facts.workload.is_none())
                .cloned(),
            ..c.facts.clone()
        })
        .collect();
    let placed = order::place(&facts)?;
    let needs: Vec<Vec<(usize, String)>> = cands
        .iter()
        .enumerate()
        .map(|(k, c)| {
            if let Some(declared) = declared_needs(index, c.doc) {
                return declared;
            }
            let mut n = data.needs.get(&k).cloned().unwrap_or_default();
            let hosts = n.iter().filter(|(d, _)| !data.preparers.contains(d));
            if hosts.count() == 0 && !data.external.contains(&k) {
                n.extend(by_image(index, &data, &c.ns));
            }
            n.sort();
            n.dedup_by_key(|x| x.0);
            Ok(n)
        })
        .collect::<Result<_, String>>()?;
    let pre_count = placed
        .iter()
        .filter(|p| p.phase == crate::plan::Phase::Pre)
        .count();
    let upgrade_only: Vec<bool> = facts.iter().map(order::upgrade_only).collect();
    let hook_needs: Vec<Vec<(usize, String)>> = (needs.iter().zip(&upgrade_only))
        .map(|(n, &up)| if up { Vec::new() } else { n.clone() })
        .collect();
    let regular_followers = regular_followers(&placed, &hook_needs);
    Ok(Release {
        data,
        placed,
        needs,
        names: facts.iter().map(|f| f.name.clone()).collect(),
        // A chart's own hook keeps the form the chart gave it (Zabbix's
        // pre-upgrade Job scales the server through the release's earlier RBAC).
        api_accounts: (cands.iter())
            .map(|c| {
                (c.facts.events.is_none() && calls_the_api(c.pod))
                    .then(|| (crate::k8s::service_account(c.pod), c.ns.clone()))
            })
            .collect(),
        upgrade_only,
        pre_count,
        regular_followers,
    })
}

/// Words of a command line or an image that call the Kubernetes API
/// (`kubectl`, `hatchet-admin k8s quickstart`, a `k8s-wait-for` gate of the chart).
const API_CLIENT_WORDS: &[&str] = &["kubectl", "k8s", "kubernetes", "helm", "oc"];

/// Whether a pod calls the Kubernetes API with its ServiceAccount's
/// permissions: a container (premigrate's own gates left out) whose image or
/// command line has an [`API_CLIENT_WORDS`] word. A client library inside
/// an app cannot be seen: such a migration is taken not to.
fn calls_the_api(pod: &Value) -> bool {
    let says_api = |w: &str| {
        w.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|p| API_CLIENT_WORDS.contains(&p.to_ascii_lowercase().as_str()))
    };
    crate::k8s::containers(pod)
        .filter(|c| !super::chart_gates::is_gate(c))
        .any(|c| {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            says_api(image) || crate::detect::command_line(c).iter().any(|w| says_api(w))
        })
}

/// For each candidate, a migration after it (directly or through others) that
/// needs a data service of the release, found once for all: every successor's
/// answer is known before its predecessors' (the order has no cycle).
fn regular_followers(placed: &[Placed], needs: &[Vec<(usize, String)>]) -> Vec<Option<usize>> {
    let n = placed.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (j, p) in placed.iter().enumerate() {
        for &i in &p.after {
            next[i].push(j);
        }
    }
    let mut memo: Vec<Option<Option<usize>>> = vec![None; n];
    // Iterative depth-first, successors first: a long chain is no deep recursion.
    for root in 0..n {
        let mut stack = vec![(root, false)];
        while let Some((i, expanded)) = stack.pop() {
            if memo[i].is_some() {
                continue;
            }
            if !expanded {
                stack.push((i, true));
                stack.extend(
                    next[i]
                        .iter()
                        .filter(|&&j| memo[j].is_none())
                        .map(|&j| (j, false)),
                );
                continue;
            }
            let found = next[i].iter().find_map(|&j| match needs[j].is_empty() {
                false => Some(j),
                true => memo[j].flatten(),
            });
            memo[i] = Some(found);
        }
    }
    memo.into_iter().map(Option::flatten).collect()
}

/// What the user says migration document `doc` (a Job, or the workload a Job
/// is built from) needs of the release, in its `premigrate.io/needs`
/// annotation: `none`, or `Kind/name` documents of the stream (in its
/// namespace first). It replaces what premigrate finds (DolphinScheduler's
/// schema Job reaches ZooKeeper only through an env every container shares).
pub(crate) fn declared_needs(
    index: &Index<'_>,
    doc: usize,
) -> Option<Result<Vec<(usize, String)>, String>> {
    let v = roles::peek(index, doc)?;
    let list = crate::plan::context::annotation(&v, crate::k8s::engines::own::NEEDS)?.trim();
    if list.is_empty() || list.eq_ignore_ascii_case("none") {
        return Some(Ok(vec![]));
    }
    let find = |item: &str| {
        let (kind, name) = item.split_once('/')?;
        roles::find_doc(index, kind, name, Some(doc))
    };
    let why = "its premigrate.io/needs annotation names it";
    Some(
        list.split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(|item| {
                find(item).map(|d| (d, why.to_string())).ok_or_else(|| {
                    format!(
                        "{}: premigrate.io/needs names {item}, which is no document of this stream (write Kind/name, or none)",
                        index.entries[doc].info.object()
                    )
                })
            })
            .collect(),
    )
}

/// A migration that names no host of the stream may still need the release's
/// databases (a host in a config file): those of its namespace found by image.
/// An object written without a namespace is in the release's (Cal.com's
/// Deployment beside its Bitnami database's `namespace: default`).
fn by_image(index: &Index<'_>, data: &DataServices, ns: &str) -> Vec<(usize, String)> {
    let single = crate::plan::context::single_namespace(index);
    let mine = |d: usize| {
        let at = index.entries[d].info.namespace.as_deref().unwrap_or("");
        data.by_image.contains(&d) && crate::plan::context::same_ns(at, ns, single.as_deref())
    };
    data.docs
        .iter()
        .filter(|(d, _)| mine(**d) || data.fronts.get(d).is_some_and(|w| mine(*w)))
        .map(|(d, why)| {
            // A Service another migration named carries that migration's
            // reason: this one reaches it only through its database's image.
            let why = match data
                .fronts
                .get(d)
                .and_then(|w| Some((w, data.docs.get(w)?)))
            {
                Some((w, image)) => format!(
                    "{image}: the Service in front of {}",
                    index.entries[*w].info.object()
                ),
                None => why.clone(),
            };
            (
                *d,
                format!("{why}; the migration names no host of the stream, so it may need it"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Phase;

    fn placed(after: &[usize]) -> Placed {
        Placed {
            phase: Phase::Pre,
            phase_reason: String::new(),
            rank: 0,
            after: after.to_vec(),
            order_reason: String::new(),
        }
    }

    /// A chain a → b → c → d where only d needs a data service: a, b and c
    /// each have d after them; d and an unrelated e have none. A long chain
    /// is answered in one pass (it was a walk per candidate: cubic).
    #[test]
    fn regular_followers_through_a_chain() {
        let ps = [
            placed(&[]),
            placed(&[0]),
            placed(&[1]),
            placed(&[2]),
            placed(&[]),
        ];
        let mut needs = vec![Vec::new(); 5];
        needs[3].push((9, "db".to_string()));
        assert_eq!(
            regular_followers(&ps, &needs),
            [Some(3), Some(3), Some(3), None, None]
        );
        let n = 20_000;
        let chain: Vec<Placed> = (0..n)
            .map(|i| match i {
                0 => placed(&[]),
                _ => placed(&[i - 1]),
            })
            .collect();
        let mut needs = vec![Vec::new(); n];
        needs[n - 1].push((0, String::new()));
        let got = regular_followers(&chain, &needs);
        assert_eq!(got[0], Some(n - 1));
        assert_eq!(got[n - 1], None);
    }
}
