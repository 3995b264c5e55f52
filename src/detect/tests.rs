//! Unit tests of the legacy API and of verdicts.

use super::*;

fn c(cmd: &[&str]) -> Value {
    Value::map([(
        "command",
        Value::Seq(cmd.iter().map(|s| Value::str(*s)).collect()),
    )])
}

#[test]
fn known_tools() {
    for cmd in [
        &["php", "artisan", "migrate", "--force"][..],
        &["sh", "-c", "npx prisma migrate deploy && echo ok"],
        &["python", "/app/manage.py", "migrate", "--noinput"],
        &["bundle", "exec", "rails", "db:migrate"],
        &["npm", "run", "db:migrate"],
        &["/flyway/flyway", "-url=jdbc:x", "migrate"],
        &["migrate", "-path", "/m", "-database", "x", "up"],
        &["/app/bin/migration-runner.sh"],
    ] {
        assert!(migration_command(&c(cmd)).is_some(), "{cmd:?}");
    }
    for cmd in [
        &["python", "manage.py", "collectstatic"][..],
        &["npm", "start"],
        &["prisma", "generate"],
        &["python", "manage.py", "makemigrations"],
    ] {
        assert!(migration_command(&c(cmd)).is_none(), "{cmd:?}");
    }
}

#[test]
fn selectors_and_globs() {
    let labels = Value::map([("app", Value::str("web")), ("tier", Value::str("db"))]);
    assert!(Selector::parse("app=web,tier in (db, cache),!x")
        .unwrap()
        .matches(&labels));
    assert!(!Selector::parse("app!=web").unwrap().matches(&labels));
    assert!(glob("*-migrate*", "rel-app-migrate-1"));
    assert!(!glob("migrate", "x-migrate"));
    assert_eq!(image_repository("reg:5000/app:1.2"), "reg:5000/app");
    assert_eq!(image_repository("app@sha256:abc"), "app");
}

fn container(command: &[&str], args: &[&str]) -> Value {
    let seq = |v: &[&str]| Value::Seq(v.iter().map(|s| Value::str(*s)).collect());
    Value::map([
        ("name", Value::str("c")),
        ("image", Value::str("registry.example.com/acme/app:1")),
        ("command", seq(command)),
        ("args", seq(args)),
    ])
}

fn verdict(command: &[&str]) -> Verdict {
    classify_container(&container(command, &[]), &no_scripts)
}

#[test]
fn every_tool_row_migrates_and_its_check_is_never_a_migration() {
    for t in tools::all() {
        // A row of programs that never migrate (`not: [""]`: Windmill's other
        // images, listed before the Windmill row their names would match).
        let never = t.not == [""];
        // An image that migrates only by its own start (Outline, Cal.com; or
        // started with its flags: Dendrite's `--config`): no command of it
        // migrates and nothing else.
        let by_start = !t.images.is_empty() && !t.serves.is_empty();
        assert!(
            !t.programs.is_empty() && (never || by_start || !t.migrate.is_empty()),
            "{}",
            t.name
        );
        for seq in t.migrate.iter().filter(|s| !s.contains('*')) {
            let prog = t.programs[0].replace('*', "x");
            let mut argv = vec![prog.as_str()];
            argv.extend(seq.split_whitespace());
            let v = verdict(&argv);
            assert!(v.is_migration(), "{}: {argv:?} -> {v}", t.name);
        }
        if let Some(check) = t.check {
            let v = verdict(&["sh", "-c", check]);
            assert_eq!(v.kind, Kind::Check, "{}: `{check}` -> {v}", t.name);
            let gate = format!("until {check}; do echo 'premigrate: waiting'; sleep 5; done");
            let v = verdict(&["sh", "-c", &gate]);
            assert_eq!(v.kind, Kind::Waiter, "{}: {v}", t.name);
        }
    }
}

