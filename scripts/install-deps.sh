#!/usr/bin/env bash
# Installs the Debian 12 packages ChatApp builds and tests with, only when one is missing,
# so `make run` and `make test` work on a fresh machine and cost nothing on a ready one.
# dbus-daemon: tst_desktopnotifier runs a private session bus (Qt6DBus's headers come with
# qt6-base-dev). libqt6sql6-psql: Qt's PostgreSQL driver, for --store postgresql://; the
# PostgreSQL server itself is installed by tests/common/postgres_for_tests.py when a test
# first needs it, so that a machine that never runs those tests gets no database service.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev
  libqt6sql6-sqlite libqt6sql6-psql qt6-l10n-tools qt6-tools-dev qt6-tools-dev-tools qt6-translations-l10n libqt6svg6 libgl-dev
  curl python3 xvfb xauth xdotool
  dbus-daemon
  clang libclang-rt-14-dev openssl
  fonts-noto-color-emoji   # gui/tst_emojifont loads the font the AppImage bundles
  nginx haproxy            # integration/test_cluster_configs.sh parses packaging/cluster/ with them
)

exec bash "$(dirname "$0")/apt-ensure.sh" "${packages[@]}"
