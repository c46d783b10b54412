"""The forward formats end to end: table format 2 (integer-version entries)
and composite strings, emitted by the producer header for seven targets and
both byte orders, decoded by inspect, crossed by check; and malformed entries
of either kind refused with their offsets."""

import re
import struct
import tempfile
import unittest
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, EXAMPLES_SRC, INCOMPATIBLE, OK, Elf, entries,
                          lucompat, main)

TARGETS = ("x86_64", "i686", "aarch64", "riscv64", "arm", "ppc64", "s390x")
BIG_ENDIAN = ("ppc64", "s390x")


def forward_def(name):
    """The strings a forward .def declares, as lucompat spells them: an X()
    entry's literals joined by the ';' LUCOMPAT_LIVEUPDATE_SUB_COMPAT puts
    between them, an XI(name, "pci", 2) entry as pci@2."""
    out = []
    for line in (EXAMPLES_SRC / name).read_text().splitlines():
        if line.startswith("X("):
            out.append(";".join(re.findall(r'"([^"]*)"', line)))
        elif line.startswith("XI("):
            component, version = re.match(r'XI\(\w+, "([^"]*)", (\d+)\)', line).groups()
            out.append(f"{component}@{version}")
    return out


def inspect(path, rc=OK):
    r = lucompat("inspect", "--json", path)
    assert r.rc == rc, r
    return r.one()


def check(*args):
    return lucompat("check", "--no-modules", "--current", EXAMPLES / "x86_64/forward.elf", *args)


def family(doc, name):
    return next(f for f in doc["families"] if f["family"] == name)


