"""Conformance with the shared corpus of real kernels: every row of
MANIFEST.tsv whose file is an ELF (vmlinux or module) must yield exactly the
manifest's release, banner and entries, or no table. Driven by the manifest;
skipped (exit 77) when the corpus is absent, as in a user's clone."""

import csv
import hashlib
import os
import sys
import unittest
from pathlib import Path

from lucompat_e2e import OK, UNDECIDABLE, entries, lucompat, main

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
MANIFEST = CORPUS / "MANIFEST.tsv"


def rows():
    with MANIFEST.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def is_elf(path):
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


class Corpus(unittest.TestCase):
    def test_manifest_has_rows(self):
        self.assertGreater(len(rows()), 0)

    def test_every_elf_row(self):
        checked = 0
        for row in rows():
            path = CORPUS / row["file"]
            with self.subTest(file=row["file"]):
                self.assertEqual(hashlib.sha256(path.read_bytes()).hexdigest(), row["sha256"],
                                 "corpus file differs from the manifest")
                if not is_elf(path):
                    self.skipTest(f"{row['container']}: not an ELF file; containers are read "
                                  "by the container layer, not by this ELF reader yet")
                self.check(path, row)
                checked += 1
        print(f"\n{checked} ELF rows checked", file=sys.stderr)

    def check(self, path, row):
        want_table = row["entries"] != "-"
        r = lucompat("inspect", "--json", path)
        self.assertEqual(r.rc, OK if want_table else UNDECIDABLE, r)
        doc = r.json()
        self.assertEqual(doc["identity"]["release"], row["kernelrelease"])
        self.assertEqual(doc["identity"]["banner"], row["banner"] or None)
        if not want_table:
            self.assertEqual(doc["status"], "no-table")
            self.assertIsNone(doc["table"])
            return
        self.assertEqual(doc["status"], "table")
        want = row["entries"].split(",") if row["entries"] else []
        self.assertEqual(entries(doc), want)
        self.assertEqual(doc["table"]["warnings"], [])


if __name__ == "__main__":
    if not MANIFEST.is_file():
        print(f"SKIP: no corpus at {CORPUS} (MANIFEST.tsv absent)")
        sys.exit(77)
    main()
