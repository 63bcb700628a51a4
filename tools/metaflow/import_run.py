#!/usr/bin/env python3
"""Imports an existing Metaflow run, also one that never used Larder, into a Larder as task records.

Reads the run with Metaflow's client API (`Run`, its steps and tasks: `created_at`/`finished_at`, `successful`,
task metadata such as the attempt and, on Kubernetes, the node IP and pod name, the foreach stack, chosen artifacts)
and stores one `larder.task/v1` record per task with `larder runs import`, so `runcmp diff` works on a team's history
from day one. Inputs are the foreach values, exactly as `@larder` records them, so runcmp matches an imported task
with a recorded one by input.

What a run recorded before Larder does not have, the records do not have either: no resource usage was measured
(usage is all zero and the command says `metaflow-import`), no requests (Metaflow's task metadata does not keep them).

Usage: import_run.py FLOW/RUN [--artifact NAME]... [--server URL] [--larder BIN] [--out FILE]
Metaflow is configured as for any client (METAFLOW_HOME, METAFLOW_DATASTORE_SYSROOT_LOCAL, …).
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from datetime import timezone

MAX_INPUT_CHARS = 200
MAX_ARTIFACT_BYTES = 1 << 20


def truncate(value, limit=MAX_INPUT_CHARS):
    """The same rule as @larder's (larder_task_io.truncate): one line, at most `limit` characters."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timestamp(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def foreach_inputs(task):
    try:
        stack = task["_foreach_stack"].data or []
    except KeyError:
        return {}
    inputs = {}
    for index, frame in enumerate(stack):
        name = getattr(frame, "var", None) or "foreach%d" % index
        value = getattr(frame, "value", None)
        if value is not None:
            inputs[name] = truncate(value)
    return inputs


def node_of(metadata):
    for key in ("kubernetes-node-name", "kubernetes-node-ip", "hostname"):
        if metadata.get(key):
            return metadata[key]
    return "unknown"


def artifacts_of(task, names, inline):
    found = []
    for name in names:
        try:
            value = task[name].data
        except KeyError:
            continue
        if isinstance(value, str):
            body, media = value, "text/plain; charset=utf-8"
        else:
            try:
                body, media = json.dumps(value, indent=1), "application/json"
            except (TypeError, ValueError):
                continue
        data = body.encode("utf-8")
        if len(data) > MAX_ARTIFACT_BYTES:
            print("import_run: %s of %s is over %d bytes; not imported" % (name, task.pathspec, MAX_ARTIFACT_BYTES),
                  file=sys.stderr)
            continue
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        inline[digest] = body
        found.append({"name": name, "digest": digest, "size": len(data), "mediaType": media})
    return found


def record_of(flow, run_id, step, task, artifact_names, inline):
    metadata = task.metadata_dict
    start, end = task.created_at, task.finished_at
    if end is None:
        return None  # never finished: nothing to compare
    return {
        "schema": "larder.task/v1",
        "flow": flow, "run": run_id, "step": step.id, "task": task.id,
        "attempt": int(metadata.get("attempt", "0") or 0),
        "input": foreach_inputs(task),
        "node": {"name": node_of(metadata)},
        "start": timestamp(start), "end": timestamp(end),
        "durationSeconds": max(0.0, (end - start).total_seconds()),
        "exit": {"status": 0 if task.successful else 1},
        "requests": {}, "limits": {},
        "usage": {"cpuSeconds": 0, "avgCores": 0, "p95Cores": 0, "maxCores": 0, "peakMemoryBytes": 0,
                  "samples": [], "sampleIntervalSeconds": 1},
        "artifacts": artifacts_of(task, artifact_names, inline),
        "command": ["metaflow-import", task.pathspec]
                   + (["pod=" + metadata["kubernetes-pod-name"]] if metadata.get("kubernetes-pod-name") else []),
    }


def run_document(pathspec, artifact_names):
    from metaflow import Run, namespace

    namespace(None)
    run = Run(pathspec)
    flow, run_id = run.parent.id, run.id
    inline = {}
    tasks = []
    for step in run:
        for task in step:
            record = record_of(flow, run_id, step, task, artifact_names, inline)
            if record is not None:
                tasks.append(record)
    tasks.sort(key=lambda r: (r["step"], r["task"], r["attempt"]))
    return {"schema": "larder.run/v1", "flow": flow, "run": run_id, "tasks": tasks, "inline": inline}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="FLOW/RUN")
    parser.add_argument("--artifact", action="append", default=[], help="artifact to import as text (repeatable)")
    parser.add_argument("--server", default=os.environ.get("LARDER_SERVER", "http://127.0.0.1:7480"))
    parser.add_argument("--larder", default=os.environ.get("LARDER_BIN", "larder"))
    parser.add_argument("--out", help="also keep the run document here")
    options = parser.parse_args()
    if options.run.count("/") != 1:
        sys.exit("import_run: give the run as FLOW/RUN, e.g. WhisperFlow/1712345678")
    document = run_document(options.run, options.artifact)
    if not document["tasks"]:
        sys.exit("import_run: %s has no finished task to import" % options.run)
    path = options.out or tempfile.mkstemp(prefix="larder-import-", suffix=".json")[1]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    try:
        result = subprocess.run([options.larder, "runs", "import", path, "--server", options.server],
                                capture_output=True, text=True)
    finally:
        if not options.out:
            os.unlink(path)
    if result.returncode != 0:
        sys.exit("import_run: larder runs import failed: %s" % result.stderr.strip())
    print("imported %s: %d tasks in %d steps" % (options.run, len(document["tasks"]),
                                                 len({t["step"] for t in document["tasks"]})), file=sys.stderr)


if __name__ == "__main__":
    main()
