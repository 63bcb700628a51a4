#!/usr/bin/env python3
"""Small measurement helpers for the Larder benchmarks (stdlib only).

  benchutil.py cpu PID             CPU seconds (utime+stime) of PID and all its
                                   live descendants, every thread included
  benchutil.py mon PID OUT [MS]    sample RssAnon/VmRSS of PID's process tree every
                                   MS milliseconds (default 50) until SIGTERM, then
                                   write {"peak_rss_anon_kib", "peak_rss_kib",
                                   "samples"} as JSON to OUT
  benchutil.py median X...         median of the numbers
  benchutil.py logsum FILE SKIP    sum the 3rd field ($body_bytes_sent) and count
                                   the lines of an access log after its first
                                   SKIP lines: prints "BYTES REQUESTS"
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    # comm may contain spaces and parentheses: split after the last ')'
    rest = data[data.rfind(")") + 2:].split()
    return rest  # rest[0] is field 3 (state)


def tree(root: int) -> list[int]:
    """root and its live descendants."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        f = _stat_fields(int(name))
        if f is None:
            continue
        children.setdefault(int(f[1]), []).append(int(name))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(root: int) -> float:
    ticks = 0
    for p in tree(root):
        f = _stat_fields(p)
        if f is None:
            continue
        ticks += int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)
    return ticks / CLK_TCK


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def monitor(root: int, out: str, interval_ms: float) -> None:
    peak_anon = peak_rss = samples = 0
    stop = False

    def handler(signum, frame):  # noqa: ARG001
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    procs = tree(root)
    last_tree = time.monotonic()
    while not stop:
        if time.monotonic() - last_tree > 1.0:
            procs = tree(root)
            last_tree = time.monotonic()
        anon = sum(_status_kib(p, "RssAnon") for p in procs)
        rss = sum(_status_kib(p, "VmRSS") for p in procs)
        peak_anon = max(peak_anon, anon)
        peak_rss = max(peak_rss, rss)
        samples += 1
        if not os.path.exists(f"/proc/{root}"):
            break
        time.sleep(interval_ms / 1000)
    with open(out, "w") as f:
        json.dump({"peak_rss_anon_kib": peak_anon, "peak_rss_kib": peak_rss, "samples": samples}, f)


def logsum(path: str, skip: int) -> None:
    total = n = 0
    with open(path) as f:
        for i, line in enumerate(f):
            if i < skip:
                continue
            parts = line.split()
            if len(parts) >= 3 and parts[2].isdigit():
                total += int(parts[2])
                n += 1
    print(total, n)


def main() -> None:
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "cpu":
        print(f"{cpu_seconds(int(args[0])):.3f}")
    elif cmd == "mon":
        monitor(int(args[0]), args[1], float(args[2]) if len(args) > 2 else 50.0)
    elif cmd == "median":
        print(statistics.median(float(a) for a in args))
    elif cmd == "logsum":
        logsum(args[0], int(args[1]))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
