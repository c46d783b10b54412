"""Debian's armhf kernel (vmlinuz-*-armmp: an ARM zImage with an EFI stub and
an xz payload) is read, not refused (issue 15, item 20). Its decompressor
holds an lzma magic whose header asks for more than the decoder memory cap
before the real payload; that one false candidate made the whole file an
error. These kernels predate the RFC: the expected result is exit 4 with the
release named.

Nothing is committed: the package is fetched with apt-get download into the
build directory, through a private apt state there (armhf indices, no root,
the host's sources), and kept for the next run. The test skips, saying why,
only when apt cannot reach the package."""

import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

from lucompat_e2e import UNDECIDABLE, lucompat

BUILD = Path(os.environ.get("LUCOMPAT_BUILD_DIR", "build"))
CACHE = BUILD / "debian-armhf"
PACKAGE = r"^linux-image-6\.1\.0-[0-9]+-armmp$"


def apt_options():
    state = CACHE / "apt"
    for d in ("lists/partial", "archives/partial"):
        (state / d).mkdir(parents=True, exist_ok=True)
    (state / "status").touch()
    return ["-o", f"Dir::State={state}", "-o", f"Dir::State::Lists={state}/lists",
            "-o", f"Dir::State::status={state}/status", "-o", f"Dir::Cache={state}",
            "-o", f"Dir::Cache::archives={state}/archives", "-o", "APT::Architecture=armhf",
            "-o", "APT::Architectures::=armhf", "-o", "Debug::NoLocking=1"]


def fetch():
    """The newest vmlinuz-6.1.0-*-armmp apt offers, unpacked; or why not."""
    found = sorted(CACHE.glob("root/boot/vmlinuz-*-armmp"))
    if found:
        return found[-1], None
    opts = apt_options()
    # Some index files of the host's sources may fail; what matters is
    # whether the package is then known.
    subprocess.run(["apt-get", *opts, "-qq", "update"], capture_output=True, timeout=600)
    search = subprocess.run(["apt-cache", *opts, "search", "--names-only", PACKAGE],
                            capture_output=True, text=True, timeout=120)
    names = sorted((line.split(" ")[0] for line in search.stdout.splitlines()),
                   key=lambda n: int(n.split("-")[3]))  # the ABI number
    if not names:
        return None, f"apt knows no package matching {PACKAGE} for armhf: {search.stderr.strip()}"
    download = subprocess.run(["apt-get", *opts, "-qq", "download", f"{names[-1]}:armhf"],
                              cwd=CACHE, capture_output=True, text=True, timeout=600)
    debs = sorted(CACHE.glob(f"{names[-1]}_*_armhf.deb"))
    if not debs:
        return None, f"apt-get download {names[-1]}:armhf failed: {download.stderr.strip()}"
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(CACHE / "root")], check=True)
    found = sorted(CACHE.glob("root/boot/vmlinuz-*-armmp"))
    if not found:
        raise AssertionError(f"{debs[-1]} holds no boot/vmlinuz-*-armmp")
    return found[-1], None


KERNEL = None


class DebianArmhf(unittest.TestCase):
    def test_armmp_zimage_is_read(self):
        kernel = KERNEL
        release = kernel.name.removeprefix("vmlinuz-")
        r = lucompat("inspect", "--json", kernel)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        doc = r.one()
        self.assertEqual([layer["format"] for layer in doc["chain"]], ["ARM zImage", "xz"])
        self.assertEqual(doc["identity"]["release"], release)
        self.assertIsNone(doc.get("table"))
        r = lucompat("inspect", kernel)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertRegex(r.out, rf"release +{re.escape(release)}")
        self.assertEqual(r.err, "")


if __name__ == "__main__":
    CACHE.mkdir(parents=True, exist_ok=True)
    KERNEL, WHY = fetch()
    if KERNEL is None:
        print(f"SKIP: {WHY}")
        sys.exit(77)  # ctest's SKIP_RETURN_CODE
    unittest.main()
