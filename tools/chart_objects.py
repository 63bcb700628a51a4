"""Checks on Kubernetes objects rendered by Helm, for tools/chart_check.py.

The chart's own expectations (names, labels, pod wiring) are asserted here; the Kubernetes OpenAPI schemas
(kubernetes-validate, strict: unknown fields are errors) are applied by `validate_kube` for each version in
KUBE_VERSIONS. Custom resources (the Prometheus Operator's ServiceMonitor) have no schema there and are only
checked by `check_object`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

KUBE_VERSIONS = ("1.30.0", "1.33.0")
CUSTOM_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor")}
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


def load_yaml(path: Path) -> Any:
    with path.open() as f:
        return yaml.safe_load(f)


def check_chart_yaml(chart_dir: Path) -> dict:
    c = load_yaml(chart_dir / "Chart.yaml")
    assert isinstance(c, dict), "Chart.yaml is not a mapping"
    assert c.get("apiVersion") == "v2", f"apiVersion must be v2, got {c.get('apiVersion')!r}"
    assert c.get("name") == chart_dir.name, f"name {c.get('name')!r} != directory {chart_dir.name!r}"
    assert SEMVER.match(str(c.get("version", ""))), f"version {c.get('version')!r} is not SemVer 2"
    assert c.get("appVersion"), "appVersion missing"
    assert c.get("type", "application") in ("application", "library"), "type must be application or library"
    assert c.get("description"), "description missing"
    return c


def check_values_yaml(chart_dir: Path) -> dict:
    v = load_yaml(chart_dir / "values.yaml")
    assert isinstance(v, dict), "values.yaml is not a mapping"
    return v


ACTION_RE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)

def validate_kube(where: str, o: dict) -> int:
    """Validates one object against every version in KUBE_VERSIONS (strict); returns how many schemas applied."""
    if (o.get("apiVersion"), o.get("kind")) in CUSTOM_KINDS:
        return 0
    for version in KUBE_VERSIONS:
        try:
            kubernetes_validate.validate(o, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = "/".join(str(p) for p in e.path)
            raise AssertionError(f"{where}: invalid for Kubernetes {version} at {path or '(root)'}: {e.message}") from e
        except kubernetes_validate.SchemaNotFoundError as e:
            raise AssertionError(f"{where}: no Kubernetes {version} schema for {o.get('apiVersion')} {o.get('kind')}") from e
    return len(KUBE_VERSIONS)


def schema_gaps(values: Any, schema: dict, path: str = "") -> list[str]:
    """Paths of values.yaml that values.schema.json does not describe (every value must be covered)."""
    gaps = []
    if isinstance(values, dict) and schema.get("type") == "object":
        props = schema.get("properties")
        if props is None:
            return gaps  # a free-form map (annotations, nodeSelector, …), typed by additionalProperties
        for key, value in values.items():
            if key not in props:
                gaps.append(f"{path}.{key}")
            else:
                gaps += schema_gaps(value, props[key], f"{path}.{key}")
        if schema.get("additionalProperties", True) is not False:
            gaps.append(f"{path or '(root)'}: additionalProperties must be false")
    elif isinstance(values, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(values):
            gaps += schema_gaps(item, schema["items"], f"{path}[{i}]")
    elif "type" not in schema and "enum" not in schema:
        gaps.append(f"{path}: no type")
    return gaps


def manifests(rendered: dict[str, str]) -> list[tuple[str, dict]]:
    docs = []
    for fname, text in rendered.items():
        if fname.endswith(".txt"):
            continue
        for i, doc in enumerate(re.split(r"(?m)^---\s*$", text)):
            try:
                obj = yaml.safe_load(doc)
            except yaml.YAMLError as e:
                mark = getattr(e, "problem_mark", None)
                raise AssertionError(f"{fname} document {i} is not valid YAML: {e}\n"
                                     f"{number(doc, mark.line if mark else None)}") from e
            if obj is None:
                continue
            assert isinstance(obj, dict), f"{fname} document {i} is not a mapping"
            docs.append((fname, obj))
    return docs


def number(text: str, around: int | None = None, context: int = 8) -> str:
    """The rendered text with line numbers; only the lines near `around` (0-based) when given."""
    lines = list(enumerate(text.splitlines(), 1))
    if around is not None:
        lines = lines[max(0, around - context): around + context + 1]
    return "\n".join(f"{n:4d} | {l}" for n, l in lines)


def check_object(fname: str, o: dict) -> None:
    """The chart's own rules for one rendered object, then the Kubernetes schemas."""
    where = f"{fname} {o.get('kind')}/{(o.get('metadata') or {}).get('name')}"
    validate_kube(where, o)
    assert o.get("apiVersion"), f"{where}: apiVersion missing"
    assert o.get("kind"), f"{where}: kind missing"
    md = o.get("metadata") or {}
    name = md.get("name")
    assert isinstance(name, str) and name, f"{where}: metadata.name missing"
    limit = 63 if o["kind"] in ("Service", "Job", "DaemonSet") else 253
    assert len(name) <= limit, f"{where}: name longer than {limit}"
    pattern = DNS1123_LABEL if limit == 63 else DNS1123_SUBDOMAIN
    assert pattern.match(name), f"{where}: name {name!r} is not DNS-1123"
    for k, v in (md.get("labels") or {}).items():
        assert isinstance(v, str), f"{where}: label {k} is not a string: {v!r}"
        assert len(v) <= 63, f"{where}: label {k} longer than 63"
    for k, v in (md.get("annotations") or {}).items():
        assert isinstance(v, str), f"{where}: annotation {k} is not a string: {v!r}"
    pod = None
    if o["kind"] == "DaemonSet":
        sel = o["spec"]["selector"]["matchLabels"]
        labels = o["spec"]["template"]["metadata"]["labels"]
        for k, v in sel.items():
            assert labels.get(k) == v, f"{where}: selector {k}={v} does not match pod labels"
        pod = o["spec"]["template"]["spec"]
    elif o["kind"] == "Job":
        pod = o["spec"]["template"]["spec"]
        assert pod.get("restartPolicy") in ("OnFailure", "Never"), f"{where}: Job restartPolicy"
    if pod is not None:
        check_pod(where, pod, o["spec"]["template"].get("metadata") or {})


