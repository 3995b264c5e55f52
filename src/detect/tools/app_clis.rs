//! App CLIs the real-chart checks of session 31 on added (the rows of
//! [`super::APPS`] fill its file): a program and the words that make it
//! migrate, serve, or do something else.

use super::{tool, Tool};

/// The rows, most specific first (after [`super::APPS`]'s).
pub const APP_CLIS: &[Tool] = &[
    Tool {
        // Fleet (fleetdm): `fleet prepare db` migrates and exits (a no-op on a
        // current schema); `fleet serve` refuses to start while migrations are
        // missing, so it never migrates (cmd/fleet/prepare.go, serve_validation.go).
        migrate: &["prepare db"],
        not: &["serve", "vuln_processing"],
        images: &["*fleetdm/fleet"],
        ..tool("Fleet", &["fleet"])
    },
    Tool {
        // Pretalx's standalone image has pretix's entrypoint: `pretalx migrate`
        // before every mode but `cron`, unless `AUTOMIGRATE=skip`, then serves
        // (Django: no lock); `migrate` and `upgrade` only migrate.
        migrate: &["migrate", "upgrade"],
        not: &["cron"],
        serves: &["", "all", "web", "webworker", "taskworker*", "shell"],
        images: &["*pretalx/standalone"],
        migrate_only: Some("pretalx migrate"),
        ..tool("Pretalx", &["pretalx"])
    },
    Tool {
        // Meltano: `meltano ui` brings its system database up to date and
        // seeds it as it starts, in every pod, with no lock (`project(migrate=
        // True)`); `meltano upgrade database` only migrates.
        migrate: &["upgrade database"],
        serves: &["ui", "ui start"],
        migrate_only: Some("meltano upgrade database"),
        ..tool("Meltano", &["meltano"])
    },
    Tool {
        // LLDAP: `lldap run` (the image's command) upgrades its schema as it
        // starts, in every pod, with no lock; `create_schema` only migrates.
        migrate: &["create_schema"],
        serves: &["", "run"],
        images: &["*lldap/lldap", "*nitnelave/lldap"],
        migrate_only: Some("/app/lldap create_schema"),
        no_database: &["healthcheck", "send_test_email", "export_graphql_schema"],
        ..tool("LLDAP", &["lldap"])
    },
];
