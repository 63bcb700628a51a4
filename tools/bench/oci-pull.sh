#!/usr/bin/env bash
# oci-pull: `skopeo copy` of a generated multi-layer image through Larder's OCI mirror vs through docker-registry
# configured as a pull-through cache (`proxy: remoteurl:`), both in front of the same upstream docker-registry
# throttled by an nginx proxy (`limit_rate`, per connection). Phases: one cold pull, one warm pull, and CLIENTS
# concurrent cold pulls (each on a fresh cache). The warm reference is the same pull straight from the upstream
# docker-registry (no throttle). Reported: wall times, ratios, and the bytes the throttled upstream sent per phase.
# Goals (issue 10): Larder <= the distribution proxy in every phase, exactly 1 x the image's bytes from the
# upstream under concurrency, warm pull <= 1.1 x the plain docker-registry.
#
#   tools/bench/oci-pull.sh [--build|--no-build]
#
# Environment: BENCH_OCI_MIB (image size, 500), BENCH_OCI_LAYERS (5), BENCH_OCI_CLIENTS (8), BENCH_RATE (nginx
# limit_rate, "100m"), LARDER_BIN, BENCH_OUT, BENCH_TMPDIR. Needs docker-registry, skopeo and nginx (Debian).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
parse_common_args "$@"

SIZE_MIB="${BENCH_OCI_MIB:-500}"
LAYERS="${BENCH_OCI_LAYERS:-5}"
CLIENTS="${BENCH_OCI_CLIENTS:-8}"
RATE="${BENCH_RATE:-100m}"

bench_init
ensure_cmd curl curl
ensure_cmd nginx nginx
ensure_cmd skopeo skopeo
ensure_cmd docker-registry docker-registry
find_larder
[ -n "$LARDER" ] || die "no larder binary: $LARDER_SKIP"

REPORT="$OUT_DIR/oci-pull.txt"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

# Pulled images land in memory when it has room, so client disk writes do not dominate.
PULLS="$BENCH_TMP/pulls"
need_kb=$(( (SIZE_MIB + 50) * CLIENTS * 1024 ))
if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR==2 {print $4}')" -gt "$need_kb" ]; then
  PULLS="$(mktemp -d /dev/shm/larder-oci-bench.XXXXXX)"
  trap 'rc=$?; set +e; rm -rf "$PULLS"; (exit "$rc"); _bench_cleanup' EXIT
fi
mkdir -p "$PULLS"
POLICY="$BENCH_TMP/policy.json"
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$POLICY"
NAME="bench/app"

# --- servers -----------------------------------------------------------------------
# start_registry DIR PORT [EXTRA_YAML]: docker-registry with filesystem storage in DIR. Sets REG_PID.
start_registry() {
  local dir="$1" port="$2" extra="${3:-}"
  mkdir -p "$dir"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$port
  secret: larder-bench
$extra
EOF
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  REG_PID=$!
  track "$REG_PID"
  wait_http "http://127.0.0.1:$port/v2/" 30 "$REG_PID" || die "docker-registry did not start on $port: $(tail -n 5 "$dir/log")"
}

# start_larder_mirror DATA PORT UPSTREAM_HOSTPORT: sets LARDER_PID.
start_larder_mirror() {
  local data="$1" port="$2" up="$3"
  mkdir -p "$data"
  "$LARDER" serve --data "$data" --listen "127.0.0.1:$port" --max-size 16GiB \
    --registry "$up=http://$up" --default-registry "$up" >"$data.log" 2>&1 &
  LARDER_PID=$!
  track "$LARDER_PID"
  wait_http "http://127.0.0.1:$port/healthz" 30 "$LARDER_PID" || die "larder serve did not start: $(tail -n 5 "$data.log")"
}

# --- the image and the upstream ---------------------------------------------------------
log "generating a ${SIZE_MIB} MiB image of $LAYERS layers"
python3 "$REPO_ROOT/Tests/LarderOCITests/Fixtures/oci_fixtures.py" image "$BENCH_TMP/layout" v1 --layers "$LAYERS" \
  --size $(( SIZE_MIB * 1024 * 1024 / LAYERS )) >"$BENCH_TMP/image.json"
IMAGE_BYTES="$(du -sb "$BENCH_TMP/layout/blobs" | cut -f1)"

UP_PORT="$(free_port)"
start_registry "$BENCH_TMP/upstream" "$UP_PORT"
skopeo --policy "$POLICY" copy -q --dest-tls-verify=false "oci:$BENCH_TMP/layout:v1" "docker://127.0.0.1:$UP_PORT/$NAME:v1" \
  || die "pushing the image to the upstream failed"

