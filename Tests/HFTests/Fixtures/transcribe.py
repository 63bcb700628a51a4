#!/usr/bin/env python3
"""Loads WhisperModel(MODEL) with faster-whisper (through HF_ENDPOINT) and transcribes a WAV file.

Usage: transcribe.py MODEL AUDIO.wav
Prints {"text": ..., "model_path": ...} as JSON. HF_HOME must be an empty directory.
"""
import json
import sys

from faster_whisper import WhisperModel
from faster_whisper.utils import download_model


def main():
    model_name, audio = sys.argv[1], sys.argv[2]
    path = download_model(model_name)
    model = WhisperModel(model_name, device="cpu", compute_type="int8", cpu_threads=2)
    segments, _ = model.transcribe(audio, beam_size=1, language="en")
    text = " ".join(segment.text.strip() for segment in segments)
    json.dump({"text": text, "model_path": path}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
