"""Metrics for Prometheus: `lucompat report --format prometheus` as
node_exporter's textfile collector reads it, checked by promtool itself."""

import json
import shutil
import subprocess

from lucompat_e2e import EXAMPLES, OK, USAGE, TempDirTest, lucompat, main

X86 = EXAMPLES / "x86_64"


def samples(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


class Metrics(TempDirTest):
    def setUp(self):
        if not shutil.which("promtool"):
            self.fail("promtool is missing: scripts/install-deps installs Debian's prometheus")

    def report(self, current, nxt, host="h1"):
        r = lucompat("report", "--format", "prometheus", "--no-modules", "--host", host,
                     "--current", current, "--next", nxt)
        self.assertEqual(r.rc, OK, r)
        lint = subprocess.run(["promtool", "check", "metrics"], input=r.out, capture_output=True,
                              text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr + r.out)
        return r.out

    def verdicts(self, text):
        return {k.split('verdict="')[1].rstrip('"}'): v for k, v in samples(text).items()
                if k.startswith("lucompat_update_verdict{")}

    def test_verdict_of_the_staged_kernel(self):
        ok = self.report(X86 / "kernel-old.elf", X86 / "kernel.elf")
        self.assertEqual(self.verdicts(ok), {"compatible": 1, "warning": 0, "undecided": 0,
                                             "incompatible": 0})
        bad = self.report(X86 / "kernel.elf", X86 / "kernel-break.elf")
        self.assertEqual(self.verdicts(bad)["incompatible"], 1)
        self.assertIn('lucompat_kernel_has_table{host="h1",kernel="staged"} 1', bad)

    def test_outcome_of_the_live_update_that_booted_this_kernel(self):
        """Of the running kernel (here a root whose /dev/kmsg is the log of
        the boot e2e.systemd checks): one outcome is 1, the others 0."""
        root = self.dir / "root"
        (root / "proc" / "sys" / "kernel").mkdir(parents=True)
        (root / "dev").mkdir()
        banner = lucompat("inspect", "--json", X86 / "kernel.elf").json()[0]["identity"]["banner"]
        (root / "proc" / "version").write_text(banner + "\n")
        (root / "proc" / "sys" / "kernel" / "osrelease").write_text("6.99.0-lucompat\n")
        (root / "boot").mkdir()
        shutil.copy(X86 / "kernel.elf", root / "boot" / "vmlinuz-6.99.0-lucompat")
        (root / "dev" / "kmsg").write_text(
            "6,0,0,-;Linux version 6.99.0-lucompat\n"
            "6,1,10,-;KHO: found kexec handover data.\n"
            "6,2,20,-;luo: Retrieved live update data, liveupdate number: 1\n"
            "6,3,30,-;luo: No registered handler for compatible 'memfd-v2'\n"
            "6,4,40,-;KHO: exec from: 6.98.0 (count 2)\n")
        r = lucompat("report", "--format", "prometheus", "--no-modules", "--root", root)
        self.assertEqual(r.rc, OK, r)
        lint = subprocess.run(["promtool", "check", "metrics"], input=r.out, capture_output=True,
                              text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr + r.out)
        outcomes = {k.split('outcome="')[1].rstrip('"}'): v for k, v in samples(r.out).items()
                    if k.startswith("lucompat_live_update_outcome{")}
        self.assertEqual(outcomes["sessions_lost"], 1, r.out)
        self.assertEqual(sum(outcomes.values()), 1, r.out)
        self.assertIn('previous_release="6.98.0"', r.out)

    def test_label_values_are_escaped(self):
        text = self.report(X86 / "kernel-old.elf", X86 / "kernel.elf", host='a"b\\c\nd')
        self.assertIn('host="a\\"b\\\\c\\nd"', text)

    def test_control_characters_are_shown_not_sent(self):
        # ESC and BEL from --host and from stored reports reached the
        # terminal raw: they are written as text output writes them (\x1b),
        # that text escaped as the format escapes any backslash.
        host = "h\x1b[31m\x07"
        text = self.report(X86 / "kernel-old.elf", X86 / "kernel.elf", host=host)
        self.assertNotIn("\x1b", text)
        self.assertNotIn("\x07", text)
        self.assertIn('host="h\\\\x1b[31m\\\\x07"', text)
        doc = lucompat("report", "--no-modules", "--host", host, "--current", X86 / "kernel.elf").json()
        doc["running"]["release"] = "6.99\x1b]0;owned\x07"
        doc["profile"] = "gold\x9b2J"
        reports = self.dir / "escapes.json"
        reports.write_text(json.dumps(doc))
        store = f"sqlite:{self.dir / 'escapes.db'}"
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, reports).rc, OK)
        r = lucompat("fleet", "status", "--store", store, "--format", "prometheus")
        self.assertEqual(r.rc, OK, r)
        for control in ("\x1b", "\x07", "\x9b"):
            self.assertNotIn(control, r.out)
        self.assertIn('release="6.99\\\\x1b]0;owned\\\\x07"', r.out)
        self.assertIn('profile="gold\\\\xc2\\\\x9b2J"', r.out)
        lint = subprocess.run(["promtool", "check", "metrics"], input=r.out, capture_output=True, text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr + r.out)

    def test_fleet_status_for_a_scrape(self):
        store = f"sqlite:{self.dir / 'fleet.db'}"
        for host, kernel in (("h1", "kernel.elf"), ("h2", "kernel.elf"), ("h3", "kernel-old.elf")):
            r = lucompat("report", "--no-modules", "--host", host, "--current", X86 / kernel,
                         "--store", store)
            self.assertEqual(r.rc, OK, r)
        r = lucompat("fleet", "status", "--store", store, "--format", "prometheus")
        self.assertEqual(r.rc, OK, r)
        lint = subprocess.run(["promtool", "check", "metrics"], input=r.out, capture_output=True,
                              text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr + r.out)
        got = samples(r.out)
        self.assertEqual(got["lucompat_fleet_hosts"], 3)
        per_build = sorted(v for k, v in got.items() if k.startswith("lucompat_fleet_hosts_per_build{"))
        self.assertEqual(per_build, [1, 2])
        text = lucompat("fleet", "status", "--store", store)
        self.assertRegex(text.out, r"6\.99\.0-lucompat #\d+ x86_64 \(build-id [0-9a-f]{12}\)")

    def test_unknown_format_is_a_usage_error(self):
        r = lucompat("report", "--format", "yaml", "--current", X86 / "kernel.elf")
        self.assertEqual(r.rc, USAGE, r)


if __name__ == "__main__":
    main()
