//! The image tables of the release graph: which images run a data service, a
//! telemetry sink, or another part of a migration's own product.

use crate::yaml::Value;

/// Image names (the last path part of the repository) of data services.
pub const DATA_IMAGES: &[(&str, &str)] = &[
    ("postgres", "PostgreSQL"),
    ("postgresql", "PostgreSQL"),
    ("postgis", "PostgreSQL"),
    ("timescaledb", "PostgreSQL"),
    // PostgreSQL with the vector extension (`pgvector/pgvector:pg16`).
    ("pgvector", "PostgreSQL"),
    ("pgbouncer", "PgBouncer"),
    ("pgpool", "Pgpool-II"),
    ("mysql", "MySQL"),
    ("mariadb", "MariaDB"),
    ("percona-server", "MySQL"),
    ("redis", "Redis"),
    ("valkey", "Valkey"),
    ("keydb", "KeyDB"),
    ("dragonfly", "Dragonfly"),
    ("memcached", "memcached"),
    ("mongo", "MongoDB"),
    ("mongodb", "MongoDB"),
    ("clickhouse", "ClickHouse"),
    ("clickhouse-server", "ClickHouse"),
    ("kafka", "Kafka"),
    ("zookeeper", "ZooKeeper"),
    ("rabbitmq", "RabbitMQ"),
    ("nats", "NATS"),
    ("elasticsearch", "Elasticsearch"),
    ("opensearch", "OpenSearch"),
    ("solr", "Solr"),
    ("minio", "MinIO"),
    ("etcd", "etcd"),
    ("cassandra", "Cassandra"),
    ("scylla", "ScyllaDB"),
    ("cockroach", "CockroachDB"),
    ("cockroachdb", "CockroachDB"),
    ("couchdb", "CouchDB"),
    ("neo4j", "Neo4j"),
    ("influxdb", "InfluxDB"),
    // Harbor's own builds of its database and cache (goharbor/harbor-db, redis-photon).
    ("harbor-db", "PostgreSQL"),
    ("redis-photon", "Redis"),
    // Zalando's PostgreSQL with Patroni (`ghcr.io/zalando/spilo-16`).
    ("spilo", "PostgreSQL"),
];

/// Image names of services a migration's config names but never waits on,
/// so one reached that way is not a data service: telemetry sinks (metrics,
/// traces, logs: Airflow's `statsd_host`) and outbound forward proxies
/// (Dify's `SSRF_PROXY_HTTP_URL`, a squid: a crash-looping proxy held the
/// whole Argo CD sync).
const SIDE_IMAGES: &[&str] = &[
    "statsd-exporter",
    "statsd",
    "prometheus",
    "pushgateway",
    "opentelemetry-collector",
    "opentelemetry-collector-contrib",
    "otel-collector",
    "jaeger-collector",
    "jaeger-agent",
    "zipkin",
    "fluent-bit",
    "fluentd",
    "vector",
    "loki",
    "tempo",
    "grafana-agent",
    "alloy",
    "squid",
    "tinyproxy",
    "privoxy",
    // Model servers and document parsers an app calls over HTTP (Open WebUI's
    // `OLLAMA_BASE_URLS`): never a schema's, and slow to become ready.
    "ollama",
    "pipelines",
    "tika",
    "vllm-openai",
    "text-generation-inference",
    // Headless browsers an app renders with (Lightdash's
    // `HEADLESS_BROWSER_HOST`: `browserless/chrome`, `browserless/chromium`).
    "chrome",
    "chromium",
    "browserless",
    // Media and search servers an app's config names for the app's own use
    // (Lemmy's `pictrs.url`, Vikunja's Typesense): no schema migration
    // connects to them.
    "pictrs",
    "typesense",
    "meilisearch",
    // REST and GraphQL servers over the app's own database (ToolJet's
    // `PGRST_HOST`): they read the schema the migration makes (PostgREST's
    // `tooljet_db` is created by it), so they come after it, never before.
    "postgrest",
    // Web servers and HTTP proxies in front of the app (wger's nginx, whose
    // upstream is the app itself and whose URL the app's env holds): no
    // migration connects through one, and one that proxies to the app
    // cannot be ready before it. TCP proxies (HAProxy, Envoy, ProxySQL)
    // front databases too, and stay data services.
    "nginx",
    "nginx-unprivileged",
    "openresty",
    "caddy",
    "httpd",
    "traefik",
    // Real-time hubs the app publishes to for its browsers (Pimcore's
    // `MERCURE_SERVER_URL`, a Pusher-compatible Soketi, Centrifugo): no
    // schema is theirs, and no migration publishes.
    "mercure",
    "soketi",
    "centrifugo",
];

