//! The one table of diagnostic codes: every finding premigrate reports has a
//! stable code here, with its severity, a one-line title and a paragraph for
//! the README (whose list of codes is generated from this table by a test).
//! Codes by hundreds: PM0xx the Job itself, PM1xx Helm hooks, PM2xx gates,
//! PM3xx Jobs premigrate builds, PM4xx the Flux HelmRelease export, PM5xx lint rules,
//! PM6xx input premigrate does not trust (reliability and security).

/// How serious a note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information.
    Info,
    /// Worth a look: premigrate did something the user may not expect.
    Warning,
    /// Something is wrong with the input.
    Error,
}

/// One diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The code, e.g. `PM004`.
    pub code: &'static str,
    /// How serious.
    pub severity: Severity,
    /// What it is about, in one line.
    pub title: &'static str,
    /// What it means and what to do, in a paragraph.
    pub doc: &'static str,
}

const fn code(
    code: &'static str,
    severity: Severity,
    title: &'static str,
    doc: &'static str,
) -> Code {
    Code {
        code,
        severity,
        title,
        doc,
    }
}

use Severity::{Error, Info, Warning};

/// A Job detection finds only possibly a migration.
pub const PM010: Code = code("PM010", Info, "a possible migration, not acted on",
    "Detection found signs of a migration it cannot confirm (a name alone, a post-install hook Job with an unknown command): premigrate leaves the Job as it is and says which flag or annotation would make it act (`--job NAME`, `premigrate.io/migration: \"true\"`).");
/// An app container migrates, then serves.
pub const PM011: Code = code("PM011", Warning, "an app container migrates, then serves",
    "A container of a long-running workload runs a migration before it serves (`migrate && exec server`, or an env switch such as `RUN_MIGRATIONS=true`): every pod migrates on start, the replicas race for the schema, and a failed migration crash-loops the app instead of failing one Job. premigrate leaves the app's own command alone and says which `--migrate KIND/NAME='COMMAND'` (or `premigrate.io/migrate` annotation) runs the migration once, in a Job the workload waits for; then drop the migration from the container's command (or turn the switch off). Not reported once a Job is generated from the workload, nor under `--no-detect`. Lint reports the same container as PM502 when the workload runs several pods.");
/// A long-running workload's container runs a migration and serves nothing.
pub const PM020: Code = code("PM020", Warning, "a long-running workload's container migrates, then idles",
    "A container of a Deployment, StatefulSet or DaemonSet runs a migration and then only idles (`sleep infinity`, `while true; do sleep …; done`, `tail -f /dev/null`). Every pod runs the migration each time it starts, in every replica and on every rollout; a set-up step (`rake db:setup`) fails on the database it set up and the pod crash-loops or waits for ever. premigrate leaves the container alone and says which `--migrate KIND/NAME='COMMAND'` runs the migration once, in a Job the workloads wait for; then drop the container (or the chart value that adds it). Not reported once a Job is generated from the workload, nor under `--no-detect`.");
/// A GitOps migration Job lost its TTL.
/// A kept backoffLimit above Kubernetes' default, once each retry is a new pod.
pub const PM005: Code = code("PM005", Warning, "a migration Job keeps a high backoffLimit",
    "premigrate sets `restartPolicy: Never` (a failed migration is not retried in place) and keeps the chart's explicit `backoffLimit`. Above 6 (Kubernetes' default) that is many new pods, each rerunning every step over a half-migrated schema, before the Job fails and the gated apps learn of it. Lower it in the chart's values.");
/// A gated migration Job lost the chart's deadline.
pub const PM006: Code = code("PM006", Warning, "deadline removed from a gated migration Job",
    "A Job's `activeDeadlineSeconds` counts from its start, its init containers included. premigrate gives a migration that runs after another (or a contract step that runs after the apps' rollout) a gate that waits in the Job's pod: under kubectl, Flux and Helm, which apply the Jobs together, the wait spent the chart's deadline meant for the migration alone, and the Job failed with every gated app waiting on it (Sentry's 600 s hooks, created one after another by Helm). premigrate removes the deadline; the gates time out on their own after an hour (`--timeout` sets one deadline for all). So it does from a chart Job or CronJob it gates on a migration (KoboToolbox's 60 s superuser Job waited for a migration of up to 600 s).");
/// Apps wait for migrations the stream does not hold.
pub const PM012: Code = code("PM012", Warning, "apps wait for a migration the stream does not hold",
    "A workload's init container waits for migrations (a check such as `airflow db check-migrations`, or a wait for a Job of the chart), but the stream holds no migration Job. Helm 3 never hands hooks to a post-renderer, so a chart whose migration is a Helm hook keeps it as it is: a `post-install` one hangs `helm install --wait` (the apps wait for a hook Helm runs after them). Render the migration as a regular Job (Airflow: `migrateDatabaseJob.useHelmHooks=false`), or use Helm 4, whose post-renderer sees hooks.");
