#!/usr/bin/env bash
# hf-snapshot: `snapshot_download` of a generated multi-file model (>= 500 MB) by 8 concurrent
# huggingface_hub clients, through Larder (cold, then warm) vs a plain nginx serving the same files.
#
# Larder "cold": a fresh Larder whose --hf-upstream is a second Larder holding the model (imported with
# `larder import`), so every byte is pulled through once; "warm": the same clients again (every file is a hit).
# nginx serves the files and the two JSON documents the client asks for (revision, tree) as static files,
# with X-Repo-Commit added: the same protocol, no cache logic. Each client is a separate Python process with
# an empty HF_HOME (on /dev/shm when it has room, so client disk writes do not dominate). Reported: wall time
# until all clients are done (median of BENCH_REPS runs for nginx and warm Larder), ratios to nginx, and the
# bytes the upstream Larder served during the cold run (goal: 1 x model size). Goal: warm <= 1.3 x nginx.
#
#   tools/bench/hf-snapshot.sh [--build|--no-build]
#
# Environment: BENCH_HF_MIB (model size, 520), BENCH_HF_FILES (large files, 5), BENCH_CLIENTS_HF (8),
# BENCH_REPS (3), LARDER_BIN, BENCH_OUT, BENCH_TMPDIR. Needs PyPI once (tools/hf-venv.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
parse_common_args "$@"

MODEL_MIB="${BENCH_HF_MIB:-520}"
LARGE_FILES="${BENCH_HF_FILES:-5}"
CLIENTS="${BENCH_CLIENTS_HF:-8}"
REPS="${BENCH_REPS:-3}"
GOAL_WARM=1.3
REPO="bench/snapshot-model"
COMMIT="5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"

bench_init
ensure_cmd curl curl
ensure_cmd nginx nginx
find_larder
[ -n "$LARDER" ] || die "no larder binary: $LARDER_SKIP"
PY="$("$REPO_ROOT/tools/hf-venv.sh" --print-python)" || die "tools/hf-venv.sh failed (PyPI unreachable?)"
CLIENTS_PY="$BENCH_DIR/hf_snapshot_clients.py"

REPORT="$OUT_DIR/hf-snapshot.txt"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

HOMES="$BENCH_TMP/homes"
need_kb=$(( (MODEL_MIB + 50) * CLIENTS * 1024 ))
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt "$need_kb" ]; then
  HOMES="$(mktemp -d /dev/shm/larder-hf-bench.XXXXXX)"
  # Also remove the client homes on exit; `set +e` first, or a failing step would skip the server cleanup.
  trap 'rc=$?; set +e; rm -rf "$HOMES"; (exit "$rc"); _bench_cleanup' EXIT
fi

# --- the model -------------------------------------------------------------------
MODEL="$BENCH_TMP/model"
mkdir -p "$MODEL"
per_file=$(( MODEL_MIB / LARGE_FILES ))
log "generating a ${MODEL_MIB} MiB model: $LARGE_FILES x ${per_file} MiB + small files"
for i in $(seq 1 "$LARGE_FILES"); do
  # Sizes differ by a few KiB: nginx's ETag is mtime-size, and equal ETags would make the client download one
  # file and reuse it for the others (it names cache blobs after the ETag).
  make_random_file "$MODEL/model-0000$i-of-0000$LARGE_FILES.safetensors" "$per_file"
  head -c $((i * 4096)) /dev/urandom >>"$MODEL/model-0000$i-of-0000$LARGE_FILES.safetensors"
