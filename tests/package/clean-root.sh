#!/usr/bin/env bash
# A clean Debian 12 root for the package tests, made once with debootstrap and kept as a
# tarball outside the repository, then extracted afresh for each run.
#
#   source tests/package/clean-root.sh
#   root_tarball                # prints the cached tarball's path, making it if missing
#   root_open DIR               # extracts a fresh root into DIR, mounts /proc and /dev,
#                               # points apt at the mirror, with apt's lists and downloads
#                               # kept in the cache too
#   root_close DIR              # kills what still runs in DIR, unmounts, deletes DIR
#
# The cache is CHATAPP_ROOT_CACHE (default /var/cache/chatapp-package-test). The mirror is
# CHATAPP_DEBIAN_MIRROR, by default the one this machine's apt uses.

CHATAPP_ROOT_CACHE=${CHATAPP_ROOT_CACHE:-/var/cache/chatapp-package-test}
ROOT_SUITE=bookworm
# Bump when the recipe below changes, so that an old cached root is made anew.
ROOT_RECIPE="1 minbase $ROOT_SUITE"

debian_mirror() {
  if [[ -n "${CHATAPP_DEBIAN_MIRROR:-}" ]]; then
    echo "$CHATAPP_DEBIAN_MIRROR"
    return
  fi
  # The first Debian archive (not -security, not a third party's) named in apt's sources.
  local url
  url=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
          2>/dev/null | grep -v '^[[:space:]]*#' \
        | grep -oE '(https?)://[^[:space:]]+/debian/?([[:space:]]|$)' | head -n 1 | tr -d '[:space:]')
  echo "${url:-http://deb.debian.org/debian}"
}

root_tarball() {
  local tarball="$CHATAPP_ROOT_CACHE/$ROOT_SUITE-root.tar"
  local stamp="$tarball.recipe"
  if [[ -f "$tarball" && -f "$stamp" && "$(cat "$stamp")" == "$ROOT_RECIPE" ]]; then
    echo "$tarball"
    return
  fi
  mkdir -p "$CHATAPP_ROOT_CACHE"
  local work mirror
  work=$(mktemp -d "$CHATAPP_ROOT_CACHE/debootstrap.XXXXXX")
  mirror=$(debian_mirror)
  echo "clean-root: debootstrap --variant=minbase $ROOT_SUITE from $mirror (once; cached in $tarball)" >&2
  if ! debootstrap --variant=minbase "$ROOT_SUITE" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    [[ -f "$work/root/debootstrap/debootstrap.log" ]] && tail -n 30 "$work/root/debootstrap/debootstrap.log" >&2
    _root_unmount_all "$work/root"
    rm -rf --one-file-system "$work"
    echo "clean-root: debootstrap failed" >&2
    return 1
  fi
  _root_unmount_all "$work/root"
  rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*_* 2>/dev/null || true
  tar -C "$work/root" --numeric-owner -cf "$work/root.tar" .
  mv "$work/root.tar" "$tarball"
  echo "$ROOT_RECIPE" >"$stamp"
  rm -rf --one-file-system "$work"
  echo "$tarball"
}

# Everything mounted under DIR, deepest first.
_root_mounts_under() {
  local dir
  dir=$(readlink -f "$1")
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r
}

_root_unmount_all() {
  local mount_point
  [[ -d "$1" ]] || return 0
  for mount_point in $(_root_mounts_under "$1"); do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point"
  done
}

root_open() {
  local root=$1 tarball mirror
  tarball=$(root_tarball) || return 1
  mkdir -p "$root"
  tar -C "$root" --numeric-owner -xf "$tarball"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  # apt's lists and downloaded .debs survive between runs, so that only the first run
  # downloads the Qt runtime.
  mkdir -p "$CHATAPP_ROOT_CACHE/apt-lists/partial" "$CHATAPP_ROOT_CACHE/apt-archives/partial"
  mount --bind "$CHATAPP_ROOT_CACHE/apt-lists" "$root/var/lib/apt/lists"
  mount --bind "$CHATAPP_ROOT_CACHE/apt-archives" "$root/var/cache/apt/archives"
  rm -f "$root/etc/apt/apt.conf.d/docker-clean"
  printf 'APT::Keep-Downloaded-Packages "true";\nBinary::apt::APT::Keep-Downloaded-Packages "true";\n' \
    >"$root/etc/apt/apt.conf.d/90keep-downloads"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  mirror=$(debian_mirror)
  # The suite, its updates and its security archive, as on a real Debian 12 machine, so
  # that the versions the .deb was built against can be installed.
  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $ROOT_SUITE main
deb $mirror $ROOT_SUITE-updates main
deb ${mirror%/debian*}/debian-security $ROOT_SUITE-security main
SOURCES
  # No service starts inside the root when a package is installed.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
}

# Kills every process whose root directory is DIR (a server or window left behind).
_root_kill_inside() {
  local root pid
  root=$(readlink -f "$1")
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [[ "$(readlink "/proc/$pid/root" 2>/dev/null)" == "$root" ]] && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}

root_close() {
  local root=$1
  [[ -d "$root" ]] || return 0
  _root_kill_inside "$root"
  _root_unmount_all "$root"
  if [[ -n "$(_root_mounts_under "$root")" ]]; then
    echo "clean-root: still mounted under $root; not deleting it" >&2
    return 1
  fi
  rm -rf --one-file-system "$root"
}