#[test]
fn checks_waiters_and_servers() {
    assert_eq!(
        verdict(&["python", "manage.py", "migrate", "--check"]).kind,
        Kind::Check
    );
    let v = verdict(&["npx", "prisma", "migrate", "status"]);
    assert_eq!((v.kind, v.tool), (Kind::Check, Some("Prisma")));
    assert_eq!(
        verdict(&["/app/wait_on_database_migrations.sh"]).kind,
        Kind::Waiter
    );
    assert_eq!(verdict(&["flyway", "validate"]).kind, Kind::Check);
    let v = verdict(&["sh", "-c", "python manage.py migrate && exec gunicorn app"]);
    assert_eq!(v.kind, Kind::MigratesThenServes);
    assert!(v.is_migration());
    // Wallabag's entrypoint: a branch per argument. An `exec`'d migration
    // ends the script, and another arm of its `case` never runs after it.
    for script in [
        "if [ \"$1\" = migrate ]; then exec bin/console doctrine:migrations:migrate -n; fi\nexec \"$@\"",
        "case \"$1\" in migrate) bin/console doctrine:migrations:migrate -n;; *) exec php-fpm;; esac",
    ] {
        assert_eq!(verdict(&["sh", "-c", script]).kind, Kind::Migration, "{script}");
    }
    // The `exec` of a command that runs a script ends the outer script, not
    // the inner one's sequence.
    let nested = "exec sh -c 'python manage.py migrate && exec gunicorn app'";
    assert_eq!(
        verdict(&["sh", "-c", nested]).kind,
        Kind::MigratesThenServes
    );
    let v = verdict(&[
        "sh",
        "-c",
        "set -e\nexport A=1\nbundle exec rails db:migrate",
    ]);
    assert_eq!((v.kind, v.tool), (Kind::Migration, Some("Rails")));
    assert_eq!(v.check, Some("bin/rails db:abort_if_pending_migrations"));
    assert_eq!(
        verdict(&["python", "manage.py", "makemigrations"]).kind,
        Kind::Other
    );
    assert_eq!(verdict(&["sh", "-c", "echo migrate"]).kind, Kind::Other);
}

#[test]
fn names() {
    assert!(name_says_migration("app-db-migrate"));
    assert!(!name_says_migration("wait-for-migrations"));
    assert!(!name_says_migration("wait_on_database_migrations"));
    assert!(!name_says_migration("db-migration-checker"));
    assert!(name_says_waiter("premigrate-wait"));
    assert!(name_is_schema_ish("keystone-db-sync"));
    assert!(name_is_schema_ish("openproject-seeder-1"));
    assert!(!name_is_schema_ish("ingress-nginx-admission-create"));
}

fn pod(inits: Vec<Value>, mains: Vec<Value>) -> Value {
    Value::map([
        ("initContainers", Value::Seq(inits.into())),
        ("containers", Value::Seq(mains.into())),
    ])
}

#[test]
fn jobs() {
    let trivial = container(&["sh", "-c", "echo done"], &[]);
    let goose = container(&["goose", "up"], &[]);
    let v = classify_job(
        "task-1",
        &pod(vec![goose], vec![trivial.clone()]),
        None,
        false,
        &no_scripts,
    );
    assert_eq!((v.kind, v.tool), (Kind::Migration, Some("goose")));
    let unknown = container(&["/app/bin/setup"], &[]);
    let hook = vec!["pre-upgrade".to_string()];
    let p = pod(vec![], vec![unknown]);
    let v = classify_job("app-schema-setup", &p, Some(&hook), true, &no_scripts);
    assert_eq!(
        (v.kind, v.confidence),
        (Kind::Migration, Confidence::Likely)
    );
    let v = classify_job("app-migrate", &p, None, false, &no_scripts);
    assert_eq!(
        (v.kind, v.confidence),
        (Kind::Migration, Confidence::Possible)
    );
    assert!(!v.is_migration() && v.is_possible_migration());
    let hint = v.confirm_with("Job", "app-migrate").unwrap();
    assert!(hint.starts_with("--job app-migrate"), "{hint}");
    let v = classify_job("app-x", &p, None, false, &no_scripts);
    assert!(!v.is_migration() && !v.is_possible_migration());
    let check = container(&["prisma", "migrate", "status"], &[]);
    let v = classify_job(
        "app-migrate",
        &pod(vec![], vec![check]),
        Some(&hook),
        true,
        &no_scripts,
    );
    assert_eq!(v.kind, Kind::Check);
}

