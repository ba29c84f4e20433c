#!/usr/bin/env bash
# Builds ChatApp's AppDir from an already built tree, and the AppImage from it:
#
#   packaging/appimage/build-appimage.sh BUILD_DIR OUT_DIR
#
#   OUT_DIR/ChatApp.AppDir/                   the AppDir: binary, Qt libraries and plugins,
#                                             glibc and its loader, qt.conf, AppRun,
#                                             .desktop file and icon
#   OUT_DIR/ChatApp-VERSION-x86_64.AppImage   our AppImage runtime (packaging/appimage/
#                                             runtime, built here into BUILD_DIR) followed
#                                             by the AppDir as a squashfs image
set -euo pipefail

build_dir=$(readlink -f "${1:?usage: build-appimage.sh BUILD_DIR OUT_DIR}")
out_dir=${2:?usage: build-appimage.sh BUILD_DIR OUT_DIR}
mkdir -p "$out_dir"
out_dir=$(readlink -f "$out_dir")
here=$(dirname "$(readlink -f "$0")")

arch=$(uname -m)
[[ "$arch" == x86_64 ]] || { echo "build-appimage: only x86_64 is supported, not $arch" >&2; exit 1; }
multiarch=x86_64-linux-gnu
qt_plugins=/usr/lib/$multiarch/qt6/plugins
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
[[ -n "$version" ]] || { echo "build-appimage: no project version in $build_dir/CMakeCache.txt" >&2; exit 1; }
name=ChatApp-$version-$arch
appdir=$out_dir/ChatApp.AppDir

echo "build-appimage: $appdir"
rm -rf "$appdir"
mkdir -p "$appdir"

# The binary, the .desktop file and the icon, as `cmake --install` lays them out (the
# default component only: not the .deb's systemd unit or man page), stripped.
cmake --install "$build_dir" --prefix "$appdir/usr" --component Unspecified --strip >/dev/null
[[ -x "$appdir/usr/bin/chatapp" ]] || { echo "build-appimage: cmake --install gave no usr/bin/chatapp" >&2; exit 1; }

# The Qt plugins ChatApp loads at run time. Platforms: xcb for X11 (and `ssh -X`),
# offscreen for tests and headless use, minimal. The SQLite driver (the server's store)
# and the PostgreSQL one (--store postgresql://, with libpq: several nodes on one database),
# the TLS backends, SVG and the usual image formats (the window icon is an SVG), and the
# input contexts that let Compose and IBus type accents.
plugins=(
  platforms/libqxcb.so platforms/libqoffscreen.so platforms/libqminimal.so
  xcbglintegrations/libqxcb-glx-integration.so xcbglintegrations/libqxcb-egl-integration.so
  sqldrivers/libqsqlite.so sqldrivers/libqsqlpsql.so
  tls/libqopensslbackend.so tls/libqcertonlybackend.so
  imageformats/libqsvg.so imageformats/libqgif.so imageformats/libqico.so imageformats/libqjpeg.so
  iconengines/libqsvgicon.so
  platforminputcontexts/libcomposeplatforminputcontextplugin.so
  platforminputcontexts/libibusplatforminputcontextplugin.so
)
for plugin in "${plugins[@]}"; do
  [[ -f "$qt_plugins/$plugin" ]] || { echo "build-appimage: missing Qt plugin $qt_plugins/$plugin" >&2; exit 1; }
  install -D -m 644 "$qt_plugins/$plugin" "$appdir/usr/plugins/$plugin"
done

# Qt finds its plugins and translations next to the binary, whatever the folder is called.
cat >"$appdir/usr/bin/qt.conf" <<'QTCONF'
[Paths]
Prefix = ..
Plugins = plugins
Translations = translations
QTCONF

# Qt's own strings (standard buttons and dialogs) in the languages the window speaks.
for language in en es; do
  qm=/usr/share/qt6/translations/qtbase_$language.qm
  if [[ -f "$qm" ]]; then
    install -D -m 644 "$qm" "$appdir/usr/translations/qtbase_$language.qm"
  fi
done

# The shared libraries: everything the binary and the plugins load, found with ldd, and
# the OpenSSL libraries the TLS backend opens with dlopen. glibc and the C++ runtime go
# to usr/lib/glibc with the loader: AppRun starts chatapp through that loader only on a
# machine whose glibc is older than this one's, and otherwise the machine's own are used
# (its X11 and OpenGL libraries may need its newer glibc). The libraries that must match
# the machine's graphics stack (OpenGL through libglvnd, X11's core) go to
# usr/lib/fallback, which AppRun uses only on a machine without them. FreeType and
# fontconfig are always ours: a machine's older FreeType breaks the bundled HarfBuzz.
is_glibc() {
  case "$1" in
    ld-linux*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*| \
    libanl.so*|libnsl.so*|libBrokenLocale.so*|libmvec.so*|libstdc++.so*|libgcc_s.so*)
      return 0 ;;
  esac
  return 1
}
is_fallback() {
  case "$1" in
    libGL.so*|libGLX.so*|libEGL.so*|libOpenGL.so*|libGLdispatch.so*|libGLESv2.so*| \
    libX11.so*|libX11-xcb.so*|libxcb.so.1|libXau.so*|libXdmcp.so*)
      return 0 ;;
  esac
  return 1
}

elfs=("$appdir/usr/bin/chatapp")
while IFS= read -r -d '' plugin; do elfs+=("$plugin"); done \
  < <(find "$appdir/usr/plugins" -name '*.so' -print0)
dlopened=(/usr/lib/$multiarch/libssl.so.3 /usr/lib/$multiarch/libcrypto.so.3)