pub const PM013: Code = code("PM013", Warning, "`--job` or `--job-selector` names no Job of the stream",
    "A `--job` pattern or the `--job-selector` matches no Job of the stream, so it makes nothing a migration. Under Helm 3 a chart's hook Jobs never reach a post-renderer (they are not in its stream); a migration that runs in a bare Pod (Airbyte's bootloader) is not a Job. Check the name against `helm template`, render the hook as a regular Job, or use Helm 4, whose post-renderer sees hooks.");
pub const PM014: Code = code("PM014", Warning, "a migration runs in a bare Pod",
    "The chart runs a migration in a Pod, not a Job (Airbyte's bootloader, a `pre-install,pre-upgrade` hook Pod). Helm and Argo CD run it as the chart's hook, but under kubectl, Flux and kapp it is a plain Pod: it starts with the apps on a first install, stays failed if the database is not up yet, and an upgrade patches the finished Pod without running it again, so the new migrations never run. premigrate names, orders and gates Jobs only and leaves the Pod as it is. Render the migration as a Job, or deploy the chart with Helm (Flux's helm-controller) or Argo CD, which run its hooks.");
pub const PM015: Code = code("PM015", Warning, "a migration Job an earlier run generated is dropped",
    "The stream holds a Job premigrate generated on an earlier run (`--migrate`, or `premigrate.io/migrate` on a workload), and this run was not asked for it: the Job, its gates and its Role go, and the workload is no longer migrated once before it starts. A pipeline that runs premigrate twice (in CI with `--migrate`, then as a post-renderer without it) loses the migration this way. Give the same `--migrate` on every run, or put the annotation on the workload, which travels with it.");
/// An app migrates at start under its own lock, with no command that only migrates.
pub const PM016: Code = code("PM016", Info, "an app migrates at start, with no command that only migrates",
    "The app's server migrates its schema before it serves, and the tool has no command that only migrates: premigrate cannot run it once in a Job and leaves it alone. Most such tools migrate under a lock (in the database, or Redis: Activepieces), so one pod migrates at a time (Coder, Windmill, DevLake, Keycloak, Rocket.Chat); one with no lock (Vaultwarden) races on a fresh database, and the losers fail and restart. A Job that runs the serving command never completes, so `--migrate` refuses it. What remains: a failed migration crash-loops the new pods (the old ones keep serving under a rolling update).");
pub const PM004: Code = code("PM004", Warning, "TTL removed from a GitOps migration Job",
    "Under `gitops` the Job must outlive its success: once `spec.ttlSecondsAfterFinished` deletes it, the GitOps engine re-creates it, the migration reruns every interval, and gated pods wait for a Job that keeps restarting. premigrate removes the TTL.");
/// The chart already made the Job a hook.
pub const PM101: Code = code("PM101", Info, "the chart already makes the Job a hook",
    "Under `hooks`, a migration Job the chart itself annotates with `helm.sh/hook` keeps its events, weight and delete policy; premigrate only adds what is missing. One exception: a main migration the chart runs `post-install` or `post-upgrade` (OpenFGA, Prefect, Chatwoot, Twenty with an external database) becomes `pre-install`/`pre-upgrade` with hook copies of what it uses, when nothing it needs starts with the release, it mounts no claim of the release, and no chart gate waits for a Job Helm deletes on success: Helm runs post hooks after `helm install --wait` saw the apps ready, and the apps wait for the migration (OpenFGA's own gate) or fail on the old schema, so the install hung.");
/// Hook annotations removed: the migration is a regular resource.
pub const PM102: Code = code("PM102", Info, "hook annotations removed from a regular migration Job",
    "Under `gitops`, and under `hooks` when a hook would run too early (PM105, PM106), the migration is a regular resource that the engine prunes when its hashed name changes, so the chart's `helm.sh/hook*` annotations are removed.");
/// Under `auto`, a migration stays a regular resource.
pub const PM105: Code = code("PM105", Info, "a migration stays a regular resource under hooks",
    "A pre-install hook runs before every regular resource of the release. A migration that needs a data service the release itself holds (its bundled database), calls the Kubernetes API with permissions a regular RoleBinding of the release grants its ServiceAccount (a hook copy of the account would have none), or follows a migration that is a regular resource would run too early as a hook, so it stays a regular, hashed Job that the apps wait for with gates; this also works with `helm --wait`. One that such a migration follows stays regular too: the sequence keeps one form, and its order, on every rerun.");
