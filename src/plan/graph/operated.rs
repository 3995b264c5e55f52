//! Data services an operator runs from a custom resource (a CloudNativePG
//! `Cluster`, an Altinity `ClickHouseInstallation`, a Strimzi `Kafka`): the
//! operator creates the Services, so none of the stream is named by the
//! migration's host. The Services each operator creates, by the resource's name,
//! and the images the operator itself runs, are a table.
//!
//! A migration that reaches such a resource needs it, and, when the chart ships
//! them too, its CRD, the operator's workloads and the RBAC they run with: an
//! Argo CD wave that held the resource but not its operator would wait for a
//! database that nothing creates (PostHog's ClickHouse).

use super::roles::{pod_of, Svc};
use crate::index::Index;
use crate::k8s;
use crate::yaml::Value;

mod provisions;
mod spec;
pub(super) use provisions::provisioners_in;
use provisions::{outside_services, provisioned_beside, provisioned_in};
use spec::spec_services;
pub(super) use spec::spec_texts;

/// One kind of operator-run data service.
struct Operated {
    /// The resource's API group.
    group: &'static str,
    /// Its kind.
    kind: &'static str,
    /// Its plural (the CRD is named `<plural>.<group>`).
    plural: &'static str,
    /// What it runs, for the reasons.
    what: &'static str,
    /// The Services the operator creates for it (`{}` is the resource's name).
    services: &'static [&'static str],
    /// The operator's images: a repository's last parts (`strimzi/operator`).
    operators: &'static [&'static str],
}

const fn op(
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    what: &'static str,
    services: &'static [&'static str],
    operators: &'static [&'static str],
) -> Operated {
    Operated {
        group,
        kind,
        plural,
        what,
        services,
        operators,
    }
}

