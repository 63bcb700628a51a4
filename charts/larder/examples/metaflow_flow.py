"""A Metaflow step on Kubernetes using the Larder of the node it lands on.

Metaflow's @kubernetes sets METAFLOW_KUBERNETES_NODE_IP from the downward API (status.hostIP); the step points
the Hugging Face client and `larder run` at that node, and tells the recorder what @kubernetes requested (the
plain-Job example does the same with resourceFieldRef).
"""

import os
import subprocess

from metaflow import FlowSpec, kubernetes, step

CPU, MEMORY_MB = 2, 4096


class Transcribe(FlowSpec):
    @kubernetes(cpu=CPU, memory=MEMORY_MB)
    @step
    def start(self):
        node = os.environ["METAFLOW_KUBERNETES_NODE_IP"]
        env = dict(os.environ,
                   HF_ENDPOINT=f"http://{node}:7480/hf",
                   LARDER_SERVER=f"http://{node}:7480",
                   LARDER_CPU_REQUEST=f"{CPU}",              # Kubernetes quantities, as in the Job example
                   LARDER_MEMORY_REQUEST=f"{MEMORY_MB}Mi")
        subprocess.run(["larder", "run", "--", "python", "transcribe.py"], env=env, check=True)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    Transcribe()
