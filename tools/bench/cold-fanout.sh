#!/usr/bin/env bash
# cold-fanout: 16 clients ask for the same uncached object at once.
#
# An upstream nginx serves a 256 MiB random file at `limit_rate 100m` (nginx
# reads "100m" as 100 MiB/s = 104857600 bytes/s per connection, so one cold
# fetch takes ~2.6 s). 16 concurrent clients (fanout_client.py) fetch it cold
# through each peer, every peer starting with an empty cache:
#   larder   GET /fetch?url=<percent-encoded upstream URL> (single-flight)
#   nginx    proxy_cache + proxy_cache_lock on (lock timeout/age 10m)
#   varnish  varnishd -s malloc,1G, default VCL (request coalescing, streaming)
# plus one direct fetch from the upstream as the reference. Per peer: wall
# time until all 16 finished, median and max time to first body byte, bytes
# the upstream sent (sum of $body_bytes_sent in its access log), and the peak
# RssAnon of the peer's process tree (/proc/PID/status, sampled every 50 ms).
#
#   tools/bench/cold-fanout.sh [--build|--no-build]
#
# Environment: BENCH_COLD_MIB (256), BENCH_RATE (nginx limit_rate, "100m"),
# BENCH_FANOUT (16), BENCH_FETCH_SHA256 (1: pass &sha256= to Larder's /fetch),
# BENCH_PEERS ("larder nginx varnish"), LARDER_BIN, BENCH_OUT, BENCH_TMPDIR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
parse_common_args "$@"

SIZE_MIB="${BENCH_COLD_MIB:-256}"
RATE="${BENCH_RATE:-100m}"
FANOUT="${BENCH_FANOUT:-16}"
PEERS="${BENCH_PEERS:-larder nginx varnish}"
FETCH_SHA="${BENCH_FETCH_SHA256:-0}"
GOAL_RSS_MIB=150
GOAL_TTFB_FRAC=0.10

bench_init
ensure_cmd curl curl
ensure_cmd python3 python3
ensure_cmd nginx nginx
case " $PEERS " in *" varnish "*) ensure_cmd varnishd varnish ;; esac

REPORT="$OUT_DIR/cold-fanout.txt"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
CLIENT="$BENCH_DIR/fanout_client.py"

# --- upstream --------------------------------------------------------------------
start_throttled_upstream "$SIZE_MIB" "$RATE"

declare -A R_WALL R_TTFB_MED R_TTFB_MAX R_UP_BYTES R_UP_REQS R_RSS R_CACHE R_NOTE

# run_peer NAME URL PID CACHE_HEADER: fan out, measure, record.
run_peer() {
  local peer="$1" url="$2" pid="$3" header="$4" clients="${5:-$FANOUT}"
  local before mon_pid js="$BENCH_TMP/$peer.json" mem="$BENCH_TMP/$peer.mem.json" rc=0
  before="$(log_lines)"
  python3 "$BENCH_PY" mon "$pid" "$mem" 50 &
  mon_pid=$!
  track "$mon_pid"
  log "$peer: $clients concurrent client(s), cold"
  python3 "$CLIENT" "$url" --clients "$clients" --expect-size "$SIZE" --sha256 "$HEX" \
    ${header:+--cache-header "$header"} --timeout 120 --json "$js" || rc=$?
  stop_pid "$mon_pid"
  if [ "$peer" != direct ]; then
    stop_pid "$pid"   # ends any upstream transfer the peer still has open
  fi
  sleep 0.3         # let the upstream write its last access-log lines
  read -r up_bytes up_reqs < <(python3 "$BENCH_PY" logsum "$UP_LOG" "$before")
  eval "$(python3 - "$js" "$mem" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
try:
    m = json.load(open(sys.argv[2]))
except Exception:
    m = {"peak_rss_anon_kib": 0}
f = lambda v: "-" if v is None else f"{v:.3f}"
cache = ",".join(f"{k}:{v}" for k, v in sorted(s["cache"].items())) or "-"
print(f"wall={f(s['wall_s'])} tmed={f(s['ttfb_median_s'])} tmax={f(s['ttfb_max_s'])} "
      f"rss={m['peak_rss_anon_kib'] / 1024:.1f} cache='{cache}' ok={int(s['ok'])} "
      f"errs='{'; '.join(s['errors'][:3]).replace(chr(39), '')}'")
EOF
)"
  R_WALL[$peer]="$wall"
  R_TTFB_MED[$peer]="$tmed"
  R_TTFB_MAX[$peer]="$tmax"
  R_UP_BYTES[$peer]="$up_bytes"
  R_UP_REQS[$peer]="$up_reqs"
  R_RSS[$peer]="$rss"
  R_CACHE[$peer]="$cache"
  if [ "$ok" != 1 ] || [ "$rc" != 0 ]; then
    R_NOTE[$peer]="CLIENT ERRORS: $errs"
    log "$peer: client errors: $errs"
  fi
  log "$peer: wall ${wall}s, ttfb median ${tmed}s max ${tmax}s, upstream $up_bytes bytes in $up_reqs request(s), peak RssAnon ${rss} MiB, cache [$cache]"
}