/// The operators premigrate knows, from their documentation of the Services they create.
const OPERATED: &[Operated] = &[
    op(
        "postgresql.cnpg.io",
        "Cluster",
        "clusters",
        "PostgreSQL (CloudNativePG)",
        &["{}-rw", "{}-ro", "{}-r"],
        &["cloudnative-pg"],
    ),
    op(
        "acid.zalan.do",
        "postgresql",
        "postgresqls",
        "PostgreSQL (Zalando)",
        &["{}", "{}-repl", "{}-pooler"],
        &["zalando/postgres-operator", "postgres-operator"],
    ),
    op(
        "postgres-operator.crunchydata.com",
        "PostgresCluster",
        "postgresclusters",
        "PostgreSQL (Crunchy PGO)",
        &["{}-primary", "{}-replicas", "{}-pgbouncer", "{}-ha"],
        &["crunchydata/postgres-operator", "postgres-operator"],
    ),
    op(
        "pgv2.percona.com",
        "PerconaPGCluster",
        "perconapgclusters",
        "PostgreSQL (Percona)",
        &["{}-primary", "{}-replicas", "{}-pgbouncer", "{}-ha"],
        &["percona-postgresql-operator"],
    ),
    op(
        "stackgres.io",
        "SGCluster",
        "sgclusters",
        "PostgreSQL (StackGres)",
        &["{}", "{}-primary", "{}-replicas"],
        &["stackgres/operator"],
    ),
    op(
        "pxc.percona.com",
        "PerconaXtraDBCluster",
        "perconaxtradbclusters",
        "MySQL (Percona XtraDB)",
        &["{}-haproxy", "{}-haproxy-replicas", "{}-proxysql", "{}-pxc"],
        &["percona-xtradb-cluster-operator"],
    ),
    op(
        "mysql.oracle.com",
        "InnoDBCluster",
        "innodbclusters",
        "MySQL (InnoDB Cluster)",
        &["{}", "{}-instances"],
        &["mysql/community-operator", "mysql/enterprise-operator"],
    ),
    op(
        "moco.cybozu.com",
        "MySQLCluster",
        "mysqlclusters",
        "MySQL (MOCO)",
        &["moco-{}-primary", "moco-{}-replica"],
        &["cybozu-go/moco"],
    ),
    op(
        "k8s.mariadb.com",
        "MariaDB",
        "mariadbs",
        "MariaDB (mariadb-operator)",
        &["{}", "{}-primary", "{}-secondary"],
        &["mariadb-operator"],
    ),
    op(
        "psmdb.percona.com",
        "PerconaServerMongoDB",
        "perconaservermongodbs",
        "MongoDB (Percona)",
        &["{}-rs0", "{}-mongos"],
        &["percona-server-mongodb-operator"],
    ),
    op(
        "mongodbcommunity.mongodb.com",
        "MongoDBCommunity",
        "mongodbcommunity",
        "MongoDB (Community operator)",
        &["{}-svc"],
        &["mongodb-kubernetes-operator", "mongodb-kubernetes"],
    ),
    op(
        "clickhouse.altinity.com",
        "ClickHouseInstallation",
        "clickhouseinstallations",
        "ClickHouse (Altinity operator)",
        &["clickhouse-{}"],
        &["clickhouse-operator"],
    ),
    op(
        "kafka.strimzi.io",
        "Kafka",
        "kafkas",
        "Kafka (Strimzi)",
        &["{}-kafka-bootstrap", "{}-kafka-brokers"],
        &["strimzi/operator"],
    ),
    op(
        "rabbitmq.com",
        "RabbitmqCluster",
        "rabbitmqclusters",
        "RabbitMQ (cluster operator)",
        &["{}", "{}-nodes"],
        &["rabbitmqoperator/cluster-operator"],
    ),
    op(
        "redis.redis.opstreelabs.in",
        "Redis",
        "redis",
        "Redis (OT operator)",
        &["{}"],
        &["redis-operator"],
    ),
    op(
        "redis.redis.opstreelabs.in",
        "RedisCluster",
        "redisclusters",
        "Redis (OT operator)",
        &["{}-leader"],
        &["redis-operator"],
    ),
    op(
        "databases.spotahome.com",
        "RedisFailover",
        "redisfailovers",
        "Redis (Spotahome operator)",
        &["rfs-{}", "rfrm-{}"],
        &["spotahome/redis-operator", "redis-operator"],
    ),
    op(
        "dragonflydb.io",
        "Dragonfly",
        "dragonflies",
        "Dragonfly (operator)",
        &["{}"],
        &["dragonflydb/operator"],
    ),
    op(
        "elasticsearch.k8s.elastic.co",
        "Elasticsearch",
        "elasticsearches",
        "Elasticsearch (ECK)",
        &["{}-es-http"],
        &["eck-operator"],
    ),
    op(
        "opensearch.opster.io",
        "OpenSearchCluster",
        "opensearchclusters",
        "OpenSearch (operator)",
        &["{}"],
        &["opensearch-operator"],
    ),
    op(
        "scylla.scylladb.com",
        "ScyllaCluster",
        "scyllaclusters",
        "ScyllaDB (operator)",
        &["{}-client"],
        &["scylla-operator"],
    ),
    op(
        "crdb.cockroachlabs.com",
        "CrdbCluster",
        "crdbclusters",
        "CockroachDB (operator)",
        &["{}-public"],
        &["cockroach-operator"],
    ),
    op(
        "minio.min.io",
        "Tenant",
        "tenants",
        "MinIO (operator)",
        &["minio", "{}-hl"],
        &["minio/operator"],
    ),
];

/// The credentials Secrets an operator writes for a resource, by group and
/// kind (`{}` is the resource's name, `*` any user), from the operators'
/// documentation: a pod that reads one reaches the resource, even when no
/// host is written out (n8n reads CloudNativePG's `<cluster>-app`, whose keys
/// hold the host, the port and the password).
const SECRETS: &[(&str, &str, &[&str])] = &[
    ("postgresql.cnpg.io", "Cluster", &["{}-app", "{}-superuser"]),
    (
        "postgres-operator.crunchydata.com",
        "PostgresCluster",
        &["{}-pguser-*"],
    ),
    ("pgv2.percona.com", "PerconaPGCluster", &["{}-pguser-*"]),
    (
        "acid.zalan.do",
        "postgresql",
        &["*.{}.credentials.postgresql.acid.zalan.do"],
    ),
    ("rabbitmq.com", "RabbitmqCluster", &["{}-default-user"]),
    (
        "elasticsearch.k8s.elastic.co",
        "Elasticsearch",
        &["{}-es-elastic-user"],
    ),
];

/// The Secrets and ConfigMaps an operator-run resource's spec names
/// (`bootstrap.initdb.secret.name`, `superuserSecret.name`, `…secretName`):
/// the operator reads them to create the database, so they go in its wave
/// (Penpot's CloudNativePG Cluster bootstraps from the chart's Secret; in a
/// later wave, the Cluster never became ready). `Kind/name` pairs.
pub(super) fn spec_refs(index: &Index<'_>, d: usize) -> Vec<(&'static str, String)> {
    if row(index, d).is_none() && !provisions::provisioner(index, d) {
        return Vec::new();
    }
    let Some(v) = super::roles::peek(index, d) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(spec) = v.get("spec") {
        names_in(spec, &mut out);
    }
    out
}

