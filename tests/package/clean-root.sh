#!/usr/bin/env bash
# Clean Debian roots for the package tests (bullseye, bookworm, trixie), each made once
# with debootstrap and kept as a tarball outside the repository, then extracted afresh
# for each run.
#
#   source tests/package/clean-root.sh
#   root_tarball SUITE          # prints the cached tarball's path, making it if missing
#   root_open DIR SUITE         # extracts a fresh root into DIR, mounts /proc and /dev,
#                               # points apt at the mirror, with apt's lists and downloads
#                               # kept in the cache too
#   root_close DIR              # kills what still runs in DIR, unmounts, deletes DIR
#
# The cache is CHATAPP_ROOT_CACHE (default /var/cache/chatapp-package-test). The archive
# and its security archive are the ones this machine's own apt sources name: no address
# is written here.

CHATAPP_ROOT_CACHE=${CHATAPP_ROOT_CACHE:-/var/cache/chatapp-package-test}
# Bump when the recipe below changes, so that an old cached root is made anew.
ROOT_RECIPE_VERSION=2

# Every "URI SUITE" pair in apt's sources, one-line (.list) and deb822 (.sources) alike.
_apt_source_pairs() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$file" ]] || continue
    awk '$1 == "deb" {
           i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
           print $i, $(i + 1) }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] || continue
    awk 'function flush() { if (types ~ /(^| )deb( |$)/) for (u in uris) for (s in suites) print uris[u], suites[s]
                            delete uris; delete suites; types = "" }
         /^[[:space:]]*#/ { next }
         /^[[:space:]]*$/ { flush(); next }
         tolower($1) == "types:" { types = substr($0, index($0, ":") + 1) }
         tolower($1) == "uris:" { for (i = 2; i <= NF; i++) uris[i] = $i }
         tolower($1) == "suites:" { for (i = 2; i <= NF; i++) suites[i] = $i }
         END { flush() }' "$file"
  done
}

# The Debian archive (kind "main") or its security archive (kind "security") that apt
# uses here: the URI given with a Debian suite (bullseye, bookworm, trixie, stable...)
# or with a SUITE-security suite.
debian_mirror() {
  local kind=${1:-main} uri suite
  while read -r uri suite; do
    case "$kind:$suite" in
      security:*-security | security:*/updates) echo "${uri%/}"; return 0 ;;
      main:*-security | main:*/updates) ;;
      main:oldoldstable | main:oldstable | main:stable | main:testing | main:sid | main:unstable | \
      main:buster | main:bullseye | main:bookworm | main:trixie | main:forky | \
      main:*-updates | main:*-backports)
        echo "${uri%/}"; return 0 ;;
    esac
  done < <(_apt_source_pairs)
  echo "clean-root: this machine's apt sources name no Debian $kind archive" >&2
  return 1
}

root_tarball() {
  local suite=${1:?root_tarball SUITE}
  local tarball="$CHATAPP_ROOT_CACHE/$suite-root.tar"
  local stamp="$tarball.recipe" recipe="$ROOT_RECIPE_VERSION minbase $suite"
  if [[ -f "$tarball" && -f "$stamp" && "$(cat "$stamp")" == "$recipe" ]]; then
    echo "$tarball"
    return
  fi
  mkdir -p "$CHATAPP_ROOT_CACHE"
  local work mirror
  work=$(mktemp -d "$CHATAPP_ROOT_CACHE/debootstrap.XXXXXX")
  mirror=$(debian_mirror main) || return 1
  echo "clean-root: debootstrap --variant=minbase $suite from $mirror (once; cached in $tarball)" >&2
  if ! debootstrap --variant=minbase "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    [[ -f "$work/root/debootstrap/debootstrap.log" ]] && tail -n 30 "$work/root/debootstrap/debootstrap.log" >&2
    _root_unmount_all "$work/root"
    rm -rf --one-file-system "$work"
    echo "clean-root: debootstrap $suite failed" >&2
    return 1
  fi
  _root_unmount_all "$work/root"
  rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*_* 2>/dev/null || true
  tar -C "$work/root" --numeric-owner -cf "$work/root.tar" .
  mv "$work/root.tar" "$tarball"
  echo "$recipe" >"$stamp"
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
  local root=${1:?root_open DIR SUITE} suite=${2:?root_open DIR SUITE} tarball mirror security
  tarball=$(root_tarball "$suite") || return 1
  mirror=$(debian_mirror main) || return 1
  security=$(debian_mirror security) || return 1
  mkdir -p "$root"
  tar -C "$root" --numeric-owner -xf "$tarball"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  # apt's lists and downloaded .debs survive between runs, so that only the first run
  # downloads the Qt runtime.
  mkdir -p "$CHATAPP_ROOT_CACHE/apt-lists-$suite/partial" "$CHATAPP_ROOT_CACHE/apt-archives-$suite/partial"
  mount --bind "$CHATAPP_ROOT_CACHE/apt-lists-$suite" "$root/var/lib/apt/lists"
  mount --bind "$CHATAPP_ROOT_CACHE/apt-archives-$suite" "$root/var/cache/apt/archives"
  rm -f "$root/etc/apt/apt.conf.d/docker-clean"
  printf 'APT::Keep-Downloaded-Packages "true";\nBinary::apt::APT::Keep-Downloaded-Packages "true";\n' \
    >"$root/etc/apt/apt.conf.d/90keep-downloads"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  # The suite, its updates and its security archive, as on a real machine of that
  # release, so that the versions a .deb was built against can be installed.
  rm -f "$root/etc/apt/sources.list.d/"*
  cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
  # What a booted machine has and debootstrap does not make: fusermount reads its mounts
  # there to unmount.
  [[ -e "$root/etc/mtab" ]] || ln -s ../proc/self/mounts "$root/etc/mtab"
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
