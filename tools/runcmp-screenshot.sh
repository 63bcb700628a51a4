#!/usr/bin/env bash
# Renders the example runcmp report (the Whisper case from the motivating story) to HTML and
# takes a screenshot with headless Chromium (Debian's `chromium` package).
#
# Usage: tools/runcmp-screenshot.sh [OUTPUT_DIR]   (default: docs/runcmp)
# Writes OUTPUT_DIR/example-report.html, example-report.txt, example-report.md and example-report.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/runcmp}"
scratch="${RUNCMP_SCRATCH:-.build-runcmp}"
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package)" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
swift build --scratch-path "$scratch" --product runcmp >&2
runcmp="$(swift build --scratch-path "$scratch" --show-bin-path)/runcmp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$runcmp" example --out "$work"
mkdir -p "$out"
"$runcmp" diff "$work/a.json" "$work/b.json" --format html -o "$out/example-report.html"
"$runcmp" diff "$work/a.json" "$work/b.json" --format text --color never > "$out/example-report.txt"
"$runcmp" diff "$work/a.json" "$work/b.json" --format markdown > "$out/example-report.md"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1800 \
  --screenshot="$PWD/$out/example-report.png" "file://$PWD/$out/example-report.html" 2>/dev/null
echo "wrote $out/example-report.png" >&2