/// Suffixes of image names that are still the same data service
/// (`postgresql-repmgr`, `redis-stack-server`, `spilo-16`: a chain of them,
/// or a version); `spilo` is Zalando's PostgreSQL with Patroni
/// (`twentycrm/twenty-postgres-spilo`).
const DATA_IMAGE_SUFFIXES: &[&str] = &[
    "repmgr",
    "server",
    "cluster",
    "sentinel",
    "sharded",
    "ha",
    "stack",
    "alpine",
    "spilo",
    // Elastic's Apache-2.0 builds (`elasticsearch-oss`: FusionAuth's early chart).
    "oss",
    // PostgreSQL builds named for the extension they add (DSpace's
    // `dspace/dspace-postgres-pgcrypto`, `postgres-pgvector`).
    "pgcrypto",
    "pgvector",
    "postgis",
    "vector",
    "vectorchord",
    // Red Hat's Software Collections builds (`rhscl/postgresql-12-rhel7`,
    // `sclorg/postgresql-15-c9s`: Quay's chart runs them).
    "rhel7",
    "rhel8",
    "rhel9",
    "rhel10",
    "c8s",
    "c9s",
    "c10s",
    "ubi8",
    "ubi9",
];

/// Databases a vendor builds under its own name (`zulip/zulip-postgresql`,
/// `twentycrm/twenty-postgres-spilo`): `<one word>-<name>`, with suffixes,
/// is still that database.
const VENDOR_BUILT: &[&str] = &[
    // DSpace's `dspace/dspace-solr`, CKAN's `ckan/ckan-solr`.
    "solr",
    "postgresql",
    "postgres",
    "mysql",
    "mariadb",
    "mongodb",
    "redis",
    "valkey",
];

/// Repositories of data services whose last part names nothing of its own
/// (`mcr.microsoft.com/mssql/server`: Bitwarden's bundled SQL Server), by
/// the end of the repository.
const DATA_REPOS: &[(&str, &str)] = &[
    ("mssql/server", "SQL Server"),
    ("mssql/rhel/server", "SQL Server"),
    ("azure-sql-edge", "SQL Server"),
];

/// Why a pod spec is a data service by its image, if it is.
pub(crate) fn data_image(pod: &Value) -> Option<String> {
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    containers.iter().find_map(data_container)
}

/// Data services whose clusters split their nodes by role (master-only,
/// data, ingest): the nodes a Service selects may hold no data, and the
/// others of the cluster are what the data lives on.
const ROLE_TIERED: &[&str] = &["Elasticsearch", "OpenSearch"];

/// Whether a pod runs a [`ROLE_TIERED`] data service.
pub(crate) fn role_tiered(pod: &Value) -> bool {
    (pod.get("containers").map(Value::items).unwrap_or(&[]))
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .filter_map(data_product)
        .any(|p| ROLE_TIERED.contains(&p))
}

/// App images named for the database they run on, not databases: a
/// vendor's build of the name they share would take them for one
/// (`supertokens/supertokens-postgresql`, Agenta's auth server).
const APPS_NAMED_FOR_A_DATABASE: &[&str] = &[
    "supertokens-postgresql",
    "supertokens-mysql",
    "supertokens-mongodb",
];

/// Why a container is a data service by its image, if it is.
pub(crate) fn data_container(c: &Value) -> Option<String> {
    let image = c.get("image").and_then(Value::as_str)?;
    data_product(image).map(|what| format!("runs image {image} ({what})"))
}

