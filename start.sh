#!/usr/bin/env bash
# Quick start, command 1: install what is missing, then start Cream Studio.
# With a display: the studio window. Without one: headless mode (engine + local API), printing the
# API URL and the log file. Extra arguments go to `studio serve` (e.g. --port 9000).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
STUDIO="$ROOT/.venv/bin/studio"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname -s)" = Darwin ]; then
  exec "$STUDIO" gui
fi
echo "No display found: starting headless. Open the API docs in a browser, or run 'studio doctor'." >&2
exec "$STUDIO" serve "$@"
