#!/usr/bin/env bash
# Per-task fetch attribution (issue 15): what the /t/<token>/ prefix costs per request, and how the seconds a task's
# record reports compare with what the client waited. Loopback only; stdlib Python upstream (the tests' fixture).
#   1000 sequential /fetch hits of a 3000-byte object in one curl process, plain vs below /t/<token>/, 5 rounds;
#   an 8 MiB object throttled to 4 MB/s fetched with curl under `larder run` (a miss), then again (a hit).
# Usage: tools/bench/attribution.sh [LARDER_BINARY]   (default: .build/release/larder, else .build/debug/larder)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
LARDER=${1:-$([ -x .build/release/larder ] && echo .build/release/larder || echo .build/debug/larder)}
W=$(mktemp -d); UP=; SRV=; trap 'kill $UP $SRV 2>/dev/null; rm -rf $W' EXIT
mkdir -p $W/files; head -c 3000 /dev/urandom > $W/files/small.bin; head -c $((8<<20)) /dev/urandom > $W/files/big.bin
python3 $REPO/Tests/Support/LarderTestSupport/Fixtures/upstream_server.py --root $W/files --port-file $W/up.port & UP=$!
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
$LARDER serve --data $W/data --listen 127.0.0.1:$PORT --allow-upstream 127.0.0.1 2>$W/serve.log & SRV=$!
S=http://127.0.0.1:$PORT
for i in $(seq 200); do [ -s $W/up.port ] && curl -sf $S/healthz >/dev/null 2>&1 && break; sleep 0.1; done
U=http://127.0.0.1:$(cat $W/up.port)
TOKEN=$(curl -sf -X POST $S/runs/M/1/s/1/fetches | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
SMALL="/fetch?url=$(python3 -c "import urllib.parse;print(urllib.parse.quote('$U/files/small.bin',safe=''))")"
curl -sf -o /dev/null "$S$SMALL"
urls() { for i in $(seq 1000); do echo "url = \"$1\""; echo "output = /dev/null"; done; }
for round in 1 2 3 4 5; do
  urls "$S$SMALL" > $W/plain.cfg; urls "$S/t/$TOKEN$SMALL" > $W/pref.cfg
  a=$( { /usr/bin/time -f %e curl -s -K $W/plain.cfg; } 2>&1 ); b=$( { /usr/bin/time -f %e curl -s -K $W/pref.cfg; } 2>&1 )
  echo "round $round: 1000 hits (3000 B) plain ${a}s, below /t/<token>/ ${b}s"
done
curl -sf -X DELETE $S/runs/M/1/s/1/fetches/$TOKEN | python3 -c 'import json,sys; d=json.load(sys.stdin); print("collected objects", d["objects"], "listed", len(d["items"]), "omitted", d["itemsOmitted"], "bytes", d["bytes"])'
# accuracy: a throttled 8 MiB miss, then a hit, under larder run
BIG="/fetch?url=$(python3 -c "import urllib.parse;print(urllib.parse.quote('$U/slow/big.bin?rate=4000000',safe=''))")"
for run in miss hit; do
  env -u LARDER_SERVER $LARDER run --server $S --flow M --run $run --step s --task 1 --spool $W/spool -- \
    sh -c "curl -sf -o /dev/null -w '%{time_total}' \"\$LARDER_SERVER$BIG\" > $W/$run.t"
  curl -sf $S/runs/M/$run/s/1/record | python3 -c "import json,sys; f=json.load(sys.stdin)['fetches']; i=f['items'][0]; print('$run: curl waited', open('$W/$run.t').read(), 's; record: outcome', i['outcome'], 'seconds %.3f first byte %.3f bytes %d upstream %d' % (f['seconds'], i['firstByteSeconds'], i['bytes'], i['upstreamBytes']))"
done
