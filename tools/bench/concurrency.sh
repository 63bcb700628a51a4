#!/usr/bin/env bash
# concurrency: many readers of one cached blob at once, Larder vs nginx (sendfile).
#
# A random file (BENCH_SIZE_MIB, default 256) is served by nginx (sendfile on)
# and stored in Larder. For each reader count in BENCH_READERS ("1 8 32 64"),
# BENCH_REPS (3) bursts of that many concurrent `curl -o /dev/null` run against
# nginx and against Larder, interleaved (nginx, Larder, nginx, Larder, ...).
# Reported per count: median wall time and the ratio Larder/nginx, server CPU
# seconds per GiB served, Larder's peak RssAnon during the bursts (sampled every
# 20 ms) and its RssAnon one second after each burst, next to its idle level.
#
# Goals (issue 19): peak RssAnon <= 64 MiB + 2 MiB x readers; after each burst
# within 16 MiB of idle and no growth across repetitions; wall <= 1.1 x nginx;
# CPU per GiB <= nginx's.
#
#   tools/bench/concurrency.sh [--build|--no-build]
#
# Environment: BENCH_SIZE_MIB, BENCH_READERS, BENCH_REPS, LARDER_BIN,
# BENCH_OUT (report dir, default tools/bench/out), BENCH_TMPDIR (scratch, /tmp).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
parse_common_args "$@"

SIZE_MIB="${BENCH_SIZE_MIB:-256}"
READERS="${BENCH_READERS:-1 8 32 64}"
REPS="${BENCH_REPS:-3}"

bench_init
ensure_cmd curl curl
ensure_cmd python3 python3
ensure_cmd nginx nginx

REPORT="$OUT_DIR/concurrency.txt"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
py() { python3 -c "$1"; }

SIZE=$((SIZE_MIB * 1024 * 1024))
log "creating a ${SIZE_MIB} MiB random file"
mkdir -p "$BENCH_TMP/www"
OBJ="$BENCH_TMP/www/object.bin"
make_random_file "$OBJ" "$SIZE_MIB"
HEX="$(sha256sum "$OBJ" | cut -d' ' -f1)"

start_static_nginx "$BENCH_TMP/nginx" "$BENCH_TMP/www"
NGX_URL="http://127.0.0.1:$NGX_PORT/object.bin"

find_larder
[ -n "$LARDER" ] || die "no larder binary: $LARDER_SKIP"
LARDER_PORT="$(free_port)"
start_larder "$BENCH_TMP/larder-data" "$LARDER_PORT" || die "$LARDER_SKIP"
LARDER_URL="http://127.0.0.1:$LARDER_PORT/blobs/sha256:$HEX"
code="$(curl -sS -o /dev/null -w '%{http_code}' -T "$OBJ" "$LARDER_URL")"
case "$code" in 2??) ;; *) die "PUT /blobs answered $code" ;; esac
[ "$(curl -sS "$LARDER_URL" | sha256sum | cut -d' ' -f1)" = "$HEX" ] || die "Larder returned different bytes"

