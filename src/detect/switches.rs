//! Env switches of an image's start-up migrations: `RUN_MIGRATIONS=true`
//! turns them on, `*_MIGRATION_DISABLED=true` or `RUN_MIGRATIONS=false` off,
//! and a setting of the migration (`CLICKHOUSE_MIGRATION_SSL=false`) is none.
//! A name given twice counts with its last value, as Kubernetes reads it.

use crate::yaml::Value;

/// Words of an env switch's name that turn migrations off when it is true.
/// (`DO_NOT_MIGRATE`: Huginn's.)
const NEGATIVE_SWITCH: &[&str] = &["DISABLE", "SKIP", "NO_", "NOT_", "OFF"];

/// Words of a name that make it a setting of what a migration run includes,
/// not a switch of whether one runs at start (Firezone's
/// `RUN_MANUAL_MIGRATIONS=true` adds its manual migrations to the migrate
/// command; `web start` never migrates; DHIS2's
/// `FLYWAY_REPAIR_BEFORE_MIGRATION=false` and `FLYWAY_MIGRATE_OUT_OF_ORDER`
/// set how Flyway migrates at start, which it still does).
const SETTING_WORDS: &[&str] = &[
    "MANUAL",
    "REPAIR",
    "OUT_OF_ORDER",
    "BACKUP",
    "BEFORE_MIGRAT",
    "AFTER_MIGRAT",
];

/// Words of a switch's name that say the migration runs somewhere else when it
/// is true (Rasa X's `RUN_DATABASE_MIGRATION_AS_SEPARATE_SERVICE`): never on here.
const DELEGATING: &[&str] = &["SEPARATE", "EXTERNAL", "REMOTE"];

/// Tools' switches whose names do not say `MIGRAT`: each turns the image's
/// start-up migration off when true (LiteLLM's proxy, Nautobot's entrypoint,
/// Umami's `SKIP_DB_CHECK`).
const TOOL_OFF_SWITCHES: &[&str] = &[
    "DISABLE_SCHEMA_UPDATE",
    "NAUTOBOT_DOCKER_SKIP_INIT",
    "SKIP_DB_CHECK",
    // Keep's API (`migrate_db` returns at once).
    "SKIP_DB_CREATION",
];

/// Tools' settings that turn the start-up migration off by a value, not a
/// boolean: a container of that type does not migrate (Activepieces'
/// `AP_CONTAINER_TYPE=WORKER`), a skip of its own spelling (pretix's
/// `AUTOMIGRATE=skip`), or has no database to share ([`FILE_DATABASES`]).
///
/// Shynet's `PERFORM_CHECKS_AND_SETUP=False` (its entrypoint compares with
/// `False` exactly; values are read lowercased here, so `false` reads as off
/// too: at worst premigrate warns less).
const TOOL_OFF_VALUES: &[(&str, &str)] = &[
    ("AP_CONTAINER_TYPE", "worker"),
    ("AUTOMIGRATE", "skip"),
    ("PERFORM_CHECKS_AND_SETUP", "false"),
    // OpenEMR's workers never configure; MANUAL_SETUP leaves it to a person.
    ("K8S", "worker"),
    ("MANUAL_SETUP", "yes"),
    // LibreNMS's sidecar roles, which skip the image's start-up migration.
    ("SIDECAR_DISPATCHER", "1"),
    ("SIDECAR_SYSLOGNG", "1"),
    ("SIDECAR_SNMPTRAPD", "1"),
];

