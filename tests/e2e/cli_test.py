"""The command line as a user meets it: help that teaches, usage errors with
exit 2, the exit-code contract, and JSON for one or several inputs."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, LUCOMPAT, OK, UNDECIDABLE, USAGE, lucompat,
                          main)

KERNEL = EXAMPLES / "x86_64" / "kernel.elf"
NOTABLE = EXAMPLES / "x86_64" / "notable.elf"
BREAK = EXAMPLES / "x86_64" / "kernel-break.elf"
FLEET = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "fleet.toml"


class Cli(unittest.TestCase):
    def test_help_lists_commands_and_exit_codes(self):
        r = lucompat("--help")
        self.assertEqual(r.rc, OK, r)
        self.assertIn("inspect", r.out)
        for line in ("0   success", "1   verdict: incompatible", "2   usage error",
                     "3   an input is unreadable", "4   undecided"):
            self.assertIn(line, r.out)

    def test_inspect_help_has_examples(self):
        r = lucompat("inspect", "--help")
        self.assertEqual(r.rc, OK, r)
        self.assertIn("lucompat inspect /boot/vmlinuz-$(uname -r)", r.out)
        self.assertIn("--json", r.out)

    def test_version(self):
        r = lucompat("--version")
        self.assertEqual(r.rc, OK, r)
        self.assertRegex(r.out, r"^lucompat \d+\.\d+\.\d+")

    def test_usage_errors_exit_2(self):
        for args in ([], ["inspect"], ["frobnicate"], ["inspect", "--bogus", KERNEL]):
            with self.subTest(args=args):
                r = lucompat(*args)
                self.assertEqual(r.rc, USAGE, r)
                self.assertNotEqual(r.err, "")

    def test_usage_errors_are_one_line_that_names_the_mistake(self):
        cases = {("chek",): "lucompat: unknown command 'chek' (commands of lucompat: inspect, check, ",
                 ("check", "--nxt", KERNEL): "lucompat: unknown option --nxt (see 'lucompat check --help')",
                 ("fleet", "stat"): "lucompat: unknown command 'stat' (commands of lucompat fleet: ",
                 ("check", "--next", KERNEL, "extra"): "lucompat: unexpected argument 'extra'",
                 (): "lucompat: 'lucompat' needs a command: one of inspect, check, ",
                 ("check",): "lucompat: --next PATH or --next-entry ID|default is required (see --help)"}
        for args, start in cases.items():
            with self.subTest(args=args):
                r = lucompat(*args)
                self.assertEqual(r.rc, USAGE, r)
                self.assertTrue(r.err.startswith(start), r.err)
                self.assertEqual(r.err.count("\n"), 1, r.err)
                self.assertEqual(r.out, "")

    def help_pages(self):
        """Every command's --help, found by walking the commands each page lists."""
        pages, todo = {}, [()]
        while todo:
            cmd = todo.pop()
            r = lucompat(*cmd, "--help")
            self.assertEqual(r.rc, OK, r)
            pages[cmd] = r.out
            if "Subcommands:" in r.out:
                listed = r.out[r.out.index("Subcommands:"):]
                todo += [cmd + (c,) for c in re.findall(r"^  ([a-z]+) ", listed, re.M)]
        return pages

    def test_help_fits_80_columns_without_validator_noise(self):
        pages = self.help_pages()
        self.assertGreaterEqual(len(pages), 15, sorted(pages))
        for cmd, text in pages.items():
            with self.subTest(cmd=cmd):
                for line in text.splitlines():
                    self.assertLessEqual(len(line), 80, line)
                for noise in (":UINT", ":INT", ":SIZE", "in [", "kb(=1024b)", "... ...", " ...",
                              "REQUIRED", "Excludes:", "Needs:"):
                    self.assertNotIn(noise, text)
        self.assertIn("--color auto|always|never", pages[("check",)])
        # The schema a help page names is the one the command prints.
        doc = lucompat("check", "--json", "--no-modules", "--current", KERNEL, "--next", KERNEL).json()
        self.assertIn(f"JSON ({doc['schema']})", pages[("check",)])
        self.assertIn("--pid PID...", pages[("check",)])
        self.assertIn("-j,--jobs N", pages[("inspect",)])

    def test_help_command_shows_a_commands_page(self):
        for cmd in (("check",), ("fleet", "plan"), ("profile", "env")):
            with self.subTest(cmd=cmd):
                r = lucompat("help", *cmd)
                self.assertEqual(r.rc, OK, r)
                self.assertEqual(r.out, lucompat(*cmd, "--help").out)
        self.assertEqual(lucompat("help").out, lucompat("--help").out)
        r = lucompat("help", "chek")
        self.assertEqual(r.rc, USAGE, r)
        self.assertIn("has no command 'chek'", r.err)
        self.assertNotIn("\x1b", lucompat("help", "\x1b[2J").err)  # a name is shown, not sent

    def test_one_set_of_output_flags(self):
        """--json where JSON is printed, --next where a kernel to check is named, -q for the
        verdict alone (issue 26, 3)."""
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            (root / "etc" / "lucompat").mkdir(parents=True)
            for args in (["report", "--root", root, "--no-modules", "--current", KERNEL],
                         ["profile", "env", "2026.06", "--profiles", FLEET]):
                with self.subTest(args=args[:2]):
                    r = lucompat(*args, "--json")
                    self.assertEqual(r.rc, OK, r)
                    # The same document but for when it was collected.
                    same = lambda doc: {k: v for k, v in doc.items() if k != "collected_at"}
                    self.assertEqual(same(r.json()), same(lucompat(*args, "--format", "json").json()))
                    self.assertEqual(lucompat(*args, "--json", "--format", "json").rc, USAGE)
        m = lucompat("profile", "matrix", "--profiles", FLEET, "--next", KERNEL)
        self.assertEqual(m.out, lucompat("profile", "matrix", "--profiles", FLEET, "--kernel", KERNEL).out)
        self.assertEqual(m.rc, OK, m)
        full = lucompat("check", "--no-modules", "--current", KERNEL, "--next", BREAK)
        quiet = lucompat("check", "--no-modules", "--current", KERNEL, "--next", BREAK, "-q")
        self.assertEqual(quiet.rc, full.rc)
        self.assertEqual(quiet.out, full.out.splitlines(keepends=True)[-1])
        self.assertEqual(lucompat("check", "--next", KERNEL, "-q", "-v").rc, USAGE)

    def test_every_command_takes_color(self):
        """--color=auto|always|never on every command (issue 26, 3): one spelling that a
        script can pass anywhere; the verdict words are coloured only when asked."""
        for cmd, text in self.help_pages().items():
            if "Subcommands:" in text or cmd == ():
                continue
            with self.subTest(cmd=cmd):
                self.assertIn("--color auto|always|never", text)
        self.assertEqual(lucompat("inspect", "--color", "sometimes", KERNEL).rc, USAGE)
        matrix = ["profile", "matrix", "--profiles", FLEET, "--next", KERNEL]
        self.assertIn("\x1b[32msupported", lucompat(*matrix, "--color", "always").out)
        self.assertIn("gate: \x1b[32mpass\x1b[0m", lucompat(*matrix, "--color=always").out)
        self.assertNotIn("\x1b", lucompat(*matrix, "--color", "never").out)
        # auto: not a terminal here, so no colour; NO_COLOR does not outrank always.
        self.assertNotIn("\x1b", lucompat(*matrix).out)
        env = dict(os.environ, NO_COLOR="1")
        r = subprocess.run([LUCOMPAT, *map(str, matrix), "--color", "always"], env=env,
                           capture_output=True, text=True)
        self.assertIn("\x1b[", r.stdout)
        check = ["check", "--no-modules", "--current", KERNEL, "--next", BREAK, "--color", "always"]
        self.assertIn("\x1b[1;31m", lucompat(*check).out)

    def on_terminal(self, args, columns):
        """stdout of lucompat on a pseudo-terminal `columns` wide."""
        import fcntl
        import pty
        import struct
        import termios
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        p = subprocess.Popen([LUCOMPAT, *map(str, args)], stdout=slave, stderr=subprocess.DEVNULL)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other end is closed
                break
            if not chunk:
                break
            out += chunk
        p.wait()
        os.close(master)
        return out.decode().replace("\r\n", "\n")

    def test_lines_fit_the_terminal(self):
        """On a terminal every line of check and inspect fits 100 columns (the terminal's
        width when narrower), values continuing under their column; in a pipe lines stay
        whole (issue 26, 4)."""
        corpus = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus")) / "real"
        runs = [["check", "-v", "--no-modules", "--current", KERNEL, "--next", BREAK],
                ["inspect", KERNEL, NOTABLE]]
        if (corpus / "MANIFEST.tsv").is_file():
            a, b = corpus / "x86_64-bzImage-xz-7.3.4-asis", corpus / "x86_64-bzImage-xz-7.3.4-luo-v6"
            runs += [["check", "-v", "--no-modules", "--next-cmdline", "liveupdate=on",
                      "--current", a, "--next", b], ["inspect", a]]
        for args in runs:
            piped = lucompat(*args, "--color", "never").out
            for columns, width in ((200, 100), (80, 80)):
                with self.subTest(args=args[:2], columns=columns):
                    shown = self.on_terminal([*args, "--color", "never"], columns)
                    for line in shown.splitlines():
                        self.assertLessEqual(len(line), width, line)
                    self.assertEqual(shown.split(), piped.split())
            self.assertTrue(any(len(l) > 100 for l in piped.splitlines()) or len(runs) == 2, args)

    def test_fleet_help_pages_have_examples(self):
        for sub in ("ingest", "baseline", "plan", "status"):
            with self.subTest(sub):
                r = lucompat("fleet", sub, "--help")
                self.assertEqual(r.rc, OK, r)
                self.assertIn("Examples:\n  lucompat fleet " + sub, r.out)
                self.assertNotIn("docs/", r.out)

    def test_single_path_json_is_an_array_of_one(self):
        # One shape whatever the inputs: `jq '.[]'` reads one path as it reads several.
        for path in (KERNEL, EXAMPLES / "x86_64" / "module.ko", EXAMPLES / "does-not-exist"):
            with self.subTest(path=path.name):
                docs = lucompat("inspect", "--json", path).json()
                self.assertIsInstance(docs, list)
                self.assertEqual([d["input"] for d in docs], [str(path)])

    def test_several_paths_json_is_an_array_in_order(self):
        r = lucompat("inspect", "--json", KERNEL, NOTABLE)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        docs = r.json()
        self.assertEqual([d["input"] for d in docs], [str(KERNEL), str(NOTABLE)])
        self.assertEqual([d["status"] for d in docs], ["table", "no_table"])

    def test_unreadable_outranks_missing_table(self):
        r = lucompat("inspect", NOTABLE, EXAMPLES / "does-not-exist")
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("no Live Update Orchestrator in this kernel", r.out)

    def test_no_table_is_reported_plainly(self):
        r = lucompat("inspect", NOTABLE)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertEqual(r.err, "")
        # Its symbol table was searched for registrations too: "no LUO" is a finding.
        self.assertIn("table     no Live Update Orchestrator in this kernel (built without "
                      "CONFIG_LIVEUPDATE): its complete symbols have none of LUO's functions, "
                      "handlers, FLBs or core strings", r.out)

    def test_an_rfc_table_is_not_its_own_registration_evidence(self):
        # The core string finder once read the table's own luo-v1 entry as a
        # literal the kernel writes, and reported registrations that disagreed.
        doc = lucompat("inspect", "--json", KERNEL).one()
        self.assertEqual(doc["table"]["method"], "section")
        self.assertIsNone(doc["registrations"])
        self.assertEqual(doc["disagreements"], [])

    def test_json_escapes_text_that_is_not_utf8(self):
        """A module's .modinfo, a file name: bytes that are not UTF-8 once
        made every --json exit 70 with no output. They are written as text
        output writes them ("\\xff"), and the rest of the document stands."""
        tmp = Path(tempfile.mkdtemp(prefix="lucompat-cli-utf8-"))
        self.addCleanup(shutil.rmtree, tmp)
        module = bytearray((EXAMPLES / "x86_64" / "module.ko").read_bytes())
        at = module.find(b"name=lucompat_example") + len(b"name=l")
        module[at] = 0xFE
        (tmp / "mod.ko").write_bytes(module)
        kernel = os.path.join(os.fsencode(tmp), b"k\xff.elf")
        shutil.copy(KERNEL, kernel)
        profiles = os.path.join(os.fsencode(tmp), b"p\xff.toml")
        shutil.copy(Path(__file__).resolve().parents[2] / "examples" / "profiles" / "fleet.toml", profiles)

        def run(*args):
            p = subprocess.run([LUCOMPAT, *args], capture_output=True, stdin=subprocess.DEVNULL)
            self.assertNotEqual(p.returncode, 70, p.stderr)
            return p.returncode, json.loads(p.stdout)

        rc, [doc] = run("inspect", "--json", tmp / "mod.ko")
        self.assertEqual(rc, OK)
        self.assertEqual(doc["identity"]["module_name"], "l\\xfecompat_example")
        rc, [doc] = run("inspect", "--json", kernel)
        self.assertEqual((rc, doc["input"]), (OK, tmp.as_posix() + "/k\\xff.elf"))
        rc, doc = run("check", "--json", "--no-modules", "--current", EXAMPLES / "x86_64" / "kernel-old.elf",
                      "--next", kernel)
        self.assertEqual((rc, doc["next"]["path"]), (OK, tmp.as_posix() + "/k\\xff.elf"))
        rc, doc = run("profile", "list", "--json", "--profiles", profiles)
        self.assertEqual(rc, OK)
        self.assertEqual(doc["profiles"][0]["source"], tmp.as_posix() + "/p\\xff.toml:4")


if __name__ == "__main__":
    main()