#[test]
fn scripts_from_config_maps_and_secrets() {
    let mut sources = Sources::new();
    let cm = Value::map([
        ("kind", Value::str("ConfigMap")),
        ("metadata", Value::map([("name", Value::str("bin"))])),
        (
            "data",
            Value::map([(
                "m.sh",
                Value::str("#!/bin/sh\nset -e\nknex migrate:latest\n"),
            )]),
        ),
    ]);
    let secret = Value::map([
        ("kind", Value::str("Secret")),
        ("metadata", Value::map([("name", Value::str("s"))])),
        // "dbmate up\n"
        (
            "data",
            Value::map([("run", Value::str("ZGJtYXRlIHVwCg=="))]),
        ),
    ]);
    sources.add(&cm);
    sources.add(&secret);
    let mount = |vol: &str, at: &str| {
        Value::map([("name", Value::str(vol)), ("mountPath", Value::str(at))])
    };
    let mut c1 = container(&["/scripts/m.sh"], &[]);
    c1.set(
        "volumeMounts",
        Value::Seq(vec![mount("a", "/scripts")].into()),
    );
    let mut c2 = container(&["sh", "/etc/run"], &[]);
    c2.set("volumeMounts", Value::Seq(vec![mount("b", "/etc")].into()));
    let vol = |name: &str, key: &str, v: Value| Value::map([("name", Value::str(name)), (key, v)]);
    let mut p = pod(vec![], vec![c1.clone(), c2.clone()]);
    p.set(
        "volumes",
        Value::Seq(
            vec![
                vol("a", "configMap", Value::map([("name", Value::str("bin"))])),
                vol("b", "secret", Value::map([("secretName", Value::str("s"))])),
            ]
            .into(),
        ),
    );
    let refs = references(&p);
    assert!(
        refs.contains("ConfigMap/bin") && refs.contains("Secret/s"),
        "{refs:?}"
    );
    let files = sources.files(&p);
    let lookup = |path: &str| files.get(path).cloned();
    let v = classify_container(&c1, &lookup);
    assert_eq!((v.kind, v.tool), (Kind::Migration, Some("Knex")));
    assert_eq!(v.signals[0].kind, SignalKind::Command);
    assert!(v.signals[0].detail.contains("/scripts/m.sh"), "{v}");
    let v = classify_container(&c2, &lookup);
    assert_eq!(v.tool, Some("dbmate"));
    assert!(!classify_container(&c1, &no_scripts).is_migration());
}

#[test]
fn user_patterns() {
    let mut rules = Rules::new();
    rules
        .include(Target::Command, "*ledger schema-refresh*")
        .unwrap();
    rules.exclude(Target::Name, "*-seed").unwrap();
    rules.add_spec(false, "image:*/legacy-migrator").unwrap();
    let v = classify_container_with(
        &container(&["/bin/ledger", "schema-refresh"], &[]),
        &no_scripts,
        &rules,
    );
    assert_eq!(
        (v.kind, v.confidence),
        (Kind::Migration, Confidence::Certain)
    );
    let p = pod(vec![], vec![container(&["goose", "up"], &[])]);
    let v = classify_job("app-seed", &p, None, false, &no_scripts);
    assert!(v.is_migration());
    let v = classify_job_with("app-seed", &p, None, false, &no_scripts, &rules);
    assert_eq!((v.kind, v.confidence), (Kind::Other, Confidence::Certain));
    let mut legacy = container(&[], &["up"]);
    legacy.set("image", Value::str("reg.example.com/x/legacy-migrator:1"));
    assert!(classify_container(&legacy, &no_scripts).is_migration());
    assert!(!classify_container_with(&legacy, &no_scripts, &rules).is_migration());
    assert!(rules.include(Target::Command, "**").is_err());
}

/// The ConfigMaps `a` and `b` (keys `x`, `y`, `z.sh`) and the Secret `s` (`x`, `w`).
fn seeded_sources() -> Sources {
    let s = |t: &str| Value::str(t);
    let data = |keys: &[(&str, &str)]| Value::map(keys.iter().map(|(k, v)| (*k, s(v))));
    let mut sources = Sources::new();
    for name in ["a", "b"] {
        let d = data(&[
            ("x", name),
            ("y", "y text"),
            ("z.sh", "knex migrate:latest"),
        ]);
        sources.add(&Value::map([
            ("kind", s("ConfigMap")),
            ("metadata", Value::map([("name", s(name))])),
            ("data", d),
        ]));
    }
    sources.add(&Value::map([
        ("kind", s("Secret")),
        ("metadata", Value::map([("name", s("s"))])),
        ("stringData", data(&[("x", "secret x"), ("w", "secret w")])),
    ]));
    sources
}

const SEEDED_KEYS: [&str; 5] = ["x", "y", "z.sh", "w", "nope"];

