//! Which Jobs and init containers are migrations, and which rule said so.
//! Known tools are a table: a tool word and the verbs that make it migrate.

use crate::yaml::Value;

/// A migration tool: a command word, and words that must follow it.
struct Tool {
    name: &'static str,
    word: &'static str,
    then: &'static [&'static [&'static str]],
}

/// The migration tools premigrate knows. `then` lists alternatives; each is a
/// sequence of words that must follow `word` in order.
const TOOLS: &[Tool] = &[
    Tool {
        name: "Flyway",
        word: "flyway",
        then: &[&["migrate"]],
    },
    Tool {
        name: "Liquibase",
        word: "liquibase",
        then: &[&["update"]],
    },
    Tool {
        name: "Alembic",
        word: "alembic",
        then: &[&["upgrade"]],
    },
    Tool {
        name: "Django",
        word: "manage.py",
        then: &[&["migrate"]],
    },
    Tool {
        name: "Rails",
        word: "rails",
        then: &[&["db:migrate"], &["db:prepare"]],
    },
    Tool {
        name: "Rake",
        word: "rake",
        then: &[&["db:migrate"]],
    },
    Tool {
        name: "Prisma",
        word: "prisma",
        then: &[&["migrate", "deploy"]],
    },
    Tool {
        name: "goose",
        word: "goose",
        then: &[&["up"], &["up-to"]],
    },
    Tool {
        name: "golang-migrate",
        word: "migrate",
        then: &[
            &["-path", "up"],
            &["-source", "up"],
            &["--path", "up"],
            &["--source", "up"],
        ],
    },
    Tool {
        name: "dbmate",
        word: "dbmate",
        then: &[&["up"], &["migrate"]],
    },
    Tool {
        name: "sqlx",
        word: "sqlx",
        then: &[&["migrate", "run"]],
    },
    Tool {
        name: "Diesel",
        word: "diesel",
        then: &[&["migration", "run"]],
    },
    Tool {
        name: "Atlas",
        word: "atlas",
        then: &[&["migrate", "apply"], &["schema", "apply"]],
    },
    Tool {
        name: "Knex",
        word: "knex",
        then: &[&["migrate:latest"]],
    },
    Tool {
        name: "Sequelize",
        word: "sequelize",
        then: &[&["db:migrate"]],
    },
    Tool {
        name: "Sequelize",
        word: "sequelize-cli",
        then: &[&["db:migrate"]],
    },
    Tool {
        name: "TypeORM",
        word: "typeorm",
        then: &[&["migration:run"]],
    },
    Tool {
        name: "TypeORM",
        word: "typeorm-ts-node-commonjs",
        then: &[&["migration:run"]],
    },
    Tool {
        name: "Laravel artisan",
        word: "artisan",
        then: &[&["migrate"]],
    },
    Tool {
        name: "Ecto",
        word: "mix",
        then: &[&["ecto.migrate"]],
    },
    Tool {
        name: "Sqitch",
        word: "sqitch",
        then: &[&["deploy"]],
    },
];

/// Package-manager runners whose script names say "migrate".
const RUNNERS: &[&str] = &["npm", "yarn", "pnpm", "bun", "npx"];

/// Why something is a migration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    /// The rule, e.g. `command`, `name`, `annotation`, `--job`.
    pub rule: &'static str,
    /// The evidence, in words.
    pub detail: String,
}

/// The command line a container runs: command + args, as the container would run them.
pub fn command_line(container: &Value) -> Vec<String> {
    container
        .get("command")
        .into_iter()
        .chain(container.get("args"))
        .flat_map(|v| v.items().iter())
        .filter_map(scalar_string)
        .collect()
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Splits a command line and any `sh -c` script into words, dropping paths to basenames.
fn words(argv: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for arg in argv {
        for w in arg.split(|c: char| {
            c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\'' | '`')
        }) {
            if w.is_empty() {
                continue;
            }
            let base = w.rsplit('/').next().unwrap_or(w);
            out.push(base.to_string());
        }
    }
    out
}

