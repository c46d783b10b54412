"""Boot a real kernel under QEMU (TCG, no KVM) with an initramfs this module
builds, run shell commands inside the guest and read back each command's
stdout, stderr and exit code from the serial console.

The initramfs holds the static busybox, an /init that runs the commands, any
host files the test names (the lucompat binary, kernels, modules) and, for
every executable among them, the shared libraries and dynamic loader ldd
lists, at their host paths: the guest has no other userland.

A guest may boot more than once: kexec into the next kernel with the
initramfs at INITRAMFS_IN_GUEST, and its /init runs the commands of the next
boot. Each boot's archive says which boot it is (/e2e/boot) and carries the
next boot's, so the command line may stay the same (`--reuse-cmdline`)."""

import base64
import gzip
import os
import re
import secrets
import shlex
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

QEMU = "qemu-system-x86_64"
BUSYBOX = Path("/bin/busybox")
INSTALL_HINT = "install it with scripts/install-deps (Debian: apt-get install qemu-system-x86 busybox-static kexec-tools)"

# Where the initramfs of the next boot sits inside the guest (see module doc).
INITRAMFS_IN_GUEST = "/initramfs.cpio.gz"
# The kernel command line of the first boot; the next ones may reuse it.
CMDLINE = "console=ttyS0 panic=-1 quiet"

# A boot of these tinyconfig kernels takes about 2 s under TCG; the rest is
# the guest's work. A hang guard, not a speed check.
BOOT_TIMEOUT = 120


class GuestError(Exception):
    """The guest did not run the commands: no QEMU, no boot, a timeout."""


@dataclass
class Result:
    boot: int
    command: str
    rc: int | None  # None: the command never finished (kexec -e replaces the kernel)
    out: str
    err: str

    def __repr__(self):
        return (f"boot {self.boot}: {self.command}\nrc={self.rc}\nstdout:\n{self.out}\n"
                f"stderr:\n{self.err}")


def require_tools():
    """Missing tools fail the test (never a silent skip), saying how to install them."""
    for tool in (QEMU,):
        if shutil.which(tool) is None:
            raise GuestError(f"{tool} not found on PATH: {INSTALL_HINT}")
    if not BUSYBOX.is_file():
        raise GuestError(f"{BUSYBOX} not found: {INSTALL_HINT}")


def shared_libraries(path):
    """The files the dynamic loader maps for `path`, as ldd resolves them
    (the loader itself included); empty for a static executable."""
    proc = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:  # "not a dynamic executable"
        return []
    libs = []
    for line in proc.stdout.splitlines():
        if "not found" in line:
            raise GuestError(f"ldd {path}: {line.strip()}")
        m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
        if m:
            libs.append(m[1])
    return libs


class Cpio:
    """A cpio archive in the kernel's 'newc' format
    (Documentation/driver-api/early-userspace/buffer-format.rst)."""

    def __init__(self):
        self.parts = []
        self.ino = 1
        self.dirs = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name = name.lstrip("/")
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        self.ino += 1
        head = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
        self.parts += [head, b"\0" * (-len(head) % 4), data, b"\0" * (-len(data) % 4)]

    def dir(self, name, mode=0o755):
        name = name.strip("/")
        if not name or name in self.dirs:
            return
        self.dir(os.path.dirname(name))
        self.dirs.add(name)
        self._entry(name, stat.S_IFDIR | (mode & 0o7777))

    def symlink(self, name, target):
        self.dir(os.path.dirname(name.strip("/")))
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def file(self, name, data, mode=0o644):
        self.dir(os.path.dirname(name.strip("/")))
        self._entry(name, stat.S_IFREG | (mode & 0o7777), data)

    def chardev(self, name, major, minor):
        self.dir(os.path.dirname(name.strip("/")))
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def bytes(self):
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


