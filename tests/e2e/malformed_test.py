"""Malformed and unreadable inputs: each must fail with exit 3 and one stderr
line that names the file and says what was expected where. The inputs are the
real example files with one field corrupted, so each case isolates one check."""

import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, COMPRESSORS, EXAMPLES, INPUT_TIMEOUT, LUCOMPAT, SYSTEMD_STUB,
                          Elf, Run, TempDirTest, bzimage, compress, lucompat, main, uki, zboot)

MAGIC_LE = struct.pack("<II", 0x4C565550, 1)


def example(arch, name):
    return (EXAMPLES / arch / name).read_bytes()


def table_offset(elf):
    return elf.find_section(".liveupdate_versions")["offset"]


# Each case: name -> (bytes builder, expected substrings of the error line).
def cases():
    k = lambda: Elf(example("x86_64", "kernel.elf"))  # noqa: E731

    def patched(make, fn):
        def build():
            e = make()
            fn(e)
            return bytes(e.data)
        return build

    def at_table(delta, raw):
        def fn(e):
            off = table_offset(e) + delta
            e.data[off:off + len(raw)] = raw
        return fn

    def stripped(fn):
        def build():
            data = bytearray(example("x86_64", "kernel.stripped"))
            fn(data, data.index(MAGIC_LE))
            return bytes(data)
        return build

    big = example("x86_64", "kernel.elf")
    return {**container_cases(big), **codec_cases(big),
        "empty-file": (lambda: b"", ["empty file; expected a kernel image"]),
        "unrecognised-format": (lambda: b"MZ\x90\x00" + bytes(60),
                                ["unrecognised format: not ELF, no known kernel container"]),
        "truncated-elf-header": (lambda: big[:40],
                                 ["offset 0x0: expected the ELF header (64 bytes), but the data ends at 0x28"]),
        "bad-elf-class": (patched(k, lambda e: e.data.__setitem__(4, 9)),
                          ["offset 0x4: invalid ELF class 9"]),
        "bad-elf-byte-order": (patched(k, lambda e: e.data.__setitem__(5, 3)),
                               ["offset 0x5: invalid ELF byte order 3"]),
        "bad-elf-version": (patched(k, lambda e: e.data.__setitem__(6, 2)),
                            ["unsupported ELF version 2"]),
        "section-header-table-beyond-eof": (lambda: big[:Elf(big).shoff + 10],
                                            ["the section header table (", "extends beyond the end of the file"]),
        "e_shnum-absurd": (patched(k, lambda e: e.pack("H", e.e_field("shnum"), 0xFEFF)),
                           ["the section header table (65279 entries of 64 bytes) extends beyond"]),
        "program-header-table-beyond-eof": (
            patched(k, lambda e: e.pack("Q", e.e_field("phoff"), len(e.data) - 8)),
            ["the program header table ("]),
        "segment-beyond-eof": (patched(k, lambda e: e.pack("Q", e.phdr_field(0, "filesz"), 1 << 40)),
                               ["segment 0 (0x10000000000 bytes) extends beyond the end of the file"]),
        "section-beyond-eof": (patched(k, lambda e: e.set_section(".liveupdate_versions", "offset", len(e.data) - 10)),
                               ["section .liveupdate_versions (0x158 bytes) extends beyond the end of the file"]),
        "shstrndx-out-of-range": (patched(k, lambda e: e.pack("H", e.e_field("shstrndx"), e.shnum + 5)),
                                  ["names no section"]),
        "section-name-outside-strtab": (patched(k, lambda e: e.pack("I", e.shdr(1), 0xFFFFFF)),
                                        ["section 1 has a name offset 0xffffff outside the section name table"]),
        "bad-magic": (patched(k, at_table(0, struct.pack("<I", 0xDEADBEEF))),
                      ['expected table magic 0x4c565550 ("LVUP"), found 0xdeadbeef']),
        "swapped-magic": (patched(k, at_table(0, struct.pack(">I", 0x4C565550))),
                          ["table magic is byte-swapped (0x5055564c): the table is stored big-endian but the file is little-endian"]),
        "format-version-3": (patched(k, at_table(4, struct.pack("<I", 3))),
                             ["unsupported table format version 3 (this lucompat reads versions 1, 2)"]),
        "size-8-plus-47": (patched(k, lambda e: e.set_section(".liveupdate_versions", "size", 8 + 47)),
                           ["table size 55 is not 8 + 48·N"]),
        "entry-without-nul": (patched(k, at_table(8, b"A" * 48)),
                              ["entry 1: no NUL terminator within its 48 bytes"]),
        "non-printable-entry": (patched(k, at_table(8 + 48 + 3, b"\x07")),
                                ["entry 2: non-printable byte 0x07 at position 3"]),
        "table-section-nobits": (patched(k, lambda e: e.set_section(".liveupdate_versions", "type", 8)),
                                 ["section .liveupdate_versions has no bytes in the file (SHT_NOBITS)"]),
        "module-entries-not-whole": (
            patched(lambda: Elf(example("x86_64", "module.ko")),
                    lambda e: e.set_section(".liveupdate_versions", "size", 95)),
            ["entries take 95 bytes, which is not a multiple of the 48-byte entry size"]),
        "split-header-wrong-size": (
            patched(lambda: Elf(example("x86_64", "kernel.o")),
                    lambda e: e.set_section(".liveupdate_sec_hdr", "size", 4)),
            ["section .liveupdate_sec_hdr is 4 bytes; the table header is 8"]),
        "split-header-version-3": (
            patched(lambda: Elf(example("x86_64", "kernel.o")),
                    lambda e: e.data.__setitem__(e.find_section(".liveupdate_sec_hdr")["offset"] + 4, 3)),
            ["unsupported table format version 3"]),
        "scan-format-version-3": (stripped(lambda d, at: d.__setitem__(at + 4, 3)),
                                  ["unsupported table format version 3"]),
        "scan-swapped-magic": (
            stripped(lambda d, at: d.__setitem__(slice(at, at + 8), struct.pack(">II", 0x4C565550, 1))),
            ["the table is stored big-endian but the file is little-endian"]),
        "big-endian-file-little-endian-table": (
            patched(lambda: Elf(example("ppc64", "kernel.elf")), at_table(0, struct.pack("<I", 0x4C565550))),
            ["the table is stored little-endian but the file is big-endian"]),
        "elf32-section-beyond-eof": (
            patched(lambda: Elf(example("i686", "kernel.elf")),
                    lambda e: e.set_section(".liveupdate_versions", "offset", 0xFFFFFF00)),
            ["section .liveupdate_versions (0x158 bytes) extends beyond the end of the file"]),
    }


