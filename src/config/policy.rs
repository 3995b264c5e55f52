//! The `MigrationPolicy` object: every option of the rewrite as YAML, for
//! `--config FILE`, the kustomize exec plugin and the KRM function's
//! `functionConfig` (which may also be a ConfigMap whose `data` holds the same
//! keys). One table maps each key to its flag and parser, so a policy and the
//! flags are validated by the same code and can never drift apart.
//!
//! ```yaml
//! apiVersion: premigrate.io/v1alpha1
//! kind: MigrationPolicy
//! metadata:
//!   name: migrations
//! spec:
//!   target: gitops
//!   jobs: ["*-migrate"]
//!   gateStyle: kubectl
//! ```

use std::path::Path;

use crate::config::flags::Opts;
pub use crate::config::keys::{key, Key, Raw, Shape, KEYS};
use crate::config::types::Config;
use crate::diag::{Error, Location};
use crate::yaml::{NodeId, NodeKind, Tree, Value};

/// `apiVersion` of a MigrationPolicy.
pub const API_VERSION: &str = "premigrate.io/v1alpha1";
/// `kind` of a MigrationPolicy.
pub const KIND: &str = "MigrationPolicy";

/// The options a policy sets; later layers (flags, environment) go on top with [`overlay`].
pub fn load(path: &Path) -> Result<Opts, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(format!("cannot read {}: {e}", path.display()))
            .help("pass the path of a MigrationPolicy file")
    })?;
    parse(&text, &path.display().to_string())
}

/// Parses a policy file's text; `source` names it in messages.
pub fn parse(text: &str, source: &str) -> Result<Opts, Error> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let tree = Tree::parse(body).map_err(|e| {
        let mut l = Location::at(0, body, 1, e.offset);
        l.source = Some(source.to_string());
        Error::at(l, format!("invalid YAML: {}", e.message))
            .help("a policy is one YAML document: apiVersion, kind: MigrationPolicy, spec")
    })?;
    let root = tree.root.ok_or_else(|| {
        Error::new(format!("{source} is empty")).help(format!(
            "write a MigrationPolicy: apiVersion: {API_VERSION}, kind: {KIND}, spec: {{…}}"
        ))
    })?;
    from_tree(&tree, root, body, 1, source)
}

/// Reads the policy (or ConfigMap) at `node` of a tree over `text`, whose first
/// line is line `first_line` of the file named `source`.
pub fn from_tree(
    tree: &Tree,
    node: NodeId,
    text: &str,
    first_line: usize,
    source: &str,
) -> Result<Opts, Error> {
    let r = Reader {
        tree,
        text,
        first_line,
        source,
        object: None,
    };
    r.read(node)
}

struct Reader<'a> {
    tree: &'a Tree,
    text: &'a str,
    first_line: usize,
    source: &'a str,
    object: Option<String>,
}

/// What kind of object holds the options.
#[derive(Clone, Copy, PartialEq)]
enum Holder {
    Policy,
    ConfigMap,
}