# /init: the marker lines carry a nonce so that nothing a command prints can
# forge one; outputs are base64 so that bytes, trailing newlines and the
# serial line's \r\n survive exactly.
INIT = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Only emergencies on the console: kernel lines must not split ours.
dmesg -n 1
M="@@lucompat-e2e @NONCE@"
boot=$(cat /e2e/boot)
. /e2e/env
echo "$M boot $boot"
if [ -d "/e2e/boot$boot" ]; then
	for f in $(ls "/e2e/boot$boot" | sort -n); do
		echo "$M begin $boot $f"
		sh "/e2e/boot$boot/$f" > /tmp/e2e.out 2> /tmp/e2e.err < /dev/null
		rc=$?
		echo "$M stdout"
		base64 /tmp/e2e.out
		echo "$M stderr"
		base64 /tmp/e2e.err
		echo "$M end $boot $f $rc"
	done
fi
echo "$M done $boot"
# Not poweroff -f: without ACPI (tinyconfig) it only halts the CPU and QEMU
# runs on. A reboot makes QEMU (-no-reboot) exit; so would the panic
# (panic=-1) if init returned.
reboot -f
"""


class Guest:
    """An initramfs under construction and the boots that use it."""

    def __init__(self, workdir, env=None):
        """env: variables every command sees, e.g. the host's ASAN_OPTIONS,
        so that the guest runs a sanitized binary as the host suite does."""
        self.env = dict(env or {})
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.files = {}  # guest path -> (host path, mode, boot numbers or None for all)
        self.nonce = secrets.token_hex(8)

    def add(self, guest_path, host_path, executable=False, strip_debug=False, boots=None):
        """Put a host file into the guest; an executable brings its libraries.
        strip_debug drops the DWARF sections, which are never loaded at run
        time (a RelWithDebInfo lucompat is 75 MB, 2 MB without them), so the
        guest inflates and copies far fewer bytes under TCG. boots: the boot
        numbers whose archives hold the file, all when None; each archive
        nests the next one's, so a file only boot 1 uses is better left out
        of the others."""
        host_path = Path(host_path)
        if not host_path.is_file():
            raise GuestError(f"{host_path}: not a file")
        source = host_path
        if strip_debug:
            source = self.workdir / ("stripped-" + guest_path.strip("/").replace("/", "_"))
            subprocess.run(["objcopy", "--strip-debug", str(host_path), str(source)], check=True)
        self._put(guest_path, source, 0o755 if executable else 0o644, boots, replace=True)
        if executable:
            for lib in shared_libraries(host_path):
                self._put(lib, Path(lib), 0o755, boots, replace=False)

    def _put(self, guest_path, source, mode, boots, replace):
        # A library two executables share goes wherever either of them does.
        if guest_path in self.files:
            had_source, had_mode, had = self.files[guest_path]
            boots = None if had is None or boots is None else had | set(boots)
            if not replace:
                source, mode = had_source, had_mode
        self.files[guest_path] = (source, mode, None if boots is None else set(boots))

    def _archive(self, boots, number, nested):
        cpio = Cpio()
        for d in ("dev", "proc", "sys", "tmp", "bin", "root"):
            cpio.dir(d)
        # The kernel opens /dev/console for /init before anything is mounted.
        cpio.chardev("dev/console", 5, 1)
        cpio.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
        cpio.file("init", INIT.replace("@NONCE@", self.nonce).encode(), 0o755)
        for guest_path, (host_path, mode, only) in sorted(self.files.items()):
            # Read through symlinks: ldd names a library by its link.
            if only is None or number in only:
                cpio.file(guest_path, host_path.read_bytes(), mode)
        cpio.file("e2e/env", "".join(f"export {k}={shlex.quote(v)}\n"
                                     for k, v in sorted(self.env.items())).encode())
        for b, commands in enumerate(boots, 1):
            for i, command in enumerate(commands):
                cpio.file(f"e2e/boot{b}/{i}", (command + "\n").encode())
        cpio.file("e2e/boot", f"{number}\n".encode())
        if nested is not None:
            cpio.file(INITRAMFS_IN_GUEST, nested)
        # Level 1: the guest inflates it under TCG; size matters less than time.
        return gzip.compress(cpio.bytes(), compresslevel=1, mtime=0)

    def build(self, boots):
        # Each boot but the last kexecs into the next one with the archive it
        # finds at INITRAMFS_IN_GUEST: the archive of boot N holds the one of
        # boot N+1, the last one none.
        archive = None
        for number in range(len(boots), 0, -1):
            archive = self._archive(boots, number, archive)
        path = self.workdir / "initramfs.cpio.gz"
        path.write_bytes(archive)
        return path

    def run(self, kernel, boots, memory=512, timeout=BOOT_TIMEOUT, cmdline=CMDLINE,
            all_boots=True):
        """Boot `kernel` with commands per boot (a list of lists of shell
        command lines) and `cmdline`; returns the results per boot and the
        console text. all_boots=False when a test expects some boots not to
        come (a kexec refused, a next kernel that panics): their results are
        then missing, and the console says what happened instead."""
        require_tools()
        initramfs = self.build(boots)
        argv = [QEMU, "-machine", "q35", "-accel", "tcg", "-m", str(memory), "-smp", "1",
                "-nodefaults", "-display", "none", "-serial", "stdio", "-no-reboot",
                "-kernel", str(kernel), "-initrd", str(initramfs), "-append", cmdline]
        try:
            proc = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL,
                                  timeout=timeout * len(boots))
        except subprocess.TimeoutExpired as e:
            console = (e.stdout or b"").decode(errors="replace")
            raise GuestError(f"guest did not finish within {timeout * len(boots)} s; "
                             f"console:\n{console}") from None
        console = proc.stdout.decode(errors="replace").replace("\r\n", "\n")
        results = parse(console, self.nonce, boots, all_boots)
        if proc.returncode != 0:
            raise GuestError(f"{QEMU} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}"
                             f"\nconsole:\n{console}")
        return results, console


def parse(console, nonce, boots, all_boots=True):
    """Results per boot from the console text. Raises GuestError when a
    boot did not start or did not finish its commands, unless all_boots is
    False."""
    marker = f"@@lucompat-e2e {nonce} "
    per_boot = [[] for _ in boots]
    booted, done = set(), set()
    current, section, buf = None, None, {"stdout": [], "stderr": []}

    def never_returned():  # the command kexec'd: its boot's /init runs no more
        per_boot[current[0] - 1].append(Result(current[0], boots[current[0] - 1][current[1]],
                                               None, "", ""))

    for line in console.split("\n"):
        line = line.rstrip("\r")
        if not line.startswith(marker):
            if section is not None:
                buf[section].append(line)
            continue
        words = line[len(marker):].split()
        if words[0] == "boot":
            if current is not None:
                never_returned()
                current, section = None, None
            booted.add(int(words[1]))
        elif words[0] == "begin":
            current, section = (int(words[1]), int(words[2])), None
            buf = {"stdout": [], "stderr": []}
        elif words[0] in ("stdout", "stderr"):
            section = words[0]
        elif words[0] == "end":
            b, i, rc = int(words[1]), int(words[2]), int(words[3])
            decoded = {k: base64.b64decode("".join(v)).decode(errors="replace") for k, v in buf.items()}
            per_boot[b - 1].append(Result(b, boots[b - 1][i], rc, decoded["stdout"], decoded["stderr"]))
            current, section = None, None
        elif words[0] == "done":
            done.add(int(words[1]))
    if current is not None:  # and the kernel it booted never reached /init
        never_returned()
    if not all_boots:
        return per_boot
    for b in range(1, len(boots) + 1):
        if b not in booted:
            raise GuestError(f"boot {b} never reached /init; console:\n{console}")
    last = len(boots)
    if last not in done:
        raise GuestError(f"boot {last} did not finish its commands; console:\n{console}")
    return per_boot
