"""Large kernels inside compressed streams are read from a sparse capture
(docs/formats.md, "Streams"): the table far past the first 4 MiB, section
names far from the section headers (a second pass fetches them), an ELF with
no section headers, and a raw image. Built here byte by byte so each layout
is exactly the one under test."""

import hashlib
import struct
from lucompat_e2e import (OK, TempDirTest, compress, entries, lucompat, main)

ENTRIES = ["luo-v1", "memfd-v1", "memfd-v2", "vfio-pci-v1"]
BANNER = b"Linux version 6.99.1-stream (lucompat@example) (python) #7 SMP\n\0"
MIB = 1 << 20


def table(order="<"):
    body = b"".join(e.encode().ljust(48, b"\0") for e in ENTRIES)
    return struct.pack(order + "II", 0x4C565550, 1) + body


def filler(size, seed):
    """Bytes that compress but contain neither magic nor banner."""
    block = hashlib.sha256(seed).digest() * 64
    return (block * (size // len(block) + 1))[:size]


def build_id_note(build_id):
    return struct.pack("<III", 4, len(build_id), 3) + b"GNU\0" + build_id


def elf(section_headers=True, names="end", note_in_load=False, markers_early=False):
    """An ELF64 LSB x86-64 executable: headers, a note, 6 MiB of read-only
    data with the banner, the table, 2 MiB of something else, section headers.
    The section names go at the "start" (inside the first 4 MiB), in the
    "middle" (past them and 2 MiB before the section headers), or at the
    "end" (right before the section headers, where linkers put them).
    With `note_in_load` the loadable segment starts at the note, as a kernel's
    RO_DATA segment holds its notes: what early exit looks for. With
    `markers_early` the banner and the table come 256 KiB into the file and
    the 6 MiB follow them: a large ELF whose markers lie in its first MiB."""
    names_where = names
    build_id = bytes(range(20))
    names = b"\0.shstrtab\0.notes\0.rodata\0.liveupdate_versions\0.filler\0"
    name_at = {n: names.index(n.encode() + b"\0") for n in
               (".shstrtab", ".notes", ".rodata", ".liveupdate_versions", ".filler")}
    out = bytearray(0x1000)
    sections = []  # (name, type, flags, offset, size)

    def put(data, name=None, typ=1, flags=0, align=8):
        while len(out) % align:
            out.append(0)
        off = len(out)
        out.extend(data)
        if name:
            sections.append((name, typ, flags, off, len(data)))
        return off

    if names_where == "start":
        put(names, ".shstrtab", 3)
    note_off = put(build_id_note(build_id), ".notes", 7, 2, 4)
    rodata = filler(256 << 10, b"rodata") + BANNER if markers_early else filler(6 * MIB, b"rodata") + BANNER
    load_off = put(rodata, ".rodata", 1, 2, 0x1000)
    table_off = put(table(), ".liveupdate_versions", 1, 2, 8)
    if markers_early:
        put(filler(6 * MIB, b"data"), ".filler", 1, 0)
    load_end = len(out)
    if note_in_load:
        load_off = note_off
    if names_where == "middle":  # beyond the reach of the table's and banner's capture
        put(filler(512 << 10, b"gap"))
        put(names, ".shstrtab", 3)
    put(filler(2 * MIB, b"other"), ".filler", 1, 0)
    if names_where == "end":
        put(names, ".shstrtab", 3)
    shoff = put(b"", align=8)
    shdrs = bytearray(64)  # section 0
    for name, typ, flags, off, size in sections:
        shdrs += struct.pack("<IIQQQQIIQQ", name_at[name], typ, flags, 0, off, size, 0, 0, 1, 0)
    out += shdrs
    phdrs = struct.pack("<IIQQQQQQ", 1, 5, load_off, 0xFFFFFFFF81000000, 0, load_end - load_off,
                        load_end - load_off, 0x1000)
    phdrs += struct.pack("<IIQQQQQQ", 4, 4, note_off, 0, 0, 36, 36, 4)
    out[64:64 + len(phdrs)] = phdrs
    shstrndx = [s[0] for s in sections].index(".shstrtab") + 1
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    header = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0, 64,
                                 shoff if section_headers else 0, 0, 64, 56, 2, 64,
                                 len(sections) + 1 if section_headers else 0,
                                 shstrndx if section_headers else 0)
    out[:64] = header
    return bytes(out), table_off, build_id.hex()


class Streaming(TempDirTest):

    def inspect(self, name, data, *flags):
        path = self.dir / name
        path.write_bytes(data)
        r = lucompat("inspect", "--json", *flags, path)
        self.assertEqual(r.rc, OK, r)
        return r.one()

    def check_kernel(self, doc, table_off, build_id, method):
        self.assertEqual(entries(doc), ENTRIES)
        self.assertEqual(doc["table"]["offset"], table_off)
        self.assertEqual(doc["table"]["method"], method)
        self.assertEqual(doc["identity"]["build_id"], build_id)
        self.assertEqual(doc["identity"]["release"], "6.99.1-stream")

    def test_section_names_near_the_headers(self):
        data, table_off, build_id = elf(names="end")
        for codec in ("xz", "zstd", "gzip"):
            with self.subTest(codec=codec):
                doc = self.inspect(f"near.{codec}", compress(codec, data, trailer=codec != "gzip"))
                self.assertEqual(doc["chain"][0]["decompressed_size"], len(data))
                self.check_kernel(doc, table_off, build_id, "section")

    def test_section_names_far_from_the_headers_need_a_second_pass(self):
        for where in ("start", "middle"):
            with self.subTest(names=where):
                data, table_off, build_id = elf(names=where)
                doc = self.inspect(f"names-{where}.xz", compress("xz", data, trailer=True))
                self.check_kernel(doc, table_off, build_id, "section")

    def test_no_section_headers_segment_scan(self):
        data, table_off, build_id = elf(section_headers=False)
        doc = self.inspect("nosections.zst", compress("zstd", data, trailer=True))
        self.check_kernel(doc, table_off, build_id, "segment_scan")

    def test_markers_early_in_a_large_elf(self):
        # Only 64 KiB of a large ELF's head is kept: markers past it, still in
        # the first MiB, must be found by the scan, not left to the head.
        data, table_off, build_id = elf(markers_early=True)
        for codec in ("zstd", "lz4"):
            with self.subTest(codec=codec):
                doc = self.inspect(f"early-markers.{codec}", compress(codec, data, trailer=True))
                self.check_kernel(doc, table_off, build_id, "section")

    def test_the_same_bytes_uncompressed_agree(self):
        data, table_off, build_id = elf(names="middle")
        doc = self.inspect("plain.elf", data)
        self.check_kernel(doc, table_off, build_id, "section")

    def test_large_raw_image(self):
        # The linker pads the end of read-only data after the table with zeros.
        raw = (filler(5 * MIB + 13, b"raw") + table(">") + bytes(4096) + filler(3 * MIB, b"tail")
               + BANNER)
        doc = self.inspect("raw.xz", compress("xz", raw))
        self.assertEqual(entries(doc), ENTRIES)
        self.assertEqual(doc["byte_order"], "big")
        self.assertEqual(doc["table"]["offset"], 5 * MIB + 13)
        self.assertEqual(doc["identity"]["release"], "6.99.1-stream")

    def test_early_exit_stops_after_the_segment_holding_the_notes(self):
        data, table_off, build_id = elf(note_in_load=True)
        for codec in ("xz", "zstd", "gzip", "bzip2", "lzo", "lz4", "lzma"):
            with self.subTest(codec=codec):
                stream = compress(codec, data, trailer=codec != "gzip")
                full = self.inspect(f"full.{codec}", stream)
                self.check_kernel(full, table_off, build_id, "section")
                doc = self.inspect(f"early.{codec}", stream, "--early-exit")
                self.check_kernel(doc, table_off, build_id, "segment_scan")
                self.assertTrue(doc["elf"]["early_exit"])
                layer = doc["chain"][0]
                self.assertIsNone(layer["decompressed_size"])
                self.assertIsNone(layer["size_trailer"])
                self.assertIn("early_exit", layer["details"])
                self.assertEqual(layer["warnings"], [])

    def test_early_exit_does_not_see_a_broken_tail(self):
        # The trade-off docs/performance.md states: the rest of the stream,
        # and its integrity check, are never read.
        data, table_off, build_id = elf(note_in_load=True)
        stream = compress("xz", data)
        cut = stream[:len(stream) - 64]
        path = self.dir / "cut.xz"
        path.write_bytes(cut)
        r = lucompat("inspect", "--json", path)
        self.assertEqual(r.rc, 3, r)
        self.assertIn("truncated", r.one()["error"]["message"])
        doc = self.inspect("cut.xz", cut, "--early-exit")
        self.check_kernel(doc, table_off, build_id, "segment_scan")

    def test_early_exit_reads_on_when_no_segment_holds_the_notes(self):
        data, table_off, build_id = elf()
        doc = self.inspect("apart.xz", compress("xz", data, trailer=True), "--early-exit")
        self.assertEqual(doc["chain"][0]["decompressed_size"], len(data))
        self.assertFalse(doc["elf"]["early_exit"])
        self.check_kernel(doc, table_off, build_id, "section")


if __name__ == "__main__":
    main()
