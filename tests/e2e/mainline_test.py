"""Mainline LUO kernels (no RFC table): the version set derived from the
handler and FLB objects and core strings they register must be exactly what
corpus/mainline/MANIFEST.tsv lists, for every row whose `symbols` column
says a symbol table is in the file. Then check on those kernels and modules.
Skipped (exit 77) when the corpus is absent, as in a user's clone."""

import csv
import gzip
import os
import shutil
import sys
import unittest
from pathlib import Path

from lucompat_e2e import INCOMPATIBLE, OK, UNDECIDABLE, Elf, TempDirTest, lucompat, main

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus")) / "mainline"
MANIFEST = CORPUS / "MANIFEST.tsv"


def rows():
    with MANIFEST.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def pairs(cell):
    """'memfd-v1:memfd_luo_handler,...' -> {(compatible, symbol)}; '-' or '' -> empty."""
    if cell in ("", "-"):
        return set()
    return {tuple(p.split(":", 1)) for p in cell.split(",")}


def strings(cell):
    return set() if cell in ("", "-") else set(cell.split(","))


def of_kind(doc, kind):
    return [e for e in doc["table"]["entries"] if e["kind"] == kind]


def symtab_rows():
    return [r for r in rows() if r["symbols"].startswith("symtab")]


def row_of(set_name):
    return next(r for r in symtab_rows() if r["set"] == set_name)


def kallsyms_rows():
    """Rows with no symbol table but the kernel's own kallsyms."""
    return [r for r in rows() if r["kallsyms"] == "kallsyms" and not r["symbols"].startswith("symtab")]


def set_image(set_name):
    return CORPUS / next(r["file"] for r in kallsyms_rows() if r["set"] == set_name
                         and r["arch"] == "x86_64")


