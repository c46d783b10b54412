"""Debian sid's systemd as PID 1 on a real LUO kernel, with lucompat as the
gate of its live update: `lucompat kexec --systemd`.

The guest boots ../shared/corpus/real/systemd's asis kernel under QEMU
(TCG) with a root file system of Debian sid (systemd 262 or later, made by
scripts/build-sid-rootfs with mmdebstrap and cached in the build tree: this
test never downloads) in its initramfs, plus the built lucompat with the
host's libraries under /opt/lucompat. There:

- keeper.service (Type=notify, FileDescriptorStorePreserve=yes) stores a
  memfd holding a nonce in its fd store;
- the driver runs `lucompat kexec --systemd --next-entry memfd-v3.conf`:
  the memfd-v3 kernel cannot restore memfd-v2, and the only thing that says
  so before the kexec is what systemd will preserve (no LUO session exists
  until systemd-shutdown). lucompat must refuse, name keeper's fd, load
  nothing and not run systemctl;
- then `lucompat kexec --systemd --next-entry asis.conf`: lucompat loads it
  and runs systemctl kexec; systemd-shutdown preserves the store, and on the
  next boot keeper gets its memfd back, nonce and all;
- there, `lucompat report` says from the kernel's log that the live update
  handed over (from 7.3.4, the first kexec).

Skipped (exit 77) when the corpus or the cached root file system is absent:
`make e2e-systemd` builds the latter, then runs this. A missing QEMU fails."""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import gzip
from pathlib import Path

from lucompat_e2e import LUCOMPAT, main
from qemu_guest import QEMU, Cpio, shared_libraries

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
KERNELS = CORPUS / "real" / "systemd"
ASIS = KERNELS / "x86_64-bzImage-xz-7.3.4-systemd-asis"
MEMFD_V3 = KERNELS / "x86_64-bzImage-xz-7.3.4-systemd-memfd-v3"
ROOTFS = Path(os.environ.get("LUCOMPAT_SID_ROOTFS", "build/e2e-systemd/sid.tar"))
KEEPER_SRC = Path(__file__).parent / "systemd" / "keeper.c"

# The corpus README's command line, and each boot's number, which the units'
# ConditionKernelCommandLine= reads. KHO's default scratch size, scaled from
# what the kernel reserves early, cannot be reserved beside an initramfs
# this large ("KHO: Failed to reserve nid 0 scratch buffer", and LUO is then
# off): 256 MiB of global scratch holds the next kernel and its initramfs.
CMDLINE = ("console=ttyS0 liveupdate=on panic=-1 kho_scratch=16M,256M,64M "
           "rdinit=/usr/lib/systemd/systemd")
# The whole run (two boots, the archives built) takes 85 to 111 s under TCG
# here (ctest -R e2e.systemd); a hang guard for a loaded machine.
TIMEOUT = 900
# Neither boot needs these, and they are a third of the tree.
SKIPPED = ("usr/share/doc/", "usr/share/man/", "usr/share/locale/", "usr/share/info/",
           "var/lib/apt/lists/", "var/cache/apt/")

KEEPER_UNIT = """[Unit]
Description=lucompat e2e: a service that keeps its state in a memfd in its fd store
[Service]
Type=notify
NotifyAccess=main
FileDescriptorStoreMax=4
FileDescriptorStorePreserve=yes
ExecStart=/usr/local/bin/keeper "{text}"
StandardOutput=journal+console
[Install]
WantedBy=multi-user.target
"""

DRIVER_UNIT = """[Unit]
Description=lucompat e2e: boot {boot}
After=keeper.service
Requires=keeper.service
ConditionKernelCommandLine=e2e.boot={boot}
[Service]
Type=oneshot
TimeoutStartSec=infinity
ExecStart=/usr/local/bin/e2e-boot{boot}
[Install]
WantedBy=multi-user.target
"""