# The throttle: nginx in front of the upstream, limit_rate per connection, an access log of bytes sent.
TH_PORT="$(free_port)"
TH="$BENCH_TMP/throttle"
TH_LOG="$TH/logs/access.log"
mkdir -p "$TH"
{
  nginx_conf_common "$TH"
  cat <<EOF
http {
$(nginx_http_common "$TH")
    log_format bench '\$status \$request_time \$body_bytes_sent \$bytes_sent \$request_uri';
    access_log $TH_LOG bench;
    client_max_body_size 0;
    server {
        listen 127.0.0.1:$TH_PORT;
        location = /__nginx_health { access_log off; return 200 "ok\n"; }
        location / {
            proxy_pass http://127.0.0.1:$UP_PORT;
            proxy_set_header Host \$http_host;
            proxy_http_version 1.1;
            proxy_buffering off;
            limit_rate $RATE;
        }
    }
}
EOF
} >"$TH/nginx.conf"
start_nginx "$TH" "$TH_PORT"
UPSTREAM="127.0.0.1:$TH_PORT"

log_lines() { if [ -f "$TH_LOG" ]; then wc -l <"$TH_LOG"; else echo 0; fi; }
upstream_bytes_since() { sleep 0.3; python3 "$BENCH_PY" logsum "$TH_LOG" "$1" | cut -d' ' -f1; }

# pulls HOSTPORT N: N concurrent skopeo pulls of the image from HOSTPORT; prints the wall seconds.
pulls() {
  local from="$1" n="$2" i pids=() start end rc=0
  start="$(date +%s.%N)"
  for i in $(seq 1 "$n"); do
    skopeo --policy "$POLICY" copy -q --src-tls-verify=false "docker://$from/$NAME:v1" "dir:$PULLS/p$i" >"$BENCH_TMP/pull-$i.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  end="$(date +%s.%N)"
  [ "$rc" = 0 ] || die "a pull from $from failed: $(cat "$BENCH_TMP"/pull-*.log | tail -n 5)"
  rm -rf "$PULLS"/p*
  python3 -c "print(f'{$end - $start:.2f}')"
}

declare -A WALL UPB
# run_peer NAME: cold, warm, then CLIENTS concurrent cold pulls on a fresh instance.
run_peer() {
  local peer="$1" port before
  for phase in cold concurrent; do
    port="$(free_port)"
    if [ "$peer" = larder ]; then
      start_larder_mirror "$BENCH_TMP/$peer-$phase" "$port" "$UPSTREAM"; pid="$LARDER_PID"
    else
      start_registry "$BENCH_TMP/$peer-$phase" "$port" "proxy:
  remoteurl: http://$UPSTREAM"; pid="$REG_PID"
    fi
    before="$(log_lines)"
    if [ "$phase" = cold ]; then
      log "$peer: cold pull"
      WALL[$peer-cold]="$(pulls "127.0.0.1:$port" 1)"
      UPB[$peer-cold]="$(upstream_bytes_since "$before")"
      log "$peer: warm pull"
      WALL[$peer-warm]="$(pulls "127.0.0.1:$port" 1)"
    else
      log "$peer: $CLIENTS concurrent cold pulls"
      WALL[$peer-concurrent]="$(pulls "127.0.0.1:$port" "$CLIENTS")"
      UPB[$peer-concurrent]="$(upstream_bytes_since "$before")"
    fi
    stop_pid "$pid"
  done
}

log "plain docker-registry (the warm reference): pull straight from the upstream"
WALL[plain]="$(pulls "127.0.0.1:$UP_PORT" 1)"
run_peer larder
run_peer proxy

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
mib() { python3 -c "print(f'{$1 / 1048576:.1f}')"; }
say "oci-pull: ${SIZE_MIB} MiB image, $LAYERS layers ($(mib "$IMAGE_BYTES") MiB of blobs), upstream docker-registry behind nginx limit_rate $RATE"
say "skopeo $(skopeo --version | cut -d' ' -f3), $(docker-registry --version | cut -d' ' -f2-), larder $LARDER"
hr | tee -a "$REPORT"
printf '%-26s %10s %10s %10s %16s\n' phase larder_s proxy_s ratio upstream_MiB_L/P | tee -a "$REPORT"
for phase in cold warm concurrent; do
  up="-"
  [ "$phase" != warm ] && up="$(mib "${UPB[larder-$phase]}")/$(mib "${UPB[proxy-$phase]}")"
  label="$phase"
  [ "$phase" = concurrent ] && label="$CLIENTS concurrent cold"
  printf '%-26s %10s %10s %10s %16s\n' "$label" "${WALL[larder-$phase]}" "${WALL[proxy-$phase]}" \
    "$(ratio "${WALL[larder-$phase]}" "${WALL[proxy-$phase]}")" "$up" | tee -a "$REPORT"
done
hr | tee -a "$REPORT"
say "warm larder / plain docker-registry: $(ratio "${WALL[larder-warm]}" "${WALL[plain]}") (plain ${WALL[plain]} s; goal <= 1.1)"
say "upstream bytes / image bytes under $CLIENTS concurrent pulls: larder $(ratio "${UPB[larder-concurrent]}" "$IMAGE_BYTES"), proxy $(ratio "${UPB[proxy-concurrent]}" "$IMAGE_BYTES") (goal: larder 1.00)"
log "report: $REPORT"
