"""The shared library's interface is the C API of lucompat.h, symbol by
symbol: what the library exports, what the header declares, what the version
script lists and what debian/liblucompat0.symbols records are one set, each
symbol under its version node. Skipped (exit 77) without the library (the
fuzz build has none)."""

import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

from lucompat_e2e import main

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = os.environ.get("LUCOMPAT_LIBRARY", "")


def exported():
    """{symbol: version} of the functions the library exports."""
    out = subprocess.run(["nm", "-D", "--defined-only", LIBRARY], capture_output=True, text=True,
                         check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "T":
            name, _, version = parts[2].partition("@@")
            syms[name] = version
    return syms


class Abi(unittest.TestCase):
    def test_one_set_everywhere(self):
        header = set(re.findall(r"\b(lucompat_[a-z_]+)\(", (ROOT / "include/lucompat/lucompat.h").read_text()))
        script = (ROOT / "src/capi/lucompat.map").read_text()
        listed = set(re.findall(r"^\s+(lucompat_[a-z_]+);", script, re.M))
        symbols = (ROOT / "debian/liblucompat0.symbols").read_text()
        recorded = dict(re.findall(r"^ (lucompat_[a-z_]+)@(\w+) ", symbols, re.M))
        lib = exported()
        self.assertEqual(set(lib), header)
        self.assertEqual(listed, header)
        self.assertEqual(set(recorded), header)
        for name, version in lib.items():
            self.assertEqual(version, "LUCOMPAT_0", name)
            self.assertEqual(recorded[name], version, name)
        self.assertNotIn("*", script.split("global:")[1].split("local:")[0])

    def test_no_fleet_inside(self):
        """A VMM links the library for inspect and check: it loads no SQLite
        (the fleet store) and holds no fleet code (issue 25, 4). libpq,
        libarchive and libsystemd are opened on first use, never linked."""
        dynamic = subprocess.run(["readelf", "-dW", LIBRARY], capture_output=True, text=True,
                                 check=True).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
        self.assertIn("libelf.so.1", needed)
        for lib in ("libsqlite3", "libpq", "libarchive", "libsystemd"):
            self.assertFalse([n for n in needed if n.startswith(lib)], (lib, needed))
        symbols = subprocess.run(["nm", "-C", LIBRARY], capture_output=True, text=True,
                                 check=True).stdout
        self.assertIn("lucompat::check_update", symbols)
        self.assertNotIn("lucompat::fleet_status", symbols)


if __name__ == "__main__":
    if not LIBRARY or not Path(LIBRARY).is_file():
        print("skipped: no shared library (LUCOMPAT_LIBRARY)", file=sys.stderr)
        sys.exit(77)
    main()
