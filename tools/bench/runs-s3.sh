#!/usr/bin/env bash
# The S3 run tier (issue 13), measured against moto in server mode (a real S3 API with SigV4 checks) on loopback:
#   1. record N tasks (default 1,000; small records + 10 KB artifacts) through two nodes sharing one tier: time
#      until every node has them (recorded) and until every record and artifact is in S3 (outboxes empty);
#   2. `runcmp diff` of two N-task runs read through S3 from a third node that recorded nothing (cold, then again
#      with its record cache warm) vs the same diff from a node that holds both runs in its local store.
#      Goal: through S3 <= 2 x local. Also the same diff read straight from S3 by runcmp (`s3://…`, no Larder), as
#      a user outside the cluster would.
# Usage: tools/bench/runs-s3.sh [--build|--no-build]     Environment: BENCH_TASKS (default 1000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
usage() { sed -n '2,10p' "$0"; }
LARDER_BUILD=auto
parse_common_args "$@"
bench_init
tasks="${BENCH_TASKS:-1000}"
if [ "$LARDER_BUILD" = yes ] || [ ! -x "$REPO_ROOT/.build/release/runcmp" ]; then
  (cd "$REPO_ROOT" && swift build -c release --product runcmp) >"$OUT_DIR/build-runcmp.log" 2>&1 || die "building runcmp failed (see $OUT_DIR/build-runcmp.log)"
fi
find_larder
[ -n "$LARDER" ] || die "$LARDER_SKIP"
RUNCMP="$(dirname "$LARDER")/runcmp"
PY="$("$REPO_ROOT/tools/venv.sh" s3 --print-python)"

# moto with a bucket and a user's key.
"$PY" "$REPO_ROOT/Tests/Support/LarderTestSupport/Fixtures/moto_s3.py" --port-file "$BENCH_TMP/moto.port" \
  --keys-file "$BENCH_TMP/moto.keys" --bucket bench-runs >"$BENCH_TMP/moto.log" 2>&1 &
track $!
for _ in $(seq 1 600); do [ -s "$BENCH_TMP/moto.port" ] && break; sleep 0.1; done
[ -s "$BENCH_TMP/moto.port" ] || die "moto did not start: $(tail -n 5 "$BENCH_TMP/moto.log")"
moto="http://127.0.0.1:$(cat "$BENCH_TMP/moto.port")"
"$PY" - "$BENCH_TMP/moto.keys" "$BENCH_TMP/credentials" <<'PY'
import json, sys
keys = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write(f"[default]\naws_access_key_id = {keys['accessKeyId']}\naws_secret_access_key = {keys['secretAccessKey']}\n")
PY

# start_node NAME [--tier]: sets NODE_URL.
start_node() {
  local name="$1" port; port="$(free_port)"
  local extra=()
  [ "${2:-}" = --tier ] && extra=(--runs-s3 s3://bench-runs/team --s3-endpoint "$moto" --s3-path-style --s3-credentials-file "$BENCH_TMP/credentials")
  "$LARDER" serve --data "$BENCH_TMP/$name" --listen "127.0.0.1:$port" --max-size 4GiB "${extra[@]}" >"$BENCH_TMP/$name.log" 2>&1 &
  track $!
  wait_http "http://127.0.0.1:$port/healthz" 30 $! || die "$name did not start: $(tail -n 3 "$BENCH_TMP/$name.log")"
  NODE_URL="http://127.0.0.1:$port"
}
start_node node-a --tier; A="$NODE_URL"
start_node node-b --tier; B="$NODE_URL"
start_node node-c --tier; C="$NODE_URL"
start_node local; L="$NODE_URL"

outbox_depth() { curl -s "$1/stats" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["runTier"]["outboxDepth"])'; }
now() { date +%s.%N; }

hr; echo "S3 run tier: $tasks tasks per run, 10 KB artifacts, two recording nodes, moto at $moto"; hr
t0="$(now)"
line="$(python3 "$BENCH_DIR/runs_s3_driver.py" --flow Bench --run a --tasks "$tasks" --seed 1 "$A" "$B")"
t1="$(now)"
while [ "$(outbox_depth "$A")" != 0 ] || [ "$(outbox_depth "$B")" != 0 ]; do sleep 0.05; done
t2="$(now)"
calc() { python3 -c "print($1)"; }
recorded="$(calc "$t1 - $t0")"; in_s3="$(calc "$t2 - $t0")"
printf 'record %d tasks through 2 nodes: %.2f s recorded (%s), %.2f s until all in S3\n' "$tasks" "$recorded" "$line" "$in_s3"
python3 "$BENCH_DIR/runs_s3_driver.py" --flow Bench --run b --tasks "$tasks" --seed 2 "$A" "$B" >/dev/null
while [ "$(outbox_depth "$A")" != 0 ] || [ "$(outbox_depth "$B")" != 0 ]; do sleep 0.05; done
for run in a b; do python3 "$BENCH_DIR/runs_s3_driver.py" --flow Bench --run "$run" --tasks "$tasks" --seed "$([ $run = a ] && echo 1 || echo 2)" "$L" >/dev/null; done

time_diff() {  # SERVER -> seconds
  local s e; s="$(now)"
  "$RUNCMP" diff Bench/a Bench/b --server "$1" --format json -o "$BENCH_TMP/report.json" >/dev/null
  e="$(now)"; calc "$e - $s"
}
local_s="$(time_diff "$L")"
cold_s="$(time_diff "$C")"
warm_s="$(time_diff "$C")"
ratio_cold="$(calc "round($cold_s / $local_s, 2)")"; ratio_warm="$(calc "round($warm_s / $local_s, 2)")"
verdict=PASS; awk -v r="$ratio_warm" 'BEGIN { exit !(r <= 2) }' || verdict=FAIL
printf 'runcmp diff of two %d-task runs: local store %.2f s; through S3 from a node that recorded nothing: cold %.2f s (%.2f x), warm %.2f s (%.2f x); goal <= 2 x local: %s\n' \
  "$tasks" "$local_s" "$cold_s" "$ratio_cold" "$warm_s" "$ratio_warm" "$verdict"
s="$(now)"
"$RUNCMP" diff s3://bench-runs/team/Bench/a s3://bench-runs/team/Bench/b --s3-endpoint "$moto" --s3-path-style \
  --s3-credentials-file "$BENCH_TMP/credentials" --format json -o "$BENCH_TMP/report-s3.json" >/dev/null
direct_s="$(calc "$(now) - $s")"
printf 'runcmp diff straight from S3 (s3://..., no Larder): %.2f s (%.2f x local)\n' "$direct_s" "$(calc "round($direct_s / $local_s, 2)")"
