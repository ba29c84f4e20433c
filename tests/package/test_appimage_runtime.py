#!/usr/bin/env python3
"""Our AppImage runtime (packaging/appimage/runtime), here on this machine, on a small
AppDir made here whose AppRun is a shell script that reports what it sees.

  python3 tests/package/test_appimage_runtime.py --runtime PATH/TO/runtime-x86_64

As root (it mounts, and runs part of it as an unprivileged user), it checks:

  * the file: bytes 8-10 are 'AI' 0x02; the sections .upd_info (1024 bytes), .sha256_sig
    (1024) and .sig_key (8192) are there; --appimage-offset is where the ELF ends, as
    computed here from its headers, and unsquashfs lists the payload at that offset;
  * the options: --appimage-help and --appimage-version; --appimage-updateinformation
    and --appimage-signature print what is written into those sections; an unknown
    --appimage-foo is refused with 2 and the app does not run; --appimage-extract gives
    the AppDir's tree (contents, modes, symbolic links), --appimage-extract PATTERN
    only the matches; --appimage-mount mounts until SIGINT and then cleans up;
  * running, with FUSE: arguments and exit codes (2 stays 2) pass through; APPIMAGE,
    APPDIR, ARGV0 and OWD are right and the working folder is kept; the payload is a
    FUSE mount while the app runs and reads back byte for byte; SIGTERM sent to the
    process we started reaches the app (it is that process: AppRun's $$), and sent to
    the runtime's helper too, as systemd's stop does, leaves the app its files; the mount
    outlives the app for as long as a child the app left behind runs, and afterwards
    neither the mount nor its folder remain; with only FUSE 2's name, fusermount, on
    PATH, that one mounts and unmounts;
  * running from a copy: asked with APPIMAGE_EXTRACT_AND_RUN=1 and with
    --appimage-extract-and-run, and as the fallback when no fusermount is on PATH: the
    one-line notice on stderr, SIGTERM, the exit code, and the copy deleted afterwards
    (after the app's leftover child, too);
  * the fallback when fusermount fails (a stand-in that fails as the real one does
    where /dev/fuse is closed): its reason in the one notice line;
  * as an unprivileged user: the fallback when /dev/fuse really is closed to them (0600,
    as on a machine without udev), then, with /dev/fuse 0666 as Debian's udev rule makes
    it, the FUSE checks above.

It runs in a mount namespace of its own (it starts itself again under unshare), where
/dev/fuse is covered by device nodes of either mode: the machine's /dev/fuse and mounts
are never touched. Every wait has a deadline and the whole file is bounded by an alarm;
mounts, processes and files it made are removed however it ends. Prints ok or FAIL per check and last
`runtime: N passed, N failed`; the exit code is 1 if any failed.
"""

import argparse
import os
import pwd
import re
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from chatapp_testing import Failure, bound_whole_file, check, read_line, wait_until  # noqa: E402

WHOLE_FILE_SECONDS = 120
WAIT = 10                       # for any one thing to happen
USER = "chatapp-rt-tester"      # the unprivileged user (made if missing)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CHILD_SECONDS = 3               # how long the app's leftover child outlives it
NAMESPACE_MARK = "CHATAPP_RUNTIME_TEST_NAMESPACE"
UPDATE_INFORMATION = "zsync|https://example.invalid/ChatApp-latest-x86_64.AppImage.zsync"
SIGNATURE = "\n-----BEGIN PGP SIGNATURE-----\n\nnot a real one\n-----END PGP SIGNATURE-----\n"

# What the payload's AppRun does is chosen by its first argument. Only builtins and
# absolute paths: one check runs it with a PATH that has nothing on it.
APPRUN = r"""#!/bin/sh
case "$1" in
exit)
    exit "$2" ;;
cat)
    exec /bin/cat "$APPDIR/$2" ;;
term)
    # Waits for SIGTERM, and then still reads a payload file; $2 is a folder to report in.
    /bin/sleep 60 &
    sleeper=$!
    trap '/bin/kill $sleeper; /bin/cat "$APPDIR/usr/share/chatapp-test/readme.txt" > "$2/trapped"; exit 0' TERM
    echo "$$ $APPDIR" > "$2/ready.tmp"
    /bin/mv "$2/ready.tmp" "$2/ready"
    wait $sleeper
    exit 9 ;;
child)
    # Leaves a child behind that reads a payload file $3 s after AppRun has exited.
    ( /bin/sleep "$3"
      /bin/cat "$APPDIR/usr/share/chatapp-test/readme.txt" > "$2/child.tmp"
      /bin/mv "$2/child.tmp" "$2/child" ) </dev/null >/dev/null 2>&1 &
    echo "$APPDIR" > "$2/appdir"
    exit 0 ;;
*)
    printf 'APPIMAGE=%s\nAPPDIR=%s\nARGV0=%s\nOWD=%s\nPWD=%s\n' \
        "$APPIMAGE" "$APPDIR" "$ARGV0" "$OWD" "$(pwd -P)"
    for argument in "$@"; do printf 'ARG=%s\n' "$argument"; done
    echo MOUNTS
    /bin/cat /proc/mounts
    exit 0 ;;
esac
"""
README = "the payload's readme\n"


