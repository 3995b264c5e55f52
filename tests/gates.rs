//! Wait gates, one hand-written rendered stream per case under `testdata/gates/`.
//!
//! A fixture starts with comment lines: what the case is about, and optionally
//! `# args: FLAGS` (the command-line flags of the case, shell-quoted). Those
//! header lines are cut before the stream is rewritten. Each case is
//! snapshot-tested (output stream and `--explain` text), and every case must
//! keep the invariants below, whatever its snapshot says:
//! - a second run over the output changes nothing;
//! - every gate waits for a Job that is in the output, under its hashed name,
//!   and is its workload's first init container(s) after the leading native sidecars;
//! - every Role names only Jobs of the output, and every gated workload's
//!   service account is bound, before the workload in the stream;
//! - when the first migration changes (its image tag), rerunning over the
//!   earlier output gives what a fresh run gives: no stale gate, Role or name.

#[path = "support/gate_cases.rs"]
mod gate_cases;

use gate_cases::{ann, cases, check_consistent, config, docs, Case};

fn rewrite(input: &str, cfg: &premigrate::Config) -> premigrate::Output {
    premigrate::rewrite(input.as_bytes(), cfg).unwrap_or_else(|e| panic!("{e:?}"))
}

fn text(out: &premigrate::Output) -> String {
    String::from_utf8(out.stream.clone()).unwrap()
}

/// Appends `-next` to the tag of the first `image:` line of the document (the migration's own container).
fn bump_image(doc: &str) -> String {
    let mut done = false;
    doc.split_inclusive('\n')
        .map(|l| {
            if done {
                return l.to_string();
            }
            let Some(i) = l.find("image: ") else {
                return l.to_string();
            };
            done = true;
            let (head, value) = l.split_at(i + "image: ".len());
            let end = value.trim_end();
            let nl = &value[end.len()..];
            match end.strip_suffix('"') {
                Some(inner) => format!("{head}{inner}-next\"{nl}"),
                None => format!("{head}{end}-next{nl}"),
            }
        })
        .collect()
}

/// The stream with the migration Job named `original` (as written, or hashed with that original name) changed.
fn change_migration(stream: &str, original: &str) -> String {
    let mut hit = 0;
    let out = docs(stream)
        .into_iter()
        .map(|(t, v)| match v {
            Some(v)
                if v["kind"] == "Job"
                    && ann(&v, "premigrate.io/generated").is_none()
                    && (ann(&v, "premigrate.io/original-name") == Some(original)
                        || v["metadata"]["name"] == original) =>
            {
                hit += 1;
                bump_image(&t)
            }
            _ => t,
        })
        .collect();
    assert_eq!(hit, 1, "migration {original} not found once in\n{stream}");
    out
}

fn snapshot_text(out: &premigrate::Output) -> String {
    format!(
        "{}\n# ── explain ──\n{}",
        text(out),
        out.explanation
            .lines()
            .map(|l| format!("# {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// Runs one case: snapshot, then the invariants.
fn run(case: &Case) {
    let name = &case.name;
    let cfg = config(&case.args);
    let out = rewrite(&case.input, &cfg);
    let first = text(&out);
    insta::assert_snapshot!(name.as_str(), snapshot_text(&out));
    check_consistent(name, &first);
    if case.known_bug {
        return;
    }

    let again = text(&rewrite(&first, &cfg));
    assert_eq!(again, first, "{name}: a second run changed the output");

    // A changed migration, over the earlier output and fresh: the same stream, nothing left of the old name.
    let Some(m) = out.plan.migrations.first() else {
        return;
    };
    let fresh = text(&rewrite(
        &change_migration(&case.input, &m.original_name),
        &cfg,
    ));
    let rerun = text(&rewrite(&change_migration(&first, &m.original_name), &cfg));
    // (A name the input itself writes, in a user's annotation, stays there.)
    assert!(
        case.input.contains(&m.name) || !fresh.contains(&m.name),
        "{name}: changed migration kept its name {}",
        m.name
    );
    assert_eq!(
        rerun, fresh,
        "{name}: rerun over a changed migration differs from a fresh run"
    );
    check_consistent(name, &rerun);
}

#[test]
fn gates() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/gates");
    settings.set_omit_expression(true);
    let _guard = settings.bind_to_scope();
    // Every case runs, so one failure does not hide the others.
    let failed: Vec<String> = cases()
        .iter()
        .filter(|case| std::panic::catch_unwind(|| run(case)).is_err())
        .map(|case| case.name.clone())
        .collect();
    assert!(failed.is_empty(), "failing cases: {failed:?}");
}

/// Under gitops the contract Job of an expand/contract pair loses its `helm.sh/hook: post-…`
/// annotation; `premigrate.io/phase: post` keeps its phase, so a second run does not make it
/// a pre migration and gate the web on it.
#[test]
fn post_phase_survives_a_rerun() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "post-phase")
        .unwrap();
    let cfg = config(&case.args);
    let first = text(&rewrite(&case.input, &cfg));
    assert_eq!(text(&rewrite(&first, &cfg)), first);
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        gate_cases::shell_words(
            " --gate-style check --gate-check 'php artisan migrate:status' --x=\"a b\" ''"
        ),
        [
            "--gate-style",
            "check",
            "--gate-check",
            "php artisan migrate:status",
            "--x=a b",
            ""
        ]
    );
}

/// The migration's name hashes the ConfigMaps it reads: a changed script reruns it
/// under GitOps (a Job that keeps its name never runs again); a ConfigMap it does
/// not read, or a Secret it reads (generated anew on every render), changes nothing.
#[test]
fn a_changed_script_in_a_configmap_renames_the_migration() {
    let stream = |script: &str, other: &str, password: &str| {
        format!(
            "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: scripts
data:
  migrate.sh: {script}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data:
  key: {other}
---
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: {password}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: app-migrate
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: app:1
          command: [sh, /scripts/migrate.sh]
          envFrom:
            - secretRef:
                name: db
          volumeMounts:
            - name: scripts
              mountPath: /scripts
      volumes:
        - name: scripts
          configMap:
            name: scripts
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: app:1
          envFrom:
            - configMapRef:
                name: unrelated
"
        )
    };
    for target in ["gitops", "hooks"] {
        let cfg = config(&["--target".to_string(), target.to_string()]);
        let name = |input: String| {
            let out = text(&rewrite(&input, &cfg));
            assert_eq!(
                text(&rewrite(&out, &cfg)),
                out,
                "{target}: a rerun changes nothing"
            );
            let line = out
                .lines()
                .find(|l| l.contains("name: app-migrate-"))
                .unwrap();
            line.trim().to_string()
        };
        let first = name(stream("rake db:migrate", "a", "p1"));
        assert_ne!(
            first,
            name(stream("rake db:migrate --trace", "a", "p1")),
            "{target}"
        );
        assert_eq!(
            first,
            name(stream("rake db:migrate", "b", "p1")),
            "{target}"
        );
        assert_eq!(
            first,
            name(stream("rake db:migrate", "a", "p2")),
            "{target}"
        );
    }
}
