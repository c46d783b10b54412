"""The benchmark scripts read lucompat's own JSON to find what to measure
against: the compressed payload the bare decompression is timed on, and how
far --early-exit read. `make bench` is not part of the test run, so these
tests keep its readers in step with the JSON contract (docs/json.md).
Skipped (exit 77) when the corpus is absent."""

import lzma
import os
import sys
import tempfile
import unittest
from pathlib import Path

from lucompat_e2e import LUCOMPAT, main

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from benchlib import inspect_json  # noqa: E402
from inspect_corpus import compressed_read, payload  # noqa: E402

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
REAL_XZ = CORPUS / "real" / "x86_64-bzImage-xz-7.3.4-asis"


class BenchReadersTest(unittest.TestCase):
    def test_payload_is_the_stream_inspect_decompressed(self):
        doc = inspect_json(LUCOMPAT, REAL_XZ)
        with tempfile.TemporaryDirectory() as tmp:
            stream, codec = payload(doc, REAL_XZ, tmp)
            self.assertEqual(codec, "xz")
            size = len(lzma.decompress(stream.read_bytes(), format=lzma.FORMAT_XZ))
        self.assertEqual(size, next(l["decompressed_size"] for l in doc["chain"] if l["compression"]))

    def test_early_exit_reports_a_prefix_of_the_stream(self):
        doc = inspect_json(LUCOMPAT, REAL_XZ)
        whole = next(l["size"] for l in doc["chain"] if l["compression"])
        read = compressed_read(str(REAL_XZ), LUCOMPAT)
        if read is not None:
            self.assertLessEqual(read, whole)

    def test_a_second_input_is_refused_not_misread(self):
        with self.assertRaises(ValueError):
            inspect_json(LUCOMPAT, f"{REAL_XZ}", str(REAL_XZ))


if __name__ == "__main__":
    if not REAL_XZ.is_file():
        print(f"skipped: no corpus at {REAL_XZ}", file=sys.stderr)
        sys.exit(77)
    main()
