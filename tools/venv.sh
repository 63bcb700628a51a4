#!/usr/bin/env bash
# Prepares (or checks) a pinned Python virtual environment tools/.venv-NAME from tools/venvs/NAME.txt (a pip
# requirements file with exact versions). tools/test.sh prepares every one once; tests only check (--check) and
# never install.
#
# Usage: tools/venv.sh NAME [--check] [--print-python]
#   --check         create nothing: exit 1 with a message when the venv is missing or not at the pinned versions
#   --print-python  print the venv's python path on stdout when done (everything else goes to stderr)
#
# Idempotent: a stamp file records the requirements installed; an unchanged file returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-}"
[ -n "$name" ] && [ -f "tools/venvs/$name.txt" ] || { echo "usage: tools/venv.sh NAME [--check] [--print-python] (NAME from tools/venvs/*.txt)" >&2; exit 2; }
shift
print_python=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --print-python) print_python=1 ;;
    --check) check_only=1 ;;
    *) echo "venv.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
VENV="tools/.venv-$name"
PY="$VENV/bin/python"
STAMP="$VENV/.larder-requirements"
wanted="$(cat "tools/venvs/$name.txt")"
log() { printf 'venv %s: %s\n' "$name" "$*" >&2; }
ready() { [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; }
done_ok() { if [ "$print_python" = 1 ]; then echo "$(pwd)/$PY"; fi; exit 0; }

if ready; then done_ok; fi
if [ "$check_only" = 1 ]; then
  log "$VENV is not prepared at the versions in tools/venvs/$name.txt; run tools/test.sh (or tools/venv.sh $name) first"
  exit 1
fi
mkdir -p tools
exec 9>"$VENV.lock"
flock 9
if ready; then done_ok; fi
if [ ! -x "$PY" ]; then
  log "creating $VENV"
  python3 -m venv "$VENV" >&2 || { log "ERROR: python3 -m venv failed (tools/install-deps.sh installs python3-venv)"; exit 1; }
fi
log "installing tools/venvs/$name.txt from PyPI (first run only)"
if ! "$PY" -m pip install --disable-pip-version-check --no-input -q -r "tools/venvs/$name.txt" >&2; then
  log "ERROR: pip could not install tools/venvs/$name.txt; is PyPI reachable from this machine?"
  exit 1
fi
printf '%s\n' "$wanted" >"$STAMP"
log "ready"
done_ok
