//! Whether a text names a Service as a host: the signal that a migration
//! reaches a data service. A Service's name is often a plain word (`keystone`,
//! `api`), so a bare word counts only where a host is written; a URL, a
//! `host:port` or a `name.namespace` is a host wherever it appears.

/// Words of a config key whose value is a host (`db_host`, `redis.servers`,
/// `bootstrap.servers`, `broker_url`): a bare Service name counts as a host
/// in a config file only as the value of such a key. A logger named like the
/// Service (`qualname = keystone`) or a database called like it (`database =
/// keystone`) is not one.
pub const HOST_KEY_WORDS: &[&str] = &[
    "host",
    "server",
    "addr",
    "endpoint",
    "url",
    "uri",
    "dsn",
    "broker",
    "upstream",
    "backend",
    "proxy",
    "svc",
    "service",
    "connection",
    "seed",
    "node",
    "peer",
    "cluster",
    "master",
    "primary",
    "replica",
    "sentinel",
];

/// How a text names a Service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mention {
    /// As a whole word between blanks, quotes or `=`.
    Bare,
    /// As the host of a URL (`//name`, `@name`), with a port, or with its namespace.
    Qualified,
}

/// Whether `text` names Service `name` as a host: the whole value, or the host part of
/// a URL or `host:port` (`@name`, `//name`, `=name`, followed by `:port`, `.ns…`, `/`,
/// a blank or the end). A user name or database called like the Service is not a host.
pub fn mentions_host(text: &str, name: &str, svc_ns: &str, job_ns: &str) -> bool {
    mention(text, name, svc_ns, job_ns).is_some()
}

/// Where a text a migration reads comes from: it says how a bare name in it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A container's command and args, joined by blanks.
    Argv,
    /// The value of the env variable named.
    Env(String),
    /// The value of the ConfigMap or Secret key named (a setting, or a file),
    /// and the stream's object that holds it, when it is one.
    File(String, Option<(crate::k8s::RefKind, String)>),
}

/// Whether `text` names Service `name` as a host to connect to. A URL host,
/// `name:port` or `name.ns` counts anywhere. A bare name counts as the value
/// of a key that says host ([`HOST_KEY_WORDS`]: `DB_HOST=name`, `"HOST":
/// "name"`, an env variable or a Secret key so named), or in a command line
/// after a host option or a networking command, or before a port (`-h name`,
/// `nc -z name 5432`); not as a user, a password, a database or a logger
/// (`-U name`, `DB_USER: name`, `qualname = name`), nor as a program run.
pub fn names_host(text: &str, origin: &Origin, name: &str, svc_ns: &str, job_ns: &str) -> bool {
    let one_line = !text.trim_end().contains('\n');
    let lines = text.lines().map(uncommented);
    lines.filter(|line| !is_section(line)).any(|line| {
        mentions(line, name, svc_ns, job_ns).any(|(start, how)| {
            how == Mention::Qualified
                // A variable's default: its name says what it holds.
                || default_of(&line.as_bytes()[..start]).is_some_and(is_host_key)
                || match key_before(&line[..start]) {
                    Some(key) => is_host_key(key),
                    None => match origin {
                        Origin::Env(key) => is_host_key(key),
                        Origin::File(key, _) => {
                            (one_line && is_host_key(key)) || in_command(line, start, name.len())
                        }
                        Origin::Argv => in_command(line, start, name.len()),
                    },
                }
        })
    })
}

/// Words of a setting's name that say it names a mail server (`SMTP_HOST`,
/// `MAIL_SERVER`, `EMAIL_HOST`).
const MAIL_KEY_WORDS: &[&str] = &["SMTP", "MAIL"];

/// Words of a setting's name that say it holds the app's own public address
/// (Lakekeeper's `LAKEKEEPER__BASE_URI`): where users reach the app, never
/// something a migration connects to.
const OWN_URL_KEY_WORDS: &[[&str; 2]] = &[
    ["BASE", "URI"],
    ["BASE", "URL"],
    ["PUBLIC", "URL"],
    ["EXTERNAL", "URL"],
    ["SITE", "URL"],
    ["ROOT", "URL"],
];

/// Whether a text comes from a setting that names a mail server (Rallly's
/// `SMTP_HOST` of its relay): the app sends mail through it, a migration
/// never connects to it, and a relay the migration waited for would hold it
/// up for nothing.
pub fn mail_setting(origin: &Origin) -> bool {
    match origin {
        Origin::Env(key) | Origin::File(key, _) => {
            let key = key.to_ascii_uppercase();
            MAIL_KEY_WORDS.iter().any(|w| key.contains(w))
        }
        Origin::Argv => false,
    }
}

