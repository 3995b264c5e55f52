//! Regression tests named after the bug they pin.

/// Fuzzing found a panic: a Pod with no `spec` beside a migration Job.
#[test]
fn pod_without_spec_next_to_a_migration_is_not_a_panic() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/rewrite/gates-pod-without-spec.yaml"
    ))
    .unwrap();
    let _ = premigrate::rewrite(&input, &premigrate::Config::default());
}

/// Rerunning over a gated stream whose migration changed failed with "two edits
/// overlap": the stale gate, the workload's only init container, was removed
/// (which rewrites the list as `[]`) while the new one was inserted at index 0.
#[test]
fn a_changed_migration_moves_a_lone_gate() {
    let input = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: app-migrate
  annotations:
    premigrate.io/migration: \"true\"
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: app:1
          envFrom:
            - secretRef:
                name: db
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
";
    let cfg = premigrate::Config::default();
    let first = premigrate::rewrite(input.as_bytes(), &cfg).unwrap();
    let old = first.plan.migrations[0].name.clone();
    let gated = String::from_utf8(first.stream).unwrap();
    assert!(gated.contains(&format!("- {old}")), "{gated}");
    let changed = gated.replacen("image: app:1", "image: app:2", 1);
    let out = premigrate::rewrite(changed.as_bytes(), &cfg).unwrap();
    let new = out.plan.migrations[0].name.clone();
    let text = String::from_utf8(out.stream).unwrap();
    assert_ne!(old, new);
    assert!(!text.contains(&old), "stale name left:\n{text}");
    assert_eq!(text.matches("- name: premigrate-wait").count(), 1, "{text}");
    assert!(text.contains(&format!("- {new}")), "{text}");
}

/// Edit-layer limits found while writing the gate tests (src/yaml/edit.rs): several
/// removals and inserts on one list overlapped ("two edits overlap") or disagreed
/// with the value model. Each edit set is valid on its own terms (indices refer to
/// the original list) and applies now.
#[test]
fn sequence_edits_that_should_combine() {
    use premigrate::yaml::edit::{apply, Edit, Seg};
    use premigrate::yaml::{Tree, Value};
    let l = || vec![Seg::Key("l".into())];
    let doc = "l:\n  - a: 1\n  - b: 2\n  - c: 3\nk: 1\n";
    let tree = Tree::parse(doc).unwrap();
    let cases: Vec<(Vec<Edit>, &str)> = vec![
        // Removing the last two items: "two edits overlap".
        (
            vec![Edit::RemoveItem(l(), 1), Edit::RemoveItem(l(), 2)],
            "l:\n  - a: 1\nk: 1\n",
        ),
        // Removing every item: "two edits overlap".
        (
            vec![
                Edit::RemoveItem(l(), 0),
                Edit::RemoveItem(l(), 1),
                Edit::RemoveItem(l(), 2),
            ],
            "l: []\nk: 1\n",
        ),
        // Removing item 0 and inserting before original item 1: the text and the
        // value model disagree ("an edit would change more than planned").
        (
            vec![
                Edit::RemoveItem(l(), 0),
                Edit::Insert(l(), 1, vec![Value::Int(5)]),
            ],
            "l:\n  - 5\n  - b: 2\n  - c: 3\nk: 1\n",
        ),
    ];
    let mut failed = vec![];
    for (edits, want) in cases {
        match apply(doc, &tree, &edits) {
            Ok(got) if got == want => {}
            other => failed.push(format!("{edits:?}: {other:?}")),
        }
    }
    // Removing a one-item list's item and inserting into it: "two edits overlap".
    let one = "l:\n  - a: 1\n";
    let t1 = Tree::parse(one).unwrap();
    let e = [
        Edit::RemoveItem(l(), 0),
        Edit::Insert(l(), 0, vec![Value::Int(5)]),
    ];
    if apply(one, &t1, &e).is_err() {
        failed.push(format!("{e:?} on a one-item list"));
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Fuzzing found a panic: `Edit::Set` with an empty path (the whole document)
/// sliced `path[..1]` in `set_or_append`. It is an error now.
#[test]
fn setting_an_empty_path_is_an_error_not_a_panic() {
    use premigrate::yaml::edit::{apply, Edit};
    use premigrate::yaml::{Tree, Value};
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/edit/set-empty-path.bin"
    ))
    .unwrap();
    // The fuzz target's first 16 bytes choose the edits; the rest is the document.
    let doc = String::from_utf8_lossy(&input[16..]).into_owned();
    for doc in [doc.as_str(), "~\n", "- 1\n"] {
        let tree = Tree::parse(doc).unwrap();
        for edit in [
            Edit::Set(vec![], Value::Null),
            Edit::Set(vec![], Value::map([("a", Value::Int(1))])),
        ] {
            let out = apply(doc, &tree, std::slice::from_ref(&edit));
            assert!(out.is_err(), "{edit:?} on {doc:?}: {out:?}");
        }
    }
}

