"""Real kernels booted under QEMU (TCG): the built lucompat runs inside a guest
of the mainline-shape corpus kernel M_B, the corpus module loads into it, and
`lucompat kexec` refuses M_C (luo-v2) and boots M_A from it with
kexec_file_load on the very file it checked. Every expected value comes from corpus/mainline/MANIFEST.tsv or
from the same binary run on the host. A missing QEMU fails the test with an
install hint; an absent corpus skips it (exit 77)."""

import csv
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

import qemu_guest
from lucompat_e2e import LUCOMPAT, OK, UNDECIDABLE, lucompat, main

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
MAINLINE = CORPUS / "mainline"
MANIFEST = MAINLINE / "MANIFEST.tsv"
GUEST_LUCOMPAT = "/usr/bin/lucompat"

# docs/exit-codes.md: inspect exits 0 when the input has a table, 4 when not.
EXIT_FOR_STATUS = {"table": OK, "no-table": UNDECIDABLE}


def manifest():
    with MANIFEST.open(newline="") as f:
        return {r["file"]: r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def row(kind, set_name):
    """The one x86_64 row of a container kind ('bzImage', 'module') and set."""
    found = [r for r in manifest().values()
             if r["arch"] == "x86_64" and kind in r["container"] and r["set"] == set_name]
    if len(found) != 1:
        raise AssertionError(f"manifest: want one x86_64 {kind} of set {set_name}, found {len(found)}")
    return found[0]


def manifest_strings(r):
    """Every compatible string a manifest row lists: core, handlers, FLBs
    (the last two as compatible:symbol)."""
    strings = set(r["core"].split(","))
    for column in ("file_handlers", "flbs"):
        strings |= {item.split(":")[0] for item in r[column].split(",") if item}
    return strings


def guest_path(r):
    return f"/kernels/{r['file']}" if r["set"] != "module" else f"/modules/{r['file']}"


class Qemu(unittest.TestCase):
    """One guest run (two boots) shared by the tests: a boot is the cost."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="lucompat-qemu-"))
        cls.b, cls.a, cls.c = row("bzImage", "M_B"), row("bzImage", "M_A"), row("bzImage", "M_C")
        cls.module = next(r for r in manifest().values()
                          if r["set"] == "module" and r["file"].endswith("-v1.ko"))
        qemu_guest.require_tools()  # before anything else: fail with the install hint
        # The sanitizers' options of the host suite (make asan) hold in the guest too.
        guest = qemu_guest.Guest(cls.dir, env={k: v for k, v in os.environ.items()
                                               if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")})
        guest.add(GUEST_LUCOMPAT, LUCOMPAT, executable=True, strip_debug=True)
        for r in (cls.b, cls.a, cls.c, cls.module):
            guest.add(guest_path(r), MAINLINE / r["file"])
        cls.commands = {
            "version": "cat /proc/version",
            "inspect": f"{GUEST_LUCOMPAT} inspect --json {guest_path(cls.b)}",
            "insmod": f"insmod {guest_path(cls.module)}",
            "modules": "cat /proc/modules",
            # M_C writes luo-v2: refused, and nothing is loaded.
            "kexec_refused": (f"{GUEST_LUCOMPAT} kexec --no-modules --current {guest_path(cls.b)}"
                              f" --next {guest_path(cls.c)} --exec"),
            "loaded_after_refusal": "cat /sys/kernel/kexec_loaded",
            # M_B -> M_A for memfd-v1: loaded from the checked file, then booted.
            "kexec": (f"{GUEST_LUCOMPAT} kexec --no-modules --current {guest_path(cls.b)}"
                      f" --next {guest_path(cls.a)} --uses memfd --emit memfd=memfd-v1"
                      f" --initrd {qemu_guest.INITRAMFS_IN_GUEST}"
                      f" --append '{qemu_guest.cmdline(boot=2)}' --exec"),
        }
        second = {"version_after_kexec": "cat /proc/version"}
        start = time.monotonic()
        # 512 MiB suffices under ASan too: its shadow is reserved, not committed.
        boots, cls.console = guest.run(MAINLINE / cls.b["file"],
                                       [list(cls.commands.values()), list(second.values())],
                                       memory=512)
        print(f"\nqemu: two boots and {len(cls.commands) + len(second)} commands "
              f"in {time.monotonic() - start:.1f} s", file=sys.stderr)
        cls.results = dict(zip(cls.commands, boots[0]))
        cls.results.update(zip(second, boots[1]))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def result(self, name):
        self.assertIn(name, self.results, f"no result for {name}; console:\n{self.console}")
        return self.results[name]

    def test_guest_runs_the_kernel_under_test(self):
        r = self.result("version")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.rstrip("\n"), self.b["banner"])

    def test_inspect_inside_the_guest(self):
        r = self.result("inspect")
        doc = json.loads(r.out)
        # Identity as the manifest records it.
        self.assertEqual(doc["identity"]["release"], self.b["kernelrelease"])
        self.assertEqual(doc["identity"]["banner"], self.b["banner"])
        self.assertEqual(doc["arch"], self.b["arch"])
        self.assertEqual(doc["compression"] or "none", self.b["compression"])
        # The exit code is the one docs/exit-codes.md gives for the status.
        self.assertIn(doc["status"], EXIT_FOR_STATUS, r)
        self.assertEqual(r.rc, EXIT_FOR_STATUS[doc["status"]], r)
        # A table, once inspect derives one from the registrations, holds what
        # the manifest lists: the core strings, file handlers and FLBs.
        if doc["status"] == "table":
            self.assertEqual({e["compatible"] for e in doc["table"]["entries"]},
                             manifest_strings(self.b))
        # And the guest changes nothing: the same binary on the host reads the
        # same file to the same document (only the path differs).
        host = lucompat("inspect", "--json", MAINLINE / self.b["file"])
        self.assertEqual(r.rc, host.rc, host)
        want = host.json()
        want["input"] = guest_path(self.b)
        self.assertEqual(doc, want)
        self.assertEqual(r.err, host.err)

    def test_module_loads(self):
        r = self.result("insmod")
        self.assertEqual(r.rc, 0, r)
        name = lucompat("inspect", "--json", MAINLINE / self.module["file"]).json()["identity"]["module_name"]
        loaded = [line.split()[0] for line in self.result("modules").out.splitlines()]
        self.assertIn(name, loaded)

    def test_lucompat_kexec_refuses_an_incompatible_kernel(self):
        r = self.result("kexec_refused")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("luo: the running kernel writes luo-v1 but the next kernel reads only luo-v2", r.out)
        self.assertIn("nothing was loaded", r.err)
        self.assertEqual(self.result("loaded_after_refusal").out.strip(), "0")

    def test_lucompat_kexec_boots_the_next_kernel(self):
        # lucompat kexec --exec never returns when it works: the next line is boot 2.
        self.assertIsNone(self.result("kexec").rc, self.result("kexec"))
        r = self.result("version_after_kexec")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.rstrip("\n"), self.a["banner"])
        self.assertNotEqual(self.a["banner"], self.b["banner"])


if __name__ == "__main__":
    if not MANIFEST.is_file():
        print(f"SKIP: no corpus at {CORPUS} (mainline/MANIFEST.tsv absent)")
        sys.exit(77)
    main()