def codec_cases(kernel):
    """Each codec's stream cut in half, and damaged in the middle."""
    out = {}
    for codec in COMPRESSORS:
        def cut(codec=codec):
            data = compress(codec, kernel)
            return data[:len(data) // 2]

        def damaged(codec=codec):
            data = bytearray(compress(codec, kernel))
            mid = len(data) // 2
            for i in range(mid, mid + 16):
                data[i] ^= 0x5A
            return bytes(data)
        out[f"{codec}-truncated"] = (cut, [f"{codec} stream is truncated"])
        out[f"{codec}-corrupt-midway"] = (damaged, [f"corrupt {codec} data"])
    return out


def patch(data, offset, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


def container_cases(kernel):
    xz = lambda: compress("xz", kernel, trailer=True)  # noqa: E731
    bz = lambda: bzimage(xz())  # noqa: E731

    def uki_bytes():
        d = Path(tempfile.mkdtemp(prefix="lucompat-uki-"))
        try:
            return uki(bz(), d)
        finally:
            shutil.rmtree(d)

    def pe_sections_beyond_eof():
        data = uki_bytes()
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        return patch(data, pe + 6, "<H", 0xFFFF)

    def pe_linux_beyond_eof():
        data = bytearray(uki_bytes())
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        count, opt = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
        for i in range(count):
            h = pe + 24 + opt + 40 * i
            if data[h:h + 8].rstrip(b"\0") == b".linux":
                struct.pack_into("<I", data, h + 20, len(data) - 16)
        return bytes(data)

    def nested(n):
        data = kernel
        for _ in range(n):
            data = compress("gzip", data)
        return data

    def zimage_without_payload():
        head = bytearray(0x200)
        struct.pack_into("<I", head, 0x24, 0x016F2818)
        return bytes(head) + b"\x1f\x8b\x08 but no gzip" * 8

    cases = {
        "bzimage-boot-protocol-2.07": (lambda: bzimage(xz(), protocol=0x0207),
                                       ["x86 boot protocol 2.07 predates the payload pointer (2.08)"]),
        "bzimage-payload-beyond-eof": (lambda: patch(bz(), 0x24C, "<I", 1 << 30),
                                       ["bzImage payload (1073741824 bytes) extends beyond the end of the file"]),
        "bzimage-payload-not-compressed": (lambda: bzimage(b"\x7fELF" + bytes(100)),
                                           ["offset 0x480: bzImage payload does not start with a known compression magic"]),
        "bzimage-payload-truncated": (lambda: (lambda p: bzimage(p[:len(p) // 3]))(xz()),
                                      ["xz stream is truncated"]),
        "elf-broken-inside-payload": (
            lambda: bzimage(compress("xz", patch(kernel, Elf(kernel).find_section(".liveupdate_versions")["offset"], "<I", 0xDEADBEEF))),
            ["in the data decompressed from xz, offset 0x10e0: expected table magic"]),
        "nesting-deeper-than-cap": (lambda: nested(7), ["containers are nested more than 6 deep"]),
        "zboot-unknown-compression": (lambda: zboot(compress("gzip", kernel), b"brotli"),
                                      ['EFI zboot compression "brotli" is not one the kernel writes']),
        "zboot-payload-beyond-eof": (lambda: patch(zboot(compress("gzip", kernel), b"gzip"), 12, "<I", 1 << 28),
                                     ["zboot payload (268435456 bytes) extends beyond the end of the file"]),
        "zboot-name-disagrees-with-payload": (lambda: zboot(compress("gzip", kernel), b"zstd22"),
                                              ["zboot header says zstd22 but the payload does not start with its magic"]),
        "arm-zimage-without-payload": (zimage_without_payload,
                                       ["ARM zImage: no compressed payload that decompresses into a kernel"]),
    }
    if SYSTEMD_STUB.exists():
        cases["pe-section-table-beyond-eof"] = (
            pe_sections_beyond_eof, ["the PE section table (65535 sections of 40 bytes) extends beyond"])
        cases["uki-linux-section-beyond-eof"] = (
            pe_linux_beyond_eof, ["PE section .linux (", "extends beyond the end of the file"])
    return cases


class Malformed(TempDirTest):

    def assert_bad_input(self, path, expected, run=None):
        r = run or lucompat("inspect", path, timeout=INPUT_TIMEOUT)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertEqual(r.out, "", r)
        lines = r.err.splitlines()
        self.assertEqual(len(lines), 1, r)
        self.assertTrue(lines[0].startswith(f"lucompat: {path}: "), r)
        for e in expected:
            self.assertIn(e, lines[0])
        return lines[0]

    def test_at_least_forty_named_cases(self):
        # The corrupted inputs plus the four file-level cases below.
        self.assertGreaterEqual(len(cases()) + 4, 40)

    def test_file_over_the_size_cap(self):
        path = EXAMPLES / "x86_64" / "kernel.elf"
        r = lucompat("inspect", "--max-file-size", "1KiB", path)
        self.assert_bad_input(path, ["bytes, more than the 1024-byte limit"], r)

    def test_table_over_the_entry_cap(self):
        path = EXAMPLES / "x86_64" / "kernel.elf"
        r = lucompat("inspect", "--max-entries", "3", path)
        self.assert_bad_input(path, ["the table has 7 entries, more than the limit of 3 (--max-entries)"], r)
        self.assertEqual(lucompat("inspect", "--max-entries", "5000", path).rc, 2)  # above the ceiling

    def test_output_over_the_cap(self):
        path = self.dir / "over-cap.xz"
        path.write_bytes(compress("xz", example("x86_64", "kernel.elf")))
        r = lucompat("inspect", "--max-output", "4KiB", path)
        self.assert_bad_input(path, ["xz output exceeds the 4096-byte limit (--max-output)"], r)

    def test_corrupted_inputs(self):
        for name, (build, expected) in cases().items():
            with self.subTest(case=name):
                path = self.dir / name
                path.write_bytes(build())
                line = self.assert_bad_input(path, expected)
                doc = lucompat("inspect", "--json", path).one()
                self.assertEqual(doc["status"], "error")
                self.assertEqual(f"lucompat: {doc['error']['text']}", line)

    def test_directory(self):
        # A directory is a module tree; one without modules is a mistake.
        empty = self.dir / "empty-dir"
        empty.mkdir()
        self.assert_bad_input(empty, ["no kernel modules (*.ko, *.ko.gz, *.ko.xz, *.ko.zst) below this directory"])

    def test_missing_path(self):
        self.assert_bad_input(self.dir / "no-such-kernel", ["no such file"])

    def test_unreadable_file(self):
        path = self.dir / "unreadable"
        path.write_bytes(example("x86_64", "kernel.elf"))
        path.chmod(0)
        self.dir.chmod(0o755)
        cmd = [LUCOMPAT, "inspect", str(path)]
        if os.geteuid() == 0:  # root reads anything: drop to nobody for this case
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        run = Run(subprocess.run(cmd, capture_output=True, text=True))
        self.assert_bad_input(path, ["cannot open: Permission denied"], run)

    def test_read_error(self):
        # Opens fine, fails on read (EIO at offset 0 of our own address space).
        self.assert_bad_input("/proc/self/mem", ["read failed at offset 0x0"])

    def test_one_bad_input_among_good_ones(self):
        bad = self.dir / "not-elf-among-good"
        bad.write_bytes(b"junk")
        good = EXAMPLES / "x86_64" / "kernel.elf"
        r = lucompat("inspect", "--json", good, bad)
        self.assertEqual(r.rc, BAD_INPUT, r)
        docs = r.json()
        self.assertEqual([d["status"] for d in docs], ["table", "error"])
        self.assertEqual(len(r.err.splitlines()), 1)


if __name__ == "__main__":
    main()