/// Fuzzing found a panic in debug builds: a stream holding only an object
/// premigrate generated for a migration no longer there rewrites to nothing,
/// and the check that each output document has a source counted one.
#[test]
fn a_stream_rewritten_to_nothing_is_not_a_panic() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/rewrite/only-a-stale-generated-rolebinding.yaml"
    ))
    .unwrap();
    let out = premigrate::rewrite(&input, &premigrate::Config::default()).unwrap();
    assert!(out.stream.is_empty());
    assert!(out.sources.is_empty());
}

/// The same check on an empty input (fuzzing again): it rewrites to itself,
/// one empty document with its source.
#[test]
fn an_empty_input_is_not_a_panic() {
    let out = premigrate::rewrite(b"", &premigrate::Config::default()).unwrap();
    assert!(out.stream.is_empty());
    assert_eq!(out.sources.len(), 1);
}

/// A property test of the host lookup found a panic: a Service whose name
/// starts with a multi-byte character, mentioned twice in a row in a
/// migration's URL (the search stepped one byte into the character).
#[test]
fn a_service_named_with_a_multibyte_character_is_not_a_panic() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/regressions/rewrite/service-named-with-a-multibyte-character.yaml"
    ))
    .unwrap();
    assert!(premigrate::rewrite(&input, &premigrate::Config::default()).is_ok());
}

/// A Job found only by `--job` lost its gates, Role and RoleBinding when
/// premigrate ran again over its own output without the flag (Zammad's init
/// Job before its mounted entrypoint script was followed): the Job it named
/// by content stays a migration.
#[test]
fn a_job_found_by_flag_stays_a_migration_on_a_rerun_without_it() {
    let input = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: app-init
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: init
          image: app:1
          envFrom:
            - secretRef:
                name: db
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: app:1
          envFrom:
            - secretRef:
                name: db
";
    let cfg = premigrate::Config {
        jobs: vec!["app-init".to_string()],
        ..premigrate::Config::default()
    };
    let first = premigrate::rewrite(input.as_bytes(), &cfg).unwrap().stream;
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(
        text.contains("premigrate-wait"),
        "the first run gates web:\n{text}"
    );
    let again = premigrate::rewrite(&first, &premigrate::Config::default())
        .unwrap()
        .stream;
    assert_eq!(String::from_utf8(again).unwrap(), text);
}

/// The chart-hang check skips its model when nothing of the stream can wait
/// (no pod, no kapp change rule; a 20k-ConfigMap KRM list's model was half its
/// peak memory): a kapp rule cycle with no pod at all is still found.
#[test]
fn a_kapp_cycle_without_pods_is_still_a_chart_hang() {
    let cycle = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  annotations:
    kapp.k14s.io/change-group: example.com/a
    kapp.k14s.io/change-rule: upsert after upserting example.com/b
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
  annotations:
    kapp.k14s.io/change-group: example.com/b
    kapp.k14s.io/change-rule: upsert after upserting example.com/a
";
    let cfg = premigrate::Config::default();
    let out = premigrate::rewrite(cycle.as_bytes(), &cfg).unwrap();
    assert_eq!(out.stream, cycle.as_bytes());
    let hang = |p: &premigrate::plan::Plan| p.notes.iter().any(|n| n.code == "PM210");
    assert!(hang(&out.plan), "{}", out.explanation);
    // The same objects without the rules: nothing waits, nothing is said.
    let plain: String = cycle
        .lines()
        .filter(|l| !l.contains("change-rule"))
        .map(|l| format!("{l}\n"))
        .collect();
    let out = premigrate::rewrite(plain.as_bytes(), &cfg).unwrap();
    assert!(!hang(&out.plan), "{}", out.explanation);
}

