"""Every example, built for seven architectures by the real toolchain, decodes
to exactly the list in its source, in each shape and by each method."""

import unittest

import re

import tempfile
from pathlib import Path

from lucompat_e2e import (EXAMPLES, EXAMPLES_SRC, OK, UNDECIDABLE, Elf, entries, lucompat, main,
                          table_def)

# What each target is, as ELF and as a kernel architecture.
TARGETS = {
    "x86_64": (64, "little", "x86_64", "x86-64"),
    "i686": (32, "little", "i386", "Intel 80386"),
    "aarch64": (64, "little", "arm64", "AArch64"),
    "riscv64": (64, "little", "riscv64", "RISC-V"),
    "arm": (32, "little", "arm", "ARM"),
    "ppc64": (64, "big", "ppc64", "PowerPC64"),
    "s390x": (64, "big", "s390x", "s390"),
}
RELEASE = "6.99.0-lucompat"


def mainline_def(name):
    """(symbol, compatible) pairs, or strings, an X(...) .def of the mainline example lists."""
    text = (EXAMPLES_SRC / name).read_text()
    pairs = re.findall(r'^X\((\w+), "([^"]*)"\)', text, re.M)
    return pairs if pairs else re.findall(r'^X\("([^"]*)"\)', text, re.M)


class Examples(unittest.TestCase):
    def inspect(self, arch, name, rc=OK):
        r = lucompat("inspect", "--json", EXAMPLES / arch / name)
        self.assertEqual(r.rc, rc, r)
        self.assertEqual(r.err, "")
        doc = r.one()
        cls, order, kernel_arch, machine = TARGETS[arch]
        self.assertEqual(doc["schema"], "lucompat.inspect/2")
        self.assertEqual(doc["elf"]["class"], cls)
        self.assertEqual(doc["elf"]["byte_order"], order)
        self.assertEqual(doc["elf"]["arch"], kernel_arch)
        self.assertEqual(doc["elf"]["machine"], machine)
        self.assertTrue(doc["format"].startswith(
            f"ELF{cls} {'LSB' if order == 'little' else 'MSB'} {machine} "), doc["format"])
        return doc

    def test_all_targets_built(self):
        self.assertEqual(sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()
                                and p.name in TARGETS), sorted(TARGETS))

    def test_relocatable_object_split_sections(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = self.inspect(arch, "kernel.o")
                t = doc["table"]
                self.assertEqual((t["method"], t["shape"]), ("section", "split"))
                self.assertEqual(t["format_version"], 1)
                self.assertIsNotNone(t["header_offset"])
                self.assertEqual(entries(doc), table_def("kernel_table.def"))

    def test_linked_kernel_merged_section(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = self.inspect(arch, "kernel.elf")
                t = doc["table"]
                self.assertEqual((t["method"], t["shape"]), ("section", "merged"))
                self.assertEqual(t["section"], ".liveupdate_versions")
                self.assertEqual(t["size"], 8 + 48 * len(table_def("kernel_table.def")))
                self.assertEqual(entries(doc), table_def("kernel_table.def"))
                self.assertEqual(doc["kind"], "kernel")
                self.assertEqual(doc["identity"]["release"], RELEASE)
                self.assertTrue(doc["identity"]["banner"].endswith("#1 SMP Fri Nov 27 00:00:00 UTC 2026"))
                self.assertRegex(doc["identity"]["build_id"], r"^[0-9a-f]{40}$")
                self.assertEqual(t["warnings"], [])

    def test_stripped_kernel_found_by_segment_scan(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                linked = self.inspect(arch, "kernel.elf")
                doc = self.inspect(arch, "kernel.stripped")
                self.assertFalse(doc["elf"]["section_headers"])
                t = doc["table"]
                self.assertEqual(t["method"], "segment_scan")
                self.assertEqual(t["offset"], linked["table"]["offset"])
                self.assertEqual(entries(doc), table_def("kernel_table.def"))
                self.assertEqual(doc["identity"]["build_id"], linked["identity"]["build_id"])
                self.assertEqual(doc["identity"]["banner"], linked["identity"]["banner"])

    def test_module_entries_only(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = self.inspect(arch, "module.ko")
                t = doc["table"]
                self.assertEqual((t["method"], t["shape"]), ("section", "entries_only"))
                self.assertIsNone(t["format_version"])
                self.assertEqual(entries(doc), table_def("module_table.def"))
                self.assertEqual(doc["kind"], "module")
                self.assertEqual(doc["identity"]["module_name"], "lucompat_example")
                self.assertEqual(doc["identity"]["vermagic"], f"{RELEASE} SMP mod_unload")
                self.assertEqual(doc["identity"]["release"], RELEASE)
                self.assertIsNone(doc["identity"]["banner"])

    def test_mainline_registrations_in_every_target(self):
        """Objects in mainline LUO's layout, without a table: the derived set is
        exactly the .def lists, in a linked kernel (absolute pointers) and in a
        module (pointers by RELA, or REL on i686 and arm), on every target."""
        handlers = {(c, s) for s, c in mainline_def("mainline_handlers.def")}
        flbs = {(c, s) for s, c in mainline_def("mainline_flbs.def")}
        core = set(mainline_def("mainline_core.def"))
        for arch in TARGETS:
            for name, want_core in (("mainline.elf", core), ("mainline.ko", set())):
                with self.subTest(arch=arch, file=name):
                    doc = self.inspect(arch, name)
                    table = doc["table"]
                    self.assertEqual(table["method"], "registrations")
                    # The examples' release, 6.99, takes the layout documented for 6.19 on.
                    self.assertEqual(table["evidence"], "symtab + documented layout (6.19 on)")
                    got = lambda kind: {(e["compatible"], e["symbol"]) for e in table["entries"]
                                        if e["kind"] == kind}
                    self.assertEqual(got("file"), handlers)
                    self.assertEqual(got("flb"), flbs)
                    self.assertEqual({e["compatible"] for e in table["entries"] if e["kind"] == "core"},
                                     want_core)

    def test_without_any_symbols_a_scan_finds_the_handlers(self):
        """The symbol table hidden (its section type made SHT_NULL) and no
        kallsyms: a structural scan finds the handlers the code registers
        and the core strings, on every target, as `scan` evidence; FLBs need
        BTF's exact size, so a warning says they were not searched. check
        rests no verdict on a scan unless --trust-scan."""
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        handlers = {c for _, c in mainline_def("mainline_handlers.def")}
        core = set(mainline_def("mainline_core.def"))
        for arch in TARGETS:
            with self.subTest(arch=arch):
                elf = Elf((EXAMPLES / arch / "mainline.elf").read_bytes())
                for i in range(elf.shnum):
                    if elf.section(i)["type"] == 2:  # SHT_SYMTAB
                        elf.pack("I", elf.shdr(i) + 4, 0)
                path = Path(self.tmp.name) / f"scan-{arch}.elf"
                path.write_bytes(bytes(elf.data))
                r = lucompat("inspect", "--json", path)
                # FLBs a scan cannot search leave the set incomplete: exit 4.
                self.assertEqual(r.rc, UNDECIDABLE, r)
                table = r.one()["table"]
                self.assertEqual((table["method"], table["evidence"]), ("registrations", "scan + documented layout (6.19 on)"))
                self.assertEqual({e["evidence"] for e in table["entries"]}, {"scan"})
                self.assertEqual({e["compatible"] for e in table["entries"] if e["kind"] == "file"}, handlers)
                self.assertEqual({e["compatible"] for e in table["entries"] if e["kind"] == "core"}, core)
                self.assertEqual([e for e in table["entries"] if e["kind"] == "flb"], [])
                self.assertEqual(table["gaps"][0]["kind"], "unsearched_kind")
                self.assertIn("FLBs are not searched", table["gaps"][0]["detail"])
                # The FLBs it saw but could not measure are named, not dropped.
                for miss in table["near_misses"]:
                    self.assertIn("is shaped like an FLB", miss)
                # Issue 23, class 3: with the code that registers them gone,
                # nothing refers to the handlers and the scan counts none.
                text = elf.find_section(".text")
                elf.data[text["offset"]:text["offset"] + text["size"]] = bytes(text["size"])
                unregistered = Path(self.tmp.name) / f"unregistered-{arch}.elf"
                unregistered.write_bytes(bytes(elf.data))
                r = lucompat("inspect", "--json", unregistered)
                self.assertEqual(r.rc, UNDECIDABLE, r)
                table = r.one()["table"]
                self.assertEqual([e for e in table["entries"] if e["kind"] != "core"], [])
                unreferenced = {m.split('"')[1] for m in table["near_misses"]
                                if "nothing in the image refers to it" in m}
                self.assertEqual(unreferenced, handlers)
        path = Path(self.tmp.name) / "scan-x86_64.elf"
        r = lucompat("check", "--no-modules", "--current", path, "--next", path)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        # Issue 23: FLBs a scan could not search leave the set incomplete, so
        # even --trust-scan does not make a verdict of it.
        r = lucompat("check", "--no-modules", "--trust-scan", "--current", path, "--next", path)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("FLBs are not searched", r.out)

    def test_a_symbol_outside_its_section_is_no_handler(self):
        """A handler symbol whose value points past its section's end: that
        object is not a handler, the rest still is, and nothing crashes."""
        for arch, name in (("x86_64", "mainline.ko"), ("s390x", "mainline.elf"), ("arm", "mainline.ko")):
            with self.subTest(arch=arch, file=name):
                elf = Elf((EXAMPLES / arch / name).read_bytes())
                symtab, strtab = elf.find_section(".symtab"), elf.find_section(".strtab")
                size = 24 if elf.is64 else 16
                victim = mainline_def("mainline_handlers.def")[0][0]
                for at in range(symtab["offset"], symtab["offset"] + symtab["size"], size):
                    name_off = elf.unpack("I", at)[0]
                    start = strtab["offset"] + name_off
                    if bytes(elf.data[start:elf.data.index(0, start)]).decode() == victim:
                        if elf.is64:
                            elf.pack("Q", at + 8, 0x7FFFFFFFFFFFFFF0)
                        else:
                            elf.pack("I", at + 4, 0x7FFFFFF0)
                with tempfile.TemporaryDirectory() as d:
                    path = Path(d) / name
                    path.write_bytes(bytes(elf.data))
                    r = lucompat("inspect", "--json", path)
                    self.assertEqual(r.rc, OK, r)
                    symbols = {e["symbol"] for e in r.one()["table"]["entries"]}
                    self.assertNotIn(victim, symbols)
                    self.assertIn(mainline_def("mainline_handlers.def")[1][0], symbols)

    def test_a_handler_whose_ops_cannot_be_verified_leaves_check_undecided(self):
        """A handler-sized object with a valid compatible whose ops pointer is
        gone: it is not counted, it is reported as a near miss, and check will
        not rest a verdict on a set that may lack it."""
        path = EXAMPLES / "x86_64" / "mainline.elf"
        doc = lucompat("inspect", "--json", path).one()
        victim = next(e for e in doc["table"]["entries"] if e["kind"] == "file")
        data = bytearray(path.read_bytes())
        data[victim["offset"]:victim["offset"] + 8] = bytes(8)  # the ops pointer
        with tempfile.TemporaryDirectory() as d:
            broken = Path(d) / "broken.elf"
            broken.write_bytes(bytes(data))
            r = lucompat("inspect", "--json", broken)
            # Issue 26: a near miss is no "fine" from inspect either.
            self.assertEqual(r.rc, UNDECIDABLE, r)
            table = r.one()["table"]
            self.assertNotIn(victim["compatible"], [e["compatible"] for e in table["entries"]])
            self.assertEqual(len(table["near_misses"]), 1)
            self.assertIn(victim["compatible"], table["near_misses"][0])
            r = lucompat("check", "--no-modules", "--current", broken, "--next", path)
            self.assertEqual(r.rc, UNDECIDABLE, r)
            self.assertIn("could not be verified", r.out)

    def test_kernel_without_table_is_undecidable(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = self.inspect(arch, "notable.elf", rc=UNDECIDABLE)
                self.assertEqual(doc["status"], "no_table")
                self.assertIsNone(doc["table"])
                # With a symbol table, registrations were searched as well;
                # without one (a stripped build) the reason stays the old one.
                self.assertRegex(doc["no_table_reason"],
                                 "no Live Update Orchestrator in this kernel|predates the RFC or "
                                 "was built without CONFIG_LIVEUPDATE")

    def test_text_output(self):
        r = lucompat("inspect", EXAMPLES / "s390x" / "kernel.stripped")
        self.assertEqual(r.rc, OK, r)
        self.assertIn("kernel.stripped: ELF64 MSB s390 executable (kernel)\n", r.out)
        self.assertIn("found by segment scan at offset 0x", r.out)
        self.assertIn("     1  luo-v1\n", r.out)
        self.assertIn("  format    version 1\n", r.out)


if __name__ == "__main__":
    main()
