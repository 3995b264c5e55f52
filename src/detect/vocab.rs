//! Word lists detection reads commands with.

/// Programs that only print, set up the shell or move files.
#[rustfmt::skip]
pub const NOISE: &[&str] = &[
    "echo", "printf", "set", "export", "sleep", "true", "false", "exit", "cd", "source", ".",
    "mkdir", "cp", "mv", "rm", "ln", "chmod", "chown", "cat", "test", "[", "[[", "info", "log",
    "trap", "unset", "local", "shift", "wait", "ls", "touch", "tee", "date", "env", "id", "whoami",
    "hostname", "umask", "ulimit", "read", "return", ":", "pwd", "printenv", "declare", "readonly",
    "let", "type", "which", "tr", "sed", "awk", "grep", "cut", "head", "tail", "basename",
    "dirname", "debug", "warn", "error", "echo_info", "log_info", "sync",
];

/// Programs that are never an app CLI (no verb rule for them).
#[rustfmt::skip]
pub const SYSTEM: &[&str] = &[
    "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "pip", "pip3", "helm", "kubectl",
    "git", "curl", "wget", "brew", "kubeadm", "linkerd", "istioctl", "aws", "gcloud", "az",
    "gsutil", "tar", "gzip", "unzip", "find", "xargs", "openssl", "ssh", "scp", "rsync", "docker",
    "systemctl", "service", "update-ca-certificates", "composer", "gem", "go", "cargo", "conda",
    "snap", "flux", "argocd", "terraform", "vault", "jq", "yq", "envsubst", "nc", "ncat", "telnet",
    "ping", "nslookup", "dig", "mc", "s3cmd", "rclone", "pg_dump", "pg_restore", "mysqldump",
    "redis-cli", "java", "keytool",
];

/// Database clients whose input may carry SQL DDL.
#[rustfmt::skip]
pub const SQL_CLIENTS: &[&str] = &[
    "psql", "mysql", "mariadb", "sqlcmd", "cqlsh", "clickhouse-client", "clickhouse", "sqlite3",
    "sqlplus", "usql", "cockroach", "postgresql_remote_execute", "postgresql_execute",
    "mysql_remote_execute", "mysql_execute", "mariadb_remote_execute", "mariadb_execute", "isql",
    "mongosh", "ysqlsh", "vsql", "trino", "bq",
];

/// Programs that wait for something.
#[rustfmt::skip]
pub const WAITERS: &[&str] = &[
    "wait-for-it", "wait-for", "waitfor", "wait4x", "dockerize", "k8s-wait-for",
    "kubernetes-entrypoint", "pg_isready", "wait_for_db", "wait-for-db", "mysqladmin",
];

/// Programs that serve (long-running).
#[rustfmt::skip]
pub const SERVERS: &[&str] = &[
    "gunicorn", "uvicorn", "daphne", "hypercorn", "puma", "unicorn", "thin", "passenger",
    "php-fpm", "apache2-foreground", "httpd", "nginx", "caddy", "supervisord", "celery", "sidekiq",
    "granian", "waitress-serve", "runserver", "node", "frankenphp", "rr",
];

/// Programs that serve until stopped whatever their arguments (a web server,
/// a process supervisor, a queue worker): a Job that runs one never
/// completes. Their options that only test or print and exit are
/// [`SERVER_EXIT_FLAGS`].
pub const NEVER_EXITING_SERVERS: &[&str] = &[
    "php-fpm",
    "apache2-foreground",
    "httpd-foreground",
    "httpd",
    "apache2",
    "nginx",
    "supervisord",
    "gunicorn",
    "uvicorn",
    "daphne",
    "hypercorn",
    "granian",
    "waitress-serve",
    "puma",
    "unicorn",
    "frankenphp",
    "sidekiq",
];

/// Options with which a [`NEVER_EXITING_SERVERS`] program exits (`nginx -t`,
/// `php-fpm --test`, `httpd -v`).
pub const SERVER_EXIT_FLAGS: &[&str] = &[
    "-t",
    "-T",
    "-tt",
    "--test",
    "-v",
    "-V",
    "--version",
    "-h",
    "--help",
    "-M",
    "-S",
];

