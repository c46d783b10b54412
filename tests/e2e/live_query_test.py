"""`inspect --running` and `check` over a fake root whose /proc/kcore is an
ELF core this test writes: the memory of a small x86_64 kernel with two file
handlers (one owned by a module) and an FLB on their lists, the core strings
in its read-only data and its banner. Runs on any host and under the
sanitizers; tests/e2e/qemu_test.py proves the same on a booted kernel.
Every way the query can be unavailable says so in one line (exit 3), and
every way its memory can be wrong is refused, never listed."""

import os
import struct
import subprocess
import unittest
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, INCOMPATIBLE, LUCOMPAT, OK, UNDECIDABLE, TempDirTest,
                          lucompat, main)

BASE = 0xFFFFFFFF81000000  # where the fake kernel's one segment maps
MODULE = 0xFFFFFFFFA0001000  # the fake module's struct module (__this_module)
BANNER = "Linux version 6.99.0-live (test@lucompat) #1 SMP"
RODATA, BANNER_AT, OPS, OPS_MOD, FLB_OPS = 0x0, 0x100, 0x400, 0x480, 0x500
FILE_HEAD, FLB_HEAD = 0x800, 0x810
MEMFD, VFIO, HUGETLB = 0x900, 0xA00, 0xB00
# mainline's layout for 64-bit pointers: ops, compatible[48], then the list head.
LINK = 8 + 48


def put(mem, at, fmt, *values):
    struct.pack_into("<" + fmt, mem, at, *values)


def object_(mem, at, ops, compatible):
    put(mem, at, "Q", BASE + ops)
    mem[at + 8:at + 8 + 48] = compatible.encode().ljust(48, b"\0")


def link(mem, head, objects):
    """A struct list_head list: head <-> each object's node <-> head."""
    nodes = [head] + [o + LINK for o in objects]
    for i, n in enumerate(nodes):
        put(mem, n, "QQ", BASE + nodes[(i + 1) % len(nodes)], BASE + nodes[i - 1])


def memory(banner=BANNER.encode()):
    mem = bytearray(0x1000)
    strings = b"luo-v1\0luo-session-v1\0kho-v1\0"
    mem[RODATA:RODATA + len(strings)] = strings
    mem[BANNER_AT:BANNER_AT + len(banner) + 2] = banner + b"\n\0"
    for ops, functions, owner in ((OPS, 9, 0), (OPS_MOD, 9, MODULE), (FLB_OPS, 4, 0)):
        for i in range(functions):
            put(mem, ops + 8 * i, "Q", BASE + 0x10)
        put(mem, ops + 8 * functions, "Q", owner)
    object_(mem, MEMFD, OPS, "memfd-v1")
    object_(mem, VFIO, OPS_MOD, "vfio-pci-v1")
    object_(mem, HUGETLB, FLB_OPS, "hugetlb-v1")
    link(mem, FILE_HEAD, [MEMFD, VFIO])
    link(mem, FLB_HEAD, [HUGETLB])
    return mem


def kcore(mem, phoff=64):
    """An ELF64 core: the file header, one PT_LOAD for `mem` at BASE."""
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 4, 62, 1, 0, phoff, 0,
                       0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 4, 0x1000, BASE, 0, len(mem), len(mem), 0x1000)
    return (ehdr + phdr).ljust(0x1000, b"\0") + bytes(mem)


KALLSYMS = [
    (BASE + RODATA, "D", "__start_rodata", ""),
    (BASE + BANNER_AT, "D", "linux_banner", ""),
    (BASE + 0x200, "D", "__end_rodata", ""),
    (BASE + 0x10, "T", "liveupdate_register_file_handler", ""),
    (BASE + FILE_HEAD, "d", "luo_file_handler_list", ""),
    (BASE + FLB_HEAD, "d", "luo_flb_list", ""),
    (BASE + MEMFD, "d", "memfd_luo_handler", ""),
    (BASE + HUGETLB, "d", "hugetlb_luo_flb", ""),
    (BASE + VFIO, "d", "vfio_pci_luo_handler", "fakemod"),
    (MODULE, "d", "__this_module", "fakemod"),
]


