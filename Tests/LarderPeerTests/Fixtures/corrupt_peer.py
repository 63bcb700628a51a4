#!/usr/bin/env python3
"""A dishonest Larder peer for the peer tier's tests (stdlib only).

Usage: corrupt_peer.py --port-file FILE --size N

Binds 127.0.0.1 on an ephemeral port, writes the port to FILE, and answers every GET with 200 and N random
bytes (so the length is right and only the digest check can catch it). GET /_stats answers
{"requests": [path, ...]} (not recorded itself).
"""

import argparse
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/_stats":
            with self.server.lock:
                body = json.dumps({"requests": list(self.server.requests)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with self.server.lock:
            self.server.requests.append(self.path)
        size = self.server.size
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        try:
            while sent < size:
                piece = os.urandom(min(65536, size - sent))
                self.wfile.write(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--size", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.size = args.size
    server.lock = threading.Lock()
    server.requests = []
    temporary = args.port_file + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
