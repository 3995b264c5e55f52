//! Detection of images whose own entrypoint migrates, then serves: the tool
//! table's image rows, their `serves` commands, off switches and the command
//! that only migrates.

use super::*;
use crate::yaml::Value;

/// Langfuse's web image migrates PostgreSQL and ClickHouse at start, then
/// serves, unless both of its switches are off; its worker image never does.
#[test]
fn langfuse_web_migrates_then_serves_unless_switched_off() {
    let pod = |image: &str, pg: &str, ch: &str| {
        let env = [
            ("LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED", pg),
            ("LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED", ch),
        ]
        .map(|(n, v)| Value::map([("name", Value::str(n)), ("value", Value::str(v))]));
        let c = Value::map([
            ("name", Value::str("langfuse-web")),
            ("image", Value::str(image)),
            ("env", Value::Seq(env.into_iter().collect())),
        ]);
        classify_container(&c, &no_scripts)
    };
    let web = "langfuse/langfuse:3.124.1";
    let v = pod(web, "false", "false");
    assert_eq!(v.kind, Kind::MigratesThenServes);
    assert_eq!(
        crate::detect::tools::migrate_only(v.tool.unwrap()),
        Some("./web/entrypoint.sh true")
    );
    // One database still migrated at start is still a race.
    assert_eq!(pod(web, "true", "false").kind, Kind::MigratesThenServes);
    assert_ne!(pod(web, "true", "true").kind, Kind::MigratesThenServes);
    let worker = "langfuse/langfuse-worker:3.124.1";
    assert_ne!(pod(worker, "false", "false").kind, Kind::MigratesThenServes);
}

/// How a container of `image` running `command` with `env` is classified.
fn kind(image: &str, command: &[&str], env: &[(&str, &str)]) -> Kind {
    let mut c = Value::map([("name", Value::str("app")), ("image", Value::str(image))]);
    if !command.is_empty() {
        c.set(
            "command",
            Value::Seq(command.iter().map(|w| Value::str(*w)).collect()),
        );
    }
    let env = env
        .iter()
        .map(|(n, v)| Value::map([("name", Value::str(*n)), ("value", Value::str(*v))]));
    c.set("env", Value::Seq(env.collect()));
    classify_container(&c, &no_scripts).kind
}

/// Images whose entrypoint migrates, then serves: NetBox's and Unleash's
/// (with no `command`), n8n's serving commands; a `command` of its own (NetBox's
/// worker) or an off switch (Unleash's) is not one, nor are n8n's one-shot tools.
#[test]
fn image_entrypoints_that_migrate_then_serve() {
    let serves = Kind::MigratesThenServes;
    assert_eq!(
        kind("ghcr.io/netbox-community/netbox:v4.1.7", &[], &[]),
        serves
    );
    let worker = [
        "/opt/netbox/venv/bin/python",
        "/opt/netbox/netbox/manage.py",
        "rqworker",
    ];
    assert_ne!(
        kind("ghcr.io/netbox-community/netbox:v4.1.7", &worker, &[]),
        serves
    );
    assert_eq!(kind("unleashorg/unleash-server:7.3.0", &[], &[]), serves);
    assert_eq!(kind("penpotapp/backend:2.11.1", &[], &[]), serves);
    assert_ne!(kind("penpotapp/frontend:2.11.1", &[], &[]), serves);
    let off = [("DATABASE_DISABLE_MIGRATION", "true")];
    assert_ne!(kind("unleashorg/unleash-server:7.3.0", &[], &off), serves);
}

