//! Migration tools and frameworks: ORMs, schema tools, language CLIs.

use super::{tool, Tool};

/// Frameworks and migration tools.
pub const FRAMEWORKS: &[Tool] = &[
    Tool {
        migrate: &["migrate"],
        checks: &[
            "migrate --check",
            "makemigrations --check",
            "migrate --plan",
            "showmigrations",
        ],
        not: &["makemigrations", "squashmigrations", "migrate * zero"],
        // `--check`: "Exits with a non-zero status if unapplied migrations exist"
        // (https://fig.io/manual/django-admin/migrate, Django ≥ 3.1).
        check: Some("python manage.py migrate --check"),
        ..tool("Django", &["manage", "django-admin"])
    },
    Tool {
        migrate: &["db upgrade", "database create_tables"],
        ..tool("Flask-Script manage.py", &["manage"])
    },
    Tool {
        migrate: &[
            "db:migrate",
            "db:migrate:primary",
            "db:prepare",
            "db:setup",
            "db:schema:load",
            "db:*_prepare",
            "*:db:migrate",
        ],
        checks: &[
            "db:abort_if_pending_migrations",
            "db:migrate:status",
            "db:version",
        ],
        not: &[
            "db:migrate:down",
            "db:migrate:redo",
            "db:rollback",
            "db:drop",
            "db:migrate:reset",
        ],
        // Aborts (non-zero) when migrations are pending; ActiveRecord's
        // `check_all_pending!` raises PendingMigrationError
        // (https://apidock.com/rails/ActiveRecord/Migration/check_all_pending!/class).
        check: Some("bin/rails db:abort_if_pending_migrations"),
        ..tool("Rails", &["rails", "rake", "gitlab-rake"])
    },
    Tool {
        migrate: &["db migrate", "db prepare", "db setup"],
        checks: &["db version"],
        not: &["db rollback", "db drop"],
        ..tool("Hanami", &["hanami"])
    },
    Tool {
        migrate: &["-m"],
        ..tool("Sequel", &["sequel"])
    },
    Tool {
        migrate: &["upgrade"],
        checks: &["check", "current", "heads", "history"],
        not: &["downgrade", "revision", "upgrade --sql", "stamp", "merge"],
        // `alembic check` (1.9+) fails when the database is not at head or the
        // models would autogenerate operations
        // (https://newreleases.io/project/github/sqlalchemy/alembic/release/rel_1_9_0).
        check: Some("alembic check"),
        ..tool("Alembic", &["alembic"])
    },
    Tool {
        migrate: &["db upgrade"],
        checks: &["db check", "db current", "db heads"],
        not: &[
            "db migrate",
            "db init",
            "db revision",
            "db downgrade",
            "db stamp",
        ],
        // Flask-Migrate wraps `alembic check` as `flask db check` (Flask-Migrate ≥ 4.0;
        // https://man.archlinux.org/man/python-flask-migrate.1.en): it fails when the
        // database is not at head or the models drifted (corroborated by public wait
        // loops `while ! flask db check; do sleep 1; done`).
        check: Some("flask db check"),
        ..tool("Flask-Migrate", &["flask"])
    },
    Tool {
        migrate: &["db upgrade", "db migrate", "db init", "upgradedb", "initdb"],
        checks: &["db check-migrations", "db check"],
        not: &[
            "db reset",
            "db downgrade",
            "db clean",
            "db shell",
            "resetdb",
        ],
        // "Check if migration have finished", `-t` seconds to wait
        // (https://fig.io/manual/airflow/db/check-migrations).
        check: Some("airflow db check-migrations"),
        ..tool("Airflow", &["airflow"])
    },
    Tool {
        migrate: &["db upgrade"],
        not: &["db downgrade", "db migrate", "db revision", "init"],
        ..tool("Superset", &["superset"])
    },
    Tool {
        migrate: &["db upgrade"],
        ..tool("MLflow", &["mlflow"])
    },
    Tool {
        migrate: &["upgrade", "init-db"],
        checks: &["heads", "history"],
        not: &["migrate", "downgrade", "init"],
        ..tool("Aerich", &["aerich"])
    },
    Tool {
        migrate: &["migrations forwards"],
        checks: &["migrations check"],
        not: &["migrations new", "migrations backwards"],
        ..tool("Piccolo", &["piccolo"])
    },
    Tool {
        migrate: &["apply", "reapply"],
        checks: &["list"],
        not: &["new", "rollback", "develop", "mark", "unmark", "break-lock"],
        ..tool("yoyo", &["yoyo", "yoyo-migrate"])
    },
    Tool {
        migrate: &["migrate deploy", "db push"],
        checks: &["migrate status", "migrate diff"],
        not: &[
            "generate",
            "migrate dev",
            "migrate reset",
            "migrate resolve",
            "db seed",
            "db pull",
            "studio",
            "format",
            "validate",
        ],
        // Exits 1 when migrations are not applied (Prisma ≥ 4.3.0,
        // https://prisma.io/docs/cli/migrate/status).
        check: Some("prisma migrate status"),
        ..tool("Prisma", &["prisma"])
    },
    Tool {
        migrate: &["migrate"],
        checks: &["validate", "info", "check"],
        not: &["clean", "repair", "undo", "baseline", "snapshot"],
        images: &["*flyway/flyway", "*/flyway"],
        // `validate` fails on pending migrations unless ignorePendingMigrations
        // (https://github.com/flyway/flyway/commit/498fba72d71e2158be2239dcecbd602d116da722.diff).
        check: Some("flyway validate"),
        ..tool("Flyway", &["flyway"])
    },
    Tool {
        migrate: &["flyway:migrate", "flywaymigrate", "liquibase:update"],
        checks: &["flyway:validate", "flyway:info", "liquibase:status"],
        ..tool(
            "Flyway/Liquibase (Maven, Gradle)",
            &["mvn", "mvnw", "gradle", "gradlew"],
        )
    },
    Tool {
        migrate: &[
            "update",
            "update-count",
            "updatecount",
            "update-to-tag",
            "updatetotag",
        ],
        checks: &["status", "validate", "history"],
        not: &[
            "rollback*",
            "diff*",
            "generate-changelog",
            "generatechangelog",
            "drop-all",
            "dropall",
            "tag",
            "update-sql",
            "updatesql",
            "changelog-sync*",
            "changelogsync*",
        ],
        images: &["*liquibase/liquibase", "*/liquibase"],
        ..tool(
            "Liquibase",
            &["liquibase", "liquibase.integration.commandline.main"],
        )
    },
    Tool {
        migrate: &["up", "up-by-one", "up-to"],
        checks: &["status", "version", "validate"],
        not: &["down*", "redo", "reset", "create", "fix"],
        images: &["*/goose"],
        ..tool("goose", &["goose"])
    },
    Tool {
        migrate: &["up", "goto"],
        checks: &["version"],
        not: &["down", "drop", "force", "create"],
        images: &["*migrate/migrate", "migrate/migrate"],
        ..tool("golang-migrate", &["migrate"])
    },
    Tool {
        migrate: &["up", "migrate"],
        checks: &["status", "wait"],
        not: &["down", "rollback", "new", "create", "drop", "dump", "load"],
        images: &["*amacneil/dbmate", "*/dbmate"],
        // `dbmate status --exit-code` exits 1 while migrations are pending (dbmate's README,
        // https://github.com/amacneil/dbmate#commands; the README page itself is not in the
        // search index, the behaviour is corroborated by public scripts gating CI on it).
        check: Some("dbmate status --exit-code"),
        ..tool("dbmate", &["dbmate"])
    },
    Tool {
        migrate: &["migrate run", "database setup"],
        checks: &["migrate info"],
        not: &[
            "migrate add",
            "migrate revert",
            "database drop",
            "database reset",
        ],
        ..tool("sqlx", &["sqlx"])
    },
    Tool {
        migrate: &["migration run", "database setup", "setup"],
        checks: &["migration list", "migration pending"],
        not: &[
            "migration generate",
            "migration revert",
            "migration redo",
            "database reset",
        ],
        ..tool("Diesel", &["diesel"])
    },
    Tool {
        migrate: &["migrate up", "migrate", "up"],
        checks: &["migrate status", "status"],
        not: &[
            "migrate generate",
            "migrate down",
            "migrate fresh",
            "migrate refresh",
            "migrate reset",
            "migrate init",
            "generate",
            "down",
            "fresh",
            "refresh",
            "reset",
        ],
        // A SeaORM migration crate is run with `cargo run -- up|status|fresh…`.
        ..tool("SeaORM", &["sea-orm-cli", "sea", "cargo-run"])
    },
    Tool {
        migrate: &["migrate"],
        not: &["setup"],
        ..tool("refinery", &["refinery"])
    },
    Tool {
        migrate: &["migrate apply", "schema apply"],
        checks: &[
            "migrate status",
            "migrate validate",
            "migrate lint",
            "schema inspect",
        ],
        not: &[
            "migrate diff",
            "migrate new",
            "migrate hash",
            "schema diff",
            "migrate down",
        ],
        images: &["*arigaio/atlas", "*/atlas"],
        // Reports the pending files of a migration directory
        // (https://atlasgo.io/commands/migrate#atlas-migrate-status; exit status unverified).
        check: Some("atlas migrate status"),
        ..tool("Atlas", &["atlas"])
    },
    Tool {
        migrate: &["migrate:latest", "migrate:up"],
        checks: &["migrate:status", "migrate:list", "migrate:currentversion"],
        not: &[
            "migrate:make",
            "migrate:rollback",
            "migrate:down",
            "migrate:unlock",
            "seed:*",
        ],
        ..tool("Knex", &["knex"])
    },
    Tool {
        migrate: &["db:migrate"],
        checks: &["db:migrate:status"],
        not: &[
            "db:migrate:undo*",
            "migration:generate",
            "migration:create",
            "db:seed*",
            "db:drop",
        ],
        ..tool("Sequelize", &["sequelize", "sequelize-cli"])
    },
    Tool {
        migrate: &["migration:run", "schema:sync"],
        checks: &["migration:show"],
        not: &[
            "migration:generate",
            "migration:create",
            "migration:revert",
            "schema:drop",
            "schema:log",
        ],
        ..tool("TypeORM", &["typeorm", "typeorm-ts-node-*"])
    },
    Tool {
        migrate: &["up"],
        not: &["down", "create", "redo"],
        ..tool("node-pg-migrate", &["node-pg-migrate"])
    },
    Tool {
        migrate: &["up"],
        not: &["down", "reset", "create"],
        ..tool("db-migrate", &["db-migrate"])
    },
    Tool {
        migrate: &["up"],
        checks: &["pending", "executed"],
        not: &["down", "create"],
        ..tool("umzug", &["umzug"])
    },
    Tool {
        migrate: &["migrate"],
        checks: &["status"],
        not: &["watch", "commit", "uncommit", "reset", "compile"],
        ..tool("graphile-migrate", &["graphile-migrate"])
    },
    Tool {
        migrate: &["up"],
        checks: &["status"],
        not: &["down", "redo", "new"],
        ..tool("sql-migrate", &["sql-migrate"])
    },
    Tool {
        migrate: &["migrate"],
        checks: &["status"],
        not: &["new", "code"],
        ..tool("tern", &["tern"])
    },
    Tool {
        // Koel's `koel:init` migrates (`migrate --force`), then seeds its
        // admin once; it is how Koel's image is set up and upgraded.
        migrate: &["migrate", "migrate --force", "koel:init"],
        checks: &["migrate:status"],
        not: &[
            "migrate:rollback",
            "migrate:reset",
            "migrate:refresh",
            "migrate:fresh",
            "migrate:install",
            "make:migration",
            "db:seed",
            "db:wipe",
        ],
        // `--pending=N` exits with N when migrations are pending
        // (https://github.com/laravel/framework/pull/51341, Laravel 11).
        check: Some("php artisan migrate:status --pending=1"),
        ..tool("Laravel artisan", &["artisan"])
    },
    Tool {
        migrate: &[
            "doctrine:migrations:migrate",
            "migrations:migrate",
            "doctrine:schema:update",
        ],
        checks: &[
            "doctrine:migrations:status",
            "doctrine:migrations:up-to-date",
            "doctrine:schema:validate",
            "migrations:status",
            "migrations:up-to-date",
        ],
        not: &[
            "doctrine:migrations:diff",
            "doctrine:migrations:generate",
            "doctrine:schema:drop",
            "doctrine:migrations:rollup",
        ],
        // Exits non-zero when migrations are pending ("Out-of-date! N migrations are
        // available to execute", https://github.com/doctrine/migrations/pull/799).
        check: Some("php bin/console doctrine:migrations:up-to-date"),
        ..tool("Doctrine", &["console", "doctrine", "doctrine-migrations"])
    },
    Tool {
        migrate: &["core:update"],
        ..tool("Matomo", &["console"])
    },
    Tool {
        // Shopware 6's console: `system:install` creates the schema (and,
        // with `--force`, migrates an installed shop), `system:update:finish`
        // runs an update's pending migrations.
        migrate: &["system:install", "system:update:finish"],
        not: &["system:update:prepare", "database:create-migration"],
        ..tool("Shopware console", &["console"])
    },
    Tool {
        migrate: &["migrate"],
        checks: &["status"],
        not: &["rollback", "create", "seed:*", "breakpoint"],
        ..tool("Phinx", &["phinx"])
    },
    Tool {
        migrate: &["migrate", "migrate/up"],
        checks: &["migrate/history", "migrate/new"],
        not: &[
            "migrate/create",
            "migrate/down",
            "migrate/redo",
            "migrate/fresh",
        ],
        ..tool("Yii", &["yii"])
    },
    Tool {
        migrate: &["migrations migrate"],
        checks: &["migrations status"],
        not: &["migrations rollback", "bake"],
        ..tool("CakePHP", &["cake"])
    },
    Tool {
        migrate: &["updatedb", "updb", "deploy"],
        checks: &["updatedb:status", "updbst"],
        not: &["migrate:*", "mim", "sql-drop"],
        ..tool("Drush", &["drush"])
    },
    Tool {
        migrate: &["core update-db", "core install", "core multisite-install"],
        ..tool("WP-CLI", &["wp"])
    },
    Tool {
        migrate: &[
            "setup:upgrade",
            "setup:db-schema:upgrade",
            "setup:db-data:upgrade",
        ],
        checks: &["setup:db:status"],
        ..tool("Magento", &["magento"])
    },
    Tool {
        migrate: &["upgrade", "db:add-missing-*", "db:convert-filecache-bigint"],
        checks: &["status", "update:check"],
        not: &["app:*", "maintenance:*"],
        ..tool("Nextcloud occ", &["occ"])
    },
    Tool {
        migrate: &["ecto.migrate", "ecto.setup"],
        checks: &["ecto.migrations"],
        not: &[
            "ecto.rollback",
            "ecto.gen.migration",
            "ecto.drop",
            "ecto.reset",
        ],
        ..tool("Ecto", &["mix"])
    },
    Tool {
        migrate: &["deploy"],
        checks: &["status", "verify", "check"],
        not: &["revert", "rework", "add", "bundle"],
        images: &["*sqitch/sqitch"],
        ..tool("Sqitch", &["sqitch"])
    },
    Tool {
        migrate: &["database update"],
        checks: &["migrations list", "migrations has-pending-model-changes"],
        not: &[
            "migrations add",
            "migrations remove",
            "migrations script",
            "migrations bundle",
            "database drop",
        ],
        ..tool("EF Core", &["ef", "dotnet-ef"])
    },
    Tool {
        migrate: &[""],
        not: &["--help", "-h"],
        ..tool("EF Core bundle", &["efbundle", "efbundle-*"])
    },
    Tool {
        migrate: &["migrate", "--task migrate", "-t migrate"],
        checks: &["list migrations", "--task listmigrations"],
        not: &["rollback", "--task rollback*", "-t rollback*"],
        ..tool("FluentMigrator", &["fm", "dotnet-fm", "migrate"])
    },
    Tool {
        migrate: &["migrate"],
        checks: &["info", "validate"],
        not: &["erase", "repair"],
        ..tool("Evolve", &["evolve"])
    },
    Tool {
        migrate: &["upgrade"],
        checks: &["status"],
        not: &["drop", "init"],
        ..tool("DbUp (dbup-cli)", &["dbup"])
    },
];
