#!/usr/bin/env bash
# Installs the Debian 12 packages that `make package` and `make test-package` need on top
# of scripts/install-deps.sh (the build's), only when one is missing, so that both targets
# work on a fresh machine (CI's clean clone) and cost nothing on a ready one.
set -euo pipefail

packages=(
  dpkg-dev file patchelf help2man   # CPack's DEB generator (dpkg-shlibdeps), the AppDir, the man page
  squashfs-tools                    # mksquashfs: the AppImage's payload image
  libsquashfuse-dev libfuse3-dev fuse3   # our AppImage runtime (packaging/appimage/runtime), linked
  libzstd-dev zlib1g-dev liblzma-dev      # statically: squashfuse, libfuse3, the decompressors;
  liblz4-dev liblzo2-dev                  # fusermount3 for its test's mounts
  fonts-dejavu-core                 # the font bundled into the AppDir for machines without fonts
  fonts-noto-color-emoji            # the colour emoji font bundled into the AppDir
  desktop-file-utils systemd        # desktop-file-validate, systemd-analyze verify (the unit)
  debootstrap                       # the clean Debian 11, 12 and 13 roots the package tests install into
  ca-certificates curl python3 iproute2
  xvfb xauth x11-apps x11-utils xdotool  # the window on a real X server, xwd to photograph it, xprop
)

exec bash "$(dirname "$0")/../scripts/apt-ensure.sh" "${packages[@]}"