/// `--target hooks` asked for, not possible.
pub const PM106: Code = code("PM106", Warning, "`--target hooks` cannot be honoured for a migration",
    "As PM105, but `--target hooks` was asked for explicitly: the migration needs something of the release that a pre-install hook would run before. It stays a regular resource with gates rather than a hook that fails on a first install.");
/// Gates under hooks.
pub const PM201: Code = code("PM201", Warning, "gates asked for under hooks",
    "Helm already waits for hook Jobs. With gates that wait for the Job object, its delete policy becomes `before-hook-creation` only, so the Job outlives its success and the gates can see it complete.");
/// Nothing shared: the whole namespace waits.
pub const PM202: Code = code("PM202", Warning, "no workload shares anything with the migration",
    "Under `--gate auto`, no workload shares a Secret, ConfigMap or image repository with the migration (a Secret is shared by key: a workload that reads only other keys of it reads something else), so every workload of its namespace waits for it. Name the workloads with `--gate KIND/NAME` or `premigrate.io/wait-for`.");
/// A wait-for entry that selects nothing.
pub const PM203: Code = code("PM203", Warning, "`premigrate.io/wait-for` names no migration the workload can wait for",
    "The annotation names a Job that is no pre-migration of the workload's namespace (a typo, a Job that is not a migration, a post-install migration, or one of another namespace): the workload does not wait for it.");
/// A --gate KIND/NAME that is no workload.
pub const PM204: Code = code(
    "PM204",
    Warning,
    "`--gate KIND/NAME` names no workload",
    "No workload of the stream has that kind and name, so nothing is gated for it.",
);
/// wait-for under --gate none.
pub const PM205: Code = code(
    "PM205",
    Warning,
    "`premigrate.io/wait-for` ignored with `--gate none`",
    "`--gate none` turns gating off, annotations included.",
);
/// No workload in the migration's namespace.
pub const PM206: Code = code("PM206", Warning, "no workload in the migration's namespace",
    "Gates only wait for a Job of the workload's own namespace. Give the Job and the workloads that use its database the same `metadata.namespace`.");
/// A gated Job or Pod.
pub const PM207: Code = code("PM207", Warning, "gated Job or Pod: its pod spec is immutable",
    "The gate changes with every new migration, and a Job's or Pod's pod spec cannot be changed once created: applying it fails unless it is recreated. Under `gitops` premigrate marks it to be: Flux `kustomize.toolkit.fluxcd.io/force: Enabled`, Argo CD `Force=true,Replace=true`, kapp `fallback-on-replace`; Helm and `kubectl apply` still need a name per release (`.Release.Revision`), or mark it `premigrate.io/gate: \"false\"`.");
/// The chart deletes the Job the gates wait for.
pub const PM208: Code = code("PM208", Warning, "the chart's delete policy deletes the Job the gates wait for",
    "Under `hooks` with gates that wait for the Job object, a chart delete policy with `hook-succeeded` deletes the Job when it succeeds, so the gates never see it complete. Drop `hook-succeeded` from the chart, or use `--gate-style check`.");
/// A wave clamped at the limit.
pub const PM209: Code = code("PM209", Warning, "Argo CD sync wave clamped",
    "The apps' `argocd.argoproj.io/sync-wave` values leave no room below (or above) them for the migrations: the Job's wave is clamped to the integer limit instead of wrapping around, and Argo CD may not order it. Give the apps waves nearer 0.");
/// A chart that hangs on some engine without premigrate too.
pub const PM210: Code = code("PM210", Warning, "the chart hangs on an engine with or without premigrate",
    "The deadlock check models each engine's order (Argo CD waves and hook phases, kapp rules, Helm hooks, kubectl all at once). A hang that the chart has without premigrate too is reported, not refused: the chain of waits names the objects to change. A hang premigrate would add is an error instead. A stream with no migration, which premigrate passes through, is checked too and a cycle of its own reported (Rocket.Chat's PreSync Job that mounts a Sync-phase ConfigMap under Argo CD).");
/// A chart hook that ran after a migration hook cannot wait for it now.
pub const PM211: Code = code("PM211", Warning, "a chart hook that ran after the migration may now run before it completes",
    "Helm ran this hook after the migration hook (by hook event, then weight, then name). Under `gitops` the migration is a regular Job; a later hook that runs only after install, upgrade or rollback waits for it with a gate, but this one is also a pre or delete hook: a pre hook runs before the regular resources exist, a delete hook when they are being deleted, so it cannot wait for the Job. Make the hook `post-install,post-upgrade`, make it wait for the migration itself, or use `--target hooks`.");
