"""Profiles end to end: validation with positions, selection over real
kernels (examples always, corpus when present), the build gate's exit code,
check --profile agreeing with profile select, env in all three formats."""

import json
import os
import subprocess
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, INCOMPATIBLE, OK, UNDECIDABLE, USAGE, TempDirTest,
                          lucompat, main)

ROOT = Path(__file__).resolve().parents[2]
FLEET = ROOT / "examples" / "profiles" / "fleet.toml"
CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
X86 = EXAMPLES / "x86_64"
OLD, NEW, BREAK, NOTABLE = (X86 / n for n in ("kernel-old.elf", "kernel.elf", "kernel-break.elf", "notable.elf"))


class Profiles(TempDirTest):
    def select(self, current, nxt, rc, *extra):
        r = lucompat("profile", "select", "--json", "--no-modules", "--profiles", FLEET,
                     "--current", current, "--next", nxt, *extra)
        self.assertEqual(r.rc, rc, r)
        return r.json()

    def test_list_and_show(self):
        r = lucompat("profile", "list", "--json", "--profiles", FLEET)
        self.assertEqual(r.rc, OK, r)
        doc = r.json()
        self.assertEqual([p["name"] for p in doc["profiles"]], ["2025.12", "2026.03", "2026.06", "2024.06"])
        self.assertEqual(doc["warnings"], [])
        r = lucompat("profile", "show", "2026.06", "--profiles", FLEET)
        self.assertIn("  vmm feature  vfio-cdev\n", r.out)
        self.assertEqual(lucompat("profile", "show", "1999.01", "--profiles", FLEET).rc, USAGE)

    def test_validation_errors_and_warnings_with_positions(self):
        bad = self.dir / "dup.toml"
        bad.write_text('[[profile]]\nname = "a"\nrequires = ["luo-v1"]\n[[profile]]\nname = "a"\n')
        r = lucompat("profile", "list", "--profiles", bad)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f'{bad}:5:8: profile "a" is already defined at {bad}:1', r.err)
        two = self.dir / "two.toml"
        two.write_text('[[profile]]\nname = "a"\nrequires = ["memfd-v1", "memfd-v2"]\n')
        r = lucompat("profile", "list", "--profiles", two)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f"{two}:3:25: profile a names two versions of memfd", r.err)
        unknown = self.dir / "unknown.toml"
        unknown.write_text('[[profile]]\nname = "a"\nrequires = ["luo-v1", "gizmo-v2"]\n')
        r = lucompat("profile", "list", "--profiles", unknown)
        self.assertEqual(r.rc, OK, r)
        self.assertIn(f'warning: {unknown}:3:23: profile a: no catalog family knows "gizmo-v2"', r.out)

    def test_retired_profile_still_referenced(self):
        root = self.dir / "root"
        (root / "etc" / "lucompat").mkdir(parents=True)
        (root / "etc" / "lucompat" / "host.toml").write_text('profile = "2024.06"\n')
        r = lucompat("profile", "list", "--root", root, "--profiles", FLEET)
        self.assertIn(f"warning: {root}/etc/lucompat/host.toml:1:11: profile 2024.06 is retired but still referenced", r.out)
        r = lucompat("check", "--no-modules", "--root", root, "--profiles", FLEET, "--current", OLD, "--next", NEW)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("profile 2024.06 is retired, but host.toml still names it", r.err)

    def test_host_profile_applies_to_check(self):
        root = self.dir / "hostprofile"
        (root / "etc" / "lucompat").mkdir(parents=True)
        (root / "etc" / "lucompat" / "host.toml").write_text('profile = "2026.03"\n')
        r = lucompat("check", "--json", "--no-modules", "--root", root, "--profiles", FLEET,
                     "--current", NEW, "--next", OLD)
        self.assertEqual(r.rc, OK, r)  # 2026.03 needs only luo-v1 and memfd-v1
        self.assertEqual(r.json()["profile"], "2026.03 (host.toml)")

    def test_selection_over_example_kernels(self):
        self.assertEqual(self.select(OLD, NEW, OK)["selected"], "2026.03")
        doc = self.select(NEW, NEW, OK)
        self.assertEqual((doc["selected"], doc["vmm_features"]), ("2026.06", ["iommufd-dirty-tracking", "vfio-cdev"]))
        statuses = {p["name"]: p for p in doc["profiles"]}
        self.assertTrue(statuses["2025.12"]["viable"])  # viable, but deprecated: not chosen
        self.assertEqual(statuses["2024.06"]["reasons"], ["retired: never selected"])
        self.assertIsNone(self.select(NEW, BREAK, INCOMPATIBLE)["selected"])
        # No LUO in the next kernel: no profile can carry the update.
        self.assertIsNone(self.select(NEW, NOTABLE, INCOMPATIBLE)["selected"])

    def test_selection_over_corpus_kernels(self):
        if not (CORPUS / "MANIFEST.tsv").is_file():
            self.skipTest("no corpus")
        c = lambda n: CORPUS / n  # noqa: E731
        cases = [("x86_64-bzImage-gzip-T_OLD", "x86_64-bzImage-xz-T_NEW", OK, "2026.03"),
                 ("x86_64-vmlinux-zstd-T_NEW", "x86_64-bzImage-zstd-T_NEW", OK, "2026.06"),
                 ("x86_64-bzImage-efi-zstd-T_NEW", "x86_64-bzImage-gzip-T_OLD", OK, "2026.03"),
                 ("x86_64-bzImage-xz-T_NEW", "x86_64-bzImage-lz4-T_BREAK", INCOMPATIBLE, None),
                 ("x86_64-bzImage-xz-T_NEW", "x86_64-bzImage-xz-NOTABLE", UNDECIDABLE, None)]
        for current, nxt, rc, selected in cases:
            with self.subTest(current=current, next=nxt):
                doc = self.select(c(current), c(nxt), rc)
                self.assertEqual(doc["selected"], selected)

    def test_deprecated_only_when_no_active_is_viable(self):
        only = self.dir / "only.toml"
        only.write_text('[[profile]]\nname = "old"\nstatus = "deprecated"\nrequires = ["luo-v1"]\n'
                        '[[profile]]\nname = "new"\nrequires = ["luo-v1", "memfd-v2"]\n')
        r = lucompat("profile", "select", "--json", "--no-modules", "--profiles", only, "--current", OLD, "--next", NEW)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(r.json()["selected"], "old")

    def test_operator_pin_excludes_a_profile(self):
        # The operator knows the running kernel emits memfd-v1: 2026.06
        # (memfd-v2) cannot be carried, and check --profile agrees.
        doc = self.select(NEW, NEW, OK, "--emit", "memfd=memfd-v1")
        self.assertEqual(doc["selected"], "2026.03")
        r = lucompat("check", "--json", "--no-modules", "--profiles", FLEET, "--profile", "2026.06",
                     "--emit", "memfd=memfd-v1", "--current", NEW, "--next", NEW)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        memfd = next(f for f in r.json()["families"] if f["family"] == "memfd")
        self.assertEqual(memfd["reasons"][0], "profile 2026.06 needs memfd-v2, but --emit says the running "
                                              "kernel emits memfd-v1; the preserved files would be lost")

    def test_check_profile_agrees_with_select(self):
        pairs = [(OLD, NEW), (NEW, NEW), (NEW, BREAK), (NEW, OLD)]
        if (CORPUS / "MANIFEST.tsv").is_file():
            c = lambda n: CORPUS / n  # noqa: E731
            pairs += [(c("x86_64-bzImage-gzip-T_OLD"), c("x86_64-bzImage-xz-T_NEW")),
                      (c("x86_64-vmlinux-zstd-T_NEW"), c("x86_64-bzImage-lz4-T_BREAK")),
                      (c("x86_64-bzImage-zstd-T_NEW"), c("x86_64-bzImage-efi-zstd-T_NEW"))]
        for current, nxt in pairs:
            doc = lucompat("profile", "select", "--json", "--no-modules", "--profiles", FLEET,
                           "--current", current, "--next", nxt).json()
            for p in doc["profiles"]:
                if p["status"] == "retired":
                    continue
                with self.subTest(current=current.name, next=nxt.name, profile=p["name"]):
                    r = lucompat("check", "--json", "--no-modules", "--profiles", FLEET, "--profile", p["name"],
                                 "--current", current, "--next", nxt)
                    self.assertEqual(r.rc == OK, p["viable"], r)

    def test_matrix_gate(self):
        r = lucompat("profile", "matrix", "--json", "--profiles", FLEET, "--kernel", NEW)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(r.json()["gate"], "pass")
        r = lucompat("profile", "matrix", "--json", "--profiles", FLEET, "--next", NEW, "--next", BREAK)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        doc = r.json()
        self.assertEqual(doc["kernels"][1]["profiles"]["2026.06"]["missing"], ["luo-v1", "vfio-pci-v1"])
        # Only the named profiles count: old kernels still carry 2026.03.
        r = lucompat("profile", "matrix", "--profiles", FLEET, "--profile", "2026.03", "--kernel", OLD, "--kernel", NEW)
        self.assertEqual(r.rc, OK, r)
        # A kernel whose complete symbols show no LUO supports no profile: a
        # definite FAIL, not UNDECIDED (issue 26).
        r = lucompat("profile", "matrix", "--profiles", FLEET, "--next", NEW, "--kernel", NOTABLE)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertRegex(r.out, r"notable\.elf +no LUO +no LUO +no LUO\n")
        self.assertIn("gate: FAIL", r.out)
        doc = lucompat("profile", "matrix", "--json", "--profiles", FLEET, "--kernel", NOTABLE).json()
        self.assertEqual(doc["gate"], "fail")
        self.assertEqual(doc["kernels"][0]["profiles"]["2026.03"]["reason"], "no_luo")
        self.assertEqual(doc["kernels"][0]["profiles"]["2026.03"]["supported"], False)
        # One without its symbols proves nothing: "no table", undecided.
        stripped = self.dir / "notable-stripped.elf"
        subprocess.run(["objcopy", "--strip-all", NOTABLE, stripped], check=True)
        r = lucompat("profile", "matrix", "--profiles", FLEET, "--kernel", NEW, "--kernel", stripped)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertRegex(r.out, r"notable-stripped\.elf +no table +no table +no table\n")
        self.assertIn("gate: UNDECIDED", r.out)
        doc = lucompat("profile", "matrix", "--json", "--profiles", FLEET, "--kernel", stripped).json()
        self.assertEqual(doc["gate"], "undecided")
        self.assertEqual(doc["kernels"][0]["profiles"]["2026.03"]["reason"], "no_table")
        r = lucompat("profile", "select", "--profiles", FLEET, "--no-modules", "--current", NEW,
                     "--next", stripped)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("has no live-update version table", r.out)
        self.assertNotIn("does not understand", r.out)

    def test_matrix_on_corpus(self):
        if not (CORPUS / "MANIFEST.tsv").is_file():
            self.skipTest("no corpus")
        kernels = ["x86_64-bzImage-xz-T_NEW", "arm64-Image-T_NEW.gz", "x86_64-bzImage-gzip-T_OLD",
                   "x86_64-bzImage-xz-T_EMPTY"]
        args = [a for k in kernels for a in ("--kernel", CORPUS / k)]
        doc = lucompat("profile", "matrix", "--json", "--profiles", FLEET, *args).json()
        support = [{n: v["supported"] for n, v in k["profiles"].items()} for k in doc["kernels"]]
        self.assertEqual(support[0], {"2025.12": True, "2026.03": True, "2026.06": True})
        self.assertEqual(support[1], support[0])
        self.assertEqual(support[2], {"2025.12": True, "2026.03": True, "2026.06": False})
        self.assertEqual(support[3], {"2025.12": False, "2026.03": False, "2026.06": False})
        self.assertEqual(doc["gate"], "fail")

    def test_env_formats(self):
        shell = lucompat("profile", "env", "2026.06", "--profiles", FLEET)
        self.assertEqual(shell.rc, OK, shell)
        out = subprocess.run(["bash", "-c", shell.out + 'printf "%s|%s" "$LUCOMPAT_PROFILE" "$LUCOMPAT_VMM_FEATURES"'],
                             capture_output=True, text=True).stdout
        self.assertEqual(out, "2026.06|iommufd-dirty-tracking vfio-cdev")
        systemd = lucompat("profile", "env", "2026.06", "--profiles", FLEET, "--format", "systemd").out
        self.assertIn('LUCOMPAT_VMM_FEATURES="iommufd-dirty-tracking vfio-cdev"\n', systemd)
        doc = json.loads(lucompat("profile", "env", "2026.06", "--profiles", FLEET, "--format", "json").out)
        self.assertEqual(doc["LUCOMPAT_VMM_FEATURES"], ["iommufd-dirty-tracking", "vfio-cdev"])
        retired = lucompat("profile", "env", "2024.06", "--profiles", FLEET)
        self.assertEqual(retired.rc, BAD_INPUT, retired)
        deprecated = lucompat("profile", "env", "2025.12", "--profiles", FLEET)
        self.assertEqual(deprecated.rc, OK, deprecated)
        self.assertIn("deprecated", deprecated.err)
        self.assertEqual(lucompat("profile", "env", "2026.06", "--profiles", FLEET, "--format", "xml").rc, USAGE)

    def test_control_characters_in_a_profile_are_refused(self):
        # A newline in vmm_features added a line to the systemd environment
        # file; ESC in a name reached the terminal from list and show.
        evil = self.dir / "evil.toml"
        evil.write_text('[[profile]]\nname = "evil"\n'
                        'vmm_features = ["vfio", "x\\nLD_PRELOAD=/tmp/evil.so"]\n'
                        '[[profile]]\nname = "red\\u001b[31m"\n')
        for args in (["env", "evil", "--format", "systemd"], ["env", "evil"], ["list"], ["show", "evil"]):
            with self.subTest(args=args):
                r = lucompat("profile", *args, "--profiles", evil)
                self.assertEqual(r.rc, BAD_INPUT, r)
                self.assertEqual(r.out, "")
                self.assertNotIn("\x1b", r.err)
                self.assertEqual(r.err.count("\n"), 1, r.err)
                self.assertIn(f"{evil}:3:25: vmm_features \"x\\nLD_PRELOAD=/tmp/evil.so\" holds a control "
                              "character", r.err)


if __name__ == "__main__":
    main()
