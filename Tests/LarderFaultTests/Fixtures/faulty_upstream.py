#!/usr/bin/env python3
"""A misbehaving HTTP upstream for Larder's fault suite (stdlib only).

Usage: faulty_upstream.py --root DIR

Binds 127.0.0.1 on an ephemeral port, prints the port as its first line and serves until killed.
NAME is a file under --root. Every mode honours a single "Range: bytes=a-" (the only kind Larder
sends when it resumes) unless it says otherwise.

  GET /good/NAME                  the file, correct Content-Length
  GET /drop/NAME?seed=S           every response sends a random number of body bytes (seeded by S and
                                  the request count), then closes the connection
  GET /stall/NAME?after=N         headers and N body bytes, then silence until the client goes away
  GET /wrong/NAME                 bytes of the same length, every 4096th byte flipped
  GET /short-cl/NAME              Content-Length of the whole file, half the body, then close
  GET /short-eof/NAME             no Content-Length, half the body, then close (looks complete)
  GET /long-cl/NAME               Content-Length of half the file, the whole body sent
  GET /range-ignored/NAME         first response drops half-way; a Range request then gets
                                  206 with "Content-Range: bytes 0-…" and the body from byte 0
  GET /range-lies/NAME            first response drops half-way; a Range request then gets
                                  206 with the Content-Range asked for, but the body from byte 0
  GET /redirect-metadata/NAME     302 to http://169.254.169.254/latest/meta-data/ (never contacted here)
"""

import argparse
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
COUNTS = {}


def bump(key):
    with LOCK:
        seen = COUNTS.get(key, 0)
        COUNTS[key] = seen + 1
        return seen


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."

    def log_message(self, *args):
        pass

    def range_start(self):
        header = self.headers.get("Range", "")
        if header.startswith("bytes=") and header.endswith("-"):
            try:
                return int(header[6:-1])
            except ValueError:
                return None
        return None

    def send_body(self, status, data, length=None, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        if length is not None:
            self.send_header("Content-Length", str(length))
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def do_GET(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        segments = parts.path.split("/")
        if len(segments) != 3:
            self.send_body(404, b"not found", 9)
            return
        mode, name = segments[1], segments[2]
        path = os.path.join(self.root, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_body(404, b"not found", 9)
            return
        with open(path, "rb") as handle:
            data = handle.read()
        start = self.range_start() or 0
        total = len(data)
        ranged = [("Content-Range", "bytes %d-%d/%d" % (start, total - 1, total))] if start else []
        status = 206 if start else 200
        try:
            self.serve(mode, query, data, start, total, ranged, status)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def serve(self, mode, query, data, start, total, ranged, status):
        rest = data[start:]
        if mode == "good":
            self.send_body(status, rest, len(rest), ranged)
        elif mode == "drop":
            seed = int(query.get("seed", ["0"])[0])
            count = bump(self.path)
            cut = random.Random(seed * 1000 + count).randrange(0, max(1, len(rest)))
            self.send_body(status, rest[:cut], len(rest), ranged)
        elif mode == "stall":
            after = int(query.get("after", ["0"])[0])
            self.send_response(status)
            self.send_header("Content-Length", str(len(rest)))
            for header in ranged:
                self.send_header(*header)
            self.end_headers()
            self.wfile.write(rest[:after])
            self.wfile.flush()
            # Silence until the client hangs up (a read returns EOF) or 10 minutes pass.
            self.connection.settimeout(600)
            try:
                self.connection.recv(1)
            except OSError:
                pass
            self.close_connection = True
        elif mode == "wrong":
            flipped = bytearray(rest)
            for index in range(0, len(flipped), 4096):
                flipped[index] ^= 0xFF
            self.send_body(status, bytes(flipped), len(flipped), ranged)
        elif mode == "short-cl":
            self.send_body(status, rest[: len(rest) // 2], len(rest), ranged)
        elif mode == "short-eof":
            self.send_body(status, rest[: len(rest) // 2], None, ranged)
        elif mode == "long-cl":
            self.send_body(status, rest, len(rest) // 2, ranged)
        elif mode in ("range-ignored", "range-lies"):
            if bump(self.path) == 0 or not ranged:
                self.send_body(200, data[: total // 2], total)
            elif mode == "range-ignored":
                header = [("Content-Range", "bytes 0-%d/%d" % (total - 1, total))]
                self.send_body(206, data, total, header)
            else:
                self.send_body(206, data[: total - start], total - start, ranged)
        elif mode == "redirect-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_body(404, b"unknown mode", 12)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    arguments = parser.parse_args()
    Handler.root = arguments.root
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