/// Whether a text comes from a setting that holds the app's own public
/// address ([`OWN_URL_KEY_WORDS`]): not a host the migration needs.
pub fn own_url_setting(origin: &Origin) -> bool {
    match origin {
        Origin::Env(key) | Origin::File(key, _) => {
            // Whole words in a row: `DATABASE_URL` is no `BASE_URL`.
            let key = key.to_ascii_uppercase();
            let words: Vec<&str> = key
                .split(['_', '.', '-'])
                .filter(|w| !w.is_empty())
                .collect();
            (words.windows(2)).any(|pair| OWN_URL_KEY_WORDS.iter().any(|w| pair == w))
        }
        Origin::Argv => false,
    }
}

/// URL schemes of databases, caches and brokers (`postgres://…`, `jdbc:mysql://…`).
pub const DATA_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "clickhouse",
    "cockroachdb",
    "sqlserver",
    "mssql",
];

/// Whether `text` names a database host by a name of its own: a URL of a
/// [`DATA_SCHEMES`] scheme with a literal host, or a dotted name or address as
/// the value of a key that says host (`DB_HOST=db.example.com`). Asked only of
/// a migration that names no Service of the stream: its database is then
/// outside the release.
///
/// `release_ns`: the release's namespace ("" when unknown).
pub fn names_database(text: &str, origin: &Origin, release_ns: &str) -> bool {
    let literal = |host: &str| {
        let host: &str = host
            .split(|c: char| matches!(c, ':' | '/' | '?' | ',' | ';') || c.is_whitespace())
            .next()
            .unwrap_or("");
        // A bare name or a `….svc[.cluster.local]` name is a Service of the
        // cluster: perhaps the release's own under another spelling (a chart
        // that cuts the Service's name to 63 but not the host: Hoppscotch);
        // not one of another namespace (`taiga-pg.db.svc.cluster.local`).
        let parts: Vec<&str> = host.split('.').collect();
        let svc = parts.iter().position(|p| *p == "svc");
        let elsewhere = svc
            .filter(|&i| i >= 2)
            .is_some_and(|i| !release_ns.is_empty() && parts[i - 1] != release_ns);
        let in_cluster = !host.contains('.') || (svc.is_some() && !elsewhere);
        !host.is_empty()
            && !in_cluster
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    let lower = text.to_ascii_lowercase();
    let url = lower.match_indices("://").any(|(at, _)| {
        let scheme = lower[..at]
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '+'))
            .next()
            .unwrap_or("");
        let rest = &lower[at + 3..];
        let host = match rest.split(['/', '?']).next().unwrap_or("").rsplit_once('@') {
            Some((_, host)) => host,
            None => rest,
        };
        // A driver after `+` too (SQLAlchemy's `postgresql+psycopg2`).
        let dialect = scheme.split_once('+').map_or(scheme, |(d, _)| d);
        (DATA_SCHEMES.contains(&scheme) || DATA_SCHEMES.contains(&dialect)) && literal(host)
    });
    let keyed = match origin {
        Origin::Env(key) | Origin::File(key, _) => {
            let value = text.trim();
            // The app's own public name (Loomio's `CANONICAL_HOST`) or its
            // mail relay is no database: the key must say which host it is.
            is_host_key(key)
                && says_database(key)
                && !value.contains('\n')
                && !value.contains("://")
                && value.contains('.')
                && literal(value)
        }
        Origin::Argv => false,
    };
    let in_file = matches!(origin, Origin::File(..)) && database_section_host(text, &literal);
    url || keyed || in_file || client_host(text, &literal)
}

/// Words of a setting's name, or of an INI/TOML section, that say which
/// database it is about (`DB_HOST`, `PGHOST`, `MYSQL_SERVER`,
/// `SPRING_DATASOURCE_URL`, `[database]`), matched at the start of a word.
const DATABASE_KEY_WORDS: &[&str] = &[
    "db",
    "database",
    "datasource",
    "pg",
    "postgres",
    "mysql",
    "mariadb",
    "sql",
    "mongo",
    "clickhouse",
    "typeorm",
    "cockroach",
];

/// Whether a setting's or a section's name says it is about a database.
fn says_database(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| DATABASE_KEY_WORDS.iter().any(|d| w.starts_with(d)))
}

