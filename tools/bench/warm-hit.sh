#!/usr/bin/env bash
# warm-hit: serving an object that is already cached, Larder vs nginx.
#
# A 1 GiB random file is served by nginx (sendfile on) and stored in Larder
# (PUT /blobs/sha256:<hex>). curl downloads it to /dev/null with 1 and with 8
# concurrent clients, BENCH_REPS times each; the median wall time is reported
# with MB/s (10^6 bytes/s, all clients together), the ratio Larder/nginx, and
# the CPU seconds each server process tree used per GiB served (utime+stime
# deltas from /proc/PID/stat).
#
#   tools/bench/warm-hit.sh [--build|--no-build]
#
# Environment: BENCH_SIZE_MIB (1024), BENCH_REPS (5), BENCH_CLIENTS ("1 8"),
# LARDER_BIN (use this binary instead of .build/release/larder),
# BENCH_OUT (report dir, default tools/bench/out), BENCH_TMPDIR (scratch, /tmp).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
parse_common_args "$@"

SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
REPS="${BENCH_REPS:-5}"
CLIENTS="${BENCH_CLIENTS:-1 8}"
GOAL_1=1.3
GOAL_8=1.5

bench_init
ensure_cmd curl curl
ensure_cmd python3 python3
ensure_cmd nginx nginx

REPORT="$OUT_DIR/warm-hit.txt"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

SIZE=$((SIZE_MIB * 1024 * 1024))
log "creating a ${SIZE_MIB} MiB random file"
mkdir -p "$BENCH_TMP/www"
OBJ="$BENCH_TMP/www/object.bin"
make_random_file "$OBJ" "$SIZE_MIB"
HEX="$(sha256sum "$OBJ" | cut -d' ' -f1)"

# --- nginx -------------------------------------------------------------------
start_static_nginx "$BENCH_TMP/nginx" "$BENCH_TMP/www"
NGX_URL="http://127.0.0.1:$NGX_PORT/object.bin"

# --- Larder ------------------------------------------------------------------
find_larder
LARDER_URL=""
if [ -z "$LARDER_SKIP" ]; then
  LARDER_PORT="$(free_port)"
  if start_larder "$BENCH_TMP/larder-data" "$LARDER_PORT"; then
    log "storing the object in Larder (PUT /blobs/sha256:$HEX)"
    code="$(curl -sS -o "$BENCH_TMP/put.out" -w '%{http_code}' -T "$OBJ" \
      "http://127.0.0.1:$LARDER_PORT/blobs/sha256:$HEX")" || code="curl-failed"
    case "$code" in
      2??) LARDER_URL="http://127.0.0.1:$LARDER_PORT/blobs/sha256:$HEX" ;;
      *) LARDER_SKIP="PUT /blobs answered $code: $(head -c 200 "$BENCH_TMP/put.out" 2>/dev/null)" ;;
    esac
    if [ -n "$LARDER_URL" ]; then
      got="$(curl -sS "$LARDER_URL" | sha256sum | cut -d' ' -f1)"
      if [ "$got" != "$HEX" ]; then
        LARDER_SKIP="GET /blobs returned different bytes (sha256 $got, expected $HEX)"
        LARDER_URL=""
      fi
    fi
  fi
fi
[ -n "$LARDER_SKIP" ] && log "Larder: SKIPPED: $LARDER_SKIP"

# --- measurement -------------------------------------------------------------
declare -A WALL CPU

# run_clients URL N: N parallel curls; prints "WALL_S" or fails on a bad download.
run_clients() {
  local url="$1" n="$2" i pid rc=0
  local res="$BENCH_TMP/res.$n"
  local t0 t1
  rm -f "$res".*
  t0="$(date +%s.%N)"
  local pids=()
  for ((i = 0; i < n; i++)); do
    curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$url" >"$res.$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  t1="$(date +%s.%N)"
  [ "$rc" = 0 ] || { log "a curl failed ($url)"; return 1; }
  for ((i = 0; i < n; i++)); do
    read -r code size <"$res.$i"
    if [ "$code" != 200 ] || [ "$size" != "$SIZE" ]; then
      log "bad download from $url: HTTP $code, $size bytes (expected 200, $SIZE)"
      return 1
    fi
  done
  python3 -c "print(f'{$t1 - $t0:.4f}')"
}

