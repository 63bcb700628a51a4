#!/usr/bin/env python3
"""Records synthetic tasks into Larder nodes over HTTP (what `larder run` sends: an artifact PUT, then the record),
spread round-robin over the given nodes, with a pool of threads. Standard library only.

Usage: runs_s3_driver.py --flow F --run R --tasks N --artifact-bytes B --threads T NODE_URL [NODE_URL...]
Prints one line: recorded=N seconds=S
"""
import argparse
import hashlib
import http.client
import json
import random
import threading
import time
import urllib.parse

WORDS = "the quick brown fox jumps over the lazy dog while models transcribe speech on many nodes".split()


def transcript(seed, size):
    rnd = random.Random(seed)
    out = []
    length = 0
    while length < size:
        word = rnd.choice(WORDS)
        out.append(word)
        length += len(word) + 1
    return (" ".join(out))[:size].encode()


def record(flow, run, task, node_name, artifact):
    start = f"2026-12-03T00:{task // 60 % 60:02d}:{task % 60:02d}Z"
    return {
        "schema": "larder.task/v1", "flow": flow, "run": run, "step": "transcribe", "task": str(task), "attempt": 0,
        "start": start, "end": start, "durationSeconds": 1.0 + (task % 7) * 0.1, "exit": {"status": 0},
        "input": {"video": f"v{task}"}, "requests": {"cpu": 1}, "limits": {}, "node": {"name": node_name},
        "command": ["transcribe", f"v{task}"],
        "usage": {"avgCores": 0.9, "cpuSeconds": 0.9, "maxCores": 1, "p95Cores": 1, "peakMemoryBytes": 1 << 28,
                  "sampleIntervalSeconds": 1, "samples": []},
        "artifacts": [artifact],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flow", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--artifact-bytes", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("nodes", nargs="+")
    args = parser.parse_args()

    tasks = list(range(args.tasks))
    lock = threading.Lock()
    failures = []

    def worker(index):
        connections = {}
        while True:
            with lock:
                if not tasks:
                    break
                task = tasks.pop()
            node = args.nodes[task % len(args.nodes)]
            parsed = urllib.parse.urlparse(node)
            conn = connections.get(node) or http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
            connections[node] = conn
            body = transcript(args.seed * 1_000_003 + task, args.artifact_bytes)
            base = f"/runs/{args.flow}/{args.run}/transcribe/{task}"
            conn.request("PUT", base + "/artifacts/transcript", body=body, headers={"Content-Type": "text/plain; charset=utf-8"})
            answer = conn.getresponse(); answer.read()
            if answer.status != 201:
                failures.append(f"artifact {task}: {answer.status}"); continue
            artifact = {"name": "transcript", "digest": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body),
                        "mediaType": "text/plain; charset=utf-8"}
            document = json.dumps(record(args.flow, args.run, task, f"node-{task % len(args.nodes)}", artifact)).encode()
            conn.request("PUT", base + "/record", body=document, headers={"Content-Type": "application/json"})
            answer = conn.getresponse(); answer.read()
            if answer.status != 201:
                failures.append(f"record {task}: {answer.status}")

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    seconds = time.monotonic() - started
    if failures:
        raise SystemExit("failures: " + "; ".join(failures[:5]))
    print(f"recorded={args.tasks} seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