# --- reference: one direct cold fetch -----------------------------------------------
run_peer direct "$UPSTREAM_URL" "$UP_PID" "" 1

# --- peers -------------------------------------------------------------------------
LARDER_SKIP=""
LARDER=""
for peer in $PEERS; do
  case "$peer" in
  larder)
    find_larder
    if [ -z "$LARDER_SKIP" ]; then
      LP="$(free_port)"
      if start_larder "$BENCH_TMP/larder-data" "$LP"; then
        enc="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$UPSTREAM_URL")"
        url="http://127.0.0.1:$LP/fetch?url=$enc"
        [ "$FETCH_SHA" = 1 ] && url="$url&sha256=$HEX"
        run_peer larder "$url" "$LARDER_PID" X-Larder-Cache
      fi
    fi
    [ -n "$LARDER_SKIP" ] && log "Larder: SKIPPED: $LARDER_SKIP"
    ;;
  nginx)
    NP="$(free_port)"
    NGX="$BENCH_TMP/nginx-cache"
    mkdir -p "$NGX/cache"
    {
      nginx_conf_common "$NGX"
      cat <<EOF
http {
$(nginx_http_common "$NGX")
    access_log off;
    sendfile on;
    proxy_cache_path $NGX/cache levels=1:2 keys_zone=bench:10m max_size=4g inactive=60m use_temp_path=off;
    server {
        listen 127.0.0.1:$NP;
        location = /__nginx_health { return 200 "ok\n"; }
        location / {
            proxy_pass http://127.0.0.1:$UP_PORT;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache bench;
            proxy_cache_valid 200 10m;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 10m;
            proxy_cache_lock_age 10m;
            add_header X-Cache-Status \$upstream_cache_status;
        }
    }
}
EOF
    } >"$NGX/nginx.conf"
    start_nginx "$NGX" "$NP"
    run_peer nginx "http://127.0.0.1:$NP/object.bin" "$NGINX_PID" X-Cache-Status
    ;;
  varnish)
    VP="$(free_port)"
    VN="$BENCH_TMP/varnish"
    mkdir -p "$VN"
    varnishd -F -n "$VN/work" -a "127.0.0.1:$VP" -b "127.0.0.1:$UP_PORT" -s malloc,1G -T none \
      >"$VN/varnishd.log" 2>&1 &
    VPID=$!
    track "$VPID"
    # the health URL goes through to the upstream, whose health location is not logged
    wait_http "http://127.0.0.1:$VP/__nginx_health" 20 "$VPID" \
      || die "varnishd did not come up: $(tail -n 5 "$VN/varnishd.log")"
    run_peer varnish "http://127.0.0.1:$VP/object.bin" "$VPID" X-Varnish
    ;;
  *) die "unknown peer $peer" ;;
  esac
done

