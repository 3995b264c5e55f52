#!/usr/bin/env bash
# The structure figures of src/: functions over 80 lines, files over 600 lines
# (tests excluded), main.rs over 60 lines, import cycles between files, and the
# count of `pub ` items. Exit status 1 when a limit is exceeded (src/yaml,
# src/detect.rs and src/index.rs are worked on separately). Extra arguments go
# to scripts/structure.py (e.g. --max-fn 60).
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
python3 scripts/structure.py src "$@"
status=$?
echo "pub: $(grep -rh "pub " src --include='*.rs' | wc -l) lines with \`pub \`, $(grep -rh "pub(crate)" src --include='*.rs' | wc -l) with pub(crate)"
echo "test binaries: $(ls tests/*.rs tests/*/main.rs 2>/dev/null | wc -l)"
exit $status
