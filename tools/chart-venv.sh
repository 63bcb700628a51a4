#!/usr/bin/env bash
# Prepares (or checks) tools/.chart-venv: a Python virtual environment with real Helm and Kubernetes schemas from
# PyPI, at pinned versions, for tools/chart-check.sh:
#   helm-python-sdk      Helm v4 (its Go SDK as a shared library): lint, render, values.schema.json validation
#   kubernetes-validate  the Kubernetes OpenAPI schemas (1.25 … 1.37), strict mode rejects unknown fields
#   yamllint             style and syntax of the chart's static YAML
# tools/test.sh runs chart-check.sh, which runs this first; nothing else installs these.
#
# Usage: tools/chart-venv.sh [--check] [--print-python]
#   --check         exit 1 with a message when the venv is missing or not at the pinned versions
#   --print-python  print the venv's python path on stdout when done (everything else goes to stderr)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${LARDER_CHART_VENV:-tools/.chart-venv}"
PY="$VENV/bin/python"
# Pinned: the chart check is only as good as the Helm and schemas it runs; bump deliberately.
REQUIREMENTS=(
  "helm-python-sdk==0.2.2"
  "kubernetes-validate==1.37.0"
  "yamllint==1.38.0"
)
STAMP="$VENV/.larder-requirements"
print_python=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --print-python) print_python=1 ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "chart-venv.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { printf 'chart-venv: %s\n' "$*" >&2; }
wanted="$(printf '%s\n' "${REQUIREMENTS[@]}")"
ready() {
  [ -x "$PY" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
    && "$PY" -c 'import helm_python, kubernetes_validate, yamllint, yaml' >/dev/null 2>&1
}
done_ok() {
  if [ "$print_python" = 1 ]; then echo "$(pwd)/$PY"; fi
  exit 0
}

if ready; then done_ok; fi
if [ "$check_only" = 1 ]; then
  log "the chart-check venv ($VENV with ${REQUIREMENTS[*]}) is not prepared; run tools/chart-venv.sh (tools/test.sh does) first"
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
log "installing ${REQUIREMENTS[*]} from PyPI (first run only; ~60 MB)"
if ! "$PY" -m pip install --disable-pip-version-check --no-input -q "${REQUIREMENTS[@]}" >&2; then
  log "ERROR: pip could not install ${REQUIREMENTS[*]}; is PyPI reachable from this machine?"
  exit 1
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), "python >= 3.11 is needed (tomllib)"' >&2
"$PY" -c 'import helm_python, kubernetes_validate, yamllint' >&2 || { log "ERROR: the installed packages do not import"; exit 1; }
printf '%s\n' "$wanted" >"$STAMP"
log "ready: helm $("$PY" -c 'import helm_python; print(helm_python.helm_sdk_version())')"
done_ok