/// A pod of two containers mounting two volumes, drawn by `pick`: ConfigMap,
/// Secret or projected volumes, with or without `items`, mounted at paths that
/// overlap, end in `/` or are the root, with or without a `subPath`.
fn seeded_pod(pick: &mut dyn FnMut(usize) -> usize) -> Value {
    let s = |t: &str| Value::str(t);
    let keys = SEEDED_KEYS;
    let source = |pick: &mut dyn FnMut(usize) -> usize| {
        let mut src = match pick(3) {
            0 => Value::map([("name", s(["a", "b", "c"][pick(3)]))]),
            1 => Value::map([("secretName", s("s"))]),
            _ => Value::map([("name", s("s"))]),
        };
        if pick(2) == 0 {
            let item = Value::map([("key", s(keys[pick(5)])), ("path", s(keys[pick(5)]))]);
            src.set("items", Value::Seq(vec![item].into()));
        }
        src
    };
    let mut vols = Vec::new();
    for name in ["v1", "v2"] {
        let vol = match pick(3) {
            0 => Value::map([("name", s(name)), ("configMap", source(pick))]),
            1 => Value::map([("name", s(name)), ("secret", source(pick))]),
            _ => {
                let cm = Value::map([("configMap", source(pick))]);
                let sec = Value::map([("secret", source(pick))]);
                let projected = Value::map([("sources", Value::Seq(vec![cm, sec].into()))]);
                Value::map([("name", s(name)), ("projected", projected)])
            }
        };
        vols.push(vol);
    }
    let ats = ["/etc", "/etc/", "/etc/x", "/", "", "/opt"];
    let mut containers = Vec::new();
    for _ in 0..2 {
        let mut mounts = Vec::new();
        for _ in 0..1 + pick(2) {
            let mut m = Value::map([
                ("name", s(["v1", "v2"][pick(2)])),
                ("mountPath", s(ats[pick(ats.len())])),
            ]);
            if pick(3) == 0 {
                m.set("subPath", s(keys[pick(5)]));
            }
            mounts.push(m);
        }
        let mut c = container(&["sh"], &[]);
        c.set("volumeMounts", Value::Seq(mounts.into()));
        containers.push(c);
    }
    let mut p = pod(vec![containers.remove(0)], containers);
    p.set("volumes", Value::Seq(vols.into()));
    p
}

/// `Sources::file` finds what `Sources::files` lists, on seeded pods.
#[test]
fn a_file_looked_up_is_the_file_listed() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut pick = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let sources = seeded_sources();
    let mut listed = 0;
    for _ in 0..3000 {
        let p = seeded_pod(&mut pick);
        let files = sources.files(&p);
        listed += files.len();
        for (path, text) in &files {
            assert_eq!(
                sources.file(&p, path).as_ref(),
                Some(text),
                "{path} in {p:?}"
            );
        }
        for path in [
            "/etc/x",
            "/etc/x/x",
            "/x",
            "x",
            "/etc//x",
            "/opt/nope",
            "/etc",
        ] {
            assert_eq!(
                sources.file(&p, path),
                files.get(path).cloned(),
                "{path} in {p:?}"
            );
        }
    }
    // The pods above do give files (the lookups are not all misses).
    assert!(listed > 3000, "{listed}");
}

/// A post hook is possibly a migration, unless it only prints (PostHog's
/// Grafana annotation Jobs, `echo` in busybox).
#[test]
fn a_post_hook_that_only_prints_is_no_migration() {
    let pod = |script: &str| {
        Value::map([(
            "containers",
            Value::Seq(
                [container(&["/bin/sh", "-c", script], &[])]
                    .into_iter()
                    .collect(),
            ),
        )])
    };
    let post = ["post-install".to_string(), "post-upgrade".to_string()];
    let echo = pod("echo '{\"operation\": \"helm_release\"}'\nsleep 1");
    let v = classify_job("x-annotation-post", &echo, Some(&post), false, &no_scripts);
    assert!(v.kind != Kind::Migration, "{v:?}");
    let unknown = pod("/app/bin/run-something");
    let v = classify_job("x-post", &unknown, Some(&post), false, &no_scripts);
    assert!(
        v.kind == Kind::Migration && v.confidence == Confidence::Possible,
        "{v:?}"
    );
}

