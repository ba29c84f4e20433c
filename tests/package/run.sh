#!/usr/bin/env bash
# `make test-package`: what `make package` made, checked as files here, then installed and
# run in clean Debian roots (debootstrap, cached) as a user would:
#
#   tests/package/run.sh PACKAGES_DIR ARTIFACTS_DIR RUNTIME
#
#   1. test_appimage_runtime.py  our AppImage runtime (RUNTIME) on a small AppDir, here
#   2. test_package_files.py     the AppImage's and the .debs' files
#   3. test_appimage_in_root.py  the AppImage in bullseye, bookworm and trixie roots,
#                                without FUSE, with fuse3, and with FUSE 2 (bullseye)
#   4. test_deb_in_root.py       each .deb in a root of its release (and refused by the other)
#
# Each root is extracted afresh into a temporary folder, and whatever happens it is
# unmounted and deleted on exit. Every step runs even when an earlier one failed; the
# exit status is 1 if any failed. Logs and screenshots are in ARTIFACTS_DIR.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
source_dir=$(readlink -f "$here/../..")
packages_dir=$(readlink -f "${1:?usage: run.sh PACKAGES_DIR ARTIFACTS_DIR RUNTIME}")
artifacts_dir=${2:?usage: run.sh PACKAGES_DIR ARTIFACTS_DIR RUNTIME}
runtime=$(readlink -f "${3:?usage: run.sh PACKAGES_DIR ARTIFACTS_DIR RUNTIME}")
rm -rf "$artifacts_dir"
mkdir -p "$artifacts_dir"
artifacts_dir=$(readlink -f "$artifacts_dir")

if [[ $(id -u) -ne 0 ]]; then
  echo "test-package: needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi

# shellcheck source=tests/package/clean-root.sh
source "$here/clean-root.sh"

started=$(date +%s)
work=$(mktemp -d /tmp/chatapp-package-test.XXXXXX)
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for root in "$work"/*-root; do
    root_close "$root" || status=1
  done
  rm -rf --one-file-system "$work" 2>/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=()
step() {
  local name=$1
  shift
  echo "test-package: $name ($(($(date +%s) - started)) s in)"
  "$@" || failures+=("$name")
}

# A fresh root of SUITE for one test file, closed after it.
in_root() {
  local suite=$1 test=$2
  local root="$work/$suite-$test-root"
  root_open "$root" "$suite" || return 1
  python3 "$here/$test.py" --root "$root" --suite "$suite" --packages "$packages_dir" \
    --readme "$source_dir/README.md" --artifacts "$artifacts_dir"
  local status=$?
  root_close "$root" || status=1
  return $status
}

step "the AppImage runtime" python3 "$here/test_appimage_runtime.py" --runtime "$runtime"
step "the packages' files" python3 "$here/test_package_files.py" --packages "$packages_dir" \
  --desktop-file "$source_dir/resources/chatapp.desktop"
for suite in bullseye bookworm trixie; do
  step "the AppImage in $suite" in_root "$suite" test_appimage_in_root
done
for suite in bookworm trixie; do
  step "the .deb in $suite" in_root "$suite" test_deb_in_root
done

echo "test-package: $(($(date +%s) - started)) s; logs and screenshots in $artifacts_dir"
if ((${#failures[@]})); then
  printf 'test-package: FAILED: %s\n' "${failures[@]}"
  exit 1
fi
echo "test-package: all passed"
