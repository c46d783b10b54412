"""Shared helpers for the end-to-end tests: run the real binary, read ELF
headers of the example files so tests can corrupt precise fields."""

import json
import os
import re
import struct
import subprocess
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

    def __repr__(self):
        return f"rc={self.rc}\nstdout:\n{self.out}\nstderr:\n{self.err}"


def lucompat(*args, timeout=60):
    proc = subprocess.run([LUCOMPAT, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
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