class Derived(TempDirTest):
    def decoded(self, row, evidence):
        """The row's inspect document, checked against the manifest."""
        r = lucompat("inspect", "--json", CORPUS / row["file"])
        self.assertEqual(r.rc, OK, r)
        doc = r.one()
        table = doc["table"]
        self.assertEqual(table["method"], "registrations")
        self.assertTrue(table["evidence"].startswith(evidence), table["evidence"])
        self.assertEqual({e["compatible"] for e in of_kind(doc, "core")}, strings(row["core"]))
        self.assertEqual({(e["compatible"], e["symbol"]) for e in of_kind(doc, "file")},
                         pairs(row["file_handlers"]))
        self.assertEqual({(e["compatible"], e["symbol"]) for e in of_kind(doc, "flb")},
                         pairs(row["flbs"]))
        for e in table["entries"]:
            self.assertEqual(e["evidence"], evidence)
        return doc

    def test_every_kallsyms_row_decodes_exactly(self):
        self.assertGreater(len(kallsyms_rows()), 0)
        for row in kallsyms_rows():
            with self.subTest(file=row["file"]):
                doc = self.decoded(row, "kallsyms")
                want_btf = "BTF" if row["btf"] == "btf" else "documented layout (6.1 shape)"
                self.assertEqual(doc["table"]["evidence"], f"kallsyms + {want_btf}")

    def test_mainline_bzimages_check_as_their_sets_say(self):
        # M_A -> M_C: luo-v1 and luo-session-v1 are gone.
        r = lucompat("check", "--json", "--no-modules", "--current", set_image("M_A"),
                     "--next", set_image("M_C"))
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        fam = {f["family"]: f for f in r.json()["families"]}
        self.assertEqual(fam["luo"]["verdict"], "incompatible")
        self.assertEqual(fam["luo-session"]["verdict"], "incompatible")
        self.assertEqual(fam["kho"]["verdict"], "compatible")
        # M_A -> M_B: memfd-v1 is still read.
        r = lucompat("check", "--json", "--no-modules", "--current", set_image("M_A"),
                     "--next", set_image("M_B"))
        self.assertEqual(r.rc, OK, r)
        fam = {f["family"]: f for f in r.json()["families"]}
        self.assertEqual(fam["memfd"]["chosen"], "memfd-v1")
        self.assertEqual(r.json()["current"]["evidence"], "registrations (kallsyms + BTF)")

    def test_every_symtab_row_decodes_exactly(self):
        self.assertGreater(len(symtab_rows()), 0)
        for row in symtab_rows():
            with self.subTest(file=row["file"]):
                doc = self.decoded(row, "symtab")
                for e in doc["table"]["entries"]:
                    if doc["kind"] == "module":
                        self.assertEqual(e["module"], doc["identity"]["module_name"])
                        self.assertIsNone(e["address"])
                    elif e["kind"] != "core":
                        self.assertRegex(e["address"], r"^0x[0-9a-f]+$")

    def test_without_symbols_or_kallsyms_a_scan_with_btf_finds_the_set(self):
        """The vmlinux of a symtab row with its symbol table hidden and its
        kallsyms names and token table zeroed (located by its System.map):
        only a structural scan is left, and with the build's BTF it finds the
        manifest's whole set, FLBs included, as `scan` evidence."""
        row = next(r for r in symtab_rows() if r["set"] != "module")
        image = next(r for r in kallsyms_rows() if r["set"] == row["set"] and r["arch"] == row["arch"])
        system_map = {}
        for line in (CORPUS / (image["file"] + ".System.map")).read_text().splitlines():
            address, _, name = line.split()[:3]
            system_map[name] = int(address, 16)
        elf = Elf((CORPUS / row["file"]).read_bytes())
        for i in range(elf.shnum):
            if elf.section(i)["type"] == 2:  # SHT_SYMTAB
                elf.pack("I", elf.shdr(i) + 4, 0)
        for name in ("kallsyms_names", "kallsyms_token_table"):
            offset = elf.offset_of_address(system_map[name])
            elf.data[offset:offset + 4096] = bytes(4096)
        path = self.dir / "scan-only-vmlinux"
        path.write_bytes(bytes(elf.data))
        r = lucompat("inspect", "--json", path)
        self.assertEqual(r.rc, OK, r)
        table = r.one()["table"]
        self.assertEqual(table["evidence"], "scan + BTF")
        got = lambda kind: {e["compatible"] for e in table["entries"] if e["kind"] == kind}
        self.assertEqual(got("core"), strings(row["core"]))
        self.assertEqual(got("file"), {c for c, _ in pairs(row["file_handlers"])})
        self.assertEqual(got("flb"), {c for c, _ in pairs(row["flbs"])})
        self.assertEqual({e["evidence"] for e in table["entries"]}, {"scan"})

    def test_a_compressed_vmlinux_keeps_what_the_derivation_reads(self):
        # A stream over 4 MiB is kept sparsely; the sections the derivation
        # reads (symbols, BTF, loaded data) must be kept too. Before, the
        # zeros where .BTF should be made libbpf refuse the file.
        row = next(r for r in symtab_rows() if r["set"] != "module")
        packed = self.dir / (row["file"] + ".gz")
        packed.write_bytes(gzip.compress((CORPUS / row["file"]).read_bytes(), compresslevel=1))
        plain = lucompat("inspect", "--json", CORPUS / row["file"]).one()
        r = lucompat("inspect", "--json", packed)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(r.one()["table"]["entries"], plain["table"]["entries"])

    def test_text_names_the_evidence(self):
        kernel = next(r for r in symtab_rows() if r["set"] != "module")
        r = lucompat("inspect", CORPUS / kernel["file"])
        self.assertEqual(r.rc, OK, r)
        self.assertIn("registered handlers: ", r.out)
        self.assertIn("(evidence: symtab + BTF)", r.out)

    def modules_dir(self, name, module_row, patch=None):
        d = self.dir / name
        d.mkdir()
        data = bytearray((CORPUS / module_row["file"]).read_bytes())
        if patch:
            patch(data)
        (d / module_row["file"]).write_bytes(bytes(data))
        return d

    def test_check_a_kernel_against_itself(self):
        kernel = CORPUS / next(r for r in symtab_rows() if r["set"] != "module")["file"]
        r = lucompat("check", "--json", "--no-modules", "--current", kernel, "--next", kernel)
        self.assertEqual(r.rc, OK, r)
        doc = r.json()
        self.assertEqual(doc["verdict"], "compatible")
        self.assertEqual(doc["current"]["evidence"], "registrations (symtab + BTF)")
        self.assertEqual(set(doc["next"]["strings"]), strings(row_of(kernel_set(kernel))["core"]) |
                         {c for c, _ in pairs(row_of(kernel_set(kernel))["file_handlers"])} |
                         {c for c, _ in pairs(row_of(kernel_set(kernel))["flbs"])})

    def test_check_with_modules(self):
        kernel = CORPUS / next(r for r in symtab_rows() if r["set"] != "module")["file"]
        modules = [r for r in symtab_rows() if r["set"] == "module"]
        v1 = next(m for m in modules if "vfio-pci-v1" in m["file_handlers"])
        cur = self.modules_dir("cur", v1)
        same = self.modules_dir("same", v1)
        r = lucompat("check", "--json", "--uses", "vfio-pci", "--current", kernel, "--next", kernel,
                     "--current-modules", cur, "--next-modules", same)
        self.assertEqual(r.rc, OK, r)
        fam = {f["family"]: f for f in r.json()["families"]}
        self.assertEqual(fam["vfio-pci"]["verdict"], "compatible")
        for flb, _ in pairs(v1["flbs"]):
            self.assertIn(flb, r.json()["next"]["strings"])

        # The next side's module lacks its pci FLB: its compatible is blanked,
        # so the object is no FLB any more. vfio-pci needs pci (the catalog's
        # `needs`), so its files cannot be restored.
        doc = lucompat("inspect", "--json", CORPUS / v1["file"]).one()
        pci = next(e for e in of_kind(doc, "flb") if e["compatible"].startswith("pci-"))
        pointer = doc["elf"]["class"] // 8

        def blank(data):
            data[pci["offset"] + pointer:pci["offset"] + pointer + 48] = bytes(48)

        nopci = self.modules_dir("nopci", v1, blank)
        r = lucompat("check", "--json", "--uses", "vfio-pci", "--current", kernel, "--next", kernel,
                     "--current-modules", cur, "--next-modules", nopci)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertNotIn(pci["compatible"], r.json()["next"]["strings"])
        fam = {f["family"]: f for f in r.json()["families"]}
        self.assertEqual(fam["pci"]["next_understands"], [])
        self.assertEqual(fam["vfio-pci"]["verdict"], "incompatible")
        self.assertTrue(any("needs pci" in x for x in fam["vfio-pci"]["reasons"]), fam["vfio-pci"])


