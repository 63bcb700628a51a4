"""Unit tests of the @larder extension's pure parts (run by Tests/MetaflowTests with the venv's python):
how requests, attributes and inputs are turned into `larder run` arguments, locally and in a Kubernetes pod."""

import json
import os
import subprocess
import sys
import tempfile
import types
import unittest

import metaflow  # noqa: F401  (first: Metaflow loads its extensions, this one included)
from metaflow_extensions.larder.plugins import larder_decorator, larder_launch, larder_task_io


def deco(name, **attributes):
    return types.SimpleNamespace(name=name, attributes=attributes)


class FakeCLIArgs:
    def __init__(self):
        self.entrypoint = ["/venv/bin/python", "flow.py"]
        self.commands = ["step"]
        self.command_options = {"run-id": "17", "task-id": "4", "retry-count": 1}


class FakeEnvironment:
    def executable(self, step_name, default=None):
        return "python3"


def decorator(step_decorators, **attributes):
    larder = larder_decorator.LarderStepDecorator(attributes=attributes)
    flow = types.SimpleNamespace(name="WhisperFlow")
    larder.step_init(flow, None, "transcribe", step_decorators + [larder], FakeEnvironment(), None, None)
    return larder


class RequestsAndAttributes(unittest.TestCase):
    def test_requests_take_the_larger_of_resources_and_kubernetes(self):
        found = larder_decorator.declared_requests([deco("resources", cpu=1, memory=4096),
                                                    deco("kubernetes", cpu="2", memory="1024", gpu=None)])
        self.assertEqual(found, {"cpu": 2.0, "memory": 4096.0})

    def test_quantities_are_kubernetes_quantities(self):
        self.assertEqual(larder_decorator.quantity(2.0), "2")
        self.assertEqual(larder_decorator.quantity(0.5), "0.5")
        self.assertEqual(larder_decorator.quantity(4096, "M"), "4096M")

    def test_list_attributes_from_python_or_the_command_line(self):
        self.assertEqual(larder_decorator.name_list(["a", "b"]), ["a", "b"])
        self.assertEqual(larder_decorator.name_list("a;b c"), ["a", "b", "c"])
        self.assertEqual(larder_decorator.name_list(None), [])


class CommandLines(unittest.TestCase):
    def test_locally_the_task_entrypoint_is_wrapped(self):
        larder = decorator([deco("resources", cpu=1, memory=4096)], artifacts=["transcript"])
        cli = FakeCLIArgs()
        larder.runtime_step_cli(cli, retry_count=1, max_user_code_retries=0, ubf_context=None)
        self.assertEqual(cli.commands, ["step"])
        self.assertNotIn("executable", cli.command_options)
        split = cli.entrypoint.index("--")
        self.assertEqual(cli.entrypoint[split + 1:], ["/venv/bin/python", "flow.py"])
        self.assertEqual(cli.entrypoint[1:4], ["-u", "-m", larder_decorator.LAUNCH_MODULE])
        args = cli.entrypoint[4:split]
        self.assertEqual(args, ["--flow", "WhisperFlow", "--run", "17", "--step", "transcribe", "--task", "4",
                                "--attempt", "1", "--cpu-request", "1", "--memory-request", "4096M",
                                "--artifact", "transcript"])

    def test_with_kubernetes_the_pod_command_is_wrapped_not_the_launcher(self):
        larder = decorator([deco("kubernetes", cpu=2, memory=8192)])
        cli = FakeCLIArgs()
        larder.runtime_step_cli(cli, retry_count=0, max_user_code_retries=0, ubf_context=None)
        self.assertEqual(cli.entrypoint, ["/venv/bin/python", "flow.py"])
        executable = cli.command_options["executable"]
        self.assertTrue(executable.startswith("python3 -u -m %s --flow WhisperFlow" % larder_decorator.LAUNCH_MODULE))
        self.assertTrue(executable.endswith("--cpu-request 2 --memory-request 8192M -- python3"), executable)

    def test_kubernetes_step_accepts_the_executable_option(self):
        from metaflow.plugins.kubernetes.kubernetes_cli import step

        self.assertIn("executable", [parameter.name for parameter in step.params])

    def test_in_a_pod_server_and_node_come_from_the_host_ip(self):
        options, command = larder_launch.parse(["--flow", "F", "--run", "1", "--step", "s", "--task", "2", "--",
                                                "python", "flow.py"])
        environ = {"METAFLOW_KUBERNETES_NODE_IP": "10.0.0.7"}
        args = larder_launch.larder_command("/bin/larder", options, "/x", environ)
        self.assertIn("http://10.0.0.7:7480", args)
        self.assertEqual(args[args.index("--node") + 1], "10.0.0.7")
        environ["NODE_NAME"] = "node-a"
        environ["LARDER_SERVER"] = "http://other:1"
        args = larder_launch.larder_command("/bin/larder", options, "/x", environ)
        self.assertEqual(args[args.index("--node") + 1], "node-a")
        self.assertEqual(args[args.index("--server") + 1], "http://other:1")
        self.assertEqual(command, ["python", "flow.py"])