declare -A libraries=()   # soname -> path on this machine
add_dependencies_of() {
  local line soname path
  while IFS= read -r line; do
    if [[ "$line" == *"=> not found"* ]]; then
      echo "build-appimage: $1 needs a library this machine lacks: $line" >&2
      exit 1
    fi
    [[ "$line" =~ ^[[:space:]]*([^[:space:]]+)[[:space:]]+=\>[[:space:]]+(/[^[:space:]]+) ]] || continue
    soname=${BASH_REMATCH[1]}
    path=${BASH_REMATCH[2]}
    libraries[$soname]=$path
  done < <(LD_LIBRARY_PATH= ldd "$1")
}
for elf in "${elfs[@]}" "${dlopened[@]}"; do
  add_dependencies_of "$elf"
done
for library in "${dlopened[@]}"; do
  libraries[$(basename "$library")]=$library
done

# The loader and the libc every library here was linked against, whether or not ldd
# names them for a given file.
loader=/lib64/ld-linux-x86-64.so.2
libraries[ld-linux-x86-64.so.2]=$loader
for soname in libc.so.6 libm.so.6; do
  libraries[$soname]=/lib/$multiarch/$soname
done

mkdir -p "$appdir/usr/lib/fallback" "$appdir/usr/lib/glibc"
for soname in "${!libraries[@]}"; do
  if is_glibc "$soname"; then
    target=$appdir/usr/lib/glibc/$soname
  elif is_fallback "$soname"; then
    target=$appdir/usr/lib/fallback/$soname
  else
    target=$appdir/usr/lib/$soname
  fi
  cp -L "${libraries[$soname]}" "$target"
  chmod 644 "$target"
  is_glibc "$soname" || strip --strip-unneeded "$target"
done
chmod 755 "$appdir/usr/lib/glibc/ld-linux-x86-64.so.2"
# AppRun compares this with the machine's glibc.
getconf GNU_LIBC_VERSION | sed -n 's/^glibc //p' >"$appdir/usr/lib/glibc/version"
[[ -s "$appdir/usr/lib/glibc/version" ]] || { echo "build-appimage: cannot tell this machine's glibc version" >&2; exit 1; }

# Each ELF file looks for the bundled libraries relative to itself.
patchelf --set-rpath '$ORIGIN/../lib' "$appdir/usr/bin/chatapp"
for library in "$appdir"/usr/lib/*.so*; do
  patchelf --set-rpath '$ORIGIN' "$library"
done
for library in "$appdir"/usr/lib/fallback/*.so*; do
  patchelf --set-rpath '$ORIGIN:$ORIGIN/..' "$library"
done
while IFS= read -r -d '' plugin; do
  patchelf --set-rpath '$ORIGIN/../../lib' "$plugin"
  strip --strip-unneeded "$plugin"
done < <(find "$appdir/usr/plugins" -name '*.so' -print0)

# Fonts for a machine that has none (AppRun points fontconfig at them only then).
for font in DejaVuSans.ttf DejaVuSans-Bold.ttf DejaVuSansMono.ttf; do
  install -D -m 644 "/usr/share/fonts/truetype/dejavu/$font" "$appdir/usr/share/fonts/dejavu/$font"
done
install -D -m 644 "$here/fonts.conf" "$appdir/usr/etc/fonts/fonts.conf"
# Colour emoji for every machine: the window loads it itself (ui/emojifont.cpp) as the
# fallback of its fonts, so it is kept out of fontconfig's folder above.
emoji_font=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
install -D -m 644 "$emoji_font" "$appdir/usr/share/chatapp/fonts/NotoColorEmoji.ttf"

# The licences of what is bundled: each library's and font's Debian copyright file.
declare -A packages=()
for file in "${libraries[@]}" /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$emoji_font" \
            "${plugins[@]/#/$qt_plugins/}"; do
  real=$(readlink -f "$file")
  # dpkg knows some files by their /usr/lib path, others by /lib (merged /usr).
  package=$( (dpkg-query -S "$real" || dpkg-query -S "${real#/usr}") 2>/dev/null \
             | head -n 1 | cut -d: -f1) || true
  if [[ -n "$package" ]]; then
    packages[$package]=1
  fi
done
for package in "${!packages[@]}"; do
  copyright=/usr/share/doc/$package/copyright
  if [[ -f "$copyright" ]]; then
    install -D -m 644 "$copyright" "$appdir/usr/share/doc/$package/copyright"
  fi
done

# The AppDir's own files: AppRun, and the .desktop file and icon at its top, as the
# AppImage specification wants them.
install -m 755 "$here/AppRun" "$appdir/AppRun"
# The systemd unit for a server run from the AppImage, for `--appimage-extract` (README).
install -D -m 644 "$here/chatapp-server.service" "$appdir/usr/share/chatapp/chatapp-server.service"
cp "$appdir/usr/share/applications/chatapp.desktop" "$appdir/chatapp.desktop"
cp "$appdir/usr/share/icons/hicolor/scalable/apps/chatapp.svg" "$appdir/chatapp.svg"
ln -s chatapp.svg "$appdir/.DirIcon"

# The AppImage: our runtime, then the AppDir as a squashfs image.
runtime_build=$build_dir/appimage-runtime
cmake -S "$here/runtime" -B "$runtime_build" -G Ninja -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null
cmake --build "$runtime_build" >/dev/null
payload=$out_dir/$name.squashfs
rm -f "$payload" "$out_dir/$name.AppImage"
mksquashfs "$appdir" "$payload" -root-owned -noappend -comp zstd \
    -all-time 0 -mkfs-time 0 -quiet >/dev/null
cat "$runtime_build/runtime-$arch" "$payload" >"$out_dir/$name.AppImage"
chmod 755 "$out_dir/$name.AppImage"
rm -f "$payload"
echo "build-appimage: $out_dir/$name.AppImage"
