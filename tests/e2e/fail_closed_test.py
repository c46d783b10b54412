"""Fail closed: inputs that once made lucompat say "compatible" without proof,
or crash, built here the way an attacker or an unlucky operator would meet
them. Each test failed before its fix (issue 15)."""

import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, INCOMPATIBLE, OK, USAGE, TempDirTest, ar_archive,
                          compress, lucompat, main)

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
X86 = EXAMPLES / "x86_64"
BANNER = b"Linux version 6.99.1-failclosed (t@example) #1 SMP\n\0"


def table(order, names):
    return struct.pack(order + "II", 0x4C565550, 1) + b"".join(
        n.encode().ljust(48, b"\0") for n in names)


def raw_kernel(*tables):
    """A raw image: filler, a banner, then each table followed by the zero
    padding the linker leaves at the end of read-only data."""
    out = b"\x11" * 1000 + BANNER + bytes(100)
    for t in tables:
        out += t + bytes(4096)
    return out


def tar_bytes(members: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class FailOpen(TempDirTest):
    def write(self, name, data):
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def check(self, *args):
        return lucompat("check", "--no-modules", *args)

    def test_damaged_entry_of_a_scanned_table_is_an_error(self):
        good = self.write("good.bin", raw_kernel(table("<", ["luo-v1", "memfd-v1", "memfd-v2"])))
        data = bytearray(good.read_bytes())
        at = data.index(b"memfd-v2")
        data[at + 3] = 0x01
        bad = self.write("bad.bin", bytes(data))
        self.assertEqual(lucompat("inspect", good).rc, OK)
        r = lucompat("inspect", bad)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("entry 3: non-printable byte 0x01", r.err)
        self.assertEqual(r.err.count("\n"), 1, r)

    def test_damaged_corpus_image_is_not_compatible(self):
        src = CORPUS / "arm64-Image-T_NEW"
        if not src.is_file():
            self.skipTest("no corpus")
        data = bytearray(src.read_bytes())
        start = data.index(struct.pack("<II", 0x4C565550, 1))
        data[start + 8 + 2 * 48] = 0x01  # the first byte of entry 3
        bad = self.write("arm64-Image-T_NEW-damaged", bytes(data))
        old = CORPUS / "arm64-zboot-gzip-T_OLD.efi"
        self.assertEqual(self.check("--current", src, "--next", old).rc, INCOMPATIBLE)
        r = self.check("--current", bad, "--next", old)
        self.assertEqual(r.rc, BAD_INPUT, r)

    def test_table_in_both_byte_orders_is_an_error(self):
        names = ["luo-v1", "memfd-v1"]
        both = self.write("both.bin", raw_kernel(table("<", names), table(">", names)))
        r = lucompat("inspect", both)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("both byte orders", r.err)
        one = self.write("one.bin", raw_kernel(table(">", names)))
        self.assertEqual(lucompat("inspect", one).rc, OK)

    def test_two_different_pins_for_one_family_are_a_usage_error(self):
        for pins in (("memfd=memfd-v1", "memfd=memfd-v2"), ("memfd=memfd-v2", "memfd=memfd-v1")):
            args = [a for p in pins for a in ("--emit", p)]
            r = self.check("--current", X86 / "kernel.elf", "--next", X86 / "kernel.elf", *args)
            self.assertEqual(r.rc, USAGE, r)
            self.assertIn("two different pins for the family memfd", r.err)
        same = ["--emit", "memfd=memfd-v1", "--emit", "memfd=memfd-v1"]
        r = self.check("--current", X86 / "kernel.elf", "--next", X86 / "kernel.elf", *same)
        self.assertEqual(r.rc, OK, r)

    def test_overlong_catalog_pattern_is_refused_not_a_crash(self):
        cat = self.dir / "long.toml"
        cat.write_text('[[family]]\nname = "x"\ncompatible = ["x-v{N}"]\nfd = ["' + "*" * 200000 + '"]\n')
        r = self.check("--current", X86 / "kernel.elf", "--next", X86 / "kernel.elf",
                       "--catalog", cat, "--pid", os.getpid())
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("long.toml:4:7: a string of 200000 bytes", r.err)


class Flags(TempDirTest):
    def test_negative_or_empty_values_are_usage_errors(self):
        kernel = X86 / "kernel.elf"
        for args in (["inspect", "--max-members", "-5", kernel],
                     ["inspect", "--max-output", "-1", kernel],
                     ["inspect", "--max-file-size", "-1", kernel],
                     ["inspect", "--max-file-size", "-1MiB", kernel],
                     ["check", "--next", kernel, "--pid", ""],
                     ["check", "--next", kernel, "--pid", "0"],
                     ["check", "--next", kernel, "--pid", "-1"],
                     ["check", "--next", kernel, "--pid", "12 x"],
                     ["check", "--next", kernel, "--pid", "99999999999"],
                     ["check", "--next", kernel, "--process", ""]):
            with self.subTest(args=args):
                r = lucompat(*args)
                self.assertEqual(r.rc, USAGE, r)
                self.assertEqual(r.out, "")
        self.assertEqual(lucompat("inspect", "--max-output", "64MiB", "--max-members", "5", kernel).rc, OK)


class TerminalSafety(TempDirTest):
    FORGED = "\x1b[2J\ncompatible: forged\r\x9b"

    def assert_clean(self, text):
        self.assertNotIn("\x1b", text)
        self.assertNotIn("\r", text)
        self.assertFalse(any(line.startswith("compatible: forged") for line in text.splitlines()), text)

    def test_file_names_and_errors_cannot_forge_lines(self):
        name = self.dir / ("k" + self.FORGED)
        shutil.copy(X86 / "kernel.elf", name)
        r = lucompat("inspect", name)
        self.assertEqual(r.rc, OK, r)
        self.assert_clean(r.out)
        self.assertIn("\\x1b[2J\\ncompatible: forged", r.out)
        r = lucompat("inspect", str(name) + "-missing")
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assert_clean(r.err)
        self.assertEqual(r.err.count("\n"), 1, r.err)

    def test_memfd_names_in_check_cannot_forge_lines(self):
        child = subprocess.Popen([sys.executable, "-c",
                                  "import os, sys, time\n"
                                  f"m = os.memfd_create({self.FORGED!r})\n"
                                  "print('ready', flush=True)\ntime.sleep(60)\n"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(child.stdout.readline().strip(), "ready")
            r = lucompat("check", "--no-modules", "--current", X86 / "kernel.elf",
                         "--next", X86 / "kernel.elf", "--pid", child.pid)
            self.assertEqual(r.rc, OK, r)
            self.assert_clean(r.out)
        finally:
            child.kill()
            child.wait()
            child.stdout.close()


class DerivationMemory(TempDirTest):
    def test_a_kernel_bomb_without_a_table_is_not_read_whole(self):
        # A kernel with no table is read whole a second time to search its
        # kallsyms; 600 MiB of zeros behind a real ELF must not be.
        import os as _os
        # Without a symbol table, as a bzImage's payload is.
        stripped = self.dir / "notable.stripped"
        subprocess.run(["llvm-objcopy", "--strip-all", str(X86 / "notable.elf"), str(stripped)], check=True)
        elf = stripped.read_bytes()
        raw = self.dir / "bomb.elf"
        with raw.open("wb") as f:
            f.write(elf)
            f.truncate(len(elf) + (600 << 20))
        subprocess.run(["zstd", "-q", "-1", "-f", str(raw), "-o", str(raw) + ".zst"], check=True)
        raw.unlink()
        binary = _os.environ.get("LUCOMPAT", "build/lucompat")
        pid = _os.fork()
        if pid == 0:
            devnull = _os.open(_os.devnull, _os.O_WRONLY)
            _os.dup2(devnull, 1)
            _os.dup2(devnull, 2)
            _os.execv(binary, [binary, "inspect", str(raw) + ".zst"])
        _, status, usage = _os.wait4(pid, 0)
        self.assertEqual(_os.waitstatus_to_exitcode(status), 4)
        if "ASAN_OPTIONS" not in _os.environ:  # the sanitizers' own memory
            self.assertLess(usage.ru_maxrss, 256 * 1024)


class Secrets(TempDirTest):
    def test_a_store_password_is_never_printed(self):
        # libpq decodes "pass%77ord" to its password: masked by what libpq
        # parses, not by how the key is spelled.
        for url in ("postgresql://fleet:s3cret@127.0.0.1:1/fleet",
                    "postgresql://fleet@127.0.0.1:1/fleet?password=s3cret&connect_timeout=2",
                    "postgresql://fleet@127.0.0.1:1/fleet?pass%77ord=s3cret&connect_timeout=2",
                    "postgresql://fleet@127.0.0.1:1/fleet?%70assword=%73%33cret&connect_timeout=2"):
            with self.subTest(url=url):
                r = lucompat("fleet", "status", "--store", url)
                self.assertEqual(r.rc, BAD_INPUT, r)
                self.assertNotIn("s3cret", r.err + r.out)
                self.assertNotIn("%73%33cret", r.err + r.out)
                self.assertIn("***", r.err)
                self.assertEqual(r.err.count("\n"), 1, r.err)


class ModulePaths(TempDirTest):
    def tree(self, name, files):
        root = self.dir / name
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        return root

    def test_module_name_must_hold_a_module(self):
        module = (X86 / "module.ko").read_bytes()
        raw = b"\x00" * 64 + b"just bytes, no ELF" * 100
        for label, content in (("raw.ko.xz", compress("xz", raw)), ("kernel.ko", (X86 / "kernel.elf").read_bytes())):
            with self.subTest(label):
                root = self.tree("t-" + label, {"kernel/ok.ko": module, "kernel/" + label: content})
                r = lucompat("check", "--current", X86 / "kernel.elf", "--next", X86 / "kernel.elf",
                             "--current-modules", root, "--next-modules", root)
                self.assertEqual(r.rc, BAD_INPUT, r)
                self.assertIn("expected a kernel module", r.err)

    def test_unreadable_directory_in_a_tree_is_an_error(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to run lucompat as another user")
        root = self.tree("perm", {"kernel/a/ok.ko": (X86 / "module.ko").read_bytes(),
                                  "kernel/b/hidden.ko": (X86 / "module.ko").read_bytes()})
        for p in [self.dir, *root.rglob("*"), root]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(root / "kernel" / "b", 0o700)
        binary = Path(os.environ.get("LUCOMPAT", "build/lucompat")).resolve()
        r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            str(binary), "inspect", str(root)],
                           capture_output=True, text=True, timeout=60)
        if "error while loading shared libraries" in r.stderr or "Permission denied" in r.stderr and r.returncode == 126:
            self.skipTest("the build tree is not readable by nobody")
        self.assertEqual(r.returncode, BAD_INPUT, r.stderr + r.stdout)
        self.assertIn("kernel/b: cannot read the directory", r.stderr)

    def test_release_must_be_one_path_component(self):
        # /usr/lib/modules/RELEASE/vmlinuz with RELEASE = ../../../outside
        # would leave the root for a kernel planted beside it.
        root = self.dir / "root"
        (root / "proc/sys/kernel").mkdir(parents=True)
        planted = self.dir / "outside" / "vmlinuz"
        planted.parent.mkdir()
        shutil.copy(X86 / "kernel.elf", planted)
        banner = lucompat("inspect", "--json", planted).one()["identity"]["banner"]
        (root / "proc/sys/kernel/osrelease").write_text("../../../outside\n")
        (root / "proc/version").write_text(banner + "\n")
        r = lucompat("check", "--no-modules", "--root", root, "--next", X86 / "kernel.elf")
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("is not a single path component", r.err)


class Packages(TempDirTest):
    def test_huge_member_names_do_not_crash(self):
        module = (X86 / "module.ko").read_bytes()
        data = tar_bytes({"lib/modules/6.99/" + "a" * 30000 + ".ko": module,
                          "boot/vmlinuz-" + "b" * 30000: (X86 / "kernel.elf").read_bytes()})
        control = tar_bytes({"control": b"Package: x\nVersion: 1\n"})
        pkg = self.dir / "long.deb"
        pkg.write_bytes(ar_archive({"debian-binary": b"2.0\n", "control.tar": control,
                                    "data.tar": data}))
        r = lucompat("inspect", "--json", pkg)
        self.assertIn(r.rc, (OK, BAD_INPUT), r)
        self.assertGreater(len(r.out), 0, r)
        self.assertNotIn("Segmentation", r.err)
        r = lucompat("check", "--no-modules", "--current", X86 / "kernel.elf", "--next", pkg)
        self.assertIn(r.rc, (OK, INCOMPATIBLE, BAD_INPUT, 4), r)


if __name__ == "__main__":
    main()
