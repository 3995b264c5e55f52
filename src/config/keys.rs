//! The one table of MigrationPolicy keys: each key's YAML shape and how it sets
//! the flag it stands for, so a policy and the flags are validated by the same
//! code and can never drift apart.

use crate::config::flags::Opts;
use crate::config::types as config;
use crate::diag::Error;

/// The YAML type a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string (numbers are taken as written: `salt: 42`, `timeout: 600`).
    Text,
    /// A list of strings; a single string is one item. `commas`: items are
    /// also split on commas, as the flag's value is.
    List {
        /// Split items on commas.
        commas: bool,
    },
    /// A boolean switch.
    Flag,
    /// An integer.
    Int,
}

/// A key's value, converted to its shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    /// For [`Shape::Text`].
    Text(String),
    /// For [`Shape::List`].
    List(Vec<String>),
    /// For [`Shape::Flag`].
    Flag(bool),
    /// For [`Shape::Int`].
    Int(i64),
}

/// One option: its policy key, its flag, its shape, and how it lands in [`Opts`].
pub struct Key {
    /// The key under `spec` (camelCase of the long flag).
    pub key: &'static str,
    /// The long flag, without `--`.
    pub flag: &'static str,
    /// What YAML type it takes.
    pub shape: Shape,
    /// Validates the value (with the flag's own parser) and stores it.
    pub set: fn(&mut Opts, Raw) -> Result<(), Error>,
}

fn text(r: Raw) -> String {
    match r {
        Raw::Text(s) => s,
        _ => unreachable!("the shape decides the raw value"),
    }
}

fn list(r: Raw) -> Vec<String> {
    match r {
        Raw::List(v) => v,
        _ => unreachable!("the shape decides the raw value"),
    }
}

fn flag(r: Raw) -> bool {
    match r {
        Raw::Flag(b) => b,
        _ => unreachable!("the shape decides the raw value"),
    }
}

fn int(r: Raw) -> i64 {
    match r {
        Raw::Int(i) => i,
        _ => unreachable!("the shape decides the raw value"),
    }
}

/// Checks each pattern of a list (the message names the pattern; the policy
/// reader adds the key and the line).
fn patterns(include: bool, items: Vec<String>) -> Result<Vec<String>, Error> {
    for p in &items {
        config::parse_pattern(include, p)?;
    }
    Ok(items)
}

/// Every option of the rewrite. `--explain` and `--config` are not here: they
/// say how to run, not what to do.
pub const KEYS: &[Key] = &[
    Key {
        key: "target",
        flag: "target",
        shape: Shape::Text,
        set: |o, r| {
            let s = text(r);
            config::parse_target(&s)?;
            o.target = Some(s);
            Ok(())
        },
    },
    Key {
        key: "jobs",
        flag: "job",
        shape: Shape::List { commas: true },
        set: |o, r| {
            o.jobs = list(r);
            Ok(())
        },
    },
    Key {
        key: "jobSelector",
        flag: "job-selector",
        shape: Shape::Text,
        set: |o, r| {
            let s = text(r);
            crate::detect::Selector::parse(&s).map_err(|e| {
                Error::new(format!("bad label selector: {e}"))
                    .help("use label selector syntax, e.g. app=web,tier in (db)")
            })?;
            o.job_selector = Some(s);
            Ok(())
        },
    },
    Key {
        key: "noDetect",
        flag: "no-detect",
        shape: Shape::Flag,
        set: |o, r| {
            o.no_detect = flag(r);
            Ok(())
        },
    },
    Key {
        key: "isMigration",
        flag: "is-migration",
        shape: Shape::List { commas: false },
        set: |o, r| {
            o.is_migration = patterns(true, list(r))?;
            Ok(())
        },
    },
    Key {
        key: "notMigration",
        flag: "not-migration",
        shape: Shape::List { commas: false },
        set: |o, r| {
            o.not_migration = patterns(false, list(r))?;
            Ok(())
        },
    },
    Key {
        key: "salt",
        flag: "salt",
        shape: Shape::Text,
        set: |o, r| {
            o.salt = Some(text(r));
            Ok(())
        },
    },
    Key {
        key: "timeout",
        flag: "timeout",
        shape: Shape::Text,
        set: |o, r| {
            let s = text(r);
            config::parse_duration(&s)?;
            o.timeout = Some(s);
            Ok(())
        },
    },
    Key {
        key: "hookWeight",
        flag: "hook-weight",
        shape: Shape::Int,
        set: |o, r| {
            o.hook_weight = Some(int(r));
            Ok(())
        },
    },
    Key {
        key: "gate",
        flag: "gate",
        shape: Shape::Text,
        set: |o, r| {
            let s = text(r);
            config::parse_gate(&s)?;
            o.gate = Some(s);
            Ok(())
        },
    },
    Key {
        key: "gateStyle",
        flag: "gate-style",
        shape: Shape::Text,
        set: |o, r| {
            let s = text(r);
            config::parse_gate_style(&s)?;
            o.gate_style = Some(s);
            Ok(())
        },
    },
    Key {
        key: "gateImage",
        flag: "gate-image",
        shape: Shape::Text,
        set: |o, r| {
            o.gate_image = Some(text(r));
            Ok(())
        },
    },
    Key {
        key: "gateCheck",
        flag: "gate-check",
        shape: Shape::Text,
        set: |o, r| {
            o.gate_check = Some(text(r));
            Ok(())
        },
    },
    Key {
        key: "migrate",
        flag: "migrate",
        shape: Shape::List { commas: false },
        set: |o, r| {
            let items = list(r);
            for m in &items {
                config::parse_migrate(m)?;
            }
            o.migrate = items;
            Ok(())
        },
    },
    Key {
        key: "migrateContainer",
        flag: "migrate-container",
        shape: Shape::Text,
        set: |o, r| {
            o.migrate_container = Some(text(r));
            Ok(())
        },
    },
    Key {
        key: "extractInit",
        flag: "extract-init",
        shape: Shape::List { commas: false },
        set: |o, r| {
            o.extract_init = list(r);
            Ok(())
        },
    },
    Key {
        key: "keepInit",
        flag: "keep-init",
        shape: Shape::Flag,
        set: |o, r| {
            o.keep_init = flag(r);
            Ok(())
        },
    },
    Key {
        key: "lintIgnore",
        flag: "lint-ignore",
        shape: Shape::List { commas: true },
        set: |o, r| {
            let codes = list(r);
            crate::lint::check_codes(&codes, None)?;
            o.lint_ignore = codes;
            Ok(())
        },
    },
];

/// The row for a key.
pub fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.key == name)
}
