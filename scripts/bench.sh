#!/usr/bin/env bash
# Side-by-side cost of premigrate and its peers on the same generated streams.
#
#   bash scripts/bench.sh            # everything (a few minutes on 2 cores)
#   BENCH_QUICK=1 bash scripts/bench.sh   # fewer runs, no library bench
#
# 1. builds the release binary and runs the library bench (`cargo bench --bench rewrite`);
# 2. writes the bench's streams (`cargo bench --bench rewrite -- --dump DIR`):
#    crd-helm3 (~5 MB CRD-heavy), small-helm3 (~1 MB, 500 Deployments), crd-helm4;
#    and scale streams: map-100k-keys, flow-1m-items, krm-20k-items,
#    configmap-shared-by-200, deployments-50mb;
# 3. times, on each file: cat, premigrate, premigrate --target hooks,
#    kubectl kustomize (a kustomization listing just the file), yq identity
#    (python yq: `yq -y .`); and helm3 template of charts/laravel and of a chart
#    made of the CRD stream, with and without --post-renderer premigrate;
# 4. measures each one's peak RSS with /usr/bin/time -v;
# 5. prints a markdown table. A missing optional peer is reported as "skipped".
#
# Timing uses hyperfine when installed (apt-get install hyperfine), else a bash
# loop over `date +%s%N` (median of N runs).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
QUICK="${BENCH_QUICK:-}"
TOOLS="$REPO/.tools/bin"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/premigrate-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

log() { printf 'bench.sh: %s\n' "$*" >&2; }

log "building release binary"
cargo build --release --quiet || { log "cargo build --release failed"; exit 1; }
PM="$REPO/target/release/premigrate"

if [[ -z "$QUICK" ]]; then
    log "library bench (cargo bench --bench rewrite)"
    cargo bench --quiet --bench rewrite 2>/dev/null || log "library bench failed (continuing)"
fi

log "writing streams to $WORK/streams"
cargo bench --quiet --bench rewrite -- --dump "$WORK/streams" >"$WORK/dump.txt" 2>"$WORK/dump.err" || {
    cat "$WORK/dump.err" >&2
    log "could not dump the streams"
    exit 1
}
FILES=(crd-helm3 small-helm3 crd-helm4)

# Scale streams (issue 13): the YAML layer must stay linear in time and bounded
# in memory. Timed against `cat` only (peers take minutes on them).
log "writing scale streams"
python3 - "$WORK/streams" <<'PY' >>"$WORK/dump.txt"
import os, sys
d = sys.argv[1]
def out(name, about, text):
    path = os.path.join(d, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    print(f"{path}\t{os.path.getsize(path)}\t{about}")
cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n"
out("map-100k-keys", "one ConfigMap with 100k keys",
    cm + "".join(f'  key{i}: "value {i}"\n' for i in range(100_000)))
out("flow-1m-items", "one ConfigMap holding a 1M-item flow list",
    cm + "  list: [" + ", ".join(str(i) for i in range(1_000_000)) + "]\n")
# The same two ConfigMaps with a Deployment that mounts them: premigrate then
# reads them (a ConfigMap no pod uses is passed through unread, like a CRD).
user = ("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1\n"
        "      volumes:\n        - name: big\n          configMap:\n            name: big\n")
out("map-100k-keys-used", "the 100k-key ConfigMap, mounted by a Deployment (read)",
    cm + "".join(f'  key{i}: "value {i}"\n' for i in range(100_000)) + user)
out("flow-1m-items-used", "the 1M-item flow list, mounted by a Deployment (read)",
    cm + "  list: [" + ", ".join(str(i) for i in range(1_000_000)) + "]\n" + user)
out("krm-20k-items", "a KRM ResourceList of 20k ConfigMaps (premigrate krm)",
    "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + "".join(
        f'- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c{i}\n  data:\n    a: "b"\n'
        for i in range(20_000)))
# One 20k-key ConfigMap mounted by 200 Deployments: each workload's scripts are
# looked up in it (it was copied whole per workload once: 1.15 s on 680 KB).
shared = cm + "".join(f"  key{i}: value {i}\n" for i in range(20_000)) + "".join(
    user.replace("name: web\n", f"name: web{i}\n", 1) for i in range(200))
out("configmap-shared-by-200", "one 20k-key ConfigMap mounted by 200 Deployments", shared)
small = open(os.path.join(d, "small-helm3.yaml")).read()
# 50 copies of the 500-Deployment stream, names made unique, one migration Job.
parts = [small]
for i in range(1, 50):
    parts.append(small.replace("name: web-", f"name: w{i}-").replace("kind: Job", "kind: ConfigMap"))
