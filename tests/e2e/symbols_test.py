"""lucompat symbols against ground truth the corpus carries: every row of
corpus/mainline/MANIFEST.tsv with embedded kallsyms (6.1 layout) is compared
with the System.map of its build (FILE.System.map, or that of another row with
the same banner: the same build); every row of corpus/real/MANIFEST.tsv (real
7.x kernels: place-relative offsets) with its FILE.System.map; Debian's amd64
kernel, which ships no System.map, is checked against its own bytes (the
banner at linux_banner, _text at the start of the kernel, kallsyms_num_syms
symbols). Driven by the manifests; skipped (exit 77) when the corpus is
absent."""

import csv
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest
from collections import defaultdict
from pathlib import Path

from lucompat_e2e import BAD_INPUT, LUCOMPAT, OK, UNDECIDABLE, TempDirTest, lucompat, main

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
MAINLINE = CORPUS / "mainline"
REAL = CORPUS / "real"
MAP_TYPES = set("tTdDrRbB")
TIMEOUT = 120  # the slowest image under the sanitizers

# What scripts/kallsyms.c (6.1, is_ignored_symbol) leaves out on purpose:
# its own tables, which only exist after the first link pass (7.0 keeps
# them), and these prefixes and suffixes. A System.map line missing from the
# output must be one of these.
IGNORED_NAMES = {
    "kallsyms_addresses", "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
    "kallsyms_names", "kallsyms_markers", "kallsyms_seqs_of_names", "kallsyms_token_table",
    "kallsyms_token_index", "_SDA_BASE_", "_SDA2_BASE_",
}
IGNORED_PREFIXES = ("$", ".L", "__crc_", "__efistub_", "__kvm_nvhe_$", "__kvm_nvhe_.L",
                    "__AArch64ADRPThunk_", "__ARMV5PILongThunk_", "__ARMV7PILongThunk_",
                    "__ThumbV7PILongThunk_", "__LA25Thunk_", "__microLA25Thunk_")
IGNORED_SUFFIXES = ("_from_arm", "_from_thumb", "_veneer")


def ignored_by_kallsyms(name):
    return (name in IGNORED_NAMES or name.startswith(IGNORED_PREFIXES)
            or name.endswith(IGNORED_SUFFIXES))


