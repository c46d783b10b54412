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
X86 = EXAMPLES / "x86_64"


class KernelInstall(TempDirTest):
    def add(self, image, lucompat=LUCOMPAT, name="run"):
        work = self.dir / name
        (work / "boot").mkdir(parents=True)
        (work / "etc-kernel").mkdir()
        (work / "etc-kernel" / "cmdline").write_text("console=ttyS0 liveupdate=on\n")
        env = dict(os.environ, KERNEL_INSTALL_PLUGINS=str(PLUGIN), BOOT_ROOT=str(work / "boot"),
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