/// A migration whose database host is a Service of another namespace than
/// the release's (`pg.db.svc.cluster.local`, the release in `app`) names a
/// database of its own: the release's bundled PostgreSQL, found by image, is
/// not a need of it (it was, when every `.svc` host counted as the release's).
#[test]
fn a_svc_host_of_another_namespace_is_outside_the_release() {
    let stream = |host: &str| {
        format!(
            "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: app-postgresql
  namespace: app
spec:
  template:
    spec:
      containers:
        - name: postgresql
          image: postgres:16
---
apiVersion: batch/v1
kind: Job
metadata:
  name: app-migrate
  namespace: app
  annotations:
    premigrate.io/migration: \"true\"
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: example/app:1
          command: [app, migrate]
          env:
            - name: DATABASE_URL
              value: postgres://u:p@{host}:5432/app
"
        )
    };
    let cfg = premigrate::Config::default();
    let needs = |host: &str| {
        let out = premigrate::rewrite(stream(host).as_bytes(), &cfg).unwrap();
        out.explanation
            .contains("needs: document 1 StatefulSet/app-postgresql")
    };
    assert!(!needs("pg.db.svc.cluster.local"));
    // In the release's own namespace it may be the release's, under another spelling.
    assert!(needs("pg.app.svc.cluster.local"));
}

/// PM019 (a migration image whose tag moves) is a gitops matter: a content-named
/// Job keeps its name when a new image is pushed under the tag; a Helm hook is
/// made again on every upgrade, so `--target hooks` says nothing. A pinned
/// image and a moving init container (a `busybox:latest` wait) say nothing.
#[test]
fn a_moving_migration_image_is_a_gitops_warning_only() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/codes/pm019-moving-image-tag.yaml"
    );
    let input = std::fs::read_to_string(path).unwrap();
    let notes = |text: &str, target| {
        let cfg = premigrate::Config {
            target,
            ..premigrate::Config::default()
        };
        let out = premigrate::rewrite(text.as_bytes(), &cfg).unwrap();
        out.plan
            .notes
            .iter()
            .filter(|n| n.code == "PM019")
            .map(|n| n.message.clone())
            .collect::<Vec<_>>()
    };
    let gitops = notes(&input, premigrate::config::Target::Gitops);
    assert_eq!(gitops.len(), 1, "{gitops:?}");
    assert!(
        gitops[0].contains("`ghcr.io/example/app:latest` is tagged `latest`"),
        "{}",
        gitops[0]
    );
    assert!(notes(&input, premigrate::config::Target::Hooks).is_empty());
    let pinned = input.replace("ghcr.io/example/app:latest", "ghcr.io/example/app:2.4.1");
    assert!(notes(&pinned, premigrate::config::Target::Gitops).is_empty());
    let untagged = input.replace("ghcr.io/example/app:latest", "ghcr.io/example/app");
    assert!(notes(&untagged, premigrate::config::Target::Gitops)[0].contains("has no tag"));
}

