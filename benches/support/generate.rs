//! Deterministic manifest streams for the benchmarks (no randomness source, no
//! files: the same bytes on every machine and every run).
//!
//! * [`crd_heavy`]: a ~5 MB Helm 3 stream: big CustomResourceDefinitions with
//!   deep `openAPIV3Schema`s (the bytes premigrate should copy without parsing),
//!   ~20 Deployments/Services/ConfigMaps and one migration Job `app-migrate`.
//! * [`many_small`]: ~1 MB, 500 small Deployments and one migration Job (every
//!   document is a kind premigrate parses; every 10th Deployment shares the
//!   Job's ConfigMap, Secret and image, so it gets a gate).
//! * [`Flavor::Helm4`]: the same streams as Helm 4 hands them to a
//!   post-renderer: no `# Source:` lines, every document annotated with
//!   `postrenderer.helm.sh/postrender-filename`.

#![allow(dead_code)]

use std::fmt::Write as _;

/// How Helm marks where a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `---\n# Source: chart/templates/x.yaml\n` before each document.
    Helm3,
    /// `metadata.annotations.postrenderer.helm.sh/postrender-filename: 'chart/templates/x.yaml'`.
    Helm4,
}

/// One named stream.
pub struct Named {
    /// Short name, also the dump file's stem.
    pub name: &'static str,
    /// What it is.
    pub about: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Every stream the benchmarks use, in a fixed order.
pub fn all() -> Vec<Named> {
    vec![
        Named {
            name: "crd-helm3",
            about: "~5 MB CRD-heavy, Helm 3 (# Source:)",
            bytes: crd_heavy(Flavor::Helm3, 5 << 20),
        },
        Named {
            name: "small-helm3",
            about: "~1 MB, 500 small Deployments, Helm 3",
            bytes: many_small(Flavor::Helm3, 500),
        },
        Named {
            name: "crd-helm4",
            about: "~5 MB CRD-heavy, Helm 4 (filename annotation)",
            bytes: crd_heavy(Flavor::Helm4, 5 << 20),
        },
    ]
}

/// xorshift64*: deterministic, good enough to vary words and shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const WORDS: &[&str] = &[
    "the",
    "resource",
    "controller",
    "reconciles",
    "field",
    "value",
    "when",
    "set",
    "must",
    "be",
    "a",
    "valid",
    "reference",
    "to",
    "an",
    "object",
    "in",
    "same",
    "namespace",
    "defaults",
    "is",
    "empty",
    "selector",
    "label",
    "specifies",
    "how",
    "many",
    "replicas",
    "status",
    "condition",
    "observed",
    "generation",
    "of",
    "policy",
    "template",
    "endpoint",
    "certificate",
    "secret",
    "key",
    "name",
    "port",
    "protocol",
    "timeout",
    "seconds",
    "duration",
    "interval",
    "backoff",
    "retry",
    "limit",
    "scale",
    "target",
    "source",
    "volume",
    "mount",
    "path",
];

const FIELDS: &[&str] = &[
    "name",
    "namespace",
    "selector",
    "template",
    "replicas",
    "policy",
    "endpoint",
    "port",
    "protocol",
    "timeout",
    "interval",
    "backoff",
    "retry",
    "limits",
    "requests",
    "secretRef",
    "configMapRef",
    "tls",
    "issuer",
    "rules",
    "matchLabels",
    "matchExpressions",
    "tolerations",
    "affinity",
    "volumes",
    "mounts",
    "conditions",
    "metrics",
    "thresholds",
    "webhook",
    "listener",
    "route",
    "filter",
    "headers",
    "weight",
    "mirror",
    "cors",
    "rateLimit",
];

