#!/usr/bin/env bash
# Installs the Debian packages Larder builds and tests with, when any is missing.
# Usage: tools/install-deps.sh [extra-package...]
set -euo pipefail
packages=(liblmdb-dev libcurl4-openssl-dev pkg-config python3 curl "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
