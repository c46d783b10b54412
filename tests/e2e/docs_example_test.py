"""The worked example in docs/profiles.md runs as written: every `$ command`
in its console blocks is run from the checkout's root, with this build's
lucompat first on PATH; each following line must appear in the output, in
order, and the exit code must be the one in brackets (0 when none is shown)."""

import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

from lucompat_e2e import EXAMPLES, LUCOMPAT, main

ROOT = Path(__file__).resolve().parents[2]


def steps(markdown):
    """(command, expected lines, exit code) for every command of every console block."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", markdown, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = chunk.rstrip("\n").split("\n")
            code = 0
            if lines and re.fullmatch(r"\[exit \d+\]", lines[-1]):
                code = int(lines.pop()[6:-1])
            out.append((command, [l.rstrip() for l in lines if l.strip()], code))
    return out


def checkout_view(tmp):
    """A directory whose examples/ and build/examples/ are this checkout's
    and this build's, for a build not in build/ (make asan's build-asan)."""
    if (ROOT / "build" / "examples").resolve() == EXAMPLES.resolve():
        return ROOT
    (tmp / "build").mkdir()
    (tmp / "examples").symlink_to(ROOT / "examples")
    (tmp / "build" / "examples").symlink_to(EXAMPLES.resolve())
    return tmp


class DocsExample(unittest.TestCase):
    def test_profiles_worked_example(self):
        doc = (ROOT / "docs" / "profiles.md").read_text()
        env = dict(os.environ, PATH=f"{Path(LUCOMPAT).resolve().parent}:{os.environ['PATH']}")
        found = steps(doc)
        self.assertGreaterEqual(len(found), 8)
        with tempfile.TemporaryDirectory() as tmp:
            cwd = checkout_view(Path(tmp))
            for command, expected, code in found:
                with self.subTest(command=command):
                    r = subprocess.run(["bash", "-c", command], cwd=cwd, env=env,
                                       capture_output=True, text=True)
                    self.assertEqual(r.returncode, code, f"{command}\n{r.stdout}\n{r.stderr}")
                    actual = [l.rstrip() for l in r.stdout.splitlines()]
                    at = 0
                    for line in expected:
                        while at < len(actual) and actual[at] != line:
                            at += 1
                        self.assertLess(at, len(actual), f"missing line: {line!r}\nin:\n{r.stdout}")
                        at += 1


if __name__ == "__main__":
    main()
