"""What every command's JSON promises a consumer such as jq (issue 26):
kernel addresses and tokens are "0x..." strings, never numbers that a
double would round; enum values are snake_case identifiers; every error
object has the same keys; `inspect --json` is an array whatever its inputs.
Run over the real outputs of every command that prints JSON: the examples
always, the shared corpus' kernels when it is there."""

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import live_query_test as live
from lucompat_e2e import EXAMPLES, TempDirTest, lucompat, main

ROOT = Path(__file__).resolve().parents[2]
FLEET = ROOT / "examples" / "profiles" / "fleet.toml"
X86 = EXAMPLES / "x86_64"
OLD, NEW, NOTABLE = (X86 / n for n in ("kernel-old.elf", "kernel.elf", "notable.elf"))
MAINLINE = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus")) / "mainline"
JQ = shutil.which("jq")

HEX = re.compile(r"^0x[0-9a-f]+$")
IDENTIFIER = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
# Keys whose string values are enums. Free text (a chain layer's format, what
# a set rests on) has its own keys; `evidence` is an enum only in an entry,
# `type` only in `elf` (a symbol's is nm's letter, whose case means binding).
ENUM_KEYS = {"status", "liveupdate", "kind", "method", "shape", "verdict", "class", "code", "loss",
             "gate", "byte_order", "reason"}
ADDRESS_KEYS = {"address", "token"}
ERROR_KEYS = {"kind", "input", "offset", "context", "message", "text"}


def walk(doc, path="$"):
    """Every (path, key, value, parent object) of a document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield f"{path}.{k}", k, v, doc
            yield from walk(v, f"{path}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from walk(v, f"{path}[{i}]")


def mainline_kernel():
    """A corpus kernel whose derived set has file handlers with addresses."""
    if not (MAINLINE / "MANIFEST.tsv").is_file():
        return None
    with (MAINLINE / "MANIFEST.tsv").open(newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["kallsyms"] == "kallsyms" and row["file_handlers"] not in ("", "-"):
                return MAINLINE / row["file"]
    return None


class Outputs(TempDirTest):
    """Every command that prints JSON, run once per class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake_root = live.LiveQuery.root(cls, "running")
        cls.runs = None

    def outputs(self):
        """[(command, document)]: the real outputs, errors among them."""
        if self.runs is None:
            type(self).runs = self.run_all()
        return self.runs

    def run_all(self):
        store = f"sqlite:{self.dir / 'fleet.db'}"
        reports = self.dir / "reports.jsonl"
        reports.write_text("".join(
            lucompat("report", "--no-modules", "--current", cur, "--next", nxt, "--host", host).out
            for cur, nxt, host in ((OLD, NEW, "h1"), (NEW, OLD, "h2"))))
        runs = {
            "inspect": ["inspect", "--json", NEW, X86 / "module.ko", NOTABLE, X86 / "does-not-exist"],
            "inspect tree": ["inspect", "--json", X86],
            "inspect running": ["inspect", "--json", "--running", "--root", self.fake_root],
            "check": ["check", "--json", "--no-modules", "--current", OLD, "--next", NEW, "--uses",
                      "memfd,vfio-pci"],
            "check running": ["check", "--json", "--no-modules", "--root", self.fake_root, "--next", NEW],
            "check error": ["check", "--json", "--no-modules", "--current", OLD, "--next", X86 / "nope"],
            "profile list": ["profile", "list", "--json", "--profiles", FLEET],
            "profile list error": ["profile", "list", "--json", "--profiles", self.dir / "nope.toml"],
            "profile select": ["profile", "select", "--json", "--profiles", FLEET, "--no-modules",
                               "--current", OLD, "--next", NEW],
            "profile matrix": ["profile", "matrix", "--json", "--profiles", FLEET, "--kernel", NEW,
                               "--kernel", NOTABLE],
            "report": ["report", "--no-modules", "--current", OLD, "--next", NEW, "--host", "h3"],
            "fleet ingest": ["fleet", "ingest", "--json", "--store", store, reports],
            "fleet status": ["fleet", "status", "--json", "--store", store],
            "fleet baseline": ["fleet", "baseline", "--json", "--store", store, "--profiles", FLEET],
            "fleet plan": ["fleet", "plan", "--json", "--store", store, "--profiles", FLEET, "--profile",
                           "2026.03"],
            "fleet error": ["fleet", "status", "--json", "--store", f"sqlite:{self.dir / 'no' / 'such.db'}"],
        }
        kernel = mainline_kernel()
        if kernel:
            runs["inspect mainline"] = ["inspect", "--json", kernel]
            runs["symbols"] = ["symbols", "--json", kernel]
        out = []
        for name, args in runs.items():
            r = lucompat(*args, timeout=120)
            self.assertNotEqual(r.out, "", f"{name}: no JSON\n{r}")
            out.append((name, json.loads(r.out)))
        return out