/// Database clients whose host option names the database a script connects to.
const DATABASE_CLIENTS: &[&str] = &[
    "psql",
    "pg_isready",
    "pg_dump",
    "pg_restore",
    "createdb",
    "mysql",
    "mysqladmin",
    "mysqldump",
    "mariadb",
    "mariadb-admin",
    "mongosh",
    "mongo",
    "clickhouse-client",
];

/// Whether a command line runs a database client with a host option that
/// names a host of its own (`psql -h pg.example.internal`, `mysql
/// -hdb.example.com`, `--host=…`).
fn client_host(text: &str, literal: &dyn Fn(&str) -> bool) -> bool {
    let unquote = |t: &str| {
        t.trim_matches(|c| c == '\u{22}' || c == '\u{27}')
            .to_string()
    };
    text.lines().any(|line| {
        let words: Vec<String> = line.split_whitespace().map(unquote).collect();
        let Some(client) = (words.iter())
            .position(|w| DATABASE_CLIENTS.contains(&w.rsplit('/').next().unwrap_or(w)))
        else {
            return false;
        };
        let rest = &words[client + 1..];
        rest.iter().enumerate().any(|(i, w)| {
            let host = match w.as_str() {
                "-h" | "--host" => rest.get(i + 1).map(String::as_str),
                _ => (w.strip_prefix("--host="))
                    .or_else(|| w.strip_prefix("-h").filter(|h| !h.starts_with('-'))),
            };
            host.is_some_and(|h| h.contains('.') && literal(h))
        })
    })
}

/// Whether a config file names a database host by a name of its own on a line
/// `host = db.example.com:5432` of a database section (Grafana's `grafana.ini`
/// `[database]`), or under a key that says database (`db_host: …`).
fn database_section_host(text: &str, literal: &dyn Fn(&str) -> bool) -> bool {
    let mut section_db = false;
    for line in text.lines().map(str::trim) {
        if is_section(line) {
            section_db = says_database(line.trim_matches(|c| c == '[' || c == ']'));
            continue;
        }
        let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(": ")) else {
            continue;
        };
        let (key, value) = (
            key.trim(),
            // Quotes around the value (`host = "db.example.com"`).
            value
                .trim()
                .trim_matches(|c| c == '\u{22}' || c == '\u{27}'),
        );
        let host_key = is_host_key(key) && (section_db || says_database(key));
        if host_key && !value.contains("://") && value.contains('.') && literal(value) {
            return true;
        }
    }
    false
}

/// Commands whose operand is a host (`nslookup name`, `nc -z name 5432`).
pub const HOST_COMMANDS: &[&str] = &[
    "nslookup",
    "dig",
    "host",
    "ping",
    "nc",
    "ncat",
    "netcat",
    "telnet",
    "getent",
    "wait-for",
    "wait-for-it",
    "cqlsh",
    "redis-cli",
];

/// Whether the bare word at `start..start + len` of a command line is a host:
/// after a host option (`-h`, `-H`, `--db-host`) or a networking command, or
/// right before a port.
fn in_command(line: &str, start: usize, len: usize) -> bool {
    let quote = |c: char| c == '\"' || c == '\'';
    // The name may be quoted itself (`nc -z "db" "5432"`).
    let prev = line[..start]
        .trim_end_matches(quote)
        .split_whitespace()
        .next_back()
        .map(|t| t.trim_matches(quote));
    let next = line[start + len..]
        .trim_start_matches(quote)
        .split_whitespace()
        .next()
        // A quoted port before a `;` (wger's `nc -zvw10 wger-app "8000";`).
        .map(|t| t.trim_matches(|c| quote(c) || c == ';'));
    let port = next.is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
    let host_option =
        prev.is_some_and(|p| matches!(p, "-h" | "-H") || (p.starts_with("--") && is_host_key(p)));
    let command = prev.is_some_and(|p| HOST_COMMANDS.contains(&p.rsplit('/').next().unwrap_or(p)));
    port || host_option || command
}

/// Brackets a list or map value opens with (`key: [a, name]`).
const OPENERS: [char; 3] = ['[', '(', '{'];