# --- the ELF file, read independently of the runtime -------------------------------------

def elf_layout(data):
    """(where the ELF ends, {section name: (offset, size)}) from the ELF headers."""
    check(data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF file")
    (_, _, _, _, phoff, shoff, _, ehsize, phentsize, phnum, shentsize, shnum,
     shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    end = max(ehsize, phoff + phnum * phentsize, shoff + shnum * shentsize)
    for i in range(phnum):
        _, _, offset, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        end = max(end, offset + filesz)
    headers = []
    for i in range(shnum):
        name, kind, _, _, offset, size, _, _, _, _ = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        headers.append((name, kind, offset, size))
        if kind != 8:   # SHT_NOBITS takes no room in the file
            end = max(end, offset + size)
    names_offset = headers[shstrndx][2]
    sections = {}
    for name, kind, offset, size in headers:
        start = names_offset + name
        sections[data[start:data.index(b"\0", start)].decode()] = (offset, size)
    return end, sections


# --- mounts and processes ----------------------------------------------------------------

def unescape(field):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def parse_mounts(text):
    """[(source, mount point, type, options)] from /proc/mounts' format."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4:
            mounts.append((unescape(fields[0]), unescape(fields[1]), fields[2], fields[3]))
    return mounts


def mounts_under(folder):
    with open("/proc/mounts") as mounts:
        return [m for m in parse_mounts(mounts.read()) if m[1].startswith(folder + "/")]


def processes_running(program):
    """The processes whose executable is program."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % name) == program:
                    found.append(int(name))
            except OSError:
                pass
    return found


class Run:
    """The AppImage started with stdout and stderr in files, so that nothing waits on a
    pipe that a helper process the runtime leaves behind still holds."""

    def __init__(self, t, arguments, as_user=False, env=None, cwd=None, appimage=None):
        self.folder = tempfile.mkdtemp(prefix="run-", dir=t.work)
        os.chmod(self.folder, 0o755)
        if as_user:
            os.chown(self.folder, t.uid, t.gid)
        environment = {"PATH": PATH, "TMPDIR": t.user_tmp if as_user else t.tmp, "LANG": "C.UTF-8"}
        environment.update(env or {})
        command = [appimage or t.appimage] + arguments
        if as_user:
            command = ["setpriv", "--reuid=%d" % t.uid, "--regid=%d" % t.gid, "--init-groups", "--"] + command
        with open(os.path.join(self.folder, "stdout"), "wb") as out, \
                open(os.path.join(self.folder, "stderr"), "wb") as err:
            self.process = subprocess.Popen(command, env=environment, cwd=cwd or t.work, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err, start_new_session=True)
        t.processes.append(self.process)

    def wait(self):
        try:
            return self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            raise Failure("the AppImage did not exit within %d s; stderr: %r" % (WAIT, self.stderr()))

    def read(self, name):
        with open(os.path.join(self.folder, name), "rb") as file:
            return file.read()

    def stdout(self):
        return self.read("stdout").decode(errors="replace")

    def stderr(self):
        return self.read("stderr").decode(errors="replace")


class Report:
    """A folder where the app writes what it saw (the AppRun's term and child modes)."""

    def __init__(self, t):
        self.folder = tempfile.mkdtemp(prefix="report-", dir=t.work)
        os.chmod(self.folder, 0o777)   # the unprivileged user's app writes here too

    def report(self, name):
        path = os.path.join(self.folder, name)
        if not os.path.exists(path):
            return None
        with open(path) as file:
            return file.read()


def run(t, arguments, **options):
    """(exit status, stdout, stderr) of the AppImage run to its end."""
    started = Run(t, arguments, **options)
    status = started.wait()
    return status, started.stdout(), started.stderr()


def app_report(stdout):
    """What the AppRun's default branch printed: its variables, arguments and mounts."""
    head, _, mounts = stdout.partition("MOUNTS\n")
    values = {"ARG": []}
    for line in head.splitlines():
        key, _, value = line.partition("=")
        if key == "ARG":
            values["ARG"].append(value)
        else:
            values[key] = value
    values["MOUNTS"] = parse_mounts(mounts)
    return values


def wait_clean(tmp):
    """Neither a mount nor a runtime folder left in the runtime's TMPDIR."""
    def leftovers():
        return ([m[1] for m in mounts_under(tmp)]
                + [name for name in os.listdir(tmp) if name.startswith((".mount_", "appimage_extracted_"))])
    wait_until(lambda: not leftovers(), WAIT, lambda: "the runtime to clean up %s (left: %s)" % (tmp, leftovers()))


def notice_lines(stderr):
    return [line for line in stderr.splitlines() if line.startswith("ChatApp: ")]


# --- the setup ------------------------------------------------------------------------------

class Context:
    pass


def read_bytes(path):
    with open(path, "rb") as file:
        return file.read()


def write(path, content, mode):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(content if isinstance(content, bytes) else content.encode())
    os.chmod(path, mode)


def make_appdir(appdir):
    write(os.path.join(appdir, "AppRun"), APPRUN, 0o755)
    write(os.path.join(appdir, "chatapp-test.desktop"),
          "[Desktop Entry]\nType=Application\nName=Test\nExec=AppRun\nIcon=chatapp-test\n", 0o644)
    share = os.path.join(appdir, "usr", "share", "chatapp-test")
    write(os.path.join(share, "readme.txt"), README, 0o644)
    # Several squashfs blocks (128 KiB) and a fragment.
    write(os.path.join(share, "random.bin"), os.urandom(700 * 1024 + 123), 0o640)
    write(os.path.join(share, "empty"), b"", 0o600)
    write(os.path.join(share, "name with spaces.txt"), "spaces\n", 0o644)
    write(os.path.join(appdir, "usr", "bin", "tool"), "#!/bin/sh\necho tool\n", 0o755)
    write(os.path.join(appdir, "usr", "lib", "libdemo.so.1.0"), b"\x7fELF not really", 0o644)
    os.symlink("libdemo.so.1.0", os.path.join(appdir, "usr", "lib", "libdemo.so.1"))
    os.symlink("usr/share/chatapp-test/readme.txt", os.path.join(appdir, ".DirIcon"))
    # A read-only folder: the runtime must still fill it when it copies, and delete it.
    write(os.path.join(appdir, "usr", "lib", "readonly", "inside.txt"), "inside\n", 0o444)
    os.chmod(os.path.join(appdir, "usr", "lib", "readonly"), 0o555)


def ensure_user(t):
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                       check=True, stdout=subprocess.DEVNULL)
        entry = pwd.getpwnam(USER)
    t.uid, t.gid = entry.pw_uid, entry.pw_gid


def setup(t, runtime):
    t.runtime = os.path.abspath(runtime)
    t.runtime_bytes = read_bytes(t.runtime)
    ensure_user(t)
    t.work = tempfile.mkdtemp(prefix="chatapp-runtime-test.")
    os.chmod(t.work, 0o755)
    t.tmp = os.path.join(t.work, "tmp")
    t.user_tmp = os.path.join(t.work, "user-tmp")
    os.mkdir(t.tmp, 0o700)
    os.mkdir(t.user_tmp, 0o700)
    os.chown(t.user_tmp, t.uid, t.gid)
    t.cwd = os.path.join(t.work, "cwd here")
    os.mkdir(t.cwd, 0o755)
    t.empty_bin = os.path.join(t.work, "empty-bin")
    os.mkdir(t.empty_bin, 0o755)

    t.appdir = os.path.join(t.work, "Test.AppDir")
    make_appdir(t.appdir)
    payload = os.path.join(t.work, "payload.squashfs")
    subprocess.run(["mksquashfs", t.appdir, payload, "-comp", "zstd", "-root-owned", "-noappend", "-quiet"],
                   check=True, stdout=subprocess.DEVNULL)
    # Spaces in its folder and name, as the specification asks an AppImage to cope with.
    folder = os.path.join(t.work, "with space")
    os.mkdir(folder, 0o755)
    t.appimage = os.path.join(folder, "Chat App-x86_64.AppImage")
    with open(t.appimage, "wb") as out, open(payload, "rb") as squashfs:
        out.write(t.runtime_bytes)
        shutil.copyfileobj(squashfs, out)
    os.chmod(t.appimage, 0o755)
    t.random = read_bytes(os.path.join(t.appdir, "usr/share/chatapp-test/random.bin"))
    t.processes = []
    t.fuse_binds = 0


def stop_leftovers(t):
    """What a failed check left running or mounted, so that the next starts clean."""
    for process in getattr(t, "processes", []):
        # Each run is a process group of its own (start_new_session): the app and its
        # children, even once the process we started is gone. The runtime's helpers are
        # in sessions of their own and end when their mount or copy is taken away.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if process.poll() is None:
            process.wait()
    work = getattr(t, "work", None)
    if work:
        for _, mountpoint, _, _ in mounts_under(work):
            subprocess.run(["umount", "-l", mountpoint], stderr=subprocess.DEVNULL)
        for tmp in (getattr(t, "tmp", None), getattr(t, "user_tmp", None)):
            for name in os.listdir(tmp) if tmp and os.path.isdir(tmp) else []:
                shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


def cleanup(t):
    stop_leftovers(t)
    # Before the nodes can be deleted: a file that is mounted somewhere is busy.
    for _ in range(getattr(t, "fuse_binds", 0)):
        subprocess.run(["umount", "/dev/fuse"], stderr=subprocess.DEVNULL)
    work = getattr(t, "work", None)
    if work:
        for folder, names, _ in os.walk(work):
            for name in names:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    os.chmod(path, 0o700)
        shutil.rmtree(work, ignore_errors=True)


# --- checks: the file ------------------------------------------------------------------------

def magic_bytes(t):
    check(t.runtime_bytes[8:11] == b"AI\x02", "bytes 8-10 are %r, not b'AI\\x02'" % t.runtime_bytes[8:11])


def spec_sections(t):
    _, sections = elf_layout(t.runtime_bytes)
    for name, size in ((".upd_info", 1024), (".sha256_sig", 1024), (".sig_key", 8192)):
        check(name in sections, "no section %s" % name)
        check(sections[name][1] == size, "%s is %d bytes, not %d" % (name, sections[name][1], size))


def offset_is_elf_end(t):
    end, _ = elf_layout(t.runtime_bytes)
    check(end == len(t.runtime_bytes), "the ELF headers end at %d but the runtime file has %d bytes"
          % (end, len(t.runtime_bytes)))
    status, stdout, stderr = run(t, ["--appimage-offset"])
    check(status == 0, "--appimage-offset exited %d: %s" % (status, stderr))
    check(stdout.strip() == str(end), "--appimage-offset printed %r, the ELF ends at %d" % (stdout, end))
    listing = subprocess.run(["unsquashfs", "-o", str(end), "-l", t.appimage],
                             capture_output=True, text=True, timeout=WAIT)
    check(listing.returncode == 0, "unsquashfs -o %d -l failed: %s" % (end, listing.stderr))
    for path in ("squashfs-root/AppRun", "squashfs-root/usr/share/chatapp-test/random.bin"):
        check(path in listing.stdout.splitlines(), "unsquashfs's listing lacks %s" % path)


# --- checks: the options ---------------------------------------------------------------------

def help_and_version(t):
    status, stdout, _ = run(t, ["--appimage-help"])
    check(status == 0, "--appimage-help exited %d" % status)
    for option in ("--appimage-help", "--appimage-version", "--appimage-offset", "--appimage-extract",
                   "--appimage-mount", "--appimage-extract-and-run", "--appimage-updateinformation",
                   "--appimage-signature"):
        check(option in stdout, "--appimage-help does not mention %s" % option)
    check("ARG=" not in stdout, "--appimage-help ran the app")
    status, stdout, _ = run(t, ["--appimage-version"])
    check(status == 0 and re.search(r"\b\d+\.\d+\.\d+\b", stdout),
          "--appimage-version exited %d and printed %r" % (status, stdout))


def update_information_and_signature(t):
    for option in ("--appimage-updateinformation", "--appimage-signature"):
        status, stdout, stderr = run(t, [option])
        check(status == 0 and stdout == "", "%s of an empty section: %d, %r, %r" % (option, status, stdout, stderr))
    # As appimagetool or a signer would: written into the sections of the finished file.
    patched = os.path.join(t.work, "with space", "patched.AppImage")
    data = bytearray(read_bytes(t.appimage))
    _, sections = elf_layout(data)
    for name, text in ((".upd_info", UPDATE_INFORMATION), (".sha256_sig", SIGNATURE)):
        offset, size = sections[name]
        encoded = text.encode()
        data[offset:offset + size] = encoded + b"\0" * (size - len(encoded))
    with open(patched, "wb") as file:
        file.write(data)
    os.chmod(patched, 0o755)
    for option, text in (("--appimage-updateinformation", UPDATE_INFORMATION), ("--appimage-signature", SIGNATURE)):
        status, stdout, stderr = run(t, [option], appimage=patched)
        check(status == 0, "%s exited %d: %s" % (option, status, stderr))
        check(stdout.rstrip("\n") == text.rstrip("\n"), "%s printed %r, not %r" % (option, stdout, text))


def unknown_option_refused(t):
    status, stdout, stderr = run(t, ["--appimage-foo", "print", "me"])
    check(status == 2, "--appimage-foo exited %d, not 2" % status)
    check("--appimage-foo" in stderr, "stderr does not name the refused option: %r" % stderr)
    check("ARG=" not in stdout, "the app ran with an unknown --appimage- option")


def tree(root):
    """{relative path: (kind, mode, content or link target)} of a folder."""
    entries = {}
    for folder, names, files in os.walk(root):
        for name in names + files:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                content = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                content = read_bytes(path)
            else:
                content = None
            entries[os.path.relpath(path, root)] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), content)
    return entries


