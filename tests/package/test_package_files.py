#!/usr/bin/env python3
"""What `make package` made, looked at as files on this machine (the roots' tests run
them):

  * the AppImage: bytes 8-10 are `AI\\x02`; `--appimage-offset` is where its ELF ends
    (read here from the ELF header); `unsquashfs -o OFFSET` lists the payload;
    `--appimage-extract` gives a tree equal to the AppDir (`diff -r`); the AppDir holds
    glibc with its loader in a folder on no RUNPATH, and FreeType and fontconfig in
    usr/lib;
  * the .debs for Debian 12 and 13: their files, and Depends computed by dpkg-shlibdeps
    with an upper bound on the Qt HttpServer they were built against;
  * desktop-file-validate accepts resources/chatapp.desktop and its copies in the
    packages.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packagetesting import Packages, check, expect, log, require, run_bounded  # noqa: E402

WHOLE_FILE_SECONDS = 300


def elf_end(path):
    """Where an ELF64 file's own data ends: past its section header table and past the
    last section or segment it holds."""
    with open(path, "rb") as file:
        header = file.read(64)
        expect(header[:4] == b"\x7fELF" and header[4] == 2, "%s is no ELF64 file" % path)
        (phoff, shoff, _flags, _ehsize, phentsize, phnum, shentsize,
         shnum) = struct.unpack_from("<QQIHHHHH", header, 32)
        end = max(shoff + shnum * shentsize, phoff + phnum * phentsize)
        file.seek(shoff)
        for _ in range(shnum):
            (_name, kind, _flags, _addr, offset, size) = struct.unpack("<IIQQQQ", file.read(shentsize)[:40])
            if kind != 8:  # SHT_NOBITS takes no room in the file
                end = max(end, offset + size)
        file.seek(phoff)
        for _ in range(phnum):
            (_kind, _flags, offset, _vaddr, _paddr, filesz) = struct.unpack("<IIQQQQ", file.read(phentsize)[:40])
            end = max(end, offset + filesz)
    return end


def check_magic(packages):
    with open(packages.appimage, "rb") as file:
        head = file.read(11)
    expect(head[:4] == b"\x7fELF", "the AppImage does not start as an ELF file: %r" % head)
    expect(head[8:11] == b"AI\x02", "bytes 8-10 are %r, not AI\\x02" % head[8:11])


def appimage_says(packages, *arguments):
    result = subprocess.run([packages.appimage] + list(arguments), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=120)
    expect(result.returncode == 0, "%s exited %d: %s" % (" ".join(arguments), result.returncode,
                                                         result.stderr.decode(errors="replace")[-1000:]))
    return result.stdout.decode(errors="replace")


def check_offset(packages):
    said = appimage_says(packages, "--appimage-offset").strip()
    expect(said.isdigit(), "--appimage-offset printed %r" % said)
    expect(int(said) == elf_end(packages.appimage),
           "--appimage-offset says %s; the ELF ends at %d" % (said, elf_end(packages.appimage)))
    listing = subprocess.run(["unsquashfs", "-o", said, "-l", "-d", "", packages.appimage],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    paths = {line.strip().lstrip("/") for line in listing.stdout.decode(errors="replace").splitlines()}
    for required in ["AppRun", "chatapp.desktop", "chatapp.svg", ".DirIcon", "usr/bin/chatapp",
                     "usr/bin/qt.conf", "usr/lib/libQt6Core.so.6", "usr/lib/glibc/ld-linux-x86-64.so.2",
                     "usr/lib/glibc/libc.so.6", "usr/lib/glibc/libstdc++.so.6",
                     "usr/plugins/platforms/libqxcb.so", "usr/plugins/sqldrivers/libqsqlite.so",
                     "usr/plugins/sqldrivers/libqsqlpsql.so",
                     # where EmojiFont::bundledPath() looks, from usr/bin/chatapp
                     "usr/share/chatapp/fonts/NotoColorEmoji.ttf"]:
        expect(required in paths, "unsquashfs -o %s lists no %s (exit %d)"
               % (said, required, listing.returncode))


def check_extract_equals_appdir(packages):
    with tempfile.TemporaryDirectory(prefix="chatapp-extract.") as scratch:
        subprocess.run([packages.appimage, "--appimage-extract"], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL, timeout=120)
        extracted = os.path.join(scratch, "squashfs-root")
        expect(os.path.isdir(extracted), "--appimage-extract made no squashfs-root/")
        diff = subprocess.run(["diff", "-r", "--no-dereference", packages.appdir, extracted],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        expect(diff.returncode == 0, "the extracted tree differs from the AppDir: %s"
               % diff.stdout.decode(errors="replace")[:2000])
        expect(os.access(os.path.join(extracted, "AppRun"), os.X_OK), "the extracted AppRun is not executable")


def check_appdir_layout(packages):
    lib = os.path.join(packages.appdir, "usr", "lib")
    for name in ["libfreetype.so.6", "libfontconfig.so.1"]:
        expect(os.path.isfile(os.path.join(lib, name)), "usr/lib has no %s" % name)
    for name in ["ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1"]:
        expect(os.path.isfile(os.path.join(lib, "glibc", name)), "usr/lib/glibc has no %s" % name)
        expect(not os.path.exists(os.path.join(lib, name)), "usr/lib has %s outside glibc/" % name)
    with open(os.path.join(lib, "glibc", "version")) as file:
        expect(re.fullmatch(r"2\.\d+\n", file.read()), "usr/lib/glibc/version is not a glibc version")
    # No RUNPATH names the glibc folder: only the loader, when AppRun chooses it, does.
    for directory, _dirs, files in os.walk(packages.appdir):
        for name in files:
            path = os.path.join(directory, name)
            if ".so" not in name and name != "chatapp":
                continue
            runpath = subprocess.run(["patchelf", "--print-rpath", path], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL).stdout.decode()
            expect("glibc" not in runpath, "%s has RUNPATH %s" % (path, runpath.strip()))


def check_desktop_files(options, packages, scratch):
    subjects = [options.desktop_file, os.path.join(packages.appdir, "chatapp.desktop")]
    for release, deb in sorted(packages.debs.items()):
        extracted = os.path.join(scratch, "deb%d" % release)
        subprocess.run(["dpkg-deb", "-x", deb, extracted], check=True)
        subjects.append(os.path.join(extracted, "usr/share/applications/chatapp.desktop"))
    for subject in subjects:
        expect(os.path.isfile(subject), "no %s" % subject)
        result = subprocess.run(["desktop-file-validate", subject], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        output = result.stdout.decode(errors="replace").strip()
        # Errors and warnings fail; hints (advice, such as on menu categories) are shown.
        expect(result.returncode == 0 and not re.search(r": (error|warning): ", output),
               "desktop-file-validate %s: exit %d: %s" % (subject, result.returncode, output))
        for line in output.splitlines():
            log("     %s" % line)


def check_deb_contents(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb], stdout=subprocess.PIPE, check=True).stdout.decode()
    for path in ["./usr/bin/chatapp", "./usr/share/applications/chatapp.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/chatapp.svg",
                 "./usr/share/man/man1/chatapp.1.gz",
                 "./usr/lib/systemd/system/chatapp-server.service"]:
        expect(re.search(r" %s$" % re.escape(path), listing, re.M), "%s has no %s" % (deb, path))
    depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], stdout=subprocess.PIPE,
                             check=True).stdout.decode()
    # Computed by dpkg-shlibdeps (with versions), and the plugins named by hand.
    for package in [r"libqt6core6(t64)? \(>=", r"libqt6gui6(t64)? \(>=", r"libqt6widgets6(t64)? \(>=",
                    r"libqt6network6(t64)? \(>=", r"libqt6httpserver6 \(>=", r"libqt6sql6(t64)? \(>=",
                    r"libqt6sql6-sqlite", r"libqt6svg6", r"adduser"]:
        expect(re.search(package, depends), "Depends lacks %s: %s" % (package, depends))
    expect(re.search(r"libqt6httpserver6 \(<< 6\.\d+", depends),
           "Depends has no upper bound on libqt6httpserver6: %s" % depends)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", required=True)
    parser.add_argument("--desktop-file", required=True)
    options = parser.parse_args()
    packages = Packages(options.packages)

    def body():
        require("make package made the AppImage, its AppDir and both .debs", packages.require_all)
        check("the AppImage: ELF with AI\\x02 at byte 8", check_magic, packages)
        check("the AppImage: --appimage-offset is where the ELF ends; unsquashfs lists the payload "
              "there, the emoji font included",
              check_offset, packages)
        check("the AppImage: --appimage-extract gives the AppDir (diff -r)", check_extract_equals_appdir, packages)
        check("the AppDir: glibc and its loader on no RUNPATH; FreeType and fontconfig bundled",
              check_appdir_layout, packages)
        with tempfile.TemporaryDirectory(prefix="chatapp-package-files.") as scratch:
            check("desktop-file-validate accepts the .desktop files", check_desktop_files,
                  options, packages, scratch)
        for release, deb in sorted(packages.debs.items()):
            check("deb%d: binary, .desktop, icon, man page, unit; computed Depends with an upper "
                  "bound on Qt HttpServer" % release, check_deb_contents, deb)
    return run_bounded("package-files", WHOLE_FILE_SECONDS, body)


if __name__ == "__main__":
    sys.exit(main())