/// Tools' settings that put the database in a file of each pod (Metabase on
/// H2, Paperless-ngx on SQLite): its start-up migration races nobody, and a
/// Job would migrate a file of its own, never the app's.
pub(crate) const FILE_DATABASES: &[(&str, &str)] = &[
    ("MB_DB_TYPE", "h2"),
    ("PAPERLESS_DBENGINE", "sqlite"),
    // Mealie's, and apps' of the same spelling (Django's engine path too).
    ("DB_ENGINE", "sqlite"),
    ("DB_ENGINE", "django.db.backends.sqlite3"),
    // Shlink's, and apps' of the same spelling.
    ("DB_DRIVER", "sqlite"),
    ("CMD_DB_DIALECT", "sqlite"),
    ("SEMAPHORE_DB_DIALECT", "bolt"),
    ("SEMAPHORE_DB_DIALECT", "sqlite"),
    ("VIKUNJA_DATABASE_TYPE", "sqlite"),
    // Joplin Server's (any other value than `pg` is SQLite).
    ("DB_CLIENT", "sqlite3"),
    ("HEADSCALE_DATABASE_TYPE", "sqlite"),
    ("HEADSCALE_DATABASE_TYPE", "sqlite3"),
    // Permify's default engine keeps its data in the pod's memory.
    ("PERMIFY_DATABASE_ENGINE", "memory"),
    // Gitea's and Forgejo's spelling, as env (`GITEA__database__DB_TYPE` is
    // their env form of the same setting).
    ("DB_TYPE", "sqlite3"),
    ("DB_TYPE", "sqlite"),
    ("GITEA__DATABASE__DB_TYPE", "sqlite3"),
    // Laravel's (Monica's default: database/database.sqlite in the pod).
    ("DB_CONNECTION", "sqlite"),
    // GoToSocial's (its default: a file on the pod's volume).
    ("GTS_DB_TYPE", "sqlite"),
];

/// Tools' switches whose names do not say `MIGRAT`, as a prefix and a suffix:
/// each turns the start-up migration on when true, off when false
/// (Micronaut's `FLYWAY_DATASOURCES_<NAME>_ENABLED`: Kestra's servers).
/// Dolibarr's `DOLI_INSTALL_AUTO` (its entrypoint installs or upgrades while it is 1).
const TOOL_ON_SWITCHES: &[(&str, &str)] = &[
    ("FLYWAY_DATASOURCES_", "_ENABLED"),
    ("DOLI_INSTALL_AUTO", ""),
];

/// Switches the migration code itself reads, whatever command runs it (Keep's
/// `migrate_db` returns at once under `SKIP_DB_CREATION`): a Job running the
/// migration command with one turned on migrates nothing either.
const READ_BY_MIGRATION_CODE: &[&str] = &["SKIP_DB_CREATION"];

/// [`off_switch`], of the switches the migration code itself reads
/// ([`READ_BY_MIGRATION_CODE`]).
pub fn code_off_switch(c: &Value) -> Option<String> {
    off_switch(c).filter(|sw| {
        let name = sw.split('=').next().unwrap_or("").to_ascii_uppercase();
        READ_BY_MIGRATION_CODE.contains(&name.as_str())
    })
}

/// An env var of a container that turns the image's start-up migrations off
/// (`*_MIGRATION_DISABLED=true`, `RUN_MIGRATIONS=false`), and its value: a Job
/// built from the container that runs the image's entrypoint migrates nothing.
pub fn off_switch(c: &Value) -> Option<String> {
    env_values(c).find_map(|(_, n, v)| {
        (switch_state(n, &v) == Some(false)).then(|| format!("{n}={}", v.to_ascii_lowercase()))
    })
}

/// Whether the container's env has a start-up migration switch and turns
/// every one it has off (Langfuse has one for PostgreSQL, one for ClickHouse:
/// with one of them on, the entrypoint still migrates).
pub(super) fn switched_off(c: &Value) -> bool {
    let states: Vec<bool> = env_values(c)
        .filter_map(|(_, n, v)| switch_state(n, &v))
        .collect();
    !states.is_empty() && !states.contains(&true)
}

/// Whether one of the container's start-up migration switches has a name
/// that starts with `prefix` (a tool's own setting).
pub(super) fn names_a_switch(c: &Value, prefix: &str) -> bool {
    env_values(c).any(|(_, n, v)| {
        n.to_ascii_uppercase().starts_with(prefix) && switch_state(n, &v).is_some()
    })
}

