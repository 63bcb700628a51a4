#!/usr/bin/env python3
"""Checks the Larder image built by tools/image/build.sh (run by tools/image/check.sh, from tools/test.sh).

- the OCI image config: entrypoint ["larder"], user 65532:65532, the org.opencontainers.image.* labels, version
  equal to the chart's appVersion;
- unpacked with `umoci raw unpack` (from a gzip copy skopeo makes: umoci 0.4 reads no zstd layers), with /proc
  mounted as a container runtime would: `larder --version`, `runcmp --help`, `larder containerd-hosts` and
  `larder serve` + curl /healthz and /readyz run inside it through chroot, as user 65532, with no file missing
  (a missing shared library fails the run);
- pushed to a loopback docker-registry with `skopeo copy oci-archive:… docker://127.0.0.1:PORT/larder:TAG`, then
  inspected back from the registry;
- the compressed size (config + layers, as a registry stores it), printed and held under the 60 MB goal.

Usage: check.py OUT_DIR (the directory build.sh wrote). Prints one line per check; exits 1 on any failure.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
SIZE_GOAL = 60 * 1000 * 1000
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
PASSED = 0
FAILED = 0


def check(name: str, fn: Callable[[], Any]) -> Any:
    global PASSED, FAILED
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported the same way
        FAILED += 1
        print(f"FAIL  {name}: {type(e).__name__}: {e}", flush=True)
        return None
    PASSED += 1
    print(f"ok    {name}", flush=True)
    return result


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def run(args: list[str], timeout: float = 120, **kw: Any) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}: {(done.stderr or done.stdout)[-1500:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {timeout}s: {last}")


class Layout:
    """The OCI image layout build.sh wrote: index → manifest → config."""

    def __init__(self, path: Path, tag: str):
        self.path = path
        index = json.loads((path / "index.json").read_text())
        entry = next(m for m in index["manifests"]
                     if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
        self.manifest = self.blob(entry["digest"])
        self.config = self.blob(self.manifest["config"]["digest"])

    def blob(self, digest: str) -> dict:
        algorithm, hex_ = digest.split(":", 1)
        return json.loads((self.path / "blobs" / algorithm / hex_).read_text())

    @property
    def compressed_size(self) -> int:
        return self.manifest["config"]["size"] + sum(layer["size"] for layer in self.manifest["layers"])


def check_config(layout: Layout, tag: str) -> None:
    config = layout.config["config"]
    assert config.get("Entrypoint") == ["larder"], config.get("Entrypoint")
    assert config.get("User") == "65532:65532", config.get("User")
    labels = config.get("Labels") or {}
    assert labels.get("org.opencontainers.image.version") == tag, labels
    assert labels.get("org.opencontainers.image.source", "").startswith("https://"), labels
    revision = labels.get("org.opencontainers.image.revision", "")
    assert len(revision.removesuffix("-dirty")) == 40, f"revision label {revision!r} is not a commit"
    assert "7480/tcp" in (config.get("ExposedPorts") or {}), config.get("ExposedPorts")
    assert layout.config["os"] == "linux" and layout.config["architecture"] in ("amd64", "arm64"), layout.config
    chart = (ROOT / "charts/larder/Chart.yaml").read_text()
    assert f'appVersion: "{tag}"' in chart, f"charts/larder/Chart.yaml appVersion is not {tag}: keep them in step"


def chroot(rootfs: Path, args: list[str], timeout: float = 60) -> str:
    # As the image's user, with only the image's files: a library ldd missed fails here.
    return run([CHROOT, "--userspec=65532:65532", str(rootfs)] + args, timeout=timeout, env={"PATH": "/usr/local/bin"})


def unpack(layout: Path, tag: str, scratch: Path, rootfs: Path) -> bool:
    gzipped = scratch / "gzip-layout"
    run(["skopeo", "copy", "--quiet", f"oci:{layout}:{tag}", f"oci:{gzipped}:{tag}", "--dest-compress-format=gzip"], timeout=600)
    run(["umoci", "raw", "unpack", "--image", f"{gzipped}:{tag}", str(rootfs)], timeout=300)
    return True


def mount_runtime_dirs(rootfs: Path) -> bool:
    # The Swift runtime reads the command line from /proc/self/cmdline; every container runtime mounts /proc.
    # (Nothing else from the host: no /dev bind mount a failed unmount could expose to the clean-up.)
    (rootfs / "proc").mkdir(exist_ok=True)
    run(["mount", "-t", "proc", "proc", str(rootfs / "proc")])
    return True


def unmount_runtime_dirs(rootfs: Path) -> None:
    subprocess.run(["umount", str(rootfs / "proc")], capture_output=True)


def check_serve(rootfs: Path) -> None:
    port = free_port()
    server = subprocess.Popen([CHROOT, "--userspec=65532:65532", str(rootfs), "larder", "serve", "--listen",
                               f"127.0.0.1:{port}", "--data", "/var/lib/larder", "--min-free-disk", "1MiB"],
                              env={"PATH": "/usr/local/bin"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status, body = wait_http(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and body == "ok\n", (status, body)
        status, body = wait_http(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and body.startswith("ready:"), (status, body)
        assert server.poll() is None, "larder serve exited"
    finally:
        server.terminate()
        try:
            out, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
    assert server.returncode in (0, -15), f"larder serve exited {server.returncode}: {out[-1500:]}"


def check_push(archive: Path, tag: str, layout: Layout, scratch: Path) -> None:
    port = free_port()
    config = scratch / "registry.yml"
    config.write_text(f"""version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: {scratch / "registry"}
