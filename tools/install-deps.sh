#!/usr/bin/env bash
# Installs the Debian packages Larder builds and tests with, when any is missing:
#   liblmdb-dev, libcurl4-openssl-dev, pkg-config   the build (LMDB, libcurl)
#   python3, python3-venv                           the Hub fixture and the virtual environments tools/test.sh prepares
#   curl                                            tests that drive a real curl
#   espeak-ng                                       speech for the faster-whisper transcription test
#   openssl                                         self-signed certificates for the TLS tests (`openssl req`)
#   docker-registry, skopeo                         the OCI mirror tests and the image push test: a real registry and client
#   apache2-utils                                   htpasswd -B for the registry's basic-auth test
#   python3-jwt, python3-cryptography               the registry token-server fixture (ES256 JWTs, /usr/bin/python3)
#   umoci, zstd                                     the container image: build (umoci, zstd layers)
# Usage: tools/install-deps.sh [extra-package...]
set -euo pipefail
packages=(liblmdb-dev libcurl4-openssl-dev pkg-config python3 python3-venv curl espeak-ng openssl
  docker-registry skopeo apache2-utils python3-jwt python3-cryptography umoci zstd "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  # Wait for another apt/dpkg run instead of failing at once.
  $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi
