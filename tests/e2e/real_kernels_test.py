"""Real Linux LUO kernels (corpus/real) live-updated under QEMU (TCG), row by
row of corpus/real/TRUTH.tsv: does lucompat, as the gate before a kexec,
load the next kernel exactly when the kernels themselves hand the sessions
over?

Each row boots CURRENT with the upstream selftest's command line, runs the
selftest's stage 1 (luo_kexec_simple: two sessions with a memfd each, held
by its daemon), then:

- RealKernelGate: `lucompat inspect --running --json` must list what
  MANIFEST.tsv says CURRENT registers, and the selftest's sessions; then
  `lucompat kexec --exec` must load NEXT exactly when the row's outcome is
  `passed`, where stage 2 must retrieve and verify the memfd, and otherwise
  exit 1, load nothing and name the family and what NEXT would do;
- TruthReproduced: the same flow with kexec-tools' kexec_file_load
  (`kexec -s -l`) in place of lucompat must reproduce the row's outcome, the
  kernel's own log lines included, so the harness' flow is truth.sh's.

Expected values come from TRUTH.tsv and MANIFEST.tsv, and from the
selftest's own constants (its session names and tokens). A missing QEMU,
busybox or kexec fails the test with an install hint; an absent corpus skips
it (exit 77)."""

import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

import qemu_guest
from lucompat_e2e import INCOMPATIBLE, LUCOMPAT, lucompat, main
from qemu_test import expected_registrations, registered

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
REAL = CORPUS / "real"
TRUTH = REAL / "TRUTH.tsv"
MANIFEST = REAL / "MANIFEST.tsv"
SELFTEST = REAL / "selftest" / "luo_kexec_simple"

# The command line of the upstream selftest's run_qemu, for both kernels:
# without liveupdate=on no handler registers and /dev/liveupdate is absent.
CMDLINE = "console=ttyS0 liveupdate=on panic=-1"
GUEST_LUCOMPAT = "/usr/bin/lucompat"
GUEST_SELFTEST = "/usr/bin/luo_kexec_simple"
GUEST_KEXEC = "/sbin/kexec"
# luo_kexec_simple decides its stage from its state session and refuses to
# run another one: no option is stage 1, `-s 2` is stage 2.
STAGE_1 = GUEST_SELFTEST
STAGE_2 = f"{GUEST_SELFTEST} -s 2"
# tools/testing/selftests/liveupdate/luo_kexec_simple.c: STATE_SESSION_NAME
# and STATE_MEMFD_TOKEN, TEST_SESSION_NAME and TEST_MEMFD_TOKEN; each
# session preserves one memfd under its token.
SELFTEST_SESSIONS = {"kexec_simple_state": 999, "test-session": 0x1A}
PASSED = "TEST PASSED"
# The selftest's words when /dev/liveupdate refuses the open (EIO): no
# session, not even its state session, can be retrieved.
NO_DEVICE = "Failed to open /dev/liveupdate"
# What lucompat must say NEXT would do when TRUTH.tsv's outcome is a panic or
# the loss of every session, in the words of its catalog ("the next kernel
# would panic on boot", "would lose every preserved session") or close to them.
CONSEQUENCES = {"panic": r"\bpanic", "sessions lost": r"\bevery (preserved )?session"}
# The kernel's banner starts its log; nothing else reaches the console raw
# (the guest's outputs are base64), so each one starts a kernel's log.
BANNER = "Linux version "


