"""Runs one Metaflow task under `larder run`, so that the task's whole process tree is recorded.

The `@larder` decorator puts this module in front of the task's command line (locally: the runtime's entrypoint;
under `--with kubernetes`: the pod's `--executable`). It uses only the standard library (it must not import
Metaflow: it starts before the task does) and it never fails the task because of recording:

- no `larder` executable ($LARDER_BIN or `larder` on PATH): the task runs unrecorded, with one warning line;
- `larder run` ended before the task process announced itself (an older larder, a usage error): the task runs
  again, unrecorded;
- the server is down: `larder run` spools the record (sent later by `larder runs flush` or the next `larder run`).

In a Metaflow pod (`METAFLOW_KUBERNETES_NODE_IP` is the node's `status.hostIP`) the server defaults to the node's
Larder, `http://$METAFLOW_KUBERNETES_NODE_IP:7480`, and `HF_ENDPOINT` (when unset) to its `/hf`. `larder run` then
gives the task `LARDER_SERVER` and that `HF_ENDPOINT` below the task's own prefix (`<server>/t/<token>`), so what the
task downloads through Larder is listed, with cache outcomes and seconds waited, in its record's `fetches`.

Usage: python -m metaflow_extensions.larder.plugins.larder_launch --flow F --run R --step S --task T
       [--attempt N] [--cpu-request Q] [--memory-request Q] [--artifact NAME]... [--server URL] [--interval S]
       -- COMMAND...
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile

#: The task process finds its exchange directory here (inputs.json, artifacts/, started).
DIR_VARIABLE = "LARDER_METAFLOW_DIR"
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def warn(message):
    sys.stderr.write("larder: %s\n" % message)
    sys.stderr.flush()


def parse(argv):
    if "--" not in argv:
        raise SystemExit("larder_launch: give the task's command after --")
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="larder_launch")
    for name in ("--flow", "--run", "--step", "--task"):
        parser.add_argument(name, required=True)
    parser.add_argument("--attempt", default="0")
    parser.add_argument("--cpu-request")
    parser.add_argument("--memory-request")
    parser.add_argument("--artifact", action="append", default=[])
    parser.add_argument("--server")
    parser.add_argument("--interval")
    options = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    if not command:
        raise SystemExit("larder_launch: give the task's command after --")
    return options, command


def server_url(options, environ):
    """--server, else $LARDER_SERVER, else the node's Larder in a Kubernetes pod (status.hostIP), else the default."""
    if options.server:
        return options.server
    if environ.get("LARDER_SERVER"):
        return environ["LARDER_SERVER"]
    node_ip = environ.get("METAFLOW_KUBERNETES_NODE_IP")
    if node_ip:
        return "http://%s:7480" % node_ip
    return None


def node_name(environ):
    """$NODE_NAME (the Downward API's spec.nodeName), else the node's IP in a Metaflow pod, else larder's default."""
    return environ.get("NODE_NAME") or environ.get("METAFLOW_KUBERNETES_NODE_IP")


def larder_command(larder, options, exchange, environ):
    args = [larder, "run", "--flow", options.flow, "--run", options.run, "--step", options.step,
            "--task", options.task, "--attempt", str(options.attempt),
            "--input-file", os.path.join(exchange, "inputs.json")]
    optional = [("--cpu-request", options.cpu_request), ("--memory-request", options.memory_request),
                ("--server", server_url(options, environ)), ("--node", node_name(environ)),
                ("--interval", options.interval)]
    for flag, value in optional:
        if value:
            args += [flag, str(value)]
    for name in options.artifact:
        args += ["--artifact", "%s=%s" % (name, os.path.join(exchange, "artifacts", name))]
    return args


def run_forwarding_signals(args, env):
    """Runs args as a child, passing SIGTERM/SIGINT/SIGHUP on to it; returns its exit status as a shell would."""
    child = subprocess.Popen(args, env=env)
    previous = {}

    def forward(signum, _frame):
        try:
            child.send_signal(signum)
        except OSError:
            pass

    for signum in FORWARDED_SIGNALS:
        previous[signum] = signal.signal(signum, forward)
    try:
        status = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - status if status < 0 else status


def main(argv=None):
    options, command = parse(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ)
    larder = environ.get("LARDER_BIN") or shutil.which("larder")
    if not larder or not os.access(larder, os.X_OK):
        warn("no larder executable (set LARDER_BIN or put larder on PATH); %s/%s/%s/%s runs unrecorded"
             % (options.flow, options.run, options.step, options.task))
        os.execvp(command[0], command)
    if environ.get("METAFLOW_KUBERNETES_NODE_IP") and not environ.get("HF_ENDPOINT"):
        # In a pod: unmodified Hugging Face clients download through the node's Larder.
        environ["HF_ENDPOINT"] = server_url(options, environ).rstrip("/") + "/hf"
    exchange = tempfile.mkdtemp(prefix="larder-metaflow-")
    os.mkdir(os.path.join(exchange, "artifacts"))
    environ[DIR_VARIABLE] = exchange
    try:
        status = run_forwarding_signals(larder_command(larder, options, exchange, environ) + ["--"] + command, environ)
        started = os.path.exists(os.path.join(exchange, "started"))
    except OSError as error:
        warn("could not start %s (%s)" % (larder, error))
        status, started = 127, False
    finally:
        shutil.rmtree(exchange, ignore_errors=True)
    # The task process never announced itself: larder run failed before it (a usage error, an older larder, a
    # command it could not start), or the task died before Metaflow's step_init. Run it once more, unrecorded.
    if status != 0 and not started:
        warn("larder run did not start the task (exit status %d); running it unrecorded" % status)
        environ.pop(DIR_VARIABLE, None)
        status = run_forwarding_signals(command, environ)
    return status


if __name__ == "__main__":
    sys.exit(main())
