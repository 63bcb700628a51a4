#!/usr/bin/env bash
# Rewrites runcmp's golden files (Tests/RunCompareTests/Golden/) after an intended change to the
# report. Never run by CI: the golden tests only compare. Review the result with `git diff`.
#
# How: runs the golden tests (they fail on a mismatch and leave the actual output in
# $TMPDIR/runcmp-golden-actual/), copies those files over the golden ones, then runs the tests
# again, which must now pass.
set -euo pipefail
cd "$(dirname "$0")/.."
actual="${TMPDIR:-/tmp}/runcmp-golden-actual"
rm -rf "$actual"
swift build --build-tests
swift test --skip-build --no-parallel --filter GoldenTests || true
if [ ! -d "$actual" ] || [ -z "$(ls -A "$actual")" ]; then
  echo "update-golden: the golden files are up to date" >&2
  exit 0
fi
for file in "$actual"/*; do
  cp "$file" "Tests/RunCompareTests/Golden/$(basename "$file")"
  echo "updated Tests/RunCompareTests/Golden/$(basename "$file")" >&2
done
swift test --skip-build --no-parallel --filter GoldenTests
git --no-pager diff --stat -- Tests/RunCompareTests/Golden
