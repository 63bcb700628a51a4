"""Prints jiwer's measures for each pair in a JSON file (see run.sh)."""
import json
import sys

import jiwer

# runcmp's `basic` normalisation, written as a jiwer transform.
BASIC = jiwer.Compose([
    jiwer.ToLowerCase(),
    jiwer.RemovePunctuation(),
    jiwer.SubstituteRegexes({r"\s+": " "}),
    jiwer.Strip(),
    jiwer.ReduceToListOfListOfWords(),
])


def measure(pair):
    mode = pair.get("normalize", "none")
    if mode == "none":
        out = jiwer.process_words(pair["reference"], pair["hypothesis"])
    elif mode == "basic":
        out = jiwer.process_words(pair["reference"], pair["hypothesis"], BASIC, BASIC)
    else:
        raise SystemExit(f"unknown normalize mode {mode!r}")
    return {
        "wer": out.wer, "mer": out.mer, "wil": out.wil, "hits": out.hits,
        "substitutions": out.substitutions, "deletions": out.deletions, "insertions": out.insertions,
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        pairs = json.load(f)
    json.dump([measure(p) for p in pairs], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