/// Writes the `---`/`# Source:` header and `metadata:` of a document (up to and
/// including its annotations), in the given flavor. `labels` and `annotations`
/// are written in order; Helm 4's filename annotation goes last.
#[allow(clippy::too_many_arguments)]
fn header(
    out: &mut String,
    flavor: Flavor,
    source: &str,
    api_version: &str,
    kind: &str,
    name: &str,
    labels: &[(&str, &str)],
    annotations: &[(&str, &str)],
) {
    out.push_str("---\n");
    if flavor == Flavor::Helm3 {
        let _ = writeln!(out, "# Source: {source}");
    }
    let _ = write!(
        out,
        "apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n"
    );
    if !labels.is_empty() {
        out.push_str("  labels:\n");
        for (k, v) in labels {
            let _ = writeln!(out, "    {k}: {v}");
        }
    }
    if !annotations.is_empty() || flavor == Flavor::Helm4 {
        out.push_str("  annotations:\n");
        for (k, v) in annotations {
            let _ = writeln!(out, "    {k}: {v}");
        }
        if flavor == Flavor::Helm4 {
            let _ = writeln!(
                out,
                "    postrenderer.helm.sh/postrender-filename: '{source}'"
            );
        }
    }
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

/// A description as controller-gen writes them: sometimes a plain scalar,
/// sometimes a `|-` block.
fn description(out: &mut String, rng: &mut Rng, ind: &str) {
    if rng.below(3) == 0 {
        let _ = writeln!(out, "{ind}description: |-");
        for _ in 0..1 + rng.below(4) {
            let n = 6 + rng.below(10);
            let _ = writeln!(out, "{ind}  {}", sentence(rng, n));
        }
    } else {
        let n = 5 + rng.below(12);
        let _ = writeln!(out, "{ind}description: {}", sentence(rng, n));
    }
}

/// `properties:` of an object schema, recursing up to `depth` levels.
fn properties(out: &mut String, rng: &mut Rng, indent: usize, depth: usize, budget: &mut usize) {
    let ind = " ".repeat(indent);
    let _ = writeln!(out, "{ind}properties:");
    let n = 2 + rng.below(if depth > 4 { 3 } else { 5 });
    let mut used: Vec<&str> = Vec::new();
    for i in 0..n {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let f = rng.pick(FIELDS);
        if used.contains(&f) {
            // Keys must be unique in a mapping.
            let _ = writeln!(out, "{ind}  {f}{i}:");
        } else {
            let _ = writeln!(out, "{ind}  {f}:");
        }
        used.push(f);
        let pind = " ".repeat(indent + 4);
        description(out, rng, &pind);
        let choice = if depth == 0 {
            2 + rng.below(4)
        } else {
            rng.below(6)
        };
        match choice {
            0 | 1 => {
                let _ = writeln!(out, "{pind}type: object");
                properties(out, rng, indent + 4, depth - 1, budget);
                if rng.below(2) == 0 {
                    let _ = writeln!(out, "{pind}required:\n{pind}- {}", rng.pick(FIELDS));
                }
            }
            2 => {
                let _ = writeln!(out, "{pind}type: array");
                let _ = writeln!(out, "{pind}items:");
                if depth > 0 && rng.below(2) == 0 {
                    let _ = writeln!(out, "{pind}  type: object");
                    properties(out, rng, indent + 6, depth - 1, budget);
                } else {
                    let _ = writeln!(out, "{pind}  type: string");
                }
                let _ = writeln!(out, "{pind}x-kubernetes-list-type: atomic");
            }
            3 => {
                let _ = writeln!(out, "{pind}format: int32\n{pind}type: integer");
                if rng.below(2) == 0 {
                    let _ = writeln!(
                        out,
                        "{pind}minimum: 0\n{pind}maximum: {}",
                        1 + rng.below(65535)
                    );
                }
            }
            4 => {
                let _ = writeln!(out, "{pind}type: boolean");
            }
            _ => {
                let _ = writeln!(out, "{pind}type: string");
                match rng.below(4) {
                    0 => {
                        let _ = writeln!(
                            out,
                            "{pind}enum:\n{pind}- Always\n{pind}- IfNotPresent\n{pind}- Never"
                        );
                    }
                    1 => {
                        let _ = writeln!(out, "{pind}pattern: ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
                    }
                    _ => {}
                }
            }
        }
    }
}

/// One CustomResourceDefinition of roughly `size` bytes (several versions,
/// each with a deep schema).
fn crd(out: &mut String, rng: &mut Rng, flavor: Flavor, i: usize, size: usize) {
    let kind = format!("Widget{i}");
    let plural = format!("widget{i}s");
    let start = out.len();
    header(
        out,
        flavor,
        &format!("chart/templates/crds/{plural}.yaml"),
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        &format!("{plural}.example.com"),
        &[("app.kubernetes.io/part-of", "chart")],
        &[
            ("controller-gen.kubebuilder.io/version", "v0.16.1"),
            ("helm.sh/resource-policy", "keep"),
        ],
    );
    let _ = write!(
        out,
        "spec:\n  group: example.com\n  names:\n    kind: {kind}\n    listKind: {kind}List\n    plural: {plural}\n    singular: widget{i}\n  scope: Namespaced\n  versions:\n"
    );
    let mut v = 1;
    while out.len() - start < size {
        let _ = write!(
            out,
            "  - additionalPrinterColumns:\n    - jsonPath: .status.conditions[?(@.type==\"Ready\")].status\n      name: Ready\n      type: string\n    name: v{v}\n    schema:\n      openAPIV3Schema:\n"
        );
        description(out, rng, "        ");
        out.push_str("        properties:\n          apiVersion:\n            description: APIVersion defines the versioned schema of this representation of an object.\n            type: string\n          kind:\n            description: Kind is a string value representing the REST resource this object represents.\n            type: string\n          metadata:\n            type: object\n          spec:\n");
        description(out, rng, "            ");
        out.push_str("            type: object\n");
        let mut budget = 600;
        properties(out, rng, 12, 7, &mut budget);
        out.push_str("          status:\n            type: object\n");
        let mut budget = 150;
        properties(out, rng, 12, 4, &mut budget);
        out.push_str("        type: object\n");
        let _ = write!(
            out,
            "    served: true\n    storage: {}\n    subresources:\n      status: {{}}\n",
            v == 1
        );
        v += 1;
    }
}

const APP_IMAGE: &str = "registry.example.com/app:1.2.3";

fn deployment(out: &mut String, flavor: Flavor, name: &str, image: &str, shares: bool, args: &str) {
    header(
        out,
        flavor,
        &format!("chart/templates/deployment-{name}.yaml"),
        "apps/v1",
        "Deployment",
        name,
        &[
            ("app.kubernetes.io/name", name),
            ("app.kubernetes.io/instance", "app"),
            ("app.kubernetes.io/managed-by", "Helm"),
        ],
        &[],
    );
    let _ = write!(
        out,
        "spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n      annotations:\n        checksum/config: 3f5a1c9e0b7d2f4a6c8e0b1d3f5a7c9e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a\n    spec:\n      serviceAccountName: app\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 1000\n      containers:\n        - name: main\n          image: \"{image}\"\n          imagePullPolicy: IfNotPresent\n          args: {args}\n          ports:\n            - name: http\n              containerPort: 8080\n              protocol: TCP\n"
    );
    if shares {
        out.push_str("          envFrom:\n            - configMapRef:\n                name: app-config\n            - secretRef:\n                name: app-db\n");
    } else {
        let _ = write!(out, "          envFrom:\n            - configMapRef:\n                name: {name}-config\n");
    }
    out.push_str(
        "          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: POD_NAME\n              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.name\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: http\n            periodSeconds: 10\n          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n            limits:\n              memory: 256Mi\n          volumeMounts:\n            - name: tmp\n              mountPath: /tmp\n            - name: cache\n              mountPath: /var/cache/app\n      volumes:\n        - name: tmp\n          emptyDir: {}\n        - name: cache\n          emptyDir:\n            sizeLimit: 1Gi\n      terminationGracePeriodSeconds: 30\n      nodeSelector:\n        kubernetes.io/os: linux\n        node.kubernetes.io/pool: general\n      tolerations:\n        - key: dedicated\n          operator: Equal\n          value: app\n          effect: NoSchedule\n",
    );
}

fn service(out: &mut String, flavor: Flavor, name: &str) {
    header(
        out,
        flavor,
        &format!("chart/templates/service-{name}.yaml"),
        "v1",
        "Service",
        name,
        &[
            ("app.kubernetes.io/name", name),
            ("app.kubernetes.io/managed-by", "Helm"),
        ],
        &[],
    );
    let _ = write!(
        out,
        "spec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n      protocol: TCP\n"
    );
}

fn config_map(out: &mut String, flavor: Flavor, name: &str) {
    header(
        out,
        flavor,
        &format!("chart/templates/configmap-{name}.yaml"),
        "v1",
        "ConfigMap",
        name,
        &[("app.kubernetes.io/managed-by", "Helm")],
        &[],
    );
    let _ = write!(
        out,
        "data:\n  APP_ENV: production\n  DB_HOST: postgres.db.svc.cluster.local\n  DB_PORT: \"5432\"\n  CACHE_URL: redis://redis:6379/0\n  FEATURE_FLAGS: \"a,b,c\"\n"
    );
}

fn migration_job(out: &mut String, flavor: Flavor) {
    header(
        out,
        flavor,
        "chart/templates/job-migrate.yaml",
        "batch/v1",
        "Job",
        "app-migrate",
        &[
            ("app.kubernetes.io/name", "app"),
            ("app.kubernetes.io/component", "migration"),
        ],
        &[],
    );
    let _ = write!(
        out,
        "spec:\n  backoffLimit: 1\n  ttlSecondsAfterFinished: 3600\n  template:\n    spec:\n      restartPolicy: Never\n      serviceAccountName: app\n      containers:\n        - name: migrate\n          image: \"{APP_IMAGE}\"\n          command: [\"php\", \"artisan\", \"migrate\", \"--force\"]\n          envFrom:\n            - configMapRef:\n                name: app-config\n            - secretRef:\n                name: app-db\n"
    );
}

/// (a)/(c): CRDs until about `target` bytes, then the app: 7 ConfigMaps, 7
/// Services, 7 Deployments (3 sharing the Job's config), the migration Job.
pub fn crd_heavy(flavor: Flavor, target: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(target + (64 << 10));
    let app_bytes = 16 << 10;
    let per_crd = 240 << 10;
    let mut i = 0;
    while out.len() + app_bytes < target {
        let size = per_crd.min(target - app_bytes - out.len()).max(4 << 10);
        crd(&mut out, &mut rng, flavor, i, size);
        i += 1;
    }
    config_map(&mut out, flavor, "app-config");
    for n in 1..7 {
        config_map(&mut out, flavor, &format!("svc{n}-config"));
    }
    for n in 0..7 {
        service(&mut out, flavor, &format!("svc{n}"));
    }
    for n in 0..7 {
        let shares = n < 3;
        let image = if shares {
            APP_IMAGE.to_string()
        } else {
            format!("registry.example.com/svc{n}:2.0.{n}")
        };
        deployment(
            &mut out,
            flavor,
            &format!("svc{n}"),
            &image,
            shares,
            "[\"serve\"]",
        );
    }
    migration_job(&mut out, flavor);
    out.into_bytes()
}

/// (b): `n` small Deployments (every 10th shares the Job's config and image)
/// and one migration Job.
pub fn many_small(flavor: Flavor, n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 2200);
    config_map(&mut out, flavor, "app-config");
    for i in 0..n {
        let shares = i % 10 == 0;
        let image = if shares {
            APP_IMAGE.to_string()
        } else {
            format!("registry.example.com/svc{i}:1.0.{}", i % 7)
        };
        deployment(
            &mut out,
            flavor,
            &format!("svc{i}"),
            &image,
            shares,
            "[\"serve\", \"--port=8080\"]",
        );
    }
    migration_job(&mut out, flavor);
    out.into_bytes()
}