class JsonContract(Outputs):
    def test_addresses_are_hex_strings_and_no_number_exceeds_a_double(self):
        seen = set()
        for name, doc in self.outputs():
            for path, key, value, _ in walk(doc):
                with self.subTest(command=name, path=path):
                    if isinstance(value, int) and not isinstance(value, bool):
                        self.assertLessEqual(abs(value), 2**53, "a number jq would round")
                    if key in ADDRESS_KEYS and value is not None:
                        self.assertRegex(value, HEX)
                        seen.add(name)
        # The fake running kernel has addresses whatever the corpus holds.
        self.assertIn("inspect running", seen)

    def test_enum_values_are_snake_case(self):
        for name, doc in self.outputs():
            for path, key, value, parent in walk(doc):
                enum = (key in ENUM_KEYS or (key == "evidence" and "compatible" in parent)
                        or (key == "type" and "e_machine" in parent))
                if enum and isinstance(value, str):
                    with self.subTest(command=name, path=path):
                        self.assertRegex(value, IDENTIFIER)

    def test_status_table_means_an_rfc_table(self):
        for name, doc in self.outputs():
            for path, key, value, parent in walk(doc):
                with self.subTest(command=name, path=path):
                    if key == "has_table" and value:
                        self.assertEqual(parent.get("status"), "table")
                    if key == "status" and value == "table" and "table" in parent:
                        self.assertIn(parent["table"]["method"],
                                      ("section", "segment_scan", "magic_scan"))
                    if key == "status" and value == "derived" and "table" in parent:
                        self.assertIn(parent["table"]["method"], ("registrations", "running"))

    def test_every_error_object_has_the_same_keys(self):
        errors = {}
        for name, doc in self.outputs():
            for path, key, value, _ in walk(doc):
                if key == "error" and value is not None:
                    errors[f"{name} {path}"] = value
        self.assertTrue(any(k.startswith("check error") for k in errors), errors)
        self.assertTrue(any(k.startswith("profile list error") for k in errors), errors)
        self.assertTrue(any(k.startswith("fleet error") for k in errors), errors)
        self.assertTrue(any(k.startswith("inspect ") for k in errors), errors)
        for where, error in errors.items():
            with self.subTest(where=where):
                self.assertIsInstance(error, dict)
                self.assertEqual(set(error), ERROR_KEYS)

    def test_inspect_is_an_array_of_documents_whatever_the_inputs(self):
        for name, doc in self.outputs():
            if name.startswith("inspect"):
                with self.subTest(command=name):
                    self.assertIsInstance(doc, list)
                    self.assertTrue(all(isinstance(d, dict) and "status" in d for d in doc))
            if name == "symbols":
                self.assertIsInstance(doc, list)
                self.assertEqual(set(doc[0]), {"input", "symbols"})


class ThroughJq(Outputs):
    """jq reads numbers as doubles: what it prints must be what was written."""

    def setUp(self):
        if not JQ:
            self.skipTest("jq is not installed (scripts/install-deps installs it)")

    def jq(self, program, text):
        p = subprocess.run([JQ, "-r", program], input=text, capture_output=True, text=True, check=True)
        return p.stdout.split()

    def test_handler_addresses_stay_distinct(self):
        r = lucompat("inspect", "--json", "--running", "--root", self.fake_root)
        got = self.jq('.[0].table.entries[] | select(.kind != "core") | .address', r.out)
        self.assertEqual(got, [hex(live.BASE + live.MEMFD), hex(live.BASE + live.VFIO),
                               hex(live.BASE + live.HUGETLB)])

    def test_a_corpus_kernels_handler_addresses_stay_distinct(self):
        """The same handlers through inspect and symbols, each read by jq."""
        kernel = mainline_kernel()
        if not kernel:
            self.skipTest(f"no mainline corpus kernel with kallsyms in {MAINLINE}")
        inspect = lucompat("inspect", "--json", kernel, timeout=120).out
        handlers = {e["symbol"]: e["address"] for e in json.loads(inspect)[0]["table"]["entries"]
                    if e["address"] and "[" not in e["symbol"]}
        self.assertGreaterEqual(len(set(handlers.values())), 3, handlers)
        got = self.jq('.[0].table.entries[] | select(.address and (.symbol | contains("[") | not)) '
                      '| .address', inspect)
        self.assertEqual(got, list(handlers.values()))
        symbols = lucompat("symbols", "--json", kernel, timeout=120).out
        for symbol, address in handlers.items():
            with self.subTest(symbol=symbol):
                found = self.jq(f'.[0].symbols[] | select(.name == {json.dumps(symbol)}) | .address', symbols)
                self.assertIn(address, [hex(int(a, 16)) for a in found])

    def test_every_document_survives_jq_unchanged(self):
        for name, doc in self.outputs():
            with self.subTest(command=name):
                p = subprocess.run([JQ, "-c", "."], input=json.dumps(doc), capture_output=True, text=True,
                                   check=True)
                self.assertEqual(json.loads(p.stdout), doc)


if __name__ == "__main__":
    main()