# Markers carry a nonce so that nothing else on the console can forge one,
# and every line of a command's output carries one: systemd's status lines
# share the console and may come between any two lines.
BOOT1 = """#!/bin/sh
exec >/dev/console 2>&1
M="@@lucompat-systemd {nonce}"
lucompat kexec --systemd --next-entry memfd-v3.conf -v >/tmp/v3 2>&1
rc=$?
sed "s/^/$M v3: /" /tmp/v3
echo "$M v3 end $rc loaded=$(cat /sys/kernel/kexec_loaded)"
# Not captured: systemctl kexec stops this unit before a capture is shown.
lucompat kexec --systemd --next-entry asis.conf -v 2>&1 | sed "s/^/$M asis: /"
echo "$M asis end"
# systemctl kexec is under way, or lucompat failed and the test will say
# so: in either case the guest ends (QEMU runs with -no-reboot).
sleep 60
systemctl reboot --force --force
"""

BOOT2 = """#!/bin/sh
exec >/dev/console 2>&1
# Kernel lines must not split the report's.
dmesg -n 1
M="@@lucompat-systemd {nonce}"
echo "$M boot2 $(cat /proc/cmdline)"
lucompat report >/tmp/report 2>&1
rc=$?
sed "s/^/$M report: /" /tmp/report
echo "$M report end $rc"
systemctl reboot --force --force
"""

ENTRY = """title {name}
version 7.3.4
linux /{name}
initrd /initrd.img
options {cmdline} e2e.boot=2
"""


def library_path(soname):
    """Where the host's dynamic loader finds `soname`."""
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(rf"\s*{re.escape(soname)} \(([^)]*)\) => (\S+)", line)
        if m and "x86-64" in m[1]:
            return m[2]
    raise RuntimeError(f"{soname} is not installed on the host")


def add_rootfs(cpio, tar_path):
    """The tarball's tree into `cpio`, modes, links and devices kept."""
    with tarfile.open(tar_path) as tar:
        for m in tar:
            name = m.name.removeprefix("./").strip("/")
            if not name or name.startswith(SKIPPED):
                continue
            if m.isdir():
                cpio.dir(name, m.mode)
            elif m.issym():
                cpio.symlink(name, m.linkname)
            elif m.ischr():
                cpio.chardev(name, m.devmajor, m.devminor)
            elif m.isfile() or m.islnk():  # a hard link's data is its target's
                cpio.file(name, tar.extractfile(m).read(), m.mode)


