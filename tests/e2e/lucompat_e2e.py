"""Shared helpers for the end-to-end tests: run the real binary, read ELF
headers of the example files so tests can corrupt precise fields."""

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
from pathlib import Path

LUCOMPAT = os.environ.get("LUCOMPAT", "build/lucompat")
EXAMPLES = Path(os.environ.get("LUCOMPAT_EXAMPLES", "build/examples"))
EXAMPLES_SRC = Path(os.environ.get("LUCOMPAT_EXAMPLES_SRC", "examples/producer"))

# Exit codes: the contract in docs/exit-codes.md.
OK, INCOMPATIBLE, USAGE, BAD_INPUT, UNDECIDABLE = 0, 1, 2, 3, 4


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def one(self):
        """The one document of `inspect --json` for one input: it prints an
        array of documents, one per input, however many."""
        docs = self.json()
        assert isinstance(docs, list) and len(docs) == 1, docs
        return docs[0]

    def __repr__(self):
        return f"rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"


class TempDirTest(unittest.TestCase):
    """A test class with a scratch directory, removed afterwards."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix=f"lucompat-{cls.__name__.lower()}-"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)


# No single input may take longer than this: a hang guard (docs/reliability.md),
# generous enough for the slowest corpus image under the sanitizers.
INPUT_TIMEOUT = 20


def lucompat(*args, timeout=60, env=None):
    proc = subprocess.run([LUCOMPAT, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=env)
    return Run(proc)


def table_def(name):
    """The compatible strings an example source declares, in order."""
    text = (EXAMPLES_SRC / name).read_text()
    return re.findall(r'^X\(\w+, "([^"]*)"\)', text, re.M)


def entries(doc):
    return [e["compatible"] for e in doc["table"]["entries"]]


class Elf:
    """Just enough ELF reading to find the header fields and sections to corrupt."""

    def __init__(self, data: bytes):
        self.data = bytearray(data)
        self.is64 = data[4] == 2
        self.end = "<" if data[5] == 1 else ">"
        if self.is64:
            (self.phoff, self.shoff) = self.unpack("QQ", 32)
            (self.phentsize, self.phnum, self.shentsize, self.shnum,
             self.shstrndx) = self.unpack("HHHHH", 54)
        else:
            (self.phoff, self.shoff) = self.unpack("II", 28)
            (self.phentsize, self.phnum, self.shentsize, self.shnum,
             self.shstrndx) = self.unpack("HHHHH", 42)

    def unpack(self, fmt, off):
        return struct.unpack_from(self.end + fmt, self.data, off)

    def pack(self, fmt, off, *values):
        struct.pack_into(self.end + fmt, self.data, off, *values)

    # Field offsets inside the ELF header.
    def e_field(self, name):
        f64 = {"phoff": 32, "shoff": 40, "phnum": 56, "shnum": 60, "shstrndx": 62}
        f32 = {"phoff": 28, "shoff": 32, "phnum": 44, "shnum": 48, "shstrndx": 50}
        return (f64 if self.is64 else f32)[name]

    def shdr(self, i):
        return self.shoff + i * self.shentsize

    def section(self, i):
        off = self.shdr(i)
        if self.is64:
            name, typ, _flags, _addr, offset, size = self.unpack("IIQQQQ", off)
        else:
            name, typ, _flags, _addr, offset, size = self.unpack("IIIIII", off)
        return {"name": name, "type": typ, "offset": offset, "size": size, "header": off}

    def offset_of_address(self, address):
        """The file offset of a loaded address, through the program headers."""
        for i in range(self.phnum):
            at = self.phoff + i * self.phentsize
            if self.is64:
                typ, _flags, offset, vaddr, _paddr, filesz = self.unpack("IIQQQQ", at)
            else:
                typ, offset, vaddr, _paddr, filesz = self.unpack("IIIII", at)
            if typ == 1 and vaddr <= address < vaddr + filesz:
                return offset + address - vaddr
        raise ValueError(f"address {address:#x} is in no loaded segment")

    def section_name(self, i):
        strtab = self.section(self.shstrndx)["offset"]
        start = strtab + self.section(i)["name"]
        return bytes(self.data[start:self.data.index(0, start)]).decode()

    def find_section(self, name):
        for i in range(1, self.shnum):
            if self.section_name(i) == name:
                return dict(self.section(i), index=i)
        raise KeyError(name)

    # Offsets of sh_type, sh_offset and sh_size inside a section header.
    def sh_field(self, name):
        return ({"type": 4, "offset": 24, "size": 32} if self.is64
                else {"type": 4, "offset": 16, "size": 20})[name]

    def set_section(self, name, field, value):
        s = self.find_section(name)
        fmt = "I" if field == "type" or not self.is64 else "Q"
        self.pack(fmt, s["header"] + self.sh_field(field), value)

    def phdr_field(self, i, name):
        base = self.phoff + i * self.phentsize
        return base + ({"offset": 8, "filesz": 32} if self.is64
                       else {"offset": 4, "filesz": 16})[name]


def main():
    unittest.main(verbosity=2)


# Builders of kernel containers around example payloads, with the real tools
# where the format has one.

COMPRESSORS = {
    "gzip": ["gzip", "-9", "-n", "-c"],
    "xz": ["xz", "--check=crc32", "--lzma2=dict=1MiB", "-c"],
    "lzma": ["lzma", "-9", "-c"],
    "bzip2": ["bzip2", "-9", "-c"],
    "lzo": ["lzop", "-9", "-c"],
    "lz4": ["lz4", "-l", "-9", "-c"],
    "zstd": ["zstd", "-19", "-q", "-c"],
}


def compress(codec, data: bytes, trailer=False) -> bytes:
    """`data` compressed by the real command-line tool, plus the kernel's
    4-byte little-endian size trailer when asked."""
    out = subprocess.run(COMPRESSORS[codec], input=data, capture_output=True, check=True).stdout
    return out + struct.pack("<I", len(data)) if trailer else out


def bzimage(payload: bytes, protocol=0x020F, version=b"6.99.0-lucompat (lucompat@example) #1 SMP"):
    """An x86 bzImage: one setup sector after the boot sector, the version
    string in it, and the payload after the setup code."""
    setup_sects = 1
    head = bytearray((setup_sects + 1) * 512)
    head[0x1F1] = setup_sects
    struct.pack_into("<H", head, 0x1FE, 0xAA55)
    head[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", head, 0x206, protocol)
    struct.pack_into("<H", head, 0x20E, 0x300 - 0x200)
    head[0x300:0x300 + len(version) + 1] = version + b"\0"
    payload_offset = 0x80  # after some stand-in decompressor code
    struct.pack_into("<II", head, 0x248, payload_offset, len(payload))
    return bytes(head) + b"\xcc" * payload_offset + payload + b"\0" * 16


def arm64_image(raw: bytes, big_endian=False):
    """An arm64 Image header (Documentation/arch/arm64/booting.rst) before raw bytes."""
    head = bytearray(64)
    struct.pack_into("<QQQ", head, 8, 0, len(raw) + 64, 1 if big_endian else 0)
    head[0x38:0x3C] = b"ARM\x64"
    return bytes(head) + raw


def zboot(payload: bytes, name: bytes):
    """An EFI zboot image: MZ, 'zimg', payload offset and size, compression name."""
    head = bytearray(0x200)
    head[0:2] = b"MZ"
    head[4:8] = b"zimg"
    struct.pack_into("<II", head, 8, len(head), len(payload))
    head[0x18:0x18 + len(name)] = name
    return bytes(head) + payload


def raw_image(elf_path: Path, out_dir: Path) -> bytes:
    """objcopy -O binary of a linked example: what an Image is made from."""
    out = out_dir / (elf_path.parent.name + "-" + elf_path.name + ".bin")
    subprocess.run(["llvm-objcopy", "-O", "binary", str(elf_path), str(out)], check=True)
    return out.read_bytes()


SYSTEMD_STUB = Path("/usr/lib/systemd/boot/efi/linuxx64.efi.stub")


def uki(linux: bytes, out_dir: Path, uname=b"6.99.0-lucompat\n",
        osrel=b'ID=lucompat\nPRETTY_NAME="lucompat test OS"\n', cmdline=b"console=ttyS0 quiet\n"):
    """A UKI assembled the classic way: objcopy --add-section around systemd's stub."""
    parts = {".osrel": (osrel, 0x20000), ".cmdline": (cmdline, 0x30000),
             ".uname": (uname, 0x40000), ".linux": (linux, 0x2000000)}
    args = ["objcopy"]
    for name, (data, vma) in parts.items():
        f = out_dir / ("uki" + name)
        f.write_bytes(data)
        args += ["--add-section", f"{name}={f}", "--change-section-vma", f"{name}={vma:#x}"]
    out = out_dir / "uki.efi"
    subprocess.run(args + [str(SYSTEMD_STUB), str(out)], check=True, capture_output=True)
    return out.read_bytes()