/// Workloads of the migration's image owner left ungated.
pub const PM212: Code = code("PM212", Info, "workloads of the migration's image owner are not gated",
    "Under `--gate auto` a workload waits for a migration when it shares a Secret, a ConfigMap or an image repository with it. A workload that shares none but runs an image of the same owner (Sourcegraph's `worker` beside its `migrator`: they reach the database through the frontend's API) is left alone, and said: if it reads the schema, annotate it `premigrate.io/wait-for: JOB` (or use `--gate all`).");
/// A migration Job mounts a claim the workloads it gates mount.
pub const PM213: Code = code("PM213", Warning, "a migration Job mounts a claim the workloads it gates mount",
    "The migration's Job mounts a PersistentVolumeClaim that a workload it gates mounts too. The gated pods wait in their init containers with the claim attached: a ReadWriteOnce claim then keeps a Job pod on another node from starting, and the pods wait for ever. Their gate also runs before their own init containers, so what those put on the claim (Pimcore's `prepare-project` copies the project there) is not there when the Job runs. If the migration needs the claim, pin the Job to the pods' node or use a ReadWriteMany claim; otherwise name the workloads that wait (`--gate KIND/NAME`, `premigrate.io/gate: \"false\"`).");
/// Sidecars left out of a generated Job.
pub const PM301: Code = code("PM301", Warning, "containers left out of a Job built from a workload",
    "A Job runs the migration alone: the workload's other regular containers (a sidecar, a second app container such as a worker) would keep it from ever completing, so they are left out (native sidecars, init containers with `restartPolicy: Always`, are kept).");
/// Claim mounts left out of a built Job.
pub const PM302: Code = code("PM302", Warning, "volume claim mounts left out of a Job built from a workload",
    "A Job cannot mount a StatefulSet's `volumeClaimTemplates`, nor share a PersistentVolumeClaim with the pods it gates: a ReadWriteOnce claim they hold keeps a Job on another node from ever starting, and a claim of the release is applied after the Job's Argo CD wave. The migration must not need it.");
/// extract-init names no init container.
pub const PM303: Code = code(
    "PM303",
    Warning,
    "`premigrate.io/extract-init` names no init container",
    "The workload has no init container of that name, so nothing is extracted for it.",
);
/// A Job built from a workload keeps an env switch that turns migrations off.
pub const PM304: Code = code("PM304", Warning, "a Job built from a workload keeps a switch that turns migrations off",
    "The container the Job is built from sets an env variable that turns the image's start-up migrations off (`LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED=true`, `RUN_MIGRATIONS=false`), and the Job keeps the pod's env. If the command the Job runs is the image's entrypoint, which honours the switch, the Job succeeds without migrating and the gates let the apps start on the old schema. Give `--migrate` the migration command itself, or keep the switch on in the workload.");
/// A migration that fails on a database it set up, renamed by content.
pub const PM018: Code = code("PM018", Warning, "a set-up command that fails on a database it set up is renamed by content",
    "The Job runs a command that only sets up an empty database and fails on one it set up (Hive's `schematool -initSchema`, Boundary's `boundary database init`, Rails' `db:setup`, `db:schema:load` and `db:reset`, which production refuses as destructive and other environments run over the data). Named by a hash of its content under gitops, the Job is made again whenever it changes (an image bump): the command fails, and the workloads gated on it wait. Helm runs an install-only hook once; kubectl, Flux and Argo CD have no install. Use the tool's idempotent form (`-initOrUpgradeSchema`; `database init || database migrate`; `rails db:prepare`), or keep the step out of the stream once the database is set up.");
/// An install-only hook of the chart becomes a Job that reruns.
pub const PM021: Code = code("PM021", Warning, "the chart's install-only migration hook becomes a Job that runs again",
    "The chart runs the Job only on install (`helm.sh/hook: post-install` or `pre-install`, no upgrade event): Helm runs it once per release. You named it a migration (`--job`, an annotation), or detection found it by its SQL (Guacamole's `initdb.sql`), and premigrate makes it a regular resource named by a hash of its content (under gitops, or under hooks where a hook would run too early), so the Job is made again, and its command runs again, whenever its content changes (an upgrade that bumps its image or settings). Mayan EDMS' `initialsetup`, Pimcore's installer. Check that the command is safe to rerun on a database it already set up, or keep it out once the release is installed (`premigrate.io/migration: \"false\"`, or the chart's value that renders it).");
