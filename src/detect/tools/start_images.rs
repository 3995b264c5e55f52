//! App images whose own start migrates the schema, then serves: the rows the
//! real-chart checks of session 27 added (Huginn, Planka, DocuSeal, Kanboard,
//! Shynet, Castopod, Marquez, FreeScout, LibreNMS; session 29: Terrakube,
//! Drone, Tiny Tiny RSS; session 30: Bitnami MediaWiki, Magento and WordPress,
//! XWiki, Bytebase, Trigger.dev; session 31: Inngest, NetBird, Seafile, Hue,
//! Linkwarden, MISP, ClearML; session 32: Grist, Dolibarr, SuperTokens,
//! Keep, Argilla, OpenCTI, Atlassian Data Center, shyim/shopware,
//! Appsmith; session 33: HAPI FHIR, Medplum, Traccar, FusionAuth; session 34: CKAN; session 35: OpenMRS, DHIS2,
//! OpenSlides, OpenEMR, Flowable; session 36: AWX task, Laminar, FeatureHub, Clair, diaspora*, Testkube,
//! Mailtrain). As in [`super::START_UP`],
//! an image row's program is a name of its own (`planka-start`): the image's
//! start, not a command anyone types.

use super::{tool, Tool};

/// The rows, most specific first (after [`super::START_UP`]'s).
pub const START_IMAGES: &[Tool] = &[
    Tool {
        // Huginn's single-process image (`docker/single-process/scripts/init`,
        // its CMD): with no argument it runs `rake db:create db:migrate` (Rails:
        // a second migrator fails on the advisory lock), seeds, then serves;
        // with one (the worker's `/scripts/init bin/threaded.rb`) it runs that
        // and migrates nothing.
        serves: &["", "/scripts/init"],
        images: &["*huginn/huginn-single-process"],
        migrate_only: Some("sh -c \"/scripts/setup_env && bundle exec rake db:migrate\""),
        locked: true,
        ..tool("Huginn single-process image", &["huginn-start"])
    },
    Tool {
        // Huginn's multi-process image runs `rake db:migrate` in its foreman
        // start (unless `DO_NOT_MIGRATE`), then the web and job processes.
        serves: &[""],
        images: &["*huginn/huginn"],
        locked: true,
        ..tool("Huginn image", &["huginn-start"])
    },
    Tool {
        // Planka's image starts `bash start.sh`: `node db/init.js` (knex's
        // migrate.latest under knex's lock: a second migrator fails on it and
        // restarts; then the first run's seed), then the server, in every pod.
        serves: &[""],
        images: &["*plankanban/planka"],
        migrate_only: Some("node db/init.js"),
        locked: true,
        image_cmd: &["bash", "start.sh"],
        ..tool("Planka image", &["planka-start"])
    },
    Tool {
        // DocuSeal's Rails app migrates at boot in production (an
        // initializer; Rails' advisory lock: a second migrator fails), on
        // SQLite in the pod unless DATABASE_URL names a server.
        serves: &[""],
        images: &["*docuseal/docuseal"],
        migrate_only: Some("/app/bin/rails db:migrate"),
        locked: true,
        ..tool("DocuSeal image", &["docuseal-start"])
    },
    Tool {
        // Kanboard migrates its schema on its first database connection in
        // every pod (`DB_RUN_MIGRATIONS`, on by default; no lock), on SQLite
        // in the pod unless DATABASE_URL names a server; `cli db:migrate`
        // only migrates.
        serves: &[""],
        images: &["*kanboard/kanboard"],
        migrate_only: Some("/var/www/app/cli db:migrate"),
        ..tool("Kanboard image", &["kanboard-start"])
    },
    Tool {
        // Shynet's entrypoint (`./entrypoint.sh`, its CMD) runs `./manage.py
        // startup_checks`, which migrates when migrations are pending (Django:
        // no lock), then gunicorn, unless `PERFORM_CHECKS_AND_SETUP=False`.
        serves: &[""],
        images: &["*milesmcc/shynet"],
        migrate_only: Some("./manage.py migrate"),
        image_cmd: &["./entrypoint.sh"],
        ..tool("Shynet image", &["shynet-start"])
    },
    Tool {
        // Castopod's image (s6-overlay `/init`) runs the bootstrap oneshot
        // `prepare-environment.sh` at every start: it writes `.env` from the
        // `CP_*` settings, runs `spark castopod:database-update` (no lock) and
        // exits; then the server starts. The script alone only migrates.
        serves: &[""],
        images: &["*castopod/castopod"],
        migrate_only: Some("/etc/s6-overlay/s6-rc.d/bootstrap/prepare-environment.sh"),
        ..tool("Castopod image", &["castopod-start"])
    },
    Tool {
        // Marquez's API runs its Flyway migrations at start when
        // `MIGRATE_ON_STARTUP` is true (Flyway's advisory lock: one pod at a
        // time); the jar's `db-migrate` command only migrates.
        serves: &[""],
        images: &["*marquezproject/marquez"],
        migrate_only: Some("sh -c \"java -jar marquez-*.jar db-migrate $MARQUEZ_CONFIG\""),
        locked: true,
        ..tool("Marquez image", &["marquez-start"])
    },
    Tool {
        // The tiredofit FreeScout image's init runs `php artisan migrate` (no
        // lock; `migrate:fresh` when its check of the users table fails) at
        // every start, then serves. Its settings are the image's own names
        // (DB_NAME, not Laravel's DB_DATABASE), which the command that only
        // migrates maps, in the install folder the image's init fills.
        serves: &[""],
        images: &["*tiredofit/freescout"],
        migrate_only: Some(
            "sh -c \"cd /assets/install && DB_CONNECTION=${DB_TYPE:-mysql} DB_DATABASE=$DB_NAME DB_USERNAME=$DB_USER DB_PASSWORD=$DB_PASS php artisan migrate --force\"",
        ),
        ..tool("FreeScout image", &["freescout-start"])
    },
    Tool {
        // The LibreNMS image's start (`04-svc-main.sh`) runs `lnms migrate
        // --force` and `artisan db:seed --force` (no lock) in every pod but
        // its dispatcher, syslog-ng and snmptrapd sidecars (`SIDECAR_*=1`).
        serves: &[""],
        images: &["*librenms/librenms"],
        migrate_only: Some("lnms migrate --force --no-ansi --no-interaction"),
        ..tool("LibreNMS image", &["librenms-start"])
    },
    Tool {
        // Terrakube's API (a Spring Boot image built with buildpacks) runs its
        // Liquibase changelog at start (`spring.liquibase.enabled`), one pod
        // at a time under Liquibase's lock table; no command only migrates.
        serves: &[""],
        images: &["*azbuilder/api-server"],
        locked: true,
        ..tool("Terrakube API image", &["terrakube-api-start"])
    },
    Tool {
        // Drone's server migrates its database at start (its own migrator: no
        // lock), then serves; no command only migrates. Runners never migrate.
        serves: &[""],
        not: &["--help", "-h", "--version", "-v"],
        images: &["*drone/drone"],
        ..tool("Drone server", &["drone-server"])
    },
    Tool {
        // The Tiny Tiny RSS image's start (`startup.sh`, its CMD) copies the
        // code to the volume, runs `update.php --update-schema=force-yes` as
        // user app (one transaction per version, no lock), then php-fpm. Its
        // updater (`updater.sh`, a command of its own) never migrates. The
        // image's code is also in /src/tt-rss, and its settings are env.
        serves: &[""],
        images: &["*cthulhoo/ttrss-fpm-pgsql-static"],
        migrate_only: Some(
            "sh -c \"cd /src/tt-rss && sudo -E -u app $TTRSS_PHP_EXECUTABLE ./update.php --update-schema=force-yes\"",
        ),
        ..tool("Tiny Tiny RSS image", &["ttrss-start"])
    },
    Tool {
        // Bitnami's MediaWiki image installs on a first start (`install.php`)
        // and runs `maintenance/update.php` on every later one, in every pod,
        // with no lock and no switch; LocalSettings.php lives on its claim,
        // so no Job can run it.
        serves: &["", "*/mediawiki/run.sh", "*/apache/run.sh"],
        images: &["*bitnami/mediawiki"],
        ..tool("Bitnami MediaWiki", &["bitnami-mediawiki"])
    },
    Tool {
        // Bitnami's Magento image runs `bin/magento setup:upgrade` on every
        // start (no lock), then serves; its env.php lives on its claim.
        serves: &["", "*/magento/run.sh", "*/apache/run.sh"],
        images: &["*bitnami/magento"],
        ..tool("Bitnami Magento", &["bitnami-magento"])
    },
    Tool {
        // XWiki (`xwiki`, its CMD through `docker-entrypoint.sh`) migrates the
        // schema and data when the main wiki starts, guarded inside one
        // process only: two pods starting together both migrate. No command
        // only migrates.
        serves: &["", "xwiki"],
        images: &["xwiki", "*/xwiki", "*xwiki/xwiki"],
        image_cmd: &["docker-entrypoint.sh", "xwiki"],
        ..tool("XWiki", &["xwiki-start"])
    },
    Tool {
        // Bitnami's WordPress image (`wordpress_initialize`) runs `wp core
        // install` on a first start and `wp core update-db` on every later
        // one, in every pod (and in the chart's scheduler CronJob), with no
        // lock and no switch; wp-config.php lives on its claim.
        serves: &["", "*/wordpress/run.sh", "*/apache/run.sh", "*/nginx/run.sh"],
        images: &["*bitnami/wordpress", "*bitnami/wordpress-nginx"],
        ..tool("Bitnami WordPress", &["bitnami-wordpress"])
    },
    Tool {
        // Bytebase's server migrates its metadata database at start
        // (`migrator.MigrateSchema`), then serves; no command only migrates.
        serves: &["", "--port*", "--data*", "--external-url*", "--pg*"],
        images: &["*bytebase/bytebase"],
        ..tool("Bytebase", &["bytebase"])
    },
    Tool {
        // Trigger.dev's webapp image (`scripts/entrypoint.sh`) runs Prisma's
        // `migrate deploy`, then goose on ClickHouse (no lock), then serves.
        serves: &[""],
        images: &["*triggerdotdev/trigger.dev"],
        image_cmd: &["./scripts/entrypoint.sh"],
        ..tool("Trigger.dev webapp image", &["trigger-webapp-start"])
    },
    Tool {
        // Inngest's `inngest start` runs goose's Up in-process before it
        // serves (cmd/commands/start.go), with no lock; no command only migrates.
        serves: &["start"],
        images: &["*inngest/inngest"],
        ..tool("Inngest", &["inngest"])
    },
    Tool {
        // NetBird's management server (`netbird-mgmt management`, the image's
        // start) runs GORM's AutoMigrate on every start (NewSqlStore), no lock;
        // no command only migrates.
        serves: &["", "management"],
        images: &["*netbirdio/management"],
        ..tool("NetBird management image", &["netbird-management-start"])
    },
    Tool {
        // Seafile's image (`start.py`) runs its upgrade scripts at every start
        // (`check_upgrade`), no lock; `upgrade.py` needs the data volume, so
        // no Job of its own can run it.
        serves: &[""],
        images: &["*seafileltd/seafile-mc"],
        ..tool("Seafile image", &["seafile-start"])
    },
    Tool {
        // Hue's image runs `./startup.sh` (its CMD): `hue migrate` (Django: no
        // lock), then the supervisor, in every pod.
        serves: &[""],
        images: &["*gethue/hue"],
        migrate_only: Some("./build/env/bin/hue migrate"),
        image_cmd: &["./startup.sh"],
        ..tool("Hue image", &["hue-start"])
    },
    Tool {
        // Linkwarden's image starts `yarn prisma migrate deploy && yarn start`
        // (later `yarn prisma:deploy && yarn concurrently:start`): Prisma's
        // advisory lock makes pods migrate one at a time.
        serves: &[""],
        images: &["*linkwarden/linkwarden"],
        migrate_only: Some("yarn prisma migrate deploy"),
        locked: true,
        ..tool("Linkwarden image", &["linkwarden-start"])
    },
    Tool {
        // Postiz's image runs `prisma db push` before it serves, in every
        // container (entrypoint.sh's `npm run prisma-db-push`, later pm2-run's
        // `pnpm run prisma-db-push && …`): a schema push, no migration history
        // and no lock.
        serves: &[""],
        images: &["*gitroomhq/postiz-app"],
        migrate_only: Some("pnpm run prisma-db-push"),
        ..tool("Postiz image", &["postiz-start"])
    },
    Tool {
        // The Docker library's Redmine image: its entrypoint writes
        // config/database.yml from REDMINE_DB_*, runs `rake db:migrate` (Rails:
        // an advisory lock) unless its command is rake or REDMINE_NO_DB_MIGRATE
        // is set, then serves; the entrypoint with `rake db:migrate` only migrates.
        serves: &[""],
        images: &["redmine", "*library/redmine"],
        migrate_only: Some("/docker-entrypoint.sh rake db:migrate"),
        locked: true,
        ..tool("Redmine image", &["redmine-start"])
    },
    Tool {
        // MISP's core image imports the schema into an empty database and runs
        // `cake Admin runUpdates` at every start, no lock.
        serves: &[""],
        images: &["*misp/misp-docker/misp-core"],
        ..tool("MISP core image", &["misp-core-start"])
    },
    Tool {
        // ClearML's image with `apiserver` runs its MongoDB and Elasticsearch
        // migrations at start, pods taking turns on a Redis lock; no command
        // only migrates (the fileserver and webserver open no database).
        serves: &["apiserver"],
        images: &["*allegroai/clearml"],
        locked: true,
        ..tool("ClearML apiserver", &["clearml-start"])
    },
    Tool {
        // Grist's server (the image's start) runs TypeORM's migrations on its
        // home database at start when `GRIST_SERVERS` includes `home` (the
        // default), no lock; a docs-only worker runs a command of its own.
        // `./cli db migrate` only migrates.
        serves: &[""],
        images: &["*gristlabs/grist", "*gristlabs/grist-oss"],
        migrate_only: Some("./cli db migrate"),
        ..tool("Grist image", &["grist-start"])
    },
    Tool {
        // Dolibarr's entrypoint (`docker-run.sh`) installs or upgrades the
        // database at start while `DOLI_INSTALL_AUTO=1` (the default), no
        // lock, then runs its command (`apache2-foreground`); `docker-run.sh
        // true` migrates, then exits.
        serves: &["", "apache2-foreground"],
        images: &["*dolibarr/dolibarr"],
        migrate_only: Some("docker-run.sh true"),
        ..tool("Dolibarr image", &["dolibarr-start"])
    },
    Tool {
        // SuperTokens core (`supertokens start --foreground`, the image's
        // start) creates its missing tables at start, no lock; it has no
        // command that only migrates.
        serves: &["", "start"],
        images: &[
            "*supertokens/supertokens-postgresql",
            "*supertokens/supertokens-mysql",
        ],
        ..tool("SuperTokens core", &["supertokens"])
    },
    Tool {
        // Keep's API image runs Alembic's `upgrade head` in gunicorn's start
        // hook (`migrate_db`, unless `SKIP_DB_CREATION`), no lock, in every pod.
        serves: &[""],
        images: &["*keephq/keep/keep-api", "*keephq/keep-api"],
        migrate_only: Some(
            "python -c \"from keep.api.core.db_on_start import migrate_db; migrate_db()\"",
        ),
        ..tool("Keep API image", &["keep-api-start"])
    },
    Tool {
        // Argilla's server image (`start_argilla_server.sh`) runs `python -m
        // argilla_server database migrate` (Alembic, no lock), then serves,
        // on SQLite in ARGILLA_HOME_PATH unless ARGILLA_DATABASE_URL names a server.
        serves: &[""],
        images: &["*argilla/argilla-server"],
        migrate_only: Some("python -m argilla_server database migrate"),
        ..tool("Argilla server image", &["argilla-server-start"])
    },
    Tool {
        // OpenCTI's platform (`node build/back.js`, the image's start)
        // creates or migrates its search indices at start under a Redis lock
        // (`platform_init_lock`); no command only migrates.
        serves: &[""],
        images: &["*opencti/platform"],
        locked: true,
        image_cmd: &["node", "build/back.js"],
        ..tool("OpenCTI platform", &["opencti-platform-start"])
    },
    Tool {
        // Atlassian's Data Center images (`/entrypoint.py`, which starts the
        // product in the foreground) upgrade the schema as the product starts;
        // a cluster upgrades one node at a time (a StatefulSet starts pod 0
        // alone); no command only migrates.
        serves: &[""],
        image_cmd: &["/entrypoint.py"],
        images: &[
            "*atlassian/jira-software",
            "*atlassian/jira-core",
            "*atlassian/jira-servicemanagement",
            "*atlassian/confluence",
            "*atlassian/confluence-server",
            "*atlassian/bitbucket",
            "*atlassian/bitbucket-server",
            "*atlassian/crowd",
            "*atlassian/bamboo",
        ],
        locked: true,
        ..tool("Atlassian Data Center image", &["atlassian-start"])
    },
    Tool {
        // shyim/shopware's entrypoint with no mode installs or updates the
        // shop (`system:install`, `system:update:finish`; no lock), then
        // serves; `maintenance` only does the first, then exits; `web` and
        // `cli` only serve or run the command given.
        serves: &[""],
        migrate: &["maintenance"],
        not: &["web", "cli"],
        images: &["*shyim/shopware"],
        migrate_only: Some("/entrypoint.sh maintenance"),
        image_cmd: &["/entrypoint.sh"],
        ..tool("shyim/shopware image", &["shopware-start"])
    },
    Tool {
        // Appsmith's image starts supervisord, whose Java backend migrates as
        // it starts (Mongock under its lock on MongoDB, Flyway under its
        // advisory lock on PostgreSQL); no command only migrates.
        serves: &[""],
        images: &[
            "*appsmith/appsmith-ee",
            "*appsmith/appsmith-ce",
            "*appsmith/appsmith",
        ],
        locked: true,
        ..tool("Appsmith image", &["appsmith-start"])
    },
    Tool {
        // HAPI FHIR's JPA server image (a Spring Boot launcher) has Hibernate
        // update the schema as it starts, in every pod, with no lock; HAPI's
        // locked migrator runs only from `hapi-fhir-cli migrate-database`,
        // which the image does not hold.
        serves: &[""],
        images: &["*hapiproject/hapi"],
        image_cmd: &[
            "java",
            "--class-path",
            "/app/main.war",
            "org.springframework.boot.loader.PropertiesLauncher",
        ],
        ..tool("HAPI FHIR JPA server image", &["hapi-fhir-start"])
    },
    Tool {
        // Medplum's server migrates PostgreSQL at start under an advisory
        // lock (`pg_try_advisory_lock`; a pod that cannot take it retries,
        // then restarts) unless MEDPLUM_DATABASE_RUN_MIGRATIONS=false; its
        // argument names the config source (`env`, `file:…`, `aws:…`); no
        // command only migrates.
        serves: &["", "env", "file:*", "aws:*"],
        images: &["*medplum/medplum-server"],
        image_cmd: &["node", "packages/server/dist/index.js"],
        locked: true,
        ..tool("Medplum server image", &["medplum-server-start"])
    },
    Tool {
        // Traccar's server applies its Liquibase changelog at start (under
        // Liquibase's lock table), then serves; its argument is the config
        // file; no command only migrates.
        serves: &["", "*.xml"],
        images: &["*traccar/traccar"],
        image_cmd: &["java", "-jar", "tracker-server.jar"],
        locked: true,
        ..tool("Traccar server image", &["traccar-start"])
    },
    Tool {
        // FusionAuth's app creates or upgrades its schema as it starts (in
        // silent mode, or with the root database credentials), in every
        // pod; no command only migrates.
        serves: &[""],
        images: &["*fusionauth/fusionauth-app"],
        ..tool("FusionAuth app image", &["fusionauth-start"])
    },
    Tool {
        // Keitaro's CKAN image starts with `/app/start_ckan.sh`, whose
        // prerun.py runs `ckan db init` (the same alembic upgrade as `ckan db
        // upgrade`) in every pod, with no lock, then serves with uwsgi.
        serves: &["", "/app/start_ckan.sh"],
        images: &["*keitaro/ckan"],
        migrate_only: Some("ckan -c /app/production.ini db upgrade"),
        ..tool("CKAN image (Keitaro)", &["ckan-start"])
    },
    Tool {
        // OpenMRS's image runs `/openmrs/startup.sh`, which waits for the
        // database and starts Tomcat; the webapp applies the core's and each
        // module's Liquibase changelogs as it starts (auto_update_database,
        // on by default), under Liquibase's lock table; no command only
        // migrates.
        serves: &["", "/openmrs/startup.sh"],
        images: &[
            "*openmrs/openmrs-core",
            "*openmrs/openmrs-reference-application-3-backend",
            "*openmrs/openmrs-reference-application-distro",
        ],
        image_cmd: &["/openmrs/startup.sh"],
        locked: true,
        ..tool("OpenMRS image", &["openmrs-start"])
    },
    Tool {
        // DHIS2's image is Tomcat with the DHIS2 WAR (`catalina.sh run`, its
        // CMD): Spring runs Flyway's migrate as it starts (FlywayConfig's
        // `initMethod="migrate"`), under Flyway's lock on its history table;
        // no command only migrates.
        serves: &["", "catalina.sh run", "run"],
        images: &["*dhis2/core", "*dhis2/core-dev"],
        image_cmd: &["catalina.sh"],
        locked: true,
        ..tool("DHIS2 core image", &["dhis2-start"])
    },
    Tool {
        // OpenSlides 4's backend image (ENTRYPOINT ./entrypoint.sh, CMD
        // ./command.sh) waits for the datastore writer, then runs `migrate.py
        // finalize` in every pod, with no lock, then serves.
        serves: &["", "./command.sh"],
        images: &["*openslides/openslides-backend"],
        migrate_only: Some("python openslides_backend/migrations/migrate.py finalize"),
        ..tool("OpenSlides backend image", &["openslides-backend-start"])
    },
    Tool {
        // OpenEMR's image (CMD ./openemr.sh) installs the schema on a first
        // start and upgrades it when the image's version is newer, with no
        // database lock (SWARM_MODE's leader file is per container in 6.x);
        // K8S=admin configures and exits, K8S=worker never configures.
        serves: &["", "./openemr.sh"],
        images: &["*openemr/openemr"],
        migrate_only: Some("env K8S=admin ./openemr.sh"),
        ..tool("OpenEMR image", &["openemr-start"])
    },
    Tool {
        // Flowable's REST and UI apps update their schema as they start
        // (`flowable.database-schema-update`, on by default), with no lock
        // unless `flowable.use-lock-for-database-schema-update`; no command
        // only migrates.
        serves: &[""],
        images: &["*flowable/flowable-rest", "*flowable/flowable-ui", "*flowable/all-in-one"],
        image_cmd: &["/flowable-entrypoint.sh"],
        ..tool("Flowable image", &["flowable-start"])
    },
    Tool {
        // AWX 17 and older: the task image's `launch_awx_task.sh` runs
        // `awx-manage migrate --noinput` in every task pod, with no lock,
        // unless AWX_SKIP_MIGRATIONS is set, then starts supervisord (AWX 18's
        // `quay.io/ansible/awx` only waits for migrations, run by the operator).
        serves: &["", "/usr/bin/launch_awx_task.sh", "launch_awx_task.sh"],
        images: &["*ansible/awx_task"],
        image_cmd: &["/usr/bin/launch_awx_task.sh"],
        migrate_only: Some("awx-manage migrate --noinput"),
        ..tool("AWX task image (17 and older)", &["awx-task-start"])
    },
    Tool {
        // Laminar's frontend (CMD `node server.js`) applies its drizzle
        // migrations to PostgreSQL and its ClickHouse migrations as the
        // server starts, in every pod, with no lock; no command only migrates.
        serves: &["", "node server.js"],
        images: &["*lmnr-ai/frontend", "*lmnr-ai/frontend-ee"],
        image_cmd: &["node"],
        ..tool("Laminar frontend image", &["laminar-frontend-start"])
    },
    Tool {
        // FeatureHub's Management Repository (alone or in the party server)
        // runs ebean-migration over its database as it starts, in every pod;
        // no command only migrates.
        serves: &[""],
        images: &["*featurehub/mr", "*featurehub/party-server"],
        ..tool("FeatureHub management repository", &["featurehub-mr-start"])
    },
    Tool {
        // Clair v4: each service (indexer, matcher, notifier; `-mode combo`
        // runs all three) migrates its own schema as it starts when its
        // config says `migrations: true`, under one PostgreSQL advisory lock;
        // every mode serves, and clairctl has no command that only migrates.
        serves: &["", "-mode", "--mode"],
        images: &["*projectquay/clair", "*quay/clair-rhel8", "*devtron/clair"],
        locked: true,
        ..tool("Clair v4", &["clair"])
    },
    Tool {
        // diaspora*'s community image (koehn/diaspora, CMD ./startup.sh)
        // runs `bin/rake db:migrate` in every pod, then serves (Rails: an
        // advisory lock on PostgreSQL, one migrator at a time).
        serves: &["", "./startup.sh", "startup.sh"],
        images: &["*koehn/diaspora"],
        image_cmd: &["./startup.sh"],
        migrate_only: Some(
            "bash --login -c \"cd /home/diaspora/diaspora && RAILS_ENV=production bin/rake db:migrate\"",
        ),
        locked: true,
        ..tool("diaspora* image (koehn)", &["diaspora-start"])
    },
    Tool {
        // Testkube's API server runs its goose migrations (PostgreSQL) or its
        // MongoDB migrations as it starts, in every pod, with no lock; no
        // command only migrates.
        serves: &[""],
        images: &["*kubeshop/testkube-api-server"],
        ..tool("Testkube API server", &["testkube-api-start"])
    },
    Tool {
        // Mailtrain's server loads its SQL upgrade scripts (no lock), then
        // knex's migrations, as it starts; no command only migrates.
        serves: &[""],
        images: &["*mailtrain/mailtrain"],
        ..tool("Mailtrain image", &["mailtrain-start"])
    },
];
