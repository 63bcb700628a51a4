#!/usr/bin/env bash
# Builds the Larder container image on this machine, without a registry or a container engine:
#
#   tools/image/build.sh [OUT_DIR]        (default: tools/image/out)
#
# 1. `swift build -c release` of larder and runcmp (the same build tools/serve.sh makes). The Swift runtime and
#    Foundation stay shared libraries: both binaries load one copy (linked statically, each carried its own and
#    the image passed 60 MB).
# 2. A root file system from nothing but local files (tools/image/rootfs.sh): the two binaries in /usr/local/bin,
#    every shared library `ldd` lists for them (the Swift runtime, libcurl, liblmdb, glibc, … at the same paths, so
#    the dynamic loader finds them; stripped), the CA
#    certificates, /etc/passwd and /etc/group with user and group 65532 (larder), /tmp and /var/lib/larder.
# 3. umoci writes it as one layer of an OCI image layout (OUT_DIR/oci, tag = `larder --version`), with
#    ENTRYPOINT ["larder"], user 65532:65532, port 7480 and the org.opencontainers.image.* labels, and
#    OUT_DIR/larder-<tag>.oci.tar is the same layout as an `oci-archive` (skopeo copy oci-archive:… docker://…).
#
# The layer is recompressed with zstd -19 (tools/image/zstd_layers.py), a quarter smaller than umoci's gzip;
# containerd >= 1.5, CRI-O, Docker >= 23 and skopeo pull zstd layers. LARDER_IMAGE_COMPRESSION=gzip keeps gzip.
# Environment: LARDER_IMAGE_SOURCE (the source label; default https://github.com/larder/larder),
# LARDER_IMAGE_SKIP_BUILD=1 to package an existing release build. Needs umoci (tools/install-deps.sh) and root
# (as CI runs), so the files keep uid 0 and /var/lib/larder uid 65532.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/tools/image/out}" && cd "${1:-$ROOT/tools/image/out}" && pwd)"
SOURCE_URL="${LARDER_IMAGE_SOURCE:-https://github.com/larder/larder}"
log() { printf 'image: %s\n' "$*" >&2; }
for tool in umoci zstd; do command -v "$tool" >/dev/null || { log "$tool is missing; run tools/install-deps.sh"; exit 1; }; done
[ "$(id -u)" = 0 ] || { log "run as root: the image's files must be owned by uid 0 and 65532, which needs chown"; exit 1; }

cd "$ROOT"
if [ "${LARDER_IMAGE_SKIP_BUILD:-0}" != 1 ]; then
  log "release build"
  swift build -c release --product larder >&2
  swift build -c release --product runcmp >&2
fi
if [ "${LARDER_IMAGE_SKIP_BUILD:-0}" != 1 ]; then
  BIN="$(swift build -c release --show-bin-path)"
else
  BIN="$ROOT/.build/$(uname -m)-unknown-linux-gnu/release"   # without taking SwiftPM's lock
fi
for exe in larder runcmp; do [ -x "$BIN/$exe" ] || { log "$BIN/$exe is missing (build failed?)"; exit 1; }; done
VERSION="$("$BIN/larder" --version)"
REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then REVISION="$REVISION-dirty"; fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
FS="$WORK/rootfs"
"$ROOT/tools/image/rootfs.sh" "$BIN" "$FS"

LAYOUT="$OUT/oci"
rm -rf "$LAYOUT"
umoci init --layout "$LAYOUT"
umoci new --image "$LAYOUT:$VERSION"
umoci insert --image "$LAYOUT:$VERSION" --history.created_by "tools/image/build.sh: larder, runcmp, ldd closure, CA certificates" "$FS" /
CREATED="$(date -u -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)" +%Y-%m-%dT%H:%M:%SZ)"
umoci config --image "$LAYOUT:$VERSION" \
  --os linux --architecture "$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')" \
  --config.entrypoint larder --config.cmd serve --config.cmd=--listen --config.cmd 0.0.0.0:7480 \
  --config.user 65532:65532 --config.workingdir /var/lib/larder \
  --config.env PATH=/usr/local/bin --config.env LARDER_DATA=/var/lib/larder \
  --config.exposedports 7480/tcp \
  --config.label "org.opencontainers.image.title=larder" \
  --config.label "org.opencontainers.image.version=$VERSION" \
  --config.label "org.opencontainers.image.source=$SOURCE_URL" \
  --config.label "org.opencontainers.image.revision=$REVISION" \
  --config.label "org.opencontainers.image.created=$CREATED" \
  --config.label "org.opencontainers.image.description=Node-local cache for ML workloads (larder serve) and run comparison (runcmp)" \
  --manifest.annotation "org.opencontainers.image.version=$VERSION" \
  --manifest.annotation "org.opencontainers.image.revision=$REVISION" \
  --history.created_by "tools/image/build.sh: entrypoint larder, user 65532"
umoci gc --layout "$LAYOUT"
if [ "${LARDER_IMAGE_COMPRESSION:-zstd}" = zstd ]; then
  log "recompressing the layer with zstd -19 (a few minutes; LARDER_IMAGE_COMPRESSION=gzip keeps umoci's gzip)"
  python3 "$ROOT/tools/image/zstd_layers.py" "$LAYOUT" "$VERSION"
fi

ARCHIVE="$OUT/larder-$VERSION.oci.tar"
tar --sort=name -C "$LAYOUT" -cf "$ARCHIVE" .
printf '%s\n' "$VERSION" >"$OUT/tag"
log "wrote $LAYOUT (tag $VERSION) and $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1))"
