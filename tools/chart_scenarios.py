"""The chart's scenarios for tools/chart_check.py: values, and what Helm must render from them.

Each expectation gets the rendered objects by kind and the rendered files by name (NOTES.txt included).
MUST_FAIL: values the templates refuse (`fail`), with the message. MUST_REJECT: values values.schema.json
refuses (wrong type, unknown key, bad enum), with a fragment of Helm's message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from chart_objects import env_of, main_container

Expect = Callable[[dict[str, list[dict]], dict[str, str]], None]


@dataclass
class Scenario:
    name: str
    values: dict
    expect: Expect
    render_args: dict[str, Any] = field(default_factory=dict)


def init_containers(ds: dict) -> dict[str, dict]:
    return {c["name"]: c for c in ds["spec"]["template"]["spec"].get("initContainers", [])}


def arg_after(args: list[str], flag: str) -> str | None:
    return args[args.index(flag) + 1] if flag in args else None


def expect_default(k, rendered):
    assert set(k) == {"DaemonSet", "Service", "ServiceAccount"}, f"kinds {sorted(k)}"
    ds = k["DaemonSet"][0]
    c = main_container(ds)
    a = c["args"]
    assert a[:7] == ["serve", "--listen", "0.0.0.0:7480", "--data", "/var/lib/larder", "--max-size", "50GiB"], a
    assert a[7:9] == ["--log-level", "info"], a
    assert a[9] == "--allow-upstream" and "huggingface.co" in a[10].split(","), a
    assert "--hf-token-file" not in a, a
    for flag in ("--runs-s3", "--token-file", "--registry", "--registry-auth"):
        assert flag not in a, (flag, a)
    env = env_of(c)
    assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName", env["NODE_NAME"]
    assert env["HOST_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"
    assert env["LARDER_HF_UPSTREAM"]["value"] == "https://huggingface.co"
    assert "HF_TOKEN" not in env
    assert c["ports"][0] == {"name": "http", "containerPort": 7480, "protocol": "TCP", "hostPort": 7480}, c["ports"]
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    # No memory limit by default: the page cache of the cache file would count against it.
    assert not c["resources"].get("limits"), c["resources"]
    assert c["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}, c["resources"]
    pod = ds["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    vol = next(v for v in pod["volumes"] if v["name"] == "data")
    assert vol["hostPath"] == {"path": "/var/lib/larder", "type": "DirectoryOrCreate"}, vol
    assert list(init_containers(ds)) == ["volume-permissions"], list(init_containers(ds))
    assert "hostNetwork" not in pod
    assert pod["tolerations"] == [{"operator": "Exists"}]
    svc = k["Service"][0]
    assert svc["spec"]["clusterIP"] == "None" and svc["spec"]["ports"][0]["targetPort"] == "http"
    assert svc["spec"]["selector"] == ds["spec"]["selector"]["matchLabels"]
    notes = rendered["NOTES.txt"]
    assert "HF_ENDPOINT" in notes and "http://$(HOST_IP):7480/hf" in notes, "NOTES lacks HF_ENDPOINT"
    assert "/fetch?url=" in notes, "NOTES lacks /fetch?url="


EVERYTHING = {
    "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
    "containerdMirror": {"enabled": True, "registries": [
        {"name": "docker.io"}, {"name": "ghcr.io", "server": "https://ghcr.io"}],
        "registryAuth": {"existingSecret": "registry-creds"}},
    "auth": {"existingSecret": "larder-tokens"},
    "runs": {"s3": {"url": "s3://ml-runs/larder", "endpoint": "http://minio.storage:9000", "pathStyle": True,
                    "credentials": {"existingSecret": "runs-s3"}}},
    "warm": {"enabled": True, "refs": ["hf://org/model@main", "https://example.com/data.tar"], "readiness": True},
    "hf": {"token": {"existingSecret": "hf-token"}},
    "extraArgs": ["--verbose"],
    "priorityClassName": "system-node-critical",
    "nodeSelector": {"gpu": "true"},
    "podAnnotations": {"team": "ml"},
    "resources": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"memory": "24Gi"}},
}


def expect_all(k, rendered):
    assert set(k) == {"DaemonSet", "Service", "ServiceAccount", "ServiceMonitor", "ConfigMap"}, sorted(k)
    ds = k["DaemonSet"][0]
    pod = ds["spec"]["template"]["spec"]
    inits = init_containers(ds)
    assert list(inits) == ["volume-permissions", "containerd-hosts-0", "containerd-hosts-1"], list(inits)
    assert ds["spec"]["template"]["metadata"]["annotations"]["team"] == "ml"
    c = main_container(ds)
    # The Hub token is a mounted Secret read by --hf-token-file (rotates without a restart), not an env var.
    assert "HF_TOKEN" not in env_of(c)
    assert arg_after(c["args"], "--hf-token-file") == "/var/run/secrets/larder/hf/token", c["args"]
    vol = next(v for v in pod["volumes"] if v["name"] == "hf-token")
    assert vol["secret"]["secretName"] == "hf-token", vol
    mount = next(m for m in c["volumeMounts"] if m["name"] == "hf-token")
    assert mount["mountPath"] == "/var/run/secrets/larder/hf" and mount["readOnly"] is True, mount
    assert c["args"][-1] == "--verbose", c["args"]
    # Larder serves every mirrored registry itself; credentials, tokens and the S3 tier are mounted Secrets.
    registries = [c["args"][i + 1] for i, a in enumerate(c["args"]) if a == "--registry"]
    assert registries == ["docker.io=https://registry-1.docker.io", "ghcr.io=https://ghcr.io"], c["args"]
    for flag, path, volume, secret in [
        ("--registry-auth", "/etc/larder/registry-auth/config.json", "registry-auth", "registry-creds"),
        ("--token-file", "/etc/larder/auth/tokens", "auth-tokens", "larder-tokens"),
        ("--s3-credentials-file", "/etc/larder/s3/credentials", "s3-credentials", "runs-s3"),
    ]:
        assert arg_after(c["args"], flag) == path, (flag, c["args"])
        assert next(v for v in pod["volumes"] if v["name"] == volume)["secret"]["secretName"] == secret
        mount = next(m for m in c["volumeMounts"] if m["name"] == volume)
        assert path.startswith(mount["mountPath"] + "/") and mount["readOnly"] is True, mount
    assert arg_after(c["args"], "--runs-s3") == "s3://ml-runs/larder", c["args"]
    assert arg_after(c["args"], "--s3-endpoint") == "http://minio.storage:9000" and "--s3-path-style" in c["args"], c["args"]
    assert c["resources"]["limits"] == {"memory": "24Gi"}, c["resources"]
    assert pod["priorityClassName"] == "system-node-critical"
    assert pod["nodeSelector"] == {"gpu": "true"}
    # containerd reaches Larder at the node's IP (downward API) + hostPort: loopback does not reach a hostPort.
    for i, (registry, upstream) in enumerate([("docker.io", None), ("ghcr.io", "https://ghcr.io")]):
        ic = inits[f"containerd-hosts-{i}"]
        assert ic["image"] == c["image"], "the init container runs `larder containerd-hosts` from Larder's image"
        a = ic["args"]
        assert a[0] == "containerd-hosts" and arg_after(a, "--registry") == registry, a
        assert arg_after(a, "--mirror") == "http://$(HOST_IP):7480", a
        assert arg_after(a, "--upstream") == upstream, a
        assert arg_after(a, "--dial-timeout") == "2s" and arg_after(a, "--dir") == "/host/certs.d", a
        assert env_of(ic)["HOST_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"
        assert ic["volumeMounts"] == [{"name": "containerd-certs", "mountPath": "/host/certs.d"}]
    certs = next(v for v in pod["volumes"] if v["name"] == "containerd-certs")
    assert certs["hostPath"]["path"] == "/etc/containerd/certs.d"
    # The warm list is a ConfigMap every Larder reads with --warm-file (no per-node Job racing the DaemonSet).
    cm = k["ConfigMap"][0]
    assert cm["metadata"]["name"] == "larder-warm", cm["metadata"]
    listed = [l for l in cm["data"]["refs.txt"].splitlines() if l and not l.startswith("#")]
    assert listed == ["hf://org/model@main", "https://example.com/data.tar"], cm["data"]
    assert arg_after(c["args"], "--warm-file") == "/etc/larder/warm/refs.txt" and "--warm-ready" in c["args"], c["args"]
    mount = next(m for m in c["volumeMounts"] if m["name"] == "warm-list")
    assert mount["mountPath"] == "/etc/larder/warm" and "subPath" not in mount, "subPath mounts never update"
    vol = next(v for v in pod["volumes"] if v["name"] == "warm-list")
    assert vol["configMap"]["name"] == "larder-warm", vol
    sm = k["ServiceMonitor"][0]
    assert sm["spec"]["endpoints"][0]["path"] == "/metrics"
    assert sm["spec"]["selector"]["matchLabels"] == ds["spec"]["selector"]["matchLabels"]
    assert sm["metadata"]["labels"]["release"] == "prometheus"
    notes = rendered["NOTES.txt"]
    assert "containerd mirror" in notes and "Warm list" in notes
    assert "/etc/containerd/certs.d/ghcr.io/hosts.toml -> http://$(HOST_IP):7480" in notes, notes


def expect_hostnet(k, rendered):
    ds = k["DaemonSet"][0]
    pod = ds["spec"]["template"]["spec"]
    assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    c = main_container(ds)
    assert "hostPort" not in c["ports"][0], c["ports"]
    vol = next(v for v in pod["volumes"] if v["name"] == "data")
    assert vol == {"name": "data", "emptyDir": {}}, vol
    inits = init_containers(ds)
    assert list(inits) == ["containerd-hosts-0"], "volume-permissions must not run for emptyDir"
    # With hostNetwork Larder listens in the node's namespace: loopback is right there.
    assert arg_after(inits["containerd-hosts-0"]["args"], "--mirror") == "http://127.0.0.1:7480"
    assert k["ConfigMap"][0]["data"]["refs.txt"].endswith("hf://x/y\n"), k["ConfigMap"][0]["data"]
    assert "--warm-file" in c["args"] and "--warm-ready" not in c["args"], c["args"]
    assert "--allow-upstream" not in c["args"], c["args"]


def expect_emptydir_sized(k, rendered):
    pod = k["DaemonSet"][0]["spec"]["template"]["spec"]
    vol = next(v for v in pod["volumes"] if v["name"] == "data")
    assert vol["emptyDir"] == {"sizeLimit": "60Gi"}, vol
    c = main_container(k["DaemonSet"][0])
    assert "hostPort" not in c["ports"][0]
    assert "ServiceAccount" not in k
    assert pod["serviceAccountName"] == "default"
    assert "HOST_IP" in rendered["NOTES.txt"] and "WARNING" in rendered["NOTES.txt"]


def expect_long_names(k, rendered):
    for objs in k.values():
        for o in objs:
            assert len(o["metadata"]["name"]) <= 63, o["metadata"]["name"]


def expect_override(k, rendered):
    ds = k["DaemonSet"][0]
    assert ds["metadata"]["name"] == "cache"
    assert main_container(ds)["image"] == "registry.example/larder:1.2.3"
    assert main_container(ds)["args"][6] == "8GiB"
    ic = init_containers(ds)["containerd-hosts-0"]
    assert arg_after(ic["args"], "--mirror") == "http://10.0.0.1:5000", ic["args"]
    assert arg_after(ic["args"], "--dial-timeout") == "", "an empty value must reach the CLI (its default is 2s)"


def expect_peers(k, rendered):
    c = main_container(k["DaemonSet"][0])
    args = c["args"]
    dns = arg_after(args, "--peers-dns") or ""
    service = k["Service"][0]["metadata"]
    assert dns == f"{service['name']}.{service['namespace']}.svc", (dns, service)
    assert arg_after(args, "--self") == "$(POD_IP):7480", args
    assert arg_after(args, "--peers-port") == "7480" and arg_after(args, "--peer-first-byte-timeout") == "2", args
    env = {e["name"]: e for e in c["env"]}
    assert env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP", env.get("POD_IP")
    assert k["Service"][0]["spec"]["clusterIP"] == "None"


def expect_no_peers(k, rendered):
    c = main_container(k["DaemonSet"][0])
    assert "--peers-dns" not in c["args"] and "--self" not in c["args"], c["args"]
    assert "POD_IP" not in {e["name"] for e in c["env"]}


SCENARIOS = [
    Scenario("defaults", {}, expect_default),
    Scenario("defaults: no peers", {}, expect_no_peers),
    Scenario("peers on the headless Service", {"peers": {"enabled": True, "firstByteTimeoutSeconds": 2}}, expect_peers),
    Scenario("all features on", EVERYTHING, expect_all, {"revision": 12345}),
    Scenario("hostNetwork, emptyDir, no allowUpstream, warm list, mirror on loopback",
             {"hostNetwork": True, "data": {"type": "emptyDir"}, "allowUpstream": [],
              "containerdMirror": {"enabled": True}, "warm": {"enabled": True, "refs": ["hf://x/y"]}}, expect_hostnet),
    Scenario("emptyDir with sizeLimit, hostPort off, no ServiceAccount",
             {"data": {"type": "emptyDir", "emptyDir": {"sizeLimit": "60Gi"}}, "hostPort": {"enabled": False},
              "serviceAccount": {"create": False}}, expect_emptydir_sized),
    Scenario("long release name", {"warm": {"enabled": True, "refs": ["hf://x/y"]}}, expect_long_names,
             {"release": "a-release-name-at-helms-limit-of-fifty-three-chars-x", "revision": 999999}),
    Scenario("fullnameOverride, image tag, maxSize, explicit mirror endpoint, no dial timeout",
             {"fullnameOverride": "cache", "image": {"repository": "registry.example/larder", "tag": "1.2.3"},
              "maxSize": "8GiB", "containerdMirror": {"enabled": True, "endpoint": "http://10.0.0.1:5000",
                                                      "dialTimeout": ""}}, expect_override),
]

MUST_FAIL = [
    ("peers without a headless Service", {"peers": {"enabled": True}, "service": {"headless": False}},
     "peers.enabled needs service.headless"),
    ("warm without refs", {"warm": {"enabled": True}}, "warm.enabled needs at least one entry"),
    ("mirror without registries", {"containerdMirror": {"enabled": True, "registries": []}},
     "needs at least one entry in containerdMirror.registries"),
    ("mirror without a way to reach Larder", {"containerdMirror": {"enabled": True}, "hostPort": {"enabled": False}},
     "containerdMirror.enabled needs hostPort.enabled, hostNetwork or containerdMirror.endpoint"),
]

MUST_REJECT = [
    ("wrong type: peers.firstByteTimeoutSeconds", {"peers": {"firstByteTimeoutSeconds": "5s"}}, "/peers/firstByteTimeoutSeconds"),
    ("wrong type: port as a string", {"port": "7480x"}, "/port"),
    ("wrong type: hostNetwork as a string", {"hostNetwork": "yes"}, "/hostNetwork"),
    ("unknown top-level key (typo)", {"maxsize": "10GiB"}, "maxsize"),
    ("unknown nested key (typo)", {"containerdMirror": {"enabeld": True}}, "enabeld"),
    ("bad enum: data.type", {"data": {"type": "pvc"}}, "/data/type"),
    ("bad size: maxSize", {"maxSize": "lots"}, "/maxSize"),
    ("not a reference: warm.refs", {"warm": {"refs": ["ftp://example.com/x"]}}, "/warm/refs/0"),
    ("removed value: warm.nodes (the per-node Job is gone)", {"warm": {"nodes": ["n1"]}}, "nodes"),
]