/// A Job named a migration is a hook of uninstall or rollback only.
pub const PM022: Code = code("PM022", Warning, "a Job named a migration is an uninstall or rollback hook",
    "`--job`, `--job-selector` or `premigrate.io/migration: \"true\"` names a Job the chart makes a Helm hook of `pre-delete`, `post-delete`, `pre-rollback` or `post-rollback` only. Helm runs it when the release is uninstalled or rolled back, never on an install or an upgrade; as a migration it would become a Job that runs before the apps on every deploy (DHIS2's `pre-delete` Job drops the analytics database). premigrate leaves it as the chart wrote it. Narrow the pattern (`--job 'app-create-*'`) so that it names the Jobs that migrate.");
/// A Job's container names a program Kubernetes cannot run.
pub const PM023: Code = code("PM023", Warning, "a Job's `command` names a program with spaces in its name",
    "Each item of `command` is one word of the program's argv: Kubernetes runs the first as the executable, and no shell splits it. `command: [bundle exec rails db:migrate]` asks for an executable named `bundle exec rails db:migrate`, which does not exist, so the container never starts (decidim-helm's migration Job). premigrate does not take such a Job for a migration (gating the apps on it would keep them from starting for ever) unless you name it one. Write the command as separate items (`command: [bundle, exec, rails, \"db:migrate\"]`), or run it through a shell (`[sh, -c, \"bundle exec rails db:migrate\"]`).");
/// A migration named by its content runs an image whose tag moves.
pub const PM019: Code = code("PM019", Warning, "a migration Job named by its content runs an image whose tag moves",
    "Under gitops the Job is named by a hash of its spec. An image without a tag, or with a tag that follows a branch or a channel (`latest`, `main`, `nightly`, `stable`…), gets new code without its reference changing: the hash stays, the engine keeps the Job that already ran, and the new code's migrations never run while the apps' new pods (which pull the tag again) start on the old schema. Pin the migration's image by a version tag or a digest (charts usually take `image.tag`), so that a new image is a new Job.");
/// No migration, and the workloads use configuration the stream lacks.
pub const PM017: Code = code("PM017", Info, "no migration found, and the workloads use configuration the stream does not define",
    "Helm 3 never hands hooks to a post-renderer: a chart that makes its configuration (ConfigMaps, its ServiceAccount) and its migration Helm hooks (Baserow) shows premigrate only the apps, and premigrate, seeing no migration, changes nothing. Render the chart with `helm template` to see its hooks, or use Helm 4 (its post-renderer sees them); if the objects are created outside the release, ignore this.");
/// A Job built from a workload runs without what the replaced script set.
pub const PM305: Code = code("PM305", Warning, "a Job built from a workload runs without the env its script set",
    "The workload's container ran a shell script that set env variables (`export DB_URL=…`) before its program; the Job runs the `--migrate` command instead, with the pod's env only. A migration that reads one of them (Langflow's `LANGFLOW_DATABASE_URL`) migrates another database, or none, and the gates then let the apps start on the old schema. Set them in the command (`sh -c 'export …; CMD'`) or in the workload's env.");
/// A bare `--extract-init NAME` picked different init containers in several workloads.
pub const PM306: Code = code("PM306", Warning, "`--extract-init NAME` picked init containers of several workloads",
    "Init container names are per workload: two workloads of a chart often have an init container of the same name that does different things (a database's `init` and the app's). Each one picked becomes a migration Job of its own. Name the workload to pick one: `--extract-init WORKLOAD/NAME`.");
/// Flux export: a ServiceAccount cannot get a hook copy.
pub const PM401: Code = code("PM401", Warning, "HelmRelease export: the Job's ServiceAccount cannot get a hook copy",
    "Patches cannot add documents. The ServiceAccount is left as it is (as a hook it would be re-created on every upgrade, invalidating running pods' tokens): create it outside the release, or run the first install once with the copy.");
/// Flux export: what the Job uses becomes a hook itself.
pub const PM402: Code = code("PM402", Warning, "HelmRelease export: what the Job uses becomes a hook itself",
    "Patches cannot add hook copies, so the ConfigMaps and Secrets the Job uses become hooks one weight before it, with `before-hook-creation` and `helm.sh/resource-policy: keep`; `helm uninstall` leaves them behind.");
/// Flux export: the patches pin the hashed name.
pub const PM403: Code = code(
    "PM403",
    Warning,
    "HelmRelease export: the patches pin the Job's hashed name",
    "The hash is of this chart version and these values: export again whenever either changes.",
);
/// Flux export: no migration.
pub const PM404: Code = code(
    "PM404",
    Warning,
    "HelmRelease export: no migration found",
    "The rendered stream has no migration Job, so the HelmRelease gets no patches.",
);