def extract_all(t):
    where = tempfile.mkdtemp(prefix="extract-", dir=t.work)
    status, stdout, stderr = run(t, ["--appimage-extract"], cwd=where)
    check(status == 0, "--appimage-extract exited %d: %s" % (status, stderr))
    extracted = os.path.join(where, "squashfs-root")
    diff = subprocess.run(["diff", "-r", "--no-dereference", t.appdir, extracted], capture_output=True, text=True)
    check(diff.returncode == 0, "diff -r finds differences: %s%s" % (diff.stdout[:500], diff.stderr[:500]))
    expected, got = tree(t.appdir), tree(extracted)
    for path in sorted(set(expected) | set(got)):
        check(expected.get(path) == got.get(path), "%s differs: %r against the AppDir's %r"
              % (path, (got.get(path) or ())[:2], (expected.get(path) or ())[:2]))
    printed = set(stdout.splitlines())
    check(printed == {"squashfs-root/" + path for path in expected},
          "it printed %d paths for %d entries" % (len(printed), len(expected)))


def extract_pattern(t):
    where = tempfile.mkdtemp(prefix="extract-", dir=t.work)
    status, stdout, stderr = run(t, ["--appimage-extract", "usr/share/*"], cwd=where)
    check(status == 0, "--appimage-extract 'usr/share/*' exited %d: %s" % (status, stderr))
    matches = {path for path in tree(t.appdir) if path.startswith("usr/share/")}
    got = tree(os.path.join(where, "squashfs-root"))
    check(set(got) == matches | {"usr", "usr/share"},
          "it extracted %s, not the matches %s and their folders" % (sorted(got), sorted(matches)))
    check(set(stdout.splitlines()) == {"squashfs-root/" + path for path in matches},
          "it printed %r" % stdout.splitlines())
    status, stdout, _ = run(t, ["--appimage-extract", "AppRun"], cwd=where)
    check(status == 0 and stdout.splitlines() == ["squashfs-root/AppRun"],
          "--appimage-extract AppRun (into the same folder again): %d, %r" % (status, stdout))


