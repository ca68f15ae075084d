#!/usr/bin/env bash
# Installs what Cream Studio needs: OS packages (Debian/Ubuntu, when allowed), a .venv with the
# Python dependencies, and the default model files. Idempotent: a second run checks and returns fast.
#
#   scripts/bootstrap.sh            runtime only
#   scripts/bootstrap.sh --dev      + test tools (pytest, Xvfb, linters)
#   scripts/bootstrap.sh --gpu      swap onnxruntime for onnxruntime-gpu (never both installed)
#   scripts/bootstrap.sh --voxcpm   + the VoxCPM voice-cloning engine (torch; a large download)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${STUDIO_VENV:-$ROOT/.venv}"
DEV=0
GPU=0
VOXCPM=0
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    --gpu) GPU=1 ;;
    --voxcpm) VOXCPM=1 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;33m[setup]\033[0m %s\n' "$*" >&2; }

# ---- OS packages -------------------------------------------------------------------------------
# Runtime: PortAudio (sound), EGL/Mesa (headless avatar rendering), the xcb libraries Qt needs for a
# window. Dev: Xvfb for the GUI tests, a user-mode PulseAudio null sink for real-time audio tests.
RUNTIME_DEBS=(libportaudio2 libegl1 libgl1-mesa-dri libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4
  libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 libxcb-shape0
  libxcb-randr0 libfontconfig1 libdbus-1-3 fonts-wqy-microhei)
DEV_DEBS=(xvfb xauth pulseaudio pulseaudio-utils libasound2-plugins nginx-light libnginx-mod-rtmp ffmpeg)

install_debs() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian/Ubuntu system: install PortAudio, EGL and (for tests) Xvfb with your package manager"; return 0; }
  local wanted=("${RUNTIME_DEBS[@]}")
  [ "$DEV" = 1 ] && wanted+=("${DEV_DEBS[@]}")
  local missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      say "missing OS packages (run as root to install): apt-get install ${missing[*]}"
      return 0
    fi
  fi
  say "installing OS packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >/dev/null || say "apt-get update failed; trying the install anyway"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || say "could not install ${missing[*]}; the studio runs with reduced features (see 'studio doctor')"
}

# ---- Python ------------------------------------------------------------------------------------
find_python() {
  local cand
  for cand in "${STUDIO_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$cand" ] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  return 1
}

install_python_deps() {
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    local py
    py="$(find_python)" || { say "Python 3.11-3.13 is required (found none). Install python3.11 and python3.11-venv."; exit 1; }
    say "creating $VENV with $py"
    rm -rf "$VENV"
    "$py" -m venv "$VENV" || { say "python venv module missing: apt-get install python3-venv"; exit 1; }
  fi
  local extras="" mode="runtime"
  [ "$DEV" = 1 ] && extras="dev" && mode="dev"
  [ "$VOXCPM" = 1 ] && extras="${extras:+$extras,}voxcpm" && mode="$mode-voxcpm"
  [ "$GPU" = 1 ] && mode="$mode-gpu"
  local stamp="$VENV/.studio-stamp-$mode"
  local digest
  digest="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/bootstrap.sh" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  say "installing Python packages ($mode) into $VENV"
  # (this workplace's pip config lists local mirrors that pip warns about; hide only those lines)
  pipq() {
    "$VENV/bin/python" -m pip "$@" -q --disable-pip-version-check 2>&1 | { grep -v "^WARNING: Location 'file:" >&2 || true; }
  }
  if ! pipq install -e "$ROOT${extras:+[$extras]}"; then
    say "pip install failed (see above)"; exit 1
  fi
  # onnxruntime and onnxruntime-gpu install the same files: exactly one of them may be present.
  # Several engines require "onnxruntime", so the GPU build replaces it after the normal install.
  if [ "$GPU" = 1 ]; then
    pipq uninstall -y onnxruntime || true
    pipq install --force-reinstall --no-deps "onnxruntime-gpu>=1.18" || { say "onnxruntime-gpu install failed"; exit 1; }
  elif "$VENV/bin/python" -m pip show -q onnxruntime-gpu >/dev/null 2>&1; then
    pipq uninstall -y onnxruntime-gpu || true
    pipq install --force-reinstall --no-deps onnxruntime || { say "onnxruntime reinstall failed"; exit 1; }
  fi
  rm -f "$VENV"/.studio-stamp-*
  echo "$digest" > "$stamp"
}

install_debs
install_python_deps