http:
  addr: 127.0.0.1:{port}
""")
    registry = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
    try:
        status, _ = wait_http(f"http://127.0.0.1:{port}/v2/")
        assert status == 200, status
        target = f"docker://127.0.0.1:{port}/larder:{tag}"
        run(["skopeo", "copy", "--quiet", f"oci-archive:{archive}", target, "--dest-tls-verify=false"], timeout=300)
        inspected = json.loads(run(["skopeo", "inspect", "--tls-verify=false", target]))
        assert inspected["Labels"]["org.opencontainers.image.version"] == tag, inspected["Labels"]
        assert [layer for layer in inspected["Layers"]] == [l["digest"] for l in layout.manifest["layers"]], inspected["Layers"]
    finally:
        registry.terminate()
        registry.wait(timeout=20)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: check.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(sys.argv[1]).resolve()
    tag = (out / "tag").read_text().strip()
    archive = out / f"larder-{tag}.oci.tar"
    layout = check(f"OCI layout {out / 'oci'} has tag {tag}", lambda: Layout(out / "oci", tag))
    if layout is None:
        return report()
    check("config: entrypoint [larder], user 65532:65532, port 7480, version/source/revision labels", lambda: check_config(layout, tag))
    size = layout.compressed_size

    def small():
        assert size < SIZE_GOAL, f"{size / 1e6:.1f} MB compressed, goal < {SIZE_GOAL / 1e6:.0f} MB"
    check(f"compressed size {size / 1e6:.1f} MB (config + layers) < 60 MB", small)
    with tempfile.TemporaryDirectory(prefix="larder-image-check-") as tmp:
        scratch = Path(tmp)
        rootfs = scratch / "rootfs"
        unpacked = check("umoci raw unpack (of a gzip copy made by skopeo)", lambda: unpack(out / "oci", tag, scratch, rootfs))
        mounted = unpacked is not None and check("mount /proc into the unpacked image (as a runtime does)",
                                                 lambda: mount_runtime_dirs(rootfs))
        if mounted:
            check("inside: larder --version", lambda: expect(chroot(rootfs, ["larder", "--version"]).strip() == tag, "wrong version"))
            check("inside: runcmp --help", lambda: chroot(rootfs, ["runcmp", "--help"]))

            def hosts():
                text = chroot(rootfs, ["larder", "containerd-hosts", "--registry", "docker.io", "--mirror", "http://10.0.0.5:7480"])
                assert 'server = "https://registry-1.docker.io"' in text, text
            check("inside: larder containerd-hosts", hosts)
            check("inside: CA certificates present",
                  lambda: expect((rootfs / "etc/ssl/certs/ca-certificates.crt").stat().st_size > 10000, "CA bundle too small"))
            check("inside: larder serve as uid 65532 answers /healthz and /readyz", lambda: check_serve(rootfs))
        if unpacked is not None:
            unmount_runtime_dirs(rootfs)  # before the scratch directory is removed
        check("skopeo copy oci-archive → loopback docker-registry, inspect back", lambda: check_push(archive, tag, layout, scratch))
    print(f"image: {out / 'oci'}:{tag}, {size / 1e6:.1f} MB compressed ({size} bytes)")
    return report()


def report() -> int:
    print(f"\nimage-check: {PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
