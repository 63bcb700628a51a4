#!/usr/bin/env bash
# Validate charts/larder without a Kubernetes cluster.
#
#   tools/chart-check.sh [CHART_DIR]     (default: charts/larder)
#
# Always: tools/chart_check.py in a venv with PyYAML (tools/.venv): Chart.yaml
# and values.yaml parse, template blocks balance, every .Values path exists,
# every include is defined, and an approximate renderer (tools/gotmpl.py)
# renders default values and feature scenarios into YAML that is checked.
# When `helm` is on PATH: also `helm lint` and `helm template` of the same
# scenarios (authoritative). Prints "N passed, N failed"; exits 1 on failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="${1:-$ROOT/charts/larder}"
VENV="${CHART_CHECK_VENV:-$ROOT/tools/.venv}"

need_venv() {
  if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    echo "installing python3-venv (apt)" >&2
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null;
    else sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv >/dev/null; fi
  fi
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import yaml' >/dev/null 2>&1; then
  command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }
  need_venv
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'PyYAML>=6,<7'
fi
"$VENV/bin/python" -c 'import sys; assert sys.version_info >= (3, 11), "python >= 3.11 needed (tomllib)"'

SUM="$(mktemp)"
trap 'rm -f "$SUM"' EXIT
py_rc=0
"$VENV/bin/python" "$ROOT/tools/chart_check.py" --summary-file "$SUM" "$CHART" || py_rc=$?
read -r passed failed <"$SUM" 2>/dev/null || { passed=0; failed=0; }
if [ "$py_rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; echo "FAIL  tools/chart_check.py exited $py_rc"; fi

if command -v helm >/dev/null 2>&1; then
  echo
  echo "helm found: $(helm version --short 2>/dev/null || echo unknown)"
  run_helm() {
    local name="$1"; shift
    local log; log="$(mktemp)"
    if "$@" >"$log" 2>&1; then
      passed=$((passed + 1)); echo "ok    $name"
    else
      failed=$((failed + 1)); echo "FAIL  $name"; sed 's/^/      /' "$log" | tail -n 30
    fi
    rm -f "$log"
  }
  run_helm "helm lint --strict" helm lint --strict "$CHART"
  run_helm "helm template (defaults)" helm template larder "$CHART"
  run_helm "helm template (all features)" helm template larder "$CHART" \
    --set serviceMonitor.enabled=true --set containerdMirror.enabled=true \
    --set warm.enabled=true --set 'warm.refs={hf://org/model@main}' --set 'warm.nodes={node-a,node-b}' \
    --set hf.token.existingSecret=hf-token
  run_helm "helm template (hostNetwork, emptyDir)" helm template larder "$CHART" \
    --set hostNetwork=true --set data.type=emptyDir --set 'allowUpstream=null'
else
  echo "(helm not on PATH: helm lint/template skipped; the render checks above used the approximate renderer)"
fi

echo
echo "chart-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
