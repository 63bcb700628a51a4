#!/usr/bin/env bash
# Computes jiwer's measures for a corpus of text pairs, as the reference for runcmp's WER.
#
# Usage: tools/wer-corpus/run.sh PAIRS.json > RESULTS.json
#        tools/wer-corpus/run.sh --prepare
#   PAIRS.json: [{"reference": "...", "hypothesis": "...", "normalize": "none"|"basic"}, ...]
#   RESULTS.json: [{"wer":…, "mer":…, "wil":…, "hits":…, "substitutions":…, "deletions":…,
#                   "insertions":…}, ...] in the same order.
#   --prepare: creates tools/wer-corpus/.venv and installs the pinned jiwer from PyPI into it
#              (tools/test.sh does this once before the tests).
#
# A run never installs anything: it exits 3 with a message on standard error when the virtual
# environment is not prepared, and the corpus test then fails rather than passing. --prepare exits 3
# when the virtual environment or jiwer cannot be installed (for example when PyPI is unreachable).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
jiwer_version="4.0.0"
if [ $# -ne 1 ]; then
  echo "usage: $0 PAIRS.json | --prepare" >&2
  exit 2
fi
ready() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('jiwer') == '$jiwer_version' else 1)" 2>/dev/null
}
if [ "$1" = "--prepare" ]; then
  ready && exit 0
  if ! python3 -m venv "$venv" >&2; then
    echo "wer-corpus: cannot create a virtual environment at $venv (run tools/install-deps.sh: it installs python3-venv)" >&2
    exit 3
  fi
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "jiwer==$jiwer_version" >&2; then
    echo "wer-corpus: pip could not install jiwer==$jiwer_version from PyPI; the WER corpus check needs it" >&2
    exit 3
  fi
  ready || { echo "wer-corpus: jiwer==$jiwer_version does not import after installing" >&2; exit 3; }
  exit 0
fi
if ! ready; then
  echo "wer-corpus: jiwer==$jiwer_version is not prepared in $venv; run tools/test.sh (or tools/wer-corpus/run.sh --prepare) first" >&2
  exit 3
fi
exec "$venv/bin/python" "$here/jiwer_corpus.py" "$1"
