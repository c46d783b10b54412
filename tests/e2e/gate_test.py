"""The pre-kexec gate: `lucompat kexec` checks and loads, and luoctl is called
only when that loaded a kernel; otherwise the kexec is refused with the
reasons and lucompat's exit code. A stand-in luoctl records its calls. A
load that succeeds needs a kernel to load into: tests/e2e/qemu_test.py runs
the gate's compatible path in a booted guest, where it boots the next kernel."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from lucompat_e2e import EXAMPLES, LUCOMPAT, TempDirTest, main

ROOT = Path(__file__).resolve().parents[2]
GATE = ROOT / "contrib" / "gate" / "lucompat-kexec-gate"
X86 = EXAMPLES / "x86_64"


class Gate(TempDirTest):
    def setUp(self):
        self.calls = self.dir / f"calls-{self._testMethodName}"
        luoctl = self.dir / "luoctl"
        luoctl.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{self.calls}"\nexit 0\n')
        luoctl.chmod(0o755)
        self.env = dict(os.environ, LUCOMPAT=str(Path(LUCOMPAT).resolve()), LUOCTL=str(luoctl))

    def gate(self, *args):
        return subprocess.run([str(GATE), *map(str, args)], capture_output=True, text=True, env=self.env)

    def called(self):
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def test_a_load_the_kernel_refuses_never_reaches_luoctl(self):
        # Compatible, but kexec_file_load needs CAP_SYS_BOOT, which nobody
        # lacks: lucompat says why and luoctl is never called.
        cmd = [str(GATE), "--no-modules", "--current", str(X86 / "kernel-old.elf"), "--next",
               str(X86 / "kernel.elf"), "--", "--reboot"]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, env=self.env)
        if "Permission denied" in r.stderr and "kexec_file_load" not in r.stderr:
            self.skipTest("the build tree is not readable by nobody")
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("compatible: the next kernel restores all 2 families in use", r.stdout)
        # EPERM where kexec exists, ENOSYS in a container that filters it.
        self.assertIn("kexec_file_load refused the kernel: ", r.stderr)
        self.assertIn("kexec refused: lucompat kexec exited 3", r.stderr)
        self.assertEqual(self.called(), [])

    def test_incompatible_update_is_refused_with_reasons(self):
        r = self.gate("--no-modules", "--current", X86 / "kernel.elf", "--next", X86 / "kernel-break.elf")
        self.assertEqual(r.returncode, 1)
        self.assertIn("the next kernel would panic on boot", r.stdout)
        self.assertIn("nothing was loaded", r.stderr)
        self.assertIn("kexec refused: lucompat kexec exited 1", r.stderr)
        self.assertEqual(self.called(), [])

    def test_undecided_and_unreadable_are_refused_too(self):
        # A next kernel without LUO restores nothing: refused as incompatible.
        r = self.gate("--no-modules", "--current", X86 / "kernel.elf", "--next", X86 / "notable.elf")
        self.assertEqual(r.returncode, 1)
        # Without its symbols nothing about it can be proven: undecided.
        stripped = self.dir / "notable-stripped.elf"
        subprocess.run(["objcopy", "--strip-all", X86 / "notable.elf", stripped], check=True)
        r = self.gate("--no-modules", "--current", X86 / "kernel.elf", "--next", stripped,
                      "--append", "liveupdate=on")
        self.assertEqual(r.returncode, 4)
        r = self.gate("--no-modules", "--current", X86 / "kernel.elf", "--next", self.dir / "missing")
        self.assertEqual(r.returncode, 3)
        self.assertEqual(self.called(), [])

    def test_help_and_version_never_kexec(self):
        for args in (["--next", X86 / "kernel.elf", "--help"], ["-h"], ["--next", X86 / "kernel.elf", "--version"],
                     ["--help", "--", "--reboot"]):
            with self.subTest(args=args):
                r = self.gate(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(self.called(), [])
        self.assertIn("Usage: lucompat-kexec-gate --next IMAGE", self.gate("--help").stdout)
        for flag in ("--json", "--exec"):
            r = self.gate("--no-modules", "--current", X86 / "kernel-old.elf", "--next", X86 / "kernel.elf", flag)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(f"{flag} is not for the gate", r.stderr)
        self.assertEqual(self.called(), [])

    def test_what_lucompat_reads_as_help_exec_or_json_is_refused_in_any_spelling(self):
        # The gate caught only the literal --exec, -h and --help: --help=1
        # reached lucompat, printed its help and exited 0 (a load, if a
        # kernel was loaded before), and --exec=true was taken as --exec.
        # lucompat kexec --gate parses the arguments with lucompat's own
        # parser and refuses these, however they are spelled.
        update = ["--no-modules", "--current", X86 / "kernel-old.elf", "--next", X86 / "kernel.elf"]
        for flag in ("--help=1", "--help=true", "--exec=true", "--exec=1", "--exec=false", "--json=1",
                     "--json=true"):
            with self.subTest(flag=flag):
                r = self.gate(*update, flag)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn(f"{flag.split('=')[0]} is not for the gate", r.stderr)
                self.assertNotIn("Usage:", r.stdout)
                self.assertEqual(self.called(), [])
        # The same parser, run by hand: exit 0 under --gate is a load only.
        r = subprocess.run([LUCOMPAT, "kexec", "--gate", *map(str, update), "--help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stdout)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)

    def test_next_is_required(self):
        r = self.gate("--profile", "2026.06")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--next PATH or --next-entry ID|default is required", r.stderr)
        self.assertEqual(self.called(), [])

    def test_systemd_units_verify(self):
        if shutil.which("systemd-analyze") is None:
            self.skipTest("systemd-analyze is not installed")
        unit_dir = Path(tempfile.mkdtemp(prefix="lucompat-units-"))
        self.addCleanup(shutil.rmtree, unit_dir)
        service = (ROOT / "contrib/systemd/lucompat-report.service.in").read_text()
        (unit_dir / "lucompat-report.service").write_text(
            service.replace("@bindir@", "/usr/bin").replace("@docdir@", "/usr/share/doc/lucompat"))
        shutil.copy(ROOT / "contrib/systemd/lucompat-report.timer", unit_dir)
        units = [str(unit_dir / u) for u in ("lucompat-report.service", "lucompat-report.timer")]
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], capture_output=True, text=True)
        self.assertEqual(verify.returncode, 0, verify.stderr)
        self.assertEqual(verify.stderr, "")


if __name__ == "__main__":
    main()
