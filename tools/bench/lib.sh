# shellcheck shell=bash
# Shared helpers for the Larder benchmarks. Source it; do not run it.
# Everything listens on and talks to 127.0.0.1 only.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
OUT_DIR="${BENCH_OUT:-$BENCH_DIR/out}"
BENCH_PY="$BENCH_DIR/benchutil.py"

_BENCH_PIDS=()
_BENCH_TMP=""

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- cleanup ---------------------------------------------------------------

_bench_cleanup() {
  local rc=$?
  set +e
  local i pid
  for ((i = ${#_BENCH_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${_BENCH_PIDS[$i]}"
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${_BENCH_PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ -n "$_BENCH_TMP" ] && [ -d "$_BENCH_TMP" ]; then
    rm -rf "$_BENCH_TMP"
  fi
  exit "$rc"
}

bench_init() {
  trap _bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  _BENCH_TMP="$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/larder-bench.XXXXXX")"
  # varnishd's worker drops privileges: it must be able to enter the dir.
  chmod 755 "$_BENCH_TMP"
  mkdir -p "$OUT_DIR"
  BENCH_TMP="$_BENCH_TMP"
}

# Track a background process started by the caller: `cmd & track $!`.
track() { _BENCH_PIDS+=("$1"); }

# Stop one tracked server now (TERM, then KILL after 5 s).
stop_pid() {
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

# --- prerequisites ---------------------------------------------------------

_APT_UPDATED=0
# ensure_cmd COMMAND DEBIAN_PACKAGE: install the package when the command is missing.
ensure_cmd() {
  local cmd="$1" pkg="$2"
  if command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ]; then
    return 0
  fi
  log "installing $pkg (for $cmd)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ "$_APT_UPDATED" = 0 ]; then
    $sudo apt-get update -qq >/dev/null
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || die "$cmd still missing after installing $pkg"
}

# Debian installs nginx and varnishd in /usr/sbin, which may not be on PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin" ;; esac
export PATH

# --- ports, HTTP -------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL TIMEOUT_S [PID]: wait for a 2xx; fail early if PID died.
wait_http() {
  local url="$1" timeout="$2" pid="${3:-}"
  local deadline=$((SECONDS + timeout))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
    sleep 0.1
  done
  return 1
}

# --- data --------------------------------------------------------------------

# make_random_file PATH MIB
make_random_file() {
  local path="$1" mib="$2"
  head -c "$((mib * 1024 * 1024))" /dev/urandom >"$path"
}

# --- servers -------------------------------------------------------------------

# nginx_conf_common PREFIX: the top of an nginx.conf whose every path is in PREFIX.
nginx_conf_common() {
  local prefix="$1"
  mkdir -p "$prefix/logs" "$prefix/tmp"
  cat <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 1024; }
EOF
}

nginx_http_common() {
  local prefix="$1"
  cat <<EOF
    client_body_temp_path $prefix/tmp/client_body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    default_type application/octet-stream;
    keepalive_timeout 65;
EOF
}

# start_nginx PREFIX: conf must be at PREFIX/nginx.conf. Sets NGINX_PID.
# start_static_nginx DIR ROOT [EXTRA_LOCATIONS]: nginx serving ROOT from disk with sendfile (the peer a user
# would put in front of files), on a free loopback port, its prefix in DIR. EXTRA_LOCATIONS are more
# `location` blocks. Sets NGX_PORT; NGINX_PID as start_nginx does.
start_static_nginx() {
  local prefix="$1" root="$2" extra="${3:-}"
  NGX_PORT="$(free_port)"
  mkdir -p "$prefix"
  {
    nginx_conf_common "$prefix"
    cat <<EOF
http {
$(nginx_http_common "$prefix")
    access_log off;
    sendfile on;
    tcp_nopush on;
    server {
        listen 127.0.0.1:$NGX_PORT;
        root $root;
        location = /__nginx_health { return 200 "ok\n"; }
$extra
        location / { }
    }
}
EOF
  } >"$prefix/nginx.conf"
  start_nginx "$prefix" "$NGX_PORT"
}

# start_throttled_upstream SIZE_MIB RATE: an nginx upstream serving a random SIZE_MIB file, /object.bin, at
# `limit_rate RATE` per connection, with an access log of `status request_time body_bytes_sent bytes_sent uri`.
# Sets UP, UP_PORT, UP_LOG, UP_PID, HEX (the file's sha256), SIZE (bytes) and UPSTREAM_URL; log_lines counts the
# access log's lines (upstream requests so far).
start_throttled_upstream() {
  local size_mib="$1" rate="$2"
  SIZE=$((size_mib * 1024 * 1024))
  log "creating a ${size_mib} MiB random file"
  UP="$BENCH_TMP/up"
  mkdir -p "$UP/www"
  make_random_file "$UP/www/object.bin" "$size_mib"
  HEX="$(sha256sum "$UP/www/object.bin" | cut -d' ' -f1)"
  UP_PORT="$(free_port)"
  UP_LOG="$UP/logs/access.log"
  {
    nginx_conf_common "$UP"
    cat <<CONF
http {
$(nginx_http_common "$UP")
    log_format bench '\$status \$request_time \$body_bytes_sent \$bytes_sent \$request_uri';
    access_log $UP_LOG bench;
    sendfile on;
    server {
        listen 127.0.0.1:$UP_PORT;
        root $UP/www;
        location = /__nginx_health { access_log off; return 200 "ok\n"; }
        location / { limit_rate $rate; }
    }
}
CONF
  } >"$UP/nginx.conf"
  start_nginx "$UP" "$UP_PORT"
  UP_PID="$NGINX_PID"
  UPSTREAM_URL="http://127.0.0.1:$UP_PORT/object.bin"
}
log_lines() { if [ -f "$UP_LOG" ]; then wc -l <"$UP_LOG"; else echo 0; fi; }

start_nginx() {
  local prefix="$1" port="$2"
  nginx -t -q -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" \
    || die "nginx config test failed ($prefix/nginx.conf)"
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" &
  NGINX_PID=$!
  track "$NGINX_PID"
  wait_http "http://127.0.0.1:$port/__nginx_health" 10 "$NGINX_PID" \
    || die "nginx did not come up on 127.0.0.1:$port: $(tail -n 5 "$prefix/logs/error.log" 2>/dev/null)"
}

# --- Larder binary -------------------------------------------------------------

LARDER_BUILD=auto   # auto: build when missing; yes: always (--build); no: never (--no-build)

parse_common_args() {
  for a in "$@"; do
    case "$a" in
      --build) LARDER_BUILD=yes ;;
      --no-build) LARDER_BUILD=no ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown argument: $a (try --help)" ;;
    esac
  done
}

