#!/usr/bin/env bash
# `make test-package`: the .deb and the AppImage's payload, installed and run in a clean
# Debian 12 root (debootstrap, cached), as tests/package/test_packages.py describes.
#
#   tests/package/run.sh PACKAGES_DIR ARTIFACTS_DIR
#
# PACKAGES_DIR is what `make package` made (build/packages). The root is extracted afresh
# into a temporary folder, and whatever happens it is unmounted and deleted on exit.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
source_dir=$(readlink -f "$here/../..")
packages_dir=$(readlink -f "${1:?usage: run.sh PACKAGES_DIR ARTIFACTS_DIR}")
artifacts_dir=${2:?usage: run.sh PACKAGES_DIR ARTIFACTS_DIR}
mkdir -p "$artifacts_dir"
artifacts_dir=$(readlink -f "$artifacts_dir")

if [[ $(id -u) -ne 0 ]]; then
  echo "test-package: needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi

# shellcheck source=tests/package/clean-root.sh
source "$here/clean-root.sh"

started=$(date +%s)
root_tarball >/dev/null   # made once (minutes), then reused
work=$(mktemp -d /tmp/chatapp-package-test.XXXXXX)
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  root_close "$work/root" || status=1
  rm -rf --one-file-system "$work" 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

root_open "$work/root"
echo "test-package: fresh root in $work/root ($(($(date +%s) - started)) s)"

python3 "$here/test_packages.py" --root "$work/root" --packages "$packages_dir" \
  --readme "$source_dir/README.md" --desktop-file "$source_dir/resources/chatapp.desktop" \
  --artifacts "$artifacts_dir" --scratch "$work/files"