# --- checks: running -------------------------------------------------------------------------

def check_environment(t, report, appdir_prefix, argv0, arguments):
    real = os.path.realpath(t.appimage)
    check(report.get("APPIMAGE") == real, "APPIMAGE is %r, not %r" % (report.get("APPIMAGE"), real))
    check(report.get("APPDIR", "").startswith(appdir_prefix), "APPDIR is %r, not in %s*"
          % (report.get("APPDIR"), appdir_prefix))
    check(report.get("ARGV0") == argv0, "ARGV0 is %r, not %r" % (report.get("ARGV0"), argv0))
    check(report.get("OWD") == t.cwd, "OWD is %r, not %r" % (report.get("OWD"), t.cwd))
    check(report.get("PWD") == t.cwd, "the app's working folder is %r, not %r" % (report.get("PWD"), t.cwd))
    check(report["ARG"] == arguments, "the app got %r, not %r" % (report["ARG"], arguments))


def fuse_run(t, as_user=False):
    """Arguments, environment, the mount, a file read back, exit codes: with FUSE."""
    tmp = t.user_tmp if as_user else t.tmp
    # A relative argv[0], from another folder: ARGV0 as given, APPIMAGE resolved.
    argv0 = os.path.relpath(t.appimage, t.cwd)
    arguments = ["--appimagefoo", "a b", "", "--appimage-extract", "ünï"]
    started = Run(t, arguments, as_user=as_user, cwd=t.cwd, appimage=argv0)
    status = started.wait()
    check(status == 0, "exited %d: %s" % (status, started.stderr()))
    report = app_report(started.stdout())
    check_environment(t, report, os.path.join(tmp, ".mount_Chat A"), argv0, arguments)
    mounted = [m for m in report["MOUNTS"] if m[1] == report["APPDIR"]]
    check(mounted and mounted[0][2].startswith("fuse"), "APPDIR is not a FUSE mount while the app runs: %r"
          % mounted)
    check("ro" in mounted[0][3].split(","), "the mount is not read-only: %s" % mounted[0][3])
    if as_user:
        check("user_id=%d" % t.uid in mounted[0][3], "the mount is not the user's: %s" % mounted[0][3])
    check(not notice_lines(started.stderr()), "the runtime said something: %r" % started.stderr())
    wait_clean(tmp)

    reading = Run(t, ["cat", "usr/share/chatapp-test/random.bin"], as_user=as_user)
    check(reading.wait() == 0, "cat through the mount failed: %s" % reading.stderr())
    check(reading.read("stdout") == t.random, "a file read through the mount differs from the AppDir's")
    for code in (2, 0, 42):
        status, _, stderr = run(t, ["exit", str(code)], as_user=as_user)
        check(status == code, "the app exited %d but the AppImage %d: %s" % (code, status, stderr))
    wait_clean(tmp)