/// n8n's serving commands, Bitnami's entrypoint script called with what it
/// runs, Mattermost's server: each is its image's tool.
#[test]
fn serving_commands_of_image_tools() {
    let serves = Kind::MigratesThenServes;
    for argv in [
        &["n8n"][..],
        &["n8n", "worker"],
        &["n8n", "webhook"],
        &["n8n", "start"],
    ] {
        assert_eq!(kind("n8nio/n8n:1.109.1", argv, &[]), serves, "{argv:?}");
    }
    assert_eq!(kind("n8nio/n8n:1.109.1", &[], &[]), serves);
    // Bitnami's entrypoint script called with what it runs: the image's tool.
    let bitnami = "docker.io/bitnami/discourse:3.2.2-debian-12-r0";
    let run = |script: &str| {
        let line = format!(
            "/opt/bitnami/scripts/discourse/entrypoint.sh /opt/bitnami/scripts/{script}/run.sh"
        );
        kind(bitnami, &["/bin/bash", "-c", &line], &[])
    };
    assert_eq!(run("discourse"), serves);
    assert_ne!(run("discourse-sidekiq"), serves);
    assert_eq!(kind(bitnami, &[], &[]), serves);
    let mattermost = "mattermost/mattermost-team-edition:10.6.0";
    assert_eq!(kind(mattermost, &[], &[]), serves);
    assert_eq!(
        kind(mattermost, &["mattermost", "db", "migrate"], &[]),
        Kind::Migration
    );
    assert_ne!(
        kind(mattermost, &["mattermost", "db", "version"], &[]),
        Kind::Migration
    );
    assert_eq!(
        kind("n8nio/n8n:1.109.1", &["n8n", "list:workflow"], &[]),
        Kind::Migration
    );
    let import = ["n8n", "import:workflow", "--input=/data"];
    assert!(!classify_container(
        &Value::map([
            ("name", Value::str("i")),
            ("image", Value::str("n8nio/n8n:1")),
            (
                "command",
                Value::Seq(import.iter().map(|w| Value::str(*w)).collect())
            )
        ]),
        &no_scripts
    )
    .is_migration());
}

/// authentik's `ak server` migrates first: the Job PM011 advises runs `ak migrate`.
#[test]
fn authentik_migrate_only_command() {
    assert_eq!(
        crate::detect::tools::migrate_only("authentik"),
        Some("ak migrate")
    );
    assert_eq!(crate::detect::tools::migrate_only("Kong"), None);
}

/// How a container of `image` whose args are `args` (the image's entrypoint
/// runs them), with `env`, is classified.
fn with_args(image: &str, args: &[&str], env: &[(&str, &str)]) -> Kind {
    let env = env
        .iter()
        .map(|(n, v)| Value::map([("name", Value::str(*n)), ("value", Value::str(*v))]));
    let c = Value::map([
        ("name", Value::str("app")),
        ("image", Value::str(image)),
        (
            "args",
            Value::Seq(args.iter().map(|w| Value::str(*w)).collect()),
        ),
        ("env", Value::Seq(env.collect())),
    ]);
    classify_container(&c, &no_scripts).kind
}

/// LiteLLM's proxy serves with flags only, and migrates first unless
/// `DISABLE_SCHEMA_UPDATE=true`; `--skip_server_startup` only migrates.
#[test]
fn litellm_proxy_serves_with_flags_and_migrates_first() {
    let image = "ghcr.io/berriai/litellm-database:main-v1.80.12";
    let flags = ["--config", "/etc/litellm/config.yaml", "--port=4000"];
    assert_eq!(with_args(image, &flags, &[]), Kind::MigratesThenServes);
    let off = [("DISABLE_SCHEMA_UPDATE", "true")];
    assert_ne!(with_args(image, &flags, &off), Kind::MigratesThenServes);
    let only = ["--use_prisma_migrate", "--skip_server_startup"];
    assert_eq!(with_args(image, &only, &[]), Kind::Migration);
}

/// Flagsmith's api image: `migrate` only migrates, `migrate-and-serve` (and
/// no argument) migrates, then serves; `serve` and the task processor do not.
#[test]
fn flagsmith_api_by_its_argument() {
    let image = "flagsmith/flagsmith-api:2.238.0";
    assert_eq!(with_args(image, &["migrate"], &[]), Kind::Migration);
    let serving = with_args(image, &["migrate-and-serve"], &[]);
    assert_eq!(serving, Kind::MigratesThenServes);
    for other in ["serve", "run-task-processor"] {
        assert_eq!(with_args(image, &[other], &[]), Kind::Other, "{other}");
    }
}

