#!/usr/bin/env python3
"""Runs N concurrent `snapshot_download` clients (separate processes, each with an empty HF_HOME) against an
HF_ENDPOINT and prints {"seconds": wall, "ok": n, "bytes": total, "errors": [...]} as JSON.

Usage: hf_snapshot_clients.py --python VENV_PYTHON --endpoint URL --repo ID --clients N --home-root DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

CLIENT = r"""
import os, sys
from huggingface_hub import snapshot_download
folder = snapshot_download(sys.argv[1])
total = 0
for root, _, names in os.walk(folder):
    for name in names:
        total += os.path.getsize(os.path.join(root, name))
print(total)
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--home-root", required=True)
    args = parser.parse_args()

    procs = []
    started = time.monotonic()
    for index in range(args.clients):
        home = os.path.join(args.home_root, f"client-{index}")
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(home)
        env = dict(os.environ, HF_ENDPOINT=args.endpoint, HF_HOME=home, HF_HUB_DISABLE_TELEMETRY="1",
                   HF_HUB_DISABLE_PROGRESS_BARS="1")
        env.pop("HF_TOKEN", None)
        procs.append(subprocess.Popen([args.python, "-c", CLIENT, args.repo], env=env,
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