def sigterm_reaches_app(t, as_user=False, env=None, appdir_prefix=".mount_"):
    tmp = t.user_tmp if as_user else t.tmp
    report = Report(t)
    started = Run(t, ["term", report.folder], as_user=as_user, env=env)
    ready = wait_until(lambda: report.report("ready"), WAIT,
                       lambda: "AppRun to start (stderr: %r)" % started.stderr())
    pid, _, appdir = ready.strip().partition(" ")
    check(int(pid) == started.process.pid, "AppRun is process %s, not the one started (%d): no exec"
          % (pid, started.process.pid))
    check(os.path.basename(appdir).startswith(appdir_prefix) and appdir.startswith(tmp + "/"),
          "APPDIR %r is not a %s* folder in %s" % (appdir, appdir_prefix, tmp))
    # As systemd stops a service: SIGTERM to each of its processes, the runtime's helper
    # (still running the AppImage's own program) as well as the app.
    helpers = processes_running(os.path.realpath(t.appimage))
    check(helpers, "no helper process of the runtime is running beside the app")
    for pid in [started.process.pid] + helpers:
        os.kill(pid, signal.SIGTERM)
    status = started.wait()
    trapped = report.report("trapped")
    check(trapped is not None, "the app's TERM trap did not run")
    check(trapped == README, "the app's TERM trap could not read its files any more (got %r)" % trapped)
    check(status == 0, "exited %d after SIGTERM, not the app's 0" % status)
    wait_clean(tmp)