def deb(files: dict, out: Path, compression="xz", package="linux-image-lucompat-test",
        depends=None) -> Path:
    """A .deb made by dpkg-deb holding `files` (path inside -> bytes)."""
    root = out.with_suffix(".root")
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        f"Package: {package}\nVersion: 1.0\nArchitecture: amd64\n"
        + (f"Depends: {depends}\n" if depends else "")
        + "Maintainer: lucompat tests <tests@example.org>\nDescription: test kernel\n")
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    subprocess.run(["dpkg-deb", f"-Z{compression}", "--root-owner-group", "--build", str(root),
                    str(out)], check=True, capture_output=True)
    return out


def rpm(files: dict, work: Path) -> Path:
    """A binary .rpm made by rpmbuild (Debian's rpm package) holding `files`."""
    src = work / "rpmsrc"
    for name, data in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    spec = work / "kernel.spec"
    spec.write_text(
        "Name: kernel-lucompat-test\nVersion: 1.0\nRelease: 1\nSummary: test kernel\n"
        "License: GPL\nBuildArch: x86_64\n%description\ntest kernel\n"
        f"%install\nmkdir -p %{{buildroot}}\ncp -a {src}/. %{{buildroot}}/\n"
        "%files\n" + "".join(f"/{name}\n" for name in files))
    subprocess.run(["rpmbuild", "-bb", "--nodeps", "--define", f"_topdir {work / 'rpmtop'}",
                    "--define", "__os_install_post %{nil}", "--define", "_build_id_links none",
                    str(spec)], check=True, capture_output=True)
    return next((work / "rpmtop" / "RPMS").rglob("*.rpm"))


def ar_archive(members: dict) -> bytes:
    """A System V ar archive, as dpkg writes .deb files."""
    out = b"!<arch>\n"
    for name, data in members.items():
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    return out
