#!/usr/bin/env python3
"""A real HTTP upstream for Larder's tests (stdlib only).

Usage: upstream_server.py --root DIR --port-file FILE [--rate BYTES_PER_SEC]

Binds 127.0.0.1 on an ephemeral port, writes the port number to FILE (atomically, via a
temporary file and rename) and serves until killed. NAME below is a file under --root.

  GET|HEAD /files/NAME                 file with ETag, Last-Modified, Accept-Ranges; single Range
                                       (bytes=a-b, a-, -n) -> 206, unsatisfiable -> 416; If-Range
  GET|HEAD /norange/NAME               same file, Range ignored (always 200, no Accept-Ranges)
  GET /slow/NAME?rate=B                throttled to B bytes/s (default --rate or 10 MB/s) by sleeping
                                       between writes of 64 KiB (smaller below 640 KB/s); Range ok
  GET /drop-once/NAME?after=N          first GET of this path+query sends N body bytes then closes;
                                       later GETs are served like /files
  GET /drop-once-norange/NAME?after=N  same, later GETs ignore Range
  GET /drop-always/NAME?after=N        every GET (Range honoured) sends N body bytes then closes
  GET /stall/NAME?after=N              headers and N body bytes (Range honoured), then silence
  GET /gated/NAME?gate=K               says nothing until GET /_open?gate=K, then served like /files
  GET /status/CODE                     status CODE, body "upstream says CODE"
  GET /flaky/CODE/K/NAME               first K requests of this path+query answer CODE, then /files
  GET /redirect/NAME                   302 to /files/NAME (relative Location)
  GET /redirect-abs/NAME               302 to http://127.0.0.1:<port>/files/NAME
  GET /redirect-loop                   302 to itself
  GET /redirect-to?url=U[&code=C]      redirect (default 302) to U
  PUT /upload/NAME                     stores the body in memory; 201 {"sha256","length"}
  GET /uploaded/NAME                   the stored body
  ANY /echo                            200 JSON {"method","path","headers","body_sha256","body_length","body"}
  GET /_stats                          {"requests": [{"method","path","range","if_range","status","outcome"}...]}
                                       (path includes the query; /_stats and /_reset are not recorded)
  GET /_open?gate=K                    releases the /gated requests waiting on K (and later ones); not recorded
  POST /_reset                         clears statistics, counters and uploads

"outcome" is "in-progress", "complete", "dropped" (deliberately), "stalled" (client went away
while stalled) or "aborted" (the client closed the connection mid-response).
"""

import argparse
import email.utils
import hashlib
import json
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

CHUNK = 64 * 1024
DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class State:
    """Shared, lock-protected server state."""

    def __init__(self, root, default_rate):
        self.root = os.path.realpath(root)
        self.default_rate = default_rate
        self.lock = threading.Lock()
        self.requests = []
        self.counters = {}
        self.uploads = {}
        self.etags = {}
        self.gates = {}

    def gate(self, key):
        """The event that holds `/gated/...?gate=key` requests until `/_open?gate=key`."""
        with self.lock:
            return self.gates.setdefault(key, threading.Event())

    def record(self, method, path, range_header, if_range):
        entry = {
            "method": method,
            "path": path,
            "range": range_header,
            "if_range": if_range,
            "status": None,
            "outcome": "in-progress",
        }
        with self.lock:
            self.requests.append(entry)
        return entry

    def update(self, entry, **fields):
        with self.lock:
            entry.update(fields)

    def bump(self, key):
        """Returns how many times `key` was seen before this call."""
        with self.lock:
            seen = self.counters.get(key, 0)
            self.counters[key] = seen + 1
            return seen

    def stats_json(self):
        with self.lock:
            return json.dumps({"requests": [dict(entry) for entry in self.requests]})

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.counters.clear()
            self.uploads.clear()

    def etag(self, path, info):
        key = (path, info.st_mtime_ns, info.st_size)
        with self.lock:
            cached = self.etags.get(key)
        if cached is None:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for piece in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(piece)
            cached = '"%s"' % digest.hexdigest()
            with self.lock:
                self.etags[key] = cached
        return cached


