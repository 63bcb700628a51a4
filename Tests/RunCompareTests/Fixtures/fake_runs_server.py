"""A loopback stand-in for the Larder server's /runs API, serving run documents from a directory.

Usage: python3 fake_runs_server.py DIR PORTFILE
DIR holds FLOW/RUN.json run documents (their "inline" texts are served as artifacts, and
removed from the run document, as the real server would). The chosen port is written to
PORTFILE. Serves until killed.
"""
import http.server
import json
import os
import sys

ROOT = sys.argv[1]


def load(flow, run):
    path = os.path.join(ROOT, flow, run + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Handler(http.server.BaseHTTPRequestHandler):
    def send(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = [p for p in self.path.split("/") if p]
        try:
            if parts == ["runs"]:
                flows = sorted(os.listdir(ROOT))
                return self.send(200, {"flows": [{"flow": f, "runs": len(os.listdir(os.path.join(ROOT, f)))} for f in flows]})
            if len(parts) == 2 and parts[0] == "runs":
                runs = sorted(n[:-5] for n in os.listdir(os.path.join(ROOT, parts[1])))
                return self.send(200, {"flow": parts[1], "runs": [{"run": r, "tasks": len(load(parts[1], r)["tasks"])} for r in runs]})
            if len(parts) == 3 and parts[0] == "runs":
                doc = load(parts[1], parts[2])
                doc.pop("inline", None)
                return self.send(200, doc)
            if len(parts) == 7 and parts[0] == "runs" and parts[5] == "artifacts":
                doc = load(parts[1], parts[2])
                for task in doc["tasks"]:
                    if task["step"] == parts[3] and task["task"] == parts[4]:
                        for artifact in task["artifacts"]:
                            if artifact["name"] == parts[6] and artifact["digest"] in doc.get("inline", {}):
                                return self.send(200, doc["inline"][artifact["digest"]].encode(), "text/plain")
            return self.send(404, {"error": "not_found", "message": f"no such resource {self.path}"})
        except FileNotFoundError:
            return self.send(404, {"error": "not_found", "message": f"no such run {self.path}"})

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
