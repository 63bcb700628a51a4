#!/usr/bin/env python3
"""A tiny stand-in for the Hugging Face Hub, as Larder's HF tests need an upstream (stdlib only).

Usage: hub_fixture.py --root DIR --commit SHA --port-file FILE

Serves the files below DIR as repository fixture/model at commit SHA (branch main), the way the Hub does:
  GET /api/models/fixture/model/revision/{main|SHA}[?blobs=true]   info with siblings (size, blobId, lfs), xetEnabled
  GET /api/models/fixture/model/revision/OTHER                     404, X-Error-Code: RevisionNotFound
  GET /api/models/fixture/gated/revision/*                         401, X-Error-Code: GatedRepo
  GET /api/models/fixture/down/revision/*                          503
  GET /api/models/*                                                404, X-Error-Code: RepoNotFound
  GET|HEAD /fixture/model/resolve/SHA/PATH     small files: 200 with a git-sha1 ETag; LFS files (*.bin, > 10 MB):
                                               302 to /cdn/<sha256> with X-Linked-Etag/X-Linked-Size; every answer
                                               carries Xet headers (X-Xet-Hash, Link rel="xet-auth") Larder must strip
  GET /fixture/model/resolve/SHA/away.bin     302 to http://localhost:PORT/cdn/... (a host Larder must not follow)
  GET /cdn/SHA256                              the content
  GET /_stats                                  {"paths": {path: count}}   (not counted itself)
  GET /_gate?mode=gated|private&tokens=T1,T2   gates fixture/model: its info reports "gated": "manual" (or
                                               "private": true); the info and resolve routes answer only
                                               `Authorization: Bearer T` with T listed: 401 without a token, 403 GatedRepo
                                               (private: 404 RepoNotFound) with another; /_gate?mode=public lifts it.
                                               Each gated request counts as "AUTH <token or ->" (not counted itself)
  GET /_main?commit=SHA2&root=DIR2             moves main to a new commit SHA2 whose files are those below DIR2; the
                                               earlier commits stay resolvable by SHA (not counted itself)
"""

import argparse
import hashlib
import json
import os
import signal
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