out("deployments-50mb", "~50 MB, 25k small Deployments", "".join(parts))
PY
SCALE=(map-100k-keys map-100k-keys-used flow-1m-items flow-1m-items-used configmap-shared-by-200 deployments-50mb)
# A typical chart-sized render (issue 13's 130 KB case): the shared corpus's
# keystone stream (65 documents, 16 Jobs) when ../shared is there.
if [[ -f "$REPO/../shared/corpus/keystone/helm3.yaml" ]]; then
    cp "$REPO/../shared/corpus/keystone/helm3.yaml" "$WORK/streams/chart-keystone.yaml"
    printf '%s\t%s\t%s\n' "$WORK/streams/chart-keystone.yaml" \
        "$(wc -c <"$WORK/streams/chart-keystone.yaml")" "a 130 KB chart render (corpus: keystone)" >>"$WORK/dump.txt"
    SCALE=(chart-keystone "${SCALE[@]}")
fi

# ---- peers ------------------------------------------------------------------
KUBECTL=""
for k in "$TOOLS/kubectl" "$(command -v kubectl 2>/dev/null)"; do
    [[ -n "$k" && -x "$k" ]] && { KUBECTL="$k"; break; }
done
HELM3=""
for h in "$TOOLS/helm3" "$(command -v helm 2>/dev/null)"; do
    [[ -n "$h" && -x "$h" ]] || continue
    [[ "$("$h" version --short 2>/dev/null)" == v3.* ]] && { HELM3="$h"; break; }
done
YQ=""
if command -v yq >/dev/null 2>&1 && yq --help 2>&1 | grep -q -- '--yaml-output'; then
    YQ="$(command -v yq)"   # python yq (jq wrapper); the Go yq has another syntax
