#!/usr/bin/env bash
# Builds the image (tools/image/build.sh: one release build) and checks it (tools/image/check.py): config, a run
# inside the unpacked image through chroot, a push to a loopback docker-registry with skopeo, the compressed size.
# tools/test.sh runs it. Needs root (chroot, file ownership in the image); skips with a message otherwise.
#
#   tools/image/check.sh [OUT_DIR]        (default: tools/image/out)
# LARDER_IMAGE_SKIP_BUILD=1 repackages an existing release build; LARDER_SKIP_IMAGE_CHECK=1 skips the whole check
# (saying so) for quick local runs of tools/test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/tools/image/out}"
if [ "${LARDER_SKIP_IMAGE_CHECK:-0}" = 1 ]; then
  echo "image-check: SKIPPED: LARDER_SKIP_IMAGE_CHECK=1 (the image check does a release build; CI runs it)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "image-check: SKIPPED: not root; chroot and the image's file ownership (uid 0 and 65532) need root (CI runs as root)"
  exit 0
fi
for tool in umoci skopeo docker-registry chroot; do
  command -v "$tool" >/dev/null || { echo "image-check: $tool is missing; run tools/install-deps.sh" >&2; exit 1; }
done
"$ROOT/tools/image/build.sh" "$OUT"
exec python3 "$ROOT/tools/image/check.py" "$OUT"
