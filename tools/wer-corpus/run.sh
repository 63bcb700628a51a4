#!/usr/bin/env bash
# Computes jiwer's measures for a corpus of text pairs, as the reference for runcmp's WER.
#
# Usage: tools/wer-corpus/run.sh PAIRS.json > RESULTS.json
#   PAIRS.json: [{"reference": "...", "hypothesis": "...", "normalize": "none"|"basic"}, ...]
#   RESULTS.json: [{"wer":…, "mer":…, "wil":…, "hits":…, "substitutions":…, "deletions":…,
#                   "insertions":…}, ...] in the same order.
#
# Creates tools/wer-corpus/.venv on first use and installs jiwer from PyPI into it. Exits 3
# with a message on standard error when the virtual environment or jiwer cannot be installed
# (for example when PyPI is unreachable); the corpus test then fails rather than passing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
jiwer_version="4.0.0"
if [ $# -ne 1 ]; then
  echo "usage: $0 PAIRS.json" >&2
  exit 2
fi
if ! "$venv/bin/python" -c "import jiwer, sys; sys.exit(0 if jiwer.__version__ == '$jiwer_version' else 1)" 2>/dev/null \
   && ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('jiwer') == '$jiwer_version' else 1)" 2>/dev/null; then
  if ! python3 -m venv "$venv" >&2; then
    echo "wer-corpus: cannot create a virtual environment at $venv (is python3-venv installed?)" >&2
    exit 3
  fi
  if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "jiwer==$jiwer_version" >&2; then
    echo "wer-corpus: pip could not install jiwer==$jiwer_version from PyPI; the WER corpus check needs it" >&2
    exit 3
  fi
fi
exec "$venv/bin/python" "$here/jiwer_corpus.py" "$1"