// PM5xx: `premigrate lint` — the known migration mistakes of a chart. Each rule
// lives in `src/lint/rules/<name>.rs`, whose doc comment is its full documentation.

/// Lint: a migration in an init container of a workload with several pods.
pub const PM501: Code = code("PM501", Error, "migration in the init container of a workload with several pods",
    "Every pod runs its init containers: with more than one replica, an HPA, a DaemonSet or a parallel StatefulSet, the migrations race for the schema (locking scripts or not). The post-renderer extracts it into one Job that runs before the workload, unless the init container must stay (PM010: it mounts a claim the pods hold, as Gitea's and Forgejo's `configure-gitea`, or writes what the pod keeps); then run one replica (with `strategy: Recreate` so that an upgrade's new pod does not migrate beside the old one: Recreate alone does not stop several new replicas from racing).");
/// Lint: an app container that migrates then serves.
pub const PM502: Code = code("PM502", Warning, "an app container migrates, then serves, in several pods",
    "A command like `migrate && exec server`, an entrypoint switch such as `RUN_MIGRATIONS=true`, or a migration in the container's `postStart` hook runs in every pod of a workload with more than one: they race, and a failed migration crash-loops the app. Move the migration to a Job (`premigrate.io/migrate: \"COMMAND\"`) and turn the switch off; where the image has no command that only migrates (the message says so), no Job can run it: keep one pod.");
/// Lint: a pre-install hook that uses the chart's regular config.
pub const PM503: Code = code("PM503", Error, "a `pre-install` hook Job uses a regular resource of the chart",
    "Helm runs pre-install hooks before it creates the release's regular resources: a hook Job that mounts or reads the chart's own ConfigMap, Secret or ServiceAccount fails on a first install. The post-renderer gives a migration Job hook copies of what it uses.");
/// Lint: a TTL on a GitOps migration Job.
pub const PM504: Code = code("PM504", Warning, "a migration Job with `ttlSecondsAfterFinished` in a GitOps stream",
    "Once the TTL deletes the Job, Flux or Argo CD re-creates it: the migration reruns every interval, and pods gated on it can never start again. The post-renderer removes the TTL (engine: gitops).");
/// Lint: a Job name that does not change with its content.
pub const PM505: Code = code("PM505", Warning, "a migration Job's name does not change with its content",
    "A regular Job's pod template is immutable: a new spec under the same name fails to apply, or the migration never reruns; Flux needs `kustomize.toolkit.fluxcd.io/force: Enabled` to replace it. The post-renderer names the Job by a hash of its content and adds the annotation.");
/// Lint: retries on a migration.
pub const PM506: Code = code("PM506", Warning, "a migration is retried blindly",
    "`backoffLimit` unset (6) or above 0, or `restartPolicy: OnFailure`, reruns a migration that failed half way over a half-migrated schema. The post-renderer sets `restartPolicy: Never` and, when the chart sets none, `backoffLimit: 0`; an explicit backoffLimit is kept. A `backoffLimit` above 0 is not reported for a migration that needs a database of the same release: kubectl and Flux apply both at once, so it must retry until the database is up (the post-renderer sets 6); `restartPolicy: OnFailure` is reported always.");
/// Lint: a gate that waits for a Job the stream does not have.
pub const PM507: Code = code("PM507", Error, "a wait gate names a Job that is not in the stream",
    "A gate (k8s-wait-for, `kubectl wait`, kubernetes-entrypoint) waits for a Job by name in its pod's namespace: a typo, a Job of another namespace or one that is not rendered holds the pods for ever.");
/// Lint: a gate without the RBAC it needs, or with too much.
pub const PM508: Code = code("PM508", Warning, "a wait gate's ServiceAccount cannot read the Job, or can do too much",
    "A gate reads the Job through the API: without a Role bound to the pod's ServiceAccount that allows `get` on it, the gate fails with Forbidden for ever. A Role on all Jobs (no `resourceNames`), with write verbs or on Secrets gives every app pod more than it needs.");
/// Lint: an unpinned or unmaintained gate image.
pub const PM509: Code = code("PM509", Warning, "a wait gate image is unpinned or unmaintained",
    "An image without a tag (or `:latest`) changes under the release; `groundnuty/k8s-wait-for` is unmaintained and carries known CVEs. Pin a maintained image by tag or digest, or use a check gate (`--gate-style check`) that needs no image of its own.");
