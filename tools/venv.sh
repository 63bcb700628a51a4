#!/usr/bin/env bash
# Prepares (or checks) a pinned Python virtual environment tools/.venv-NAME from tools/venvs/NAME.txt (exact
# pins, one per line, `#` comments). tools/test.sh prepares every one once; tests only check and never install.
#
# Usage: tools/venv.sh NAME [--check] [--print-python]     (see tools/lib/venv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:-}"
[ -n "$name" ] && [ -f "tools/venvs/$name.txt" ] || { echo "usage: tools/venv.sh NAME [--check] [--print-python] (NAME from tools/venvs/*.txt)" >&2; exit 2; }
shift
VENV_NAME="venv $name"
VENV="tools/.venv-$name"
mapfile -t REQUIREMENTS < <(grep -v '^\s*#' "tools/venvs/$name.txt" | grep -v '^\s*$')
VENV_WANTED="$(cat "tools/venvs/$name.txt")"
VENV_IMPORTS="$(sed -n 's/^# imports: //p' "tools/venvs/$name.txt")"
: "${VENV_IMPORTS:=sys}"
source tools/lib/venv.sh
venv_main "$@"
