#!/usr/bin/env bash
# Starts a Larder server on ./larder-data (or $LARDER_DATA), installing system packages and building first.
# Extra arguments go to `larder serve`, e.g. tools/serve.sh --allow-upstream huggingface.co,*.hf.co
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build -c release --product larder
exec .build/release/larder serve "$@"