/// A switch that turns start-up migrations off when true (Langfuse's
/// `*_MIGRATION_DISABLED`) never reads as switching them on.
#[test]
fn a_disabling_switch_is_not_a_migration_switch() {
    let with_env = |name: &str, value: &str| {
        let mut c = container(&["node", "server.js"], &[]);
        c.set(
            "env",
            Value::Seq(
                [Value::map([
                    ("name", Value::str(name)),
                    ("value", Value::str(value)),
                ])]
                .into_iter()
                .collect(),
            ),
        );
        classify_container(&c, &no_scripts)
    };
    assert_eq!(
        with_env("RUN_MIGRATIONS", "true").kind,
        Kind::MigratesThenServes
    );
    for v in ["true", "false"] {
        let got = with_env("LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED", v);
        assert_ne!(got.kind, Kind::MigratesThenServes, "{v}");
    }
    // Rasa X: true says a separate service migrates, not this container.
    let got = with_env("RUN_DATABASE_MIGRATION_AS_SEPARATE_SERVICE", "true");
    assert_ne!(got.kind, Kind::MigratesThenServes);
    // Firezone: what the migrate command includes, not whether the app migrates.
    let got = with_env("RUN_MANUAL_MIGRATIONS", "true");
    assert_ne!(got.kind, Kind::MigratesThenServes);
}

/// authentik's server image runs `ak server`, which migrates, then serves.
#[test]
fn authentik_server_migrates_then_serves() {
    let c = Value::map([
        ("name", Value::str("server")),
        ("image", Value::str("ghcr.io/goauthentik/server:2025.10.0")),
        (
            "args",
            Value::Seq([Value::str("server")].into_iter().collect()),
        ),
    ]);
    assert_eq!(
        classify_container(&c, &no_scripts).kind,
        Kind::MigratesThenServes
    );
    let w = Value::map([
        ("name", Value::str("worker")),
        ("image", Value::str("ghcr.io/goauthentik/server:2025.10.0")),
        (
            "args",
            Value::Seq([Value::str("worker")].into_iter().collect()),
        ),
    ]);
    assert_ne!(
        classify_container(&w, &no_scripts).kind,
        Kind::MigratesThenServes
    );
}

/// A variable given twice counts with its last value, as Kubernetes reads it.
#[test]
fn the_last_value_of_an_env_variable_counts() {
    let with = |values: &[&str]| {
        let env = values.iter().map(|v| {
            Value::map([
                ("name", Value::str("RUN_MIGRATIONS")),
                ("value", Value::str(*v)),
            ])
        });
        let mut c = container(&["node", "server.js"], &[]);
        c.set("env", Value::Seq(env.collect()));
        classify_container(&c, &no_scripts).kind
    };
    assert_eq!(with(&["false", "true"]), Kind::MigratesThenServes);
    assert_ne!(with(&["true", "false"]), Kind::MigratesThenServes);
}

/// The env switches that turn start-up migrations off, and settings that are none.
#[test]
fn off_switches() {
    let env = |name: &str, value: &str| {
        let mut c = container(&["node", "server.js"], &[]);
        let e = Value::map([("name", Value::str(name)), ("value", Value::str(value))]);
        c.set("env", Value::Seq([e].into_iter().collect()));
        off_switch(&c)
    };
    assert!(env("LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED", "true").is_some());
    assert!(env("RUN_MIGRATIONS", "false").is_some());
    assert!(env("AUTO_MIGRATE", "0").is_some());
    assert!(env("LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED", "false").is_none());
    assert!(env("RUN_MIGRATIONS", "true").is_none());
    assert!(env("CLICKHOUSE_MIGRATION_SSL", "false").is_none());
    // How Flyway migrates at start, not whether (DHIS2's chart).
    assert!(env("FLYWAY_REPAIR_BEFORE_MIGRATION", "false").is_none());
    assert!(env("FLYWAY_MIGRATE_OUT_OF_ORDER", "false").is_none());
    assert!(env("BACKUP_BEFORE_MIGRATIONS", "0").is_none());
}

/// An image run with no command or args is said to run by its entrypoint,
/// not "with ``" (Bitnami Redmine, PM502).
#[test]
fn an_image_with_no_command_runs_by_its_entrypoint() {
    let c = Value::map([
        ("name", Value::str("redmine")),
        (
            "image",
            Value::str("docker.io/bitnami/redmine:5.1.2-debian-12-r10"),
        ),
    ]);
    let m = migration_command(&c).expect("the entrypoint migrates");
    assert!(m.detail.contains("by its entrypoint"), "{}", m.detail);
    assert!(!m.detail.contains("``"), "{}", m.detail);
}
