"""The layering at include level (docs/architecture.md, "The graph is
enforced"): each layer compiles against a directory that shows its own
headers and the public headers of the layers it may use, so including any
other is a compile error. Checked by compiling one-line files with a
layer's own flags, taken from the build's compile_commands.json."""

import json
import os
import shlex
import subprocess
import tempfile
import unittest
from pathlib import Path

from lucompat_e2e import main

BUILD = Path(os.environ.get("LUCOMPAT_BUILD_DIR", "build"))


def layer_command(layer):
    """The compiler and flags of one source of `layer`, without -o/-c/-M*."""
    for entry in json.loads((BUILD / "compile_commands.json").read_text()):
        if f"/lucompat_{layer}.dir/" not in entry["command"]:
            continue
        words = shlex.split(entry["command"])
        out, skip = [], False
        for w in words:
            if skip:
                skip = False
            elif w in ("-o", "-c", "-MF", "-MT"):
                skip = True
            elif w != "-MD" and not w.endswith(entry["file"]):
                out.append(w)
        return out, entry["directory"]
    raise AssertionError(f"no source of layer {layer} in compile_commands.json")


def compiles(layer, header):
    """(ok, compiler output) for a file that only includes `header`."""
    command, directory = layer_command(layer)
    with tempfile.NamedTemporaryFile("w", suffix=".cc") as f:
        f.write(f'#include "{header}"\n')
        f.flush()
        r = subprocess.run(command + ["-fsyntax-only", f.name], cwd=directory,
                           capture_output=True, text=True)
    return r.returncode == 0, r.stderr


class LayerIncludes(unittest.TestCase):
    def setUp(self):
        if not (BUILD / "compile_commands.json").exists():
            self.skipTest(f"{BUILD}/compile_commands.json is absent (configure with "
                          "CMAKE_EXPORT_COMPILE_COMMANDS=ON, as make does)")

    def assert_refused(self, layer, header):
        ok, err = compiles(layer, header)
        self.assertFalse(ok, f"{layer} may include {header}")
        self.assertIn("No such file or directory", err)

    def assert_allowed(self, layer, header):
        ok, err = compiles(layer, header)
        self.assertTrue(ok, f"{layer} cannot include {header}: {err}")

    def test_a_layer_sees_the_layers_it_uses(self):
        self.assert_allowed("table", "lucompat/base/byte_reader.h")
        self.assert_allowed("table", "lucompat/table/table_format.h")
        self.assert_allowed("table", "lucompat/liveupdate_versions.h")
        # Transitively: inspect uses elf, which uses derive.
        self.assert_allowed("inspect", "lucompat/derive/derived_set.h")
        self.assert_allowed("fleet_report", "lucompat/report/paint.h")

    def test_a_layer_does_not_see_a_later_one(self):
        self.assert_refused("table", "lucompat/elf/elf_records.h")
        self.assert_refused("base", "lucompat/table/table_format.h")
        self.assert_refused("policy", "lucompat/elf/elf_records.h")
        self.assert_refused("policy", "lucompat/derive/derived_set.h")
        self.assert_refused("catalog", "lucompat/policy/check.h")
        self.assert_refused("inspect", "lucompat/policy/check.h")
        self.assert_refused("capi", "lucompat/fleet/host_report.h")
        self.assert_refused("report", "lucompat/fleet/host_report.h")

    def test_the_container_layer_knows_nothing_of_what_is_inside(self):
        # What a kernel holds reaches it through CaptureRules (inspect's).
        self.assert_allowed("container", "lucompat/container/capture_rules.h")
        self.assert_refused("container", "lucompat/elf/elf_reader.h")
        self.assert_refused("container", "lucompat/table/marker_scan.h")
        self.assert_refused("container", "lucompat/identity/kernel_identity.h")
        self.assert_allowed("inspect", "lucompat/container/capture_rules.h")

    def test_private_headers_stay_in_their_layer(self):
        self.assert_allowed("container", "container/probe.h")
        self.assert_refused("inspect", "container/probe.h")
        self.assert_refused("host", "elf/libelf_file.h")
        self.assert_refused("table", "lucompat/lucompat.h")


if __name__ == "__main__":
    main()
