#!/usr/bin/env bash
# Quick start, command 2: install everything (with the VoxCPM engine) plus the test tools, then run
# the whole test suite:
# ruff (lint + format), mypy, import contracts, and pytest (GUI tests under Xvfb).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
started=$(date +%s)
bash scripts/bootstrap.sh --dev --voxcpm || exit 1
echo "setup took $(( $(date +%s) - started )) s" >&2
BIN="$ROOT/.venv/bin"
fail=0
step() {
  local name="$1"; shift
  echo "==> $name" >&2
  if ! "$@"; then echo "FAILED: $name" >&2; fail=1; fi
}
step "ruff check" "$BIN/ruff" check studio tests
step "ruff format" "$BIN/ruff" format --check studio tests
step "mypy" "$BIN/mypy"
step "import contracts" "$BIN/lint-imports"
echo "==> pytest" >&2
"$BIN/python" -m pytest "$@"
rc=$?
[ $rc -eq 0 ] || fail=1
echo "total $(( $(date +%s) - started )) s" >&2
exit $fail