/// Nautobot's entrypoint runs `post_upgrade` before any argument, unless
/// `NAUTOBOT_DOCKER_SKIP_INIT=true`.
#[test]
fn nautobot_entrypoint_migrates_before_its_arguments() {
    let image = "ghcr.io/nautobot/nautobot:2.0.5-py3.11";
    let echo = ["echo", "Nautobot Initialization Done"];
    assert_eq!(with_args(image, &echo, &[]), Kind::Migration);
    assert_eq!(with_args(image, &[], &[]), Kind::MigratesThenServes);
    let off = [("NAUTOBOT_DOCKER_SKIP_INIT", "true")];
    assert_ne!(with_args(image, &[], &off), Kind::MigratesThenServes);
}

/// Kestra's servers run Flyway at start unless Micronaut's
/// `FLYWAY_DATASOURCES_<NAME>_ENABLED=false`; `sys database migrate` only
/// migrates; `server local` runs on an in-memory database.
#[test]
fn kestra_servers_migrate_first_unless_flyway_is_off() {
    let image = "kestra/kestra:v0.19.12";
    let worker = ["server", "worker", "--thread=128"];
    assert_eq!(with_args(image, &worker, &[]), Kind::MigratesThenServes);
    let off = [("FLYWAY_DATASOURCES_POSTGRES_ENABLED", "false")];
    assert_ne!(with_args(image, &worker, &off), Kind::MigratesThenServes);
    let on = [("FLYWAY_DATASOURCES_POSTGRES_ENABLED", "true")];
    assert_eq!(with_args(image, &worker, &on), Kind::MigratesThenServes);
    let only = ["sys", "database", "migrate"];
    assert_eq!(with_args(image, &only, &[]), Kind::Migration);
    assert_eq!(with_args(image, &["server", "local"], &[]), Kind::Other);
}

/// Weblate's entrypoint migrates, then runs its argument: `runserver` (and
/// none) serves, `migrate` only migrates.
#[test]
fn weblate_entrypoint_migrates_then_serves() {
    let image = "weblate/weblate:5.16.2.1";
    assert_eq!(with_args(image, &[], &[]), Kind::MigratesThenServes);
    assert_eq!(
        with_args(image, &["runserver"], &[]),
        Kind::MigratesThenServes
    );
    assert_eq!(with_args(image, &["migrate"], &[]), Kind::Migration);
}

/// Firefly III's core image migrates at start, then serves.
#[test]
fn firefly_core_migrates_then_serves() {
    let image = "fireflyiii/core:version-6.2.9";
    assert_eq!(with_args(image, &[], &[]), Kind::MigratesThenServes);
}

/// Activepieces' app migrates at start under a Redis lock (PM016: no
/// command only migrates); its worker container type does not migrate.
#[test]
fn activepieces_app_migrates_its_worker_does_not() {
    let image = "ghcr.io/activepieces/activepieces:0.64.2";
    assert_eq!(with_args(image, &[], &[]), Kind::MigratesThenServes);
    let worker = [("AP_CONTAINER_TYPE", "WORKER")];
    assert_ne!(with_args(image, &[], &worker), Kind::MigratesThenServes);
}

/// Umami's image migrates (Prisma, under its advisory lock), then serves,
/// unless `SKIP_DB_CHECK` or `SKIP_DB_MIGRATION` is set.
#[test]
fn umami_migrates_then_serves_unless_skipped() {
    let image = "ghcr.io/umami-software/umami:postgresql-v2.20.1";
    assert_eq!(with_args(image, &[], &[]), Kind::MigratesThenServes);
    for off in ["SKIP_DB_CHECK", "SKIP_DB_MIGRATION"] {
        let env = [(off, "1")];
        assert_ne!(
            with_args(image, &[], &env),
            Kind::MigratesThenServes,
            "{off}"
        );
    }
}

