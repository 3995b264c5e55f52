//! App images whose own start migrates the schema, then serves, and app CLIs
//! that migrate by a flag or a verb of their own: the rows the real-chart
//! checks of session 22 added (Paperless-ngx, Outline, Cal.com, Directus,
//! Invoice Ninja, listmonk, Miniflux; Shlink, Mealie, Lightdash, Rocket.Chat,
//! Kimai, Authelia; NocoDB, HedgeDoc, BookStack, Bitnami Moodle, Woodpecker,
//! Semaphore UI, pretix; Hasura's cli-migrations tags, Dendrite, Bitnami Drupal and Matomo, Snipe-IT, Quay, Typebot, Vikunja: session 23; ToolJet, Permify, Headscale, Taiga, Joplin Server, Apicurio Registry, Pixelfed: session 24; Casdoor, FRINX Conductor, Tandoor, Funkwhale, Flowise, Fider: session 25; Healthchecks, GoToSocial: session 26; session 27's in `start_images`). An image row's program is a name of its own
//! (`outline-start`): the image's start, not a command anyone types.

use super::{tool, Tool};

/// The rows, most specific first.
pub const START_UP: &[Tool] = &[
    Tool {
        // Dendrite's server runs each component's pending migrations at start
        // (`sqlutil.Migrator.Up`, one transaction each, no lock); it has no
        // command that only migrates. By its flag, not the name alone: a word
        // such as `dendrite-signing-key` (a Secret's name) names the row too.
        serves: &["--config*", "-config*"],
        images: &[
            "*matrix-org/dendrite-monolith",
            "*matrixdotorg/dendrite-monolith",
        ],
        ..tool("Dendrite", &["dendrite", "dendrite-monolith-server"])
    },
    Tool {
        // The `*.cli-migrations-v3` images' entrypoint (`docker-entrypoint.sh`)
        // starts a temporary server, applies the mounted metadata and the
        // pending migrations with `hasura-cli`, then execs its arguments (the
        // server): every replica at once, with no lock (concurrent starts fail
        // on the metadata's resource version, hasura/graphql-engine#8696).
        // `docker-entrypoint.sh true` does the same and exits. The plain tags
        // only upgrade the server's own catalogue and have no row.
        serves: &["", "graphql-engine"],
        images: &["*hasura/graphql-engine:*cli-migrations*"],
        migrate_only: Some("docker-entrypoint.sh true"),
        ..tool(
            "Hasura cli-migrations image",
            &["hasura-cli-migrations-start"],
        )
    },
    Tool {
        // The image's s6 start (`/init`) runs `manage.py migrate` under a lock
        // file in its data directory (a lock only for pods that share that
        // volume on one node), then starts the web server, the consumer and
        // Celery in the one container. A `command` skips `/init`: its log
        // directory (in the data directory, on a claim a Job leaves out) is
        // then not made, hence the log directory the command names.
        serves: &[""],
        images: &[
            "*paperless-ngx/paperless-ngx",
            "*paperlessngx/paperless-ngx",
        ],
        migrate_only: Some("env PAPERLESS_LOGGING_DIR=/tmp python3 manage.py migrate --no-input"),
        ..tool("Paperless-ngx", &["paperless-init"])
    },
    Tool {
        // Outline's server runs its pending Sequelize migrations at start
        // (`--no-migrate`, an argument, turns it off), then serves; the image
        // holds sequelize-cli (`yarn db:migrate`; `--env=production` when
        // the database needs TLS).
        serves: &[""],
        images: &["*outlinewiki/outline"],
        migrate_only: Some("yarn db:migrate --env=production-ssl-disabled"),
        ..tool("Outline", &["outline-start"])
    },
    Tool {
        // The image's start script (`/calcom/scripts/start.sh`) runs `prisma
        // migrate deploy` under Prisma's advisory lock (given up after 10 s:
        // the pods that lose exit and restart), seeds the app store, then
        // serves. No switch.
        serves: &[""],
        images: &["*calcom/cal.com"],
        migrate_only: Some(
            "npx prisma migrate deploy --schema /calcom/packages/prisma/schema.prisma",
        ),
        locked: true,
        ..tool("Cal.com", &["calcom-start"])
    },
    Tool {
        // The image's command is `node cli.js bootstrap && pm2-runtime start`:
        // every pod installs an empty database (and its first admin) or runs
        // the pending migrations, with no lock, then serves.
        serves: &[""],
        images: &["*directus/directus"],
        migrate_only: Some("npx directus bootstrap"),
        ..tool("Directus image", &["directus-start"])
    },
    Tool {
        // The image's entrypoint (`docker-entrypoint`), for `supervisord` or
        // `php-fpm`, runs `artisan migrate --force` on every start (no lock,
        // no switch) and, on a first start, seeds and creates the first
        // account in each pod; for another command it restores the app's
        // storage and runs it.
        migrate: &["php artisan migrate*"],
        serves: &["", "supervisord*", "php-fpm*"],
        images: &["*invoiceninja/invoiceninja"],
        migrate_only: Some("docker-entrypoint php artisan migrate --force"),
        ..tool("Invoice Ninja", &["invoiceninja-entrypoint"])
    },
    Tool {
        // Shlink's entrypoint runs `shlink-installer init` (`db:create`,
        // `db:migrate` under a lock in its data directory: a file, unless
        // Redis is set) on every start, whatever its arguments, then serves.
        // The web client's image (`shlink-web-client`) has no database.
        serves: &["", "*"],
        images: &["*shlinkio/shlink"],
        migrate_only: Some(
            "php vendor/bin/shlink-installer init --no-interaction --skip-download-geolite",
        ),
        ..tool("Shlink", &["shlink-entrypoint"])
    },
    Tool {
        // Shlink's installer: `init` creates and migrates the database,
        // `update` migrates after an upgrade.
        migrate: &["init", "update"],
        ..tool("Shlink installer", &["shlink-installer"])
    },
    Tool {
        // Mealie's server runs `init_db` (Alembic to head, then seeds the
        // first group and user) at start, in every pod and every worker, with
        // no lock; `DB_ENGINE=sqlite` (the default) is a file of each pod.
        serves: &[""],
        images: &["*mealie-recipes/mealie", "*hkotel/mealie"],
        migrate_only: Some("python -m mealie.db.init_db"),
        ..tool("Mealie", &["mealie-start"])
    },
    Tool {
        // The backend image runs `pnpm -F backend migrate-production` (knex,
        // under knex's lock: a second migrator fails on it and restarts)
        // before its server; the
        // chart's no-migrate command (`node dist/index.js`) and the scheduler
        // (`node dist/scheduler.js`) run other programs.
        serves: &[""],
        images: &["*lightdash/lightdash"],
        migrate_only: Some("pnpm -F backend migrate-production"),
        locked: true,
        ..tool("Lightdash", &["lightdash-start"])
    },
    Tool {
        // Rocket.Chat's microservices have images of their own and never migrate.
        not: &[""],
        images: &[
            "*rocketchat/account-service",
            "*rocketchat/authorization-service",
            "*rocketchat/ddp-streamer-service",
            "*rocketchat/presence-service",
            "*rocketchat/stream-hub-service",
            "*rocketchat/queue-worker-service",
            "*rocketchat/omnichannel-transcript-service",
        ],
        ..tool("Rocket.Chat services", &["rocketchat-service"])
    },
    Tool {
        // Rocket.Chat's server (`node main.js`) migrates its MongoDB schema at
        // start under the lock of its `migrations` control document, one pod
        // at a time; no command only migrates.
        serves: &[""],
        images: &[
            "*rocketchat/rocket.chat",
            "rocket.chat",
            "*library/rocket.chat",
        ],
        locked: true,
        ..tool("Rocket.Chat", &["rocketchat-server"])
    },
    Tool {
        // Vaultwarden runs its Diesel migrations at start in every pod, with
        // no lock, then serves; its CLI's other commands do other things, and
        // none only migrates. Its database is a SQLite file unless
        // `DATABASE_URL` names a server.
        serves: &[""],
        not: &["hash", "backup", "-v", "--version", "-h", "--help"],
        images: &[
            "*vaultwarden/server",
            "*dani-garcia/vaultwarden",
            "*bitwardenrs/server",
        ],
        // The image's entrypoint script, which execs the server.
        image_cmd: &["/start.sh"],
        ..tool("Vaultwarden", &["vaultwarden"])
    },
    Tool {
        // Casdoor's server creates and syncs every table (xorm `Sync2`) and
        // runs its own migration steps at start, in every pod, with no lock
        // and no switch; no command only migrates (`-createDatabase` only
        // creates the database).
        serves: &[""],
        images: &["*casbin/casdoor"],
        ..tool("Casdoor", &["casdoor-start"])
    },
    Tool {
        // FRINX's Conductor server runs Flyway at start and schellar runs
        // tern at start, both under a PostgreSQL advisory lock; neither has
        // a command that only migrates.
        serves: &[""],
        images: &["*frinx/conductor-server", "*frinx/schellar"],
        locked: true,
        ..tool("FRINX Conductor", &["conductor-server-start"])
    },
    Tool {
        // Tandoor Recipes' `boot.sh` (the image's entrypoint) waits for the
        // database, runs `manage.py migrate` (Django: no lock, no switch),
        // then gunicorn, in every pod.
        serves: &[""],
        images: &["*vabene1111/recipes"],
        migrate_only: Some("/opt/recipes/venv/bin/python manage.py migrate"),
        ..tool("Tandoor Recipes", &["tandoor-start"])
    },
    Tool {
        // Funkwhale's api image (`docker/server.sh`, its CMD) runs
        // `funkwhale-manage migrate` (Django: no lock) before gunicorn; its
        // Celery worker and beat run `celery` instead.
        serves: &["", "./docker/server.sh", "docker/server.sh"],
        images: &["*funkwhale/api"],
        migrate_only: Some("funkwhale-manage migrate"),
        ..tool("Funkwhale api image", &["funkwhale-start"])
    },
    Tool {
        // Flowise's server (`flowise start`) and its queue worker (`flowise
        // worker`) run TypeORM's pending migrations at start (`runMigrations`,
        // no lock); no command only migrates: `flowise start` given to
        // `--migrate` would serve and never complete.
        serves: &["", "start", "worker"],
        images: &["*flowiseai/flowise", "*flowiseai/flowise-worker"],
        ..tool("Flowise", &["flowise"])
    },
    Tool {
        // Fider's image starts with `./fider migrate && ./fider`: its own
        // runner (one transaction per file, no lock) in every pod, then the
        // server; `./fider migrate` alone only migrates.
        serves: &[""],
        images: &["*getfider/fider"],
        migrate_only: Some("./fider migrate"),
        ..tool("Fider", &["fider-start"])
    },
    Tool {
        // Healthchecks' image starts uWSGI with docker/uwsgi.ini, whose
        // `hook-pre-app = exec:./manage.py migrate` migrates (Django: no
        // lock) in every pod before it serves.
        serves: &[""],
        images: &["*healthchecks/healthchecks"],
        migrate_only: Some("/opt/healthchecks/manage.py migrate"),
        ..tool("Healthchecks image", &["healthchecks-start"])
    },
    Tool {
        // The same start written out (`uwsgi /opt/healthchecks/docker/uwsgi.ini`,
        // the chart's command after its wait for the database); uWSGI with
        // any other configuration is no row's.
        serves: &["*healthchecks/docker/uwsgi.ini"],
        images: &["*healthchecks/healthchecks"],
        migrate_only: Some("/opt/healthchecks/manage.py migrate"),
        ..tool("Healthchecks (uWSGI)", &["uwsgi"])
    },
    Tool {
        // GoToSocial's `server start` (the image's default arguments) runs
        // its pending migrations (bun's migrator, no lock) before it serves;
        // `gotosocial migrations run` only migrates, then exits.
        serves: &["", "server start"],
        migrate: &["migrations run"],
        images: &["*superseriousbusiness/gotosocial"],
        migrate_only: Some("/gotosocial/gotosocial migrations run"),
        ..tool("GoToSocial", &["gotosocial"])
    },
    Tool {
        // NocoDB's server migrates its metadata database at start (knex: a
        // second migrator fails on the lock and restarts); no command only
        // migrates.
        serves: &[""],
        images: &["*nocodb/nocodb"],
        ..tool("NocoDB", &["nocodb-start"])
    },
    Tool {
        // HedgeDoc 1.x runs its Sequelize migrations (umzug) at start in every
        // pod, with no lock and no switch; no command only migrates.
        serves: &[""],
        images: &["*hedgedoc/hedgedoc", "*linuxserver/hedgedoc"],
        ..tool("HedgeDoc", &["hedgedoc-start"])
    },
    Tool {
        // linuxserver's BookStack image runs `php artisan migrate --force` in
        // its s6 start (no lock, no switch), then serves.
        serves: &[""],
        images: &["*linuxserver/bookstack"],
        migrate_only: Some("php /app/www/artisan migrate --force"),
        ..tool("BookStack (linuxserver)", &["bookstack-init"])
    },
    Tool {
        // Snipe-IT's image (`/startup.sh`) runs `php artisan migrate --force`
        // at every start, with no lock (and no `set -e`: a failed migration
        // serves anyway), then starts Apache.
        serves: &[""],
        images: &["*snipe/snipe-it"],
        migrate_only: Some("php /var/www/html/artisan migrate --force"),
        ..tool("Snipe-IT", &["snipeit-startup"])
    },
    Tool {
        // Project Quay's entrypoint runs `alembic upgrade` first in its
        // `registry` and `repomirror` modes (the default is `registry`), then
        // serves; `registry-nomigrate` and `migrate REV` say what they do.
        migrate: &["migrate"],
        serves: &["", "registry", "repomirror"],
        not: &["registry-nomigrate", "repomirror-nomigrate", "config", "shell"],
        images: &["*projectquay/quay", "*quay/quay"],
        migrate_only: Some("/quay-registry/quay-entrypoint.sh migrate head"),
        ..tool("Project Quay", &["quay-entrypoint"])
    },
    Tool {
        // Typebot's builder image runs `prisma migrate deploy` (PostgreSQL)
        // under Prisma's advisory lock (given up after 10 s), then serves.
        serves: &[""],
        images: &["*baptistearno/typebot-builder"],
        migrate_only: Some(
            "./node_modules/.bin/prisma migrate deploy --schema=packages/prisma/postgresql/schema.prisma",
        ),
        locked: true,
        ..tool("Typebot builder", &["typebot-builder-start"])
    },
    Tool {
        // ToolJet's image entrypoint (`./server/ee-entrypoint.sh`) waits for
        // Redis and PostgreSQL, runs `npm run db:setup:prod` (creates the
        // databases, then TypeORM's migrations, no lock), then execs its
        // arguments: every pod without a `command`, with no switch.
        serves: &["", "npm"],
        images: &["*tooljet/tooljet"],
        migrate_only: Some("./server/ee-entrypoint.sh true"),
        ..tool("ToolJet image", &["tooljet-start"])
    },
    Tool {
        // `permify serve` runs its pending goose migrations first (no lock)
        // unless `PERMIFY_DATABASE_AUTO_MIGRATE` is false; `migrate up` only
        // migrates, and reads its database from flags alone. Its default
        // engine is memory: nothing shared ([`FILE_UNLESS_SET`](crate::detect::switches)).
        migrate: &["migrate up"],
        checks: &["migrate status"],
        serves: &["serve"],
        not: &["migrate down", "migrate reset"],
        images: &["*permify/permify"],
        migrate_only: Some(
            "permify migrate up --database-engine postgres --database-uri $(PERMIFY_DATABASE_URI)",
        ),
        ..tool("Permify", &["permify"])
    },
    Tool {
        // `headscale serve` runs its pending gormigrate migrations at start
        // (no lock); `configtest` runs the same start, migrations included,
        // then exits. SQLite by default: a file on the pod's claim.
        migrate: &["configtest"],
        serves: &["serve"],
        images: &["*juanfont/headscale", "*headscale/headscale"],
        migrate_only: Some("headscale configtest"),
        ..tool("Headscale", &["headscale"])
    },
    Tool {
        // taiga-back's entrypoint (`docker/entrypoint.sh`) runs `manage.py
        // migrate` (no lock, no switch), then execs gunicorn whatever its
        // arguments: every pod without a `command` (taiga-async has one).
        serves: &["", "*"],
        images: &["*taigaio/taiga-back"],
        migrate_only: Some("python manage.py migrate"),
        ..tool("Taiga back image", &["taiga-back-start"])
    },
    Tool {
        // Joplin Server's image runs knex's `migrate.latest` at start unless
        // `DB_AUTO_MIGRATION` is false (a second migrator fails on knex's
        // lock and pm2 restarts it), then serves; `app.js migrate latest`
        // only migrates. SQLite unless `DB_CLIENT=pg`.
        serves: &[""],
        images: &["*joplin/server"],
        migrate_only: Some("node /home/joplin/packages/server/dist/app.js migrate latest"),
        locked: true,
        ..tool("Joplin Server image", &["joplin-server-start"])
    },
    Tool {
        // Apicurio Registry's SQL image creates or upgrades its schema at
        // start (`registry.sql.init`, on by default) under a lock of its own
        // process only, then serves; no command only migrates. The
        // in-memory and Kafka images have no schema.
        serves: &[""],
        images: &["*apicurio/apicurio-registry-sql"],
        ..tool("Apicurio Registry SQL image", &["apicurio-registry-sql-start"])
    },
    Tool {
        // mattlqx's Pixelfed image starts with `start.nginx.sh`: `php artisan
        // migrate --force` (Laravel, no lock), then nginx and php-fpm. It
        // reads no switch: `DB_APPLY_NEW_MIGRATIONS_AUTOMATICALLY` is the
        // official image's.
        serves: &[""],
        images: &["*mattlqx/docker-pixelfed"],
        migrate_only: Some("php artisan migrate --force"),
        ignores_switches: true,
        ..tool("Pixelfed image (mattlqx)", &["pixelfed-start"])
    },
    Tool {
        // Vikunja's `web` (its image's command) runs the pending migrations
        // (xorm, no lock), then serves; `migrate` only migrates. SQLite by
        // default: a file of the pod.
        migrate: &["migrate"],
        serves: &["", "web"],
        not: &["migrate rollback", "migrate list", "dump", "restore", "user", "testmail"],
        images: &["*vikunja/vikunja", "*vikunja/api"],
        migrate_only: Some("/app/vikunja/vikunja migrate"),
        ..tool("Vikunja", &["vikunja"])
    },
    Tool {
        // Bitnami's Matomo image installs (first start, by its web wizard) or
        // runs `console core:update` at every start in every pod, with no
        // lock; its config is on the claim, so no Job can run it.
        serves: &["", "*/apache/run.sh"],
        images: &["*bitnami/matomo"],
        ..tool("Bitnami Matomo", &["bitnami-matomo"])
    },
    Tool {
        // Bitnami's Drupal image runs `drush site:install` on a first start
        // (an empty claim; it drops every table first) and `drush updatedb`
        // on every start, in every pod, with no lock; `DRUPAL_SKIP_BOOTSTRAP`
        // still updates. settings.php lives on its claim: no Job can run it.
        serves: &["", "*/drupal/run.sh", "*/apache/run.sh"],
        images: &["*bitnami/drupal"],
        ..tool("Bitnami Drupal", &["bitnami-drupal"])
    },
    Tool {
        // Bitnami's Moodle image installs (first start) or runs
        // `admin/cli/upgrade.php` from its setup, then serves; both need the
        // config and data on its claim, so no Job can run them.
        serves: &["", "*/moodle/run.sh", "*/apache/run.sh"],
        images: &["*bitnami/moodle"],
        ..tool("Bitnami Moodle", &["bitnami-moodle"])
    },
    Tool {
        // Woodpecker's server migrates its database (xorm) at start, then
        // serves; no command only migrates. Its agents never migrate.
        serves: &[""],
        not: &["ping", "--help", "-h", "--version", "-v"],
        images: &["*woodpeckerci/woodpecker-server"],
        ..tool("Woodpecker server", &["woodpecker-server"])
    },
    Tool {
        // Semaphore UI's `server` (alias `service`) migrates its database at
        // start, then serves; `migrate` only migrates.
        migrate: &["migrate"],
        not: &["migrate --undo*", "user", "version", "runner"],
        serves: &["server", "service"],
        migrate_only: Some("semaphore migrate"),
        ..tool("Semaphore UI", &["semaphore"])
    },
    Tool {
        // Its image's `server-wrapper` (the default command) runs the server.
        serves: &[""],
        images: &["*semaphoreui/semaphore", "*ansiblesemaphore/semaphore"],
        migrate_only: Some("semaphore migrate"),
        ..tool("Semaphore UI image", &["server-wrapper"])
    },
    Tool {
        // pretix's standalone image: its entrypoint (`pretix`) runs `pretix
        // migrate` before every mode but `cron`, unless `AUTOMIGRATE=skip`,
        // then serves; `migrate` and `upgrade` only migrate.
        migrate: &["migrate", "upgrade"],
        not: &["cron"],
        serves: &["", "all", "web", "webworker", "taskworker*", "shell"],
        images: &["*pretix/standalone"],
        migrate_only: Some("pretix migrate"),
        ..tool("pretix", &["pretix"])
    },
    Tool {
        // Kimai's entrypoint runs `console kimai:install` (creates the
        // database, then Doctrine's migrations, no lock) on every start,
        // whatever its arguments, then serves. `kimai:update` refuses an empty
        // database: only `kimai:install` works on a first install.
        serves: &["", "*"],
        images: &["*kimai/kimai2"],
        migrate_only: Some("/opt/kimai/bin/console kimai:install -n --no-cache"),
        ..tool("Kimai image", &["kimai-entrypoint"])
    },
    Tool {
        // Kimai's console commands that run Doctrine's migrations.
        migrate: &["kimai:install*", "kimai:update*"],
        ..tool("Kimai", &["console"])
    },
    Tool {
        // Authelia migrates its storage schema at start; its CLI migrates
        // alone. Its image is not a row: its default storage is SQLite in a
        // file, which only its configuration file says.
        migrate: &["storage migrate up"],
        checks: &["storage migrate list-up"],
        not: &[
            "storage migrate down",
            "storage migrate list-down",
            "storage schema-info",
        ],
        ..tool("Authelia", &["authelia"])
    },
    Tool {
        // listmonk migrates by flags of its binary, each run exiting after its
        // step: `--install --idempotent` makes the schema once (a bare
        // `--install` wipes listmonk's tables, and with `--upgrade` it only
        // installs) and `--upgrade` runs the pending upgrades, without a
        // lock. Its server only refuses an old schema.
        migrate: &[
            "--upgrade",
            "--install --idempotent",
            "--idempotent --install",
        ],
        not: &[
            "--install --upgrade",
            "--upgrade --install",
            "--new-config",
            "--version",
        ],
        ..tool("listmonk", &["listmonk"])
    },
    Tool {
        // Miniflux migrates at start only with `RUN_MIGRATIONS=1`;
        // `-migrate` only migrates, then exits. Its server refuses an old schema.
        migrate: &["-migrate", "--migrate"],
        not: &[
            "-create-admin",
            "--create-admin",
            "-reset-password",
            "-info",
        ],
        images: &["*miniflux/miniflux"],
        migrate_only: Some("miniflux -migrate"),
        ..tool("Miniflux", &["miniflux"])
    },
];