/// Hatchet: the migration's ServiceAccount gets its permissions from a regular
/// RoleBinding (whose subject names the namespace while the objects, as
/// `helm template` writes them, do not). Under `--target hooks` a pre-install
/// hook with a hook copy of the account had no permissions (its Secret
/// creation was forbidden): the Job stays a regular resource with gates
/// (PM106 says why). Under gitops the binding and its Role go in the Job's
/// Argo CD wave. A binding that is itself a pre-install hook lets the Job be
/// one, and so does a migration that calls no API.
#[test]
fn a_migration_bound_by_regular_rbac_is_no_pre_install_hook() {
    let stream = |rbac_hook: &str, init: &str| {
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n---\n\
apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app{rbac_hook}\nrules:\n  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [create]\n---\n\
apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app{rbac_hook}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app\nsubjects:\n  - kind: ServiceAccount\n    name: app\n    namespace: prod\n---\n\
apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: app-migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      serviceAccountName: app\n{init}      containers:\n        - name: migrate\n          image: app:1\n          command: [\"python\", \"manage.py\", \"migrate\"]\n---\n\
apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      serviceAccountName: app\n      containers:\n        - name: web\n          image: app:1\n"
        )
    };
    let run = |text: &str, target| {
        let cfg = premigrate::Config {
            target,
            ..premigrate::Config::default()
        };
        premigrate::rewrite(text.as_bytes(), &cfg).unwrap()
    };
    // Lago's wait: `kubectl wait` for the database's pods, with the account's permissions.
    let kubectl = "      initContainers:\n        - name: wait\n          image: bitnami/kubectl:1.30\n          command: [kubectl, wait, --for=condition=ready, pod, -l, app=db]\n";
    let hooks = run(&stream("", kubectl), premigrate::config::Target::Hooks);
    let why = hooks
        .plan
        .notes
        .iter()
        .find(|n| n.code == "PM106")
        .expect("PM106");
    assert!(
        why.message
            .contains("its ServiceAccount app gets its permissions from RoleBinding/app"),
        "{}",
        why.message
    );
    let out = String::from_utf8(hooks.stream).unwrap();
    assert!(!out.contains("helm.sh/hook: pre-install"), "{out}");
    let gitops =
        String::from_utf8(run(&stream("", kubectl), premigrate::config::Target::Gitops).stream)
            .unwrap();
    let binding = gitops
        .split("---\n")
        .find(|d| d.contains("kind: RoleBinding\nmetadata:\n  name: app\n"))
        .unwrap();
    assert!(
        binding.contains("argocd.argoproj.io/sync-wave: \"-1\""),
        "{binding}"
    );
    let hook = "\n  annotations:\n    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"-10\"";
    let hooked = run(&stream(hook, kubectl), premigrate::config::Target::Hooks);
    assert!(
        !hooked.plan.notes.iter().any(|n| n.code == "PM106"),
        "{:?}",
        hooked.plan.notes
    );
    // A migration that calls no API (its account is shared with an app that
    // does: OpenFGA, Flyte, Sourcegraph) needs none of it: it becomes a hook.
    let plain = run(&stream("", ""), premigrate::config::Target::Hooks);
    assert!(
        !plain.plan.notes.iter().any(|n| n.code == "PM106"),
        "{:?}",
        plain.plan.notes
    );
}

/// Hoppscotch: the chart's gate polls the migration with `kubectl get job
/// NAME -o jsonpath='{.status.succeeded}'` in a loop. Unrecognised, the Job
/// was renamed by content while the loop kept polling the old name (the app
/// never started, and the deadlock check said it did) and, under hooks,
/// `hook-succeeded` deleted the Job the loop polls. Now it is a chart gate:
/// renamed in place, no second gate, the Job kept after it succeeds.
#[test]
fn a_kubectl_get_job_loop_is_the_charts_gate() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/gates/chart-gate-kubectl-get-job.yaml"
    );
    let input = std::fs::read_to_string(path).unwrap();
    let run = |target| {
        let cfg = premigrate::Config {
            target,
            ..premigrate::Config::default()
        };
        String::from_utf8(premigrate::rewrite(input.as_bytes(), &cfg).unwrap().stream).unwrap()
    };
    let gitops = run(premigrate::config::Target::Gitops);
    let hashed = gitops
        .lines()
        .find_map(|l| l.strip_prefix("  name: app-migrate-"))
        .expect("the Job is renamed by content");
    assert!(
        gitops.contains(&format!("kubectl get job app-migrate-{hashed} -o jsonpath")),
        "{gitops}"
    );
    assert!(
        !gitops.contains("premigrate-wait"),
        "no second gate: {gitops}"
    );
    let hooks = run(premigrate::config::Target::Hooks);
    assert!(
        hooks.contains("kubectl get job app-migrate -o jsonpath"),
        "{hooks}"
    );
    assert!(
        hooks.contains("helm.sh/hook-delete-policy: before-hook-creation\n"),
        "{hooks}"
    );
}

/// Monica: `--gate DaemonSet/app-queue` named a post-install hook and was
/// told "no such workload in the stream" though the object is there. Hooks
/// are not the release's workloads (Helm runs them in their phase): the
/// warning says so, and nothing is gated.
#[test]
fn a_gate_asked_for_a_hook_says_it_is_one() {
    let input = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: app-migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: app:1
          command: [php, artisan, migrate, --force]
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: app-queue
  annotations:
    helm.sh/hook: post-install,post-upgrade
spec:
  template:
    spec:
      containers:
        - name: queue
          image: app:1
          command: [php, artisan, queue:work]
";
    let cfg = premigrate::Config {
        gate: premigrate::config::GateMode::List(vec![("DaemonSet".into(), "app-queue".into())]),
        ..premigrate::Config::default()
    };
    let out = premigrate::rewrite(input.as_bytes(), &cfg).unwrap();
    let note = out
        .plan
        .notes
        .iter()
        .find(|n| n.code == "PM204")
        .expect("PM204");
    assert!(
        note.message
            .contains("a Helm hook (`post-install,post-upgrade`)"),
        "{}",
        note.message
    );
    let text = String::from_utf8(out.stream).unwrap();
    let queue = text
        .split("---\n")
        .find(|d| d.contains("app-queue"))
        .unwrap();
    assert!(!queue.contains("initContainers"), "{queue}");
}