class LiveQuery(TempDirTest):
    def root(self, name, mem=None, kallsyms=KALLSYMS, version=BANNER, core=True):
        root = self.dir / name
        (root / "proc/sys/kernel").mkdir(parents=True)
        version = version.encode() if isinstance(version, str) else version
        (root / "proc/version").write_bytes(version + b"\n")
        (root / "proc/sys/kernel/osrelease").write_text("6.99.0-live\n")
        (root / "proc/sys/kernel/kptr_restrict").write_text("1\n")
        (root / "proc/kallsyms").write_bytes(b"".join(
            f"{a:016x} {t} ".encode() + os.fsencode(n) + (b"\t[" + os.fsencode(m) + b"]" if m else b"") + b"\n"
            for a, t, n, m in kallsyms))
        if core:
            (root / "proc/kcore").write_bytes(kcore(memory() if mem is None else mem))
        return root

    def running(self, root, *args):
        return lucompat("inspect", "--running", "--root", root, *args)

    def assert_refused(self, r, *words):
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertEqual(r.out, "")
        self.assertEqual(len(r.err.splitlines()), 1, r)
        for w in words:
            self.assertIn(w, r.err)

    def test_lists_what_is_registered_with_its_owner(self):
        r = self.running(self.root("ok"), "--json")
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        self.assertEqual(doc["identity"]["banner"], BANNER)
        self.assertEqual(doc["identity"]["release"], "6.99.0-live")
        self.assertEqual(doc["arch"], "x86_64")
        t = doc["table"]
        # Kernel addresses are hex strings: jq would round them as numbers.
        self.assertEqual((t["method"], t["section"], t["offset"], t["address"]),
                         ("running", "luo_file_handler_list", None, hex(BASE + FILE_HEAD)))
        self.assertEqual(t["evidence"], "kallsyms + documented layout (6.19 on) + kcore")
        self.assertEqual([(e["compatible"], e["kind"], e["symbol"], e["address"], e["module"], e["evidence"])
                          for e in t["entries"]], [
            ("luo-v1", "core", None, hex(BASE + RODATA), "vmlinux", "kcore"),
            ("luo-session-v1", "core", None, hex(BASE + RODATA + 7), "vmlinux", "kcore"),
            ("kho-v1", "core", None, hex(BASE + RODATA + 22), "vmlinux", "kcore"),
            ("memfd-v1", "file", "memfd_luo_handler", hex(BASE + MEMFD), "vmlinux", "kcore"),
            ("vfio-pci-v1", "file", "vfio_pci_luo_handler", hex(BASE + VFIO), "fakemod", "kcore"),
            ("hugetlb-v1", "flb", "hugetlb_luo_flb", hex(BASE + HUGETLB), "vmlinux", "kcore"),
        ])
        text = self.running(self.root("ok-text"))
        self.assertIn("table     registered now: 2 file handlers, 1 FLB, core luo-v1 luo-session-v1 kho-v1 "
                      "(evidence: kallsyms + documented layout (6.19 on) + kcore)", text.out)
        self.assertIn(f"vfio_pci_luo_handler at {BASE + VFIO:#x} in module fakemod (kcore)", text.out)
        self.assertIn(f"memfd_luo_handler at {BASE + MEMFD:#x} in vmlinux (kcore)", text.out)

    def test_memory_that_is_not_the_running_kernels_is_refused(self):
        r = self.running(self.root("banner", version=BANNER + " (another build)"))
        self.assert_refused(r, "linux_banner reads", "this is not the running kernel's memory")

    def test_a_core_whose_program_headers_wrap_is_refused(self):
        # e_phoff near 2^64 wrapped the bound on the headers: exit 70.
        for phoff in (2**64 - 8, 2**64 - 56):
            with self.subTest(phoff=hex(phoff)):
                root = self.root(f"phoff-{phoff:x}")
                (root / "proc/kcore").write_bytes(kcore(memory(), phoff=phoff))
                self.assert_refused(self.running(root), "program headers", "not a kernel's core")

    def test_text_that_is_not_utf8_is_escaped_in_json(self):
        # /proc/version and a module's name in /proc/kallsyms with bytes that
        # are not UTF-8: --json once exited 70 with no output.
        banner = BANNER.encode() + b" \xff\xfe"
        module = os.fsdecode(b"fake\xffmod")
        kallsyms = [(a, t, n, module if m else m) for a, t, n, m in KALLSYMS]
        root = self.root("not-utf8", mem=memory(banner), version=banner, kallsyms=kallsyms)
        r = self.running(root, "--json")
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        self.assertEqual(doc["identity"]["banner"], BANNER + " \\xff\\xfe")
        self.assertIn("fake\\xffmod", [e["module"] for e in doc["table"]["entries"]])
        self.assertIn(BANNER + " \\xff\\xfe", self.running(root).out)
        r = lucompat("check", "--json", "--root", root, "--next", EXAMPLES / "x86_64/kernel.elf", "--no-modules")
        self.assertIn(r.rc, (OK, INCOMPATIBLE, UNDECIDABLE), r)
        self.assertEqual(r.json()["current"]["strings"]["vfio-pci-v1"], ["running kernel"])
        # A report stored straight into a store holds what `report | fleet
        # ingest` stores; it held the raw bytes, and every query then called
        # the store corrupt.
        store = f"sqlite:{self.dir / 'not-utf8.db'}"
        r = lucompat("report", "--root", root, "--host", "h", "--store", store)
        self.assertEqual(r.rc, OK, r)
        status = lucompat("fleet", "status", "--json", "--store", store)
        self.assertEqual(status.rc, OK, status)
        self.assertEqual(status.json()["builds"][0]["banner"], BANNER + " \\xff\\xfe")

    def test_hidden_addresses_say_kptr_restrict(self):
        hidden = [(0, t, n, m) for _, t, n, m in KALLSYMS]
        r = self.running(self.root("hidden", kallsyms=hidden))
        self.assert_refused(r, "every address reads 0", "kernel.kptr_restrict = 1", "run as root")

    def test_no_kcore_says_which_config(self):
        self.assert_refused(self.running(self.root("nokcore", core=False)), "CONFIG_PROC_KCORE")

    def test_kcore_closed_to_this_user_says_root(self):
        root = self.root("closed")
        self.dir.chmod(0o755)  # mkdtemp's 0700 would stop nobody before kcore
        (root / "proc/kcore").chmod(0o400)
        cmd = [LUCOMPAT, "inspect", "--running", "--root", str(root)]
        if os.geteuid() == 0:  # root reads anything: drop to nobody for this case
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        self.assertEqual(proc.returncode, BAD_INPUT, proc.stderr)
        self.assertIn("/proc/kcore: cannot open: Permission denied: reading kernel memory needs root",
                      proc.stderr)

    def test_corrupt_lists_are_refused(self):
        # A node whose prev does not point back: freed, or changing under us.
        mem = memory()
        put(mem, VFIO + LINK + 8, "Q", BASE + 0x700)
        self.assert_refused(self.running(self.root("prev", mem)), "luo_file_handler_list",
                            "prev pointer", "corrupt")
        # A loop that never comes back to the head.
        mem = memory()
        put(mem, VFIO + LINK, "Q", BASE + MEMFD + LINK)
        self.assert_refused(self.running(self.root("loop", mem)), "loops back")
        # A node outside every mapping.
        mem = memory()
        put(mem, FLB_HEAD, "Q", BASE + 0x10000)
        self.assert_refused(self.running(self.root("unmapped", mem)), "luo_flb_list", "not mapped")
        # A registered handler whose compatible is no string.
        mem = memory()
        mem[MEMFD + 8:MEMFD + 12] = b"\x01\x02\x03\x04"
        self.assert_refused(self.running(self.root("garbled", mem)), "no valid compatible")

    def test_a_kernel_without_luo_lists_has_no_luo(self):
        kallsyms = [s for s in KALLSYMS
                    if not s[2].endswith("_list") and not s[2].startswith("liveupdate_")]
        r = self.running(self.root("noluo", kallsyms=kallsyms))
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("no Live Update Orchestrator in this kernel", r.out)
        self.assertEqual(self.running(self.root("noluo-json", kallsyms=kallsyms), "--json")
                         .one()["liveupdate"], "absent")

    def test_lists_it_cannot_find_leave_it_undecided(self):
        """LUO is built in (its functions are there) but its lists are not
        where the catalog says: not "no LUO", but an incomplete reading."""
        kallsyms = [s for s in KALLSYMS if not s[2].endswith("_list")]
        r = self.running(self.root("nolists", kallsyms=kallsyms))
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("NOT READ: the kernel has none of the file handler list heads", r.out)
        self.assertIn("NOT READ: the kernel has none of the FLB list heads", r.out)

    def test_a_site_catalog_names_other_lists(self):
        renamed = [(a, t, "luo_file_handlers" if n == "luo_file_handler_list" else n, m)
                   for a, t, n, m in KALLSYMS]
        root = self.root("renamed", kallsyms=renamed)
        self.assertIn("0 file handlers", self.running(root).out)
        catalog = self.dir / "site.toml"
        catalog.write_text('[registration_lists]\nfile = ["luo_file_handlers"]\n')
        r = self.running(root, "--catalog", catalog)
        self.assertIn("registered now: 2 file handlers, 1 FLB", r.out)

    def test_check_judges_the_live_reading(self):
        # The next kernel: an RFC-table example, x86_64 like the fake one.
        nxt = EXAMPLES / "x86_64/kernel.elf"
        r = lucompat("check", "--json", "--root", self.root("check"), "--next", nxt, "--no-modules")
        self.assertIn(r.rc, (OK, INCOMPATIBLE, UNDECIDABLE), r)
        doc = r.json()
        self.assertEqual(doc["current"]["path"], "running kernel")
        self.assertTrue(doc["current"]["how"].startswith("queried live through /proc/kcore"), doc["current"])
        self.assertEqual(doc["current"]["evidence"], "running (kallsyms + documented layout (6.19 on) + kcore)")
        self.assertEqual(doc["current"]["strings"]["vfio-pci-v1"], ["running kernel"])
        self.assertEqual(doc["current"]["module_count"], 0)
        # A reading that finds the memory wrong ends the check: no fallback.
        mem = memory()
        put(mem, VFIO + LINK + 8, "Q", 0)
        r = lucompat("check", "--root", self.root("check-corrupt", mem), "--next", nxt, "--no-modules")
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("corrupt", r.err)

    def test_usage(self):
        r = lucompat("inspect", "--running", "some/path")
        self.assertEqual(r.rc, 2, r)
        r = lucompat("inspect")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("PATH (a kernel, module, tree or package) or --running is required", r.err)
        r = lucompat("inspect", "--root", "/tmp", "x")
        self.assertEqual(r.rc, 2, r)


if __name__ == "__main__":
    main()
