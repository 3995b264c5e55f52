//! App images whose own start migrates the schema, then serves, and app CLIs
//! that migrate by a flag: the rows the real-chart checks of the third round
//! added (Paperless-ngx, Outline, Cal.com, Directus, Invoice Ninja, listmonk,
//! Miniflux). An image row's program is a name of its own (`outline-start`):
//! the image's start, not a command anyone types.

use super::{tool, Tool};

/// The rows, most specific first.
pub const START_UP: &[Tool] = &[
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