class Launcher(unittest.TestCase):
    def launch(self, larder_bin, task_script):
        env = dict(os.environ, LARDER_BIN=larder_bin, LARDER_SERVER="http://127.0.0.1:9")
        return subprocess.run([sys.executable, "-m", larder_decorator.LAUNCH_MODULE, "--flow", "F", "--run", "1",
                               "--step", "s", "--task", "2", "--", sys.executable, "-c", task_script],
                              env=env, capture_output=True, text=True, timeout=60)

    def test_a_larder_that_fails_before_the_task_starts_does_not_fail_the_task(self):
        with tempfile.TemporaryDirectory() as scratch:
            broken = os.path.join(scratch, "larder")
            with open(broken, "w") as handle:
                handle.write("#!/bin/sh\necho 'Error: unknown option' >&2\nexit 64\n")
            os.chmod(broken, 0o755)
            marker = os.path.join(scratch, "ran")
            result = self.launch(broken, "open(%r, 'a').write('x')" % marker)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("running it unrecorded", result.stderr)
            with open(marker) as handle:
                self.assertEqual(handle.read(), "x")  # ran exactly once

    def test_the_task_exit_status_is_kept_without_larder(self):
        result = self.launch("/nonexistent/larder", "import sys; sys.exit(3)")
        self.assertEqual(result.returncode, 3)
        self.assertIn("runs unrecorded", result.stderr)


class TaskInputs(unittest.TestCase):
    def test_inputs_are_the_foreach_values_and_named_parameters_truncated(self):
        frame = types.SimpleNamespace(var="videos", value="x" * 500)
        flow = types.SimpleNamespace(_foreach_stack=[frame, types.SimpleNamespace(var="models", value="base")],
                                     threads=4)
        with tempfile.TemporaryDirectory() as scratch:
            os.environ[larder_launch.DIR_VARIABLE] = scratch
            try:
                larder_task_io.write_inputs(flow, ["threads"])
            finally:
                del os.environ[larder_launch.DIR_VARIABLE]
            with open(os.path.join(scratch, "inputs.json")) as handle:
                inputs = json.load(handle)
        self.assertEqual(inputs["models"], "base")
        self.assertEqual(inputs["threads"], "4")
        self.assertEqual(len(inputs["videos"]), larder_task_io.MAX_INPUT_CHARS)
        self.assertTrue(inputs["videos"].endswith("…"))

    def test_artifacts_keep_text_as_text_and_other_values_as_json(self):
        self.assertEqual(larder_task_io.artifact_bytes("héllo"), "héllo".encode())
        self.assertEqual(json.loads(larder_task_io.artifact_bytes({"text": "a"})), {"text": "a"})


if __name__ == "__main__":
    unittest.main()