/// The data service an image runs (`PostgreSQL`), if it runs one.
fn data_product(image: &str) -> Option<&'static str> {
    let base = image_name(image);
    if APPS_NAMED_FOR_A_DATABASE.contains(&base.as_str()) {
        return None;
    }
    let repo = crate::detect::image_repository(image).to_ascii_lowercase();
    let by_repo = DATA_REPOS
        .iter()
        .find(|(r, _)| repo == *r || repo.ends_with(&format!("/{r}")))
        .map(|(_, what)| *what);
    let by_name = |base: &str| {
        DATA_IMAGES
            .iter()
            .find_map(|(name, what)| names_data(base, name).then_some(*what))
    };
    // One repository of many services, told apart by tag
    // (`mestre8d/bigcapital-docker:mariadb-10`, beside `:redis-6`): the tag
    // names the service the same way a name would. An app built for a
    // database (`umami:postgresql-v2.20.1`) has a version after the name.
    by_repo
        .or_else(|| by_name(&base))
        .or_else(|| by_name(&crate::k8s::image_ref::tag(image)?.to_ascii_lowercase()))
}

/// Data services that hold no schema a migration changes: object stores,
/// caches, queues, coordination. A Job that reads only their credentials
/// provisions them (Opik's MinIO bucket Job), it does not migrate the app.
const HOLDS_NO_SCHEMA: &[&str] = &[
    "MinIO",
    "Redis",
    "Valkey",
    "KeyDB",
    "Dragonfly",
    "memcached",
    "Kafka",
    "ZooKeeper",
    "RabbitMQ",
    "NATS",
    "etcd",
];

/// Whether a container runs a data service that holds no schema (a cache
/// beside the app: AWX's memcached), see [`HOLDS_NO_SCHEMA`].
pub(crate) fn schemaless_container(c: &Value) -> bool {
    (c.get("image").and_then(Value::as_str))
        .and_then(data_product)
        .is_some_and(|what| HOLDS_NO_SCHEMA.contains(&what))
}

/// Whether a pod runs a data service that holds no schema (see [`HOLDS_NO_SCHEMA`]).
pub(crate) fn schemaless_data(pod: &Value) -> bool {
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    containers
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .find_map(data_product)
        .is_some_and(|what| HOLDS_NO_SCHEMA.contains(&what))
}

/// Whether image name `base` is the data service `name`: the name itself,
/// with suffixes of the same service, or a vendor's build of it.
fn names_data(base: &str, name: &str) -> bool {
    if !base.contains(name) {
        return false;
    }
    let suffixes = |rest: &str| {
        rest.split('-').all(|s| {
            DATA_IMAGE_SUFFIXES.contains(&s)
                || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let it_then = |rest: &str| {
        rest == name
            || rest
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix('-'))
                .is_some_and(suffixes)
    };
    let vendor = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric());
    it_then(base)
        || (VENDOR_BUILT.contains(&name)
            && base
                .split_once('-')
                .is_some_and(|(v, rest)| vendor(v) && it_then(rest)))
}

/// An image's name, the last part of its repository, lowercased: what the
/// image tables match, on any registry or prefix.
pub(crate) fn image_name(image: &str) -> String {
    let repo = crate::detect::image_repository(image);
    repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase()
}

/// Whether two image repositories are parts of one product: one owner, and
/// names that start with the same word (`acryldata/datahub-upgrade` and
/// `acryldata/datahub-gms`: DataHub's system-update names its GMS as a host,
/// an app the chart starts after it, not a database).
pub(super) fn same_product(a: &str, b: &str) -> bool {
    let split = |r: &str| {
        let (owner, name) = r.rsplit_once('/')?;
        let word = name.split(['-', '_', '.']).next()?;
        (!owner.is_empty() && word.len() >= 3).then_some((owner.to_string(), word.to_string()))
    };
    split(a).is_some_and(|x| split(b) == Some(x))
}

/// Whether a pod that runs a data service's image also runs a migration's
/// image, or another of its product, in a container of its own: the app with
/// a cache beside it (AWX's web pod and its Redis), which waits for its
/// migration, never a data service the migration waits for.
pub(super) fn app_beside_data(pod: &Value, ours: &[String]) -> bool {
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    containers
        .iter()
        .filter(|c| data_container(c).is_none())
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .map(crate::detect::image_repository)
        .filter(|r| !base_image(r))
        .any(|r| ours.iter().any(|o| o == r || same_product(o, r)))
}

/// Words of an image name that make a product's own component its store
/// (`openslides-datastore-writer`): a data service of the release, not an app,
/// though it shares the migration's product.
const STORE_WORDS: &[&str] = &["datastore", "database", "db", "store", "storage"];

/// Whether an image repository's name, past its product word, names a store.
pub(super) fn names_a_store(repo: &str) -> bool {
    let name = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
    name.split(['-', '_', '.'])
        .skip(1)
        .any(|w| STORE_WORDS.contains(&w))
}

/// Images that run any product's scripts (a shell, a language runtime, a
/// client): one shared by a migration and a sidecar says nothing of either.
const BASE_IMAGES: &[&str] = &[
    "busybox",
    "alpine",
    "debian",
    "ubuntu",
    "bash",
    "curl",
    "kubectl",
    "python",
    "node",
    "ruby",
    "php",
    "golang",
    "openjdk",
    "eclipse-temurin",
];

/// Whether an image repository is a [`BASE_IMAGES`] one (on any registry).
pub(super) fn base_image(repo: &str) -> bool {
    let name = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
    BASE_IMAGES.contains(&name.as_str())
}

/// Image owners that publish many unrelated products (a Bitnami app and its
/// Bitnami database, the ASF's projects): sharing one says nothing.
const MANY_PRODUCT_OWNERS: &[&str] = &[
    "bitnami",
    "bitnamicharts",
    "bitnamilegacy",
    "library",
    "linuxserver",
    "rancher",
    "apache",
    "ubuntu",
];

/// The owner of an image repository, the path before its name
/// (`index.docker.io/sourcegraph`), when it says something of the product:
/// not a registry alone, nor an owner of many products ([`MANY_PRODUCT_OWNERS`]).
pub(crate) fn image_owner(repo: &str) -> Option<&str> {
    let (path, _) = repo.rsplit_once('/')?;
    let last = path.rsplit('/').next().unwrap_or(path);
    let registry_only = !path.contains('/') && (path.contains('.') || path.contains(':'));
    (!registry_only && !MANY_PRODUCT_OWNERS.contains(&last)).then_some(path)
}

/// Whether two image repositories come from one vendor: the same owner
/// (`ghcr.io/mailu/admin`, `ghcr.io/mailu/dovecot`; see [`image_owner`]).
pub(super) fn same_vendor(a: &str, b: &str) -> bool {
    image_owner(a).is_some_and(|x| image_owner(b) == Some(x))
}

/// The image repositories a pod's containers run (its init containers left out).
pub(crate) fn repos(pod: &Value) -> Vec<String> {
    pod.get("containers")
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|c| c.get("image").and_then(Value::as_str))
        .map(|i| crate::detect::image_repository(i).to_string())
        .collect()
}

