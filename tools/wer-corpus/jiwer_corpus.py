"""Prints jiwer's measures for each item in a JSON file (see run.sh).

An item is a pair {"reference": str, "hypothesis": str, "normalize": mode} or a corpus
{"references": [str], "hypotheses": [str], "normalize": mode}; a corpus is measured as jiwer
measures lists (`jiwer.wer(list_of_refs, list_of_hyps)`): errors summed over every pair,
identical pairs included, divided by the summed reference words.
"""
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
    if "references" in pair:
        reference, hypothesis = pair["references"], pair["hypotheses"]
    else:
        reference, hypothesis = pair["reference"], pair["hypothesis"]
    if mode == "none":
        out = jiwer.process_words(reference, hypothesis)
    elif mode == "basic":
        out = jiwer.process_words(reference, hypothesis, BASIC, BASIC)
    else:
        raise SystemExit(f"unknown normalize mode {mode!r}")
    if "references" in pair:
        transforms = {"reference_transform": BASIC, "hypothesis_transform": BASIC} if mode == "basic" else {}
        if out.wer != jiwer.wer(reference, hypothesis, **transforms):
            raise SystemExit("jiwer.wer over lists disagrees with process_words")
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