# measure PEER URL PID
measure() {
  local peer="$1" url="$2" pid="$3" n rep w c0 c1 walls cpus
  log "$peer: warm-up fetch"
  run_clients "$url" 1 >/dev/null || return 1
  for n in $CLIENTS; do
    walls=()
    cpus=()
    for ((rep = 1; rep <= REPS; rep++)); do
      c0="$(python3 "$BENCH_PY" cpu "$pid")"
      w="$(run_clients "$url" "$n")" || return 1
      c1="$(python3 "$BENCH_PY" cpu "$pid")"
      walls+=("$w")
      cpus+=("$(python3 -c "print(f'{$c1 - $c0:.3f}')")")
      log "$peer: $n client(s), rep $rep: ${w}s, server cpu $(python3 -c "print(f'{$c1 - $c0:.2f}')")s"
    done
    WALL[$peer,$n]="$(python3 "$BENCH_PY" median "${walls[@]}")"
    CPU[$peer,$n]="$(python3 "$BENCH_PY" median "${cpus[@]}")"
  done
}

measure nginx "$NGX_URL" "$NGINX_PID" || die "nginx downloads failed: the benchmark itself is broken"
# Stop nginx so that its idle workers do not share the CPUs with Larder's run.
stop_pid "$NGINX_PID"
LARDER_FAILED=""
if [ -n "$LARDER_URL" ]; then
  if ! measure larder "$LARDER_URL" "$LARDER_PID"; then
    LARDER_FAILED="a download from Larder failed (see the log above)"
    for n in $CLIENTS; do unset "WALL[larder,$n]"; done
  fi
fi

# --- report ------------------------------------------------------------------
fmt() { python3 -c "import sys; print(sys.argv[1] % float(sys.argv[2]))" "$@"; }
say "warm-hit: ${SIZE_MIB} MiB object already cached, curl to /dev/null, median of $REPS"
say "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); nginx $(nginx -v 2>&1 | sed 's|.*/||'); larder: ${LARDER:-none}"
hr | tee -a "$REPORT"
say "$(printf '%-8s %8s %10s %10s %14s' peer clients wall_s MB/s cpu_s/GiB)"
for n in $CLIENTS; do
  for peer in nginx larder; do
    if [ -z "${WALL[$peer,$n]:-}" ]; then
      say "$(printf '%-8s %8s %10s %10s %14s' "$peer" "$n" - - -)"
      continue
    fi
    w="${WALL[$peer,$n]}"
    mbs="$(python3 -c "print(f'{$n * $SIZE / $w / 1e6:.0f}')")"
    cpg="$(python3 -c "print(f'{${CPU[$peer,$n]} / ($n * $SIZE / 2**30):.3f}')")"
    say "$(printf '%-8s %8s %10s %10s %14s' "$peer" "$n" "$(fmt %.3f "$w")" "$mbs" "$cpg")"
  done
done
hr | tee -a "$REPORT"
for n in $CLIENTS; do
  goal="$GOAL_8"
  [ "$n" = 1 ] && goal="$GOAL_1"
  if [ -n "${WALL[larder,$n]:-}" ]; then
    ratio="$(python3 -c "print(f'{${WALL[larder,$n]} / ${WALL[nginx,$n]}:.2f}')")"
    verdict="$(python3 -c "print('PASS' if $ratio <= $goal else 'FAIL')")"
    say "$(printf 'ratio larder/nginx wall, %s client(s): %s   (goal <= %s)  %s' "$n" "$ratio" "$goal" "$verdict")"
  elif [ -n "$LARDER_FAILED" ]; then
    say "$(printf 'ratio larder/nginx wall, %s client(s): n/a    (goal <= %s)  FAIL (download failed)' "$n" "$goal")"
  else
    say "$(printf 'ratio larder/nginx wall, %s client(s): n/a    (goal <= %s)  SKIPPED' "$n" "$goal")"
  fi
done
[ -n "$LARDER_FAILED" ] && say "Larder FAILED: $LARDER_FAILED"
[ -n "$LARDER_SKIP" ] && say "Larder SKIPPED: $LARDER_SKIP"
log "report: $REPORT"
