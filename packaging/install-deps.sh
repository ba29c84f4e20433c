#!/usr/bin/env bash
# Installs the Debian 12 packages that `make package` and `make test-package` need on top
# of scripts/install-deps.sh (the build's), only when one is missing, so that both targets
# work on a fresh machine (CI's clean clone) and cost nothing on a ready one.
set -euo pipefail

packages=(
  dpkg-dev file patchelf help2man   # CPack's DEB generator (dpkg-shlibdeps), the AppDir, the man page
  squashfs-tools                    # mksquashfs: the AppImage's payload image
  fonts-dejavu-core                 # the font bundled into the AppDir for machines without fonts
  desktop-file-utils systemd        # desktop-file-validate, systemd-analyze verify (the unit)
  debootstrap                       # the clean Debian 12 root the package tests install into
  ca-certificates curl python3
  xvfb xauth x11-apps xdotool       # the AppDir's window on a real X server, and xwd to photograph it
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "installing: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  sudo=sudo
else
  sudo=
fi
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