/// Metabase's image migrates (Liquibase, under its lock), then serves; on H2
/// (a file in each pod) there is nothing to share; `migrate print` only prints.
#[test]
fn metabase_migrates_then_serves_on_a_shared_database() {
    let image = "metabase/metabase:v0.47.2";
    let pg = [("MB_DB_TYPE", "postgres")];
    assert_eq!(with_args(image, &[], &pg), Kind::MigratesThenServes);
    let h2 = [("MB_DB_TYPE", "h2")];
    assert_ne!(with_args(image, &[], &h2), Kind::MigratesThenServes);
    assert_eq!(with_args(image, &["migrate", "up"], &pg), Kind::Migration);
    assert_eq!(with_args(image, &["migrate", "print"], &pg), Kind::Other);
}

/// Keycloak's image migrates under its lock (PM016); keycloak-config-cli,
/// which calls Keycloak's API, is never a migration; Bitnami Redmine's
/// entrypoint migrates, then serves.
#[test]
fn keycloak_config_cli_and_redmine_images() {
    let kc = "docker.io/bitnami/keycloak:24.0.5-debian-12-r0";
    assert_eq!(with_args(kc, &[], &[]), Kind::MigratesThenServes);
    let cli = "docker.io/bitnami/keycloak-config-cli:5.12.0-debian-12-r5";
    assert_ne!(with_args(cli, &[], &[]), Kind::Migration);
    let redmine = "docker.io/bitnami/redmine:5.1.2-debian-12-r10";
    assert_eq!(with_args(redmine, &[], &[]), Kind::MigratesThenServes);
}

/// The third round's images that migrate at start, then serve (their
/// advice is the tool's command that only migrates); Miniflux's switch
/// names its `-migrate`; listmonk migrates by flags.
#[test]
fn start_up_rows() {
    for (image, tool) in [
        (
            "ghcr.io/paperless-ngx/paperless-ngx:2.20.10",
            "Paperless-ngx",
        ),
        ("outlinewiki/outline:1.1.0", "Outline"),
        ("calcom/cal.com:v4.6.5", "Cal.com"),
        ("directus/directus:11.13.0", "Directus image"),
        ("invoiceninja/invoiceninja:5.1.64", "Invoice Ninja"),
    ] {
        // Paperless-ngx names its database server in PAPERLESS_DBHOST (none: SQLite).
        let server = [("PAPERLESS_DBHOST", "pg")];
        assert_eq!(
            with_args(image, &[], &server),
            Kind::MigratesThenServes,
            "{image}"
        );
        assert!(crate::detect::tools::migrate_only(tool).is_some(), "{tool}");
    }
    // Paperless on SQLite migrates a file of each pod: nothing shared to race for.
    let sqlite = [("PAPERLESS_DBENGINE", "sqlite")];
    let paperless = "ghcr.io/paperless-ngx/paperless-ngx:2.20.10";
    assert_ne!(with_args(paperless, &[], &sqlite), Kind::MigratesThenServes);
    assert_ne!(with_args(paperless, &[], &[]), Kind::MigratesThenServes);
    let ninja = "invoiceninja/invoiceninja:5.1.64";
    let migrate = ["docker-entrypoint", "php", "artisan", "migrate", "--force"];
    assert_eq!(kind(ninja, &migrate, &[]), Kind::Migration);
    let miniflux = "miniflux/miniflux:2.1.3";
    let c = Value::map([
        ("name", Value::str("miniflux")),
        ("image", Value::str(miniflux)),
        (
            "env",
            Value::Seq(
                [Value::map([
                    ("name", Value::str("RUN_MIGRATIONS")),
                    ("value", Value::str("1")),
                ])]
                .into_iter()
                .collect(),
            ),
        ),
    ]);
    let v = classify_container(&c, &no_scripts);
    assert_eq!(v.kind, Kind::MigratesThenServes);
    assert_eq!(v.command.as_deref(), Some("miniflux -migrate"));
    let listmonk = "listmonk/listmonk:v4.1.0";
    let upgrade = ["./listmonk", "--upgrade", "--yes"];
    assert_eq!(kind(listmonk, &upgrade, &[]), Kind::Migration);
    let wipe = ["./listmonk", "--install", "--yes"];
    assert_ne!(kind(listmonk, &wipe, &[]), Kind::Migration);
}

