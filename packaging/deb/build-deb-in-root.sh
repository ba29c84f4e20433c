#!/usr/bin/env bash
# Builds the .deb for another Debian release in a clean root of it, against that
# release's own Qt, and copies it to OUT_DIR:
#
#   packaging/deb/build-deb-in-root.sh SUITE OUT_DIR    # as root, e.g. trixie build/packages
#
# A .deb built here (Debian 12, Qt 6.4) cannot serve on Debian 13: Qt HttpServer 6.8 is not
# binary compatible with 6.4. The root is extracted from a cached debootstrap tarball and
# apt's lists and downloads are cached too (tests/package/clean-root.sh), so only the
# first run downloads anything. The build is the package's alone: no tests, no bench.
set -euo pipefail

suite=${1:?usage: build-deb-in-root.sh SUITE OUT_DIR}
out_dir=${2:?usage: build-deb-in-root.sh SUITE OUT_DIR}
source_dir=$(readlink -f "$(dirname "$0")/../..")

if [[ $(id -u) -ne 0 ]]; then
  echo "build-deb-in-root: needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi

# shellcheck source=tests/package/clean-root.sh
source "$source_dir/tests/package/clean-root.sh"

build_packages=(
  build-essential cmake ninja-build pkg-config dpkg-dev file help2man
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev
  qt6-l10n-tools qt6-tools-dev qt6-tools-dev-tools libgl-dev
)

started=$(date +%s)
mkdir -p "$out_dir"
out_dir=$(readlink -f "$out_dir")
root=$(mktemp -d "/var/tmp/chatapp-deb-$suite.XXXXXX")
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  root_close "$root" || status=1
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_root() {
  chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

root_open "$root" "$suite"
echo "build-deb-in-root: $suite root ready ($(($(date +%s) - started)) s)"

# From the cached lists and downloads first, which needs no network; the lists are only
# fetched when there are none yet or the archive has moved past them.
apt_install=(apt-get install -y -q --no-install-recommends "${build_packages[@]}")
if ! in_root "${apt_install[@]}" >"$root/apt.log" 2>&1; then
  if ! { in_root apt-get update -q && in_root "${apt_install[@]}"; } >>"$root/apt.log" 2>&1; then
    tail -n 30 "$root/apt.log" >&2
    echo "build-deb-in-root: cannot install the build packages in the $suite root" >&2
    exit 1
  fi
fi
echo "build-deb-in-root: build packages installed ($(($(date +%s) - started)) s)"

# What git knows of (the files of a clean clone, and any new ones not ignored), as they
# are in the working tree: never a build folder.
if ! git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "build-deb-in-root: $source_dir is not a git checkout: cannot tell its files" >&2
  exit 1
fi
mkdir -p "$root/src"
git -C "$source_dir" ls-files -z --cached --others --exclude-standard \
  | tar -C "$source_dir" --null -T - --ignore-failed-read --warning=no-failed-read -cf - \
  | tar -C "$root/src" -xf -

# The host's package build type, without the debug information CPack strips anyway
# (writing it is a good part of the compile time).
jobs=$(nproc)
if ! in_root sh -ec "
    cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -DNDEBUG' -DCHATAPP_BUILD_TESTS=OFF
    cmake --build /build -j $jobs
    cd /build && cpack -G DEB" >"$root/build.log" 2>&1; then
  tail -n 40 "$root/build.log" >&2
  echo "build-deb-in-root: the build in the $suite root failed" >&2
  exit 1
fi

debs=("$root"/build/packages/*.deb)
cp "${debs[@]}" "$out_dir/"
echo "build-deb-in-root: $(basename -a "${debs[@]}" | tr '\n' ' ')in $out_dir ($(($(date +%s) - started)) s)"