class Decoding(unittest.TestCase):
    def assert_forward_entries(self, doc, def_name):
        want = forward_def(def_name)
        self.assertEqual(entries(doc), want)
        for e in doc["table"]["entries"]:
            if ";" in e["compatible"]:
                self.assertEqual(e["components"], e["compatible"].split(";"))
                self.assertNotIn("version", e)
            elif "@" in e["compatible"]:
                name, version = e["compatible"].split("@")
                self.assertEqual((e["name"], e["version"]), (name, int(version)))
                self.assertNotIn("components", e)
            else:
                self.assertNotIn("components", e)
                self.assertNotIn("name", e)
        self.assertEqual(doc["table"]["warnings"], [])

    def test_linked_kernel_in_every_target_and_byte_order(self):
        self.assertIn("pci@2", forward_def("forward_table.def"))
        self.assertIn("memfd-v2;vmalloc-v1;seals-v1", forward_def("forward_table.def"))
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = inspect(EXAMPLES / arch / "forward.elf")
                self.assertEqual(doc["byte_order"], "big" if arch in BIG_ENDIAN else "little")
                t = doc["table"]
                self.assertEqual((t["method"], t["shape"], t["format_version"]), ("section", "merged", 2))
                self.assertEqual(t["size"], 8 + 48 * len(forward_def("forward_table.def")))
                self.assert_forward_entries(doc, "forward_table.def")

    def test_split_object_reads_its_entries_with_the_headers_format(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = inspect(EXAMPLES / arch / "forward.o")
                self.assertEqual((doc["table"]["shape"], doc["table"]["format_version"]), ("split", 2))
                self.assert_forward_entries(doc, "forward_table.def")

    def test_stripped_kernel_found_by_segment_scan(self):
        """No section headers: the table is found by its magic and read up to
        the all-zero slot, integer entries included, in either byte order."""
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = inspect(EXAMPLES / arch / "forward.stripped")
                self.assertEqual((doc["table"]["method"], doc["table"]["format_version"]), ("segment_scan", 2))
                self.assert_forward_entries(doc, "forward_table.def")

    def test_module_entries_of_both_kinds(self):
        for arch in TARGETS:
            with self.subTest(arch=arch):
                doc = inspect(EXAMPLES / arch / "forward.ko")
                self.assertEqual(doc["table"]["shape"], "entries_only")
                self.assertIsNone(doc["table"]["format_version"])
                self.assert_forward_entries(doc, "forward_module_table.def")

    def test_text_shows_components_and_versions(self):
        r = lucompat("inspect", EXAMPLES / "s390x/forward.elf")
        self.assertEqual(r.rc, OK, r)
        self.assertIn("format    version 2\n", r.out)
        self.assertIn("memfd-v2;vmalloc-v1;seals-v1  (composite: memfd-v2 + vmalloc-v1 + seals-v1)", r.out)
        self.assertIn("pci@2  (integer version 2 of pci)", r.out)

    def test_a_registered_handler_with_a_composite_compatible(self):
        """A mainline kernel registers objects, not a table: a composite in a
        handler's compatible is read as one too."""
        doc = inspect(EXAMPLES / "x86_64/mainline.elf")
        e = next(e for e in doc["table"]["entries"] if e["symbol"] == "guest_memfd_luo_handler")
        self.assertEqual(e["components"], ["guest_memfd_luo_v1", "vmalloc-v1"])
        r = lucompat("inspect", EXAMPLES / "x86_64/mainline.elf")
        self.assertIn("(composite: guest_memfd_luo_v1 + vmalloc-v1)", r.out)


class Crossing(unittest.TestCase):
    def test_same_components_and_a_shared_integer_version_are_compatible(self):
        r = check("--next", EXAMPLES / "x86_64/forward-next.elf", "--uses", "memfd,vfio-pci", "--json")
        self.assertEqual(r.rc, OK, r)
        doc = r.json()
        self.assertEqual(doc["verdict"], "compatible")
        memfd = family(doc, "memfd")
        self.assertEqual(memfd["verdict"], "compatible")
        self.assertEqual(memfd["chosen"], "memfd-v2;vmalloc-v1;seals-v1")
        self.assertEqual(memfd["components"], {
            "memfd-v2;vmalloc-v1;seals-v1": ["memfd-v2", "vmalloc-v1", "seals-v1"],
            "memfd-v2;seals-v1;vmalloc-v1": ["memfd-v2", "seals-v1", "vmalloc-v1"]})
        self.assertEqual(memfd["missing_components"], {})
        pci = family(doc, "pci")
        self.assertEqual((pci["verdict"], pci["negotiated_version"], pci["chosen"]), ("compatible", 2, "pci@2"))
        self.assertEqual(pci["running_emits"], ["pci@1", "pci@2"])
        self.assertEqual(pci["next_understands"], ["pci@2", "pci@3"])
        self.assertEqual(pci["working_set"], ["pci@2"])
        self.assertEqual(pci["used_by"], ["needed by vfio-pci"])
        self.assertIn("both use the highest they share, 2 (pci@2)", pci["reasons"][0])
        self.assertEqual(doc["unknown_strings"], [])

    def test_a_changed_component_and_no_shared_version_are_named(self):
        r = check("--next", EXAMPLES / "x86_64/forward-break.elf", "--uses", "memfd,vfio-pci", "--json")
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        doc = r.json()
        memfd = family(doc, "memfd")
        self.assertEqual(memfd["verdict"], "incompatible")
        self.assertEqual(memfd["missing_components"], {"memfd-v2;vmalloc-v1;seals-v1": ["vmalloc-v1"]})
        self.assertIn("memfd-v2;vmalloc-v1;seals-v1: the next kernel's closest string, "
                      "memfd-v2;vmalloc-v2;seals-v1, lacks the component vmalloc-v1", memfd["reasons"])
        pci = family(doc, "pci")
        self.assertEqual((pci["verdict"], pci["negotiated_version"], pci["working_set"]), ("warning", None, []))
        self.assertIn("no integer version of pci is shared: the running kernel supports 1, 2, the next "
                      "kernel 3", pci["reasons"])
        vfio = family(doc, "vfio-pci")
        self.assertEqual(vfio["verdict"], "incompatible")
        self.assertIn("vfio-pci needs pci: the next kernel's pci FLB reads only pci@3; the preserved "
                      "files would be lost", vfio["reasons"])

        text = check("--next", EXAMPLES / "x86_64/forward-break.elf", "--uses", "memfd,vfio-pci")
        self.assertEqual(text.rc, INCOMPATIBLE, text)
        self.assertIn("lacks the component vmalloc-v1", text.out)
        self.assertIn("pci: no integer version of pci is shared", text.out)

    def test_a_format_1_kernel_reads_no_integer_version(self):
        r = check("--next", EXAMPLES / "x86_64/kernel.elf", "--uses", "pci", "--json")
        pci = family(r.json(), "pci")
        self.assertEqual(pci["verdict"], "warning")
        self.assertEqual(pci["next_understands"], [])

    def test_a_pin_picks_the_integer_version(self):
        r = check("--next", EXAMPLES / "x86_64/forward-next.elf", "--uses", "pci", "--emit", "pci=pci@1",
                  "--json")
        pci = family(r.json(), "pci")
        self.assertEqual((pci["verdict"], pci["running_emits"]), ("warning", ["pci@1"]))


class Malformed(unittest.TestCase):
    """One field of forward.elf corrupted: exit 3, one line naming the offset."""

    def corrupt(self, arch, fn):
        elf = Elf((EXAMPLES / arch / "forward.elf").read_bytes())
        table = elf.find_section(".liveupdate_versions")["offset"]
        doc = inspect(EXAMPLES / arch / "forward.elf")
        slots = {e["compatible"]: e["offset"] for e in doc["table"]["entries"]}
        fn(elf, table, slots)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "forward.elf"
            path.write_bytes(bytes(elf.data))
            r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertEqual(r.out, "")
        self.assertEqual(len(r.err.splitlines()), 1, r)
        return r.err

    def test_integer_version_zero(self):
        for arch in ("x86_64", "s390x"):
            with self.subTest(arch=arch):
                err = self.corrupt(arch, lambda e, t, s: e.pack("I", s["pci@2"] + 4, 0))
                at = inspect(EXAMPLES / arch / "forward.elf")["table"]["entries"][4]["offset"] + 4
                self.assertIn(f"offset {at:#x}: entry 5: integer version 0 of \"pci\"", err)

    def test_empty_component(self):
        def fn(e, t, s):
            at = s["memfd-v2;vmalloc-v1;seals-v1"] + len("memfd-v2;")
            e.data[at:at + 1] = b";"
        err = self.corrupt("x86_64", fn)
        self.assertIn("entry 2: composite \"memfd-v2;;malloc-v1;seals-v1\": component 2 is empty", err)

    def test_trailing_separator(self):
        def fn(e, t, s):
            at = s["vfio-pci-v1"] + len("vfio-pci-v1")
            e.data[at:at + 1] = b";"
        err = self.corrupt("x86_64", fn)
        self.assertIn("entry 3: composite \"vfio-pci-v1;\": component 2 is empty", err)

    def test_name_too_long_for_its_slot(self):
        def fn(e, t, s):
            at = s["pci@1"] + 8
            e.data[at:at + 40] = b"p" * 40
        err = self.corrupt("x86_64", fn)
        self.assertIn("entry 4: no NUL terminator within its 40 name bytes", err)

    def test_integer_entry_in_a_format_1_table(self):
        err = self.corrupt("ppc64", lambda e, t, s: e.pack("I", t + 4, 1))
        self.assertIn("entry 4: an integer-version entry (first byte 0x01), which only format version 2 has",
                      err)

    def test_at_sign_in_a_string(self):
        def fn(e, t, s):
            e.data[s["luo-v1"] + 3:s["luo-v1"] + 4] = b"@"
        err = self.corrupt("x86_64", fn)
        self.assertIn("entry 1: '@' in \"luo@v1\"", err)


if __name__ == "__main__":
    main()
