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
# The first time: show that the avatar, voice, lip-sync and encoder work by recording a short demo
# (STUDIO_SKIP_DEMO=1 skips it; delete the file to make it again).
DATA_DIR="$("$ROOT/.venv/bin/python" -c 'from studio.app.paths import StudioPaths; print(StudioPaths.resolve().data_dir)')"
DEMO="$DATA_DIR/recordings/demo.mp4"
if [ -z "${STUDIO_SKIP_DEMO:-}" ] && [ ! -f "$DEMO" ]; then
  mkdir -p "$DATA_DIR/recordings"
  echo "Recording a short demo of the avatar speaking: $DEMO" >&2
  "$STUDIO" demo --out "$DEMO" || echo "The demo could not be recorded (see the message above, or run 'studio doctor')." >&2
fi
exec "$STUDIO" serve "$@"
