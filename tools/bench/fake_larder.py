#!/usr/bin/env python3
"""A stand-in for `larder serve`, for testing the benchmark scripts only.

It speaks the subset of Larder's HTTP interface the benchmarks use (GET
/healthz, PUT and GET /blobs/sha256:<hex>, GET /fetch?url=...[&sha256=...]
with single-flight and X-Larder-Cache: hit|miss|coalesced, GET /metrics),
so that the Larder half of the scripts can be exercised before the real
binary exists:

  LARDER_BIN=tools/bench/fake_larder.py tools/bench/run-all.sh --no-build

Its numbers say nothing about Larder. stdlib only; loopback only.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import shutil
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 1 << 20


class Flight:
    def __init__(self, path: str):
        self.path = path
        self.length: int | None = None
        self.written = 0
        self.done = False
        self.error: str | None = None
        self.cond = threading.Condition()


class State:
    def __init__(self, data: str, allow: list[str]):
        self.data = data
        self.allow = allow
        self.lock = threading.Lock()
        self.flights: dict[str, Flight] = {}
        self.counts = {"hit": 0, "miss": 0, "coalesced": 0}
        self.blob_gets = 0
        os.makedirs(os.path.join(data, "blobs"), exist_ok=True)
        os.makedirs(os.path.join(data, "fetch"), exist_ok=True)
        os.makedirs(os.path.join(data, "tmp"), exist_ok=True)


def download(state: State, url: str, flight: Flight, final: str) -> None:
    try:
        u = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)
        conn.request("GET", u.path + (("?" + u.query) if u.query else ""))
        resp = conn.getresponse()
        if resp.status != 200:
            raise RuntimeError(f"upstream answered {resp.status}")
        length = int(resp.getheader("Content-Length", "-1"))
        with flight.cond:
            flight.length = length if length >= 0 else None
            flight.cond.notify_all()
        with open(flight.path, "wb") as f:
            while True:
                b = resp.read(CHUNK)
                if not b:
                    break
                f.write(b)
                f.flush()
                with flight.cond:
                    flight.written += len(b)
                    flight.cond.notify_all()
        os.link(flight.path, final)
        with flight.cond:
            flight.length = flight.written
            flight.done = True
            flight.cond.notify_all()
    except Exception as e:  # noqa: BLE001
        with flight.cond:
            flight.error = str(e)
            flight.done = True
            flight.cond.notify_all()
    finally:
        with state.lock:
            state.flights.pop(url, None)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-larder/0"
    state: State

    def log_message(self, fmt, *args):  # quiet
        pass

    def _plain(self, code: int, body: str, headers: dict | None = None) -> None:
        b = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(b)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)

    def _send_file(self, path: str, extra: dict) -> None:
        size = os.path.getsize(path)
        start, end = 0, size - 1
        rng = self.headers.get("Range")
        code = 200
        if rng:
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = int(m.group(2)) if m.group(2) else size - 1
                else:
                    start = max(0, size - int(m.group(2)))
                end = min(end, size - 1)
                code = 206
        self.send_response(code)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        if code == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        with open(path, "rb") as f:
            self.connection.sendfile(f, start, end - start + 1)

    def do_GET(self):  # noqa: N802
        u = urllib.parse.urlsplit(self.path)
        if u.path in ("/healthz", "/readyz"):
            return self._plain(200, "ok\n")
        if u.path == "/metrics":
            body = "".join(f'larder_fetch_total{{result="{k}"}} {v}\n' for k, v in self.state.counts.items())
            return self._plain(200, body)
        m = re.fullmatch(r"/blobs/sha256:([0-9a-f]{64})", u.path)
        if m:
            # FAKE_LARDER_FAIL_GETS_AFTER=N: answer 500 after N blob GETs (tests the scripts' error paths)
            with self.state.lock:
                self.state.blob_gets += 1
                fail = 0 <= int(os.environ.get("FAKE_LARDER_FAIL_GETS_AFTER", "-1")) < self.state.blob_gets
            if fail:
                return self._plain(500, "injected failure\n")
            p = os.path.join(self.state.data, "blobs", m.group(1))
            if not os.path.exists(p):
                return self._plain(404, "not found\n")
            return self._send_file(p, {})
        if u.path == "/fetch":
            return self._fetch(urllib.parse.parse_qs(u.query))
        return self._plain(404, "not found\n")

    def _fetch(self, q: dict) -> None:
        url = (q.get("url") or [""])[0]
        host = urllib.parse.urlsplit(url).hostname
        if not url or host not in self.state.allow:
            return self._plain(403, f"upstream {host} not allowed\n")
        key = hashlib.sha256(url.encode()).hexdigest()
        final = os.path.join(self.state.data, "fetch", key)
        st = self.state
        with st.lock:
            if os.path.exists(final):
                flight, result = None, "hit"
            elif url in st.flights:
                flight, result = st.flights[url], "coalesced"
            else:
                tmp = os.path.join(st.data, "tmp", f"{key}.{threading.get_ident()}")
                flight, result = Flight(tmp), "miss"
                st.flights[url] = flight
                threading.Thread(target=download, args=(st, url, flight, final), daemon=True).start()
            st.counts[result] += 1
        if flight is None:
            return self._send_file(final, {"X-Larder-Cache": "hit"})
        with flight.cond:
            while flight.length is None and not flight.done:
                flight.cond.wait(1)
        if flight.error or flight.length is None:
            return self._plain(502, f"upstream failed: {flight.error}\n")
        self.send_response(200)
        self.send_header("Content-Length", str(flight.length))
        self.send_header("X-Larder-Cache", result)
        self.end_headers()
        pos = 0
        while not os.path.exists(flight.path) and not flight.done:
            with flight.cond:
                flight.cond.wait(0.05)
        with open(flight.path if os.path.exists(flight.path) else final, "rb") as f:
            while pos < flight.length:
                with flight.cond:
                    while flight.written <= pos and not flight.done:
                        flight.cond.wait(1)
                    avail = flight.written - pos
                if flight.error:
                    self.close_connection = True
                    return
                if avail <= 0:
                    continue
                sent = self.connection.sendfile(f, pos, min(avail, 8 * CHUNK))
                pos += sent

    def do_PUT(self):  # noqa: N802
        m = re.fullmatch(r"/blobs/sha256:([0-9a-f]{64})", self.path)
        if not m:
            return self._plain(404, "not found\n")
        length = int(self.headers.get("Content-Length", "-1"))
        if length < 0:
            return self._plain(411, "length required\n")
        if self.headers.get("Expect", "").lower() == "100-continue":
            self.send_response_only(100)
            self.end_headers()
        tmp = os.path.join(self.state.data, "tmp", f"put.{threading.get_ident()}")
        h = hashlib.sha256()
        left = length
        with open(tmp, "wb") as f:
            while left > 0:
                b = self.rfile.read(min(CHUNK, left))
                if not b:
                    break
                h.update(b)
                f.write(b)
                left -= len(b)
        if left or h.hexdigest() != m.group(1):
            os.unlink(tmp)
            return self._plain(400, "digest mismatch\n")
        shutil.move(tmp, os.path.join(self.state.data, "blobs", m.group(1)))
        return self._plain(201, "created\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["serve"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--listen", required=True)
    ap.add_argument("--max-size", default="8GiB")
    ap.add_argument("--allow-upstream", default="")
    a = ap.parse_args()
    host, port = a.listen.rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("fake_larder listens on loopback only")
    Handler.state = State(a.data, [h for h in a.allow_upstream.split(",") if h])
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer((host, int(port)), Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