def outlived_by_child(t, as_user=False, env=None, kind="mount"):
    """The files stay for a child the app left behind, and go once it has exited too."""
    tmp = t.user_tmp if as_user else t.tmp
    report = Report(t)
    started = Run(t, ["child", report.folder, str(CHILD_SECONDS)], as_user=as_user, env=env)
    status = started.wait()
    check(status == 0, "exited %d: %s" % (status, started.stderr()))
    appdir = (report.report("appdir") or "").strip()
    check(appdir.startswith(tmp + "/"), "APPDIR %r is not in %s" % (appdir, tmp))
    # The child sleeps CHILD_SECONDS from AppRun's start: it is still running now.
    check(report.report("child") is None, "the child finished too early to tell anything")
    # Not os.path.isdir(): root may not look into another user's FUSE mount.
    check(os.path.basename(appdir) in os.listdir(tmp), "%s is gone while the app's child still runs" % appdir)
    if kind == "mount":
        check(any(m[1] == appdir for m in mounts_under(tmp)), "%s is unmounted while the app's child runs" % appdir)
    child = wait_until(lambda: report.report("child"), WAIT, "the app's child to read its file")
    check(child == README, "the app's child read %r after the app had exited" % child)
    wait_clean(tmp)


def extract_and_run_env(t):
    started = Run(t, ["x", "y"], cwd=t.cwd, env={"APPIMAGE_EXTRACT_AND_RUN": "1"})
    status = started.wait()
    check(status == 0, "exited %d: %s" % (status, started.stderr()))
    report = app_report(started.stdout())
    check_environment(t, report, os.path.join(t.tmp, "appimage_extracted_"), t.appimage, ["x", "y"])
    check(not any(m[1] == report["APPDIR"] for m in report["MOUNTS"]), "APPDIR is a mount")
    notices = notice_lines(started.stderr())
    check(len(notices) == 1 and report["APPDIR"] in notices[0] and "APPIMAGE_EXTRACT_AND_RUN" in notices[0],
          "stderr is not one notice naming the copy and why: %r" % started.stderr())
    wait_clean(t.tmp)
    reading = Run(t, ["cat", "usr/share/chatapp-test/random.bin"], env={"APPIMAGE_EXTRACT_AND_RUN": "1"})
    check(reading.wait() == 0 and reading.read("stdout") == t.random, "a file of the copy differs from the AppDir's")
    wait_clean(t.tmp)
    sigterm_reaches_app(t, env={"APPIMAGE_EXTRACT_AND_RUN": "1"}, appdir_prefix="appimage_extracted_")


def extract_and_run_option(t):
    status, stdout, stderr = run(t, ["--appimage-extract-and-run", "p", "q"], cwd=t.cwd)
    check(status == 0, "exited %d: %s" % (status, stderr))
    report = app_report(stdout)
    check_environment(t, report, os.path.join(t.tmp, "appimage_extracted_"), t.appimage, ["p", "q"])
    notices = notice_lines(stderr)
    check(len(notices) == 1 and report["APPDIR"] in notices[0] and "--appimage-extract-and-run" in notices[0],
          "stderr is not one notice naming the copy and why: %r" % stderr)
    status, _, _ = run(t, ["--appimage-extract-and-run", "exit", "2"])
    check(status == 2, "the app exited 2 but the AppImage %d" % status)
    wait_clean(t.tmp)


