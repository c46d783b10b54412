"""The installed tree works for a C program: `cmake --install` into a fresh
prefix, the example built against it through pkg-config and through
find_package(lucompat), run, and the shared library exporting the C API only."""

import glob
import os
import subprocess
import unittest
from pathlib import Path

from lucompat_e2e import EXAMPLES, TempDirTest, main

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("LUCOMPAT_BUILD_DIR", ROOT / "build"))
X86 = EXAMPLES / "x86_64"


def run(*cmd, **kw):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


class Installed(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prefix = cls.dir / "prefix"
        r = run("cmake", "--install", BUILD, "--prefix", cls.prefix)
        assert r.returncode == 0, r.stderr
        cls.libdir = Path(glob.glob(str(cls.prefix / "lib*" / "**" / "liblucompat.so.0"), recursive=True)[0]).parent
        cls.env = dict(os.environ, LD_LIBRARY_PATH=str(cls.libdir),
                       PKG_CONFIG_PATH=str(cls.libdir / "pkgconfig"))

    def check_example(self, exe):
        r = run(exe, "inspect", X86 / "kernel.elf", env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ELF64 LSB x86-64 executable, release 6.99.0-lucompat", r.stdout)
        self.assertIn("  kvm_vm_luo_v1\n", r.stdout)
        r = run(exe, "check", X86 / "kernel-old.elf", X86 / "kernel.elf", "memfd", env=self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("compatible: the next kernel restores all 2 families in use", r.stdout)
        r = run(exe, "check", X86 / "kernel.elf", X86 / "kernel-break.elf", env=self.env)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("luo: the running kernel writes luo-v1 but the next kernel reads only luo-v2", r.stdout)
        self.assertIn("the next kernel would panic on boot (LUO state is incompatible) [not_read]",
                      r.stdout)
        r = run(exe, "inspect", self.dir / "missing", env=self.env)
        self.assertEqual(r.returncode, 3)
        self.assertIn("no such file", r.stderr)

    def test_installed_files(self):
        for f in ("bin/lucompat", "bin/lucompat-kexec-gate", "include/lucompat/lucompat.h",
                  "include/lucompat/liveupdate_versions.h", "share/lucompat/catalog.toml",
                  "share/man/man1/lucompat.1", "share/man/man5/lucompat-catalog.5",
                  "share/man/man5/lucompat-profiles.5", "share/bash-completion/completions/lucompat",
                  "share/zsh/vendor-completions/_lucompat", "share/fish/vendor_completions.d/lucompat.fish", "lib/kernel/install.d/90-lucompat.install", "lib/systemd/system/lucompat-report.timer",
                  "share/doc/lucompat/check.md"):
            self.assertTrue((self.prefix / f).exists(), f)
        self.assertTrue((self.libdir / "liblucompat.a").exists())
        self.assertTrue((self.libdir / "cmake" / "lucompat" / "lucompatConfig.cmake").exists())

    def test_systemd_unit_runs_the_installed_binary(self):
        service = (self.prefix / "lib/systemd/system/lucompat-report.service").read_text()
        self.assertIn(f"exec {self.prefix}/bin/lucompat report", service)
        self.assertNotIn("@", service.replace("lucompat@", ""))

    def test_only_the_c_api_is_exported(self):
        r = run("nm", "-D", "--defined-only", self.libdir / "liblucompat.so.0")
        symbols = [line.split()[-1].split("@")[0] for line in r.stdout.splitlines()]
        self.assertIn("lucompat_check", symbols)
        self.assertEqual([s for s in symbols if not s.startswith("lucompat_") and s != "LUCOMPAT_0"], [])
        r = run("readelf", "-d", self.libdir / "liblucompat.so.0")
        self.assertIn("Library soname: [liblucompat.so.0]", r.stdout)

    def test_example_through_pkg_config(self):
        flags = run("pkg-config", "--cflags", "--libs", "lucompat", env=self.env)
        self.assertEqual(flags.returncode, 0, flags.stderr)
        exe = self.dir / "example-pkgconfig"
        r = run("cc", "-Wall", "-Werror", ROOT / "examples/c-api/lucompat_example.c", *flags.stdout.split(),
                "-o", exe, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.check_example(exe)

    def test_pkg_config_needs_only_lucompats_own_file(self):
        # As on a machine with only liblucompat-dev: no other .pc is found.
        env = dict(self.env, PKG_CONFIG_LIBDIR=str(self.libdir / "pkgconfig"))
        env.pop("PKG_CONFIG_PATH", None)
        for args in (["--cflags", "--libs"], ["--static", "--libs"]):
            r = run("pkg-config", *args, "lucompat", env=env)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("-llucompat", r.stdout)
            self.assertNotIn("lzo", r.stdout.replace("-llzo2", ""))
            self.assertNotIn("TOML", r.stdout)

    def test_example_through_find_package(self):
        b = self.dir / "example-cmake"
        r = run("cmake", "-S", ROOT / "examples/c-api", "-B", b, f"-DCMAKE_PREFIX_PATH={self.prefix}", env=self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run("cmake", "--build", b, env=self.env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.check_example(b / "lucompat_example")


if __name__ == "__main__":
    main()