/// What an env var says of the image's start-up migrations: on, off, or
/// nothing (not a switch, or a setting of the migration such as
/// `CLICKHOUSE_MIGRATION_SSL=false`). A negative switch (`*_DISABLED`,
/// `SKIP_*`) is off when true, on when false.
fn switch_state(name: &str, value: &str) -> Option<bool> {
    let v = value.to_ascii_lowercase();
    let up = name.to_ascii_uppercase();
    let negative = NEGATIVE_SWITCH.iter().any(|w| up.contains(w));
    let truthy = matches!(v.as_str(), "true" | "1" | "yes" | "on" | "y");
    let falsy = matches!(v.as_str(), "false" | "0" | "no" | "off" | "n");
    if TOOL_OFF_SWITCHES.contains(&up.as_str()) && (truthy || falsy) {
        return Some(falsy);
    }
    let off = |&(n, off): &(&str, &str)| up == n && v == off;
    if TOOL_OFF_VALUES.iter().any(off) || FILE_DATABASES.iter().any(off) || sqlite_url(&up, &v) {
        return Some(false);
    }
    let tool_on = |&(pre, post): &(&str, &str)| up.starts_with(pre) && up.ends_with(post);
    if TOOL_ON_SWITCHES.iter().any(tool_on) && (truthy || falsy) {
        return Some(truthy);
    }
    // A name that is the switch itself, not a setting of the migration.
    let switch = ["MIGRATE", "MIGRATION", "MIGRATIONS", "_ENABLED"]
        .iter()
        .any(|end| up.ends_with(end))
        || ["AUTO_MIGRAT", "RUN_MIGRAT", "MIGRATE_ON"]
            .iter()
            .any(|w| up.contains(w));
    let setting = SETTING_WORDS.iter().any(|w| up.contains(w));
    if !up.contains("MIGRAT") || setting || !(negative || switch) || !(truthy || falsy) {
        return None;
    }
    Some(truthy != negative)
}

/// A container's env variables that have a value, as text, each with its
/// index in `env` (the last value of a name given twice).
fn env_values(c: &Value) -> impl Iterator<Item = (usize, &str, String)> {
    crate::k8s::env_values(c).map(|(k, n, v)| (k, n, super::text(v)))
}

/// The env variable that switches the image's migrations on at start: its
/// index in `env` and `NAME=value`.
pub fn on_switch(c: &Value) -> Option<(usize, String)> {
    env_values(c).find_map(|(k, n, v)| {
        let up = n.to_ascii_uppercase();
        let truthy = matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "1" | "yes" | "on" | "y"
        );
        // `*_MIGRATION_DISABLED`, `SKIP_MIGRATIONS`, `NO_MIGRATE`: a switch
        // that turns migrations off when true (Langfuse) never says on.
        let negative = NEGATIVE_SWITCH.iter().any(|w| up.contains(w));
        let named = up.contains("MIGRAT")
            && !negative
            && !up.contains("CHECK")
            && !up.contains("WAIT")
            && !up.contains("TOOL")
            && !up.contains("DIR")
            && !up.contains("PATH")
            && !up.contains("TABLE")
            && !up.contains("TIMEOUT")
            && !DELEGATING.iter().any(|w| up.contains(w))
            && !SETTING_WORDS.iter().any(|w| up.contains(w));
        (named && truthy).then(|| (k, format!("{n}={v}")))
    })
}

/// Whether container `c` is a worker with a `command` of its own (`php
/// artisan horizon`, `celery … worker`): it skips the image's entrypoint that
/// reads a start-up migration switch, and runs beside the app with the same
/// env, so the switch says nothing of it.
pub(super) fn a_worker(c: &Value, has_command: bool) -> bool {
    // A word of the command, or a part of a script's name (wger's `/start-beat`).
    let worker = |w: &str| {
        let w = w.to_ascii_lowercase();
        let base = w.rsplit('/').next().unwrap_or(&w);
        std::iter::once(w.as_str())
            .chain(base.split(['-', '_']))
            .any(|p| super::vocab::WORKER_WORDS.contains(&p))
    };
    has_command
        && !super::classify::runs_entrypoint_script(c)
        && super::command_line(c).iter().any(|w| worker(w))
}

/// Whether a container's command runs a known tool's program for a task of
/// its own (`./manage.py setup-powersync-storage`, `php artisan cache:clear`):
/// a subcommand that neither serves nor migrates.
pub(super) fn tool_task(c: &Value) -> bool {
    let line = super::command_line(c);
    let Some(k) = line.iter().position(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        let stem = base.split('.').next().unwrap_or(base);
        !stem.is_empty() && !super::tools::named_by(stem, &[]).is_empty()
    }) else {
        return false;
    };
    let Some(sub) = line[k + 1..].iter().find(|w| !w.starts_with('-')) else {
        return false;
    };
    let sub = sub.to_ascii_lowercase();
    let says_something = super::vocab::SERVE_VERBS.contains(&sub.as_str())
        || matches!(
            super::words::says(&sub),
            super::words::Says::Migrate | super::words::Says::Check | super::words::Says::Wait
        );
    !says_something
}

