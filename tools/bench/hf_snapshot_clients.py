#!/usr/bin/env python3
"""Runs N concurrent `snapshot_download` clients (separate processes, each with an empty HF_HOME) against an
HF_ENDPOINT and prints {"seconds": wall, "ok": n, "bytes": total, "errors": [...]} as JSON.

Each client checks every file it got against --expect (a JSON file of path -> fingerprint, see `fingerprint`),
so a client that reused one cached blob for several files (as it does when a server sends equal ETags) fails.

Usage: hf_snapshot_clients.py --python VENV_PYTHON --endpoint URL --repo ID --clients N --home-root DIR
                              [--expect FILE] [--write-expect MODEL_DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

FINGERPRINT = r"""
import hashlib, os
def fingerprint(path):
    # size, and SHA-256 of the first and last MiB: cheap, and different for every generated file.
    size = os.path.getsize(path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read(1 << 20))
        f.seek(max(0, size - (1 << 20)))
        h.update(f.read(1 << 20))
    return f"{size}:{h.hexdigest()}"
"""

CLIENT = FINGERPRINT + r"""
import json, sys
from huggingface_hub import snapshot_download
folder = snapshot_download(sys.argv[1])
expect = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else None
total = 0
for root, _, names in os.walk(folder):
    for name in names:
        path = os.path.join(root, name)
        total += os.path.getsize(path)
        rel = os.path.relpath(path, folder)
        if expect is not None and expect.get(rel) != fingerprint(path):
            sys.exit(f"{rel}: wrong content")
print(total)
"""

exec(FINGERPRINT)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--home-root", required=True)
    parser.add_argument("--expect")
    parser.add_argument("--write-expect")
    args = parser.parse_args()
    if args.write_expect:
        prints = {}
        for root, _, names in os.walk(args.write_expect):
            for name in names:
                path = os.path.join(root, name)
                prints[os.path.relpath(path, args.write_expect)] = fingerprint(path)
        with open(args.expect, "w") as f:
            json.dump(prints, f)
        return

    procs = []
    started = time.monotonic()
    for index in range(args.clients):
        home = os.path.join(args.home_root, f"client-{index}")
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(home)
        env = dict(os.environ, HF_ENDPOINT=args.endpoint, HF_HOME=home, HF_HUB_DISABLE_TELEMETRY="1",
                   HF_HUB_DISABLE_PROGRESS_BARS="1")
        env.pop("HF_TOKEN", None)
        command = [args.python, "-c", CLIENT, args.repo] + ([args.expect] if args.expect else [])
        procs.append(subprocess.Popen(command, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    ok, total, errors = 0, 0, []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode == 0:
            ok += 1
            total += int(out.strip().splitlines()[-1])
        else:
            errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}")
    seconds = time.monotonic() - started
    for index in range(args.clients):
        shutil.rmtree(os.path.join(args.home_root, f"client-{index}"), ignore_errors=True)
    json.dump({"seconds": seconds, "ok": ok, "bytes": total, "errors": errors}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