/// Positional words of an app CLI that serve.
#[rustfmt::skip]
pub const SERVE_VERBS: &[&str] = &[
    "serve", "server", "start", "run", "web", "worker", "runserver", "daemon", "s", "start-prod",
];

/// Words of a command that runs a background worker or scheduler beside the
/// app (`php artisan horizon`, `celery … worker`, `rails jobs:work`): with
/// a `command` of its own it skips the image's entrypoint, and a start-up
/// migration switch in the env it shares with the app means nothing to it.
#[rustfmt::skip]
pub const WORKER_WORDS: &[&str] = &[
    "horizon", "queue:work", "queue:listen", "schedule:work", "schedule:run", "worker",
    "beat", "celery", "sidekiq", "jobs:work", "rqworker", "cron",
];

/// Flags that turn a migrate command into a check.
#[rustfmt::skip]
pub const CHECK_FLAGS: &[&str] = &[
    "--check", "--plan", "--dry-run", "--dryrun", "--status", "--pending*", "--list",
    "--check-only", "--exit-code", "--current-db-version", "--validate-only",
];

/// Flags that turn a migrate command into something else.
#[rustfmt::skip]
pub const OTHER_FLAGS: &[&str] = &[
    "--sql", "--help", "-h", "--version", "--supported-db-version", "--fake",
];

/// Waiting programs that only ever wait for a database or a Job.
#[rustfmt::skip]
pub const DB_WAITERS: &[&str] = &[
    "pg_isready", "mysqladmin", "k8s-wait-for", "kubernetes-entrypoint", "wait_for_db",
    "wait-for-db",
];

/// Commands that only set up an empty database and fail on one they set up:
/// the program (a word's last path part) and the words that must follow it.
/// A shell list with `||` (`init || migrate`) is the idempotent form.
pub const SET_UP_ONLY: &[(&str, &[&str])] = &[
    ("schematool", &["-initschema"]),
    ("schematool", &["-initschemato"]),
    ("boundary", &["database", "init"]),
    // Rails: load the schema over the database (production refuses it as
    // destructive; elsewhere it drops the tables) or drop and recreate it.
    ("rake", &["db:setup"]),
    ("rails", &["db:setup"]),
    ("rake", &["db:schema:load"]),
    ("rails", &["db:schema:load"]),
    ("rake", &["db:reset"]),
    ("rails", &["db:reset"]),
    // InvenioRDM's set-up chain (helm-invenio's install Job): indices that
    // exist fail `index init` without `--force`, a role that exists fails
    // `roles create`.
    ("invenio", &["index", "init"]),
    ("invenio", &["roles", "create"]),
];

/// A flag that makes a [`SET_UP_ONLY`] command safe to rerun, by program
/// (`invenio index init --force` skips the indices that exist).
pub const SET_UP_RERUN_FLAGS: &[(&str, &str)] = &[("invenio", "--force")];

/// Programs that only print or wait: a Job that runs only them is no migration.
pub const PRINTS: &[&str] = &["echo", "printf", "sleep", "true", "date"];

/// Object storage clients: a Job that runs only them (MinIO's bucket
/// provisioning with `mc`) makes buckets, never the app's schema.
pub const OBJECT_STORE_CLIENTS: &[&str] = &["mc", "s3cmd", "rclone"];

/// Kubernetes API clients: a Job that runs only them (SpiceDB's
/// `…-migration-cleanup` hook, `kubectl delete jobs -l …`) works on objects,
/// never on the app's schema, whatever its name says; one that runs a
/// migration through them (`kubectl exec … -- rake db:migrate`) is read from
/// its command first.
pub const KUBE_CLIENTS: &[&str] = &["kubectl", "oc"];

/// Images that hold only an HTTP client and a shell (repositories, registry
/// left out): a Job that runs only them calls an API (Bitbucket's hooks
/// register Mesh nodes through its REST API), never a migration tool; a
/// migration it triggers over HTTP is read from its command first.
pub const HTTP_CLIENT_IMAGES: &[&str] = &[
    "curlimages/curl",
    "alpine/curl",
    "appropriate/curl",
    "byrnedo/alpine-curl",
    "badouralix/curl-jq",
];