/// Images whose database is a file of the pod (or its memory: Permify)
/// unless a setting names a server: the image (a repository suffix), the
/// setting, and the prefixes of its value that name a server (none: any value
/// does), and where the database then is. A setting from `valueFrom` names a
/// server (its value is not known here).
const FILE_UNLESS_SET: &[(&str, &str, &[&str], &str)] = &[
    (
        "permify/permify",
        "PERMIFY_DATABASE_ENGINE",
        &["postgres"],
        "memory",
    ),
    ("joplin/server", "DB_CLIENT", &["pg"], "a file"),
    (
        "vaultwarden/server",
        "DATABASE_URL",
        &["mysql:", "postgres:", "postgresql:"],
        "a file",
    ),
    ("mealie-recipes/mealie", "DB_ENGINE", &[], "a file"),
    (
        "docuseal/docuseal",
        "DATABASE_URL",
        &["mysql", "postgres"],
        "a file",
    ),
    ("docuseal/docuseal", "DATABASE_HOST", &[], "a file"),
    (
        "kanboard/kanboard",
        "DATABASE_URL",
        &["mysql", "postgres"],
        "a file",
    ),
    (
        "vikunja/vikunja",
        "VIKUNJA_DATABASE_TYPE",
        &["postgres", "mysql"],
        "a file",
    ),
    ("shlinkio/shlink", "DB_DRIVER", &[], "a file"),
    (
        "paperless-ngx/paperless-ngx",
        "PAPERLESS_DBHOST",
        &[],
        "a file",
    ),
    (
        "woodpeckerci/woodpecker-server",
        "WOODPECKER_DATABASE_DRIVER",
        &["postgres", "mysql"],
        "a file",
    ),
    // Argilla's server keeps SQLite in its home folder unless a URL names a server.
    (
        "argilla/argilla-server",
        "ARGILLA_DATABASE_URL",
        &["postgres"],
        "a file",
    ),
    // Grist's home database is SQLite unless TypeORM's type names a server.
    (
        "gristlabs/grist",
        "TYPEORM_TYPE",
        &["postgres", "mysql"],
        "a file",
    ),
    (
        "gristlabs/grist-oss",
        "TYPEORM_TYPE",
        &["postgres", "mysql"],
        "a file",
    ),
    // PhotoPrism keeps SQLite in its storage folder unless its driver names a
    // server (internal/config: the driver's default is sqlite).
    (
        "photoprism/photoprism",
        "PHOTOPRISM_DATABASE_DRIVER",
        &["mysql", "mariadb", "postgres"],
        "a file",
    ),
    // The Docker library's Redmine: SQLite (`sqlite/redmine.db`) unless one of
    // these names a server (its docker-entrypoint.sh). Bitnami's is another image.
    ("library/redmine", "REDMINE_DB_MYSQL", &[], "a file"),
    ("library/redmine", "REDMINE_DB_POSTGRES", &[], "a file"),
    ("library/redmine", "REDMINE_DB_SQLSERVER", &[], "a file"),
];

/// Whether image repository `repo` is a row's `r`: its end, or for a Docker
/// library image (`library/redmine`) the bare name too, never another
/// owner's image of that name (`bitnami/redmine`).
fn repo_is(repo: &str, r: &str) -> bool {
    match r.strip_prefix("library/") {
        Some(name) => repo == name || repo == r || repo.ends_with(&format!("/{r}")),
        None => repo.ends_with(r),
    }
}

/// The container's setting that puts its database in a file of each pod
/// (`PAPERLESS_DBENGINE=sqlite`, a `DATABASE_URL` of `sqlite:`, or the
/// image's default when no setting names a server), in words.
pub fn file_database(c: &Value) -> Option<String> {
    let server = names_a_server_kind(c);
    let set = env_values(c).find_map(|(_, n, v)| {
        let (up, v) = (n.to_ascii_uppercase(), v.to_ascii_lowercase());
        (FILE_DATABASES
            .iter()
            .any(|&(name, value)| up == name && v == value)
            || ((sqlite_url(&up, &v) || file_kind(&up, &v)) && !server))
            .then(|| format!("`{n}={v}`"))
    });
    set.or_else(|| file_by_default(c))
}

