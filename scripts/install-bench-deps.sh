#!/usr/bin/env bash
# What `make bench` needs beyond the build: nginx with nchan (the peer) and wrk (the
# ceiling's load). Installed only when missing; the system's nginx is never started:
# bench/run.py runs its own with a config and a prefix folder of its own.
set -euo pipefail
packages=(nginx libnginx-mod-nchan wrk util-linux)
missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0
echo "installing: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
$sudo apt-get update -q
# policy-rc.d keeps the package from starting the system nginx on port 80.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d > /dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
