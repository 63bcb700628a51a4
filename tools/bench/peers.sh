#!/usr/bin/env bash
# peers: 4 nodes x 4 clients fetch one 256 MiB object, with the peer tier and without it.
#
# An upstream nginx serves a random file at `limit_rate 100m` (100 MiB/s per connection). Four `larder serve`
# processes with empty caches ("nodes") each get 4 concurrent clients (peers_driver.py, one barrier for all 16)
# asking /fetch?url=…&sha256=… for the object:
#   independent  four Larders that do not know each other (today's DaemonSet)
#   peers        the same four listed in a shared --peers-file (issue 14: one owner per object)
# plus one direct fetch from the upstream as the reference. Per run: wall time until all 16 clients have every
# byte, bytes the upstream sent (its access log), requests it served, and the X-Larder-Cache values.
# Goals (issue 14): peers upstream = 1 x object; peers wall <= 1.2 x one cold fetch.
#
#   tools/bench/peers.sh [--build|--no-build]
#
# Environment: BENCH_PEERS_MIB (256), BENCH_RATE ("100m"), BENCH_NODES (4), BENCH_CLIENTS (4), LARDER_BIN,
# BENCH_OUT, BENCH_TMPDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
parse_common_args "$@"

SIZE_MIB="${BENCH_PEERS_MIB:-256}"
RATE="${BENCH_RATE:-100m}"
NODES="${BENCH_NODES:-4}"
CLIENTS="${BENCH_CLIENTS:-4}"

bench_init
ensure_cmd curl curl
ensure_cmd python3 python3
ensure_cmd nginx nginx
find_larder
[ -n "${LARDER_SKIP:-}" ] && die "$LARDER_SKIP"

REPORT="$OUT_DIR/peers.txt"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
DRIVER="$BENCH_DIR/peers_driver.py"
start_throttled_upstream "$SIZE_MIB" "$RATE"
ENC="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$UPSTREAM_URL")"

# reference: one direct cold fetch
before="$(log_lines)"
python3 "$DRIVER" --clients 1 --expect-size "$SIZE" --sha256 "$HEX" --json "$BENCH_TMP/direct.json" "$UPSTREAM_URL" >/dev/null
DIRECT_WALL="$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["wall_s"])' "$BENCH_TMP/direct.json")"
log "direct: ${DIRECT_WALL}s"

declare -A WALL UPB UPN CACHE NOTE
# run_mode MODE: start NODES fresh Larders (peered or not), fan out, stop them.
run_mode() {
  local mode="$1" pids=() urls=() ports=() i port peers_file="$BENCH_TMP/$1.peers" rc=0
  : >"$peers_file"
  for ((i = 0; i < NODES; i++)); do
    port="$(free_port)"
    ports+=("$port")
    local extra=()
    [ "$mode" = peers ] && extra=(--peers-file "$peers_file" --peers-refresh 0.5)
    "$LARDER" serve --data "$BENCH_TMP/$mode-data-$i" --listen "127.0.0.1:$port" --max-size 4GiB \
      --allow-upstream 127.0.0.1 "${extra[@]}" >"$BENCH_TMP/$mode-$i.log" 2>&1 &
    pids+=($!)
    track "$!"
    urls+=("http://127.0.0.1:$port/fetch?url=$ENC&sha256=$HEX")
  done
  for ((i = 0; i < NODES; i++)); do
    wait_http "http://127.0.0.1:${ports[$i]}/healthz" 30 "${pids[$i]}" || die "node $i did not start: $(tail -n 3 "$BENCH_TMP/$mode-$i.log")"
  done
  if [ "$mode" = peers ]; then
    printf '127.0.0.1:%s\n' "${ports[@]}" >"$peers_file"
    for ((i = 0; i < NODES; i++)); do
      for _ in $(seq 1 100); do
        n="$(curl -fsS "http://127.0.0.1:${ports[$i]}/stats" | python3 -c 'import json,sys; print(len((json.load(sys.stdin).get("peers") or {}).get("members", [])))')"
        [ "$n" = "$NODES" ] && break
        sleep 0.1
      done
      [ "$n" = "$NODES" ] || die "node $i sees $n members, not $NODES"
    done
  fi
  local before; before="$(log_lines)"
  log "$mode: $NODES nodes x $CLIENTS clients, cold"
  python3 "$DRIVER" --clients "$CLIENTS" --expect-size "$SIZE" --sha256 "$HEX" --json "$BENCH_TMP/$mode.json" "${urls[@]}" >/dev/null || rc=$?
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  sleep 0.3
  read -r UPB[$mode] UPN[$mode] < <(python3 "$BENCH_PY" logsum "$UP_LOG" "$before")
  eval "$(python3 - "$BENCH_TMP/$mode.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
cache = ",".join(f"{k}:{v}" for k, v in sorted(s["cache"].items()))
print(f"wall={s['wall_s']:.3f} cache='{cache}' errs='{'; '.join(s['errors'][:3]).replace(chr(39), '')}'")
PY
)"
  WALL[$mode]="$wall"
  CACHE[$mode]="$cache"
  [ "$rc" != 0 ] && NOTE[$mode]="CLIENT ERRORS: $errs"
  log "$mode: wall ${wall}s, upstream ${UPB[$mode]} bytes in ${UPN[$mode]} request(s), cache [$cache]"
}

run_mode independent
run_mode peers

say "peers: ${SIZE_MIB} MiB object, upstream nginx limit_rate $RATE per connection, $NODES nodes x $CLIENTS clients"
say "machine: $(nproc) cores; larder: $LARDER"
hr 96 | tee -a "$REPORT"
say "$(printf '%-12s %8s %9s %12s %13s %8s  %s' mode clients wall_s x_direct upstream_MiB up_reqs cache)"
say "$(printf '%-12s %8s %9s %12s %13s %8s  %s' direct 1 "$DIRECT_WALL" 1.00 "$SIZE_MIB.0" 1 -)"
for mode in independent peers; do
  ratio="$(python3 -c "print('%.2f' % (${WALL[$mode]} / $DIRECT_WALL))")"
  mib="$(python3 -c "print('%.1f' % (${UPB[$mode]} / 2**20))")"
  say "$(printf '%-12s %8s %9s %12s %13s %8s  %s' "$mode" $((NODES * CLIENTS)) "${WALL[$mode]}" "$ratio" "$mib" "${UPN[$mode]}" "${CACHE[$mode]}")"
  [ -n "${NOTE[$mode]:-}" ] && say "             ^ ${NOTE[$mode]}"
done
hr 96 | tee -a "$REPORT"
v1="$(python3 -c "print('PASS' if ${UPB[peers]} == $SIZE else 'FAIL')")"
v2="$(python3 -c "print('PASS' if ${WALL[peers]} <= 1.2 * $DIRECT_WALL else 'FAIL')")"
[ -n "${NOTE[peers]:-}" ] && { v1="FAIL (client errors)"; v2="$v1"; }
say "$(printf '%-50s %s' "peers upstream bytes = 1 x object: ${UPB[peers]}" "$v1")"
say "$(printf '%-50s %s' "peers wall <= 1.2 x direct ($DIRECT_WALL s): ${WALL[peers]} s" "$v2")"
log "report: $REPORT"
