"""Kernel packages, made with the real tools (dpkg-deb, rpmbuild), are read
without unpacking: the kernel image and the modules inside are inspected from
memory."""

import io
import os
import pty
import subprocess
import tarfile

from lucompat_e2e import (BAD_INPUT, EXAMPLES, LUCOMPAT, OK, TempDirTest, ar_archive, bzimage,
                          compress, deb, entries, lucompat, main, rpm, table_def)

RELEASE = "6.99.0-lucompat"


def on_a_terminal(*args, env=None):
    """What lucompat writes to stderr when stderr is a terminal."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([LUCOMPAT, *map(str, args)], stdout=subprocess.DEVNULL,
                              stderr=follower, stdin=subprocess.DEVNULL, env=env, timeout=60)
        os.close(follower)
        follower = -1
        out = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert proc.returncode == OK, proc
    return out.decode()


class Packages(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kernel = (EXAMPLES / "x86_64" / "kernel.elf").read_bytes()
        module = (EXAMPLES / "x86_64" / "module.ko").read_bytes()
        cls.files = {
            f"boot/vmlinuz-{RELEASE}": bzimage(compress("xz", kernel, trailer=True)),
            f"lib/modules/{RELEASE}/kernel/drivers/vfio/vfio-pci.ko": module,
            f"lib/modules/{RELEASE}/kernel/drivers/iommu/iommufd.ko.xz": compress("xz", module),
            f"lib/modules/{RELEASE}/kernel/drivers/misc/plain.ko":
                (EXAMPLES / "x86_64" / "notable.o").read_bytes(),
            f"lib/modules/{RELEASE}/modules.dep": b"",
            "usr/share/doc/linux-image/changelog": b"not a kernel\n",
        }

    def check(self, path, fmt, kernel_path):
        r = lucompat("inspect", "--json", path)
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        self.assertEqual((doc["schema"], doc["format"], doc["status"]),
                         ("lucompat.package/2", fmt, "table"))
        self.assertEqual([k["path"] for k in doc["kernels"]], [kernel_path])
        kernel = doc["kernels"][0]
        self.assertEqual([l["format"] for l in kernel["chain"]], ["x86 bzImage", "xz"])
        self.assertEqual(kernel["identity"]["release"], RELEASE)
        self.assertEqual(entries(kernel), table_def("kernel_table.def"))
        mods = doc["modules"]
        self.assertEqual(mods["counts"], {"modules": 3, "with_table": 2, "without_table": 1, "errors": 0})
        for e in mods["entries"]:
            self.assertEqual(e["modules"], [f"{RELEASE}/kernel/drivers/iommu/iommufd.ko.xz",
                                            f"{RELEASE}/kernel/drivers/vfio/vfio-pci.ko"])
        self.assertEqual([e["compatible"] for e in mods["entries"]], table_def("module_table.def"))

    def test_deb_xz_and_gzip(self):
        for compression in ("xz", "gzip"):
            with self.subTest(compression=compression):
                path = deb(self.files, self.dir / f"kernel-{compression}.deb", compression)
                self.check(path, "deb", f"boot/vmlinuz-{RELEASE}")

    def test_rpm(self):
        files = {k.replace("boot/vmlinuz-" + RELEASE, f"lib/modules/{RELEASE}/vmlinuz"): v
                 for k, v in self.files.items() if not k.startswith("usr/")}
        path = rpm(files, self.dir / "rpm")
        self.check(path, "rpm", f"lib/modules/{RELEASE}/vmlinuz")

    def test_text(self):
        path = deb(self.files, self.dir / "text.deb")
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, OK, r)
        self.assertIn(f"text.deb: Debian package, 1 kernel image, 3 modules\n", r.out)
        self.assertIn(f"text.deb!boot/vmlinuz-{RELEASE}: x86 bzImage ▸ xz ▸ ELF64", r.out)
        self.assertIn("text.deb!lib/modules: module tree, 3 modules: 2 with a table", r.out)

    def test_debug_package(self):
        """Debian's linux-image-R-dbg: the unstripped kernel and modules under
        usr/lib/debug/, read as the kernel package's are, and said to be a
        debug package (issue 26, 5)."""
        kernel = (EXAMPLES / "x86_64" / "kernel.elf").read_bytes()
        module = (EXAMPLES / "x86_64" / "module.ko").read_bytes()
        path = deb({f"usr/lib/debug/boot/vmlinux-{RELEASE}": kernel,
                    f"usr/lib/debug/lib/modules/{RELEASE}/kernel/drivers/vfio/vfio-pci.ko": module,
                    "usr/lib/debug/.build-id/ab/cdef0123.debug": module},
                   self.dir / "dbg.deb", package=f"linux-image-{RELEASE}-dbg")
        r = lucompat("inspect", "--json", path)
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        self.assertTrue(doc["debug"])
        self.assertEqual([k["path"] for k in doc["kernels"]], [f"usr/lib/debug/boot/vmlinux-{RELEASE}"])
        self.assertEqual(entries(doc["kernels"][0]), table_def("kernel_table.def"))
        self.assertEqual(doc["modules"]["counts"]["modules"], 1)
        text = lucompat("inspect", path)
        self.assertIn("dbg.deb: Debian debug package, 1 kernel image, 1 module\n", text.out)
        self.assertIn("debug info, under usr/lib/debug/", text.out)
        self.assertFalse(lucompat("inspect", "--json", deb(self.files, self.dir / "plain.deb")).one()["debug"])

    def test_trixie_debug_package_with_a_kernel_too_large_to_hold(self):
        """trixie's linux-image-R-dbg keeps its vmlinux (412 MB for the cloud
        kernel) in usr/lib/debug/lib/modules/R/; boot/vmlinux-R only links to
        it. A kernel over the 128 MiB a package may hold in memory is read
        from an unlinked file in $TMPDIR, and the budget grows with the
        package unless --max-output is given."""
        kernel = (EXAMPLES / "x86_64" / "kernel.elf").read_bytes()
        kernel += bytes((129 << 20) - len(kernel))  # ELF readers go by headers, not the file's end
        member = f"usr/lib/debug/lib/modules/{RELEASE}/vmlinux"
        path = deb({member: kernel}, self.dir / "big-dbg.deb", "gzip",
                   package=f"linux-image-{RELEASE}-dbg")
        spill = self.dir / "spill"
        spill.mkdir()
        r = lucompat("inspect", "--json", path, env={**os.environ, "TMPDIR": str(spill)})
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        self.assertEqual([k["path"] for k in doc["kernels"]], [member])
        self.assertEqual(entries(doc["kernels"][0]), table_def("kernel_table.def"))
        self.assertEqual(list(spill.iterdir()), [])
        r = lucompat("inspect", path, env={**os.environ, "TMPDIR": str(self.dir / "none")})
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f"{member}: cannot create a file in {self.dir / 'none'} to read it from (set TMPDIR)", r.err)
        r = lucompat("inspect", "--max-output", "64MiB", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("more than the 67108864-byte limit (--max-output)", r.err)
        # On a terminal, how far through the package file the reading is,
        # while inside the one large member too; the line is cleared after.
        progress = on_a_terminal("inspect", path, env={**os.environ, "TMPDIR": str(spill)})
        self.assertRegex(progress, r"\rlucompat: reading the package: \d+% \(0 members inspected\)")
        self.assertTrue(progress.endswith("\r\033[K"), repr(progress[-80:]))

    def tar_with_lying_member(self):
        """A data.tar whose kernel member claims more bytes than follow it."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            data = self.files[f"boot/vmlinuz-{RELEASE}"]
            info = tarfile.TarInfo(f"./boot/vmlinuz-{RELEASE}")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        raw = bytearray(buf.getvalue())
        raw[124:136] = b"%011o\0" % (len(data) * 4)  # the size field
        raw[148:156] = b" " * 8
        raw[148:156] = b"%06o\0 " % sum(raw[:512])  # the header checksum
        return bytes(raw[:512 + len(data)])

    def test_member_that_lies_about_its_size(self):
        path = self.dir / "lying.deb"
        path.write_bytes(ar_archive({"debian-binary": b"2.0\n",
                                     "control.tar.xz": compress("xz", b""),
                                     "data.tar.xz": compress("xz", self.tar_with_lying_member())}))
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f"lying.deb: data.tar.xz: boot/vmlinuz-{RELEASE}: ", r.err)
        self.assertIn("runcated", r.err)

    def test_truncated_package(self):
        data = deb(self.files, self.dir / "whole.deb").read_bytes()
        path = self.dir / "truncated.deb"
        path.write_bytes(data[:len(data) // 2])
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertEqual(len(r.err.splitlines()), 1, r)
        self.assertIn("truncated.deb: data.tar.xz: Truncated ar archive", r.err)

    def test_member_cap(self):
        path = deb(self.files, self.dir / "capped.deb")
        r = lucompat("inspect", "--max-members", "2", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("the package holds more than 2 kernel images and modules (--max-members)", r.err)
        self.assertEqual(lucompat("inspect", "--max-members", "4", path).rc, OK)

    def test_package_without_kernel(self):
        path = deb({"usr/share/doc/x/README": b"hello\n"}, self.dir / "nokernel.deb")
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("this deb package (linux-image-lucompat-test) holds no kernel image and no "
                      "kernel module\n", r.err)

    def test_a_metapackage_names_the_package_that_holds_the_kernel(self):
        """Debian's linux-image-amd64 holds only docs and Depends on the real one."""
        # (test_member_that_lies_about_its_size: a control.tar that is no tar is no error.)
        path = deb({"usr/share/doc/linux-image-amd64/README": b"meta\n"}, self.dir / "meta.deb",
                   package="linux-image-amd64",
                   depends="linux-image-6.1.0-56-amd64 (= 6.1.140-1), firmware-linux-free")
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("this deb package (linux-image-amd64) holds no kernel image and no kernel "
                      "module; it depends on linux-image-6.1.0-56-amd64: inspect that package", r.err)


if __name__ == "__main__":
    main()