def read_manifest(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def parse_map(text):
    """[(address, type, name)] from System.map-shaped text."""
    out = []
    for line in text.splitlines():
        address, kind, name = line.split()[:3]
        out.append((int(address, 16), kind, name))
    return out


def system_map_for(row, rows):
    """The System.map of this row's build: its own, or one beside a row with
    the same banner (the banner's build number and time name the build)."""
    own = MAINLINE / (row["file"] + ".System.map")
    if own.is_file():
        return own
    for other in rows:
        candidate = MAINLINE / (other["file"] + ".System.map")
        if other["banner"] == row["banner"] and candidate.is_file():
            return candidate
    return None


class MapComparison:
    """Our symbols against a System.map: the rules of issue 13, item 4. Also
    run by scripts/verify-debian-symbols on Debian's -dbg map."""

    def __init__(self, mismatches, wanted, missing, unexplained, considered):
        self.mismatches, self.wanted, self.missing = mismatches, wanted, missing
        self.unexplained, self.considered = unexplained, considered

    def share_present(self):
        """Of the t/T/d/D/r/R/b/B lines kallsyms does not drop by rule, how many we have."""
        return (len(self.considered) - len(self.unexplained)) / len(self.considered)

    def summary(self):
        present = len(self.wanted) - len(self.missing)
        return (f"{present}/{len(self.wanted)} System.map t/T/d/D/r/R/b/B lines present "
                f"({100.0 * present / len(self.wanted):.2f}%); {len(self.missing) - len(self.unexplained)} "
                f"missing ones are dropped by scripts/kallsyms.c's ignore rules, "
                f"{len(self.unexplained)} unexplained; {len(self.mismatches)} mismatches")


def compare_maps(ours, ref):
    by_name_ours, by_name_ref = defaultdict(set), defaultdict(set)
    for address, kind, name in ours:
        by_name_ours[name].add((address, kind))
    # With KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP, 6.1-era: Debian's 6.1
    # amd64; 7.x has no such option and no 'A' symbols),
    # scripts/kallsyms.c's make_percpus_absolute() stores every per-CPU
    # symbol with type 'A', as /proc/kallsyms shows it: System.map's type for
    # that name and address is what the kernel's kallsyms replaced.
    absolute = {(a, n) for a, k, n in ours if k == "A"}
    for address, kind, name in ref:
        by_name_ref[name].add((address, "A" if (address, name) in absolute else kind))
    # Every name in both: the same addresses and types (local symbols
    # repeat, so ours must be among System.map's).
    mismatches = [n for n in by_name_ours if n in by_name_ref and not by_name_ours[n] <= by_name_ref[n]]
    wanted = [(a, k, n) for a, k, n in ref if k in MAP_TYPES]
    missing = [(a, k, n) for a, k, n in wanted
               if (a, "A" if (a, n) in absolute else k) not in by_name_ours.get(n, ())]
    unexplained = [m for m in missing if not ignored_by_kallsyms(m[2])]
    considered = [w for w in wanted if not ignored_by_kallsyms(w[2])]
    return MapComparison(mismatches, wanted, missing, unexplained, considered)


class Mainline(unittest.TestCase):
    def test_every_kallsyms_row_matches_its_system_map(self):
        rows = read_manifest(MAINLINE / "MANIFEST.tsv")
        with_kallsyms = [r for r in rows if r["kallsyms"] == "kallsyms"]
        self.assertGreater(len(with_kallsyms), 0)
        for row in with_kallsyms:
            with self.subTest(file=row["file"]):
                map_path = system_map_for(row, rows)
                self.assertIsNotNone(map_path, "no System.map for this build")
                run = lucompat("symbols", "-v", MAINLINE / row["file"], timeout=TIMEOUT)
                self.assertEqual(run.rc, OK, run)
                # Through the symbol table where the file has one, else searched.
                how = ".symtab" if "symtab" in row["symbols"] else "search"
                self.assertIn(f"located by {how};", run.err)
                ours = parse_map(run.out)
                self.assertEqual([a for a, _, _ in ours], sorted(a for a, _, _ in ours),
                                 "not sorted by address")
                ref = parse_map(map_path.read_text())
                self.compare(row["file"], ours, ref)
                # The same order as System.map, ties included.
                ours_set = {(a, n) for a, _, n in ours}
                ref_set = {(a, n) for a, _, n in ref}
                self.assertEqual([(a, n) for a, _, n in ours if (a, n) in ref_set],
                                 [(a, n) for a, _, n in ref if (a, n) in ours_set])

    def compare(self, label, ours, ref):
        c = compare_maps(ours, ref)
        print(f"{label}: {c.summary()}", file=sys.stderr)
        self.assertEqual(c.mismatches, [], f"{label}: address or type differs")
        self.assertEqual(c.unexplained, [], f"{label}: System.map lines missing without a rule")
        self.assertGreaterEqual(c.share_present(), 0.99)

    def test_json_is_the_same_table(self):
        rows = read_manifest(MAINLINE / "MANIFEST.tsv")
        row = next(r for r in rows if r["kallsyms"] == "kallsyms")
        text = lucompat("symbols", MAINLINE / row["file"], timeout=TIMEOUT)
        js = lucompat("symbols", "--json", MAINLINE / row["file"], timeout=TIMEOUT)
        self.assertEqual(js.rc, OK, js)
        self.assertEqual([(int(s["address"], 16), s["type"], s["name"]) for s in js.json()[0]["symbols"]],
                         parse_map(text.out))

    def test_a_path_that_is_not_utf8_is_escaped_in_json(self):
        # The input's name in --json of several paths: exit 70 before.
        rows = read_manifest(MAINLINE / "MANIFEST.tsv")
        row = next(r for r in rows if r["kallsyms"] == "kallsyms")
        tmp = tempfile.mkdtemp(prefix="lucompat-symbols-")
        self.addCleanup(shutil.rmtree, tmp)
        odd = os.path.join(os.fsencode(tmp), b"k\xff")
        shutil.copy(MAINLINE / row["file"], odd)
        p = subprocess.run([LUCOMPAT, "symbols", "--json", odd, MAINLINE / row["file"]], capture_output=True,
                           timeout=TIMEOUT)
        self.assertEqual(p.returncode, OK, p.stderr)
        docs = json.loads(p.stdout)
        self.assertEqual(docs[0]["input"], tmp + "/k\\xff")
        self.assertEqual(docs[0]["symbols"], docs[1]["symbols"])


def raw_image(elf):
    """The loaded bytes of an ELF from its lowest address on, gaps zeroed: what
    `objcopy -O binary` makes of a vmlinux, the shape of an arm64 Image."""
    loads = elf_loads(elf)
    base = min(vaddr for vaddr, _, _ in loads)
    raw = bytearray(max(vaddr + filesz for vaddr, _, filesz in loads) - base)
    for vaddr, offset, filesz in loads:
        raw[vaddr - base:vaddr - base + filesz] = elf[offset:offset + filesz]
    return base, bytes(raw)


class Real(TempDirTest):
    """Real 7.x kernels: each entry of kallsyms_offsets counts from its own
    place, the labels are 4-aligned, and the table lists its own kallsyms_*
    labels. Every System.map t/T/d/D/r/R/b/B line at 99.9 % at least, and not
    one address or type differs."""

    def rows(self):
        if not (REAL / "MANIFEST.tsv").is_file():
            self.skipTest(f"no real kernels at {REAL}")
        return [r for r in read_manifest(REAL / "MANIFEST.tsv") if r["kallsyms"] == "yes"]

    def check(self, label, ours, ref):
        c = compare_maps(ours, ref)
        present = len(c.wanted) - len(c.missing)
        print(f"{label}: {c.summary()}", file=sys.stderr)
        self.assertEqual(c.mismatches, [], f"{label}: address or type differs")
        self.assertGreaterEqual(present / len(c.wanted), 0.999, f"{label}: {c.missing[:20]}")

    def test_every_row_matches_its_system_map(self):
        rows = self.rows()
        self.assertGreater(len(rows), 0)
        for row in rows:
            with self.subTest(file=row["file"]):
                path = REAL / row["file"]
                run = lucompat("symbols", "-v", path, timeout=TIMEOUT)
                self.assertEqual(run.rc, OK, run)
                ours = parse_map(run.out)
                ref = parse_map((REAL / (row["file"] + ".System.map")).read_text())
                self.check(row["file"], ours, ref)
                # The table's own kallsyms_offsets entry, checked by the
                # decoder, is where System.map says the table is.
                self.assertIn("place-relative addressing", run.err)
                self.assertIn("checked against the table's own labels", run.err)
                m = re.search(r"kallsyms_offsets at 0x([0-9a-f]+)\)", run.err)
                self.assertIsNotNone(m, run.err)
                self.assertIn((int(m[1], 16), "kallsyms_offsets"), {(a, n) for a, _, n in ref})

    def test_a_raw_image_needs_its_link_address(self):
        row = next((r for r in self.rows() if r["container"] == "vmlinux"), None)
        if row is None:
            self.skipTest("no vmlinux among the real kernels")
        text, raw = raw_image((REAL / row["file"]).read_bytes())
        path = self.dir / "Image"
        path.write_bytes(raw)
        run = lucompat("symbols", path, timeout=TIMEOUT)
        self.assertEqual(run.rc, BAD_INPUT, run)
        self.assertIn("--text-address", run.err)
        run = lucompat("symbols", "--text-address", hex(text), path, timeout=TIMEOUT)
        self.assertEqual(run.rc, OK, run)
        ref = parse_map((REAL / (row["file"] + ".System.map")).read_text())
        self.check(f"{row['file']} as a raw image", parse_map(run.out), ref)


class ExitCodes(unittest.TestCase):
    def test_no_kallsyms_is_undecidable_with_one_line(self):
        module = next(iter(sorted(CORPUS.glob("*.ko"))))  # a module carries no kallsyms
        run = lucompat("symbols", module)
        self.assertEqual(run.rc, UNDECIDABLE, run)
        self.assertEqual(run.out, "")
        self.assertEqual(len(run.err.splitlines()), 1, run)
        self.assertIn("no kallsyms", run.err)

    def test_missing_file_is_bad_input(self):
        run = lucompat("symbols", CORPUS / "no-such-kernel")
        self.assertEqual(run.rc, BAD_INPUT, run)
        self.assertEqual(len(run.err.splitlines()), 1, run)


def bzimage_payload(data):
    """The compressed payload of an x86 bzImage (Documentation/arch/x86/boot.rst)."""
    setup_sects = data[0x1F1] or 4
    offset, length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + offset
    return data[start:start + length]


def elf_loads(elf):
    """[(vaddr, offset, filesz)] of a little-endian ELF64's PT_LOAD segments."""
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    out = []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", elf, phoff + i * phentsize)
        if p_type == 1:
            out.append((p_vaddr, p_offset, p_filesz))
    return out


def at_address(elf, address, size):
    for vaddr, offset, filesz in elf_loads(elf):
        if vaddr <= address < vaddr + filesz:
            start = offset + address - vaddr
            return elf[start:start + size]
    raise AssertionError(f"0x{address:x} is in no PT_LOAD segment")


class Debian(unittest.TestCase):
    def test_amd64_against_its_own_bytes(self):
        rows = [r for r in read_manifest(CORPUS / "MANIFEST.tsv")
                if r["file"].startswith("debian/") and r["arch"] == "x86_64"
                and "bzImage" in r["container"]]
        if not rows:
            self.skipTest("no Debian amd64 kernel in the corpus")
        row = rows[0]
        path = CORPUS / row["file"]
        run = lucompat("symbols", "-v", path, timeout=TIMEOUT)
        self.assertEqual(run.rc, OK, run)
        symbols = parse_map(run.out)
        by_name = defaultdict(list)
        for address, _, name in symbols:
            by_name[name].append(address)
        # Independently of lucompat: Python decompresses the payload.
        self.assertEqual(row["compression"], "xz")
        elf = lzma.LZMADecompressor().decompress(bzimage_payload(path.read_bytes()))
        self.assertEqual(elf[:4], b"\x7fELF")
        banner = at_address(elf, by_name["linux_banner"][0], len(row["banner"]) + 1)
        self.assertEqual(banner, row["banner"].encode() + b"\n")
        # The kernel starts where its first loadable segment does (the per-CPU
        # segment of an SMP kernel comes later, at 0).
        self.assertEqual(by_name["_text"], [elf_loads(elf)[0][0]])
        # The count lucompat says it found at kallsyms_num_syms, read here.
        m = re.search(r"0x([0-9a-f]+) kallsyms_num_syms", run.err)
        self.assertIsNotNone(m, run.err)
        num_syms, = struct.unpack_from("<I", elf, int(m[1], 16))
        self.assertEqual(len(symbols), num_syms)
        print(f"{row['file']}: {len(symbols)} symbols = kallsyms_num_syms; linux_banner at "
              f"0x{by_name['linux_banner'][0]:x}", file=sys.stderr)

    def test_arm64_relocatable(self):
        # Debian's arm64 Image is PIE: kallsyms_relative_base is zero in the
        # file and comes from its R_AARCH64_RELATIVE relocation. Built
        # without KALLSYMS_ALL: text symbols only.
        rows = [r for r in read_manifest(CORPUS / "MANIFEST.tsv")
                if r["file"].startswith("debian/") and r["arch"] == "arm64"
                and r["compression"] == "none"]
        if not rows:
            self.skipTest("no Debian arm64 kernel in the corpus")
        path = CORPUS / rows[0]["file"]
        run = lucompat("symbols", "-v", path, timeout=TIMEOUT)
        self.assertEqual(run.rc, OK, run)
        symbols = parse_map(run.out)
        data = path.read_bytes()
        m = re.search(r"0x([0-9a-f]+) kallsyms_num_syms", run.err)
        self.assertEqual(len(symbols), struct.unpack_from("<I", data, int(m[1], 16))[0])
        m = re.search(r"0x([0-9a-f]+) kallsyms_offsets", run.err)
        self.assertIsNotNone(m, run.err)
        by_name = {n: a for a, _, n in symbols}
        # _stext sits 64 KiB into the Image (after the head), _etext where
        # read-only data and so the banner begin: both checked in the bytes.
        self.assertEqual(by_name["_etext"] - by_name["_stext"] + 0x10000,
                         data.index(b"Linux version ") // 0x10000 * 0x10000)


if __name__ == "__main__":
    if not (MAINLINE / "MANIFEST.tsv").is_file():
        print(f"SKIP: no corpus at {CORPUS} (mainline/MANIFEST.tsv absent)")
        sys.exit(77)
    main()