/// Lint: a post-install migration that apps wait for.
pub const PM510: Code = code("PM510", Error, "apps wait for a `post-*` migration",
    "Helm runs post-install hooks only after the release's pods are ready under `--wait`, and Argo CD runs PostSync after the Sync wave is healthy: apps that wait for a post-* migration deadlock the rollout. Make the migration `pre-*` (the post-renderer does when the apps wait for it).");
/// Lint: a data service gated on a migration, or a cycle.
pub const PM511: Code = code("PM511", Error, "a data service waits for a migration, or the rollout hangs",
    "What a migration needs (a database, cache or broker, or a Secret, ConfigMap or ServiceAccount its pod reads) must exist before it: gated on it, or in a later wave or hook phase, neither ever starts. Any cycle or endless wait the release-graph deadlock check finds on an engine is reported with its chain of waits.");
/// Lint: Argo CD and Helm hooks mixed.
pub const PM512: Code = code("PM512", Warning, "Argo CD and Helm hooks on one object, or a migration Argo CD reruns",
    "Argo CD reads an object's `argocd.argoproj.io/hook` and then ignores its `helm.sh/hook` and weight (each object on its own); and under Argo CD a `pre-install,pre-upgrade` migration runs as PreSync on every sync (engine: gitops). An Argo CD hook that says what the Helm hook would (`PostSync` and `post-install,post-upgrade`), alone in its phase, is not reported: the ignored weight orders nothing.");
/// Lint: a hook-deleted Job that something waits for.
pub const PM513: Code = code("PM513", Error, "something waits for a Job its delete policy removes",
    "`helm.sh/hook-delete-policy: hook-succeeded` deletes the Job once it succeeds: a gate that waits for it by name finds no Job and waits for ever, on every new pod.");
/// Lint: a possible migration the detector could not confirm.
pub const PM514: Code = code("PM514", Info, "a possible migration the detector could not confirm",
    "The Job looks like a migration (its name, image or command) but matches no rule: premigrate leaves it alone. Mark it `premigrate.io/migration: \"true\"` (or pass `--job NAME`) to make it one, `\"false\"` to silence this.");
/// Lint: apps applied with a regular migration Job they do not wait for.
pub const PM515: Code = code("PM515", Warning, "apps start with a regular migration Job, not after it",
    "The chart makes its migration Job a regular resource and the apps that share its database (a Secret, a ConfigMap, the image) do not wait for it: Helm, kubectl, Flux and kapp apply them at once, so on a fresh install the apps crash-loop until the schema exists and on an upgrade their new pods run against the old schema. The post-renderer gates them on the Job; by hand, add an init container that waits for it.");
/// Lint: a migration runs a SQL file with psql and ignores its errors.
pub const PM516: Code = code("PM516", Warning, "a migration runs psql on a file without ON_ERROR_STOP",
    "psql runs every statement of a file (`-f`, `--file`, `< FILE`, or a script piped in: `gunzip -c dump.sql.gz | psql`) and exits 0 whatever failed unless `ON_ERROR_STOP` is set: the migration Job succeeds on a half-applied schema and the apps gated on it start against it. Run `psql -v ON_ERROR_STOP=1 --single-transaction -f FILE`: the first failed statement stops psql with exit status 3 and rolls the file back.");
/// Lint: a migration Job reads a key its Secret or ConfigMap does not have.
pub const PM517: Code = code("PM517", Error, "a migration Job reads a key its Secret or ConfigMap does not have",
    "The Job's env (`secretKeyRef`, `configMapKeyRef`) or a volume's `items` names a key that the stream's Secret or ConfigMap of that name does not hold, and the reference is not `optional: true`. The kubelet never starts the container (`CreateContainerConfigError`) or never mounts the volume: the migration never runs and every pod gated on it waits for ever. Name a key the object has (the finding lists them) or add the key to the object.");
/// Lint: `artisan migrate` without `--force` in production.
pub const PM518: Code = code("PM518", Error, "a migration Job runs `artisan migrate` without `--force` in production",
    "With `APP_ENV=production` Laravel asks to confirm `migrate` (and `migrate:fresh`, `:refresh`, `:reset`, `:rollback`, `db:seed`, `db:wipe`) unless `--force` is given. A Job has no terminal: the answer is no, the command prints `Command cancelled.` and exits 1 (older Laravel exits 0 having done nothing), so the migration never runs; with `tty: true` it waits for ever. Add `--force`.");

// PM6xx: input premigrate does not trust (reliability and security).

/// `premigrate.io/generated` on an object premigrate did not write.
pub const PM601: Code = code("PM601", Warning, "`premigrate.io/generated` does not verify: the object is kept",
    "premigrate drops and rewrites on every run only what it generated itself, recognised by the marker it writes (a digest of the object's kind and source name). An object that carries the annotation with any other value, or of a kind or name premigrate never generates, is the user's: it is kept as it is and treated like any other document. Remove the annotation.");
