"""contrib/kernel-install/90-lucompat.install run by Debian's own
kernel-install: every kernel added is checked against the running one, the
verdict printed and recorded under the entry's id, and the installation
never fails. Skipped (exit 77) without kernel-install."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lucompat_e2e import EXAMPLES, LUCOMPAT, TempDirTest, main

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "contrib" / "kernel-install" / "90-lucompat.install"
MACHINE_ID = "0123456789abcdef0123456789abcdef"
LOADER_ENTRY = Path("/usr/lib/kernel/install.d/90-loaderentry.install")
X86 = EXAMPLES / "x86_64"


class KernelInstall(TempDirTest):
    def add(self, image, lucompat=LUCOMPAT, name="run", entry=False):
        """entry: run systemd's own 90-loaderentry.install first, which
        writes the type 1 boot entry (the bls layout, for loader/entries)."""
        work = self.dir / name
        (work / "boot").mkdir(parents=True)
        plugins = str(PLUGIN)
        if entry:
            (work / "boot" / "loader" / "entries").mkdir(parents=True)
            (work / "boot" / MACHINE_ID).mkdir()  # the entry token's directory
            plugins = f"{LOADER_ENTRY} {PLUGIN}"
        (work / "etc-kernel").mkdir()
        (work / "etc-kernel" / "cmdline").write_text("console=ttyS0 liveupdate=on\n")
        env = dict(os.environ, KERNEL_INSTALL_PLUGINS=plugins, BOOT_ROOT=str(work / "boot"),
                   MACHINE_ID=MACHINE_ID, KERNEL_INSTALL_CONF_ROOT=str(work / "etc-kernel"),
                   LUCOMPAT=str(Path(lucompat).resolve()), LUCOMPAT_STATE_DIR=str(work / "state"),
                   LUCOMPAT_KERNEL_INSTALL_ARGS=f"--current {(X86 / 'kernel.elf').resolve()} --no-modules")
        r = subprocess.run(["kernel-install", "add", "6.99.0-lucompat", str(image.resolve())],
                           env=env, capture_output=True, text=True, timeout=120)
        return r, work / "state" / "kernel-install" / f"{MACHINE_ID}-6.99.0-lucompat.json"

    def test_a_kernel_added_is_checked_and_recorded(self):
        r, record = self.add(X86 / "kernel-break.elf")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"live update into 6.99.0-lucompat (entry {MACHINE_ID}-6.99.0-lucompat), exit 1: "
                      "INCOMPATIBLE: luo: the next kernel would panic on boot", r.stdout)
        doc = json.loads(record.read_text())
        self.assertEqual((doc["schema"], doc["verdict"]), ("lucompat.check/2", "incompatible"))
        self.assertFalse(record.with_suffix(".err").exists())

    def test_report_shows_the_recorded_verdict_of_the_default_entry(self):
        """The entry kernel-install wrote is the default one: lucompat report
        on that root (running the kernel the check was made against) shows
        the plugin's record of it."""
        r, record = self.add(X86 / "kernel-break.elf", name="report", entry=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        work = record.parents[2]
        banner = json.loads(record.read_text())["current"]["banner"]
        (work / "proc").mkdir()
        (work / "proc" / "version").write_text(banner + "\n")
        (work / "proc" / "sys" / "kernel").mkdir(parents=True)
        (work / "proc" / "sys" / "kernel" / "osrelease").write_text("6.99.0-lucompat\n")
        shutil.copy(X86 / "kernel.elf", work / "boot" / "vmlinuz-6.99.0-lucompat")
        report = subprocess.run([LUCOMPAT, "report", "--root", work, "--no-modules"],
                                env=dict(os.environ, LUCOMPAT_STATE_DIR="/state"),
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(report.returncode, 0, report.stderr)
        shown = json.loads(report.stdout)["installed_check"]
        self.assertEqual(shown["entry"], f"{MACHINE_ID}-6.99.0-lucompat.conf")
        self.assertEqual((shown["verdict"], shown["exit_code"]), ("incompatible", 1))
        self.assertTrue(shown["summary"].startswith("INCOMPATIBLE: luo: the next kernel would panic"))
        self.assertTrue(shown["against_running"])

    def test_a_failing_check_never_fails_the_installation(self):
        r, record = self.add(X86 / "kernel.elf", lucompat="/bin/false", name="false")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("exit 1", r.stdout)
        garbage = self.dir / "garbage-image"
        garbage.write_bytes(b"not a kernel" * 100)
        r, record = self.add(garbage, name="garbage")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("exit 3", r.stdout)
        self.assertEqual(json.loads(record.read_text())["verdict"], "error")


if __name__ == "__main__":
    if not shutil.which("kernel-install"):
        print("skipped: no kernel-install", file=sys.stderr)
        sys.exit(77)
    main()