fi
HYPERFINE="$(command -v hyperfine 2>/dev/null || true)"
TIMEV=""
[[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1 && TIMEV=/usr/bin/time
[[ -z "$KUBECTL" || -z "$HELM3" ]] && log "kubectl/helm3 missing: run 'bash scripts/install-test-tools.sh' to include them"
[[ -z "$HYPERFINE" ]] && log "hyperfine not found (apt-get install hyperfine): using a date +%s%N loop"
[[ -z "$TIMEV" ]] && log "/usr/bin/time not found (apt-get install time): no peak RSS"

# A kustomization per file, listing just that file.
for f in "${FILES[@]}"; do
    mkdir -p "$WORK/kz-$f"
    cp "$WORK/streams/$f.yaml" "$WORK/kz-$f/stream.yaml"
    printf 'resources:\n  - stream.yaml\n' >"$WORK/kz-$f/kustomization.yaml"
done

# A chart made of the CRD-heavy stream: one template per document (Helm refuses
# chart files over 5 MiB), without the generated `# Source:` lines (Helm adds its own).
mkdir -p "$WORK/crdchart/templates"
printf 'apiVersion: v2\nname: chart\nversion: 0.1.0\n' >"$WORK/crdchart/Chart.yaml"
python3 - "$WORK/streams/crd-helm3.yaml" "$WORK/crdchart/templates" <<'PY'
import re, sys
data = open(sys.argv[1]).read()
docs = [d for d in re.split(r'(?m)^---[ \t]*\n', data) if d.strip()]
for i, d in enumerate(docs):
    d = re.sub(r'(?m)^# Source: .*\n', '', d)
    open(f"{sys.argv[2]}/{i:03d}.yaml", "w").write(d)
PY

# ---- measuring ----------------------------------------------------------------
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

# measure INPUT LABEL CMD... — appends "input label mean_ms sd_ms runs rss_kb note".
measure() {
    local input="$1" label="$2"
    shift 2
    # Must succeed once first.
    if ! "$@" >"$WORK/out" 2>"$WORK/err"; then
        printf '%s\t%s\t-\t-\t-\t-\tfailed: %s\n' "$input" "$label" "$(head -c 120 "$WORK/err" | tr '\n\t' '  ')" >>"$RESULTS"
        return
    fi
    local mean sd runs rss="-"
    # One timed calibration run decides how many runs to make.
    local t0 t1 once
    t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
    once=$(( (t1 - t0) / 1000000 ))
    local min_runs=10
    (( once > 500 )) && min_runs=3
    [[ -n "$QUICK" ]] && min_runs=3
    if [[ -n "$HYPERFINE" ]]; then
        local extra=()
        (( once > 500 )) && extra=(--max-runs 3)
        [[ -n "$QUICK" ]] && extra=(--max-runs 5)
        if "$HYPERFINE" -N --style none --warmup 1 --min-runs "$min_runs" "${extra[@]}" \
            --export-json "$WORK/h.json" --output=pipe -- "$(printf '%q ' "$@")" >/dev/null 2>"$WORK/herr"; then
            read -r mean sd runs < <(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))["results"][0]
print("%.2f %.2f %d" % (r["mean"]*1e3, (r.get("stddev") or 0)*1e3, len(r["times"])))' "$WORK/h.json")
        else
            log "hyperfine failed for $label: $(head -c 200 "$WORK/herr")"
            mean=""
        fi
    fi
    if [[ -z "${mean:-}" ]]; then
        local n=$min_runs ts=()
        (( once < 50 )) && n=30
        for ((i = 0; i < n; i++)); do
            t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
            ts+=($(( t1 - t0 )))
        done
        read -r mean sd runs < <(printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1; s+=$1; q+=$1*$1} END {m=s/NR; v=q/NR-m*m; if (v<0) v=0; printf "%.2f %.2f %d\n", a[int((NR+1)/2)]/1e6, sqrt(v)/1e6, NR}')
    fi
    if [[ -n "$TIMEV" ]]; then
        rss=$("$TIMEV" -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t\n' "$input" "$label" "$mean" "$sd" "$runs" "${rss:--}" >>"$RESULTS"
}

skip() { printf '%s\t%s\t-\t-\t-\t-\tskipped: %s\n' "$1" "$2" "$3" >>"$RESULTS"; }

for f in "${FILES[@]}"; do
    in="$WORK/streams/$f.yaml"
    log "timing peers on $f"
    measure "$f" "cat" cat "$in"
    measure "$f" "premigrate" "$PM" "$in"
    measure "$f" "premigrate --target hooks" "$PM" --target hooks "$in"
    if [[ -n "$KUBECTL" ]]; then
        measure "$f" "kubectl kustomize" "$KUBECTL" kustomize "$WORK/kz-$f"
    else
        skip "$f" "kubectl kustomize" "kubectl not found"
    fi
    if [[ -n "$YQ" ]]; then
        measure "$f" "yq -y . (python yq)" "$YQ" -y . "$in"
    else
        skip "$f" "yq identity" "python yq not found (python3 -m pip install yq)"
    fi
done

for f in "${SCALE[@]}"; do
    in="$WORK/streams/$f.yaml"
    log "timing $f"
    measure "$f" "cat" cat "$in"
    measure "$f" "premigrate" "$PM" "$in"
done
in="$WORK/streams/krm-20k-items.yaml"
log "timing krm-20k-items"
measure "krm-20k-items" "cat" bash -c 'cat <"$1"' _ "$in"
measure "krm-20k-items" "premigrate krm" bash -c '"$1" krm <"$2"' _ "$PM" "$in"

log "timing helm template"
if [[ -n "$HELM3" ]]; then
    measure "charts/laravel" "helm3 template" "$HELM3" template app "$REPO/charts/laravel"
    measure "charts/laravel" "helm3 template --post-renderer premigrate" "$HELM3" template app "$REPO/charts/laravel" --post-renderer "$PM"
    measure "crd chart (5 MB)" "helm3 template" "$HELM3" template app "$WORK/crdchart"
    measure "crd chart (5 MB)" "helm3 template --post-renderer premigrate" "$HELM3" template app "$WORK/crdchart" --post-renderer "$PM"
else
    skip "charts/laravel" "helm3 template" "helm3 not found (bash scripts/install-test-tools.sh)"
fi

# ---- report ---------------------------------------------------------------------
echo
echo "## premigrate vs peers ($(nproc) cores; $( [[ -n "$HYPERFINE" ]] && echo "hyperfine $("$HYPERFINE" --version | awk '{print $2}'), mean" || echo "date loop, median") of N runs)"
echo
while read -r line; do echo "- $line"; done <"$WORK/dump.txt" | sed "s#$WORK/streams/##"
echo
python3 - "$RESULTS" "$WORK/dump.txt" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
size = {}
for l in open(sys.argv[2]):
    path, n, _ = l.rstrip("\n").split("\t", 2)
    size[path.rsplit("/", 1)[-1].removesuffix(".yaml")] = int(n)
base = {}
for inp, label, mean, sd, runs, rss, note in rows:
    if label == "cat" and mean != "-":
        base[inp] = float(mean)
    if label == "helm3 template" and mean != "-":
        base[inp] = float(mean)
print("| input | command | time (ms) | ± | runs | MB/s | × baseline | peak RSS (MB) |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for inp, label, mean, sd, runs, rss, note in rows:
    if mean == "-":
        print(f"| {inp} | {label} | {note} | | | | | |")
        continue
    m = float(mean)
    x = f"{m / base[inp]:.1f}" if inp in base and base[inp] > 0 else "-"
    r = f"{int(rss) / 1024:.1f}" if rss not in ("-", "") else "-"
    mbs = f"{size[inp] / 1e6 / (m / 1e3):.0f}" if inp in size and m > 0 else "-"
    print(f"| {inp} | {label} | {m:.2f} | {float(sd):.2f} | {runs} | {mbs} | {x} | {r} |")
print()
print("× baseline: of `cat` for the streams, of plain `helm3 template` for the charts.")
print("MB/s: input bytes / wall time, process start-up included.")
PY
