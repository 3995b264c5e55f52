//! Tests of the `--migrate` Job checks (generate.rs).

use super::{is_own_command, runs_from_left_out_volume};
use crate::plan::sources::beside::database_beside;

/// Leantime: a database setting at 127.0.0.1 and a container on its port; a
/// telemetry sidecar at localhost is no database.
#[test]
fn a_database_beside_the_app_at_a_loopback_address() {
    let pod = |env: &str, port: u16| {
        let text = format!("- {{name: app, image: a:1, env: [{env}]}}\n- {{name: side, image: x/y:1, ports: [{{containerPort: {port}}}]}}\n");
        crate::yaml::Tree::read_value(&text)
            .unwrap()
            .unwrap()
            .items()
            .to_vec()
    };
    let db = "{name: DB_HOST, value: 127.0.0.1}, {name: DB_PORT, value: '3307'}";
    assert!(database_beside(&pod(db, 3307), 0).is_some());
    let otel = "{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: 'http://localhost:4317'}, {name: PORT, value: '4317'}";
    assert!(database_beside(&pod(otel, 4317), 0).is_none());
}

/// Dex: the server's own command with options left out is still the server.
#[test]
fn the_containers_own_command_with_options_left_out() {
    let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
    let own = words("dex serve --web-http-addr 0.0.0.0:5556 /etc/dex/config.yaml");
    assert!(is_own_command(
        &own,
        &words("dex serve /etc/dex/config.yaml")
    ));
    assert!(is_own_command(&own, &words("/usr/local/bin/dex serve")));
    assert!(is_own_command(&own, &words("dex")));
    assert!(!is_own_command(
        &own,
        &words("dex migrate /etc/dex/config.yaml")
    ));
    let django = words("python manage.py runserver 0.0.0.0:8000");
    assert!(!is_own_command(&django, &words("python manage.py migrate")));
    let entry = words("/entrypoint.sh gunicorn app.wsgi");
    assert!(!is_own_command(&entry, &words("/entrypoint.sh true")));
}

/// Apache Answer: a path on the left-out claim counts whether it is the
/// program, an argument, or a flag's value written in the flag's word.
#[test]
fn a_path_on_a_left_out_volume_in_any_word() {
    let words = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
    let left_out = ["/data".to_string()];
    let find =
        |s: &str| runs_from_left_out_volume(&words(s), &left_out).map(|(p, r)| (p.to_string(), r));
    assert_eq!(
        find("/data/bin/app upgrade"),
        Some(("/data/bin/app".into(), true))
    );
    for given in [
        "app upgrade -C /data/",
        "app upgrade --data-path=/data/",
        "app upgrade -C/data/",
    ] {
        assert_eq!(find(given), Some(("/data/".into(), false)), "{given}");
    }
    assert_eq!(find("app upgrade -C /database"), None);
    assert_eq!(find("app upgrade --verbose"), None);
}
