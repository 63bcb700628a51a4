"""What the task process hands to `larder run` through the exchange directory (`$LARDER_METAFLOW_DIR`):
`started` (the task process is up), `inputs.json` (foreach values and chosen parameters) and `artifacts/<name>`
(chosen artifacts as text). Every function here swallows its own failures: recording never fails a step."""

import json
import os
import sys

from .larder_launch import DIR_VARIABLE

#: Longest input value kept (characters); longer ones are cut and end with "…".
MAX_INPUT_CHARS = 200


def exchange_dir():
    """The exchange directory when this task runs under larder_launch, else None."""
    return os.environ.get(DIR_VARIABLE) or None


def warn(message):
    sys.stderr.write("larder: %s\n" % message)


def truncate(value, limit=MAX_INPUT_CHARS):
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())  # one line
    return text if len(text) <= limit else text[: limit - 1] + "…"


def write_atomically(path, data):
    partial = path + ".partial"
    with open(partial, "wb") as handle:
        handle.write(data)
    os.replace(partial, path)


def mark_started():
    directory = exchange_dir()
    if directory:
        try:
            write_atomically(os.path.join(directory, "started"), b"")
        except OSError as error:
            warn("could not mark the task as started: %s" % error)


def foreach_inputs(flow):
    """{foreach variable: value} for every enclosing foreach, outermost first (`videos`, `models`, …)."""
    inputs = {}
    stack = getattr(flow, "_foreach_stack", None) or []
    for index, frame in enumerate(stack):
        name = getattr(frame, "var", None) or "foreach%d" % index
        # Metaflow keeps the value's printable form in the frame (the importer reads the same field).
        value = getattr(frame, "value", None)
        if value is None:
            try:
                value = flow._find_input(stack_index=index)
            except Exception as error:  # an input that cannot be loaded is not worth failing the task
                warn("foreach value of %s not recorded: %s" % (name, error))
                continue
        inputs[name] = truncate(value)
    return inputs


def write_inputs(flow, parameter_names):
    directory = exchange_dir()
    if not directory:
        return
    try:
        inputs = foreach_inputs(flow)
        for name in parameter_names:
            if hasattr(flow, name):
                inputs[name] = truncate(getattr(flow, name))
            else:
                warn("parameter %s named in @larder(params=…) does not exist; not recorded" % name)
        write_atomically(os.path.join(directory, "inputs.json"), json.dumps(inputs).encode("utf-8"))
    except Exception as error:
        warn("inputs not recorded: %s" % error)


def artifact_bytes(value):
    """Text stays text; bytes stay bytes; anything else is JSON when it can be, else its repr."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    try:
        return json.dumps(value, indent=1, default=str).encode("utf-8")
    except (TypeError, ValueError):
        return repr(value).encode("utf-8")


def write_artifacts(flow, names):
    directory = exchange_dir()
    if not directory:
        return
    for name in names:
        try:
            if not hasattr(flow, name):
                continue  # `--with larder:artifacts=x` names x for every step; only some steps set it
            write_atomically(os.path.join(directory, "artifacts", name), artifact_bytes(getattr(flow, name)))
        except Exception as error:
            warn("artifact %s not recorded: %s" % (name, error))
