"""Conformance with the shared corpus of real kernels: every row of
MANIFEST.tsv (bzImages in every compression, EFI stubs, raw and gzipped arm64
Images, EFI zboot, vmlinux, modules plain and compressed, Debian's own
images) must yield the manifest's container chain, compression, architecture,
release, banner and exact entries, or no table. Driven by the manifest;
skipped (exit 77) when the corpus is absent, as in a user's clone."""

import csv
import hashlib
import os
import re
import sys
import unittest
from pathlib import Path

from lucompat_e2e import INPUT_TIMEOUT, OK, UNDECIDABLE, entries, lucompat, main

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
MANIFEST = CORPUS / "MANIFEST.tsv"
REAL = CORPUS / "real"  # real 7.x kernels, with a manifest of their own


def rows(manifest=MANIFEST):
    with manifest.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def expected_chain(container, compression):
    """The leading container formats the manifest's description implies, and
    what the innermost data must be ('elf-executable', 'elf-relocatable', 'raw')."""
    m = re.fullmatch(r"(\w+)\((.*)\)", container)
    if m:
        inner, terminal = expected_chain(m[2], "none")
        return [m[1]] + inner, terminal
    if container.startswith("ELF executable"):
        return [], "elf-executable"
    if container.startswith("ELF relocatable"):
        return [], "elf-relocatable"
    if "bzImage" in container:
        return [container, compression], "elf-executable"
    if "zboot" in container:
        return ["EFI zboot", compression], "raw"
    if "Image" in container:
        return [container], "raw"
    raise ValueError(f"manifest container not understood: {container}")


def terminal_of(doc):
    if doc["format"] == "raw binary image":
        return "raw"
    return "elf-" + doc["elf"]["type"]


class Corpus(unittest.TestCase):
    def test_every_row(self):
        self.assertGreater(len(rows()), 0)
        for row in rows():
            with self.subTest(file=row["file"]):
                path = CORPUS / row["file"]
                self.assertEqual(hashlib.sha256(path.read_bytes()).hexdigest(), row["sha256"],
                                 "corpus file differs from the manifest")
                self.check(path, row)

    def check(self, path, row):
        want_table = row["entries"] != "-"
        r = lucompat("inspect", "--json", path, timeout=INPUT_TIMEOUT)
        self.assertEqual(r.rc, OK if want_table else UNDECIDABLE, r)
        doc = r.one()
        chain, terminal = expected_chain(row["container"], row["compression"])
        got = [layer["format"] for layer in doc["chain"]]
        self.assertEqual(got[:len(chain)], chain)
        self.assertEqual(terminal_of(doc), terminal)
        self.assertEqual(doc["compression"] or "none", row["compression"])
        self.assertEqual(doc["arch"], row["arch"])
        self.assertEqual(doc["identity"]["release"], row["kernelrelease"])
        self.assertEqual(doc["identity"]["banner"], row["banner"] or None)
        for layer in doc["chain"]:
            self.assertEqual(layer["warnings"], [])
            if layer["compression"] and layer["size_trailer"] is not None:
                self.assertEqual(layer["size_trailer"], layer["decompressed_size"] % 2**32)
        if not want_table:
            self.assertEqual(doc["status"], "no_table")
            self.assertIsNone(doc["table"])
            return
        self.assertEqual(doc["status"], "table")
        want = row["entries"].split(",") if row["entries"] else []
        self.assertEqual(entries(doc), want)
        self.assertEqual(doc["table"]["warnings"], [])

    def test_early_exit_agrees_with_the_full_read(self):
        for row in rows():
            with self.subTest(file=row["file"]):
                path = CORPUS / row["file"]
                full = lucompat("inspect", "--json", path, timeout=INPUT_TIMEOUT)
                early = lucompat("inspect", "--json", "--early-exit", path, timeout=INPUT_TIMEOUT)
                self.assertEqual(early.rc, full.rc, early)
                a, b = full.one(), early.one()
                self.assertEqual(b["identity"], a["identity"])
                self.assertEqual(b["status"], a["status"])
                if a["table"]:
                    self.assertEqual(entries(b), entries(a))
                    self.assertEqual(b["table"]["offset"], a["table"]["offset"])


@unittest.skipUnless((REAL / "MANIFEST.tsv").is_file(), "no real kernels in the corpus")
class RealKernels(unittest.TestCase):
    def test_every_bzimage_is_unwrapped_to_its_kernel(self):
        # Mainline's scripts/xz_wrap.sh gives every payload a 128 MiB
        # dictionary, which was refused. Only the unwrapping is checked here,
        # whatever the exit code says of the registrations.
        bzimages = [row for row in rows(REAL / "MANIFEST.tsv") if row["container"] == "bzImage"]
        self.assertGreater(len(bzimages), 0)
        for row in bzimages:
            with self.subTest(file=row["file"]):
                r = lucompat("inspect", "--json", REAL / row["file"], timeout=INPUT_TIMEOUT)
                doc = r.one()
                self.assertIn("chain", doc, r)
                self.assertEqual([layer["format"] for layer in doc["chain"]],
                                 ["x86 bzImage", row["compression"]], r)
                stream = doc["chain"][1]
                self.assertEqual(stream["warnings"], [])
                self.assertEqual(stream["size_trailer"], stream["decompressed_size"])
                self.assertEqual(terminal_of(doc), "elf-executable")
                self.assertEqual(doc["arch"], row["arch"])
                # The manifest gives the banner without the build's date.
                self.assertTrue(doc["identity"]["banner"].startswith(row["banner"]),
                                doc["identity"]["banner"])


if __name__ == "__main__":
    if not MANIFEST.is_file():
        print(f"SKIP: no corpus at {CORPUS} (MANIFEST.tsv absent)")
        sys.exit(77)
    main()