/// Teable: a MinIO provisioning hook that reads other keys of the Secret the
/// app reads its database URL from was "possibly a migration" (PM010): the
/// whole Secret counted as shared, and a Job that only runs `mc` counted as
/// an unknown command. Keys of one Secret are settings of their own.
#[test]
fn a_bucket_job_reading_other_keys_of_the_apps_secret_is_no_migration() {
    let job = |keys: [&str; 2], script: &str| {
        format!(
            "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
        - name: app
          image: example.com/app:1
          env:
            - name: DATABASE_URL
              valueFrom: {{secretKeyRef: {{name: app-secret, key: database-url}}}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: app-provisioning
  annotations:
    helm.sh/hook: post-install,post-upgrade
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
        - name: job
          image: example.com/tools:1
          command: [/bin/bash, -c, \"{script}\"]
          env:
            - name: U
              valueFrom: {{secretKeyRef: {{name: app-secret, key: {}}}}}
            - name: P
              valueFrom: {{secretKeyRef: {{name: app-secret, key: {}}}}}
",
            keys[0], keys[1]
        )
    };
    let pm010 = |input: String| {
        let out = premigrate::rewrite(input.as_bytes(), &premigrate::Config::default()).unwrap();
        out.plan.notes.iter().any(|n| n.code == "PM010")
    };
    let buckets = "mc alias set p http://minio:9000 $U $P; mc mb p/pub";
    assert!(!pm010(job(["minio-user", "minio-password"], buckets)));
    // Without the hook, a schema-ish name and an unknown program: noticed
    // only when the Job reads the app's setting.
    let unhooked = |keys| {
        job(keys, "/app/bin/provision $U $P")
            .replace("name: app-provisioning", "name: app-schema-setup")
            .replace(
                "  annotations:\n    helm.sh/hook: post-install,post-upgrade\n",
                "",
            )
    };
    let noticed = |input: String| {
        let out = premigrate::rewrite(input.as_bytes(), &premigrate::Config::default()).unwrap();
        !out.plan.migrations.is_empty() || out.plan.notes.iter().any(|n| n.code == "PM010")
    };
    assert!(!noticed(unhooked(["minio-user", "minio-password"])));
    assert!(noticed(unhooked(["database-url", "minio-password"])));
}

/// Canvas LMS: `--extract-init` took along an earlier init container that
/// only prepares a claim (`chown -R … /usr/src/app/log`); the Job leaves the
/// claim's mounts out, so `chown` failed on a path that is not there and the
/// Job never completed: the gated app never started.
#[test]
fn a_preparer_of_a_claim_stays_out_of_the_extracted_job() {
    let input = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      volumes:
        - name: log
          persistentVolumeClaim:
            claimName: app-log
        - name: config
          emptyDir: {}
      initContainers:
        - name: volume-permissions
          image: busybox
          command: [sh, -c, chown -R 9999:9999 /usr/src/app/log]
          volumeMounts:
            - {name: log, mountPath: /usr/src/app/log}
        - name: write-config
          image: busybox
          command: [sh, -c, echo x > /config/app.yml]
          volumeMounts:
            - {name: config, mountPath: /config}
        - name: migrate
          image: example/rails-app:1
          command: [bin/rails, db:migrate]
          volumeMounts:
            - {name: log, mountPath: /usr/src/app/log}
            - {name: config, mountPath: /config}
      containers:
        - name: web
          image: example/rails-app:1
";
    let cfg = premigrate::Config {
        extract_init: vec!["migrate".into()],
        ..premigrate::Config::default()
    };
    let out = premigrate::rewrite(input.as_bytes(), &cfg).unwrap();
    let text = String::from_utf8(out.stream).unwrap();
    let job = text
        .split("---\n")
        .find(|d| d.contains("kind: Job"))
        .unwrap();
    // The preparer of a volume the Job keeps comes along; the claim's does not.
    assert!(job.contains("write-config"), "{job}");
    assert!(!job.contains("volume-permissions"), "{job}");
}
