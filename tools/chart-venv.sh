#!/usr/bin/env bash
# Prepares (or checks) tools/.chart-venv: a Python virtual environment with real Helm and Kubernetes schemas from
# PyPI, at pinned versions, for tools/chart-check.sh:
#   helm-python-sdk      Helm v4 (its Go SDK as a shared library): lint, render, values.schema.json validation
#   kubernetes-validate  the Kubernetes OpenAPI schemas (1.25 … 1.37), strict mode rejects unknown fields
#   yamllint             style and syntax of the chart's static YAML
# tools/test.sh runs chart-check.sh, which runs this first; nothing else installs these.
#
# Usage: tools/chart-venv.sh [--check] [--print-python]     (see tools/lib/venv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_NAME="chart-venv"
VENV="${LARDER_CHART_VENV:-tools/.chart-venv}"
# Pinned: the chart check is only as good as the Helm and schemas it runs; bump deliberately.
REQUIREMENTS=(
  "helm-python-sdk==0.2.2"
  "kubernetes-validate==1.37.0"
  "yamllint==1.38.0"
)
VENV_IMPORTS="helm_python, kubernetes_validate, yamllint, yaml"
venv_after_install() {
  "$VENV/bin/python" -c 'import sys; assert sys.version_info >= (3, 11), "python >= 3.11 is needed (tomllib)"' >&2
}
venv_ready_message() { echo "helm $("$VENV/bin/python" -c 'import helm_python; print(helm_python.helm_sdk_version())')"; }
source tools/lib/venv.sh
venv_main "$@"
