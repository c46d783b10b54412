"""Real kernels booted under QEMU (TCG): the built lucompat runs inside a guest
of the mainline-shape corpus kernel M_B. `inspect --running` reads what the
kernel registers now through /proc/kcore: its built-in handlers, then a
module's as it loads, and no more once it unloads. `check` and `lucompat
kexec` judge from that live reading: kexec refuses M_C (luo-v2) and boots M_A
with kexec_file_load on the very file it checked. In M_A, a module that
unloads without unregistering leaves freed nodes on the list: the live query
and check then refuse to answer. Every expected value comes from
corpus/mainline/MANIFEST.tsv or from the same binary run on the host over
the same files. A missing QEMU fails the test with an install hint; an
absent corpus skips it (exit 77)."""

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
# Built from tests/e2e/modules/lu_luo_unreg/ by build-lu_luo_unreg.sh: it
# unlinks its handlers and FLBs on unload unless unregister=0.
UNREG_MODULE = Path(__file__).resolve().parent / "modules" / "lu_luo_unreg.ko"
GATE = Path(__file__).resolve().parents[2] / "contrib" / "gate" / "lucompat-kexec-gate"
GUEST_GATE = "/usr/bin/lucompat-kexec-gate"
# luoctl boots the kernel lucompat loaded; kexec-tools' `kexec -e` does the
# same in the guest, after saying on the console how it was called.
LUOCTL_STANDIN = """#!/bin/sh
echo "luoctl-standin: $*" > /dev/console
[ "$1" = kexec ] || exit 2
exec /sbin/kexec -e
"""
MAINLINE = CORPUS / "mainline"
MANIFEST = MAINLINE / "MANIFEST.tsv"
GUEST_LUCOMPAT = "/usr/bin/lucompat"

# docs/exit-codes.md: inspect exits 0 when the input has a table or a complete
# derived set, 4 when it has neither.
EXIT_FOR_STATUS = {"table": OK, "derived": OK, "no_table": UNDECIDABLE}


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


def registered(doc):
    """compatible -> (kind, owner module, symbol) of a live reading's entries."""
    return {e["compatible"]: (e["kind"], e["module"], e["symbol"]) for e in doc["table"]["entries"]}


def expected_registrations(r, owner):
    """What a manifest row (or a host reading of a module) says one owner
    registers: core strings, handlers and FLBs with their symbols."""
    out = {c: ("core", owner, None) for c in r["core"].split(",") if c and c != "-"}
    for column, kind in (("file_handlers", "file"), ("flbs", "flb")):
        for item in r[column].split(","):
            if item:
                compatible, symbol = item.split(":")
                out[compatible] = (kind, owner, symbol)
    return out


def host_module(path):
    """A module as the host's lucompat reads it from the file: its name and
    what it registers (derived from its symbol table)."""
    doc = lucompat("inspect", "--json", path).one()
    name = doc["identity"]["module_name"]
    return name, {e["compatible"]: (e["kind"], name, e["symbol"]) for e in doc["table"]["entries"]}