REPO = "fixture/model"


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Repo:
    def __init__(self, root, commit):
        self.commit = commit
        self.files = {}
        self.by_sha = {}
        for base, _, names in os.walk(root):
            for name in names:
                full = os.path.join(base, name)
                path = os.path.relpath(full, root).replace(os.sep, "/")
                with open(full, "rb") as f:
                    data = f.read()
                sha = hashlib.sha256(data).hexdigest()
                lfs = path.endswith(".bin") or len(data) > 10 * 1024 * 1024
                entry = {"data": data, "size": len(data), "sha256": sha, "lfs": lfs}
                if lfs:
                    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()
                    entry["blobId"] = git_blob_id(pointer)
                    entry["pointerSize"] = len(pointer)
                else:
                    entry["blobId"] = git_blob_id(data)
                self.files[path] = entry
                self.by_sha[sha] = data

    def info(self, blobs, gate=None):
        siblings = []
        for path, entry in sorted(self.files.items()):
            sibling = {"rfilename": path}
            if blobs:
                sibling["size"] = entry["size"]
                sibling["blobId"] = entry["blobId"]
                if entry["lfs"]:
                    sibling["lfs"] = {"sha256": entry["sha256"], "size": entry["size"], "pointerSize": entry["pointerSize"]}
            siblings.append(sibling)
        return {
            "_id": "0123456789abcdef01234567", "id": REPO, "modelId": REPO, "author": "fixture", "sha": self.commit,
            "lastModified": "2024-05-01T12:00:00.000Z", "private": False, "disabled": False, "gated": False,
            "pipeline_tag": "automatic-speech-recognition", "library_name": "ctranslate2", "tags": ["audio"],
            "downloads": 7, "likes": 3, "cardData": {"license": "mit"}, "xetEnabled": True, "siblings": siblings,
        } | ({"gated": "manual"} if gate == "gated" else {"private": True} if gate == "private" else {})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    repo = None  # the commit main points at
    commits = {}  # every commit served so far, by SHA
    counts = {}
    gate = None  # None, or ("gated" | "private", set of accepted tokens)
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def count(self, path):
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1

    def send(self, status, body=b"", headers=None, content_type="application/json"):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self.send(status, json.dumps({"error": message}).encode(), headers)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/_stats":
            with self.lock:
                body = json.dumps({"paths": self.counts}).encode()
            return self.send(200, body)
        if path == "/_main":
            query = parse_qs(parts.query or "")
            repo = Repo(query["root"][0], query["commit"][0])
            with self.lock:
                Handler.commits[repo.commit] = repo
                Handler.repo = repo
            return self.send(200, json.dumps({"main": repo.commit}).encode())
        if path == "/_gate":
            query = parse_qs(parts.query or "")
            mode = query.get("mode", ["public"])[0]
            tokens = set(",".join(query.get("tokens", [""])).split(",")) - {""}
            with self.lock:
                Handler.gate = None if mode == "public" else (mode, tokens)
            return self.send(200, json.dumps({"mode": mode, "tokens": len(tokens)}).encode())
        self.count(f"{self.command} {path}")
        if path.startswith(f"/api/models/{REPO}") or path.startswith(f"/{REPO}/resolve/"):
            refusal = self.gate_refusal()
            if refusal:
                return self.error(*refusal)
        if path.startswith("/api/models/"):
            return self.api(path[len("/api/models/"):], "blobs=true" in (parts.query or ""))
        if path.startswith("/cdn/"):
            data = next((r.by_sha[path[len("/cdn/"):]] for r in self.commits.values() if path[len("/cdn/"):] in r.by_sha), None)
            if data is None:
                return self.error(404, None, "no such object")
            return self.send(200, data, {"Accept-Ranges": "bytes"}, "application/octet-stream")
        prefix = f"/{REPO}/resolve/"
        if path.startswith(prefix):
            rest = path[len(prefix):]
            revision, _, file_path = rest.partition("/")
            file_path = unquote(file_path)
            repo = self.repo if revision == "main" else self.commits.get(revision)
            if repo is None:
                return self.error(404, "RevisionNotFound", "Invalid rev id")
            entry = repo.files.get(file_path)
            if entry is None:
                return self.error(404, "EntryNotFound", f"{file_path} does not exist")
            xet = {
                "X-Repo-Commit": repo.commit,
                "X-Xet-Hash": "f" * 64,
                "Link": f'<http://{self.headers["Host"]}/api/models/{REPO}/xet-read-token/{repo.commit}>; rel="xet-auth"',
            }
            if entry["lfs"]:
                host = f"localhost:{self.server.server_port}" if file_path == "away.bin" else None
                location = f"http://{host}/cdn/{entry['sha256']}" if host else f"/cdn/{entry['sha256']}"
                xet.update({
                    "Location": location, "X-Linked-Etag": f'"{entry["sha256"]}"', "X-Linked-Size": str(entry["size"]),
                    "ETag": f'"{entry["blobId"]}"',
                })
                return self.send(302, b"", xet, "text/plain")
            xet["ETag"] = f'"{entry["blobId"]}"'
            return self.send(200, entry["data"], xet, "application/octet-stream")
        self.error(404, None, "not found")

    def gate_refusal(self):
        """None when the request may pass the gate; else (status, code, message)."""
        with self.lock:
            gate = Handler.gate
        if gate is None:
            return None
        mode, tokens = gate
        header = self.headers.get("Authorization") or ""
        token = header[len("Bearer "):] if header.startswith("Bearer ") else None
        self.count(f"AUTH {token or '-'}")
        if token in tokens:
            return None
        if mode == "private":
            if token is None:
                return (401, "RepoNotFound", "Repository not found")
            return (404, "RepoNotFound", "Repository not found")
        if token is None:
            return (401, "GatedRepo", f"Access to model {REPO} is restricted. You must be authenticated to access it.")
        return (403, "GatedRepo", f"Access to model {REPO} is restricted and you are not in the authorized list.")

    def api(self, rest, blobs):
        if "/revision/" in rest:
            repo, _, revision = rest.partition("/revision/")
        else:
            repo, revision = rest, "main"
        revision = unquote(revision)
        if repo == "fixture/gated":
            return self.error(401, "GatedRepo", "Access to model fixture/gated is restricted. You must be authenticated to access it.")
        if repo == "fixture/down":
            return self.send(503, b"upstream is down", {}, "text/plain")
        if repo != REPO:
            return self.error(404, "RepoNotFound", "Repository not found")
        repo = self.repo if revision == "main" else self.commits.get(revision)
        if repo is None:
            return self.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        with self.lock:
            gate = Handler.gate
        self.send(200, json.dumps(repo.info(blobs, gate[0] if gate else None)).encode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    # A test runner may have SIGTERM ignored (service lifecycles do), and children inherit that: restore it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    Handler.repo = Repo(args.root, args.commit)
    Handler.commits = {Handler.repo.commit: Handler.repo}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    directory = os.path.dirname(os.path.abspath(args.port_file))
    with tempfile.NamedTemporaryFile("w", dir=directory, delete=False) as f:
        f.write(str(server.server_port))
        temporary = f.name
    os.replace(temporary, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