fn follows(words: &[String], seq: &[&str]) -> bool {
    let mut i = 0;
    for w in words {
        if i < seq.len() && w == seq[i] {
            i += 1;
        }
    }
    i == seq.len()
}

/// Which known tool a container's command runs as a migration, if any.
pub fn migration_command(container: &Value) -> Option<Match> {
    let argv = command_line(container);
    let ws = words(&argv);
    let shown = argv.join(" ");
    for (i, w) in ws.iter().enumerate() {
        for tool in TOOLS {
            if w == tool.word && tool.then.iter().any(|seq| follows(&ws[i + 1..], seq)) {
                return Some(Match {
                    rule: "command",
                    detail: format!("runs `{}` ({})", clip(&shown), tool.name),
                });
            }
        }
        if RUNNERS.contains(&w.as_str()) && ws[i + 1..].iter().take(3).any(|s| is_migrate_script(s))
        {
            return Some(Match {
                rule: "command",
                detail: format!("runs `{}` (a package script)", clip(&shown)),
            });
        }
        if w.contains("migrat") && (w.ends_with(".sh") || w.ends_with(".py")) && i < 3 {
            // The lock-wrapper style names its tool in MIGRATION_TOOL.
            let tool = container
                .get("env")
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .find(|e| e.get("name").and_then(Value::as_str) == Some("MIGRATION_TOOL"))
                .and_then(|e| e.get("value"))
                .and_then(Value::as_str)
                .map(|t| format!(", MIGRATION_TOOL={t}"))
                .unwrap_or_default();
            return Some(Match {
                rule: "command",
                detail: format!("runs `{}` (a migration script{tool})", clip(&shown)),
            });
        }
    }
    // Images of migration tools that run their default command.
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let repo = image_repository(image);
    for (needle, then, name) in [
        ("flyway/flyway", "migrate", "Flyway"),
        ("liquibase/liquibase", "update", "Liquibase"),
        ("migrate/migrate", "up", "golang-migrate"),
    ] {
        if repo.ends_with(needle) && ws.iter().any(|w| w == then) {
            return Some(Match {
                rule: "command",
                detail: format!("runs image `{image}` with `{then}` ({name})"),
            });
        }
    }
    None
}

fn is_migrate_script(s: &str) -> bool {
    let s = s.to_ascii_lowercase();
    (s.contains("migrat") || s == "db:deploy")
        && !s.contains("make")
        && !s.contains("generate")
        && !s.contains("create")
        && !s.contains("status")
}

fn clip(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The repository part of an image reference: registry/name without tag or digest.
pub fn image_repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// Shell-style glob with `*` and `?`.
pub fn glob(pattern: &str, s: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), s.as_bytes())
}

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A Kubernetes label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector(Vec<Req>);

impl Selector {
    /// Parses selector syntax.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut cur = String::new();
        for c in s.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        parts.push(cur);
        for p in parts {
            let p = p.trim();
            if p.is_empty() {
                return Err(format!("empty requirement in `{s}`"));
            }
            let set = |rest: &str| -> Result<Vec<String>, String> {
                let inner = rest
                    .trim()
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or(format!("expected (values) in `{p}`"))?;
                Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
            };
            let req = if let Some((k, v)) = p.split_once("!=") {
                Req::Ne(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, rest)) = p.split_once(" notin ") {
                Req::NotIn(k.trim().into(), set(rest)?)
            } else if let Some((k, rest)) = p.split_once(" in ") {
                Req::In(k.trim().into(), set(rest)?)
            } else if let Some(k) = p.strip_prefix('!') {
                Req::NotExists(k.trim().into())
            } else if p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
            {
                Req::Exists(p.into())
            } else {
                return Err(format!("cannot read `{p}`"));
            };
            reqs.push(req);
        }
        Ok(Selector(reqs))
    }

    /// Whether labels match.
    pub fn matches(&self, labels: &Value) -> bool {
        let get = |k: &str| labels.get(k).and_then(scalar_string);
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k).as_deref() == Some(v),
            Req::Ne(k, v) => get(k).as_deref() != Some(v),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
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
}