done
printf '{"architectures": ["BenchModel"], "hidden_size": 4096}\n' >"$MODEL/config.json"
head -c 2000000 /dev/urandom | base64 >"$MODEL/tokenizer.json"
printf '{"weight_map": {}}\n' >"$MODEL/model.safetensors.index.json"
printf 'benchmark model\n' >"$MODEL/README.md"
EXPECT="$BENCH_TMP/expect.json"
"$PY" "$CLIENTS_PY" --python "$PY" --endpoint - --repo - --home-root - --expect "$EXPECT" --write-expect "$MODEL"
MODEL_BYTES=$(find "$MODEL" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f", s}')

# --- upstream Larder (holds the model) and the mirror under test -------------------
UP_PORT="$(free_port)"
start_larder "$BENCH_TMP/upstream-data" "$UP_PORT" || die "$LARDER_SKIP"
"$LARDER" import --server "http://127.0.0.1:$UP_PORT" --as "hf://$REPO@$COMMIT" "$MODEL" >/dev/null
MIRROR_PORT="$(free_port)"
mkdir -p "$BENCH_TMP/mirror-data"
"$LARDER" serve --data "$BENCH_TMP/mirror-data" --listen "127.0.0.1:$MIRROR_PORT" --max-size 8GiB \
  --hf-upstream "http://127.0.0.1:$UP_PORT/hf" >"$BENCH_TMP/mirror.log" 2>&1 &
MIRROR_PID=$!
track "$MIRROR_PID"
wait_http "http://127.0.0.1:$MIRROR_PORT/healthz" 30 "$MIRROR_PID" || die "mirror larder did not start"

# --- nginx with the same files and JSON documents ---------------------------------
WWW="$BENCH_TMP/www"
mkdir -p "$WWW/hf/api/models/$REPO/revision" "$WWW/hf/api/models/$REPO/tree" "$WWW/hf/$REPO/resolve"
curl -fsS "http://127.0.0.1:$UP_PORT/hf/api/models/$REPO/revision/main" >"$WWW/hf/api/models/$REPO/revision/main"
curl -fsS "http://127.0.0.1:$UP_PORT/hf/api/models/$REPO/tree/$COMMIT?recursive=true&expand=false" >"$WWW/hf/api/models/$REPO/tree/$COMMIT"
ln -s "$MODEL" "$WWW/hf/$REPO/resolve/$COMMIT"
start_static_nginx "$BENCH_TMP/nginx" "$WWW" "\
        location /hf/api/ { default_type application/json; add_header X-Repo-Commit $COMMIT always; }
        location /hf/ { add_header X-Repo-Commit $COMMIT always; }"

# --- runs ------------------------------------------------------------------------
run_clients() { # ENDPOINT -> prints seconds; fails unless every client got the whole model
  local out
  out="$("$PY" "$CLIENTS_PY" --python "$PY" --endpoint "$1" --repo "$REPO" --clients "$CLIENTS" --home-root "$HOMES" --expect "$EXPECT")"
  "$PY" - "$out" "$CLIENTS" "$MODEL_BYTES" <<'PY'
import json, sys
result, clients, size = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
if result["ok"] != clients or result["bytes"] != clients * size:
    sys.exit(f"clients failed: {result}")
print(f"{result['seconds']:.2f}")
PY
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
metric() { curl -fsS "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name {print $2}'; }

log "nginx: warming the page cache, then $REPS runs of $CLIENTS clients"
run_clients "http://127.0.0.1:$NGX_PORT/hf" >/dev/null
nginx_times=()
for _ in $(seq 1 "$REPS"); do nginx_times+=("$(run_clients "http://127.0.0.1:$NGX_PORT/hf")"); done

log "larder cold: $CLIENTS clients against an empty mirror"
up_before="$(metric "$UP_PORT" larder_served_bytes_total)"
cold="$(run_clients "http://127.0.0.1:$MIRROR_PORT/hf")"
up_after="$(metric "$UP_PORT" larder_served_bytes_total)"
fetched="$(metric "$MIRROR_PORT" larder_upstream_bytes_total)"

log "larder warm: $REPS runs of $CLIENTS clients"
warm_times=()
for _ in $(seq 1 "$REPS"); do warm_times+=("$(run_clients "http://127.0.0.1:$MIRROR_PORT/hf")"); done

nginx_med="$(median "${nginx_times[@]}")"
warm_med="$(median "${warm_times[@]}")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
warm_ratio="$(ratio "$warm_med" "$nginx_med")"
cold_ratio="$(ratio "$cold" "$nginx_med")"
upstream_bytes=$(awk -v a="$up_after" -v b="$up_before" 'BEGIN {printf "%.0f", a - b}')
upstream_ratio="$(ratio "$upstream_bytes" "$MODEL_BYTES")"
verdict() { awk -v r="$1" -v g="$2" 'BEGIN {print (r <= g) ? "PASS" : "FAIL"}'; }

say "hf-snapshot: $CLIENTS concurrent snapshot_download clients, model $(awk -v b="$MODEL_BYTES" 'BEGIN {printf "%.0f MB", b / 1e6}') in $((LARGE_FILES + 4)) files ($(basename "$LARDER"): $LARDER)"
hr | tee -a "$REPORT"
say "$(printf '%-28s %10s %10s' 'server' 'wall (s)' 'x nginx')"
say "$(printf '%-28s %10s %10s' 'nginx (static files)' "$nginx_med" '1.00')"
say "$(printf '%-28s %10s %10s' 'larder cold (pull-through)' "$cold" "$cold_ratio")"
say "$(printf '%-28s %10s %10s' 'larder warm (hits)' "$warm_med" "$warm_ratio")"
hr | tee -a "$REPORT"
say "runs: nginx ${nginx_times[*]} | larder warm ${warm_times[*]} (medians above)"
say "cold upstream bytes: $upstream_bytes served by the upstream larder = ${upstream_ratio} x model size (mirror fetched $fetched)"
say "goal warm <= ${GOAL_WARM} x nginx: $(verdict "$warm_ratio" "$GOAL_WARM") ($warm_ratio)"
same_bytes=$(awk -v a="$upstream_bytes" -v b="$MODEL_BYTES" 'BEGIN {print (a == b) ? "PASS" : "FAIL"}')
say "goal cold upstream bytes = 1 x model size ($MODEL_BYTES bytes): $same_bytes ($upstream_bytes bytes, $upstream_ratio)"
