"""Shell completions load in bash and zsh and complete commands, options and
values."""

import os
import shutil
import subprocess
import unittest
from pathlib import Path

from lucompat_e2e import main

ROOT = Path(__file__).resolve().parents[2]
BASH = ROOT / "contrib" / "completions" / "lucompat.bash"
ZSH_DIR = ROOT / "contrib" / "completions"


def bash_complete(*words):
    script = (f"source {BASH}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
              f"COMP_CWORD={len(words) - 1}\n_lucompat\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


class Completions(unittest.TestCase):
    def test_bash(self):
        self.assertEqual(bash_complete("lucompat", "ch"), ["check"])
        self.assertEqual(sorted(bash_complete("lucompat", "profile", "s")), ["select", "show"])
        self.assertIn("--emit", bash_complete("lucompat", "check", "--e"))
        self.assertEqual(bash_complete("lucompat", "check", "--next-c"), ["--next-cmdline"])
        self.assertEqual(bash_complete("lucompat", "check", "--uses", "res"), ["reserve-mem"])
        self.assertEqual(bash_complete("lucompat", "check", "--uses", "vf"), ["vfio-pci"])
        self.assertEqual(sorted(bash_complete("lucompat", "profile", "env", "x", "--format", "s")), ["shell", "systemd"])
        self.assertIn("--waves", bash_complete("lucompat", "fleet", "plan", "--w"))
        self.assertEqual(bash_complete("lucompat", "sy"), ["symbols"])
        self.assertIn("--json", bash_complete("lucompat", "symbols", "--j"))
        self.assertEqual(bash_complete("lucompat", "check", "--emit", "mem"), ["memfd="])
        self.assertIn(str(os.getpid()), bash_complete("lucompat", "check", "--pid", str(os.getpid())))

    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
    def test_zsh_loads(self):
        r = subprocess.run(["zsh", "-fc", f"fpath=({ZSH_DIR} $fpath); autoload -Uz compinit; compinit -u -D; "
                                          "autoload -Uz _lucompat; whence -w _lucompat; echo ${_comps[lucompat]}"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("_lucompat: function", r.stdout)
        self.assertIn("_lucompat\n", r.stdout.splitlines(keepends=True)[-1])
        syntax = subprocess.run(["zsh", "-n", str(ZSH_DIR / "_lucompat")], capture_output=True, text=True)
        self.assertEqual(syntax.returncode, 0, syntax.stderr)


if __name__ == "__main__":
    main()