/// The fourth round's rows: images that migrate at start whatever their
/// arguments (Shlink, Kimai), locked ones with no command that only migrates
/// (Rocket.Chat) and their microservices, which never migrate; a database in
/// a file by default (Vaultwarden without a server URL, Mealie without
/// `DB_ENGINE`) races nobody.
#[test]
fn start_up_rows_of_the_fourth_round() {
    let serves = Kind::MigratesThenServes;
    assert_eq!(
        with_args("shlinkio/shlink:5.1.5", &[], &[("DB_DRIVER", "postgres")]),
        serves
    );
    assert_eq!(
        with_args(
            "shlinkio/shlink:5.1.5",
            &["x"],
            &[("DB_DRIVER", "postgres")]
        ),
        serves
    );
    assert_ne!(with_args("shlinkio/shlink-web-client:4", &[], &[]), serves);
    assert_ne!(
        with_args("shlinkio/shlink:5.1.5", &[], &[("DB_DRIVER", "sqlite")]),
        serves
    );
    assert_eq!(
        with_args("kimai/kimai2:apache-2.18.0-prod", &["x"], &[]),
        serves
    );
    let kimai = ["/opt/kimai/bin/console", "kimai:update", "-n"];
    assert_eq!(kind("kimai/kimai2:apache", &kimai, &[]), Kind::Migration);
    let rc = "registry.rocket.chat/rocketchat/rocket.chat:7.9.0";
    let v = {
        let c = Value::map([("name", Value::str("rc")), ("image", Value::str(rc))]);
        classify_container(&c, &no_scripts)
    };
    assert_eq!((v.kind, v.tool), (serves, Some("Rocket.Chat")));
    assert_ne!(
        with_args("rocketchat/ddp-streamer-service:7.9.0", &[], &[]),
        serves
    );
    let pg = [("DATABASE_URL", "postgresql://vw:pw@pg/vw")];
    assert_eq!(
        with_args("vaultwarden/server:1.36.0-alpine", &[], &pg),
        serves
    );
    let sqlite = [("DATABASE_URL", "/data/db.sqlite3")];
    assert_ne!(
        with_args("vaultwarden/server:1.36.0-alpine", &[], &sqlite),
        serves
    );
    assert_ne!(
        with_args("vaultwarden/server:1.36.0-alpine", &[], &[]),
        serves
    );
    let mealie = "ghcr.io/mealie-recipes/mealie:v3.20.1";
    assert_eq!(with_args(mealie, &[], &[("DB_ENGINE", "postgres")]), serves);
    assert_ne!(with_args(mealie, &[], &[]), serves);
    assert_eq!(with_args("lightdash/lightdash:2.77.0", &[], &[]), serves);
    let authelia = ["authelia", "storage", "migrate", "up"];
    assert_eq!(
        kind("ghcr.io/authelia/authelia:4.38.0", &authelia, &[]),
        Kind::Migration
    );
}