rss_anon_mib() { awk '/^RssAnon:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# burst URL N: N parallel curls; prints the wall seconds, fails on any bad download.
burst() {
  local url="$1" n="$2" i rc=0 t0 t1 res="$BENCH_TMP/res"
  rm -f "$res".*
  local pids=()
  t0="$(date +%s.%N)"
  for ((i = 0; i < n; i++)); do
    curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$url" >"$res.$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  t1="$(date +%s.%N)"
  [ "$rc" = 0 ] || { log "a curl failed ($url)"; return 1; }
  for ((i = 0; i < n; i++)); do
    read -r c s <"$res.$i"
    [ "$c" = 200 ] && [ "$s" = "$SIZE" ] || { log "bad download from $url: HTTP $c, $s bytes"; return 1; }
  done
  py "print(f'{$t1 - $t0:.4f}')"
}

# measured PEER URL PID N: one burst with CPU accounting (and RSS sampling for Larder).
# Sets B_WALL, B_CPU, B_PEAK (MiB), B_AFTER (MiB).
measured() {
  local peer="$1" url="$2" pid="$3" n="$4" c0 c1 mon=""
  B_PEAK="-"; B_AFTER="-"
  if [ "$peer" = larder ]; then
    python3 "$BENCH_PY" mon "$pid" "$BENCH_TMP/mon.json" 20 &
    mon=$!
  fi
  c0="$(python3 "$BENCH_PY" cpu "$pid")"
  B_WALL="$(burst "$url" "$n")" || return 1
  c1="$(python3 "$BENCH_PY" cpu "$pid")"
  B_CPU="$(py "print(f'{$c1 - $c0:.3f}')")"
  if [ -n "$mon" ]; then
    kill -TERM "$mon"; wait "$mon" || true
    B_PEAK="$(py "import json; print(f\"{json.load(open('$BENCH_TMP/mon.json'))['peak_rss_anon_kib'] / 1024:.1f}\")")"
    sleep 1
    B_AFTER="$(rss_anon_mib "$pid")"
  fi
}

log "warm-up"
burst "$NGX_URL" 1 >/dev/null
burst "$LARDER_URL" 1 >/dev/null
sleep 1
IDLE="$(rss_anon_mib "$LARDER_PID")"
log "Larder idle RssAnon: $IDLE MiB"

declare -A WALL CPU PEAK AFTERS
for n in $READERS; do
  nw=(); lw=(); nc=(); lc=(); peaks=(); afters=()
  for ((rep = 1; rep <= REPS; rep++)); do
    measured nginx "$NGX_URL" "$NGINX_PID" "$n" || die "nginx burst failed: the benchmark itself is broken"
    nw+=("$B_WALL"); nc+=("$B_CPU")
    measured larder "$LARDER_URL" "$LARDER_PID" "$n" || die "Larder burst of $n failed"
    lw+=("$B_WALL"); lc+=("$B_CPU"); peaks+=("$B_PEAK"); afters+=("$B_AFTER")
    log "$n readers, rep $rep: nginx ${nw[-1]}s cpu ${nc[-1]}s | larder ${B_WALL}s cpu ${B_CPU}s peak ${B_PEAK} MiB after ${B_AFTER} MiB"
  done
  WALL[nginx,$n]="$(python3 "$BENCH_PY" median "${nw[@]}")"
  WALL[larder,$n]="$(python3 "$BENCH_PY" median "${lw[@]}")"
  CPU[nginx,$n]="$(python3 "$BENCH_PY" median "${nc[@]}")"
  CPU[larder,$n]="$(python3 "$BENCH_PY" median "${lc[@]}")"
  PEAK[$n]="$(py "print(max([$(IFS=,; echo "${peaks[*]}")]))")"
  AFTERS[$n]="${afters[*]}"
done

gib() { py "print($1 * $SIZE / 2**30)"; }
say "concurrency: ${SIZE_MIB} MiB blob already cached, N concurrent curl readers, median of $REPS interleaved bursts"
say "machine: $(nproc) cores; nginx $(nginx -v 2>&1 | sed 's|.*/||') (sendfile); larder: $LARDER; Larder idle RssAnon $IDLE MiB"
hr 100 | tee -a "$REPORT"
say "$(printf '%7s %9s %9s %7s %10s %10s %10s %24s' readers nginx_s larder_s ratio ngx_cpu/G ldr_cpu/G peak_MiB 'after-burst MiB (reps)')"

for n in $READERS; do
  g="$(gib "$n")"
  ratio="$(py "print(f'{${WALL[larder,$n]} / ${WALL[nginx,$n]}:.2f}')")"
  ncpg="$(py "print(f'{${CPU[nginx,$n]} / $g:.3f}')")"
  lcpg="$(py "print(f'{${CPU[larder,$n]} / $g:.3f}')")"
  say "$(printf '%7s %9.3f %9.3f %7s %10s %10s %10s %24s' "$n" "${WALL[nginx,$n]}" "${WALL[larder,$n]}" "$ratio" "$ncpg" "$lcpg" "${PEAK[$n]}" "${AFTERS[$n]}")"
done
hr 100 | tee -a "$REPORT"
verdict() { if py "import sys; sys.exit(0 if ($1) else 1)"; then echo PASS; else echo FAIL; fi; }
for n in $READERS; do
  g="$(gib "$n")"
  bound=$((64 + 2 * n))
  afters="${AFTERS[$n]// /,}"
  say "$(printf '%3s readers: peak %s MiB <= %s MiB: %s; after-burst within 16 MiB of idle: %s; wall ratio <= 1.1: %s; cpu/GiB <= nginx: %s' \
    "$n" "${PEAK[$n]}" "$bound" "$(verdict "${PEAK[$n]} <= $bound")" \
    "$(verdict "max([$afters]) - $IDLE <= 16")" \
    "$(verdict "${WALL[larder,$n]} / ${WALL[nginx,$n]} <= 1.1")" \
    "$(verdict "${CPU[larder,$n]} <= ${CPU[nginx,$n]}")")"
done
log "report: $REPORT"