# find_larder: sets LARDER (path) or LARDER_SKIP (reason).
find_larder() {
  LARDER=""
  LARDER_SKIP=""
  if [ -n "${LARDER_BIN:-}" ]; then
    [ -x "$LARDER_BIN" ] || { LARDER_SKIP="LARDER_BIN=$LARDER_BIN is not executable"; return 0; }
    LARDER="$LARDER_BIN"
    return 0
  fi
  local rel="$REPO_ROOT/.build/release/larder" dbg="$REPO_ROOT/.build/debug/larder"
  if [ "$LARDER_BUILD" = yes ] || { [ "$LARDER_BUILD" = auto ] && [ ! -x "$rel" ]; }; then
    if command -v swift >/dev/null 2>&1; then
      log "building larder: swift build -c release --product larder (log: $OUT_DIR/build.log)"
      if ! (cd "$REPO_ROOT" && swift build -c release --product larder) >"$OUT_DIR/build.log" 2>&1; then
        log "swift build failed; last lines:"; tail -n 15 "$OUT_DIR/build.log" >&2
      fi
    else
      log "swift not on PATH: cannot build larder"
    fi
  fi
  if [ -x "$rel" ]; then
    LARDER="$rel"
  elif [ -x "$dbg" ]; then
    LARDER="$dbg"
    log "WARNING: only a debug build of larder exists ($dbg): its numbers are not representative"
  else
    LARDER_SKIP="no larder binary at .build/release/larder or .build/debug/larder"
  fi
}

# start_larder DATA_DIR PORT: sets LARDER_PID, or LARDER_SKIP when it does not serve.
start_larder() {
  local data="$1" port="$2"
  local logf="$BENCH_TMP/larder-$port.log"
  mkdir -p "$data"
  "$LARDER" serve --data "$data" --listen "127.0.0.1:$port" --max-size 8GiB \
    --allow-upstream 127.0.0.1 >"$logf" 2>&1 &
  LARDER_PID=$!
  track "$LARDER_PID"
  local rc=0
  wait_http "http://127.0.0.1:$port/healthz" "${LARDER_START_TIMEOUT:-30}" "$LARDER_PID" || rc=$?
  if [ "$rc" != 0 ]; then
    if [ "$rc" = 2 ]; then
      LARDER_SKIP="'$LARDER serve' exited before /healthz answered (not implemented yet?): $(tail -n 3 "$logf" | tr '\n' ' ')"
    else
      LARDER_SKIP="'$LARDER serve' did not answer /healthz on 127.0.0.1:$port within ${LARDER_START_TIMEOUT:-30}s"
    fi
    stop_pid "$LARDER_PID"
    LARDER_PID=""
    return 1
  fi
}

# --- formatting ------------------------------------------------------------------

hr() { printf '%*s\n' "${1:-78}" '' | tr ' ' '-'; }
