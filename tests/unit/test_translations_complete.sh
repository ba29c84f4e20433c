#!/usr/bin/env bash
# Every string the window and the server's home page show must have a Spanish
# translation. lupdate re-reads the sources into a copy of each .ts; a string that is
# new (unfinished) or gone (vanished) means the committed .ts files are behind the
# code: run
#   cmake --build build --target update_translations && python3 scripts/fill_translations.py
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
lupdate=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
for language in es en; do
  cp "$source_dir/translations/chatapp_$language.ts" "$work/"
  "$lupdate" -silent -no-obsolete -locations none \
    "$source_dir/app/client" "$source_dir/ui" "$source_dir/app/server/homepage.cpp" \
    -ts "$work/chatapp_$language.ts"
  if grep -n -B3 'type="unfinished"\|type="vanished"\|type="obsolete"' "$work/chatapp_$language.ts"; then
    echo "chatapp_$language.ts is incomplete or out of date (see above)" >&2
    status=1
  fi
  count=$(grep -c '<source>' "$work/chatapp_$language.ts")
  echo "chatapp_$language.ts: $count strings"
  [[ $count -gt 50 ]] || { echo "suspiciously few strings: $count" >&2; status=1; }
done
exit $status
