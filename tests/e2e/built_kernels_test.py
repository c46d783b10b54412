"""Kernels built by the corpus's own scripts that the corpus does not ship:
s390x and i386 of the mainline shape (build-mainline.sh s390x i386), a
riscv64 raw Image carrying an RFC table (build.sh riscv64), or any other
stage (issue 23, class 8). Each stashed kernel must yield what the corpus
manifests list for its set (mainline: core strings, file handlers, FLBs) or
its table (RFC: the table's entries), from every file of its stash.

Opt-in, since a build takes minutes: LUCOMPAT_BUILT_KERNELS names the
scripts' `out` directories, separated by ':'. Skipped (exit 77) without it
or without the corpus."""

import csv
import os
import sys
import unittest
from pathlib import Path

from lucompat_e2e import OK, lucompat, main

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
# The stash's own notes, not kernels.
NOT_KERNELS = {"arch", "config", "kernelrelease", "set", "table", "System.map"}


def rows(manifest):
    with manifest.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def names(cell):
    """'memfd-v1:memfd_luo_handler,...' or 'luo-v1,...' -> the compatibles."""
    return set() if cell in ("", "-") else {p.split(":", 1)[0] for p in cell.split(",")}


def expected_set(set_name):
    """{kind: compatibles} of a mainline-shape set, as its manifest rows list it."""
    row = next(r for r in rows(CORPUS / "mainline" / "MANIFEST.tsv") if r["set"] == set_name)
    return {"core": names(row["core"]), "file": names(row["file_handlers"]),
            "flb": names(row["flbs"])}


def expected_table(table):
    row = next(r for r in rows(CORPUS / "MANIFEST.tsv") if r["table"] == table)
    return names(row["entries"])


def stashes():
    dirs = [Path(d) for d in os.environ.get("LUCOMPAT_BUILT_KERNELS", "").split(":") if d]
    return sorted(s for d in dirs for s in d.iterdir() if (s / "arch").is_file())


class BuiltKernels(unittest.TestCase):
    def test_every_stashed_kernel_yields_its_set(self):
        found = stashes()
        self.assertTrue(found, "LUCOMPAT_BUILT_KERNELS names no stash")
        for stash in found:
            kernels = [f for f in sorted(stash.iterdir()) if f.name not in NOT_KERNELS]
            for kernel in kernels:
                with self.subTest(stash=stash.name, file=kernel.name):
                    r = lucompat("inspect", "--json", kernel)
                    self.assertEqual(r.rc, OK, r)
                    table = r.one()["table"]
                    if (stash / "set").is_file():
                        want = expected_set((stash / "set").read_text().strip())
                        got = {kind: {e["compatible"] for e in table["entries"]
                                      if e.get("kind") == kind} for kind in want}
                        self.assertEqual(got, want)
                    else:
                        want = expected_table((stash / "table").read_text().strip())
                        self.assertEqual({e["compatible"] for e in table["entries"]}, want)


if __name__ == "__main__":
    if not os.environ.get("LUCOMPAT_BUILT_KERNELS"):
        print("skipped: LUCOMPAT_BUILT_KERNELS names no build-mainline.sh or build.sh out directory")
        sys.exit(77)
    if not (CORPUS / "MANIFEST.tsv").is_file():
        print(f"skipped: no corpus at {CORPUS}")
        sys.exit(77)
    main()