def table(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def manifest():
    return {r["file"]: r for r in table(MANIFEST)}


def kernel_logs(console):
    """The console split at each kernel's banner: one part per kernel booted."""
    return [BANNER + part for part in console.split(BANNER)[1:]]


def log_lines(truth_row):
    """The kernel's own log lines TRUTH.tsv quotes (the rest of its
    kernel_log cell describes them)."""
    return [part for part in truth_row["kernel_log"].split("; ")
            if part.startswith(("luo: ", "Kernel panic"))]


def expectation(truth_row):
    """What NEXT does with what CURRENT handed over: 'passed', 'panic' or
    'sessions lost', from the row's outcome and kernel log."""
    if truth_row["outcome"] == "passed":
        return "passed"
    log = truth_row["kernel_log"]
    if truth_row["outcome"] == "failed" and "Kernel panic" in log:
        return "panic"
    if truth_row["outcome"] == "failed" and "every session is lost" in log:
        return "sessions lost"
    raise AssertionError(f"TRUTH.tsv: no known outcome in {truth_row}")


def compatibles(r, columns):
    strings = set()
    for column in columns:
        strings |= {item.split(":")[0] for item in r[column].split(",") if item and item != "-"}
    return strings


def family_of(string):
    return re.sub(r"-v\d+$", "", string)


def lost_family(current, next_):
    """The family whose string CURRENT writes and NEXT does not read, by the
    manifest (`memfd-v2` -> `memfd`, `luo-v5` -> `luo`), that string and
    the one NEXT reads instead."""
    columns = ("core", "file_handlers")
    lost = compatibles(current, columns) - compatibles(next_, columns)
    if len(lost) != 1:
        raise AssertionError(f"manifest: want one string {current['file']} writes and "
                             f"{next_['file']} lacks, found {sorted(lost)}")
    string = lost.pop()
    family = family_of(string)
    instead = [s for s in compatibles(next_, columns) if family_of(s) == family]
    if len(instead) != 1:
        raise AssertionError(f"manifest: want one {family} string in {next_['file']}, found {instead}")
    return family, string, instead[0]


def unordered(items):
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def next_path(truth_row):
    return f"/kernels/{truth_row['next']}"


def row_name(truth_row):
    short = [re.sub(r"^x86_64-bzImage-\w+-", "", truth_row[k]) for k in ("current", "next")]
    return re.sub(r"\W", "_", "_to_".join(short))


class Run:
    """One guest: CURRENT booted with named commands, NEXT with others if
    anything kexecs into it."""

    def __init__(self, results, console, seconds):
        self.results = results
        self.console = console
        self.seconds = seconds

    def __getitem__(self, name):
        return self.results.get(name)

    def booted_next(self):
        return len(kernel_logs(self.console)) > 1


def boot(add_files, current, first, second, timeout):
    """Boot CURRENT with the files add_files(guest) puts in, run `first`
    ({name: command}), and `second` in whatever kernel the first boot
    kexecs into."""
    workdir = Path(tempfile.mkdtemp(prefix="lucompat-real-"))
    try:
        # The host's sanitizer options hold in the guest too (make asan).
        guest = qemu_guest.Guest(workdir, env={k: v for k, v in os.environ.items()
                                               if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")})
        add_files(guest)
        start = time.monotonic()
        boots, console = guest.run(REAL / current, [list(first.values()), list(second.values())],
                                   memory=1024, timeout=timeout, cmdline=CMDLINE, all_boots=False)
        seconds = time.monotonic() - start
    finally:
        shutil.rmtree(workdir)
    results = {}
    for commands, done in zip((first, second), boots):
        results.update(zip(commands, done))
    return Run(results, console, seconds)


# Boot 2, in NEXT: which kernel it is, the selftest's stage 2 and the log.
SECOND = {
    "next_version": "cat /proc/version",
    "stage2": STAGE_2,
    "next_dmesg": "dmesg",
}


class RealKernels(unittest.TestCase):
    """One guest per TRUTH.tsv row, run on first use and shared by the
    row's tests."""

    runs = {}

    @classmethod
    def setUpClass(cls):
        qemu_guest.require_tools()  # before anything else: fail with the install hint
        cls.manifest = manifest()
        # Under the sanitizers lucompat in the guest is many times slower.
        sanitized = os.environ.get("LUCOMPAT_SANITIZED") == "1"
        cls.timeout = qemu_guest.BOOT_TIMEOUT * (6 if sanitized else 1)

    def add_files(self, guest, truth_row):
        """The selftest in every boot; NEXT, and what loads it, only where
        the load happens."""
        guest.add(GUEST_SELFTEST, SELFTEST, executable=True)
        guest.add(next_path(truth_row), REAL / truth_row["next"], boots={1})

    def run_of(self, truth_row):
        key = (type(self).__name__, truth_row["current"], truth_row["next"])
        if key not in self.runs:
            run = boot(lambda guest: self.add_files(guest, truth_row), truth_row["current"],
                       self.first(truth_row), SECOND, self.timeout)
            print(f"\nqemu: {truth_row['current']} -> {truth_row['next']} ({type(self).__name__}) "
                  f"in {run.seconds:.1f} s", file=sys.stderr)
            self.runs[key] = run
        return self.runs[key]

    def result(self, run, name):
        r = run[name]
        self.assertIsNotNone(r, f"no result for {name}; console:\n{run.console}")
        return r

    def assert_current_set_up(self, run, truth_row):
        """The guest runs CURRENT, and the selftest's stage 1 holds its sessions."""
        r = self.result(run, "version")
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.startswith(self.manifest[truth_row["current"]]["banner"] + " "), r)
        r = self.result(run, "stage1")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("Resources are pinned", r.out)

    def assert_next_does_what_truth_says(self, run, truth_row):
        """NEXT was booted, and did with the sessions what TRUTH.tsv says."""
        logs = kernel_logs(run.console)
        self.assertEqual(len(logs), 2, f"want CURRENT then NEXT on the console:\n{run.console}")
        self.assertTrue(logs[1].startswith(self.manifest[truth_row["next"]]["banner"] + " "), logs[1])
        want = expectation(truth_row)
        next_log = logs[1]
        if want != "panic":
            r = self.result(run, "next_version")
            self.assertTrue(r.out.startswith(self.manifest[truth_row["next"]]["banner"] + " "), r)
            next_log += self.result(run, "next_dmesg").out
        if want == "passed":
            stage2 = self.result(run, "stage2")
            self.assertEqual(stage2.rc, 0, stage2)
            self.assertIn(PASSED, stage2.out)
        elif want == "sessions lost":
            stage2 = self.result(run, "stage2")
            self.assertNotEqual(stage2.rc, 0, stage2)
            self.assertNotIn(PASSED, stage2.out)
            self.assertIn(NO_DEVICE, stage2.out)
        else:
            # It panicked before /init: no command of boot 2 ran.
            self.assertIsNone(run["stage2"], run["stage2"])
        for line in log_lines(truth_row):
            self.assertIn(line, next_log)


class TruthReproduced(RealKernels):
    """kexec-tools instead of lucompat: the harness reproduces every row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not Path(shutil.which("kexec") or GUEST_KEXEC).is_file():
            raise qemu_guest.GuestError(f"kexec not found: {qemu_guest.INSTALL_HINT}")

    def add_files(self, guest, truth_row):
        super().add_files(guest, truth_row)
        guest.add(GUEST_KEXEC, shutil.which("kexec") or GUEST_KEXEC, executable=True, boots={1})

    def first(self, truth_row):
        return {
            "version": "cat /proc/version",
            "stage1": STAGE_1,
            # -s: kexec_file_load, the only load that carries the handover.
            "load": (f"{GUEST_KEXEC} -s -l {next_path(truth_row)}"
                     f" --initrd={qemu_guest.INITRAMFS_IN_GUEST} --append='{CMDLINE}'"),
            "exec": f"{GUEST_KEXEC} -e",
        }

    def check_row(self, truth_row):
        run = self.run_of(truth_row)
        self.assert_current_set_up(run, truth_row)
        r = self.result(run, "load")
        self.assertEqual(r.rc, 0, r)
        self.assertIsNone(self.result(run, "exec").rc, run["exec"])
        self.assert_next_does_what_truth_says(run, truth_row)


class RealKernelGate(RealKernels):
    """lucompat in the guest: its live reading, and the gate's verdict."""

    def add_files(self, guest, truth_row):
        super().add_files(guest, truth_row)
        guest.add(GUEST_LUCOMPAT, LUCOMPAT, executable=True, strip_debug=True, boots={1})

    def first(self, truth_row):
        return {
            "version": "cat /proc/version",
            "stage1": STAGE_1,
            "running": f"{GUEST_LUCOMPAT} inspect --running --json",
            "kexec": (f"{GUEST_LUCOMPAT} kexec --next {next_path(truth_row)}"
                      f" --initrd {qemu_guest.INITRAMFS_IN_GUEST} --append '{CMDLINE}' --exec"),
            "loaded": "cat /sys/kernel/kexec_loaded",
        }

    def running(self, truth_row):
        """The live reading's document, after the checks every one must pass."""
        run = self.run_of(truth_row)
        self.assert_current_set_up(run, truth_row)
        current = self.manifest[truth_row["current"]]
        r = self.result(run, "running")
        self.assertEqual(r.rc, 0, r)
        try:
            [doc] = json.loads(r.out)
        except ValueError:
            self.fail(f"not JSON:\n{r}")
        self.assertEqual(doc["status"], "derived", r)
        self.assertEqual(doc["table"]["method"], "running")
        self.assertEqual(doc["table"]["evidence"], "kallsyms + BTF + kcore")
        self.assertEqual(doc["identity"]["banner"], self.result(run, "version").out.rstrip("\n"))
        self.assertEqual(doc["identity"]["release"], current["kernelrelease"])
        self.assertEqual(doc["arch"], current["arch"])
        self.assertEqual({e["evidence"] for e in doc["table"]["entries"]}, {"kcore"})
        return doc

    def check_registrations(self, truth_row):
        """What MANIFEST.tsv says CURRENT registers: core strings, the file
        handler and the FLBs, each with its symbol (an FLB as its element of
        test_flbs[3])."""
        doc = self.running(truth_row)
        got = registered(doc)
        # The KHO subtrees handed over beside LUO's (memblock, reserve-mem)
        # have no manifest column: they must be what the host reads of the
        # same kernel's image.
        subtrees = {c for c, (kind, _, _) in got.items() if kind == "subtree"}
        image = lucompat("inspect", "--json", REAL / truth_row["current"]).one()
        self.assertEqual(subtrees, {e["compatible"] for e in image["table"]["entries"]
                                    if e["kind"] == "subtree"})
        self.assertEqual({c: v for c, v in got.items() if c not in subtrees},
                         expected_registrations(self.manifest[truth_row["current"]], "vmlinux"))

    def check_sessions(self, truth_row):
        """The two sessions the selftest's daemon holds, each preserving one
        file under its token with the compatible of CURRENT's handler:
        "sessions": [{"name": ..., "files": [{"token": "0xN", "compatible": ...}]}]
        (order not asserted)."""
        doc = self.running(truth_row)
        (handler,) = compatibles(self.manifest[truth_row["current"]], ("file_handlers",))
        want = unordered({"name": name, "files": [{"token": hex(token), "compatible": handler}]}
                         for name, token in SELFTEST_SESSIONS.items())
        if "sessions" not in doc:
            self.fail(f"no sessions in the live reading:\n{json.dumps(doc, indent=1)}")
        # Only the keys this test knows: consumers ignore others (json-schema.md).
        got = unordered({"name": s.get("name"),
                         "files": unordered({"token": f.get("token"),
                                             "compatible": f.get("compatible")}
                                            for f in s.get("files", []))}
                        for s in doc["sessions"])
        self.assertEqual(got, want, json.dumps(doc["sessions"], indent=1))

    def check_gate(self, truth_row):
        run = self.run_of(truth_row)
        self.assert_current_set_up(run, truth_row)
        r = self.result(run, "kexec")
        if truth_row["outcome"] == "passed":
            # --exec never returns when it loads: the next console is NEXT's.
            self.assertIsNone(r.rc, f"lucompat refused what the kernels hand over:\n{r}")
            self.assert_next_does_what_truth_says(run, truth_row)
            return
        self.assertIsNotNone(r.rc, f"lucompat loaded {truth_row['next']}, which TRUTH.tsv says "
                                   f"fails:\n{run.console}")
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertIn("lucompat: kexec refused: the check exited 1; nothing was loaded", r.err)
        self.assertEqual(self.result(run, "loaded").out.strip(), "0")
        self.assertFalse(run.booted_next(), f"a second kernel booted:\n{run.console}")
        family, string, next_string = lost_family(self.manifest[truth_row["current"]],
                                                  self.manifest[truth_row["next"]])
        self.assertRegex(r.out, rf"(?m)^{re.escape(family)}\s.*\sincompatible$")
        consequence = CONSEQUENCES[expectation(truth_row)]
        reasons = [line.strip() for line in r.out.splitlines() if line.startswith(f"  {family}: ")]
        self.assertTrue([line for line in reasons
                         if string in line and next_string in line and re.search(consequence, line)],
                        f"no reason of {family} names {string}, {next_string} and "
                        f"/{consequence}/:\n{r}")


def add_row_tests():
    """One test per TRUTH.tsv row and check, named after the two kernels."""
    for truth_row in table(TRUTH):
        name = row_name(truth_row)
        setattr(TruthReproduced, f"test_{name}",
                lambda self, t=truth_row: self.check_row(t))
        setattr(RealKernelGate, f"test_running_registrations_{name}",
                lambda self, t=truth_row: self.check_registrations(t))
        setattr(RealKernelGate, f"test_running_sessions_{name}",
                lambda self, t=truth_row: self.check_sessions(t))
        setattr(RealKernelGate, f"test_kexec_{name}",
                lambda self, t=truth_row: self.check_gate(t))


if __name__ == "__main__":
    if not TRUTH.is_file() or not MANIFEST.is_file():
        print(f"SKIP: no real kernels at {REAL} (TRUTH.tsv or MANIFEST.tsv absent)")
        sys.exit(77)
    add_row_tests()
    main()
