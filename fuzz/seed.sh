#!/usr/bin/env bash
# Builds the seed corpora (not committed) from the repo's own manifests:
#   corpus/rewrite/  every testdata/**/*.yaml file, each of its documents alone,
#                    `helm template` of each chart under charts/ (when helm3 is there),
#                    and the rendered real charts of ../shared/corpus/*/helm{3,4}.yaml
#   corpus/edit/     each single document, prefixed with the edit target's 16 control bytes
#                    (four different prefixes per document)
# Idempotent; safe to rerun after testdata/ changes.
set -euo pipefail
FUZZ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$FUZZ/.." && pwd)"
RW="$FUZZ/corpus/rewrite"
ED="$FUZZ/corpus/edit"
mkdir -p "$RW" "$ED"

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$REPO/testdata" -type f \( -name '*.yaml' -o -name '*.yml' \) -print0 | sort -z)

render="$(mktemp -d)"
trap 'rm -rf "$render"' EXIT
HELM="$REPO/.tools/bin/helm3"
if [[ -x "$HELM" ]]; then
    for chart in "$REPO"/charts/*/; do
        name="$(basename "$chart")"
        "$HELM" template app "$chart" >"$render/chart-$name.yaml" 2>/dev/null || rm -f "$render/chart-$name.yaml"
    done
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$render" -type f -print0 | sort -z)
fi

# Real charts rendered by Helm 3 and Helm 4 (the shared corpus, when present).
if [[ -d "$REPO/../shared/corpus" ]]; then
    while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$REPO/../shared/corpus" -type f -name 'helm[34].yaml' -print0 | sort -z)
fi

n=0
for f in "${files[@]}"; do
    rel="${f#"$REPO"/}"
    rel="${rel#../shared/}"
    rel="${rel#/tmp/*/}"
    key="$(printf '%s' "$rel" | tr '/' '_')"
    cp "$f" "$RW/$key"
    n=$((n + 1))
done

# Split into single documents (at `---` lines), byte-exact.
python3 - "$RW" "$ED" <<'PY'
import os, re, sys, hashlib
rw, ed = sys.argv[1], sys.argv[2]
prefixes = [bytes(range(1, 17)), bytes([0] * 16), bytes([2, 0, 3, 1, 2, 2, 1, 0, 5, 7, 1, 3, 2, 9, 4, 1]), bytes([255, 7, 13, 129, 64, 3, 200, 17, 99, 42, 5, 250, 1, 77, 31, 8])]
for name in sorted(os.listdir(rw)):
    if name.startswith('doc-'):
        continue
    data = open(os.path.join(rw, name), 'rb').read()
    parts = re.split(rb'(?m)^(?=---(?:[ \t\r]|$))', data)
    for i, p in enumerate(x for x in parts if x.strip()):
        h = hashlib.sha1(p).hexdigest()[:12]
        open(os.path.join(rw, f'doc-{h}'), 'wb').write(p)
        # The edit target reads a body: drop the `---` line.
        body = re.sub(rb'\A---[^\n]*\n', b'', p)
        for j, pre in enumerate(prefixes):
            open(os.path.join(ed, f'{h}-{j}'), 'wb').write(pre + body)
PY
echo "seed.sh: $n files -> $(ls "$RW" | wc -l) rewrite seeds, $(ls "$ED" | wc -l) edit seeds"
