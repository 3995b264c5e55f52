//! Applications whose own CLI migrates their schema.

use super::{tool, Tool};

/// App CLIs.
pub const APPS: &[Tool] = &[
    Tool {
        migrate: &["migrate apply", "metadata apply", "deploy"],
        checks: &["migrate status", "metadata diff", "metadata inconsistency"],
        not: &[
            "migrate create",
            "migrate squash",
            "migrate delete",
            "metadata export",
            "console",
        ],
        ..tool("Hasura", &["hasura", "hasura-cli"])
    },
    Tool {
        migrate: &[
            "migrations bootstrap",
            "migrations up",
            "migrations finish",
            "migrations upgrade",
        ],
        checks: &["migrations list"],
        not: &["migrations reset"],
        ..tool("Kong", &["kong"])
    },
    Tool {
        migrate: &["migrate sql", "migrate up"],
        checks: &["migrate status"],
        not: &["migrate down", "migrate create"],
        ..tool("Ory (Hydra, Kratos, Keto)", &["hydra", "kratos", "keto"])
    },
    Tool {
        // `hanko migrate up|down` (backend/cmd/migrate): gobuffalo/pop
        // migrations, each in its own transaction; `serve` does not migrate.
        migrate: &["migrate up"],
        not: &["migrate down"],
        images: &["*teamhanko/hanko"],
        ..tool("Hanko", &["hanko"])
    },
    Tool {
        // `nakama migrate up|down|status` (its migrate package: each migration
        // in its own transaction, no lock); the server refuses to start while
        // migrations are pending and never migrates itself.
        migrate: &["migrate up"],
        checks: &["migrate status"],
        not: &["migrate down", "migrate redo"],
        images: &["*heroiclabs/nakama"],
        ..tool("Nakama", &["nakama"])
    },
    Tool {
        migrate: &["init", "setup"],
        serves: &["start-from-init", "start-from-setup"],
        not: &["start"],
        ..tool("ZITADEL", &["zitadel"])
    },
    Tool {
        migrate: &["migrate --migrate-to-latest-version", "migrate"],
        checks: &["migrate --current-db-version"],
        not: &["migrate --supported-db-version"],
        // `web` (and `quickstart`, web and a worker in one) migrates when it
        // opens the database, under a Postgres advisory lock
        // (atc/db/migration): the other replicas wait. Workers never open it.
        serves: &["web", "quickstart"],
        migrate_only: Some("concourse migrate --migrate-to-latest-version"),
        locked: true,
        no_database: &["worker", "land-worker", "retire-worker", "generate-key"],
        ..tool("Concourse", &["concourse"])
    },
    Tool {
        migrate: &["migrate"],
        ..tool("OpenFGA", &["openfga"])
    },
    Tool {
        // GLPI's console (`bin/console`): `db:install` creates the schema,
        // `db:update` migrates it (the `glpi:database:*` names of GLPI 9.5);
        // `db:check*` only checks.
        migrate: &["db:install", "db:update", "glpi:database:install", "glpi:database:update"],
        checks: &["db:check*"],
        images: &["*glpi/glpi", "*diouxx/glpi"],
        ..tool("GLPI console", &["console"])
    },
    Tool {
        // HashiCorp Boundary's controller: `database init` creates the schema
        // on an empty database (and its first resources), `database migrate`
        // applies newer migrations; each under an exclusive lock, in one
        // transaction. `server` refuses to start on a database behind it.
        migrate: &["database init", "database migrate"],
        not: &["dev", "server", "authenticate", "connect"],
        images: &["*hashicorp/boundary", "*hashicorp/boundary-enterprise"],
        ..tool("Boundary", &["boundary"])
    },
    Tool {
        // Postal 3 (postalserver/postal bin/postal): `initialize` creates the
        // database and loads the schema on an empty one, else migrates (the
        // hoverkraft chart runs it post-install and post-upgrade); `upgrade`
        // migrates. The servers (`web-server`, `smtp-server`, `worker`) never do.
        migrate: &["initialize", "upgrade"],
        not: &["make-user", "console", "default-dkim-record", "test-app-smtp"],
        images: &["*postalserver/postal"],
        ..tool("Postal", &["postal"])
    },
    Tool {
        // Logto's CLI (`npm run cli …` in its image): `db seed` creates the
        // schema and records the latest alteration (`--swe`: only when the
        // tables are missing); `db alteration deploy` (`alt`) applies newer ones.
        migrate: &[
            "db seed",
            "db alteration deploy",
            "db alt deploy",
            "database seed",
            "database alteration deploy",
        ],
        not: &["db alteration list", "db alt list", "db alteration rollback"],
        ..tool("Logto", &["logto", "cli"])
    },
    Tool {
        // Jaeger's Elasticsearch/OpenSearch index tool: `init` creates the
        // indices, aliases and templates collector and query write through;
        // `rollover` and `lookback` are its periodic upkeep.
        migrate: &["init"],
        not: &["rollover", "lookback"],
        images: &["*jaegertracing/jaeger-es-rollover"],
        ..tool("Jaeger es-rollover", &["es-rollover", "jaeger-es-rollover"])
    },
    Tool {
        // InvenTree's tasks (`invoke`): `update` installs, backs up, migrates
        // and collects static files; `migrate` migrates.
        migrate: &["update", "migrate"],
        not: &["worker", "static", "showmigrations", "backup", "restore", "server"],
        ..tool("InvenTree invoke", &["invoke"])
    },
    Tool {
        // Hive's metastore schema tool (`-initSchema` fails on an existing
        // schema; `-initOrUpgradeSchema` does either).
        migrate: &[
            "-initschema",
            "-initschemato",
            "-initorupgradeschema",
            "-upgradeschema",
            "-upgradeschemafrom",
        ],
        checks: &["-info", "-validate", "-dryrun"],
        ..tool("Hive schematool", &["schematool"])
    },
    Tool {
        migrate: &["server database upgrade"],
        not: &[
            "server database downgrade",
            "server database reset",
            // The background services (scheduler, …) never migrate.
            "server services",
        ],
        // `server start` runs `alembic upgrade head` first unless
        // PREFECT_API_DATABASE_MIGRATE_ON_START=false, under a Postgres
        // advisory lock (Prefect 3); on SQLite the file is each pod's own.
        serves: &["server start"],
        migrate_only: Some("prefect server database upgrade -y"),
        locked: true,
        ..tool("Prefect", &["prefect"])
    },
    Tool {
        migrate: &[
            "update-schema",
            "setup-schema",
            "update",
            "setup",
            "create-database",
            "create",
        ],
        checks: &["validate*"],
        not: &["drop*"],
        ..tool(
            "Temporal/Cadence schema tool",
            &["temporal-*-tool", "cadence-*-tool"],
        )
    },
    Tool {
        migrate: &[
            "db_sync",
            "db sync",
            "api_db sync",
            "db upgrade",
            "upgrade",
            "db_sync *",
        ],
        checks: &[
            "db version",
            "db_version",
            "upgrade check",
            "current",
            "has_offline_migrations",
            "check_migration",
        ],
        not: &["db_export*", "db purge", "db archive*", "bootstrap"],
        ..tool("OpenStack *-manage", &["*-manage", "*-db-manage"])
    },
    Tool {
        migrate: &["upgrade", "django migrate"],
        not: &["upgrade --help"],
        ..tool("Sentry", &["sentry"])
    },
    Tool {
        migrate: &["migrate"],
        checks: &["migrate --check"],
        // `ak server` migrates (under a lock) before it serves.
        serves: &["server"],
        images: &["*goauthentik/server", "*beryju/authentik"],
        migrate_only: Some("ak migrate"),
        locked: true,
        ..tool("authentik", &["ak"])
    },
    Tool {
        // The web image's entrypoint migrates PostgreSQL and ClickHouse, then
        // runs its arguments (the server); with `true` it only migrates. The
        // worker image (`langfuse/langfuse-worker`) does not migrate.
        migrate: &[""],
        serves: &[""],
        images: &["*langfuse/langfuse"],
        migrate_only: Some("./web/entrypoint.sh true"),
        ..tool("Langfuse web", &["langfuse-web"])
    },
    Tool {
        // The image's entrypoint waits for the database, migrates when
        // `manage.py migrate --check` finds work, does NetBox's housekeeping,
        // then runs its arguments (the server); with `true` it does that
        // start-up work once and exits. A `command` (the worker) replaces it.
        migrate: &[""],
        serves: &[""],
        images: &["*netbox-community/netbox", "*netboxcommunity/netbox"],
        migrate_only: Some("/opt/netbox/docker-entrypoint.sh true"),
        ..tool("NetBox", &["netbox-entrypoint"])
    },
    Tool {
        // Every n8n command migrates the database first (TypeORM, no lock,
        // no switch to turn it off): the serving ones (`n8n` alone, `start`,
        // `worker`, `webhook`) race each other's pods. No command only
        // migrates; the one-shot ones migrate, then do their work.
        migrate: &[""],
        not: &[
            "import:*",
            "export:*",
            "execute*",
            "audit",
            "db:revert",
            "user-management:*",
            "license:*",
            "mfa:*",
            "ldap:*",
        ],
        serves: &["", "start", "worker", "webhook"],
        images: &["*n8nio/n8n", "*n8n-io/n8n"],
        ..tool("n8n", &["n8n"])
    },
    Tool {
        // The proxy (the image's entrypoint runs `litellm` with the container's
        // flags) migrates its schema with Prisma before it serves, unless
        // `DISABLE_SCHEMA_UPDATE=true`; `--skip_server_startup` only migrates.
        migrate: &["--skip_server_startup"],
        not: &["--health", "--version", "--test"],
        serves: &[""],
        images: &[
            "*berriai/litellm",
            "*berriai/litellm-database",
            "*berriai/litellm-non_root",
        ],
        migrate_only: Some("litellm --use_prisma_migrate --skip_server_startup"),
        ..tool("LiteLLM proxy", &["litellm"])
    },
    Tool {
        // The api image's entrypoint (`./scripts/run-docker.sh`) runs its
        // argument: `migrate` only migrates; `migrate-and-serve` (the image's
        // default) migrates, then serves; `serve` and the task processor wait
        // for the migrations, never run them.
        migrate: &["migrate"],
        not: &["serve", "run-task-processor", "waitfordb*"],
        serves: &["", "migrate-and-serve"],
        images: &["*flagsmith/flagsmith-api", "*flagsmith/flagsmith"],
        migrate_only: Some("./scripts/run-docker.sh migrate"),
        ..tool("Flagsmith api", &["flagsmith-run-docker"])
    },
    Tool {
        // The image's entrypoint runs `nautobot-server post_upgrade` (migrate,
        // collectstatic, cache refreshes) unless `NAUTOBOT_DOCKER_SKIP_INIT=true`,
        // then its arguments; a `command` (the web server, celery) replaces it.
        migrate: &[""],
        serves: &[""],
        images: &["*nautobot/nautobot", "*networktocode/nautobot"],
        migrate_only: Some("/docker-entrypoint.sh true"),
        ..tool("Nautobot entrypoint", &["nautobot-entrypoint"])
    },
    Tool {
        // Nautobot's documented upgrade command migrates first.
        migrate: &["post_upgrade", "migrate"],
        not: &["init", "makemigrations", "showmigrations"],
        ..tool("Nautobot", &["nautobot-server"])
    },
    Tool {
        // CVAT's backend image: its entrypoint with `init` migrates (Django's
        // `migrate`, its Redis migrations, the periodic jobs), then exits; `run
        // …` waits for the migrations (`migrate --check`), then serves.
        migrate: &["init"],
        not: &["run*"],
        images: &["*cvat/server"],
        ..tool("CVAT backend", &["cvat-backend-entrypoint"])
    },
    Tool {
        // `coder server` runs every pending migration in one transaction under
        // a PostgreSQL advisory lock, then serves; no subcommand only migrates
        // (`create-admin-user` migrates, then makes a user, and exits). A workspace proxy
        // (`wsproxy server`) has no database.
        migrate: &["server create-admin-user"],
        not: &[
            "wsproxy*",
            "server postgres-builtin-*",
            "agent*",
            "provisionerd*",
            "--version",
            "version",
        ],
        serves: &["server"],
        images: &["*coder/coder"],
        locked: true,
        ..tool("Coder", &["coder"])
    },
    Tool {
        // Windmill's other images never migrate; listed before Windmill, whose
        // program their names hold.
        not: &[""],
        ..tool(
            "Windmill services",
            &["windmill-lsp", "windmill-extra", "windmill-multiplayer"],
        )
    },
    Tool {
        // The server (and, in older releases, the workers) migrates under a
        // PostgreSQL advisory lock at start unless `SKIP_MIGRATION=true`; the
        // binary has no command that only migrates.
        migrate: &[""],
        serves: &[""],
        images: &["*windmill-labs/windmill", "*windmill-labs/windmill-ee"],
        locked: true,
        ..tool("Windmill", &["windmill"])
    },
    Tool {
        // The lake server migrates a fresh database at start (an upgrade waits
        // for `/proceed-db-migration` unless `FORCE_MIGRATION=true`) and locks
        // it against a second instance; no command only migrates.
        migrate: &[""],
        serves: &[""],
        images: &["*apache/devlake"],
        locked: true,
        ..tool("DevLake server", &["devlake-lake"])
    },
    Tool {
        // The server migrates its database in-process at start (db-migrate),
        // unless `DATABASE_DISABLE_MIGRATION=true`.
        migrate: &[""],
        serves: &[""],
        images: &[
            "*unleashorg/unleash-server",
            "*unleashorg/unleash-enterprise",
        ],
        ..tool("Unleash server", &["unleash-server"])
    },
    Tool {
        // The backend migrates in-process at start, with no lock (a replica
        // that loses the race fails on the migrations table and restarts); the
        // frontend and exporter images do not migrate.
        migrate: &[""],
        serves: &[""],
        images: &["*penpotapp/backend"],
        ..tool("Penpot backend", &["penpot-backend"])
    },
    Tool {
        // The image's entrypoint (`/docker-entrypoint.sh`, which the chart's
        // container calls from bash) runs `cake passbolt install --no-admin ||
        // cake passbolt migrate` (no lock), then serves. The cake commands
        // refuse root and clear the cache through Redis at the end (the
        // chart's Redis is reached through a sidecar a Job does not have).
        migrate: &[""],
        serves: &[""],
        images: &["*passbolt/passbolt"],
        migrate_only: Some(
            "su -s /bin/bash -c '/usr/share/php/passbolt/bin/cake passbolt migrate --no-clear-cache' www-data",
        ),
        ..tool("Passbolt entrypoint", &["passbolt-entrypoint"])
    },
    Tool {
        // Odoo's server updates (`-u`) or installs (`-i`) modules, then stops
        // with `--stop-after-init` (the usual upgrade Job) or serves.
        migrate: &[
            "-u* --stop-after-init",
            "--update* --stop-after-init",
            "-i* --stop-after-init",
            "--init* --stop-after-init",
            "--stop-after-init -u*",
            "--stop-after-init --update*",
            "--stop-after-init -i*",
            "--stop-after-init --init*",
        ],
        not: &["shell", "scaffold", "--version"],
        serves: &["-u*", "--update*", "-i*", "--init*"],
        ..tool("Odoo", &["odoo", "odoo-bin"])
    },
    Tool {
        // The image's default command (`yarn start-docker`) runs
        // `scripts/check-db.js`, which runs `prisma migrate deploy` under
        // Prisma's advisory lock (`SKIP_DB_MIGRATION`, `SKIP_DB_CHECK` turn it
        // off), then serves; that script alone only migrates.
        migrate: &[""],
        serves: &[""],
        images: &["*umami-software/umami"],
        migrate_only: Some("node scripts/check-db.js"),
        locked: true,
        ..tool("Umami", &["umami-start-docker"])
    },
    Tool {
        // The app container runs its TypeORM migrations at start under a
        // Redis lock (one replica at a time); a worker container
        // (`AP_CONTAINER_TYPE=WORKER`) does not. No command only migrates.
        migrate: &[""],
        serves: &[""],
        images: &["*activepieces/activepieces"],
        locked: true,
        ..tool("Activepieces", &["activepieces-entrypoint"])
    },
    Tool {
        // The core image's entrypoint runs `firefly-iii:create-database`, then
        // `firefly-iii:upgrade-database` (`migrate --seed --force`, then its
        // data upgrades; no lock), then serves.
        migrate: &[""],
        serves: &[""],
        images: &["*fireflyiii/core", "*jc5x/firefly-iii"],
        migrate_only: Some("php artisan firefly-iii:upgrade-database"),
        ..tool("Firefly III", &["firefly-iii-entrypoint"])
    },
    Tool {
        // Every server component runs Flyway at start (PostgreSQL's lock: one
        // pod at a time; `FLYWAY_DATASOURCES_POSTGRES_ENABLED=false` turns it
        // off), then serves; `sys database migrate` only migrates. `server
        // local` runs on an in-memory database.
        migrate: &["sys database migrate"],
        not: &["server local"],
        serves: &[
            "server standalone",
            "server webserver",
            "server executor",
            "server indexer",
            "server scheduler",
            "server worker",
        ],
        images: &["*kestra/kestra", "*kestra/kestra-ee"],
        migrate_only: Some("/app/kestra sys database migrate"),
        locked: true,
        ..tool("Kestra", &["kestra"])
    },
    Tool {
        // The image's entrypoint (`/app/bin/start`) waits for its database,
        // writes the data volume's secret, runs `weblate migrate` (no lock),
        // then its argument: `runserver` (the default) serves, with every
        // Celery worker in the same container; `migrate` only migrates.
        migrate: &["migrate"],
        serves: &["", "runserver"],
        images: &["*weblate/weblate"],
        migrate_only: Some("/app/bin/start migrate"),
        ..tool("Weblate", &["weblate-start"])
    },
    Tool {
        // The server (the image's command, or `mattermost server`) migrates
        // its schema (morph, under a database lock), then serves.
        migrate: &["db migrate", "db init"],
        not: &["db downgrade", "db reset", "db version"],
        serves: &["", "server"],
        images: &[
            "*mattermost/mattermost-team-edition",
            "*mattermost/mattermost-enterprise-edition",
        ],
        migrate_only: Some("mattermost db migrate"),
        locked: true,
        ..tool("Mattermost", &["mattermost"])
    },
    Tool {
        // Bitnami's image runs its setup from its entrypoint (the database and
        // its user, `rake db:migrate`, the assets), then its argument:
        // `…/discourse/run.sh` serves; the sidekiq container's
        // `…/discourse-sidekiq/run.sh` waits for the migrations, never runs
        // them. `DISCOURSE_SKIP_BOOTSTRAP` skips only the admin user.
        migrate: &[""],
        not: &["*/discourse-sidekiq/run.sh"],
        serves: &["", "*/discourse/run.sh"],
        images: &["*bitnami/discourse"],
        migrate_only: Some(
            "sh -c \"export DISCOURSE_SKIP_BOOTSTRAP=yes && /opt/bitnami/scripts/postgresql-client/setup.sh && /opt/bitnami/scripts/discourse/setup.sh\"",
        ),
        ..tool("Bitnami Discourse", &["bitnami-discourse"])
    },
    Tool {
        // Bitnami's image runs `redmine/setup.sh` from its entrypoint on every
        // start (`rake db:migrate`, the plugins' migrations; on a first start,
        // the admin user and default data), then serves. A Job has no volume
        // marker of a first start: without `REDMINE_SKIP_BOOTSTRAP` it would
        // reset the admin account on every run.
        migrate: &[""],
        serves: &["", "*/redmine/run.sh"],
        images: &["*bitnami/redmine"],
        migrate_only: Some(
            "env REDMINE_SKIP_BOOTSTRAP=yes /opt/bitnami/scripts/redmine/setup.sh",
        ),
        ..tool("Bitnami Redmine", &["bitnami-redmine"])
    },
    Tool {
        // keycloak-config-cli configures realms through Keycloak's admin API,
        // which must be up: never a migration (before Keycloak it would hang).
        not: &[""],
        images: &["*adorsys/keycloak-config-cli", "*bitnami/keycloak-config-cli"],
        ..tool("keycloak-config-cli", &["keycloak-config-cli"])
    },
    Tool {
        // Keycloak's image migrates its schema at start (Liquibase, under a
        // database lock), then serves; no command only migrates. Its
        // entrypoint is `kc.sh`: `kc.sh start` (the keycloakx chart's
        // command) is that start written out; `build`, `export`, `import`
        // and `show-config` exit.
        migrate: &[""],
        serves: &["", "start", "start-dev"],
        not: &["build", "export", "import", "show-config", "tools", "--help", "-h", "--version"],
        images: &["*keycloak/keycloak", "*bitnami/keycloak"],
        locked: true,
        ..tool("Keycloak", &["keycloak-entrypoint", "kc"])
    },

    Tool {
        migrate: &[
            "bootstrap",
            "database migrate:latest",
            "database install",
            "database migrate:up",
        ],
        not: &["database migrate:down"],
        serves: &["bootstrap start"],
        ..tool("Directus", &["directus"])
    },
    Tool {
        migrate: &["init_and_upgrade_db", "upgrade_db", "init_db"],
        images: &["*zabbix-server-create-upgrade-db"],
        ..tool(
            "Zabbix DB init/upgrade",
            &["zabbix-server-create-upgrade-db"],
        )
    },
    Tool {
        migrate: &[""],
        ..tool("DefectDojo initializer", &["entrypoint-initializer"])
    },
    Tool {
        migrate: &["systemupdate*", "nocodedatamigration"],
        not: &[
            "restoreindices",
            "restorebackup",
            "nocodedatamigrationcleanup",
            "removeunknownaspects",
        ],
        images: &["*/datahub-upgrade"],
        ..tool("DataHub upgrade", &["datahub-upgrade"])
    },
    Tool {
        migrate: &[""],
        images: &[
            "*/datahub-mysql-setup",
            "*/datahub-postgres-setup",
            "*/datahub-elasticsearch-setup",
            "*/datahub-kafka-setup",
        ],
        ..tool("DataHub setup", &["datahub-setup"])
    },
    Tool {
        migrate: &["-c prepare"],
        ..tool("Konga", &["start"])
    },
    Tool {
        // The image's entrypoint (`run_metabase.sh`: `java -jar metabase.jar`)
        // runs Liquibase at start under its lock table, then serves, unless
        // `MB_DB_AUTOMIGRATE=false` or the database is H2, a file in each pod
        // (`MB_DB_TYPE=h2`, an off value); `migrate up` only migrates.
        migrate: &["migrate up", "migrate force", "migrate"],
        not: &["migrate down", "migrate release-locks", "migrate print"],
        serves: &[""],
        images: &["*metabase/metabase", "*metabase/metabase-enterprise"],
        migrate_only: Some("java -jar /app/metabase.jar migrate up"),
        locked: true,
        ..tool("Metabase", &["metabase"])
    },
];
