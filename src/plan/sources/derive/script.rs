//! What a container's shell script does before it runs its program.

use crate::yaml::Value;

/// The env variables a container's shell script sets before it runs its
/// program (`sh -c 'export DB_URL=…; app run'`, Langflow's backend): lost
/// when a Job replaces the command.
pub(super) fn script_env(c: &Value) -> Vec<String> {
    let argv: Vec<&str> = ["command", "args"]
        .into_iter()
        .flat_map(|k| c.strings(k))
        .collect();
    let Some(at) = argv
        .iter()
        .position(|a| a.starts_with('-') && a.ends_with('c') && !a.starts_with("--"))
    else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let statements = argv[at + 1..]
        .iter()
        .flat_map(|s| s.split(['\n', ';', '&', '|']));
    for st in statements {
        let st = st.trim();
        let st = st.strip_prefix("export ").unwrap_or(st).trim_start();
        let Some((name, _)) = st.split_once('=') else {
            continue;
        };
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let ok = !name.is_empty() && !name.as_bytes()[0].is_ascii_digit() && name.bytes().all(word);
        if ok && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}