class SystemdGuest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="lucompat-systemd-"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def base_archive(self, nonce, text):
        cpio = Cpio()
        add_rootfs(cpio, ROOTFS)
        cpio.chardev("dev/console", 5, 1)
        # lucompat with the host's libraries and loader, beside sid's own:
        # libsystemd too, which lucompat opens when PID 1 is systemd.
        binary = self.dir / "lucompat"
        subprocess.run(["objcopy", "--strip-debug", LUCOMPAT, binary], check=True)
        cpio.file("opt/lucompat/bin/lucompat", binary.read_bytes(), 0o755)
        libs = set(shared_libraries(LUCOMPAT))
        systemd_lib = library_path("libsystemd.so.0")
        libs |= {systemd_lib, *shared_libraries(systemd_lib)}
        loader = None
        for lib in sorted(libs):
            base = os.path.basename(lib)
            cpio.file(f"opt/lucompat/lib/{base}", Path(lib).read_bytes(), 0o755)
            if base.startswith("ld-linux"):
                loader = base
        cpio.file("usr/local/bin/lucompat",
                  (f"#!/bin/sh\nexec /opt/lucompat/lib/{loader} --library-path /opt/lucompat/lib "
                   "/opt/lucompat/bin/lucompat \"$@\"\n").encode(), 0o755)
        keeper = self.dir / "keeper"
        subprocess.run(["cc", "-static", "-O2", "-Wall", "-Werror", "-o", keeper, KEEPER_SRC], check=True)
        cpio.file("usr/local/bin/keeper", keeper.read_bytes(), 0o755)
        units = {"keeper.service": KEEPER_UNIT.format(text=text),
                 "e2e-boot1.service": DRIVER_UNIT.format(boot=1),
                 "e2e-boot2.service": DRIVER_UNIT.format(boot=2)}
        for unit, body in units.items():
            cpio.file(f"etc/systemd/system/{unit}", body.encode())
            cpio.symlink(f"etc/systemd/system/multi-user.target.wants/{unit}",
                         f"/etc/systemd/system/{unit}")
        cpio.file("usr/local/bin/e2e-boot1", BOOT1.format(nonce=nonce).encode(), 0o755)
        cpio.file("usr/local/bin/e2e-boot2", BOOT2.format(nonce=nonce).encode(), 0o755)
        for name, kernel in (("asis", ASIS), ("memfd-v3", MEMFD_V3)):
            cpio.file(f"boot/{name}", kernel.read_bytes())
            cpio.file(f"boot/loader/entries/{name}.conf",
                      ENTRY.format(name=name, cmdline=CMDLINE).encode())
        return gzip.compress(cpio.bytes(), compresslevel=1, mtime=0)

    def test_live_update_through_systemctl_kexec(self):
        nonce = secrets.token_hex(8)
        text = f"lucompat-e2e {nonce}"
        base = self.base_archive(nonce, text)
        # The next boot's initrd is the same tree; the kernel unpacks
        # concatenated archives in turn, so boot 1 adds it as /boot/initrd.img.
        extra = Cpio()
        extra.file("boot/initrd.img", base)
        initrd = self.dir / "initrd.cpio.gz"
        initrd.write_bytes(base + gzip.compress(extra.bytes(), compresslevel=1, mtime=0))
        argv = [QEMU, "-machine", "q35", "-accel", "tcg", "-m", "3G", "-smp", "2", "-nodefaults",
                "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", str(ASIS),
                "-initrd", str(initrd), "-append", f"{CMDLINE} e2e.boot=1"]
        try:
            proc = subprocess.run(argv, capture_output=True, stdin=subprocess.DEVNULL,
                                  timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail(f"the guest did not finish in {TIMEOUT} s; console:\n"
                      f"{(e.stdout or b'').decode(errors='replace')}")
        console = proc.stdout.decode(errors="replace").replace("\r\n", "\n")
        # The whole console, for a failure's post-mortem (make e2e-systemd
        # keeps it in the build tree).
        if os.environ.get("LUCOMPAT_SYSTEMD_CONSOLE"):
            Path(os.environ["LUCOMPAT_SYSTEMD_CONSOLE"]).write_text(console)
        marker = f"@@lucompat-systemd {nonce} "

        def section(name):
            """A command's output, its lines in order, and its end line."""
            lines = re.findall(rf"{marker}{name}: (.*)", console)
            end = re.search(rf"{marker}{name} end (.*)", console)
            self.assertIsNotNone(end, f"no end of {name}; console:\n{console}")
            return "\n".join(lines), end[1]

        def output(name):
            return "\n".join(re.findall(rf"{marker}{name}: (.*)", console))

        self.assertIn("keeper: stored", console)
        # memfd-v3: refused, before anything is loaded or systemd is asked to kexec.
        out, end = section("v3")
        self.assertEqual(end.strip(), "1 loaded=0", out)
        self.assertIn("systemd unit keeper.service fd 'state' (memfd)", out)
        self.assertIn("nothing was loaded", out)
        self.assertNotIn("running systemctl kexec", out)
        # asis: loaded, then systemctl kexec; systemd-shutdown preserves the
        # store and the next boot hands keeper its memfd back.
        self.assertIn("running systemctl kexec", output("asis"))
        self.assertIn("Preserved fd stores in LUO session 'systemd' for kexec", console)
        boot2 = re.search(rf"{marker}boot2 (.*)", console)
        self.assertIsNotNone(boot2, f"boot 2 never came; console:\n{console}")
        self.assertIn("e2e.boot=2", boot2[1])
        self.assertIn(f"keeper: restored: {text}", console)
        # On the new kernel, lucompat report says what the update did, from
        # the kernel's log.
        out, end = section("report")
        self.assertEqual(end.strip(), "0", out)
        outcome = json.loads(out)["live_update"]
        self.assertEqual(outcome["result"], "handed_over", outcome)
        self.assertEqual(outcome["previous_release"], "7.3.4")
        self.assertEqual(outcome["kexec_count"], 1)
        self.assertTrue(any("Retrieved live update data" in e for e in outcome["evidence"]))


if __name__ == "__main__":
    for need, what in ((ASIS, "the corpus' systemd kernels"), (ROOTFS, "the sid root file system "
                                                                       "(make e2e-systemd)")):
        if not need.exists():
            print(f"skipped: {need} is absent: {what}", file=sys.stderr)
            sys.exit(77)
    main()