def fallback_without_fusermount(t):
    no_fusermount = {"PATH": t.empty_bin}
    status, stdout, stderr = run(t, ["a"], cwd=t.cwd, env=no_fusermount)
    check(status == 0, "exited %d: %s" % (status, stderr))
    report = app_report(stdout)
    check_environment(t, report, os.path.join(t.tmp, "appimage_extracted_"), t.appimage, ["a"])
    notices = notice_lines(stderr)
    check(len(notices) == 1 and "FUSE is not available" in notices[0] and "fusermount" in notices[0]
          and report["APPDIR"] in notices[0], "stderr is not one notice saying why and where: %r" % stderr)
    wait_clean(t.tmp)
    sigterm_reaches_app(t, env=no_fusermount, appdir_prefix="appimage_extracted_")
    outlived_by_child(t, env=no_fusermount, kind="copy")


def fuse2_name(t):
    # Only FUSE 2's name on PATH (here the same program under it): found, and used to
    # mount and to unmount.
    only_fuse2 = os.path.join(t.work, "fuse2-bin")
    os.makedirs(only_fuse2, exist_ok=True)
    if not os.path.lexists(os.path.join(only_fuse2, "fusermount")):
        os.symlink(shutil.which("fusermount3", path=PATH), os.path.join(only_fuse2, "fusermount"))
    status, stdout, stderr = run(t, ["f"], env={"PATH": only_fuse2})
    check(status == 0, "exited %d: %s" % (status, stderr))
    report = app_report(stdout)
    check(any(m[1] == report.get("APPDIR") and m[2].startswith("fuse") for m in report["MOUNTS"]),
          "APPDIR %r is not a FUSE mount: %s" % (report.get("APPDIR"), stderr))
    check(not notice_lines(stderr), "the runtime said something: %r" % stderr)
    wait_clean(t.tmp)


def fallback_when_mount_fails(t):
    # A fusermount3 that fails as the real one does where /dev/fuse is closed to the user.
    fake_bin = os.path.join(t.work, "failing-fusermount")
    write(os.path.join(fake_bin, "fusermount3"),
          "#!/bin/sh\necho 'fusermount3: failed to open /dev/fuse: Permission denied' >&2\nexit 1\n", 0o755)
    status, stdout, stderr = run(t, ["exit", "3"], env={"PATH": fake_bin + ":" + PATH})
    check(status == 3, "exited %d, not the app's 3: %s" % (status, stderr))
    notices = notice_lines(stderr)
    check(len(notices) == 1 and "FUSE is not available" in notices[0] and "Permission denied" in notices[0]
          and "appimage_extracted_" in notices[0],
          "stderr is not one notice with fusermount's reason and the copy: %r" % stderr)
    check(len(stderr.splitlines()) == 1, "more than the one line on stderr: %r" % stderr)
    wait_clean(t.tmp)


def appimage_mount(t, as_user=False):
    tmp = t.user_tmp if as_user else t.tmp
    command = [t.appimage, "--appimage-mount"]
    if as_user:
        command = ["setpriv", "--reuid=%d" % t.uid, "--regid=%d" % t.gid, "--init-groups", "--"] + command
    errors_path = os.path.join(tempfile.mkdtemp(prefix="mount-", dir=t.work), "stderr")
    with open(errors_path, "wb") as errors:
        process = subprocess.Popen(command, env={"PATH": PATH, "TMPDIR": tmp}, stdout=subprocess.PIPE,
                                   stderr=errors, stdin=subprocess.DEVNULL, start_new_session=True)
    t.processes.append(process)

    def stderr():
        with open(errors_path) as file:
            return file.read()
    try:
        mountpoint = read_line(process.stdout, WAIT, "mount point on stdout").decode().rstrip("\n")
        check(os.path.basename(mountpoint).startswith(".mount_") and mountpoint.startswith(tmp + "/"),
              "printed %r, not a .mount_ folder in %s" % (mountpoint, tmp))
        check(any(m[1] == mountpoint and m[2].startswith("fuse") for m in mounts_under(tmp)),
              "%s is not a FUSE mount" % mountpoint)
        with_mount = subprocess.run((["setpriv", "--reuid=%d" % t.uid, "--regid=%d" % t.gid, "--init-groups", "--"]
                                     if as_user else []) + ["cat", os.path.join(mountpoint, "usr/share/chatapp-test/readme.txt")],
                                    capture_output=True, text=True, timeout=WAIT)
        check(with_mount.stdout == README, "reading through the mount gave %r" % with_mount.stdout)
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(WAIT)
        except subprocess.TimeoutExpired:
            raise Failure("still running %d s after SIGINT; stderr: %r" % (WAIT, stderr()))
        check(status == 0, "exited %d after SIGINT, not 0: %r" % (status, stderr()))
        check(not any(m[1] == mountpoint for m in mounts_under(tmp)), "still mounted once it exited")
        check(not os.path.exists(mountpoint), "the mount point is still there once it exited")
        wait_clean(tmp)
    finally:
        process.stdout.close()


