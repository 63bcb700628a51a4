"""The `@larder` step decorator: every task of the step runs under `larder run`, which records when and where it
ran, what it requested (`@resources` / `@kubernetes`) and used, its inputs and chosen artifacts.

    @larder(artifacts=["transcript"], params=["cpu_threads"])
    @resources(cpu=1, memory=4096)
    @step
    def transcribe(self): ...

or, without touching the flow: `python flow.py run --with larder` (attributes as `--with larder:artifacts=transcript`).

How it hooks in (the least invasive place Metaflow offers):
- locally, `runtime_step_cli` puts `python -m …larder_launch … --` in front of the task's command line, so the
  runtime starts `larder run … -- python flow.py step …` instead of `python flow.py step …`;
- with `@kubernetes` (or `--with kubernetes`), the local command stays as it is (it only launches the pod) and the
  pod's command is wrapped instead, through the `--executable` option of `kubernetes step`; in the pod the server is
  `$LARDER_SERVER`, else the node's Larder at `http://$METAFLOW_KUBERNETES_NODE_IP:7480`.
Inside the task, `task_pre_step` writes the foreach values (and chosen parameters) and `task_post_step` the chosen
artifacts to a directory `larder run` reads when the task ends. Nothing here can fail the step.
"""

import shlex
import sys

from metaflow.decorators import StepDecorator

from . import larder_task_io

LAUNCH_MODULE = "metaflow_extensions.larder.plugins.larder_launch"


def name_list(value):
    """A list attribute from Python (`["a", "b"]`) or the command line (`a`, `a;b`, `a b`)."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return [part for part in str(value).replace(";", " ").replace(",", " ").split() if part]


def declared_requests(decorators):
    """The largest cpu/memory (MB)/gpu declared by @resources or @kubernetes, as Metaflow itself combines them."""
    found = {}
    for deco in decorators:
        if deco.name not in ("resources", "kubernetes"):
            continue
        for key in ("cpu", "memory", "gpu"):
            value = deco.attributes.get(key)
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            if number > 0:
                found[key] = max(found.get(key, 0.0), number)
    return found


def quantity(number, suffix=""):
    text = ("%d" % number) if float(number).is_integer() else ("%g" % number)
    return text + suffix


class LarderStepDecorator(StepDecorator):
    """Records every task of the step with `larder run` (see the module documentation).

    Attributes:
        artifacts: names of step artifacts to store with the record (text as text, other values as JSON).
        params: names of flow parameters to record as inputs (inputs identify a task across runs, so only name
            parameters that should keep tasks of runs with different values apart).
        server: the Larder URL (default: $LARDER_SERVER, in a pod the node's Larder, else larder's default).
        interval: seconds between samples (default: larder's, 1 s).
    """

    name = "larder"
    defaults = {"artifacts": None, "params": None, "server": None, "interval": None}

    def step_init(self, flow, graph, step_name, decorators, environment, flow_datastore, logger):
        self._flow_name = flow.name
        self._step_name = step_name
        self._requests = declared_requests(decorators)
        self._on_kubernetes = any(deco.name == "kubernetes" for deco in decorators)
        self._environment = environment
        self._artifacts = name_list(self.attributes.get("artifacts"))
        self._params = name_list(self.attributes.get("params"))
        # In a task process started by larder_launch: tell it the task is up (step_init runs first thing).
        larder_task_io.mark_started()

    def launch_arguments(self, cli_args, retry_count):
        options = cli_args.command_options
        args = ["--flow", self._flow_name, "--run", str(options["run-id"]), "--step", self._step_name,
                "--task", str(options["task-id"]), "--attempt", str(retry_count)]
        if "cpu" in self._requests:
            args += ["--cpu-request", quantity(self._requests["cpu"])]
        if "memory" in self._requests:
            # Metaflow's memory is in MB and @kubernetes requests it as "<n>M".
            args += ["--memory-request", quantity(self._requests["memory"], "M")]
        for name in self._artifacts:
            args += ["--artifact", name]
        for key in ("server", "interval"):
            if self.attributes.get(key) not in (None, ""):
                args += ["--%s" % key, str(self.attributes[key])]
        return args

    def runtime_step_cli(self, cli_args, retry_count, max_user_code_retries, ubf_context):
        args = self.launch_arguments(cli_args, retry_count)
        if self._on_kubernetes and retry_count <= max_user_code_retries:
            # The local process only launches the pod: wrap the pod's command (`kubernetes step --executable`).
            python = self._environment.executable(self._step_name) or "python"
            wrapped = [python, "-u", "-m", LAUNCH_MODULE] + args + ["--", python]
            cli_args.command_options["executable"] = " ".join(shlex.quote(part) for part in wrapped)
        else:
            cli_args.entrypoint = [sys.executable, "-u", "-m", LAUNCH_MODULE] + args + ["--"] + list(cli_args.entrypoint)

    def task_pre_step(self, step_name, task_datastore, metadata, run_id, task_id, flow, graph, retry_count,
                      max_user_code_retries, ubf_context, inputs):
        larder_task_io.write_inputs(flow, self._params)

    def task_post_step(self, step_name, flow, graph, retry_count, max_user_code_retries):
        larder_task_io.write_artifacts(flow, self._artifacts)