/// Words of a setting's name that choose the kind of database (`DB_FLAVOR`,
/// `DB_TYPE`, `DATABASE_DRIVER`).
const KIND_WORDS: &[&str] = &[
    "FLAVOR", "TYPE", "DRIVER", "ENGINE", "DIALECT", "CLIENT", "VENDOR",
];
/// What such a setting's value starts with when it chooses a server.
const SERVER_KINDS: &[&str] = &[
    "postgres",
    "pg",
    "mysql",
    "mariadb",
    "mssql",
    "sqlserver",
    "oracle",
    "cockroach",
];

/// Whether the env chooses a database server by kind (Mailu's
/// `DB_FLAVOR=postgresql`): the app then builds its connection from it, and a
/// SQLite URL beside it is a default it overrides (Mailu's chart always sets
/// `SQLALCHEMY_DATABASE_URI=sqlite:////data/main.db`).
fn names_a_server_kind(c: &Value) -> bool {
    env_values(c).any(|(_, n, v)| server_kind(&n.to_ascii_uppercase(), &v.to_ascii_lowercase()))
}

/// Whether a setting (uppercase name, lowercase value) chooses a database server by kind.
fn server_kind(up: &str, v: &str) -> bool {
    (up.contains("DB") || up.contains("DATABASE"))
        && KIND_WORDS.iter().any(|w| up.contains(w))
        && SERVER_KINDS.iter().any(|k| v.starts_with(k))
}

/// Whether a setting (uppercase name, lowercase value) chooses an embedded
/// database by kind, whatever the app calls it: `PHOTOPRISM_DATABASE_DRIVER=
/// sqlite`, Strapi's `DATABASE_CLIENT=sqlite`, Ghost's `database__client=
/// sqlite3`, `DB_DIALECT=sqlite`, `TYPEORM_CONNECTION=sqlite`.
fn file_kind(up: &str, v: &str) -> bool {
    let db = up.contains("DB") || up.contains("DATABASE") || up.starts_with("TYPEORM_");
    let kind = KIND_WORDS.iter().any(|w| up.contains(w)) || up.ends_with("_CONNECTION");
    db && kind && matches!(v, "sqlite" | "sqlite3" | "better-sqlite3" | "h2")
}

/// Whether the container's image keeps its database in a file unless a
/// setting names a server ([`FILE_UNLESS_SET`]).
pub(super) fn has_file_default(c: &Value) -> bool {
    let image = c.get("image").and_then(Value::as_str).unwrap_or("");
    let repo = super::image_repository(image).to_ascii_lowercase();
    FILE_UNLESS_SET.iter().any(|(r, ..)| repo_is(&repo, r))
}

/// [`FILE_UNLESS_SET`]: the image's default file database, when the
/// container's env (with no `envFrom`, which could set it unseen) names no server.
fn file_by_default(c: &Value) -> Option<String> {
    let image = c.get("image").and_then(Value::as_str)?;
    let repo = super::image_repository(image).to_ascii_lowercase();
    // An image may have several settings that name a server (DocuSeal's
    // DATABASE_URL and DATABASE_HOST): any one of them does.
    let rows: Vec<_> = FILE_UNLESS_SET
        .iter()
        .filter(|(r, ..)| repo_is(&repo, r))
        .collect();
    let place = rows.first()?.3;
    if c.get("envFrom").is_some() || rows.iter().any(|row| names_server(c, row.1, row.2)) {
        return None;
    }
    let settings: Vec<String> = rows.iter().map(|row| format!("`{}`", row.1)).collect();
    let (first, rest) = settings.split_first()?;
    let none = match rest {
        [] => format!("{first} names no database server"),
        _ => format!(
            "neither {first} nor {} names a database server",
            rest.join(" nor ")
        ),
    };
    Some(format!("{none}: `{image}` keeps its database in {place}"))
}

/// Whether the container's last env entry `setting` names a database server:
/// its value starts with one of `servers` (any value when none), or comes
/// from `valueFrom` (not known here).
fn names_server(c: &Value, setting: &str, servers: &[&str]) -> bool {
    let env = c.get("env").map(Value::items).unwrap_or(&[]);
    let entry = env
        .iter()
        .rev()
        .find(|e| e.get("name").and_then(Value::as_str) == Some(setting));
    match entry.map(|e| e.get("value")) {
        None => false,
        Some(None) => true,
        Some(Some(v)) => {
            let v = super::text(v).to_ascii_lowercase();
            servers.is_empty() || servers.iter().any(|p| v.starts_with(p))
        }
    }
}

