"""Kernel containers around the example kernels, made the way real ones are:
payloads compressed by the real command-line tools (with and without the
kernel's size trailer), bzImage, arm64 Image, EFI zboot and ARM zImage
headers laid out per their documentation, and a UKI assembled with objcopy
around systemd's EFI stub. Each must yield the chain and the exact entries."""

import struct
import unittest
from lucompat_e2e import (BAD_INPUT, COMPRESSORS, EXAMPLES, OK, SYSTEMD_STUB, TempDirTest, arm64_image,
                          bzimage, compress, entries, lucompat, main, raw_image, table_def, uki,
                          zboot)

KERNEL_ENTRIES = table_def("kernel_table.def")
ZBOOT_NAMES = {"gzip": "gzip", "lz4": "lz4", "lzma": "lzma", "lzo": "lzo",
               "xzkern": "xz", "zstd22": "zstd"}


class Containers(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kernel = (EXAMPLES / "x86_64" / "kernel.elf").read_bytes()

    def inspect(self, name, data, rc=OK, *args):
        path = self.dir / name
        path.write_bytes(data)
        r = lucompat("inspect", "--json", *args, path)
        self.assertEqual(r.rc, rc, r)
        return r.one()

    def chain(self, doc):
        return [layer["format"] for layer in doc["chain"]]

    def test_every_codec_with_and_without_trailer(self):
        for codec in COMPRESSORS:
            for trailer in (False, True) if codec != "gzip" else (False,):
                with self.subTest(codec=codec, trailer=trailer):
                    doc = self.inspect(f"kernel.{codec}", compress(codec, self.kernel, trailer))
                    self.assertEqual(self.chain(doc), [codec])
                    layer = doc["chain"][0]
                    self.assertEqual(layer["compression"], codec)
                    self.assertEqual(layer["decompressed_size"], len(self.kernel))
                    # gzip's own ISIZE is the trailer there.
                    want = len(self.kernel) if trailer or codec == "gzip" else None
                    self.assertEqual(layer["size_trailer"], want)
                    self.assertEqual(layer["warnings"], [])
                    self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_bzimage_in_every_compression(self):
        for codec in COMPRESSORS:
            with self.subTest(codec=codec):
                payload = compress(codec, self.kernel, trailer=codec != "gzip")
                doc = self.inspect(f"bzImage-{codec}", bzimage(payload))
                self.assertEqual(self.chain(doc), ["x86 bzImage", codec])
                details = doc["chain"][0]["details"]
                self.assertEqual(details["boot_protocol"], "2.15")
                self.assertEqual(details["kernel_version"], "6.99.0-lucompat (lucompat@example) #1 SMP")
                self.assertEqual(doc["chain"][0]["offset"], 1024 + 0x80)
                self.assertEqual(doc["format"], "ELF64 LSB x86-64 executable")
                self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_text_shows_the_chain(self):
        path = self.dir / "bzImage-text"
        path.write_bytes(bzimage(compress("xz", self.kernel, trailer=True)))
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, OK, r)
        self.assertIn("x86 bzImage ▸ xz ▸ ELF64 LSB x86-64 executable (kernel)", r.out)
        self.assertIn(f"container xz: ", r.out)
        self.assertIn(f"→ {len(self.kernel)} bytes (size trailer {len(self.kernel)})", r.out)

    def test_arm64_image_raw_and_gzipped(self):
        image = arm64_image(raw_image(EXAMPLES / "aarch64" / "kernel.elf", self.dir))
        for name, data, chain in (("Image", image, ["arm64 Image"]),
                                  ("Image.gz", compress("gzip", image), ["gzip", "arm64 Image"])):
            with self.subTest(name=name):
                doc = self.inspect(name, data)
                self.assertEqual(self.chain(doc), chain)
                self.assertEqual(doc["format"], "raw binary image")
                self.assertEqual((doc["arch"], doc["byte_order"]), ("arm64", "little"))
                self.assertEqual(doc["table"]["method"], "magic_scan")
                self.assertEqual(doc["identity"]["release"], "6.99.0-lucompat")
                self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_riscv_image(self):
        raw = raw_image(EXAMPLES / "riscv64" / "kernel.elf", self.dir)
        head = bytearray(64)
        struct.pack_into("<QQ", head, 8, 0x200000, len(raw) + 64)
        head[0x38:0x3C] = b"RSC\x05"
        for name, data, chain in (("riscv-Image", bytes(head) + raw, ["riscv Image"]),
                                  ("riscv-Image.gz", compress("gzip", bytes(head) + raw),
                                   ["gzip", "riscv Image"])):
            with self.subTest(name=name):
                doc = self.inspect(name, data)
                self.assertEqual(self.chain(doc), chain)
                self.assertEqual((doc["arch"], doc["byte_order"]), ("riscv64", "little"))
                self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_big_endian_arm64_image_is_read_big_endian(self):
        # The header's flag decides the order; a big-endian payload stands in.
        image = arm64_image(raw_image(EXAMPLES / "s390x" / "kernel.elf", self.dir), big_endian=True)
        doc = self.inspect("Image-be", image)
        self.assertEqual((doc["arch"], doc["byte_order"]), ("arm64be", "big"))
        self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_zboot_with_every_compression_name(self):
        image = arm64_image(raw_image(EXAMPLES / "aarch64" / "kernel.elf", self.dir))
        for name, codec in ZBOOT_NAMES.items():
            with self.subTest(name=name):
                payload = compress(codec, image, trailer=codec != "gzip")
                doc = self.inspect(f"vmlinuz-{name}.efi", zboot(payload, name.encode()))
                self.assertEqual(self.chain(doc), ["EFI zboot", codec, "arm64 Image"])
                self.assertEqual(doc["chain"][0]["details"]["zboot_compression"], name)
                self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_raw_image_of_unknown_kind_in_either_byte_order(self):
        for arch, order in (("riscv64", "little"), ("s390x", "big"), ("ppc64", "big")):
            with self.subTest(arch=arch):
                doc = self.inspect(f"raw-{arch}", raw_image(EXAMPLES / arch / "kernel.elf", self.dir))
                self.assertEqual(self.chain(doc), [])
                self.assertEqual(doc["format"], "raw binary image")
                self.assertEqual(doc["byte_order"], order)
                self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_arm_zimage_skips_a_false_payload_magic(self):
        head = bytearray(0x200)
        struct.pack_into("<I", head, 0x24, 0x016F2818)
        decoy = b"\xfd7zXZ\x00" + b"not really xz" * 4
        payload = compress("gzip", (EXAMPLES / "arm" / "kernel.elf").read_bytes())
        doc = self.inspect("zImage", bytes(head) + decoy + payload)
        self.assertEqual(self.chain(doc), ["ARM zImage", "gzip"])
        self.assertEqual(doc["chain"][0]["offset"], 0x200 + len(decoy))
        self.assertEqual(doc["chain"][0]["details"]["candidates_tried"], "2")
        self.assertEqual(doc["arch"], "arm")
        self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_s390x_style_image_without_payload_pointer(self):
        # A decompressor blob with a false xz hit before the real payload,
        # as in Debian's s390x vmlinuz.
        stub = b"\x00\x01" * 300 + b"\xfd7zXZ\x00" + b"\x07" * 200
        payload = compress("xz", raw_image(EXAMPLES / "s390x" / "kernel.elf", self.dir), trailer=True)
        doc = self.inspect("vmlinuz-s390x", stub + payload + b"\x00" * 64)
        self.assertEqual(self.chain(doc), ["self-decompressing image", "xz"])
        self.assertEqual(doc["chain"][0]["details"]["candidates_tried"], "2")
        self.assertEqual(doc["byte_order"], "big")
        self.assertEqual(entries(doc), KERNEL_ENTRIES)

    @unittest.skipUnless(SYSTEMD_STUB.exists(), "systemd-boot-efi is not installed")
    def test_uki_made_with_objcopy(self):
        linux = bzimage(compress("xz", self.kernel, trailer=True))
        doc = self.inspect("uki.efi", uki(linux, self.dir))
        self.assertEqual(self.chain(doc), ["UKI", "x86 bzImage", "xz"])
        details = doc["chain"][0]["details"]
        self.assertEqual(details["uname"], "6.99.0-lucompat")
        self.assertEqual(details["osrel"], "lucompat test OS")
        self.assertEqual(details["cmdline"], "console=ttyS0 quiet")
        self.assertEqual(details["pe_machine"], "x86-64")
        # .linux is read by its VirtualSize, not its padded raw size.
        self.assertEqual(doc["chain"][0]["size"], len(linux))
        self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_modules_compressed_every_way(self):
        module = (EXAMPLES / "x86_64" / "module.ko").read_bytes()
        for codec in ("gzip", "xz", "zstd"):
            with self.subTest(codec=codec):
                doc = self.inspect(f"module.ko.{codec}", compress(codec, module))
                self.assertEqual(self.chain(doc), [codec])
                self.assertEqual(doc["kind"], "module")
                self.assertEqual(entries(doc), table_def("module_table.def"))

    def test_nesting_within_the_cap(self):
        data = self.kernel
        for _ in range(5):
            data = compress("gzip", data)
        doc = self.inspect("nested5", data)
        self.assertEqual(self.chain(doc), ["gzip"] * 5)
        self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_every_codec_inside_every_codec(self):
        # The inner stream is decoded from the outer one's output as it
        # comes, in whatever pieces that decoder hands over.
        for outer in COMPRESSORS:
            for inner in COMPRESSORS:
                with self.subTest(outer=outer, inner=inner):
                    data = compress(outer, compress(inner, self.kernel, trailer=True))
                    if outer == inner == "lzma":
                        # Both decoders are alive at once: two 64 MiB
                        # dictionaries (lzma -9) pass the 128 MiB for all
                        # streams together, and waiting would wait for itself.
                        doc = self.inspect("lzma.lzma", data, BAD_INPUT)
                        self.assertIn("a stream nested in another needs 67",
                                      doc["error"]["message"])
                        continue
                    doc = self.inspect(f"{inner}.{outer}", data)
                    self.assertEqual(self.chain(doc), [outer, inner])
                    self.assertEqual(doc["chain"][1]["size_trailer"], len(self.kernel))
                    self.assertEqual(doc["chain"][1]["warnings"], [])
                    self.assertEqual(entries(doc), KERNEL_ENTRIES)

    def test_error_in_a_nested_stream_names_its_data(self):
        inner = bytearray(compress("gzip", self.kernel))
        inner[len(inner) // 2] ^= 0xFF
        path = self.dir / "corrupt-inner.xz"
        path.write_bytes(compress("xz", bytes(inner)))
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertRegex(r.err, r"in the data decompressed from xz, offset 0x[0-9a-f]+: corrupt gzip data")
        self.assertEqual(len(r.err.splitlines()), 1, r)

    def test_nesting_past_the_depth_limit(self):
        data = self.kernel
        for _ in range(7):
            data = compress("gzip", data)
        path = self.dir / "nested7"
        path.write_bytes(data)
        r = lucompat("inspect", path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("nested more than 6 deep (the --max-depth limit)", r.err)


if __name__ == "__main__":
    main()