/// The key whose value starts where `before` ends, if that is a value: the word
/// before `=` or `:`, past the earlier items of a list (`keys = root,name`).
fn key_before(before: &str) -> Option<&str> {
    let blank_or_quote = |c: char| c.is_whitespace() || c == '\"' || c == '\'';
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut rest = before.trim_end_matches(blank_or_quote);
    // An XML element: `<host>name</host>` (ClickHouse's ZooKeeper servers).
    if let Some(tag) = rest
        .strip_suffix('>')
        .and_then(|r| r.rsplit_once('<'))
        .map(|(_, tag)| tag)
        .filter(|t| !t.is_empty() && t.chars().all(word))
    {
        return Some(tag);
    }
    // Earlier items of a list: `a, b, ` or `[a, `.
    while let Some(r) = rest.strip_suffix(',') {
        rest = r
            .trim_end_matches(blank_or_quote)
            .trim_end_matches(word)
            .trim_end_matches(blank_or_quote);
    }
    rest = rest
        .trim_end_matches(OPENERS)
        .trim_end_matches(blank_or_quote);
    let rest = rest
        .strip_suffix(['=', ':'])?
        .trim_end_matches(blank_or_quote);
    let key = &rest[rest.trim_end_matches(word).len()..];
    (!key.is_empty()).then_some(key)
}

/// An INI section header (`[logger_keystone]`).
/// A line of a script or config file without its comment (`# …` at the
/// start or after a blank, a line that starts `; ` or `//`): a host a
/// comment names is not connected to (Seafile's `# --- seafile.conf: …`).
fn uncommented(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') || t.starts_with("; ") || t.starts_with("//") {
        return "";
    }
    // Not a `#` inside quotes (`echo 'a #b' && psql -h db`); the quote
    // characters are escaped so that line-based readers of this file see
    // no string open.
    let unquoted = |i: usize| {
        let before = &line[..i];
        ['\u{27}', '\u{22}']
            .iter()
            .all(|&q| before.matches(q).count() % 2 == 0)
    };
    let cut = line
        .match_indices('#')
        .find(|&(i, _)| line[..i].ends_with([' ', '\t']) && unquoted(i))
        .map_or(line.len(), |(i, _)| i);
    &line[..cut]
}

/// Whether a line is an INI section header (`[database]`).
fn is_section(line: &str) -> bool {
    // A list (Invenio's `[{'host': 'search'}]`) is no header: a name has no separators.
    let line = line.trim();
    let list = |inner: &str| inner.contains(|c| ",:{['".contains(c));
    line.starts_with('[') && line.ends_with(']') && !list(&line[1..line.len() - 1])
}

/// Whether a config key names a host.
fn is_host_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    HOST_KEY_WORDS.iter().any(|w| key.contains(w))
}

/// The strongest way `text` names Service `name`, if it does.
fn mention(text: &str, name: &str, svc_ns: &str, job_ns: &str) -> Option<Mention> {
    mentions(text, name, svc_ns, job_ns)
        .map(|(_, how)| how)
        .max()
}

/// Where `text` names Service `name` as a host, and how.
fn mentions<'t>(
    text: &'t str,
    name: &'t str,
    svc_ns: &'t str,
    job_ns: &'t str,
) -> impl Iterator<Item = (usize, Mention)> + 't {
    let step = name.chars().next().map_or(1, char::len_utf8);
    let mut from = 0;
    std::iter::from_fn(move || {
        if name.is_empty() {
            return None;
        }
        while let Some(pos) = text[from..].find(name) {
            let start = from + pos;
            // Past the match's first character (a name may start with a multi-byte one).
            from = start + step;
            let before = before_host(text.as_bytes(), start);
            let after = after_host(&text[start + name.len()..], svc_ns, job_ns);
            if let (Some(b), Some(a)) = (before, after) {
                return Some((start, b.max(a)));
            }
        }
        None
    })
}

/// What precedes a host at `start`: `//` or `@` (a URL), or a separator.
fn before_host(bytes: &[u8], start: usize) -> Option<Mention> {
    let Some(&b) = start.checked_sub(1).and_then(|i| bytes.get(i)) else {
        return Some(Mention::Bare);
    };
    match b {
        b'/' if start >= 2 && bytes[start - 2] == b'/' => Some(Mention::Qualified),
        b'@' => Some(Mention::Qualified),
        b'=' | b' ' | b'\t' | b'\n' | b'\"' | b'\'' | b',' | b'(' | b'[' | b'>' => {
            Some(Mention::Bare)
        }
        // The default of a variable, `${CH_ADDR:host:9000}` (Uptrace's config)
        // or the shell's `${DB_HOST:-host}`.
        b':' | b'-' if default_of(&bytes[..start]).is_some() => Some(Mention::Bare),
        // A StatefulSet pod's DNS name, `<set>-<n>.<headless Service>…`
        // (Langfuse's ClickHouse names its ZooKeeper's pods so).
        b'.' => {
            let label_start = bytes[..start - 1]
                .iter()
                .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'-'))
                .map_or(0, |i| i + 1);
            let label = &bytes[label_start..start - 1];
            let ordinal = label.iter().rposition(|c| *c == b'-').is_some_and(|dash| {
                dash > 0
                    && dash + 1 < label.len()
                    && label[dash + 1..].iter().all(u8::is_ascii_digit)
            });
            (ordinal && before_host(bytes, label_start).is_some()).then_some(Mention::Qualified)
        }
        _ => None,
    }
}

