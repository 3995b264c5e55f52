//! What an operated resource's spec says itself: the Services it names, the
//! hosts it connects to.

use super::{row, Operated};
use crate::index::Index;
use crate::yaml::Value;

/// Services a resource's spec names itself, by group and kind: the list of
/// service templates, and each item's key that holds the Service's name
/// (`{chi}` is the resource's name; a name with another macro is left out).
/// SigNoz's ClickHouseInstallation names its Service `signoz-clickhouse`.
const SPEC_SERVICES: &[(&str, &str, &[&str], &str)] = &[(
    "clickhouse.altinity.com",
    "ClickHouseInstallation",
    &["spec", "templates", "serviceTemplates"],
    "generateName",
)];

/// The Services resource `d` (of row `o`, named `name`) names in its spec
/// ([`SPEC_SERVICES`]).
pub(super) fn spec_services(index: &Index<'_>, d: usize, o: &Operated, name: &str) -> Vec<String> {
    let Some((_, _, path, key)) = SPEC_SERVICES
        .iter()
        .find(|(g, k, _, _)| *g == o.group && *k == o.kind)
    else {
        return Vec::new();
    };
    let Some(v) = crate::plan::graph::roles::peek(index, d) else {
        return Vec::new();
    };
    v.at(path)
        .map(Value::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| t.get(key).and_then(Value::as_str))
        .map(|n| n.replace("{chi}", name))
        .filter(|n| !n.contains(['{', '}']))
        .collect()
}

/// The strings of an operated resource's spec, each with the key that holds
/// it: what the operator connects to is written there (`zookeeper.nodes[].host`).
/// `None` for a document of no row.
pub(in crate::plan::graph) fn spec_texts(
    index: &Index<'_>,
    d: usize,
) -> Option<Vec<(String, String, crate::plan::graph::hosts::Origin)>> {
    row(index, d)?;
    let v = crate::plan::graph::roles::peek(index, d)?;
    let mut out = Vec::new();
    strings_in(v.get("spec")?, "spec", &mut out);
    Some(out)
}

/// Walks a value for its strings, each with its key (`key` for list items).
fn strings_in(
    v: &Value,
    key: &str,
    out: &mut Vec<(String, String, crate::plan::graph::hosts::Origin)>,
) {
    match v {
        Value::Str(s) => out.push((
            s.to_string(),
            format!("its spec's `{key}`"),
            crate::plan::graph::hosts::Origin::File(key.to_string(), None),
        )),
        Value::Map(m) => m.iter().for_each(|(k, c)| strings_in(c, k, out)),
        Value::Seq(items) => items.iter().for_each(|c| strings_in(c, key, out)),
        _ => {}
    }
}
