#!/usr/bin/env python3
"""Speaks the reference texts in tools/metaflow/texts with espeak-ng into WAV clips, offline.

Usage: make_clips.py OUT_DIR [NAME ...] [--speed WPM]
Writes OUT_DIR/<name>.wav for each text (all of them when no NAME is given) and OUT_DIR/clips.json:
{"clips": [{"name", "path", "seconds", "reference"}]}, the manifest the Whisper flow reads.
Same texts and espeak-ng version give the same clips; an existing clip is kept.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import wave

TEXTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "texts")


def available():
    return sorted(name[:-4] for name in os.listdir(TEXTS) if name.endswith(".txt"))


def seconds(path):
    with wave.open(path, "rb") as clip:
        return clip.getnframes() / float(clip.getframerate())


def speak(text, path, speed):
    partial = path + ".partial.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(speed), "-w", partial, text], check=True)
    os.replace(partial, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("names", nargs="*", help="texts to speak (default: all of %s)" % ", ".join(available()))
    parser.add_argument("--speed", type=int, default=130, help="words per minute (default 130)")
    options = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        sys.exit("make_clips: espeak-ng is not installed; run tools/install-deps.sh")
    names = options.names or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        sys.exit("make_clips: no text named %s (have: %s)" % (", ".join(unknown), ", ".join(available())))
    os.makedirs(options.out, exist_ok=True)
    clips = []
    for name in names:
        with open(os.path.join(TEXTS, name + ".txt"), encoding="utf-8") as handle:
            reference = " ".join(handle.read().split())
        path = os.path.join(os.path.abspath(options.out), name + ".wav")
        if not os.path.exists(path):
            speak(reference, path, options.speed)
        clips.append({"name": name, "path": path, "seconds": round(seconds(path), 2), "reference": reference})
        print("clip %-14s %5.1f s  %s" % (name, clips[-1]["seconds"], path), file=sys.stderr)
    with open(os.path.join(options.out, "clips.json"), "w", encoding="utf-8") as handle:
        json.dump({"clips": clips}, handle, indent=1)
    print(os.path.join(os.path.abspath(options.out), "clips.json"))


if __name__ == "__main__":
    main()
