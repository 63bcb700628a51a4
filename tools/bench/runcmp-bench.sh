#!/usr/bin/env bash
# runcmp benchmarks (release build), against the issue's goals:
#   1. `runcmp diff` of two runs × 5,000 tasks with 2,000-word transcripts (5% of words differ,
#      every transcript differs, so every pair is aligned): < 5 s and < 500 MiB peak RSS;
#   2. WER of two 20,000-word texts differing in 5% of words: < 0.5 s.
# Usage: tools/bench/runcmp-bench.sh [--no-build]
# Environment: RUNCMP_SCRATCH (build folder, default .build-runcmp), BENCH_TASKS, BENCH_WORDS.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch="${RUNCMP_SCRATCH:-.build-runcmp}"
tasks="${BENCH_TASKS:-5000}"
words="${BENCH_WORDS:-2000}"
if [ "${1:-}" != "--no-build" ]; then
  swift build -c release --scratch-path "$scratch" --product runcmp >&2
fi
runcmp="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/runcmp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$runcmp" bench-data --out "$work" --tasks "$tasks" --words "$words" --difference 0.05
echo "input: 2 runs x $tasks tasks, $words-word transcripts; files: $(du -h "$work/a.json" | cut -f1) + $(du -h "$work/b.json" | cut -f1)"

for format in json text; do
  /usr/bin/time -f "%e %M" -o "$work/time" "$runcmp" diff "$work/a.json" "$work/b.json" --format "$format" -o "$work/report.$format"
  read -r seconds kib < "$work/time"
  mib=$((kib / 1024))
  verdict=PASS
  awk -v s="$seconds" 'BEGIN { exit !(s < 5) }' || verdict=FAIL
  [ "$mib" -lt 500 ] || verdict=FAIL
  echo "runcmp diff --format $format: ${seconds} s, peak RSS ${mib} MiB (goal < 5 s, < 500 MiB): $verdict"
done

line="$("$runcmp" bench-wer --words 20000 --difference 0.05)"
seconds="$(echo "$line" | sed -E 's/.*seconds=([0-9.e-]+).*/\1/')"
verdict=PASS
awk -v s="$seconds" 'BEGIN { exit !(s < 0.5) }' || verdict=FAIL
echo "WER of two 20,000-word texts (5% differ): $line (goal < 0.5 s): $verdict"
