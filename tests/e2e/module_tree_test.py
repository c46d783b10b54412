"""A directory is a module tree: every module below it is inspected in
parallel, and the report says which modules contribute which entries."""

import os
import pty
import re
import time

from lucompat_e2e import (BAD_INPUT, EXAMPLES, OK, UNDECIDABLE, TempDirTest, compress, lucompat,
                          main, table_def)


class ModuleTree(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = (EXAMPLES / "x86_64" / "module.ko").read_bytes()
        plain = (EXAMPLES / "x86_64" / "notable.o").read_bytes()
        cls.tree = cls.dir / "lib" / "modules" / "6.99.0-lucompat"
        files = {
            "kernel/drivers/vfio/pci/vfio-pci.ko": module,
            "kernel/drivers/iommu/iommufd.ko.xz": compress("xz", module),
            "kernel/drivers/misc/a.ko.gz": compress("gzip", plain),
            "kernel/drivers/misc/b.ko.zst": compress("zstd", plain),
            "modules.dep": b"kernel/drivers/vfio/pci/vfio-pci.ko:\n",
            "kernel/drivers/misc/README": b"not a module\n",
        }
        for name, data in files.items():
            path = cls.tree / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        # Like /lib/modules/R/build: a link into a big tree, never followed.
        os.symlink("/", cls.tree / "build")
        os.symlink("kernel/drivers/vfio/pci/vfio-pci.ko", cls.tree / "alias.ko")

    def test_entries_with_their_modules(self):
        r = lucompat("inspect", "--json", self.tree)
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        self.assertEqual(doc["schema"], "lucompat.module-tree/2")
        self.assertEqual(doc["counts"], {"modules": 4, "with_table": 2, "without_table": 2, "errors": 0})
        self.assertEqual(doc["releases"], ["6.99.0-lucompat"])
        want = table_def("module_table.def")
        self.assertEqual([e["compatible"] for e in doc["entries"]], want)
        for e in doc["entries"]:
            self.assertEqual(e["modules"], ["kernel/drivers/iommu/iommufd.ko.xz",
                                            "kernel/drivers/vfio/pci/vfio-pci.ko"])
        self.assertEqual([m["path"] for m in doc["modules"]], sorted(m["path"] for m in doc["modules"]))

    def test_text_lists_modules_without_table_only_when_verbose(self):
        r = lucompat("inspect", self.tree)
        self.assertEqual(r.rc, OK, r)
        self.assertIn("module tree, 4 modules: 2 with a table, 2 without, 0 unreadable", r.out)
        self.assertIn("vfio-pci-v2  kernel/drivers/iommu/iommufd.ko.xz, kernel/drivers/vfio/pci/vfio-pci.ko", r.out)
        self.assertNotIn("a.ko.gz", r.out)
        self.assertEqual(r.err, "")  # no progress line when stderr is not a terminal
        v = lucompat("inspect", "-v", self.tree)
        self.assertIn("modules without a table:\n    kernel/drivers/misc/a.ko.gz\n    kernel/drivers/misc/b.ko.zst\n", v.out)

    def test_progress_on_a_terminal_knows_its_total_and_redraws_ten_times_a_second(self):
        tree = self.dir / "big"
        module = (EXAMPLES / "x86_64" / "module.ko").read_bytes()
        for i in range(600):
            (tree / f"m{i:03}").mkdir(parents=True)
            (tree / f"m{i:03}" / f"m{i}.ko.xz").write_bytes(compress("xz", module))
        binary = os.environ.get("LUCOMPAT", "build/lucompat")
        start = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(binary, [binary, "inspect", "-j", "1", str(tree)])
        out = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        _, status = os.waitpid(pid, 0)
        elapsed = time.monotonic() - start
        self.assertEqual(os.waitstatus_to_exitcode(status), OK, out)
        draws = re.findall(rb"\rlucompat: inspecting modules (\d+)/(\d+)", out)
        self.assertTrue(all(total == b"600" for _, total in draws), draws[:5])
        self.assertLessEqual(len(draws), 10 * elapsed + 2, (len(draws), elapsed))

    def test_same_result_with_one_thread_or_many(self):
        one = lucompat("inspect", "--json", "-j", "1", self.tree)
        many = lucompat("inspect", "--json", "-j", "8", self.tree)
        self.assertEqual(one.out, many.out)

    def test_a_broken_module_is_named_and_fails_the_tree(self):
        tree = self.dir / "broken"
        (tree / "kernel").mkdir(parents=True)
        (tree / "kernel" / "good.ko").write_bytes((EXAMPLES / "x86_64" / "module.ko").read_bytes())
        (tree / "kernel" / "bad.ko.xz").write_bytes(compress("xz", b"x" * 100)[:40])
        r = lucompat("inspect", tree)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("kernel/bad.ko.xz: offset", r.err)
        self.assertIn("xz stream is truncated", r.err)
        self.assertIn("1 with a table, 0 without, 1 unreadable", r.out)

    def test_no_module_with_a_table_is_undecidable(self):
        tree = self.dir / "plain"
        tree.mkdir()
        (tree / "x.ko").write_bytes((EXAMPLES / "x86_64" / "notable.o").read_bytes())
        r = lucompat("inspect", tree)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("entries:  none: no module declares a live-update file handler", r.out)

    def test_many_modules_in_parallel(self):
        tree = self.dir / "many"
        tree.mkdir()
        module = compress("zstd", (EXAMPLES / "x86_64" / "module.ko").read_bytes())
        for i in range(300):
            (tree / f"m{i:03}.ko.zst").write_bytes(module)
        doc = lucompat("inspect", "--json", tree).one()
        self.assertEqual(doc["counts"]["with_table"], 300)
        self.assertEqual(len(doc["entries"][0]["modules"]), 300)


if __name__ == "__main__":
    main()
