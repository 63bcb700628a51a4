"""The story's flow: transcribe speech clips with two Whisper model sizes and compare quality and time.

    start -> foreach video -> foreach model -> transcribe -> join_models -> join_videos -> end

`transcribe` loads `WhisperModel(<model>)` with the unmodified faster-whisper client, which downloads the model
from `$HF_ENDPOINT` (a Larder's `/hf`). `end` prints a per-model table of WER against the reference texts (jiwer)
and transcription time.

Sizing is a Metaflow Config, so runs differ without code changes (`--config-value sizing '{…}'`):
  cpu, memory   what @resources (and so @kubernetes) requests for `transcribe`
  cpu_threads   faster-whisper's CPU threads per task (0 = CTranslate2's default)
Run A as the story began: cpu=1, memory=4096, 16 threads, every task at once (`--max-workers 16`).
Run B right-sized from A's records: threads = cores requested, as many tasks at once as the node has room for.

Locally:   python whisper_flow.py run --clips clips.json --with larder
Cluster:   python whisper_flow.py run --clips clips.json --with kubernetes --with larder  (see the README)
"""

import json
import os
import time

from metaflow import Config, FlowSpec, Parameter, larder, resources, step

DEFAULT_SIZING = {"cpu": 1, "memory": 4096, "cpu_threads": 16}


def normalise(text):
    """Lower case, letters, digits and apostrophes only: what WER should compare."""
    kept = "".join(ch if ch.isalnum() or ch == "'" or ch.isspace() else " " for ch in text.lower())
    return " ".join(kept.split())


class WhisperFlow(FlowSpec):
    sizing = Config("sizing", default_value=DEFAULT_SIZING, help="cpu, memory (MB) and cpu_threads for transcribe")
    clips = Parameter("clips", required=True, help="clips.json written by tools/metaflow/make_clips.py")
    model_names = Parameter("models", default="tiny.en,base", help="comma-separated faster-whisper model names")

    @step
    def start(self):
        with open(self.clips, encoding="utf-8") as handle:
            manifest = json.load(handle)["clips"]
        self.paths = {clip["name"]: clip["path"] for clip in manifest}
        self.references = {clip["name"]: clip["reference"] for clip in manifest}
        self.videos = [clip["name"] for clip in manifest]
        self.next(self.video, foreach="videos")

    @step
    def video(self):
        self.video_name = self.input
        self.models = [name.strip() for name in self.model_names.split(",") if name.strip()]
        self.next(self.transcribe, foreach="models")

    @larder(artifacts=["transcript"])
    @resources(cpu=sizing.cpu, memory=sizing.memory)
    @step
    def transcribe(self):
        from faster_whisper import WhisperModel

        self.model_name = self.input
        print("*** transcribing %s with Whisper %s (cpu_threads=%s) ***"
              % (self.video_name, self.model_name, self.sizing.cpu_threads))
        started = time.monotonic()
        model = WhisperModel(self.model_name, device="cpu", compute_type="int8",
                             cpu_threads=int(self.sizing.cpu_threads))
        self.load_seconds = time.monotonic() - started
        segments, _ = model.transcribe(self.paths[self.video_name], beam_size=1, language="en")
        self.transcript = " ".join(segment.text.strip() for segment in segments)
        self.seconds = time.monotonic() - started
        print("%s/%s: %.1f s: %s" % (self.video_name, self.model_name, self.seconds, self.transcript))
        self.next(self.join_models)

    @step
    def join_models(self, inputs):
        self.results = [{"video": task.video_name, "model": task.model_name, "transcript": task.transcript,
                         "seconds": task.seconds, "load_seconds": task.load_seconds} for task in inputs]
        self.references = inputs[0].references
        self.next(self.join_videos)

    @step
    def join_videos(self, inputs):
        self.results = [result for task in inputs for result in task.results]
        self.references = inputs[0].references
        self.next(self.end)

    @step
    def end(self):
        import jiwer

        self.table = {}
        for model in sorted({result["model"] for result in self.results}):
            rows = [result for result in self.results if result["model"] == model]
            references = [normalise(self.references[row["video"]]) for row in rows]
            hypotheses = [normalise(row["transcript"]) for row in rows]
            self.table[model] = {"clips": len(rows), "wer": jiwer.wer(references, hypotheses),
                                 "seconds": sum(row["seconds"] for row in rows)}
        print("model      clips    WER   transcribe s")
        for model, row in self.table.items():
            print("%-10s %5d  %5.3f  %12.1f" % (model, row["clips"], row["wer"], row["seconds"]))


if __name__ == "__main__":
    WhisperFlow()
