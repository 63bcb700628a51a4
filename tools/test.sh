#!/usr/bin/env bash
# Runs the whole test suite: installs system packages, builds, and runs every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
swift build --build-tests
# Serially: several tests measure time or CPU use, and on a 2-core machine parallel tests would skew them.
swift test --skip-build --no-parallel "$@"
