#!/usr/bin/env python3
"""Concurrent HTTP GET fan-out client (stdlib only: threads + http.client).

N threads each open a connection, wait on a barrier, then GET the same URL at
the same moment and read the body to the end. Reports the wall time until
the last client finished, time to first body byte (TTFB) per client,
statuses, sizes and the distribution of a cache-status response header.

  fanout_client.py URL --clients 16 [--expect-size BYTES] [--sha256 HEX]
                   [--cache-header X-Larder-Cache] [--timeout 120] [--json OUT]

--sha256 hashes the body of the first client only (to keep the client's CPU
use low) and fails the run on a mismatch. Exit status 1 when any client got
a non-200 status, a short body, a wrong digest, or an error.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

BUF = 1 << 20


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("url")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--expect-size", type=int, default=-1)
    ap.add_argument("--sha256", default="")
    ap.add_argument("--cache-header", default="")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--json", default="")
    a = ap.parse_args()

    u = urllib.parse.urlsplit(a.url)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost", "::1"):
        print("fanout_client: only http:// on loopback", file=sys.stderr)
        return 2
    target = u.path + ("?" + u.query if u.query else "")
    n = a.clients
    results: list[dict] = [{} for _ in range(n)]
    start = {"t0": 0.0}

    def released() -> None:
        start["t0"] = time.perf_counter()

    barrier = threading.Barrier(n, action=released)

    def worker(i: int) -> None:
        r = results[i]
        try:
            conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=a.timeout)
            conn.connect()
        except OSError as e:
            r["error"] = f"connect: {e}"
            try:
                barrier.abort()
            except threading.BrokenBarrierError:
                pass
            return
        try:
            barrier.wait(timeout=a.timeout)
        except threading.BrokenBarrierError:
            r.setdefault("error", "barrier broken")
            return
        try:
            t_req = time.perf_counter()
            conn.request("GET", target, headers={"User-Agent": "larder-bench-fanout"})
            resp = conn.getresponse()
            t_hdr = time.perf_counter()
            r["status"] = resp.status
            if a.cache_header:
                v = resp.getheader(a.cache_header, "-")
                if a.cache_header.lower() == "x-varnish" and v != "-":
                    v = "hit" if len(v.split()) > 1 else "miss"
                r["cache"] = v
            h = hashlib.sha256() if (a.sha256 and i == 0) else None
            buf = bytearray(BUF)
            mv = memoryview(buf)
            total = 0
            t_first = None
            while True:
                k = resp.readinto(mv)
                if not k:
                    break
                if t_first is None:
                    t_first = time.perf_counter()
                total += k
                if h is not None:
                    h.update(mv[:k])
            t_end = time.perf_counter()
            conn.close()
            r.update(bytes=total, t_req=t_req, hdr=t_hdr - t_req,
                     ttfb=(t_first if t_first is not None else t_end) - t_req, t_end=t_end)
            if h is not None:
                r["sha_ok"] = h.hexdigest() == a.sha256
        except Exception as e:  # noqa: BLE001
            r["error"] = f"{type(e).__name__}: {e}"

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.timeout * 2 + 10)

    errors = []
    for i, r in enumerate(results):
        if "error" in r:
            errors.append(f"client {i}: {r['error']}")
        elif r.get("status") != 200:
            errors.append(f"client {i}: HTTP {r.get('status')}")
        elif a.expect_size >= 0 and r.get("bytes") != a.expect_size:
            errors.append(f"client {i}: {r.get('bytes')} bytes, expected {a.expect_size}")
        elif r.get("sha_ok") is False:
            errors.append(f"client {i}: sha256 mismatch")
    done = [r for r in results if "t_end" in r]
    cache: dict[str, int] = {}
    for r in done:
        if "cache" in r:
            cache[r["cache"]] = cache.get(r["cache"], 0) + 1
    summary = {
        "url": a.url,
        "clients": n,
        "ok": not errors and len(done) == n,
        "errors": errors,
        "wall_s": (max(r["t_end"] for r in done) - start["t0"]) if done else None,
        "ttfb_median_s": statistics.median(r["ttfb"] for r in done) if done else None,
        "ttfb_max_s": max(r["ttfb"] for r in done) if done else None,
        "headers_median_s": statistics.median(r["hdr"] for r in done) if done else None,
        "bytes_total": sum(r["bytes"] for r in done),
        "cache": cache,
        "sha256_checked": bool(a.sha256),
    }
    text = json.dumps(summary, indent=1)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text)
    else:
        print(text)
    if errors:
        for e in errors[:10]:
            print(e, file=sys.stderr)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