impl Reader<'_> {
    fn err(&self, node: NodeId, message: impl Into<String>) -> Error {
        let mut l = Location::at(0, self.text, self.first_line, self.tree.nodes[node].start);
        l.doc = None;
        l.source = Some(self.source.to_string());
        l.object = self.object.clone();
        Error::at(l, message)
    }

    fn entries(&self, node: NodeId) -> Option<Vec<(NodeId, NodeId, String)>> {
        match &self.tree.node(node).kind {
            NodeKind::Map { entries, .. } => Some(
                entries
                    .iter()
                    .map(|&(k, v)| {
                        let name = match &self.tree.node(k).kind {
                            NodeKind::Scalar { text, .. } => text.to_string(),
                            _ => String::new(),
                        };
                        (k, v, name)
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn string_at(&self, map: NodeId, key: &str) -> Option<String> {
        let v = self.tree.get(map, key)?;
        self.tree.value(v).ok()?.as_str().map(str::to_string)
    }

    fn read(mut self, node: NodeId) -> Result<Opts, Error> {
        let Some(top) = self.entries(node) else {
            return Err(self
                .err(node, "the policy is not a mapping")
                .help(shape_help()));
        };
        let holder = self.holder(node)?;
        let (body_key, allowed_top): (&str, &[&str]) = match holder {
            Holder::Policy => ("spec", &["apiVersion", "kind", "metadata", "spec"]),
            Holder::ConfigMap => (
                "data",
                &["apiVersion", "kind", "metadata", "data", "immutable"],
            ),
        };
        for (k, _, name) in &top {
            if !allowed_top.contains(&name.as_str()) {
                return Err(self
                    .err(*k, format!("unknown field `{name}`"))
                    .help(format!(
                        "a {} has only: {}",
                        self.kind_name(holder),
                        allowed_top.join(", ")
                    )));
            }
        }
        let Some(body) = self.tree.get(node, body_key) else {
            return Ok(Opts::default());
        };
        if matches!(self.tree.node(body).kind, NodeKind::Scalar { ref text, .. } if text.is_empty() || text == "~" || text == "null")
        {
            return Ok(Opts::default());
        }
        self.read_body(holder, body_key, body)
    }

    /// Whether the object is a MigrationPolicy or a ConfigMap; names it for messages.
    fn holder(&mut self, node: NodeId) -> Result<Holder, Error> {
        let api = self.string_at(node, "apiVersion");
        let kind = self.string_at(node, "kind");
        let name = self
            .tree
            .get(node, "metadata")
            .and_then(|m| self.string_at(m, "name"));
        let holder = match (kind.as_deref(), api.as_deref()) {
            (Some(KIND), Some(API_VERSION)) => Holder::Policy,
            (Some(KIND), other) => {
                let at = self.tree.get(node, "apiVersion").unwrap_or(node);
                return Err(self
                    .err(
                        at,
                        format!(
                            "unknown apiVersion `{}` for {KIND}",
                            other.unwrap_or_default()
                        ),
                    )
                    .help(format!("use apiVersion: {API_VERSION}")));
            }
            (Some("ConfigMap"), Some("v1")) => Holder::ConfigMap,
            (other, _) => {
                let at = self.tree.get(node, "kind").unwrap_or(node);
                return Err(self
                    .err(
                        at,
                        format!(
                            "a policy must be kind {KIND} or ConfigMap, not `{}`",
                            other.unwrap_or_default()
                        ),
                    )
                    .help(shape_help()));
            }
        };
        self.object = Some(format!(
            "{}/{}",
            kind.unwrap_or_default(),
            name.unwrap_or_else(|| "?".into())
        ));
        Ok(holder)
    }

    /// The options of the `spec` (or ConfigMap `data`) mapping, key by key through the table.
    fn read_body(&self, holder: Holder, body_key: &str, body: NodeId) -> Result<Opts, Error> {
        let mut opts = Opts::default();
        let Some(items) = self.entries(body) else {
            return Err(self
                .err(body, format!("`{body_key}` must be a mapping of options"))
                .help(format!("known keys: {}", known_keys())));
        };
        let items = self.flatten_lint(items)?;
        let mut seen: Vec<&str> = Vec::new();
        for (k, v, name) in items {
            let Some(row) = key(&name) else {
                let mut help = String::new();
                if let Some(s) = suggest(&name) {
                    help.push_str(&format!("did you mean `{s}`? "));
                }
                help.push_str(&format!("known keys: {}", known_keys()));
                return Err(self
                    .err(k, format!("unknown key `{name}` in {body_key}"))
                    .help(help));
            };
            if seen.contains(&row.key) {
                return Err(self
                    .err(k, format!("{body_key}.{name} is given twice"))
                    .help("keep one"));
            }
            seen.push(row.key);
            let value = self
                .tree
                .value(v)
                .map_err(|e| self.err(v, format!("{body_key}.{name}: {}", e.message)))?;
            let raw = convert(&value, row.shape, holder == Holder::ConfigMap).map_err(|m| {
                self.err(v, format!("{body_key}.{name}: {m}"))
                    .help(shape_hint(row.shape))
            })?;
            // An empty string leaves the option at its default, as an unset flag does.
            if raw == Raw::Text(String::new()) {
                continue;
            }
            (row.set)(&mut opts, raw).map_err(|e| {
                let at = self.failing_item(v, row, holder).unwrap_or(v);
                let mut out = self.err(at, format!("{body_key}.{name}: {}", e.message));
                out.help = e.help;
                out
            })?;
        }
        Ok(opts)
    }

    /// The item of a list value that its key's setter refuses on its own, so
    /// the message points at the bad line rather than at the list.
    fn failing_item(&self, list: NodeId, row: &Key, holder: Holder) -> Option<NodeId> {
        let NodeKind::Seq { items, .. } = &self.tree.node(list).kind else {
            return None;
        };
        items.iter().copied().find(|&item| {
            let one = self
                .tree
                .value(item)
                .ok()
                .map(|v| Value::Seq(vec![v].into()));
            one.and_then(|v| convert(&v, row.shape, holder == Holder::ConfigMap).ok())
                .is_some_and(|raw| (row.set)(&mut Opts::default(), raw).is_err())
        })
    }

    /// `lint: {ignore: [...]}` is the nested spelling of `lintIgnore`.
    fn flatten_lint(
        &self,
        items: Vec<(NodeId, NodeId, String)>,
    ) -> Result<Vec<(NodeId, NodeId, String)>, Error> {
        let mut out = Vec::with_capacity(items.len());
        for (k, v, name) in items {
            if name != "lint" {
                out.push((k, v, name));
                continue;
            }
            let Some(inner) = self.entries(v) else {
                return Err(self
                    .err(v, "`lint` must be a mapping: `lint: {ignore: [PM5xx, …]}`")
                    .help("or write `lintIgnore: [PM5xx, …]`"));
            };
            for (ik, iv, iname) in inner {
                if iname != "ignore" {
                    return Err(self
                        .err(ik, format!("unknown key `lint.{iname}`"))
                        .help("`lint` has one key: ignore"));
                }
                out.push((ik, iv, "lintIgnore".to_string()));
            }
        }
        Ok(out)
    }

    fn kind_name(&self, holder: Holder) -> &'static str {
        match holder {
            Holder::Policy => KIND,
            Holder::ConfigMap => "ConfigMap",
        }
    }
}

/// The help for an object that is no policy.
fn shape_help() -> String {
    format!(
        "write apiVersion: {API_VERSION}, kind: {KIND}, spec: {{…}} (or a ConfigMap whose data holds the same keys)"
    )
}

fn known_keys() -> String {
    KEYS.iter().map(|k| k.key).collect::<Vec<_>>().join(", ")
}

fn shape_hint(shape: Shape) -> &'static str {
    match shape {
        Shape::Text => "write a string; quote values YAML would read otherwise (\"yes\", \"0755\")",
        Shape::List { .. } => "write a list of strings, e.g. [\"a\", \"b\"]",
        Shape::Flag => "write true or false",
        Shape::Int => "write a whole number, e.g. -5",
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "a number",
        Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a mapping",
    }
}

/// Converts a value to a shape. In a ConfigMap every value is a string, so
/// lists are one item per line and switches are "true"/"false".
fn convert(v: &Value, shape: Shape, configmap: bool) -> Result<Raw, String> {
    let scalar_text = |v: &Value| -> Result<String, String> {
        match v {
            Value::Str(s) => Ok(s.to_string()),
            Value::Int(i) => Ok(i.to_string()),
            other => Err(format!("expected a string, found {}", type_name(other))),
        }
    };
    let split = |s: &str, commas: bool| -> Vec<String> {
        s.split(|c| c == '\n' || (commas && c == ','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    match shape {
        Shape::Text => scalar_text(v).map(Raw::Text),
        Shape::List { commas } => match v {
            Value::Null => Ok(Raw::List(vec![])),
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    let s = scalar_text(item)?;
                    if commas {
                        out.extend(split(&s, true));
                    } else {
                        out.push(s);
                    }
                }
                Ok(Raw::List(out))
            }
            Value::Str(s) if configmap => Ok(Raw::List(split(s, commas))),
            Value::Str(s) if commas => Ok(Raw::List(split(s, true))),
            other => scalar_text(other).map(|s| Raw::List(vec![s])),
        },
        Shape::Flag => match v {
            Value::Bool(b) => Ok(Raw::Flag(*b)),
            Value::Str(s) if s == "true" => Ok(Raw::Flag(true)),
            Value::Str(s) if s == "false" => Ok(Raw::Flag(false)),
            other => Err(format!(
                "expected true or false, found {}",
                match other {
                    Value::Str(s) => format!("`{s}`"),
                    o => type_name(o).to_string(),
                }
            )),
        },
        Shape::Int => match v {
            Value::Int(i) => Ok(Raw::Int(*i)),
            Value::Str(s) => s
                .trim()
                .parse()
                .map(Raw::Int)
                .map_err(|_| format!("expected a whole number, found `{s}`")),
            other => Err(format!(
                "expected a whole number, found {}",
                type_name(other)
            )),
        },
    }
}

/// The known key closest to a misspelt one, when it is close.
fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    KEYS.iter()
        .map(|k| (distance(&lower, &k.key.to_ascii_lowercase()), k.key))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Opts {
    /// Validates the flags, on top of the `--config` file when one is given, into a configuration.
    pub fn config(&self) -> Result<Config, Error> {
        match &self.config {
            Some(path) => overlay(load(path)?, self).validate(),
            None => self.validate(),
        }
    }
}

/// The policy's options with the explicitly given flags (and `PREMIGRATE_*`
/// variables) on top: a flag that is set wins, a list flag replaces the list.
pub fn overlay(file: Opts, flags: &Opts) -> Opts {
    // Destructured so that a new flag cannot be forgotten here.
    let Opts {
        config: _,
        target,
        jobs,
        job_selector,
        no_detect,
        is_migration,
        not_migration,
        salt,
        timeout,
        hook_weight,
        gate,
        gate_style,
        gate_image,
        gate_check,
        migrate,
        migrate_container,
        extract_init,
        keep_init,
        lint_ignore,
        explain,
    } = flags.clone();
    let pick = |a: Option<String>, b: Option<String>| a.or(b);
    let pick_list = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
    Opts {
        config: None,
        target: pick(target, file.target),
        jobs: pick_list(jobs, file.jobs),
        job_selector: pick(job_selector, file.job_selector),
        no_detect: no_detect || file.no_detect,
        is_migration: pick_list(is_migration, file.is_migration),
        not_migration: pick_list(not_migration, file.not_migration),
        salt: pick(salt, file.salt),
        timeout: pick(timeout, file.timeout),
        hook_weight: hook_weight.or(file.hook_weight),
        gate: pick(gate, file.gate),
        gate_style: pick(gate_style, file.gate_style),
        gate_image: pick(gate_image, file.gate_image),
        gate_check: pick(gate_check, file.gate_check),
        migrate: pick_list(migrate, file.migrate),
        migrate_container: pick(migrate_container, file.migrate_container),
        extract_init: pick_list(extract_init, file.extract_init),
        keep_init: keep_init || file.keep_init,
        lint_ignore: pick_list(lint_ignore, file.lint_ignore),
        explain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_the_camel_case_of_its_flag() {
        for k in KEYS {
            let camel: String = k
                .flag
                .split('-')
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_string()
                    } else {
                        w[..1].to_uppercase() + &w[1..]
                    }
                })
                .collect();
            // `--job` is repeatable: its key is the plural.
            let expected = if k.flag == "job" {
                "jobs".into()
            } else {
                camel
            };
            assert_eq!(k.key, expected);
        }
    }

    #[test]
    fn every_flag_of_the_rewrite_has_a_key() {
        use clap::CommandFactory;
        let cmd = crate::config::cli::Cli::command();
        for arg in cmd.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if matches!(long, "explain" | "config" | "help" | "version") {
                continue;
            }
            assert!(
                KEYS.iter().any(|k| k.flag == long),
                "--{long} has no MigrationPolicy key"
            );
        }
        for k in KEYS {
            assert!(
                cmd.get_arguments().any(|a| a.get_long() == Some(k.flag)),
                "{} names no flag",
                k.key
            );
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("gateStyel"), Some("gateStyle"));
        assert_eq!(suggest("job"), Some("jobs"));
        assert_eq!(suggest("colour"), None);
    }
}