/// The variable whose default starts where `head` ends (`${NAME:`, `${NAME:-`).
fn default_of(head: &[u8]) -> Option<&str> {
    let head = head.strip_suffix(b"-").unwrap_or(head);
    let head = head.strip_suffix(b":")?;
    let len = head
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    let at = head.len() - len;
    (len > 0 && head[..at].ends_with(b"${"))
        .then(|| std::str::from_utf8(&head[at..]).ok())
        .flatten()
}

/// What follows a host: `:port`, `.namespace…`, or a separator.
fn after_host(rest: &str, svc_ns: &str, job_ns: &str) -> Option<Mention> {
    let qualified = match rest.as_bytes().first() {
        None => false,
        Some(b':') if rest[1..].starts_with(|c: char| c.is_ascii_digit() || c == '$') => true,
        Some(b'.') if namespace_fits(&rest[1..], svc_ns, job_ns) => true,
        Some(
            b'/' | b' ' | b'\t' | b'\n' | b'\"' | b'\'' | b',' | b';' | b')' | b']' | b'?' | b'<'
            | b'}',
        ) => false,
        Some(_) => return None,
    };
    Some(match qualified {
        true => Mention::Qualified,
        false => Mention::Bare,
    })
}

/// `name.<ns>[.svc…]`: the namespace named must be the Service's (when both are known).
fn namespace_fits(rest: &str, svc_ns: &str, job_ns: &str) -> bool {
    // Read at run time (`name.$(cat …/serviceaccount/namespace).svc`, PostHog;
    // `name.${NAMESPACE}`): the pod's own namespace, the Service's when both are one.
    if rest.starts_with('$') {
        return svc_ns.is_empty() || job_ns.is_empty() || svc_ns == job_ns;
    }
    let ns: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if ns.is_empty() {
        return false;
    }
    if ns == "svc" {
        return true;
    }
    // Cluster DNS names are `name.ns` and `name.ns.svc…`: a label after the
    // namespace that is not `svc` makes a public name (`zulip.example.com`),
    // even when the namespace is not known.
    let after = &rest[ns.len()..];
    let word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let cluster_name = match after.strip_prefix('.') {
        None => true,
        Some(more) => more.is_empty() || (more.starts_with("svc") && !more[3..].starts_with(word)),
    };
    let expected = if svc_ns.is_empty() { job_ns } else { svc_ns };
    // With no namespace known, a file's extension is not one (Seafile's
    // `seafile.conf` names no Service `seafile` of a namespace `conf`).
    let extension = expected.is_empty() && FILE_EXTENSIONS.contains(&ns.as_str());
    cluster_name && !extension && (expected.is_empty() || ns == expected)
}

