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
