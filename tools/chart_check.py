#!/usr/bin/env python3
"""Validate a Helm chart without helm (see tools/chart-check.sh).

Static checks: Chart.yaml and values.yaml parse and carry the required
fields; every template's actions are balanced ({{ }}, if/with/range/define
against end); every `.Values.a.b` path used by a template exists in
values.yaml; every included template is defined.

Render checks: the templates are rendered with tools/gotmpl.py (an
approximate Go template + Sprig subset) for the default values and a set of
scenarios; every rendered document must parse as YAML and look like a valid
Kubernetes object, and per-scenario expectations are asserted.

Prints one line per check and `N passed, N failed`; exits 1 on any failure.
"""

from __future__ import annotations

import copy
import re
import sys
import tomllib
import traceback
from pathlib import Path
from typing import Any, Callable

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gotmpl  # noqa: E402

PASSED = 0
FAILED = 0
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


def check(name: str, fn: Callable[[], Any]) -> Any:
    global PASSED, FAILED
    try:
        res = fn()
    except AssertionError as e:
        FAILED += 1
        print(f"FAIL  {name}: {e}")
        return None
    except gotmpl.TemplateError as e:
        FAILED += 1
        print(f"FAIL  {name}: {type(e).__name__}: {e}")
        return None
    except Exception as e:  # noqa: BLE001
        FAILED += 1
        print(f"FAIL  {name}: unexpected {type(e).__name__}: {e}")
        traceback.print_exc(limit=3)
        return None
    PASSED += 1
    print(f"ok    {name}")
    return res


# ---------------------------------------------------------------------------
# static checks
# ---------------------------------------------------------------------------

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


def check_braces(path: Path) -> None:
    src = path.read_text()
    opens, closes = src.count("{{"), src.count("}}")
    assert opens == closes, f"{opens} '{{{{' vs {closes} '}}}}'"
    # block structure, independently of the parser in gotmpl
    stack: list[tuple[str, int]] = []
    for m in ACTION_RE.finditer(src):
        body = m.group(1)
        line = src.count("\n", 0, m.start()) + 1
        if body.startswith("/*"):
            continue
        word = body.split(None, 1)[0] if body.split() else ""
        if word in ("if", "with", "range", "define", "block"):
            stack.append((word, line))
        elif word == "else":
            assert stack and stack[-1][0] in ("if", "with", "range"), f"line {line}: else outside if/with/range"
        elif word == "end":
            assert stack, f"line {line}: end without an open block"
            stack.pop()
    assert not stack, "unclosed: " + ", ".join(f"{w} at line {n}" for w, n in stack)


