"""Shell completions, written by `lucompat completions SHELL` from the
command line definition: they load in bash, zsh and fish, complete
commands, options and values, and offer every option each command's help
lists."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from lucompat_e2e import lucompat, main

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "data" / "catalog.toml"
SCRIPTS = Path(tempfile.mkdtemp(prefix="lucompat-completions-"))


def script(shell):
    path = SCRIPTS / {"bash": "lucompat.bash", "zsh": "_lucompat", "fish": "lucompat.fish"}[shell]
    if not path.exists():
        r = lucompat("completions", shell)
        assert r.rc == 0, r
        path.write_text(r.out)
    return path


def bash_complete(*words):
    text = (f"source {script('bash')}\nCOMP_WORDS=({' '.join(repr(w) for w in words)})\n"
            f"COMP_CWORD={len(words) - 1}\n_lucompat\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = subprocess.run(["bash", "-c", text], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def fish_complete(line):
    r = subprocess.run(["fish", "--no-config", "-c", f"source {script('fish')}; complete -C '{line}'"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return [l.split("\t")[0] for l in r.stdout.splitlines()]


def command_paths():
    """Every command path, from the help of lucompat and of each command."""
    def subcommands(path):
        out = lucompat(*path, "--help").out
        block = out.split("SUBCOMMANDS:")[1] if "SUBCOMMANDS:" in out else ""
        return re.findall(r"^  (\w+)\s", block, re.M)
    paths, todo = [], [[]]
    while todo:
        p = todo.pop()
        paths.append(p)
        todo += [p + [s] for s in subcommands(p)]
    return paths


def help_options(path):
    return set(re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", lucompat(*path, "--help").out.split("OPTIONS:")[-1]))


def catalog_families():
    return re.findall(r'^\[family\.([a-z0-9-]+)\]', CATALOG.read_text(), re.M) or \
        re.findall(r'^name\s*=\s*"([^"]+)"', CATALOG.read_text(), re.M)


class Completions(unittest.TestCase):
    def test_bash(self):
        self.assertEqual(bash_complete("lucompat", "ch"), ["check"])
        self.assertEqual(sorted(bash_complete("lucompat", "profile", "s")), ["select", "show"])
        self.assertIn("--emit", bash_complete("lucompat", "check", "--e"))
        self.assertEqual(bash_complete("lucompat", "check", "--next-c"), ["--next-cmdline"])
        self.assertEqual(bash_complete("lucompat", "check", "--uses", "res"), ["reserve-mem"])
        self.assertEqual(bash_complete("lucompat", "check", "--uses", "memfd,vf"), ["memfd,vfio-pci"])
        self.assertEqual(sorted(bash_complete("lucompat", "profile", "env", "x", "--format", "s")), ["shell", "systemd"])
        self.assertEqual(bash_complete("lucompat", "report", "--format", "p"), ["prometheus"])
        self.assertIn("--waves", bash_complete("lucompat", "fleet", "plan", "--w"))
        self.assertEqual(bash_complete("lucompat", "sy"), ["symbols"])
        self.assertIn("--json", bash_complete("lucompat", "symbols", "--j"))
        self.assertIn("memfd=", bash_complete("lucompat", "check", "--emit", "mem"))
        self.assertIn(str(os.getpid()), bash_complete("lucompat", "check", "--pid", str(os.getpid())))
        self.assertIn("--running", bash_complete("lucompat", "inspect", "--r"))
        self.assertEqual(bash_complete("lucompat", "check", "--current", "run"), ["running"])
        self.assertEqual(bash_complete("lucompat", "help", "ke"), ["kexec"])
        # A value that is spelled like a command is still a value.
        self.assertEqual(bash_complete("lucompat", "check", "--profile", "check", "--str"), ["--strict"])

    def test_every_option_of_every_command_completes(self):
        for path in command_paths():
            offered = set(bash_complete("lucompat", *path, "-"))
            self.assertLessEqual(help_options(path), offered | {"-h", "--help"}, path)
            if shutil.which("fish"):
                line = " ".join(["lucompat", *path, "--"])
                fish = set(fish_complete(line))
                longs = {o for o in help_options(path) if o.startswith("--")}
                self.assertLessEqual(longs, fish, path)

    def test_families_are_the_catalogs(self):
        offered = set(bash_complete("lucompat", "check", "--emit", ""))
        for family in catalog_families():
            self.assertIn(family + "=", offered)

    @unittest.skipUnless(shutil.which("fish"), "fish is not installed")
    def test_fish(self):
        self.assertEqual(fish_complete("lucompat ch"), ["check"])
        self.assertEqual(sorted(fish_complete("lucompat profile env x --format s")), ["shell", "systemd"])
        self.assertIn("--running", fish_complete("lucompat inspect --ru"))
        self.assertIn("matrix", fish_complete("lucompat profile "))
        self.assertNotIn("check", fish_complete("lucompat profile "))

    @unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
    def test_zsh_loads(self):
        zsh_dir = script("zsh").parent
        r = subprocess.run(["zsh", "-fc", f"fpath=({zsh_dir} $fpath); autoload -Uz compinit; compinit -u -D; "
                                          "autoload -Uz _lucompat; whence -w _lucompat; echo ${_comps[lucompat]}"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("_lucompat: function", r.stdout)
        self.assertIn("_lucompat\n", r.stdout.splitlines(keepends=True)[-1])
        syntax = subprocess.run(["zsh", "-n", str(script("zsh"))], capture_output=True, text=True)
        self.assertEqual(syntax.returncode, 0, syntax.stderr)
        text = script("zsh").read_text()
        self.assertIn("'--next-cmdline=[", text)
        self.assertIn("'1:command:(( inspect\\:", text)


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(SCRIPTS, ignore_errors=True)