/// `premigrate.io/migration` is not a boolean.
pub const PM602: Code = code("PM602", Warning, "`premigrate.io/migration` is not a boolean: ignored",
    "The annotation takes a boolean as Kubernetes' YAML 1.1 reads one, in any case (`true`/`false`, `yes`/`no`, `on`/`off`, `y`/`n`). Any other value is ignored: the Job is detected as if the annotation were not there. Fix the value.");
/// A Windows pod is not gated.
pub const PM603: Code = code("PM603", Warning, "a Windows pod is not gated",
    "premigrate's gates are Linux containers: the wait images are Linux images, and the `check` gate runs `sh` with Linux-only security fields (seccompProfile, capabilities, runAsUser), which the API server refuses when `spec.os.name: windows`. Such a pod is left without a gate and may start before the migration completes: order it with the engine (Argo CD sync waves, kapp change rules, Flux `dependsOn`) or make the app wait for its migrations itself.");
/// Jobs or workloads inside a List.
pub const PM604: Code = code("PM604", Warning, "a migration Job inside a List is not rewritten",
    "Helm and kubectl apply each item of a `kind: List` (or `JobList`, …) as an object of its own, but premigrate reads and edits top-level documents only: a Job among the items that looks like a migration (its annotation, name or command) is not hashed, hardened or ordered, and nothing waits for it. Write the items as documents of their own.");
/// The gates' RoleBinding binds the `default` ServiceAccount.
pub const PM605: Code = code("PM605", Warning, "the gates' RoleBinding binds the default ServiceAccount",
    "The gated workloads run as their namespace's `default` ServiceAccount, so the RoleBinding that lets their gates read the migration Job (get/list/watch on that one Job) binds `default`: every pod of the namespace that runs as it may read that Job too (checkov CKV_K8S_42). Give the workloads a ServiceAccount of their own, or use `--gate-style check`, which needs no RBAC.");

pub const PM606: Code = code("PM606", Warning, "a NetworkPolicy keeps the gates from the API server",
    "A gate that waits with `kubectl wait` (or k8s-wait-for) reads the migration Job from the API server. An egress NetworkPolicy of the stream selects the gated pods and lets them out to no address outside the pod network (no `ipBlock`, nor every address) on port 443 or 6443 (a Bitnami chart with `networkPolicy.allowExternalEgress=false`): the gate never sees the Job complete, and the pods stay in their init containers. Allow egress to the API server in the chart's policy, or use `--gate-style check`, whose gate reaches the database instead.");
/// One of premigrate's annotations on a pod template.
pub const PM607: Code = code("PM607", Warning, "a premigrate.io annotation on a pod template is not read",
    "premigrate reads its annotations (`premigrate.io/migrate`, `extract-init`, `gate`, `wait-for`, `migration`, `after`, `needs`, …) on a workload's or Job's own `metadata.annotations`. One on the pod template (`spec.template.metadata.annotations`, where a chart's `podAnnotations` value puts it) does nothing. Move it to the object's metadata (a kustomize patch of the rendered object, or the chart's value for the workload's annotations), or use the flag that does the same (`--migrate`, `--extract-init`, `--gate`, `--job`).");

/// Every code, in order.
pub const CODES: &[Code] = &[
    PM004, PM005, PM006, PM010, PM011, PM012, PM013, PM014, PM015, PM016, PM017, PM018, PM019,
    PM020, PM021, PM022, PM023, PM101, PM102, PM105, PM106, PM201, PM202, PM203, PM204, PM205,
    PM206, PM207, PM208, PM209, PM210, PM211, PM212, PM213, PM301, PM302, PM303, PM304, PM305,
    PM306, PM401, PM402, PM403, PM404, PM501, PM502, PM503, PM504, PM505, PM506, PM507, PM508,
    PM509, PM510, PM511, PM512, PM513, PM514, PM515, PM516, PM517, PM518, PM601, PM602, PM603,
    PM604, PM605, PM606, PM607,
];

/// The README's list of codes (between its `codes` markers), rendered from the table.
pub fn markdown() -> String {
    let mut out = String::from("| Code | Severity | Title |\n|---|---|---|\n");
    for c in CODES {
        let severity = match c.severity {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        out.push_str(&format!("| {} | {severity} | {} |\n", c.code, c.title));
    }
    out.push('\n');
    for c in CODES {
        out.push_str(&format!("- **{}** {}\n", c.code, c.doc));
    }
    out
}
