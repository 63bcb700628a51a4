#!/usr/bin/env bash
# Run every Larder benchmark (warm-hit, cold-fanout, concurrency) and write a combined
# summary to tools/bench/out/summary.txt.
#
#   tools/bench/run-all.sh [--build|--no-build] [--strict]
#
#   --build     rebuild Larder first (swift build -c release --product larder);
#               by default it is built only when .build/release/larder is missing
#   --no-build  never build; use what is there (or skip the Larder columns)
#   --strict    exit 1 when any goal FAILs (default: exit 1 only when a script fails)
#
# Each script has its own time limit (BENCH_LIMIT_S, default 300 s); the whole
# run takes about 4-6 minutes on 2 cores, plus the build if one is needed.
# Environment variables of the scripts (BENCH_*, LARDER_BIN) pass through.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
STRICT=0
args=()
for a in "$@"; do
  case "$a" in
    --strict) STRICT=1 ;;
    *) args+=("$a") ;;
  esac
done
parse_common_args "${args[@]+"${args[@]}"}"
LIMIT="${BENCH_LIMIT_S:-300}"

mkdir -p "$OUT_DIR"
SUMMARY="$OUT_DIR/summary.txt"

# Build (or find) Larder once, then hand the same binary to every script.
find_larder
if [ -n "$LARDER" ]; then
  export LARDER_BIN="$LARDER"
else
  log "Larder: $LARDER_SKIP (its columns will be skipped)"
  unset LARDER_BIN
fi

failed_scripts=()
CHILD=""
# timeout(1) runs the script in its own process group, out of reach of the
# terminal's Ctrl-C: forward INT/TERM (timeout passes them on; the script's
# trap then stops its servers).
on_signal() {
  if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  exit 130
}
trap on_signal INT TERM
run() {
  local name="$1" rc=0
  log "=== $name ==="
  timeout -k 15 "$LIMIT" "$BENCH_DIR/$name.sh" --no-build &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  if [ "$rc" != 0 ]; then
    failed_scripts+=("$name (exit $rc$([ "$rc" = 124 ] && echo ", timed out after ${LIMIT}s"))")
    echo "$name FAILED (exit $rc)" >"$OUT_DIR/$name.txt.failed"
  else
    rm -f "$OUT_DIR/$name.txt.failed"
  fi
}

started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
t0=$SECONDS
BENCHES="warm-hit cold-fanout concurrency"
for name in $BENCHES; do rm -f "$OUT_DIR/$name.txt"; done
for name in $BENCHES; do run "$name"; done

{
  echo "Larder benchmarks, $started, $((SECONDS - t0)) s"
  echo "commit: $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$REPO_ROOT" diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "larder: ${LARDER_BIN:-none (${LARDER_SKIP})}"
  for name in $BENCHES; do
    echo
    echo "== $name"
    if [ -s "$OUT_DIR/$name.txt" ]; then cat "$OUT_DIR/$name.txt"; else echo "(no report)"; fi
    [ -f "$OUT_DIR/$name.txt.failed" ] && cat "$OUT_DIR/$name.txt.failed"
  done
  echo
  reports=()
  for name in $BENCHES; do reports+=("$OUT_DIR/$name.txt"); done
  pass=$(cat "${reports[@]}" 2>/dev/null | grep -o ': PASS\| PASS$' | wc -l || true)
  fail=$(cat "${reports[@]}" 2>/dev/null | grep -o ': FAIL\| FAIL' | wc -l || true)
  skip=$(cat "${reports[@]}" 2>/dev/null | grep -c ' SKIPPED' || true)
  echo "goals: $pass passed, $fail failed, $skip skipped"
  if [ "${#failed_scripts[@]}" -gt 0 ]; then echo "scripts failed: ${failed_scripts[*]}"; fi
} >"$SUMMARY"

echo
cat "$SUMMARY"
log "summary: $SUMMARY"
[ "${#failed_scripts[@]}" = 0 ] || exit 1
if [ "$STRICT" = 1 ] && grep -q '^goals: [0-9]* passed, [1-9]' "$SUMMARY"; then exit 1; fi
exit 0