def check_pod(where: str, pod: dict, meta: dict) -> None:
    for k, v in (meta.get("annotations") or {}).items():
        assert isinstance(v, str), f"{where}: pod annotation {k} is not a string"
    for k, v in (meta.get("labels") or {}).items():
        assert isinstance(v, str), f"{where}: pod label {k} is not a string"
    vols = {v["name"]: v for v in pod.get("volumes") or []}
    for v in vols.values():
        sources = [k for k in v if k != "name"]
        assert len(sources) == 1 and v[sources[0]] is not None, f"{where}: volume {v['name']} needs one source"
    names = set()
    for c in (pod.get("initContainers") or []) + pod["containers"]:
        cw = f"{where} container {c.get('name')}"
        assert DNS1123_LABEL.match(c["name"]), f"{cw}: bad name"
        assert c["name"] not in names, f"{cw}: duplicate container name"
        names.add(c["name"])
        assert isinstance(c.get("image"), str) and ":" in c["image"], f"{cw}: image {c.get('image')!r}"
        for a in (c.get("args") or []) + (c.get("command") or []):
            assert isinstance(a, str), f"{cw}: arg {a!r} is not a string"
        for e in c.get("env") or []:
            assert ENV_NAME.match(e["name"]), f"{cw}: env name {e['name']!r}"
            assert ("value" in e) != ("valueFrom" in e), f"{cw}: env {e['name']} needs value xor valueFrom"
            if "value" in e:
                assert isinstance(e["value"], str), f"{cw}: env {e['name']} value is not a string"
        for p in c.get("ports") or []:
            assert isinstance(p["containerPort"], int) and 0 < p["containerPort"] < 65536, f"{cw}: containerPort"
            if "hostPort" in p:
                assert isinstance(p["hostPort"], int) and 0 < p["hostPort"] < 65536, f"{cw}: hostPort"
            assert len(p.get("name", "")) <= 15, f"{cw}: port name longer than 15"
        for m in c.get("volumeMounts") or []:
            assert m["name"] in vols, f"{cw}: mount of undefined volume {m['name']}"
        for probe in ("livenessProbe", "readinessProbe"):
            if probe in c:
                port = c[probe].get("httpGet", {}).get("port")
                if isinstance(port, str):
                    assert port in {p.get("name") for p in c.get("ports") or []}, f"{cw}: {probe} port {port} not declared"


def by_kind(docs: list[tuple[str, dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for _, o in docs:
        out.setdefault(o["kind"], []).append(o)
    return out


def main_container(ds: dict) -> dict:
    return next(c for c in ds["spec"]["template"]["spec"]["containers"] if c["name"] == "larder")


def env_of(c: dict) -> dict[str, dict]:
    return {e["name"]: e for e in c.get("env") or []}