/// The fifth round's rows: images that migrate at start with no command
/// that only migrates (NocoDB, HedgeDoc, Bitnami Moodle, Woodpecker's
/// server: PM016), and with one (BookStack, Semaphore UI, pretix, whose
/// `AUTOMIGRATE=skip` turns it off); Woodpecker's SQLite default and
/// Semaphore's BoltDB are files of the pod; agents never migrate.
#[test]
fn start_up_rows_of_the_fifth_round() {
    let serves = Kind::MigratesThenServes;
    for image in [
        "nocodb/nocodb:2026.06.1",
        "quay.io/hedgedoc/hedgedoc:1.9.7",
        "docker.io/bitnami/moodle:4.4.0-debian-12-r3",
        "lscr.io/linuxserver/bookstack:version-v26.05.2",
        "semaphoreui/semaphore:v2.10.32",
        "pretix/standalone:2025.8.0",
    ] {
        assert_eq!(with_args(image, &[], &[]), serves, "{image}");
    }
    let woodpecker = "docker.io/woodpeckerci/woodpecker-server:v3.12.0";
    let pg = [("WOODPECKER_DATABASE_DRIVER", "postgres")];
    assert_eq!(with_args(woodpecker, &[], &pg), serves);
    assert_ne!(with_args(woodpecker, &[], &[]), serves);
    assert_ne!(
        with_args("woodpeckerci/woodpecker-agent:v3.12.0", &[], &[]),
        serves
    );
    let pretix = "pretix/standalone:2025.8.0";
    assert_eq!(with_args(pretix, &["web"], &[]), serves);
    assert_ne!(
        with_args(pretix, &["web"], &[("AUTOMIGRATE", "skip")]),
        serves
    );
    assert_ne!(with_args(pretix, &["cron"], &[]), serves);
    assert_eq!(kind(pretix, &["pretix", "migrate"], &[]), Kind::Migration);
    let semaphore = ["semaphore", "server"];
    assert_eq!(
        kind("semaphoreui/semaphore:v2.10.32", &semaphore, &[]),
        serves
    );
    let bolt = [("SEMAPHORE_DB_DIALECT", "bolt")];
    assert_ne!(
        kind("semaphoreui/semaphore:v2.10.32", &semaphore, &bolt),
        serves
    );
    let migrate = ["semaphore", "migrate"];
    assert_eq!(
        kind("semaphoreui/semaphore:v2.10.32", &migrate, &[]),
        Kind::Migration
    );
}

/// Gitea's and Forgejo's database type in `app.ini` or their charts' inline
/// config: SQLite is a file of the pod.
#[test]
fn a_configuration_line_names_a_file_database() {
    let line = crate::detect::file_database_line;
    assert_eq!(
        line("[database]\nDB_TYPE = sqlite3\nPATH = /data/gitea.db\n").as_deref(),
        Some("`DB_TYPE=sqlite3`")
    );
    assert_eq!(
        line("DB_TYPE=\"sqlite3\"").as_deref(),
        Some("`DB_TYPE=sqlite3`")
    );
    assert_eq!(line("DB_TYPE=postgres\nHOST=pg:5432"), None);
    // The Zero to JupyterHub chart's values in its hub Secret (YAML).
    let hub = "hub:\n  db:\n    password: null\n    type: sqlite-pvc\n    url: null\n";
    assert_eq!(line(hub).as_deref(), Some("`type: sqlite-pvc`"));
    assert_eq!(line("hub:\n  db:\n    type: postgres\n"), None);
    // Flipt's chart config: a `file:` URL of a database file.
    let flipt = "db:\n  max_idle_conn: 2\n  url: file:/var/opt/flipt/flipt.db\n";
    assert_eq!(
        line(flipt).as_deref(),
        Some("`url: file:/var/opt/flipt/flipt.db`")
    );
    assert_eq!(line("db:\n  url: postgres://flipt@pg:5432/flipt\n"), None);
    assert_eq!(line("ui:\n  url: file:///srv/ui/index.html\n"), None);
}

/// SQLAlchemy's URLs name a driver after a `+`: `sqlite+aiosqlite:` is a
/// file as `sqlite:` is (Prefect's); a Job built from the pod is refused.
#[test]
fn a_sqlalchemy_driver_url_is_a_file_database() {
    let c = |url: &str| {
        crate::yaml::Value::map([(
            "env",
            crate::yaml::Value::Seq(
                vec![crate::yaml::Value::map([
                    (
                        "name",
                        crate::yaml::Value::str("PREFECT_API_DATABASE_CONNECTION_URL"),
                    ),
                    ("value", crate::yaml::Value::str(url)),
                ])]
                .into(),
            ),
        )])
    };
    assert!(crate::detect::file_database(&c("sqlite+aiosqlite:////data/prefect.db")).is_some());
    assert!(crate::detect::file_database(&c("postgresql+asyncpg://db:5432/prefect")).is_none());
}

