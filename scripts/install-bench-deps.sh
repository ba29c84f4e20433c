#!/usr/bin/env bash
# What `make bench` needs beyond the build: nginx with nchan (the peer) and wrk (the
# ceiling's load). Installed only when missing; the system's nginx is never started:
# bench/run.py runs its own with a config and a prefix folder of its own.
set -euo pipefail
packages=(nginx libnginx-mod-nchan wrk util-linux)
# policy-rc.d keeps the package from starting the system nginx on port 80.
if [[ ! -e /usr/sbin/policy-rc.d ]] && ! dpkg-query -W -f='${Status}' nginx 2>/dev/null | grep -q "install ok"; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d > /dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
bash "$(dirname "$0")/apt-ensure.sh" "${packages[@]}"
