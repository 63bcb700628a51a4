#!/usr/bin/env bash
# Checks charts/larder with real Helm (v4, through the helm-python-sdk wheel) and the Kubernetes schemas, without a
# cluster: helm lint --strict, values.schema.json (covers every value; wrong types and unknown keys rejected), every
# scenario rendered by Helm and validated with kubernetes-validate --strict for Kubernetes 1.30 and 1.33, yamllint on
# the static YAML, and the examples. tools/test.sh runs it (so CI does).
#
#   tools/chart-check.sh [CHART_DIR]     (default: charts/larder)
#
# Prepares tools/.chart-venv (pinned versions from PyPI) on first use via tools/chart-venv.sh.
# Prints one line per check and "chart-check: N passed, N failed"; exits 1 on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHART="${1:-$ROOT/charts/larder}"
PY="$("$ROOT/tools/chart-venv.sh" --print-python)"
exec "$PY" "$ROOT/tools/chart_check.py" "$CHART"