def parse_range(header, size):
    """Returns (first, last), "unsatisfiable", or None (ignore the header)."""
    header = header.strip()
    if not header.lower().startswith("bytes=") or "," in header:
        return None
    spec = header[6:].strip()
    if "-" not in spec:
        return None
    first_text, last_text = spec.split("-", 1)
    try:
        if first_text == "":
            suffix = int(last_text)
            if suffix < 0:
                return None
            if suffix == 0 or size == 0:
                return "unsatisfiable"
            return (max(0, size - suffix), size - 1)
        first = int(first_text)
        last = int(last_text) if last_text != "" else size - 1
    except ValueError:
        return None
    if first < 0 or (last_text != "" and last < first):
        return None
    if first >= size:
        return "unsatisfiable"
    return (first, min(last, size - 1))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "larder-test-upstream/1"

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except DISCONNECTS:
            pass

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -- plumbing -------------------------------------------------------------------------

    @property
    def state(self):
        return self.server.state

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_simple(self, status, body=b"", content_type="text/plain", extra=()):
        self.entry_status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        no_body = self.command == "HEAD" or status in (204, 304) or status < 200
        if status not in (204, 304) and status >= 200:
            self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if not no_body and body:
            self.wfile.write(body)

    def resolve(self, name):
        name = unquote(name)
        candidate = os.path.realpath(os.path.join(self.state.root, name))
        if not candidate.startswith(self.state.root + os.sep) or not os.path.isfile(candidate):
            return None
        return candidate

    def dispatch(self, method):
        split = urlsplit(self.path)
        route = split.path
        query = parse_qs(split.query)
        if route == "/_stats" and method == "GET":
            self.send_simple(200, self.state.stats_json().encode(), "application/json")
            return
        if route == "/_open" and method == "GET" and "gate" in query:
            self.state.gate(query["gate"][0]).set()
            self.send_simple(200, b"{}", "application/json")
            return
        if route == "/_reset" and method == "POST":
            self.read_body()
            self.state.reset()
            self.send_simple(200, b"{}", "application/json")
            return
        self.entry = self.state.record(method, self.path, self.headers.get("Range"), self.headers.get("If-Range"))
        self.entry_status = None
        outcome = "complete"
        try:
            outcome = self.route(method, route, query) or "complete"
        except DISCONNECTS:
            outcome = "aborted"
            self.close_connection = True
            raise
        finally:
            self.state.update(self.entry, status=self.entry_status, outcome=outcome)

    def route(self, method, route, query):
        body = self.read_body() if method in ("POST", "PUT", "DELETE") else b""
        parts = route.split("/", 2)
        head = parts[1] if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""

        def number(key, default):
            try:
                return int(query.get(key, [default])[0])
            except (TypeError, ValueError):
                return default

        if route == "/echo":
            payload = {
                "method": method,
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body_sha256": hashlib.sha256(body).hexdigest(),
                "body_length": len(body),
                "body": body.decode("latin-1") if len(body) <= 65536 else None,
            }
            self.send_simple(200, json.dumps(payload).encode(), "application/json")
            return None
        if head == "upload" and method == "PUT" and rest:
            with self.state.lock:
                self.state.uploads[rest] = body
            reply = {"sha256": hashlib.sha256(body).hexdigest(), "length": len(body)}
            self.send_simple(201, json.dumps(reply).encode(), "application/json")
            return None
        if head == "uploaded" and method in ("GET", "HEAD") and rest:
            with self.state.lock:
                stored = self.state.uploads.get(rest)
            if stored is None:
                self.send_simple(404, b"not uploaded")
            else:
                self.send_simple(200, stored, "application/octet-stream")
            return None
        if head == "status" and rest.isdigit() and 200 <= int(rest) <= 599:
            self.send_simple(int(rest), ("upstream says %s" % rest).encode())
            return None
        if route == "/redirect-loop":
            self.send_simple(302, b"", extra=[("Location", "/redirect-loop")])
            return None
        if route == "/redirect-to" and "url" in query:
            code = number("code", 302)
            self.send_simple(code, b"", extra=[("Location", query["url"][0])])
            return None
        if head == "redirect" and rest:
            self.send_simple(302, b"", extra=[("Location", "/files/" + rest)])
            return None
        if head == "redirect-abs" and rest:
            port = self.server.server_address[1]
            self.send_simple(302, b"", extra=[("Location", "http://127.0.0.1:%d/files/%s" % (port, rest))])
            return None
        if head == "flaky" and method in ("GET", "HEAD"):
            pieces = rest.split("/", 2)
            if len(pieces) == 3 and pieces[0].isdigit() and pieces[1].isdigit():
                code, count, name = int(pieces[0]), int(pieces[1]), pieces[2]
                if self.state.bump(self.path) < count:
                    self.send_simple(code, ("upstream says %d" % code).encode())
                    return None
                return self.serve_file(name)
        if method in ("GET", "HEAD") and rest:
            if head == "files":
                return self.serve_file(rest)
            if head == "norange":
                return self.serve_file(rest, ranges=False)
            if head == "slow":
                return self.serve_file(rest, rate=number("rate", self.state.default_rate))
            if head in ("drop-once", "drop-once-norange"):
                ranges = head == "drop-once"
                if method == "GET" and self.state.bump(self.path) == 0:
                    return self.serve_file(rest, ranges=ranges, drop_after=number("after", 0))
                return self.serve_file(rest, ranges=ranges)
            if head == "drop-always":
                return self.serve_file(rest, drop_after=number("after", 0))
            if head == "gated":
                # Says nothing (not even the status line) until the test opens the gate.
                if not self.state.gate(query.get("gate", [""])[0]).wait(timeout=120):
                    self.send_simple(504, b"the gate was never opened")
                    return None
                return self.serve_file(rest)
            if head == "stall":
                return self.serve_file(rest, stall_after=number("after", 0))
        self.send_simple(404, b"no such route or file")
        return None

    def serve_file(self, name, ranges=True, rate=None, drop_after=None, stall_after=None):
        path = self.resolve(name)
        if path is None:
            self.send_simple(404, b"no such file")
            return None
        info = os.stat(path)
        size = info.st_size
        etag = self.state.etag(path, info)
        last_modified = email.utils.formatdate(info.st_mtime, usegmt=True)
        status, first, last = 200, 0, size - 1
        range_header = self.headers.get("Range")
        if ranges and range_header is not None:
            if_range = self.headers.get("If-Range")
            if if_range is None or if_range.strip() in (etag, last_modified):
                parsed = parse_range(range_header, size)
                if parsed == "unsatisfiable":
                    self.send_simple(416, b"", extra=[("Content-Range", "bytes */%d" % size)])
                    return None
                if parsed is not None:
                    status, (first, last) = 206, parsed
        length = last - first + 1 if size > 0 else 0
        self.entry_status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        if ranges:
            self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
        self.end_headers()
        if self.command == "HEAD":
            return None
        limit = length
        if drop_after is not None:
            limit = min(limit, drop_after)
        if stall_after is not None:
            limit = min(limit, stall_after)
        # Throttled writes are kept to about 0.1 s each so a vanished client is noticed quickly.
        chunk = min(CHUNK, max(1024, rate // 10)) if rate else CHUNK
        with open(path, "rb") as handle:
            handle.seek(first)
            remaining = limit
            while remaining > 0:
                piece = handle.read(min(chunk, remaining))
                if not piece:
                    break
                self.wfile.write(piece)
                remaining -= len(piece)
                if rate:
                    self.wfile.flush()
                    time.sleep(len(piece) / float(rate))
        self.wfile.flush()
        if drop_after is not None and limit < length:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return "dropped"
        if stall_after is not None and limit < length:
            self.close_connection = True
            # Say nothing more, but notice when the client gives up so the thread can end.
            while True:
                readable, _, _ = select.select([self.connection], [], [], 1.0)
                if readable:
                    try:
                        if not self.connection.recv(4096):
                            return "stalled"
                    except OSError:
                        return "stalled"
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], DISCONNECTS):
            return
        super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--rate", type=int, default=10_000_000)
    args = parser.parse_args()

    # A parent may spawn us with termination signals blocked (Foundation's Process inherits the
    # spawning thread's mask); unblock them so "serves until killed" holds for SIGTERM too.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args.root, args.rate)
    port_file = os.path.abspath(args.port_file)
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(port_file), prefix=".port-")
    with os.fdopen(fd, "w") as handle:
        handle.write("%d\n" % server.server_address[1])
    os.replace(temporary, port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