class TwoCoreVersions(TempDirTest):
    def test_two_versions_of_one_core_family_leave_check_undecided(self):
        row = next(r for r in symtab_rows() if r["set"] != "module")
        kernel = CORPUS / row["file"]
        doc = lucompat("inspect", "--json", kernel).one()
        core = of_kind(doc, "core")
        luo = next(e for e in core if e["compatible"].startswith("luo-v"))
        other = next(e for e in core if e is not luo and len(e["compatible"]) == len(luo["compatible"]))
        twin = luo["compatible"][:-1] + str(int(luo["compatible"][-1]) % 9 + 1)
        data = bytearray(kernel.read_bytes())
        data[other["offset"]:other["offset"] + len(twin)] = twin.encode()
        patched = self.dir / "two-luo"
        patched.write_bytes(bytes(data))
        d = lucompat("inspect", "--json", patched).one()
        self.assertEqual({luo["compatible"], twin} <= {e["compatible"] for e in of_kind(d, "core")}, True)
        r = lucompat("check", "--no-modules", "--current", patched, "--next", kernel)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("core strings of luo", r.out + r.err)


def kernel_set(path):
    return next(r["set"] for r in symtab_rows() if CORPUS / r["file"] == path)


if __name__ == "__main__":
    if not MANIFEST.is_file():
        print(f"skipped: no corpus at {MANIFEST}", file=sys.stderr)
        sys.exit(77)
    main()