/// Whether every container of a pod runs a telemetry sink's or a forward
/// proxy's image ([`SIDE_IMAGES`]).
pub(super) fn side_service(pod: &Value) -> bool {
    let containers = pod.get("containers").map(Value::items).unwrap_or(&[]);
    !containers.is_empty()
        && containers.iter().all(|c| {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            SIDE_IMAGES.contains(&image_name(image).as_str())
        })
}

#[cfg(test)]
mod tests {
    use super::{data_product, names_data};

    /// A repository of many services, told apart by tag, is read by its tag;
    /// an app's tag that names its database before a version is not.
    #[test]
    fn a_tag_names_the_service_of_a_repository_of_many() {
        assert_eq!(
            data_product("ghcr.io/mestre8d/bigcapital-docker:mariadb-10"),
            Some("MariaDB")
        );
        assert_eq!(
            data_product("ghcr.io/mestre8d/bigcapital-docker:redis-6"),
            Some("Redis")
        );
        for app in [
            "ghcr.io/umami-software/umami:postgresql-v2.20.1",
            "ghcr.io/mestre8d/bigcapital-docker:server-1.2",
            "registry:5000/app:postgres-exporter",
        ] {
            assert_eq!(data_product(app), None, "{app}");
        }
    }

    #[test]
    fn data_image_names_with_vendors_suffixes_and_versions() {
        for (base, name) in [
            ("postgres", "postgres"),
            ("postgresql-repmgr", "postgresql"),
            ("redis-stack-server", "redis"),
            ("spilo-16", "spilo"),
            ("zulip-postgresql", "postgresql"),
            ("twenty-postgres-spilo", "postgres"),
        ] {
            assert!(names_data(base, name), "{base}");
        }
        for (base, name) in [
            ("postgres-exporter", "postgres"),
            ("redis-commander", "redis"),
            ("datahub-mysql-setup", "mysql"),
            ("acme-app-postgres", "postgres"),
            ("postgresql", "postgres"),
        ] {
            assert!(!names_data(base, name), "{base}");
        }
    }
}
