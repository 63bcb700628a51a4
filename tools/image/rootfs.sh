#!/usr/bin/env bash
# Assembles the image's root file system in DEST from a release build in BIN_DIR (used by build.sh and by the
# Containerfile, so both produce the same files):
#   /usr/local/bin/larder, /usr/local/bin/runcmp      stripped
#   every shared library `ldd` lists for them         at the path ldd resolved (the loader finds them there:
#                                                     default directories, or the binaries' RUNPATH for the Swift
#                                                     runtime), stripped of symbols they do not need
#   /etc/ssl/certs/ca-certificates.crt                libcurl's default CA bundle path on Debian
#   /etc/passwd, /etc/group, /etc/nsswitch.conf       root and larder (65532)
#   /tmp (1777), /var/lib/larder (65532, 0750)
# Usage: tools/image/rootfs.sh BIN_DIR DEST    (run as root: it chowns /var/lib/larder)
set -euo pipefail
BIN="$1"
FS="$2"
mkdir -p "$FS/usr/local/bin" "$FS/etc/ssl/certs" "$FS/tmp" "$FS/var/lib/larder"
install -m 0755 -s "$BIN/larder" "$BIN/runcmp" "$FS/usr/local/bin/"
libs="$(ldd "$BIN/larder" "$BIN/runcmp" | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | sort -u)"
[ -n "$libs" ] || { echo "rootfs: ldd listed no libraries for $BIN/larder" >&2; exit 1; }
for lib in $libs; do
  mkdir -p "$FS$(dirname "$lib")"
  cp -L "$lib" "$FS$lib"
  strip --strip-unneeded "$FS$lib" 2>/dev/null || echo "rootfs: kept $lib unstripped (strip refused it)" >&2
done
echo "rootfs: $(echo "$libs" | wc -l) shared libraries from ldd" >&2
cp -L /etc/ssl/certs/ca-certificates.crt "$FS/etc/ssl/certs/ca-certificates.crt"
cat >"$FS/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
larder:x:65532:65532:larder:/var/lib/larder:/sbin/nologin
PASSWD
cat >"$FS/etc/group" <<'GROUP'
root:x:0:
larder:x:65532:
GROUP
printf 'hosts: files dns\n' >"$FS/etc/nsswitch.conf"
chmod 1777 "$FS/tmp"
chown 65532:65532 "$FS/var/lib/larder"
chmod 0750 "$FS/var/lib/larder"
