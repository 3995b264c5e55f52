//! What a container's shell script does before it runs its program.

use crate::yaml::Value;

/// The env variables a container's shell script sets before it runs its
/// program (`sh -c 'export DB_URL=…; app run'`, Langflow's backend; a script
/// of the stream it runs, `scripts` giving a mounted path's text: Outline's
/// `/entrypoint.sh` exports `REDIS_URL`): lost when a Job replaces the command.
pub(super) fn script_env(c: &Value, scripts: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    let argv: Vec<&str> = ["command", "args"]
        .into_iter()
        .flat_map(|k| c.strings(k))
        .collect();
    let dash_c = argv
        .iter()
        .position(|a| a.starts_with('-') && a.ends_with('c') && !a.starts_with("--"));
    let texts: Vec<String> = match dash_c {
        Some(at) => argv[at + 1..].iter().map(|s| s.to_string()).collect(),
        // `/scripts/start.sh` or `bash /scripts/start.sh`: that script.
        None => argv
            .iter()
            .take(2)
            .filter(|a| a.starts_with('/'))
            .find_map(|path| scripts(path))
            .into_iter()
            .collect(),
    };
    // Read as a shell reads it: a `&` or `;` inside a quoted value (a
    // database URL's `?a=1&b=2`) separates nothing.
    let mut out: Vec<String> = Vec::new();
    for cmd in texts.iter().flat_map(|t| crate::detect::script::parse(t)) {
        let exported: &[String] = match cmd.argv.first().map(String::as_str) {
            Some("export") => &cmd.argv[1..],
            _ => &[],
        };
        let words = cmd.assignments.iter().chain(exported);
        for name in words.filter_map(|w| w.split_once('=').map(|(n, _)| n)) {
            let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            let ok =
                !name.is_empty() && !name.as_bytes()[0].is_ascii_digit() && name.bytes().all(word);
            if ok && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::script_env;

    #[test]
    fn exports_of_an_inline_script_and_of_a_mounted_one() {
        let c = |yaml: &str| crate::yaml::Tree::read_value(yaml).unwrap().unwrap();
        let none = |_: &str| None;
        let inline = c("command: [bash, -c, 'export DB_URL=postgres://db/app; langflow run']\n");
        assert_eq!(script_env(&inline, &none), ["DB_URL"]);
        // Outline's chart runs a script of a ConfigMap that exports REDIS_URL.
        let mounted = c("command: [/bin/bash, /entrypoint.sh]\n");
        let script = |p: &str| {
            (p == "/entrypoint.sh")
                .then(|| "#!/bin/bash\nexport REDIS_URL=redis://r:6379\nexec node build/server/index.js\n".to_string())
        };
        assert_eq!(script_env(&mounted, &script), ["REDIS_URL"]);
        assert!(script_env(&mounted, &none).is_empty());
        // Pimcore's wrapper: `&` inside a quoted URL separates nothing.
        let quoted = c("command: [sh, -c, 'export DATABASE_URL=\"mysql://u:p@db/app?serverVersion=8&charset=utf8mb4\" && X=1 php bin/console doctrine:migrations:migrate']\n");
        assert_eq!(script_env(&quoted, &none), ["DATABASE_URL", "X"]);
    }
}