/// Whether detection reads env variable `name` of value `value`: a
/// migration switch, a file database's setting, a SQLite connection URL.
pub fn reads_env(name: &str, value: &str) -> bool {
    let up = name.to_ascii_uppercase();
    up.contains("MIGRAT")
        || sqlite_url(&up, &value.to_ascii_lowercase())
        || file_kind(&up, &value.to_ascii_lowercase())
        || server_kind(&up, &value.to_ascii_lowercase())
        || FILE_DATABASES.iter().any(|(n, _)| *n == up)
        || FILE_UNLESS_SET.iter().any(|(_, n, ..)| *n == up)
        || TOOL_OFF_VALUES.iter().any(|(n, _)| *n == up)
        || TOOL_OFF_SWITCHES.contains(&up.as_str())
        || TOOL_ON_SWITCHES
            .iter()
            .any(|(pre, post)| up.starts_with(pre) && up.ends_with(post))
}

/// Lines of a configuration file that put the database in a file (Gitea's
/// and Forgejo's `DB_TYPE=sqlite3`, in `app.ini` or their charts' inline
/// config): key, value.
const FILE_DATABASE_LINES: &[(&str, &str)] = &[
    ("DB_TYPE", "sqlite3"),
    ("DB_TYPE", "sqlite"),
    // The Zero to JupyterHub chart's `hub.db.type` (its hub Secret's
    // `values.yaml`): `sqlite:///jupyterhub.sqlite` on the hub's claim.
    ("type", "sqlite-pvc"),
    // Headscale's `database: {type: sqlite}` (`sqlite3` too): its file on the pod's claim.
    ("type", "sqlite"),
    ("type", "sqlite3"),
    // Casdoor's `app.conf` (`driverName = sqlite`: `casdoor.db` in the pod).
    ("driverName", "sqlite"),
    ("driverName", "sqlite3"),
];

/// The line of a configuration text (`KEY = value`, an INI's or an env
/// file's, or `key: value`, a YAML file's) that puts the database in a file,
/// if one does.
pub fn file_database_line(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (k, v, sep) = match line.split_once('=') {
            Some((k, v)) => (k, v, "="),
            None => line.split_once(": ").map(|(k, v)| (k, v, ": "))?,
        };
        let (k, v) = (k.trim(), v.trim().trim_matches(['"', '\'']));
        let url = (k.to_ascii_lowercase().ends_with("url") || k.eq_ignore_ascii_case("dsn"))
            && sqlite_value(&v.to_ascii_lowercase());
        (url || FILE_DATABASE_LINES
            .iter()
            .any(|(n, val)| k.eq_ignore_ascii_case(n) && v.eq_ignore_ascii_case(val)))
        .then(|| format!("`{k}{sep}{v}`"))
    })
}

/// Whether a connection URL setting (`DATABASE_URL`, `*_URL`, `*_URI`) names
/// a SQLite file (`sqlite:///data/app.db`): lowercase value, uppercase name.
fn sqlite_url(name: &str, value: &str) -> bool {
    (name.ends_with("_URL") || name.ends_with("_URI")) && sqlite_value(value)
}

/// Whether a connection URL (lowercase) is a SQLite file: `sqlite:`, a
/// SQLAlchemy driver's `sqlite+aiosqlite:` (Prefect), or a `file:` URL of a
/// database file (Flipt's `file:/var/opt/flipt/flipt.db`).
fn sqlite_value(v: &str) -> bool {
    let file_db = v.starts_with("file:")
        && [".db", ".sqlite", ".sqlite3"]
            .iter()
            .any(|e| v.split('?').next().unwrap_or(v).ends_with(e));
    let jdbc = ["jdbc:sqlite:", "jdbc:h2:file:", "jdbc:h2:mem:"]
        .iter()
        .any(|p| v.starts_with(p));
    v.starts_with("sqlite:") || v.starts_with("sqlite+") || file_db || jdbc
}

/// An env var that switches migrations on at start, and its value.
pub(super) fn env_switch(c: &Value) -> Option<String> {
    on_switch(c).map(|(_, s)| s)
}