/// A worker with a command of its own beside the app (Laravel's Horizon,
/// Celery) shares the app's env but skips the image's entrypoint that reads a
/// start-up migration switch: it does not migrate. A server the image's
/// program reads the switch in does.
#[test]
fn a_worker_ignores_the_apps_migration_switch() {
    let on = [("DB_APPLY_NEW_MIGRATIONS_AUTOMATICALLY", "true")];
    let image = "pixelfed/pixelfed:v0.12";
    let serves = Kind::MigratesThenServes;
    assert_ne!(kind(image, &["php", "artisan", "horizon"], &on), serves);
    assert_ne!(kind(image, &["celery", "-A", "app", "worker"], &on), serves);
    assert_eq!(kind(image, &["node", "server.js"], &on), serves);
    // wger: a script named for the worker, and a management command of
    // another task beside the chart's shared `DJANGO_PERFORM_MIGRATIONS`.
    let wger = [("DJANGO_PERFORM_MIGRATIONS", "True")];
    let image = "wger/server:latest";
    assert_ne!(kind(image, &["/start-beat"], &wger), serves);
    assert_ne!(kind(image, &["/start-worker"], &wger), serves);
    let task = ["./manage.py", "setup-powersync-storage"];
    assert_eq!(kind(image, &task, &wger), Kind::Other);
    // Django's SQLite engine is a file of the pod.
    let django = [("DB_ENGINE", "django.db.backends.sqlite3")];
    assert_eq!(
        crate::detect::file_database(&container_with_env(&django)).as_deref(),
        Some("`DB_ENGINE=django.db.backends.sqlite3`")
    );
    // Gitea's, Forgejo's and Vikunja's spellings as env.
    for (n, v) in [("DB_TYPE", "sqlite3"), ("VIKUNJA_DATABASE_TYPE", "sqlite")] {
        assert!(crate::detect::file_database(&container_with_env(&[(n, v)])).is_some());
    }
    assert!(
        crate::detect::file_database(&container_with_env(&[("DB_TYPE", "postgres")])).is_none()
    );
    // Mailu's chart keeps a SQLite URL beside `DB_FLAVOR=postgresql`, which
    // the app builds its connection from: the URL is a default it overrides.
    let uri = ("SQLALCHEMY_DATABASE_URI", "sqlite:////data/main.db");
    assert!(crate::detect::file_database(&container_with_env(&[uri])).is_some());
    let flavored = [uri, ("DB_FLAVOR", "postgresql")];
    assert!(crate::detect::file_database(&container_with_env(&flavored)).is_none());
}

fn container_with_env(env: &[(&str, &str)]) -> Value {
    let env = env
        .iter()
        .map(|(n, v)| Value::map([("name", Value::str(*n)), ("value", Value::str(*v))]));
    Value::map([("env", Value::Seq(env.collect()))])
}

/// A tag glob tells an image's tags apart: Hasura's cli-migrations tags
/// migrate at start, its plain ones do not; Concourse's workers never open
/// the database its web migrates.
#[test]
fn tags_and_subcommands_tell_apart() {
    assert_eq!(
        kind("hasura/graphql-engine:v2.48.3.cli-migrations-v3", &[], &[]),
        Kind::MigratesThenServes
    );
    assert_ne!(
        kind("hasura/graphql-engine:v2.48.3", &[], &[]),
        Kind::MigratesThenServes
    );
    let worker = crate::yaml::Value::map([
        (
            "image",
            crate::yaml::Value::str("concourse/concourse:7.4.0"),
        ),
        (
            "args",
            crate::yaml::Value::Seq(vec![crate::yaml::Value::str("worker")].into()),
        ),
    ]);
    assert!(crate::detect::never_opens_database(&worker));
    let web = crate::yaml::Value::map([
        (
            "image",
            crate::yaml::Value::str("concourse/concourse:7.4.0"),
        ),
        (
            "args",
            crate::yaml::Value::Seq(vec![crate::yaml::Value::str("web")].into()),
        ),
    ]);
    assert!(!crate::detect::never_opens_database(&web));
}