VALUES_REF = re.compile(r"(?<![\w)])\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def values_paths_missing(path: Path, values: dict) -> list[str]:
    missing = []
    for m in VALUES_REF.finditer(path.read_text()):
        keys = m.group(1)[1:].split(".")
        cur: Any = values
        for i, k in enumerate(keys):
            if not isinstance(cur, dict) or k not in cur:
                line = path.read_text().count("\n", 0, m.start()) + 1
                missing.append(f"line {line}: .Values.{'.'.join(keys[: i + 1])}")
                break
            cur = cur[k]
    return sorted(set(missing))


DEFINE_RE = re.compile(r'\{\{-?\s*define\s+"([^"]+)"')
INCLUDE_RE = re.compile(r'(?:include|template)\s+"([^"]+)"')


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------

def deep_merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


class Chart:
    def __init__(self, chart_dir: Path, chart_meta: dict, values: dict):
        self.dir = chart_dir
        self.meta = chart_meta
        self.values = values
        self.r = gotmpl.Renderer()
        self.files = sorted(p for p in (chart_dir / "templates").iterdir() if p.is_file())
        for p in self.files:
            self.r.add(f"{chart_dir.name}/templates/{p.name}", p.read_text())

    def render(self, overrides: dict, release: str = "larder", namespace: str = "larder-system",
               revision: int = 1) -> dict[str, str]:
        values = deep_merge(self.values, overrides)
        base = f"{self.dir.name}/templates"
        out = {}
        for p in self.files:
            name = f"{base}/{p.name}"
            if p.name.startswith("_"):
                continue
            data = {
                "Values": values,
                "Release": gotmpl.Struct("Release", Name=release, Namespace=namespace, Service="Helm",
                                         Revision=revision, IsInstall=revision == 1,
                                         IsUpgrade=revision > 1),
                "Chart": gotmpl.Struct("Chart", Name=self.meta["name"], Version=self.meta["version"],
                                       AppVersion=self.meta.get("appVersion", ""),
                                       Description=self.meta.get("description", "")),
                "Template": gotmpl.Struct("Template", Name=name, BasePath=base),
                "Capabilities": gotmpl.Struct("Capabilities", KubeVersion=gotmpl.Struct(
                    "KubeVersion", Version="v1.30.0", Major="1", Minor="30")),
            }
            out[p.name] = self.r.render(name, data)
        return out


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
    where = f"{fname} {o.get('kind')}/{(o.get('metadata') or {}).get('name')}"
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
        check_pod(where, pod, o["spec"]["template"]["metadata"])


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


# ---------------------------------------------------------------------------

SUMMARY_FILE = ""


def main() -> int:
    global SUMMARY_FILE
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "--summary-file":
        SUMMARY_FILE = args[1]
        args = args[2:]
    chart_dir = Path(args[0] if args else "charts/larder").resolve()
    print(f"chart: {chart_dir}")
    meta = check("Chart.yaml parses (apiVersion v2, name, SemVer version, appVersion)",
                 lambda: check_chart_yaml(chart_dir))
    values = check("values.yaml parses as a mapping", lambda: check_values_yaml(chart_dir))
    tdir = chart_dir / "templates"
    files = sorted(p for p in tdir.iterdir() if p.is_file()) if tdir.is_dir() else []
    def has_templates():
        assert files, f"no files in {tdir}"
    check("templates/ present", has_templates)

    for p in files:
        check(f"{p.name}: braces and blocks balance", lambda p=p: check_braces(p))
        if values is not None:
            def vp(p=p):
                missing = values_paths_missing(p, values)
                assert not missing, "not in values.yaml: " + "; ".join(missing)
            check(f"{p.name}: every .Values path exists in values.yaml", vp)

    defined = set()
    for p in files:
        defined |= set(DEFINE_RE.findall(p.read_text()))

    def includes_defined():
        bad = []
        for p in files:
            for name in INCLUDE_RE.findall(p.read_text()):
                if name not in defined:
                    bad.append(f"{p.name}: {name}")
        assert not bad, "undefined templates: " + ", ".join(bad)
    check("every include/template name is defined", includes_defined)

    if meta is None or values is None:
        return report()

    chart = check("templates parse (Go template subset)", lambda: Chart(chart_dir, meta, values))
    if chart is None:
        return report()

    def scenario(name: str, overrides: dict, expect: Callable[[dict[str, list[dict]], dict[str, str]], None],
                 **kw: Any) -> None:
        def run():
            rendered = chart.render(overrides, **kw)
            docs = manifests(rendered)
            for fname, o in docs:
                check_object(fname, o)
            expect(by_kind(docs), rendered)
        check(f"render [{name}]", run)

    def must_fail(name: str, overrides: dict, message: str) -> None:
        def run():
            try:
                chart.render(overrides)
            except gotmpl.RenderFail as e:
                assert message in str(e), f"failed with {e!r}, expected {message!r}"
                return
            raise AssertionError("rendered, expected a fail")
        check(f"render fails [{name}]", run)

    # -- default values ---------------------------------------------------
    def expect_default(k, rendered):
        assert set(k) == {"DaemonSet", "Service", "ServiceAccount"}, f"kinds {sorted(k)}"
        ds = k["DaemonSet"][0]
        c = main_container(ds)
        a = c["args"]
        assert a[:7] == ["serve", "--listen", "0.0.0.0:7480", "--data", "/var/lib/larder", "--max-size", "50GiB"], a
        assert a[7:9] == ["--log-level", "info"], a
        assert a[9] == "--allow-upstream" and "huggingface.co" in a[10].split(","), a
        env = env_of(c)
        assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName", env["NODE_NAME"]
        assert env["HOST_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"
        assert env["LARDER_HF_UPSTREAM"]["value"] == "https://huggingface.co"
        assert "HF_TOKEN" not in env
        assert c["ports"][0] == {"name": "http", "containerPort": 7480, "protocol": "TCP", "hostPort": 7480}, c["ports"]
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        pod = ds["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        vol = next(v for v in pod["volumes"] if v["name"] == "data")
        assert vol["hostPath"] == {"path": "/var/lib/larder", "type": "DirectoryOrCreate"}, vol
        init = [i["name"] for i in pod.get("initContainers", [])]
        assert init == ["volume-permissions"], init
        assert "hostNetwork" not in pod
        assert pod["tolerations"] == [{"operator": "Exists"}]
        svc = k["Service"][0]
        assert svc["spec"]["clusterIP"] == "None" and svc["spec"]["ports"][0]["targetPort"] == "http"
        assert svc["spec"]["selector"] == ds["spec"]["selector"]["matchLabels"]
        notes = rendered["NOTES.txt"]
        assert "HF_ENDPOINT" in notes and "http://$(HOST_IP):7480/hf" in notes, "NOTES lacks HF_ENDPOINT"
        assert "/fetch?url=" in notes, "NOTES lacks /fetch?url="
    scenario("defaults", {}, expect_default)

    # -- everything on ------------------------------------------------------
    def expect_all(k, rendered):
        assert set(k) == {"DaemonSet", "Service", "ServiceAccount", "ServiceMonitor", "ConfigMap", "Job"}, sorted(k)
        ds = k["DaemonSet"][0]
        pod = ds["spec"]["template"]["spec"]
        init = [i["name"] for i in pod.get("initContainers", [])]
        assert init == ["volume-permissions", "containerd-hosts"], init
        assert "checksum/containerd-hosts" in ds["spec"]["template"]["metadata"]["annotations"]
        assert ds["spec"]["template"]["metadata"]["annotations"]["team"] == "ml"
        c = main_container(ds)
        assert env_of(c)["HF_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "hf-token", "key": "token"}
        assert c["args"][-1] == "--verbose", c["args"]
        assert pod["priorityClassName"] == "system-node-critical"
        assert pod["nodeSelector"] == {"gpu": "true"}
        cm = k["ConfigMap"][0]
        assert set(cm["data"]) == {"hosts-0.toml", "hosts-1.toml"}, sorted(cm["data"])
        hosts = tomllib.loads(cm["data"]["hosts-0.toml"])
        assert hosts == {"server": "https://registry-1.docker.io",
                         "host": {"http://127.0.0.1:7480": {"capabilities": ["pull", "resolve"],
                                                             "dial_timeout": "1s"}}}, hosts
        hosts1 = tomllib.loads(cm["data"]["hosts-1.toml"])
        assert hosts1["server"] == "https://ghcr.io", hosts1
        script = next(i for i in pod["initContainers"] if i["name"] == "containerd-hosts")["command"][2]
        assert '/host/certs.d/ghcr.io/hosts.toml' in script and "/config/hosts-1.toml" in script, script
        certs = next(v for v in pod["volumes"] if v["name"] == "containerd-certs")
        assert certs["hostPath"]["path"] == "/etc/containerd/certs.d"
        jobs = k["Job"]
        assert len(jobs) == 2, f"{len(jobs)} warm jobs, expected one per node"
        names = {j["metadata"]["name"] for j in jobs}
        assert len(names) == 2, names
        for j in jobs:
            jc = j["spec"]["template"]["spec"]["containers"][0]
            assert jc["args"] == ["warm", "--server", "http://$(HOST_IP):7480", "hf://org/model@main",
                                  "https://example.com/data.tar"], jc["args"]
            assert env_of(jc)["HOST_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"
            assert "kubernetes.io/hostname" in j["spec"]["template"]["spec"]["nodeSelector"]
        sm = k["ServiceMonitor"][0]
        assert sm["spec"]["endpoints"][0]["path"] == "/metrics"
        assert sm["spec"]["selector"]["matchLabels"] == ds["spec"]["selector"]["matchLabels"]
        assert sm["metadata"]["labels"]["release"] == "prometheus"
        assert "containerd mirror" in rendered["NOTES.txt"] and "Warm-up" in rendered["NOTES.txt"]
    everything = {
        "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
        "containerdMirror": {"enabled": True, "registries": [
            {"name": "docker.io", "server": "https://registry-1.docker.io"},
            {"name": "ghcr.io", "server": "https://ghcr.io"}]},
        "warm": {"enabled": True, "refs": ["hf://org/model@main", "https://example.com/data.tar"],
                 "nodes": ["gpu-node-a.example.internal", "gpu-node-b.example.internal"]},
        "hf": {"token": {"existingSecret": "hf-token"}},
        "extraArgs": ["--verbose"],
        "priorityClassName": "system-node-critical",
        "nodeSelector": {"gpu": "true"},
        "podAnnotations": {"team": "ml"},
    }
    scenario("all features on", everything, expect_all, revision=12345)

    def expect_hostnet(k, rendered):
        ds = k["DaemonSet"][0]
        pod = ds["spec"]["template"]["spec"]
        assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
        c = main_container(ds)
        assert "hostPort" not in c["ports"][0], c["ports"]
        vol = next(v for v in pod["volumes"] if v["name"] == "data")
        assert vol == {"name": "data", "emptyDir": {}}, vol
        assert "initContainers" not in pod, "volume-permissions must not run for emptyDir"
        job = k["Job"][0]
        assert job["metadata"]["name"] == "larder-warm-1", job["metadata"]["name"]
        assert "nodeSelector" not in job["spec"]["template"]["spec"]
        assert "--allow-upstream" not in c["args"], c["args"]
    scenario("hostNetwork, emptyDir, no allowUpstream, single warm job",
             {"hostNetwork": True, "data": {"type": "emptyDir"}, "allowUpstream": [],
              "warm": {"enabled": True, "refs": ["x"]}}, expect_hostnet)

    def expect_emptydir_sized(k, rendered):
        pod = k["DaemonSet"][0]["spec"]["template"]["spec"]
        vol = next(v for v in pod["volumes"] if v["name"] == "data")
        assert vol["emptyDir"] == {"sizeLimit": "60Gi"}, vol
        c = main_container(k["DaemonSet"][0])
        assert "hostPort" not in c["ports"][0]
        assert "ServiceAccount" not in k
        assert pod["serviceAccountName"] == "default"
        assert "HOST_IP" in rendered["NOTES.txt"] and "WARNING" in rendered["NOTES.txt"]
    scenario("emptyDir with sizeLimit, hostPort off, no ServiceAccount",
             {"data": {"type": "emptyDir", "emptyDir": {"sizeLimit": "60Gi"}}, "hostPort": {"enabled": False},
              "serviceAccount": {"create": False}}, expect_emptydir_sized)

    def expect_long_names(k, rendered):
        for kind, objs in k.items():
            for o in objs:
                assert len(o["metadata"]["name"]) <= 63, o["metadata"]["name"]
    scenario("long release name",
             {"warm": {"enabled": True, "refs": ["x"], "nodes": ["n1"]}}, expect_long_names,
             release="a-release-name-at-helms-limit-of-fifty-three-chars-x", revision=999999)

    def expect_override(k, rendered):
        ds = k["DaemonSet"][0]
        assert ds["metadata"]["name"] == "cache"
        assert main_container(ds)["image"] == "registry.example/larder:1.2.3"
        assert main_container(ds)["args"][6] == "8GiB"
    scenario("fullnameOverride, image tag, maxSize",
             {"fullnameOverride": "cache", "image": {"repository": "registry.example/larder", "tag": "1.2.3"},
              "maxSize": "8GiB"}, expect_override)

    must_fail("bad data.type", {"data": {"type": "pvc"}}, "data.type must be hostPath or emptyDir")
    must_fail("warm without refs", {"warm": {"enabled": True}}, "warm.enabled needs at least one entry")
    must_fail("warm without hostPort", {"warm": {"enabled": True, "refs": ["x"]}, "hostPort": {"enabled": False}},
              "warm.enabled needs hostPort.enabled or hostNetwork")
    must_fail("mirror without registries", {"containerdMirror": {"enabled": True, "registries": []}},
              "needs at least one entry in containerdMirror.registries")

    return report()


def report() -> int:
    if SUMMARY_FILE:
        # the caller (tools/chart-check.sh) adds its own checks and prints the total
        Path(SUMMARY_FILE).write_text(f"{PASSED} {FAILED}\n")
    else:
        print(f"\n{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