class Qemu(unittest.TestCase):
    """One guest run (three boots) shared by the tests: a boot is the cost."""

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
        guest.add("/modules/lu_luo_unreg.ko", UNREG_MODULE)
        guest.add(GUEST_GATE, GATE, executable=True)
        kexec = shutil.which("kexec") or "/sbin/kexec"
        if not Path(kexec).is_file():
            raise qemu_guest.GuestError(f"kexec not found: {qemu_guest.INSTALL_HINT}")
        guest.add("/sbin/kexec", kexec, executable=True)
        luoctl = cls.dir / "luoctl"
        luoctl.write_text(LUOCTL_STANDIN)
        guest.add("/usr/bin/luoctl", luoctl, executable=True)
        running = f"{GUEST_LUCOMPAT} inspect --running --json"
        cls.commands = {
            "version": "cat /proc/version",
            "inspect": f"{GUEST_LUCOMPAT} inspect --json {guest_path(cls.b)}",
            "running_builtin": running,
            "insmod_unreg": "insmod /modules/lu_luo_unreg.ko",
            "running_unreg": running,
            "rmmod_unreg": "rmmod lu_luo_unreg",
            "running_after_rmmod": running,
            "insmod": f"insmod {guest_path(cls.module)}",
            "modules": "cat /proc/modules",
            "running_loaded": running,
            # check's running side is the live reading: M_B and the loaded module.
            "check_a": f"{GUEST_LUCOMPAT} check --json --next {guest_path(cls.a)}",
            "check_c": f"{GUEST_LUCOMPAT} check --json --next {guest_path(cls.c)}",
            # M_C writes luo-v2: refused, and nothing is loaded, by the gate
            # as by lucompat kexec.
            "gate_refused": f"{GUEST_GATE} --next {guest_path(cls.c)} -- --reboot",
            "loaded_after_gate_refusal": "cat /sys/kernel/kexec_loaded",
            "kexec_refused": f"{GUEST_LUCOMPAT} kexec --next {guest_path(cls.c)} --exec",
            "loaded_after_refusal": "cat /sys/kernel/kexec_loaded",
            # M_B -> M_A for memfd-v1: loaded from the checked file, then booted.
            "kexec": (f"{GUEST_LUCOMPAT} kexec --next {guest_path(cls.a)} --uses memfd --emit memfd=memfd-v1"
                      f" --initrd {qemu_guest.INITRAMFS_IN_GUEST} --append '{qemu_guest.CMDLINE}' --exec"),
        }
        cls.second = {
            "version_after_kexec": "cat /proc/version",
            "running_m_a": running,
            # The gate's documented example (lucompat-kexec-gate(1),
            # docs/integration.md): lucompat kexec loads M_B with the running
            # kernel's command line, then "luoctl kexec --reboot" boots it.
            "gate": (f"{GUEST_GATE} --next {guest_path(cls.b)} --initrd {qemu_guest.INITRAMFS_IN_GUEST}"
                     f" --reuse-cmdline -- --reboot"),
        }
        cls.third = {
            "version_after_gate": "cat /proc/version",
            # Unloaded without unregistering: its nodes stay linked in freed memory.
            "leak": "insmod /modules/lu_luo_unreg.ko unregister=0 && rmmod lu_luo_unreg",
            "running_dangling": running,
            "check_dangling": f"{GUEST_LUCOMPAT} check --next {guest_path(cls.a)}",
        }
        boots_commands = [cls.commands, cls.second, cls.third]
        start = time.monotonic()
        # The initramfs lives in a tmpfs of half the guest's memory, and each
        # boot's archive holds the next one's: under ASan (a 126 MB binary)
        # boot 1 unpacks about 200 MB, which 512 MiB cannot hold. ASan's
        # shadow is reserved, not committed, and costs nothing here.
        # The ASan + UBSan build at -O0 under TCG is many times slower: each
        # check decompresses a kernel. The guard grows with it.
        timeout = qemu_guest.BOOT_TIMEOUT * (6 if os.environ.get("LUCOMPAT_SANITIZED") == "1" else 1)
        boots, cls.console = guest.run(MAINLINE / cls.b["file"],
                                       [list(c.values()) for c in boots_commands], memory=1024,
                                       timeout=timeout)
        print(f"\nqemu: three boots and {sum(map(len, boots_commands))} commands "
              f"in {time.monotonic() - start:.1f} s", file=sys.stderr)
        cls.results = {}
        for commands, results in zip(boots_commands, boots):
            cls.results.update(zip(commands, results))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def result(self, name):
        self.assertIn(name, self.results, f"no result for {name}; console:\n{self.console}")
        return self.results[name]

    def live(self, name):
        """A live reading's document, after the checks every one must pass."""
        r = self.result(name)
        self.assertEqual(r.rc, 0, r)
        [doc] = json.loads(r.out)
        self.assertEqual(doc["table"]["method"], "running")
        self.assertEqual(doc["table"]["evidence"], "kallsyms + BTF + kcore")
        for e in doc["table"]["entries"]:
            self.assertEqual(e["evidence"], "kcore")
        return doc

    def test_guest_runs_the_kernel_under_test(self):
        r = self.result("version")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.out.rstrip("\n"), self.b["banner"])

    def test_inspect_inside_the_guest(self):
        r = self.result("inspect")
        [doc] = json.loads(r.out)
        # Identity as the manifest records it.
        self.assertEqual(doc["identity"]["release"], self.b["kernelrelease"])
        self.assertEqual(doc["identity"]["banner"], self.b["banner"])
        self.assertEqual(doc["arch"], self.b["arch"])
        self.assertEqual(doc["compression"] or "none", self.b["compression"])
        # The exit code is the one docs/exit-codes.md gives for the status.
        self.assertIn(doc["status"], EXIT_FOR_STATUS, r)
        self.assertEqual(r.rc, EXIT_FOR_STATUS[doc["status"]], r)
        self.assertEqual(doc["status"], "derived")
        self.assertEqual({e["compatible"] for e in doc["table"]["entries"]}, manifest_strings(self.b))
        # And the guest changes nothing: the same binary on the host reads the
        # same file to the same document (only the path differs).
        host = lucompat("inspect", "--json", MAINLINE / self.b["file"])
        self.assertEqual(r.rc, host.rc, host)
        want = host.one()
        want["input"] = guest_path(self.b)
        self.assertEqual(doc, want)
        self.assertEqual(r.err, host.err)

    def test_running_lists_the_built_in_registrations(self):
        doc = self.live("running_builtin")
        # Proven to be the running kernel: its banner, read through kcore.
        self.assertEqual(doc["identity"]["banner"], self.b["banner"])
        self.assertEqual(doc["identity"]["release"], self.b["kernelrelease"])
        self.assertEqual(doc["arch"], self.b["arch"])
        self.assertEqual(registered(doc), expected_registrations(self.b, "vmlinux"))

    def test_running_follows_a_module_that_loads_and_unloads(self):
        self.assertEqual(self.result("insmod_unreg").rc, 0, self.result("insmod_unreg"))
        name, module = host_module(UNREG_MODULE)
        self.assertEqual(name, "lu_luo_unreg")
        self.assertEqual({v[0] for v in module.values()}, {"file", "flb"})
        self.assertEqual(registered(self.live("running_unreg")),
                         {**expected_registrations(self.b, "vmlinux"), **module})
        self.assertEqual(self.result("rmmod_unreg").rc, 0, self.result("rmmod_unreg"))
        self.assertEqual(registered(self.live("running_after_rmmod")),
                         expected_registrations(self.b, "vmlinux"))

    def test_running_lists_the_corpus_module_with_its_owner(self):
        r = self.result("insmod")
        self.assertEqual(r.rc, 0, r)
        name, _ = host_module(MAINLINE / self.module["file"])
        loaded = [line.split()[0] for line in self.result("modules").out.splitlines()]
        self.assertIn(name, loaded)
        self.assertEqual(registered(self.live("running_loaded")),
                         {**expected_registrations(self.b, "vmlinux"),
                          **expected_registrations(self.module, name)})

    def host_check(self, next_row):
        """The same check on the host, from M_B's image and the loaded module
        as a module tree: what the live reading must agree with."""
        tree = self.dir / "host-modules"
        tree.mkdir(exist_ok=True)
        shutil.copy(MAINLINE / self.module["file"], tree)
        return lucompat("check", "--json", "--current", MAINLINE / self.b["file"],
                        "--current-modules", tree, "--next", MAINLINE / next_row["file"])

    def assert_check_agrees(self, name, next_row, rc):
        r = self.result(name)
        self.assertEqual(r.rc, rc, r)
        doc = json.loads(r.out)
        self.assertEqual(doc["current"]["path"], "running kernel")
        self.assertIn("queried live", doc["current"]["how"])
        host = self.host_check(next_row)
        self.assertEqual(host.rc, rc, host)
        want = host.json()
        self.assertEqual(doc["verdict"], want["verdict"])
        self.assertEqual(doc["families"], want["families"])

    def test_check_judges_the_live_reading(self):
        self.assert_check_agrees("check_a", self.a, 1)  # M_A lacks the module's vfio-pci and iommufd
        self.assert_check_agrees("check_c", self.c, 1)
        self.assertIn("luo-v2", self.result("check_c").out)

    def test_lucompat_kexec_refuses_an_incompatible_kernel(self):
        r = self.result("kexec_refused")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("luo: the running kernel writes luo-v1 but the next kernel reads only luo-v2", r.out)
        self.assertIn("queried live", r.out)
        self.assertIn("nothing was loaded", r.err)
        self.assertEqual(self.result("loaded_after_refusal").out.strip(), "0")

    def test_lucompat_kexec_boots_the_next_kernel(self):
        # lucompat kexec --exec never returns when it works: the next line is boot 2.
        self.assertIsNone(self.result("kexec").rc, self.result("kexec"))
        r = self.result("version_after_kexec")
        self.assertEqual(r.rc, 0, r)
        banner = lucompat("inspect", "--json", MAINLINE / self.a["file"]).one()["identity"]["banner"]
        self.assertEqual(r.out.rstrip("\n"), banner)
        self.assertNotEqual(banner, self.b["banner"])
        self.assertEqual(registered(self.live("running_m_a")), expected_registrations(self.a, "vmlinux"))

    def test_the_gate_refuses_then_boots_through_luoctl(self):
        r = self.result("gate_refused")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("luo-v2", r.out)
        self.assertIn("kexec refused: lucompat kexec exited 1", r.err)
        self.assertEqual(self.result("loaded_after_gate_refusal").out.strip(), "0")
        self.assertNotIn("luoctl-standin: kexec --reboot\n", self.console.split("boot 2")[0])
        # M_A -> M_B: loaded by lucompat kexec, booted by "luoctl kexec --reboot".
        self.assertIsNone(self.result("gate").rc, self.result("gate"))
        self.assertIn("luoctl-standin: kexec --reboot\n", self.console)
        r = self.result("version_after_gate")
        self.assertEqual(r.out.rstrip("\n"), self.b["banner"])

    def test_a_list_left_pointing_at_freed_memory_is_refused(self):
        self.assertEqual(self.result("leak").rc, 0, self.result("leak"))
        for name in ("running_dangling", "check_dangling"):
            r = self.result(name)
            self.assertEqual(r.rc, 3, r)
            self.assertIn("luo_file_handler_list", r.err)
            self.assertIn("corrupt", r.err)
        # No verdict, and no fallback to the image: it cannot say what memory holds.
        self.assertEqual(json.loads(self.result("running_dangling").out)[0]["status"], "error")
        self.assertEqual(self.result("check_dangling").out, "")


if __name__ == "__main__":
    if not MANIFEST.is_file():
        print(f"SKIP: no corpus at {CORPUS} (mainline/MANIFEST.tsv absent)")
        sys.exit(77)
    main()
