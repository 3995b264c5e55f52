//! PM518 `artisan-migrate-unforced`.
//!
//! ## What it does
//! Finds a migration Job that runs `php artisan migrate` (or another command
//! Laravel asks to confirm in production: `migrate:fresh`, `migrate:refresh`,
//! `migrate:reset`, `migrate:rollback`, `db:seed`, `db:wipe`) without
//! `--force`, while its env sets `APP_ENV=production`.
//!
//! ## Why is this bad?
//! In production Laravel asks "Are you sure you want to run this command?"
//! unless `--force` is given. A Job has no terminal: the question gets its
//! default, no, and the command prints `Command cancelled.` and exits 1 (older
//! Laravel exits 0 having done nothing: the gates open on an old schema). With
//! `tty: true` it waits for an answer for ever. The migration never runs. An
//! unset `APP_ENV` is production too by Laravel's `config/app.php`, but an
//! image's `.env` may set it: only a value the manifest sets is reported.
//!
//! ## Example
//! ```yaml
//! containers:
//!   - name: migrate
//!     command: [php, artisan, migrate]
//!     env:
//!       - {name: APP_ENV, value: production}
//! ```
//!
//! ## Fix
//! Not fixed by the post-renderer. Add `--force`: `php artisan migrate --force`.

use super::{at, Fix, Rule};
use crate::diag::codes::PM518;
use crate::lint::{Cx, Hit};
use crate::yaml::edit::Seg;
use crate::yaml::Value;

/// The rule.
pub const RULE: Rule = Rule {
    code: PM518,
    name: "artisan-migrate-unforced",
    fix: Fix::No,
    engines: "all",
    check,
};

/// Artisan commands that ask to confirm in production (Laravel's
/// `ConfirmableTrait`) and that a migration Job runs.
const CONFIRMED: &[&str] = &[
    "migrate",
    "migrate:fresh",
    "migrate:refresh",
    "migrate:reset",
    "migrate:rollback",
    "db:seed",
    "db:wipe",
];

fn check(cx: &Cx<'_>, out: &mut Vec<Hit>) {
    for (doc, pod, base) in cx.migration_pods() {
        for list in ["initContainers", "containers"] {
            for (i, c) in pod
                .get(list)
                .map(Value::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let text = [c.strings("command"), c.strings("args")].concat().join(" ");
                let Some(run) = unforced(&text) else {
                    continue;
                };
                if !production(cx, c) {
                    continue;
                }
                let mut path = at(&base, &[list]);
                path.push(Seg::Index(i));
                out.push(Hit::new(
                    PM518,
                    doc,
                    path,
                    format!(
                        "migration Job {} runs `{run}` without --force under APP_ENV=production: Laravel asks to confirm, nobody answers, and the command is cancelled: the migration never runs",
                        cx.name(doc)
                    ),
                    false,
                ));
            }
        }
    }
}

/// The first `artisan <command>` of a command line that Laravel confirms in
/// production, when its step (up to `;`, `&`, `|` or a line break) has no
/// `--force`.
fn unforced(text: &str) -> Option<String> {
    text.split(['\n', ';', '&', '|']).find_map(|step| {
        let words: Vec<&str> = step
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']))
            .collect();
        let at = words
            .iter()
            .position(|w| w.rsplit('/').next() == Some("artisan"))?;
        let command = *words.get(at + 1)?;
        let forced = words[at + 1..]
            .iter()
            .any(|w| *w == "--force" || w.starts_with("--force="));
        (CONFIRMED.contains(&command) && !forced).then(|| format!("artisan {command}"))
    })
}

/// Whether the container's env (with what its `envFrom` brings from the
/// stream) sets `APP_ENV` to `production`, the last setting winning.
fn production(cx: &Cx<'_>, c: &Value) -> bool {
    let env = cx.sources.with_env_from(c, |n, _| n == "APP_ENV");
    crate::k8s::env_values(&env)
        .filter(|(_, n, _)| *n == "APP_ENV")
        .last()
        .is_some_and(|(_, _, v)| v.as_str() == Some("production"))
}

#[cfg(test)]
mod tests {
    use super::unforced;

    #[test]
    fn artisan_commands_laravel_confirms() {
        assert!(unforced("php artisan migrate").is_some());
        assert!(unforced("sh -c php /var/www/artisan migrate:fresh --seed").is_some());
        assert!(unforced("php artisan config:cache && php artisan migrate").is_some());
        assert!(unforced("php artisan migrate --force").is_none());
        assert!(
            unforced("php artisan migrate --force=true; php artisan db:seed --force").is_none()
        );
        assert!(unforced("php artisan migrate:status").is_none());
        assert!(unforced("php artisan queue:work").is_none());
    }
}
