#!/usr/bin/env python3
"""Fan-out over several nodes at once (stdlib only): C clients per URL, all released by one barrier.

  peers_driver.py --clients 4 --expect-size BYTES --sha256 HEX --json OUT URL [URL ...]

Every client reads its body to the end; the first client of each URL also hashes it (to keep the clients' CPU
use low on a small machine). The run fails (exit 1) on any non-200 status, short body or wrong digest. Reports the wall time from the release to the last client's last byte, and the
X-Larder-Cache values seen.
"""

import argparse
import hashlib
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("urls", nargs="+")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--expect-size", type=int, required=True)
    ap.add_argument("--sha256", required=True)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    jobs = [(url, i) for url in a.urls for i in range(a.clients)]
    results = [{} for _ in jobs]
    t0 = {}
    barrier = threading.Barrier(len(jobs), action=lambda: t0.setdefault("t", time.perf_counter()))

    def worker(index, url):
        r = results[index]
        hashing = jobs[index][1] == 0
        u = urllib.parse.urlsplit(url)
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=a.timeout)
            conn.connect()
            barrier.wait(timeout=a.timeout)
            conn.request("GET", u.path + "?" + u.query)
            resp = conn.getresponse()
            r["status"] = resp.status
            r["cache"] = resp.getheader("X-Larder-Cache", "-")
            h = hashlib.sha256() if hashing else None
            buf = bytearray(1 << 20)
            mv = memoryview(buf)
            total = 0
            while True:
                k = resp.readinto(mv)
                if not k:
                    break
                if h is not None:
                    h.update(mv[:k])
                total += k
            r["bytes"] = total
            r["sha_ok"] = h.hexdigest() == a.sha256 if h is not None else True
            r["end"] = time.perf_counter()
        except Exception as e:  # noqa: BLE001
            r["error"] = f"{type(e).__name__}: {e}"

    threads = [threading.Thread(target=worker, args=(i, url), daemon=True) for i, (url, _) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.timeout + 10)
    errors = []
    for i, r in enumerate(results):
        if "error" in r:
            errors.append(f"client {i}: {r['error']}")
        elif r.get("status") != 200 or r.get("bytes") != a.expect_size or not r.get("sha_ok"):
            errors.append(f"client {i}: status {r.get('status')} bytes {r.get('bytes')} sha_ok {r.get('sha_ok')}")
    ends = [r["end"] for r in results if "end" in r]
    cache = {}
    for r in results:
        cache[r.get("cache", "-")] = cache.get(r.get("cache", "-"), 0) + 1
    summary = {"wall_s": (max(ends) - t0["t"]) if ends and "t" in t0 else None, "cache": cache,
               "ok": not errors, "errors": errors, "clients": len(jobs)}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(summary, f)
    print(json.dumps(summary))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