/// Walks a spec for the Secret and ConfigMap names it holds.
fn names_in(v: &Value, out: &mut Vec<(&'static str, String)>) {
    for (k, child) in v.entries() {
        let key = k.to_ascii_lowercase();
        let kind = match () {
            // `…SecretKeyRef: {name, key}` too (mariadb-operator's
            // `rootPasswordSecretKeyRef`, `passwordSecretKeyRef`).
            _ if ["secret", "secretref", "secretkeyref"]
                .iter()
                .any(|e| key.ends_with(e)) =>
            {
                Some("Secret")
            }
            _ if ["configmap", "configmapref", "configmapkeyref"]
                .iter()
                .any(|e| key.ends_with(e)) =>
            {
                Some("ConfigMap")
            }
            _ => None,
        };
        let named = |c: &Value| c.get("name").and_then(Value::as_str).map(str::to_string);
        match (kind, child.as_str()) {
            (_, Some(name)) if key == "secretname" => out.push(("Secret", name.to_string())),
            (Some(kind), None) => out.extend(named(child).map(|n| (kind, n))),
            _ => {}
        }
        names_in(child, out);
    }
    for item in v.items() {
        names_in(item, out);
    }
}

/// The names of the Secrets a pod reads.
pub(super) fn secrets_read(pod: &Value) -> Vec<String> {
    crate::detect::references(pod)
        .into_iter()
        .filter_map(|r| r.strip_prefix("Secret/").map(str::to_string))
        .collect()
}

/// The resources of the stream whose credentials Secret `pod` (of namespace
/// `ns`; `who` in the reasons) reads, with why. A Secret the stream holds is
/// not the operator's: it exists whether or not the resource does.
pub(super) fn by_secret(
    index: &Index<'_>,
    pod: &Value,
    ns: &str,
    who: &str,
) -> Vec<(usize, String)> {
    let rows: Vec<(usize, &Operated)> = (0..index.entries.len())
        .filter_map(|i| Some((i, row(index, i)?)))
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    let read: Vec<String> = secrets_read(pod)
        .into_iter()
        .filter(|s| {
            !index.entries.iter().any(|e| {
                e.info.kind.as_deref() == Some("Secret") && e.info.name.as_deref() == Some(s)
            })
        })
        .collect();
    let mut out = Vec::new();
    for (i, o) in rows {
        let e = &index.entries[i];
        let Some(name) = e.info.name.as_deref() else {
            continue;
        };
        let same_ns = e.info.namespace.as_deref().unwrap_or_default();
        if !(same_ns.is_empty() || ns.is_empty() || same_ns == ns) {
            continue;
        }
        let patterns = SECRETS
            .iter()
            .find(|(g, k, _)| *g == o.group && *k == o.kind)
            .map_or(&[][..], |(_, _, p)| *p);
        let hit = read.iter().find(|s| {
            patterns
                .iter()
                .any(|p| crate::detect::glob(&p.replace("{}", name), s))
        });
        if let Some(s) = hit {
            let why = format!(
                "{who} reads Secret/{s}, which the operator writes for {} ({})",
                e.info.object(),
                o.what
            );
            out.push((i, why));
        }
    }
    out
}

/// The row of document `i`, when it is a resource of [`OPERATED`].
fn row(index: &Index<'_>, i: usize) -> Option<&'static Operated> {
    let info = &index.entries[i].info;
    let group = info.api_version.as_deref()?.split_once('/')?.0;
    let kind = info.kind.as_deref()?;
    OPERATED.iter().find(|o| o.group == group && o.kind == kind)
}

/// The Services the operators will create for the resources of the stream,
/// each as a Service of the stream with no selector: the resource's document
/// is what a migration that names one reaches.
pub(super) fn services(index: &Index<'_>) -> Vec<Svc> {
    let mut out = Vec::new();
    for (i, e) in index.entries.iter().enumerate() {
        let (Some(o), Some(name)) = (row(index, i), e.info.name.as_deref()) else {
            continue;
        };
        let named = o.services.iter().map(|p| p.replace("{}", name));
        for service in named.chain(spec_services(index, i, o, name)) {
            out.push(Svc {
                doc: i,
                name: service,
                namespace: e.info.namespace.as_deref().unwrap_or_default().to_string(),
                selector: Vec::new(),
            });
        }
    }
    out.extend(outside_services(index));
    out
}

/// What runs an operated data service `d` along with it, when the stream
/// holds it: its CRD, the operator's workloads, and the RBAC they run with.
pub(super) fn companions(index: &Index<'_>, d: usize) -> Vec<(usize, String)> {
    let Some(o) = row(index, d) else {
        return provisioned_beside(index, d);
    };
    let object = index.entries[d].info.object();
    let mut out = Vec::new();
    let crd = format!("{}.{}", o.plural, o.group);
    let named = |i: usize, kind: &str, name: &str| {
        let info = &index.entries[i].info;
        info.kind.as_deref() == Some(kind) && info.name.as_deref() == Some(name)
    };
    if let Some(c) = (0..index.entries.len()).find(|&i| named(i, "CustomResourceDefinition", &crd))
    {
        out.push((
            c,
            format!("{object} ({}) is of the kind it defines", o.what),
        ));
    }
    out.extend(provisioned_in(index, d, o));
    for w in (0..index.entries.len()).filter(|&w| runs_operator(index, w, o)) {
        out.extend(rbac(index, w));
        out.extend(webhooks(index, w));
        out.extend(named_config(index, w));
        out.push((
            w,
            format!("runs the operator that makes {object} ({})", o.what),
        ));
    }
    out
}

/// Whether workload `w` runs one of `o`'s operator images.
fn runs_operator(index: &Index<'_>, w: usize, o: &Operated) -> bool {
    let Some(pod) = pod_of(index, w) else {
        return false;
    };
    let containers = pod
        .get("containers")
        .map(crate::yaml::Value::items)
        .unwrap_or(&[]);
    containers.iter().any(|c| {
        let image = c
            .get("image")
            .and_then(crate::yaml::Value::as_str)
            .unwrap_or("");
        let repo = crate::detect::image_repository(image).to_ascii_lowercase();
        o.operators
            .iter()
            .any(|op| repo == *op || repo.ends_with(&format!("/{op}")))
    })
}

/// The ConfigMaps and Secrets of the stream operator workload `w` names in
/// its args or env values (`--config-map-name=cnpg-controller-manager-config`,
/// `MONITORING_QUERIES_CONFIGMAP=cnpg-default-monitoring`): it reads them once,
/// at start, so they go in its wave (without them, CloudNativePG starts on its
/// defaults and keeps them until it restarts).
fn named_config(index: &Index<'_>, w: usize) -> Vec<(usize, String)> {
    let Some(pod) = pod_of(index, w) else {
        return Vec::new();
    };
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    let mut words: Vec<String> = Vec::new();
    for c in containers {
        words.extend(crate::detect::command_line(c));
        let env = c.get("env").map(Value::items).unwrap_or(&[]);
        words.extend(
            env.iter()
                .filter_map(|e| e.get("value").and_then(Value::as_str))
                .map(str::to_string),
        );
    }
    let named = |name: &str| {
        words
            .iter()
            .any(|w| w == name || w.rsplit_once('=').is_some_and(|(_, v)| v == name))
    };
    let operator = index.entries[w].info.object();
    (0..index.entries.len())
        .filter(|&i| {
            let info = &index.entries[i].info;
            matches!(info.kind.as_deref(), Some("ConfigMap" | "Secret"))
                && info.name.as_deref().is_some_and(named)
        })
        .map(|i| {
            (
                i,
                format!(
                    "the operator {operator} names it in its args or env: it reads it at start"
                ),
            )
        })
        .collect()
}

/// The Services that select operator workload `w`'s pods, and the webhook
/// configurations that call them: CloudNativePG's operator writes its CA into
/// its webhook configurations at start and exits while they are missing, so a
/// wave that held the operator but not them would never become healthy.
fn webhooks(index: &Index<'_>, w: usize) -> Vec<(usize, String)> {
    const WEBHOOK_KINDS: [&str; 2] = [
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    let operator = index.entries[w].info.object();
    let calls = |i: usize, svc: &str| {
        let Some(v) = super::roles::peek(index, i) else {
            return false;
        };
        let hooks = v.get("webhooks").map(crate::yaml::Value::items);
        hooks.unwrap_or(&[]).iter().any(|h| {
            h.at(&["clientConfig", "service", "name"])
                .and_then(crate::yaml::Value::as_str)
                == Some(svc)
        })
    };
    let mut out = Vec::new();
    let own = super::roles::services(index);
    let single = crate::plan::context::single_namespace(index);
    for s in own.iter().filter(|s| !s.selector.is_empty()) {
        if !super::roles::selected(index, s, single.as_deref()).contains(&w) {
            continue;
        }
        let callers: Vec<usize> = (0..index.entries.len())
            .filter(|&i| {
                let kind = index.entries[i].info.kind.as_deref().unwrap_or("");
                WEBHOOK_KINDS.contains(&kind) && calls(i, &s.name)
            })
            .collect();
        // Only a webhook's Service: a metrics Service can come later.
        if !callers.is_empty() {
            let why = format!("selects the pods of the operator {operator}, for its webhook");
            out.push((s.doc, why));
        }
        for i in callers {
            let why = format!(
                "calls Service/{}, the operator {operator}'s webhook",
                s.name
            );
            out.push((i, why));
        }
    }
    out
}

/// The bindings of workload `w`'s ServiceAccount and the roles they grant:
/// an operator without them cannot create the Services.
fn rbac(index: &Index<'_>, w: usize) -> Vec<(usize, String)> {
    let Some(pod) = pod_of(index, w) else {
        return Vec::new();
    };
    let sa = k8s::service_account(&pod);
    let info = |i: usize| &index.entries[i].info;
    let ns = info(w).namespace.as_deref().unwrap_or_default();
    let runs_as = format!(
        "ServiceAccount {sa}, which the operator {} runs as",
        info(w).object()
    );
    let mut out = Vec::new();
    for (b, role) in super::uses::rbac_of(index, &sa, ns) {
        out.push((b, format!("it binds {runs_as}")));
        if let Some(r) = role {
            out.push((r, format!("{} grants it to {runs_as}", info(b).object())));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_names_its_services_by_the_resource() {
        for o in OPERATED {
            assert!(
                !o.services.is_empty() && !o.operators.is_empty(),
                "{}",
                o.kind
            );
            assert!(o.services.iter().any(|s| s.contains("{}")), "{}", o.kind);
        }
        // Each credentials row is a row of the table, and names the resource.
        for (g, k, patterns) in SECRETS {
            assert!(
                OPERATED.iter().any(|o| o.group == *g && o.kind == *k),
                "{k}"
            );
            assert!(patterns.iter().all(|p| p.contains("{}")), "{k}");
        }
    }

    /// The Secrets and ConfigMaps a resource's spec names go with it.
    #[test]
    fn a_resource_uses_the_secrets_its_spec_names() {
        let stream = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: db\nspec:\n  bootstrap:\n    initdb:\n      secret:\n        name: db-init\n  superuserSecret:\n    name: db-super\n  certificates:\n    serverTLSSecret: db-tls\n  backup:\n    barmanObjectStore:\n      s3Credentials:\n        accessKeyId:\n          name: s3\n  postgresql:\n    parameters:\n      secret: not-a-ref\n";
        let index = Index::build(stream.as_bytes()).unwrap();
        let refs = spec_refs(&index, 0);
        assert!(
            refs.contains(&("Secret", "db-init".to_string())),
            "{refs:?}"
        );
        assert!(
            refs.contains(&("Secret", "db-super".to_string())),
            "{refs:?}"
        );
        let app = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n";
        assert!(spec_refs(&Index::build(app.as_bytes()).unwrap(), 0).is_empty());
    }

    /// A pod that reads the Secret the operator writes for a resource reaches
    /// it; one of the stream's own Secrets, or another's, does not.
    #[test]
    fn a_pod_reading_the_operators_secret_reaches_the_resource() {
        let stream = "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: db\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db-superuser\n";
        let index = Index::build(stream.as_bytes()).unwrap();
        let pod = |secret: &str| {
            crate::yaml::Tree::read_value(&format!(
                "containers:\n  - name: m\n    env:\n      - name: DB_HOST\n        valueFrom:\n          secretKeyRef:\n            name: {secret}\n            key: host\n"
            ))
            .unwrap()
            .unwrap()
        };
        let found = by_secret(&index, &pod("db-app"), "", "the migration");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 0);
        assert!(found[0].1.contains("Secret/db-app"), "{}", found[0].1);
        assert!(by_secret(&index, &pod("db-superuser"), "", "m").is_empty());
        assert!(by_secret(&index, &pod("other-app"), "", "m").is_empty());
    }
}
