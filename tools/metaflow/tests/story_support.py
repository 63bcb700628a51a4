"""What story_check.py's scenarios share: the check log, HTTP reads, and a Workspace (a temporary Metaflow
home and datastore, a clip, an empty Hugging Face cache) that runs the Whisper flow and Metaflow client code."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
METAFLOW_DIR = os.path.dirname(HERE)
FLOW = os.path.join(METAFLOW_DIR, "examples", "whisper_flow.py")
PYTHON = sys.executable
STEPS = {"start": 1, "video": 1, "transcribe": 2, "join_models": 1, "join_videos": 1, "end": 1}
CLIP = "fox-grapes"
CLOSED_PORT_URL = "http://127.0.0.1:9"
failures = []


def log(message):
    print("story_check: " + message, file=sys.stderr, flush=True)


def check(condition, message):
    log(("ok: " if condition else "FAILED: ") + message)
    if not condition:
        failures.append(message)
    return condition


def get(url, raw=False):
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    return body if raw else json.loads(body)


def hf_files_served(server):
    text = get(server + "/metrics", raw=True).decode()
    total = 0
    for result in ("hit", "miss", "coalesced"):
        match = re.search(r'larder_hf_file_requests_total\{result="%s"\} (\d+)' % result, text)
        total += int(match.group(1)) if match else 0
    return total


def normalise(text):
    kept = "".join(ch if ch.isalnum() or ch == "'" or ch.isspace() else " " for ch in text.lower())
    return " ".join(kept.split())


class Workspace:
    """A temporary Metaflow home/datastore, clips, an empty HF cache and the environment a flow runs with."""

    def __init__(self, options):
        self.root = tempfile.mkdtemp(prefix="larder-metaflow-test-")
        self.options = options
        clips = subprocess.run([PYTHON, os.path.join(METAFLOW_DIR, "make_clips.py"), os.path.join(self.root, "clips"),
                                CLIP], check=True, capture_output=True, text=True)
        self.manifest = clips.stdout.strip()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("LARDER_", "HF_", "METAFLOW_"))}
        self.env.update({
            "METAFLOW_HOME": os.path.join(self.root, "mfhome"),
            "METAFLOW_DATASTORE_SYSROOT_LOCAL": os.path.join(self.root, "datastore"),
            "METAFLOW_DEFAULT_DATASTORE": "local", "METAFLOW_DEFAULT_METADATA": "local",
            "USERNAME": "larder-test", "LARDER_BIN": options.larder, "LARDER_SERVER": options.server,
            "LARDER_SPOOL": os.path.join(self.root, "spool"),
            "HF_ENDPOINT": options.server + "/hf", "HF_HOME": os.path.join(self.root, "hf"),
            "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        })
        for key in ("METAFLOW_HOME", "METAFLOW_DATASTORE_SYSROOT_LOCAL"):
            os.makedirs(self.env[key], exist_ok=True)

    def run_flow(self, flow_file, extra, env=None, models="tiny.en,base"):
        command = [PYTHON, flow_file, "--no-pylint", "run", "--clips", self.manifest, "--models", models,
                   "--max-workers", "2"] + extra
        log("running " + " ".join(os.path.basename(c) if c == flow_file else c for c in command[1:]))
        result = subprocess.run(command, env=env or self.env, capture_output=True, text=True, timeout=900)
        output = result.stdout + result.stderr
        match = re.search(r"run-id (\d+)", output)
        if not check(result.returncode == 0 and match, "the flow ran (exit %d)" % result.returncode):
            log(output[-6000:])
            raise SystemExit(1)
        return match.group(1), output

    def client(self, code):
        """Runs Metaflow client code in this workspace; returns what it prints as JSON."""
        result = subprocess.run([PYTHON, "-c", code], env=self.env, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise SystemExit("client code failed: " + result.stderr[-3000:])
        return json.loads(result.stdout)

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def run_tasks(server, run_id):
    """The run's task records; none (a failed check) when the server has no such run."""
    try:
        return get("%s/runs/WhisperFlow/%s" % (server, run_id))["tasks"]
    except urllib.error.HTTPError as error:
        check(False, "the server has records of WhisperFlow/%s (HTTP %d)" % (run_id, error.code))
        return []