# --- report --------------------------------------------------------------------------
f2() { python3 -c "import sys; print(sys.argv[1] % float(sys.argv[2]))" "$@"; }
say "cold-fanout: ${SIZE_MIB} MiB object, upstream nginx limit_rate $RATE per connection, $FANOUT concurrent cold clients"
say "machine: $(nproc) cores; nginx $(nginx -v 2>&1 | sed 's|.*/||'); $(varnishd -V 2>&1 | head -n 1 | sed 's/ revision.*//;s/^varnishd (//;s/)$//'); larder: ${LARDER:-none}$([ "$FETCH_SHA" = 1 ] && echo ' (/fetch with &sha256=)')"
hr 100 | tee -a "$REPORT"
say "$(printf '%-10s %8s %8s %11s %11s %13s %7s %14s  %s' peer clients wall_s ttfb_med_s ttfb_max_s upstream_MiB up_reqs peak_anon_MiB cache)"
for peer in direct $PEERS; do
  n="$FANOUT"; [ "$peer" = direct ] && n=1
  if [ -z "${R_WALL[$peer]:-}" ]; then
    say "$(printf '%-10s %8s %8s %11s %11s %13s %7s %14s  %s' "$peer" "$n" - - - - - - "skipped")"
    continue
  fi
  mib="$(f2 %.1f "$(python3 -c "print(${R_UP_BYTES[$peer]} / 2**20)")")"
  say "$(printf '%-10s %8s %8s %11s %11s %13s %7s %14s  %s' "$peer" "$n" "${R_WALL[$peer]}" "${R_TTFB_MED[$peer]}" \
    "${R_TTFB_MAX[$peer]}" "$mib" "${R_UP_REQS[$peer]}" "${R_RSS[$peer]}" "${R_CACHE[$peer]}")"
  [ -n "${R_NOTE[$peer]:-}" ] && say "           ^ ${R_NOTE[$peer]}"
done
hr 100 | tee -a "$REPORT"
if [ -n "${R_TTFB_MED[varnish]:-}" ] && [ "${R_TTFB_MED[varnish]}" != - ]; then
  streams="$(python3 -c "print('yes: coalesced clients get bytes while the fetch runs' if ${R_TTFB_MED[varnish]} < 0.5 * ${R_WALL[direct]} else 'NO: waiters got nothing until the fetch finished')")"
  say "varnish streaming (beresp.do_stream, default on): $streams"
fi

# verdict LABEL GOAL CONDITION_PY: PASS/FAIL/SKIPPED against the Larder row.
verdict() {
  local label="$1" goal="$2" value="$3" cond="$4"
  if [ -z "${R_WALL[larder]:-}" ]; then
    say "$(printf '%-44s %-26s %s' "$label" "(goal $goal)" "SKIPPED")"
    return
  fi
  local v; v="$(python3 -c "print('PASS' if ($cond) else 'FAIL')")"
  [ -n "${R_NOTE[larder]:-}" ] && v="FAIL (client errors)"
  say "$(printf '%-44s %-26s %s' "$label: $value" "(goal $goal)" "$v")"
}
if [ -n "${R_WALL[larder]:-}" ]; then
  ref="${R_WALL[direct]}"
  if [ -n "${R_WALL[varnish]:-}" ] && [ "${R_WALL[varnish]}" != - ]; then
    verdict "larder wall vs varnish" "<= varnish ${R_WALL[varnish]}s" "${R_WALL[larder]}s" \
      "${R_WALL[larder]} <= ${R_WALL[varnish]}"
  else
    say "$(printf '%-44s %-26s %s' "larder wall vs varnish: ${R_WALL[larder]}s" "(goal <= varnish)" "SKIPPED (varnish not run)")"
  fi
  verdict "larder median TTFB" "< 10% of $(f2 %.3f "$ref")s" "${R_TTFB_MED[larder]}s" \
    "${R_TTFB_MED[larder]} < $GOAL_TTFB_FRAC * $ref"
  verdict "larder upstream bytes" "= 1 x $SIZE" "${R_UP_BYTES[larder]}" "${R_UP_BYTES[larder]} == $SIZE"
  verdict "larder peak RssAnon" "< $GOAL_RSS_MIB MiB" "${R_RSS[larder]} MiB" "${R_RSS[larder]} < $GOAL_RSS_MIB"
else
  verdict "larder wall vs varnish" "<= varnish" "" ""
  verdict "larder median TTFB" "< 10% of one cold fetch" "" ""
  verdict "larder upstream bytes" "= 1 x object size" "" ""
  verdict "larder peak RssAnon" "< $GOAL_RSS_MIB MiB" "" ""
  say "Larder SKIPPED: ${LARDER_SKIP:-not in BENCH_PEERS}"
fi
log "report: $REPORT"
for peer in direct $PEERS; do
  if [ "$peer" != larder ] && [ -n "${R_NOTE[$peer]:-}" ]; then
    die "$peer: ${R_NOTE[$peer]} (a reference peer failed: the benchmark itself is broken)"
  fi
done
