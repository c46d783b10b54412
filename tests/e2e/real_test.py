"""Real Linux 7.x LUO kernels on the host (corpus/real): every file gives
exactly the set its MANIFEST.tsv row lists, and `check` between two of them
gives what a real live update between them does (TRUTH.tsv): compatible when
the update works, incompatible naming the family and what the next kernel
would do when it does not. The same rows, gated inside a guest, are
real_kernels_test.py. Skipped (exit 77) when the corpus is absent."""

import csv
import os
import re
import sys
from pathlib import Path

from lucompat_e2e import INCOMPATIBLE, OK, UNDECIDABLE, TempDirTest, lucompat, main

REAL = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus")) / "real"
MANIFEST = REAL / "MANIFEST.tsv"
TRUTH = REAL / "TRUTH.tsv"
# The command line the selftest boots both kernels with.
CMDLINE = "console=ttyS0 liveupdate=on panic=-1"


def table(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def manifest_set(row):
    """{(compatible, kind, symbol)}: a manifest row's core strings, file
    handlers and FLBs (the last two as compatible:symbol)."""
    out = {(c, "core", None) for c in row["core"].split(",") if c not in ("", "-")}
    for column, kind in (("file_handlers", "file"), ("flbs", "flb")):
        for item in row[column].split(","):
            if item not in ("", "-"):
                compatible, symbol = item.split(":", 1)
                out.add((compatible, kind, symbol))
    return out


def what_truth_says(row):
    """'works', 'panic' or 'every session lost', from a TRUTH.tsv row."""
    if row["outcome"] == "passed":
        return "works"
    return "panic" if "Kernel panic" in row["kernel_log"] else "every session lost"


def lost_family(current, nxt):
    """The family of the one core or handler string CURRENT writes and NEXT
    lacks, by the manifests ('memfd-v2' -> 'memfd')."""
    def strings(row):
        return {c for c, kind, _ in manifest_set(row) if kind in ("core", "file")}
    (lost,) = strings(current) - strings(nxt)
    return re.sub(r"-v\d+$", "", lost)


class Real(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manifest = {r["file"]: r for r in table(MANIFEST)}

    def test_every_file_gives_its_manifest_set(self):
        for row in self.manifest.values():
            with self.subTest(file=row["file"]):
                r = lucompat("inspect", "--json", REAL / row["file"])
                self.assertEqual(r.rc, OK, r)
                doc = r.one()
                self.assertEqual(doc["liveupdate"], "present")
                self.assertEqual(doc["identity"]["release"], row["kernelrelease"])
                self.assertTrue(doc["identity"]["banner"].startswith(row["banner"]), doc["identity"])
                t = doc["table"]
                self.assertEqual(t["method"], "registrations")
                self.assertTrue(t["complete"], t["gaps"])
                evidence = "symtab" if row["symbols"].startswith("symtab") else "kallsyms"
                self.assertEqual(t["evidence"], f"{evidence} + BTF")
                got = {(e["compatible"], e["kind"], e["symbol"] if e["kind"] != "core" else None)
                       for e in t["entries"] if e["kind"] != "subtree"}
                self.assertEqual(got, manifest_set(row))
                # KHO's own subtrees, beside LUO's, have no manifest column.
                self.assertEqual({e["compatible"] for e in t["entries"] if e["kind"] == "subtree"},
                                 {"memblock-v1", "reserve-mem-v1"})

    def test_check_says_what_a_real_live_update_does(self):
        for row in table(TRUTH):
            with self.subTest(current=row["current"], next=row["next"]):
                r = lucompat("check", "--no-modules", "--next-cmdline", CMDLINE,
                             "--current", REAL / row["current"], "--next", REAL / row["next"])
                truth = what_truth_says(row)
                if truth == "works":
                    self.assertEqual(r.rc, OK, r)
                    continue
                self.assertEqual(r.rc, INCOMPATIBLE, r)
                family = lost_family(self.manifest[row["current"]], self.manifest[row["next"]])
                self.assertRegex(r.out, rf"(?m)^{family}\s.*\sincompatible$")
                summary = r.out.rstrip("\n").splitlines()[-1]
                self.assertTrue(summary.startswith(f"INCOMPATIBLE: {family}: "), summary)
                words = r"\bpanic" if truth == "panic" else r"\bevery preserved session"
                self.assertRegex(summary, words)

    def test_without_liveupdate_on_nothing_is_restored(self):
        """Item 5: the next kernel's command line must turn LUO on."""
        a = REAL / "x86_64-vmlinux-7.3.4-asis"
        r = lucompat("check", "--json", "--no-modules", "--next-cmdline", "console=ttyS0 quiet",
                     "--current", a, "--next", a)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        doc = r.json()
        self.assertEqual([u["code"] for u in doc["update_details"]], ["luo_disabled"])
        self.assertIn("has no liveupdate=on", doc["summary"])
        r = lucompat("check", "--no-modules", "--next-cmdline", "liveupdate=on kho=off",
                     "--current", a, "--next", a)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertIn("has kho=off (LUO needs KHO)", r.out)

    def test_an_incomplete_kernel_is_undecided_but_a_core_mismatch_is_not(self):
        """Items 8 and issue 23: a handler whose ops cannot be vouched for
        makes its kernel's set incomplete (undecided), unless a core
        mismatch both kernels show already proves the update incompatible."""
        a = REAL / "x86_64-vmlinux-7.3.4-asis"
        doc = lucompat("inspect", "--json", a).one()
        memfd = next(e for e in doc["table"]["entries"] if e["kind"] == "file")
        data = bytearray(a.read_bytes())
        data[memfd["offset"]:memfd["offset"] + 8] = (1).to_bytes(8, "little")  # its ops pointer
        broken = self.dir / "broken-vmlinux"
        broken.write_bytes(bytes(data))
        r = lucompat("inspect", "--json", broken)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertEqual(len(r.one()["table"]["near_misses"]), 1)
        r = lucompat("check", "--no-modules", "--next-cmdline", CMDLINE, "--current", broken,
                     "--next", a)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        luo_v6 = REAL / "x86_64-bzImage-xz-7.3.4-luo-v6"
        r = lucompat("check", "--no-modules", "--next-cmdline", CMDLINE, "--current", broken,
                     "--next", luo_v6)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertIn("luo: the next kernel would panic on boot", r.out)


if __name__ == "__main__":
    if not MANIFEST.is_file():
        print(f"skipped: no corpus at {MANIFEST}", file=sys.stderr)
        sys.exit(77)
    main()
