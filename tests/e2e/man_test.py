"""The man pages render without a warning, and lucompat(1) names every
command and exit code."""

import os
import re
import subprocess
import unittest
from pathlib import Path

from lucompat_e2e import lucompat, main

BUILD = Path(os.environ.get("LUCOMPAT_BUILD_DIR", "build"))
PAGES = ["lucompat.1", "lucompat-kexec-gate.1", "lucompat-catalog.5", "lucompat-profiles.5"]


def render(page):
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", str(BUILD / "man" / page)],
                       capture_output=True, text=True, env=dict(os.environ, GROFF_NO_SGR="1"))
    # Plain text: drop the overstrikes that make bold and underline.
    r.stdout = re.sub(".\x08", "", r.stdout).replace("\u2010", "-")
    return r


class Man(unittest.TestCase):
    def test_pages_render_cleanly(self):
        for page in PAGES:
            with self.subTest(page=page):
                r = render(page)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr, "")
                self.assertIn("NAME", r.stdout)

    def test_lucompat_1_covers_every_command_and_exit_code(self):
        text = render("lucompat.1").stdout
        flat = " ".join(text.split())
        self.assertIn("modules (plain or compressed", flat)  # no line was eaten as a roff request
        self.assertIn("The core ABI (luo-vN)", flat)
        for command in ("inspect", "check", "symbols", "profile list", "profile select", "profile matrix", "profile env",
                        "report", "fleet ingest", "fleet baseline", "fleet plan", "fleet status"):
            self.assertIn(command, text)
        for code in ("0", "1", "2", "3", "4", "70"):
            self.assertRegex(text, rf"\n\s+{code}\n")

    def test_synopsis_lists_every_command_of_the_tool(self):
        text = render("lucompat.1").stdout
        synopsis = text[text.index("SYNOPSIS"):text.index("DESCRIPTION")]
        listed = re.findall(r"^\s+lucompat (\w+)", synopsis, re.M)
        help_text = lucompat("--help").out
        commands = re.findall(r"^  (\w+) ", help_text[help_text.index("Subcommands:"):], re.M)
        self.assertGreaterEqual(len(commands), 7, help_text)
        self.assertEqual(sorted(set(listed)), sorted(commands), synopsis)


if __name__ == "__main__":
    main()