/// File name extensions that read as `name.ns` when the namespace is not known.
const FILE_EXTENSIONS: &[&str] = &[
    "conf",
    "cfg",
    "ini",
    "yaml",
    "yml",
    "json",
    "toml",
    "xml",
    "properties",
    "env",
    "sh",
    "py",
    "php",
    "js",
    "rb",
    "sql",
    "txt",
    "log",
    "pem",
    "crt",
    "key",
    "pid",
    "sock",
    "db",
    "sqlite",
    "sqlite3",
    "tmpl",
    "tpl",
    "template",
    "lock",
    "d",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A list of hosts is read, an INI section header is not (Invenio's
    /// `INVENIO_SEARCH_HOSTS: "[{'host': 'search'}]"`, a Python literal).
    #[test]
    fn a_list_of_hosts_is_no_section() {
        let env = Origin::Env("INVENIO_SEARCH_HOSTS".into());
        assert!(names_host("[{'host': 'search'}]", &env, "search", "", ""));
        assert!(names_host("['search', 'other']", &env, "search", "", ""));
        assert!(!names_host("[search]", &env, "search", "", ""));
    }

    /// A public name is no Service of the stream, even when no namespace is
    /// written (Zulip's `SETTING_EXTERNAL_HOST=zulip.example.com`).
    #[test]
    fn a_public_name_is_no_service() {
        assert!(!mentions_host("zulip.example.com", "zulip", "", ""));
        assert!(!mentions_host(
            "https://zulip.example.com/",
            "zulip",
            "",
            ""
        ));
        assert!(mentions_host("zulip.chat", "zulip", "", ""));
        assert!(mentions_host(
            "zulip.chat.svc.cluster.local:80",
            "zulip",
            "",
            ""
        ));
        assert!(mentions_host("zulip.svc.cluster.local", "zulip", "", ""));
        assert!(mentions_host("zulip:80", "zulip", "", ""));
    }

    /// A file name is no host, nor is a comment (Seafile's scripts, in a
    /// render with no namespace written).
    #[test]
    fn file_names_and_comments_are_no_hosts() {
        assert!(!mentions_host(
            "cp seafile.conf /shared/",
            "seafile",
            "",
            ""
        ));
        assert!(mentions_host("seafile.conf", "seafile", "conf", ""));
        let script = "# --- seafile.conf: generate from seafile:8082\nsed -i s/a/b/ x\n";
        assert!(!names_host(script, &file("init.sh"), "seafile", "", ""));
        let live = "sed -i s/a/b/ x\ncurl http://seafile:8082/#top # not http://other:1\n";
        assert!(names_host(live, &file("init.sh"), "seafile", "", ""));
        assert!(!names_host(live, &file("init.sh"), "other", "", ""));
        let quoted = "sh -c echo 'a #b' && curl http://seafile:80/";
        assert!(names_host(quoted, &Origin::Argv, "seafile", "", ""));
        let argv = "sh -c # the app behind http://seafile:80 reads it\necho done";
        assert!(!names_host(argv, &Origin::Argv, "seafile", "", ""));
    }

    #[test]
    fn a_statefulset_pod_names_its_headless_service() {
        let zk = "lf-zookeeper-0.lf-zookeeper-headless.default.svc.cluster.local:2181";
        assert!(mentions_host(
            zk,
            "lf-zookeeper-headless",
            "default",
            "default"
        ));
        assert!(!mentions_host(
            "a.lf-zookeeper-headless",
            "lf-zookeeper-headless",
            "",
            ""
        ));
        assert!(!mentions_host(
            "lf-zookeeper-x.lf-zookeeper-headless",
            "lf-zookeeper-headless",
            "",
            ""
        ));
    }

    #[test]
    fn databases_named_by_their_own_name() {
        let env = |k: &str| Origin::Env(k.to_string());
        let url = "jdbc:postgresql://db.example.com:5432/app";
        assert!(names_database(url, &env("DATABASE_URL"), ""));
        assert!(names_database(
            "postgres://u:p@10.0.0.5/app",
            &Origin::Argv,
            ""
        ));
        assert!(names_database("db.example.com", &env("DATABASE_HOST"), ""));
        assert!(!names_database("db.example.com", &env("DATABASE_USER"), ""));
        // SQLAlchemy's `dialect+driver` schemes (Amundsen's metadata service).
        let sqla = |url: &str| names_database(url, &env("SQLALCHEMY_DATABASE_URI"), "");
        assert!(sqla("postgresql+psycopg2://u:p@pg.example.com:5432/db"));
        assert!(sqla("mysql+pymysql://u:p@10.0.0.7/db") && !sqla("git+ssh://git.example.com/x"));
        assert!(!names_database(
            "postgres://u:p@$(DB_HOST)/app",
            &env("URL"),
            ""
        ));
        assert!(!names_database(
            "https://api.example.com",
            &env("API_URL"),
            ""
        ));
        assert!(!names_database("db", &env("DATABASE_HOST"), ""));
        let cut = "postgres://u:p@rel-postgresql.default.svc.cluster.local:5432/app";
        assert!(!names_database(cut, &env("DATABASE_URL"), ""));
        assert!(!names_database(cut, &env("DATABASE_URL"), "default"));
        // A Service of another namespace than the release's is not its own.
        assert!(names_database(cut, &env("DATABASE_URL"), "taiga"));
        let other = "taiga-pg.db.svc.cluster.local";
        assert!(names_database(other, &env("POSTGRES_HOST"), "taiga"));
        assert!(!names_database(other, &env("POSTGRES_HOST"), ""));
        assert!(!names_database(
            "postgres://u:p@db:5432/app",
            &env("DATABASE_URL"),
            ""
        ));
        // A host setting names the database only when its name says so:
        // not the app's public name nor its mail relay (Loomio).
        assert!(names_database("db.example.com", &env("PGHOST"), ""));
        assert!(names_database("db.example.com", &env("MYSQL_SERVER"), ""));
        for key in [
            "CANONICAL_HOST",
            "VIRTUAL_HOST",
            "SMTP_SERVER",
            "REPLY_HOSTNAME",
        ] {
            assert!(!names_database("app.example.com", &env(key), ""), "{key}");
        }
    }

    #[test]
    fn database_clients_name_their_host() {
        let file = file("setup.sh");
        let script = "until pg_isready -h pg.example.internal -p 5432; do sleep 5; done\n\
                      psql -U postgres -h pg.example.internal -d app -f /s.sql";
        assert!(names_database(script, &file, ""));
        assert!(names_database(
            "mysql -hdb.example.com -u app",
            &Origin::Argv,
            ""
        ));
        assert!(names_database(
            "mongosh --host=mongo.example.com",
            &Origin::Argv,
            ""
        ));
        // In the cluster, not a client's host option, or not a database client.
        assert!(!names_database(
            "psql -h app-postgresql -d app",
            &Origin::Argv,
            ""
        ));
        assert!(!names_database(
            "psql -U app.example -d app",
            &Origin::Argv,
            ""
        ));
        assert!(!names_database(
            "curl -h api.example.com",
            &Origin::Argv,
            ""
        ));
    }

    #[test]
    fn hosts_not_user_names() {
        let url = "postgres://openfga:pw@openfga-postgresql.default.svc.cluster.local:5432/openfga";
        assert!(mentions_host(url, "openfga-postgresql", "", "default"));
        assert!(!mentions_host(url, "openfga", "", "default"));
        assert!(mentions_host(
            "oncall-postgresql",
            "oncall-postgresql",
            "",
            ""
        ));
        assert!(mentions_host("db:5432", "db", "", ""));
        assert!(!mentions_host("db:secret", "db", "", ""));
        assert!(!mentions_host("mydb", "db", "", ""));
        assert!(mentions_host("-h x-mysql -P 3306", "x-mysql", "", ""));
        assert!(!mentions_host("x-mysql.other.svc", "x-mysql", "ns", ""));
        assert!(mentions_host(
            "until nc -vz $HOST; pg_isready -h x-pg.ns.svc",
            "x-pg",
            "ns",
            ""
        ));
        let ns = "$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)";
        let posthog = format!(
            "until (nc -vz \"posthog-pgbouncer.{ns}.svc.cluster.local\" 6543); do sleep 1; done"
        );
        assert!(mentions_host(&posthog, "posthog-pgbouncer", "", ""));
        assert!(mentions_host("x-pg.${NAMESPACE}.svc", "x-pg", "ns", "ns"));
        assert!(!mentions_host(
            "x-pg.${NAMESPACE}.svc",
            "x-pg",
            "other",
            "ns"
        ));
    }

    fn file(key: &str) -> Origin {
        Origin::File(key.to_string(), None)
    }

    /// A variable's default names a host: `${CH_ADDR:host:9000}` (Uptrace's
    /// config), `${DB_HOST:-host}`; a variable's name alone does not.
    #[test]
    fn host_in_a_variable_default() {
        for text in [
            "addr: ${CH_ADDR:clickhouse-db1:9000}",
            "addr: ${CH_ADDR:-clickhouse-db1:9000}",
            "DB_HOST=${DB_HOST:-clickhouse-db1}",
        ] {
            assert!(
                names_host(text, &file("config.yml"), "clickhouse-db1", "", ""),
                "{text}"
            );
        }
        assert!(!names_host(
            "x: ${clickhouse-db1}",
            &file("c"),
            "clickhouse-db1",
            "",
            ""
        ));
    }

    /// ClickHouse's config names its ZooKeeper in an XML element; a user
    /// element does not name a host.
    #[test]
    fn xml_host_elements() {
        let xml = "<node>\n  <host>zk-clickhouse</host>\n  <port>2181</port>\n</node>";
        assert!(names_host(
            xml,
            &file("metrica.xml"),
            "zk-clickhouse",
            "",
            ""
        ));
        let user = "<user>zk-clickhouse</user>";
        assert!(!names_host(
            user,
            &file("users.xml"),
            "zk-clickhouse",
            "",
            ""
        ));
    }

    /// Superset's Secret holds `DB_USER: superset`, openproject's wait runs
    /// `pg_isready -h $HOST -U openproject`, Superset's script runs `superset db
    /// upgrade`: none names Service superset or openproject as a host.
    #[test]
    fn settings_users_and_programs_are_not_hosts() {
        let env = |n: &str| Origin::Env(n.to_string());
        assert!(names_host("pg", &file("DB_HOST"), "pg", "", ""));
        assert!(!names_host("pg", &file("DB_USER"), "pg", "", ""));
        assert!(!names_host("pg", &file("DB_PASS"), "pg", "", ""));
        assert!(names_host("pg", &env("PGHOST"), "pg", "", ""));
        assert!(!names_host("pg", &env("POSTGRES_DB"), "pg", "", ""));
        assert!(names_host(
            "http://pg:8080/x",
            &env("CORE_URL"),
            "pg",
            "",
            ""
        ));
        let wait = "sh -c until pg_isready -h $DATABASE_HOST -p 5432 -U app; do sleep 2; done;";
        assert!(!names_host(wait, &Origin::Argv, "app", "", ""));
        for argv in [
            "sh -c until pg_isready -h app; do sleep 2; done",
            "migrate --db-host app",
            "migrate --db-host=app",
            "sh -c until nc -z app 5432; do sleep 1; done",
            "sh -c until nc -zvw10 app \"8000\"; do sleep 2; done",
            "sh -c until nc -zvw10 \"app\" \"5432\"; do sleep 2; done",
            "sh -c until nslookup app; do sleep 1; done",
        ] {
            assert!(names_host(argv, &Origin::Argv, "app", "", ""), "{argv}");
        }
        let script = "#!/bin/sh\nset -e\napp db upgrade\napp init\n";
        assert!(!names_host(script, &file("init.sh"), "app", "", ""));
        assert!(!names_host("app db upgrade", &Origin::Argv, "app", "", ""));
    }

    /// A mail relay's host (Rallly's `SMTP_HOST`) is the app's, never a
    /// migration's dependency; a database's is.
    #[test]
    fn mail_settings_name_no_dependency() {
        for key in ["SMTP_HOST", "MAIL_SERVER", "EMAIL_HOST", "smtp.host"] {
            assert!(super::mail_setting(&Origin::Env(key.to_string())), "{key}");
        }
        for key in ["DB_HOST", "REDIS_URL", "DATABASE_URL"] {
            assert!(!super::mail_setting(&Origin::Env(key.to_string())), "{key}");
        }
        assert!(!super::mail_setting(&Origin::Argv));
    }

    /// The app's own public address (Lakekeeper's `LAKEKEEPER__BASE_URI`) is
    /// where users reach it, never a migration's dependency.
    #[test]
    fn own_url_settings_name_no_dependency() {
        for key in [
            "LAKEKEEPER__BASE_URI",
            "PUBLIC_URL",
            "server.external-url",
            "SITE_URL",
        ] {
            assert!(
                super::own_url_setting(&Origin::Env(key.to_string())),
                "{key}"
            );
        }
        for key in ["DB_HOST", "REDIS_URL", "DATABASE_URL", "S3_ENDPOINT"] {
            assert!(
                !super::own_url_setting(&Origin::Env(key.to_string())),
                "{key}"
            );
        }
        assert!(!super::own_url_setting(&Origin::Argv));
    }

    /// keystone's logging.conf names a logger like the Service: not a host.
    #[test]
    fn config_files_name_hosts_under_host_keys() {
        let logging = "[logger_keystone]\nhandlers = stdout\nqualname = keystone\n[loggers]\nkeys = root,keystone\n";
        assert!(mentions_host(logging, "keystone", "", ""));
        assert!(!names_host(
            logging,
            &file("logging.conf"),
            "keystone",
            "",
            ""
        ));
        for conf in [
            "[database]\nhost = pg\n",
            "redis:\n  host: pg\n",
            "DB_HOST=pg\n",
            "\"serverAddress\": \"pg\"\n",
            "database = app\nconnection = postgresql://u:p@pg/app\n",
            "url: pg:5432\n",
            "psql -h pg -c 'select 1'\n",
            "DATABASES = {\"default\": {\"HOST\": \"pg\", \"PORT\": 5432}}\n",
            "hosts = [other, pg]\n",
            "database = pg.ns.svc\n",
        ] {
            assert!(
                names_host(conf, &file("app.conf"), "pg", "ns", ""),
                "{conf}"
            );
        }
        for conf in [
            "database = pg\n",
            "user: pg\n",
            "[pg]\nlevel = INFO\n",
            "keys = root, pg\n",
            "DATABASES = {\"default\": {\"NAME\": \"pg\"}}\n",
        ] {
            assert!(
                !names_host(conf, &file("app.conf"), "pg", "ns", ""),
                "{conf}"
            );
        }
    }
}
