"""lucompat kexec on this host: every path that must load nothing. The load
itself, and the reboot into the loaded kernel, are proven under QEMU
(qemu_test.py): a host test must never load a kernel."""

import os
import subprocess
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, INCOMPATIBLE, OK, UNDECIDABLE, USAGE, TempDirTest,
                          deb, lucompat, main)

X86 = EXAMPLES / "x86_64"
LOADED = Path("/sys/kernel/kexec_loaded")


def loaded():
    return LOADED.read_text().strip() if LOADED.exists() else None


class Kexec(TempDirTest):
    def setUp(self):
        self.before = loaded()

    def tearDown(self):
        self.assertEqual(loaded(), self.before)

    def test_help_loads_nothing(self):
        r = lucompat("kexec", "--next", X86 / "kernel.elf", "--help")
        self.assertEqual(r.rc, OK, r)
        self.assertIn("kexec_file_load", r.out)

    def test_refused_verdicts_load_nothing(self):
        stripped = self.dir / "notable.elf"
        subprocess.run(["objcopy", "--strip-all", X86 / "notable.elf", stripped], check=True)
        for nxt, rc in ((X86 / "kernel-break.elf", INCOMPATIBLE), (X86 / "notable.elf", INCOMPATIBLE),
                        (stripped, UNDECIDABLE)):
            with self.subTest(next=nxt.name):
                # With LUO on in the next command line, so the kernels decide.
                r = lucompat("kexec", "--no-modules", "--current", X86 / "kernel.elf", "--next", nxt,
                             "--append", "liveupdate=on", "--exec")
                self.assertEqual(r.rc, rc, r)
                self.assertIn("nothing was loaded", r.err)
                # The report names the path given, not the descriptor checked.
                self.assertIn(f"next     6.99.0-lucompat {nxt}", r.out)

    def test_a_command_line_without_liveupdate_on_loads_nothing(self):
        """A 6.19+ kernel (the examples' 6.99) restores nothing without
        liveupdate=on: kexec checks the line it would load."""
        stripped = self.dir / "notable-no-cmdline.elf"
        subprocess.run(["objcopy", "--strip-all", X86 / "notable.elf", stripped], check=True)
        for append in ([], ["--append", "console=ttyS0 liveupdate=off"]):
            with self.subTest(append=append):
                r = lucompat("kexec", "--no-modules", "--current", X86 / "kernel.elf", "--next",
                             stripped, *append, "--exec")
                self.assertEqual(r.rc, INCOMPATIBLE, r)
                self.assertIn("LUO is off there, so nothing is restored", r.out)
                self.assertIn("nothing was loaded", r.err)

    def test_systemd_runs_no_systemctl_unless_loaded(self):
        """kexec --systemd runs systemctl kexec only after a load: on a refused
        verdict, a usage error or an unreadable boot entry it never does. A
        systemctl on PATH records whether it ran (the real one would reboot)."""
        bindir = self.dir / "bin"
        bindir.mkdir()
        ran = self.dir / "systemctl-ran"
        (bindir / "systemctl").write_text(f"#!/bin/sh\necho \"$@\" >> {ran}\n")
        (bindir / "systemctl").chmod(0o755)
        env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
        r = lucompat("kexec", "--systemd", "--no-modules", "--current", X86 / "kernel.elf",
                     "--next", X86 / "kernel-break.elf", "--append", "liveupdate=on", env=env)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertIn("nothing was loaded", r.err)
        r = lucompat("kexec", "--systemd", "--exec", "--next", X86 / "kernel.elf", env=env)
        self.assertEqual(r.rc, USAGE, r)
        r = lucompat("kexec", "--gate", "--systemd", "--next", X86 / "kernel.elf", env=env)
        self.assertEqual(r.rc, USAGE, r)
        self.assertIn("--systemd is not for the gate", r.err)
        # No --next: the default boot entry, as systemctl kexec would load;
        # this root has none.
        r = lucompat("kexec", "--systemd", "--root", self.dir, "--no-modules", "--current",
                     X86 / "kernel.elf", env=env)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("boot", r.err)
        self.assertFalse(ran.exists(), ran.read_text() if ran.exists() else "")

    def test_usage_and_bad_input_load_nothing(self):
        r = lucompat("kexec", "--next", X86 / "kernel.elf", "--append", "x", "--reuse-cmdline")
        self.assertEqual(r.rc, USAGE, r)
        r = lucompat("kexec", "--no-modules", "--next", self.dir / "missing")
        self.assertEqual(r.rc, BAD_INPUT, r)
        pkg = deb({"boot/vmlinuz-6.99.0-lucompat": (X86 / "kernel.elf").read_bytes()}, self.dir / "k.deb")
        r = lucompat("kexec", "--no-modules", "--current", X86 / "kernel.elf", "--next", pkg)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("is a package", r.err)


if __name__ == "__main__":
    main()