# --- the unprivileged user ------------------------------------------------------------------

def fuse_device(t, mode):
    """/dev/fuse with this mode, in our mount namespace only: a node of the same device
    bound over it."""
    node = os.path.join(t.work, "fuse-%o" % mode)
    if not os.path.exists(node):
        os.mknod(node, stat.S_IFCHR | mode, os.stat("/dev/fuse").st_rdev)
        os.chmod(node, mode)
    subprocess.run(["mount", "--bind", node, "/dev/fuse"], check=True)
    t.fuse_binds += 1


def fuse_closed_to_user(t):
    fuse_device(t, 0o600)
    status, stdout, stderr = run(t, ["u"], as_user=True, cwd=t.cwd)
    check(status == 0, "exited %d: %s" % (status, stderr))
    report = app_report(stdout)
    check_environment(t, report, os.path.join(t.user_tmp, "appimage_extracted_"), t.appimage, ["u"])
    notices = notice_lines(stderr)
    check(len(notices) == 1 and "FUSE is not available" in notices[0] and "/dev/fuse" in notices[0],
          "stderr is not one notice saying FUSE is not available and why: %r" % stderr)
    wait_clean(t.user_tmp)


# --- main -------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtime", required=True, help="the runtime-x86_64 to test")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        print("test_appimage_runtime: needs root (mounts, and runs part as another user)", file=sys.stderr)
        return 1
    if os.environ.get(NAMESPACE_MARK) != "1":
        # Again, in a mount namespace of our own (see the top of this file).
        os.environ[NAMESPACE_MARK] = "1"
        command = ["unshare", "--mount", "--propagation", "private", "--", sys.executable] + sys.argv
        os.execvp(command[0], command)

    t = Context()
    passed = failed = 0

    def attempt(name, body, *args):
        nonlocal passed, failed
        try:
            result = body(t, *args)
            passed += 1
            print("ok   %s%s" % (name, " (%s)" % result if result else ""))
        except Failure as failure:
            failed += 1
            print("FAIL %s - %s" % (name, failure))
            stop_leftovers(t)
        except Exception:
            failed += 1
            print("FAIL %s - %s" % (name, traceback.format_exc().strip().replace("\n", "\n     ")))
            stop_leftovers(t)
        sys.stdout.flush()

    bound_whole_file(WHOLE_FILE_SECONDS)
    try:
        setup(t, arguments.runtime)
        fuse_ready = os.path.exists("/dev/fuse")
        if fuse_ready:
            fuse_device(t, 0o666)   # whatever the machine's is, for root's checks as for the user's
        attempt("magic bytes AI\\x02 at offset 8", magic_bytes)
        attempt("sections .upd_info, .sha256_sig, .sig_key", spec_sections)
        attempt("--appimage-offset is where the ELF ends; unsquashfs -o lists the payload", offset_is_elf_end)
        attempt("--appimage-help, --appimage-version", help_and_version)
        attempt("--appimage-updateinformation, --appimage-signature", update_information_and_signature)
        attempt("unknown --appimage-foo refused with 2", unknown_option_refused)
        attempt("--appimage-extract equals the AppDir", extract_all)
        attempt("--appimage-extract PATTERN", extract_pattern)
        if not fuse_ready:
            print("note: this machine has no /dev/fuse: the FUSE checks fail")
        attempt("FUSE: arguments, environment, mount, contents, exit codes", fuse_run)
        attempt("FUSE: SIGTERM reaches the app", sigterm_reaches_app)
        attempt("FUSE: the mount outlives the app for its child, then goes", outlived_by_child)
        attempt("--appimage-mount, then SIGINT", appimage_mount)
        attempt("FUSE through fusermount, FUSE 2's name, when PATH has no fusermount3", fuse2_name)
        attempt("copy: APPIMAGE_EXTRACT_AND_RUN=1 (notice, environment, SIGTERM, cleanup)", extract_and_run_env)
        attempt("copy: --appimage-extract-and-run", extract_and_run_option)
        attempt("copy: fallback without fusermount on PATH (SIGTERM, child, cleanup)", fallback_without_fusermount)
        attempt("copy: fallback when fusermount fails (its reason in the notice)", fallback_when_mount_fails)
        attempt("user: fallback when /dev/fuse is closed to them", fuse_closed_to_user)
        fuse_device(t, 0o666)
        attempt("user: FUSE arguments, environment, mount, contents, exit codes", fuse_run, True)
        attempt("user: FUSE SIGTERM reaches the app", sigterm_reaches_app, True)
        attempt("user: FUSE mount outlives the app for its child, then goes", outlived_by_child, True)
        attempt("user: --appimage-mount, then SIGINT", appimage_mount, True)
    except Failure as failure:
        failed += 1
        print("FAIL %s" % failure)
    finally:
        signal.alarm(0)
        cleanup(t)
    print("runtime: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
