"""lucompat check: scenarios over real tables (the examples always, the corpus
when present), the running kernel found and proven in fake roots, families in
use from a real process and from a fake /proc, and config errors with
positions."""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, INCOMPATIBLE, OK, UNDECIDABLE, USAGE, TempDirTest,
                          bzimage, compress, deb, lucompat, main, uki)

CORPUS = Path(os.environ.get("LUCOMPAT_CORPUS", "../shared/corpus"))
X86 = EXAMPLES / "x86_64"
OLD, NEW, BREAK = X86 / "kernel-old.elf", X86 / "kernel.elf", X86 / "kernel-break.elf"


def families(doc):
    return {f["family"]: f for f in doc["families"]}


class Check(TempDirTest):
    def check(self, *args, rc):
        r = lucompat("check", "--json", "--no-modules", *args)
        self.assertEqual(r.rc, rc, r)
        return r.json() if r.out else None

    def test_old_to_new_is_compatible(self):
        doc = self.check("--current", OLD, "--next", NEW, rc=OK)
        self.assertEqual(doc["verdict"], "compatible")
        self.assertEqual(families(doc)["memfd"]["chosen"], "memfd-v1")
        self.assertEqual(doc["current"]["release"], "6.99.0-lucompat")
        self.assertRegex(doc["next"]["build_id"], "^[0-9a-f]{40}$")

    def test_one_file_named_twice_is_read_once(self):
        link = self.dir / "same-kernel.elf"
        link.symlink_to(NEW.resolve())
        doc = self.check("--current", NEW, "--next", link, rc=OK)
        self.assertIn("read once for both", doc["next"]["how"])
        self.assertEqual(doc["next"]["build_id"], doc["current"]["build_id"])
        self.assertEqual(doc["current"]["how"], "--current")
        # Two files, read at once, give the verdict they gave in turn.
        doc = self.check("--current", OLD, "--next", NEW, rc=OK)
        self.assertEqual(doc["next"]["how"], "--next")

    def boot_root(self, loader_conf, entries):
        """A root whose ESP (/efi) holds loader.conf and type 1 entries {file: (kernel, options)}."""
        root = self.dir / f"boot-{len(list(self.dir.iterdir()))}"
        (root / "efi" / "loader" / "entries").mkdir(parents=True)
        (root / "efi" / "loader" / "loader.conf").write_text(loader_conf)
        for name, (kernel, options) in entries.items():
            shutil.copy(kernel, root / "efi" / kernel.name)
            (root / "efi" / "loader" / "entries" / name).write_text(
                f"title {name}\nlinux /{kernel.name}\noptions {options}\n")
        return root

    def test_a_sites_core_family_is_looked_for_in_every_kernel(self):
        """The mainline example holds acme-handover-v7, which no shipped
        family names: inspect and check find it in an image only when the
        site's catalog declares its family, as they do in a running kernel."""
        mainline = X86 / "mainline.elf"
        site = self.dir / "acme.toml"
        site.write_text('[[family]]\nname = "acme"\nclass = "core"\n'
                        'compatible = ["acme-handover-v{N}"]\n')
        core = lambda doc: {e["compatible"] for e in doc["table"]["entries"] if e["kind"] == "core"}
        plain = lucompat("inspect", "--json", mainline)
        self.assertEqual(plain.rc, OK, plain)
        self.assertNotIn("acme-handover-v7", core(plain.one()))
        sited = lucompat("inspect", "--json", "--catalog", site, mainline)
        self.assertEqual(sited.rc, OK, sited)
        self.assertIn("acme-handover-v7", core(sited.one()))
        # A copy, so that check reads both kernels (one file named twice is
        # read once).
        current = self.dir / "current.elf"
        shutil.copyfile(mainline, current)
        doc = self.check("--current", current, "--next", mainline, "--catalog", site, rc=OK)
        self.assertIn("acme-handover-v7", doc["next"]["strings"])
        self.assertIn("acme-handover-v7", doc["current"]["strings"])
        self.assertEqual(families(doc)["acme"]["chosen"], "acme-handover-v7")

    def test_next_entry_is_the_kernel_systemctl_kexec_would_load(self):
        """--next-entry default: the entry systemctl kexec loads (loader.conf's default here),
        its kernel and command line; an entry named by id; one of --next and --next-entry
        (issue 24, 2)."""
        root = self.boot_root("timeout 3\ndefault break*\n",
                              {"break.conf": (BREAK, "console=ttyS0 liveupdate=on"),
                               "old.conf": (OLD, "quiet")})
        base = ["--root", root, "--current", NEW]
        doc = self.check(*base, "--next-entry", "default", rc=INCOMPATIBLE)
        self.assertEqual(Path(doc["next"]["path"]).name, BREAK.name)
        self.assertEqual(doc["next"]["how"], "--next-entry")
        self.assertTrue(any("boot entry break.conf" in n and "loader.conf's default (break*)" in n
                            for n in doc["notes"]), doc["notes"])
        self.assertEqual(doc["verdict"], self.check("--current", NEW, "--next", BREAK,
                                                    rc=INCOMPATIBLE)["verdict"])
        doc = self.check(*base, "--next-entry", "old.conf", rc=INCOMPATIBLE)
        self.assertEqual(Path(doc["next"]["path"]).name, OLD.name)
        r = lucompat("check", "--no-modules", *base, "--next-entry", "nope")
        self.assertEqual(r.rc, USAGE, r)
        self.assertIn("no such boot loader entry (entries: old.conf, break.conf)", r.err)
        for args in ([], ["--next", NEW, "--next-entry", "default"],
                     ["--next-entry", "default", "--next-cmdline", "x"]):
            self.assertEqual(lucompat("check", "--no-modules", *base, *args).rc, USAGE, args)

    def test_next_entry_of_a_unified_kernel_image(self):
        """A UKI in the ESP's EFI/Linux is an entry too: its id is its file name, its command
        line its .cmdline; with a sort key (os-release ID) it comes before entries without."""
        root = self.boot_root("", {"zz-old.conf": (OLD, "liveupdate=on")})
        (root / "efi" / "EFI" / "Linux").mkdir(parents=True)
        work = self.dir / "uki-work"
        work.mkdir()
        data = uki(bzimage(compress("xz", BREAK.read_bytes(), trailer=True)), work,
                   cmdline=b"console=ttyS0 liveupdate=on\n")
        (root / "efi" / "EFI" / "Linux" / "lucompat-6.99.efi").write_bytes(data)
        doc = self.check("--root", root, "--current", NEW, "--next-entry", "default", rc=INCOMPATIBLE)
        self.assertEqual(Path(doc["next"]["path"]).name, "lucompat-6.99.efi")
        self.assertTrue(any("boot entry lucompat-6.99.efi" in n and "the first entry" in n
                            for n in doc["notes"]), doc["notes"])

    def test_new_to_break_is_refused_on_the_core_abi(self):
        doc = self.check("--current", NEW, "--next", BREAK, "--uses", "iommufd", rc=INCOMPATIBLE)
        luo = families(doc)["luo"]
        self.assertEqual(luo["verdict"], "incompatible")
        self.assertIn("the next kernel would panic on boot", luo["reasons"][0])
        self.assertEqual(luo["reason_details"][0]["code"], "not_read")
        self.assertEqual((luo["reason_details"][0]["string"], luo["reason_details"][0]["next"]),
                         ("luo-v1", ["luo-v2"]))
        self.assertEqual(luo["reason_details"][0]["loss"], "core_state")
        for fam in doc["families"]:
            self.assertEqual(len(fam["reasons"]), len(fam["reason_details"]), fam)
        self.assertEqual(families(doc)["iommufd"]["verdict"], "compatible")

    def test_used_family_absent_in_the_next_kernel(self):
        doc = self.check("--current", NEW, "--next", OLD, "--uses", "vfio-pci", rc=INCOMPATIBLE)
        self.assertEqual(families(doc)["vfio-pci"]["verdict"], "incompatible")
        self.assertEqual(families(doc)["vfio-pci"]["used_by"], ["--uses"])

    def test_optional_family_missing_warns_and_strict_refuses(self):
        manifest = self.dir / "optional.toml"
        manifest.write_text('[[session]]\nname = "vm1"\noptional = ["vfio-pci"]\n')
        doc = self.check("--current", NEW, "--next", OLD, "--manifest", manifest, rc=OK)
        vfio = families(doc)["vfio-pci"]
        self.assertEqual((vfio["verdict"], vfio["required"]), ("warning", False))
        self.assertEqual(vfio["used_by"], ["manifest session vm1"])
        self.assertEqual(doc["verdict"], "warning")
        self.check("--current", NEW, "--next", OLD, "--manifest", manifest, "--strict", rc=INCOMPATIBLE)

    def test_two_versions_unpinned_is_undecided_and_a_pin_decides(self):
        doc = self.check("--current", NEW, "--next", OLD, "--uses", "memfd", rc=UNDECIDABLE)
        self.assertIn("pin it with --emit memfd=memfd-v1", families(doc)["memfd"]["reasons"][0])
        doc = self.check("--current", NEW, "--next", OLD, "--uses", "memfd", "--emit", "memfd=memfd-v1", rc=OK)
        self.assertEqual(families(doc)["memfd"]["chosen"], "memfd-v1")
        self.check("--current", NEW, "--next", OLD, "--uses", "memfd", "--emit", "memfd=memfd-v2",
                   rc=INCOMPATIBLE)

    def test_compressed_images_give_the_same_verdict(self):
        for a, b, rc in ((OLD, NEW, OK), (NEW, BREAK, INCOMPATIBLE)):
            ca = self.dir / (a.name + ".bz")
            cb = self.dir / (b.name + ".bz")
            ca.write_bytes(bzimage(compress("xz", a.read_bytes(), trailer=True)))
            cb.write_bytes(bzimage(compress("zstd", b.read_bytes(), trailer=True)))
            plain = self.check("--current", a, "--next", b, rc=rc)
            packed = self.check("--current", ca, "--next", cb, rc=rc)
            self.assertEqual(plain["families"], packed["families"])

    def test_next_kernel_without_luo_loses_everything(self):
        """Issue 22: a next kernel whose complete symbols show no LUO is an
        answer, not a gap: it restores nothing."""
        doc = self.check("--current", NEW, "--next", X86 / "notable.elf", rc=INCOMPATIBLE)
        self.assertEqual(doc["next"]["liveupdate"], "absent")
        self.assertIn("the next kernel has no Live Update Orchestrator", doc["summary"])
        self.assertEqual(doc["update_details"][0]["code"], "next_without_luo")
        # A kernel whose symbols are gone is still a gap.
        stripped = self.dir / "notable-stripped.elf"
        subprocess.run(["objcopy", "--strip-all", X86 / "notable.elf", stripped], check=True)
        doc = self.check("--current", NEW, "--next", stripped, rc=UNDECIDABLE)
        self.assertIn("has no live-update version table", doc["summary"])

    def test_kexec_cannot_cross_architectures(self):
        r = lucompat("check", "--no-modules", "--current", NEW, "--next", EXAMPLES / "aarch64" / "kernel.elf")
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("the next kernel is for arm64 (little-endian), the current one for x86_64", r.err)

    def test_next_modules_join_with_provenance(self):
        tree = self.dir / "next-modules"
        (tree / "kernel").mkdir(parents=True)
        shutil.copy(X86 / "module.ko", tree / "kernel" / "vfio-pci.ko")
        doc = self.check("--current", NEW, "--next", BREAK, "--next-modules", tree, "--uses", "iommufd", rc=INCOMPATIBLE)
        self.assertEqual(doc["next"]["strings"]["vfio-pci-v2"], [f"kernel {BREAK}", "module kernel/vfio-pci.ko"])
        self.assertEqual(doc["next"]["module_count"], 1)

    def test_next_kernel_from_a_package_with_its_modules(self):
        pkg = deb({"boot/vmlinuz-6.99.0-lucompat": bzimage(compress("xz", BREAK.read_bytes(), trailer=True)),
                   "lib/modules/6.99.0-lucompat/kernel/vfio-pci.ko.xz": compress("xz", (X86 / "module.ko").read_bytes())},
                  self.dir / "next.deb")
        doc = self.check("--current", NEW, "--next", pkg, "--uses", "vfio-pci", rc=INCOMPATIBLE)
        self.assertEqual(doc["next"]["strings"]["vfio-pci-v2"],
                         [f"kernel {pkg}!boot/vmlinuz-6.99.0-lucompat",
                          "module 6.99.0-lucompat/kernel/vfio-pci.ko.xz"])
        self.assertEqual(doc["next"]["modules"], f"{pkg}!lib/modules")
        self.assertEqual(families(doc)["luo"]["verdict"], "incompatible")

    def test_usage_errors(self):
        for args, message in ((["--uses", "floppy"], "--uses floppy: no such family"),
                              (["--emit", "memfd"], "--emit memfd: expected FAMILY=STRING"),
                              (["--emit", "memfd=vfio-pci-v1"], '"vfio-pci-v1" is not a memfd compatible string')):
            with self.subTest(args=args):
                r = lucompat("check", "--no-modules", "--current", OLD, "--next", NEW, *args)
                self.assertEqual(r.rc, USAGE, r)
                self.assertIn(message, r.err)
        self.assertEqual(lucompat("check", "--current", OLD).rc, USAGE)

    def test_config_errors_name_file_line_and_column(self):
        catalog = self.dir / "bad-catalog.toml"
        catalog.write_text('[[family]]\nname = "x"\nclass = "weird"\ncompatible = ["x-v{N}"]\n')
        r = lucompat("check", "--no-modules", "--current", OLD, "--next", NEW, "--catalog", catalog)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f"{catalog}:3:9: class \"weird\" is not core, subtree, file or flb", r.err)
        manifest = self.dir / "bad-manifest.toml"
        manifest.write_text('[[session]]\nname = "vm"\nuses = ["memfd", "floppy"]\n')
        r = lucompat("check", "--no-modules", "--current", OLD, "--next", NEW, "--manifest", manifest)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f'{manifest}:3:18: unknown family "floppy"', r.err)
        manifest.write_text('[[session]\n')
        r = lucompat("check", "--no-modules", "--current", OLD, "--next", NEW, "--manifest", manifest)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f"{manifest}:1:", r.err)

    def test_text_output(self):
        r = lucompat("check", "--no-modules", "--current", NEW, "--next", BREAK)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        self.assertIn("family       running emits       next understands  verdict\n", r.out)
        self.assertIn("  luo: the running kernel writes luo-v1 but the next kernel reads only luo-v2", r.out)
        self.assertTrue(r.out.rstrip().splitlines()[-1].startswith("INCOMPATIBLE: "))
        # The table fits 80 columns; who uses a family is a line of its own.
        table = r.out.split("\n\n")[1].splitlines()
        self.assertTrue(all(len(line) <= 80 for line in table), table)
        self.assertIn("  memfd: in use: the running kernel can hand it over (default)\n", r.out)
        self.assertNotIn("\x1b[", r.out)  # not a terminal: no colour
        coloured = lucompat("check", "--no-modules", "--current", NEW, "--next", BREAK, "--color", "always")
        self.assertIn("\x1b[1;31mincompatible\x1b[0m", coloured.out)
        plain = lucompat("check", "--no-modules", "--current", NEW, "--next", BREAK, "--color", "never")
        self.assertEqual(plain.out, r.out)
        # Only the families that do not pass get lines of their own: iommufd
        # is compatible in this pair.
        self.assertNotIn("  iommufd:", r.out)

    def test_compatible_is_quiet_unless_verbose(self):
        r = lucompat("check", "--no-modules", "--current", NEW, "--next", NEW)
        self.assertEqual(r.rc, OK, r)
        self.assertNotIn("  luo: ", r.out)
        self.assertTrue(r.out.rstrip().splitlines()[-1].startswith("compatible: "), r.out)
        verbose = lucompat("check", "--no-modules", "--current", NEW, "--next", NEW, "-v")
        self.assertEqual(verbose.rc, OK, verbose)
        self.assertIn("  luo: in use: every live update\n", verbose.out)
        self.assertIn("  luo: the running kernel writes luo-v1 and the next kernel reads it", verbose.out)
        self.assertEqual(verbose.out.splitlines()[-1], r.out.splitlines()[-1])


class RunningKernel(TempDirTest):
    """The running kernel found in a fake root and proven by /proc/version."""

    RELEASE = "6.99.0-lucompat"

    def root(self, name, banner_suffix="", image_at="boot/vmlinuz-6.99.0-lucompat", image=None):
        root = self.dir / name
        (root / "proc" / "sys" / "kernel").mkdir(parents=True)
        (root / "proc" / "sys" / "kernel" / "osrelease").write_text(self.RELEASE + "\n")
        banner = lucompat("inspect", "--json", OLD).one()["identity"]["banner"]
        (root / "proc" / "version").write_text(banner + banner_suffix + "\n")
        if image_at:
            path = root / image_at
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image if image is not None else bzimage(compress("xz", OLD.read_bytes(), trailer=True)))
        return root

    def test_found_and_proven(self):
        root = self.root("ok")
        # The running kernel's modules join its table by default.
        modules = root / "lib" / "modules" / self.RELEASE / "kernel"
        modules.mkdir(parents=True)
        shutil.copy(X86 / "module.ko", modules / "vfio-pci.ko")
        r = lucompat("check", "--json", "--root", root, "--next", NEW)
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        doc = r.json()
        self.assertEqual(doc["current"]["path"], str(root / "boot/vmlinuz-6.99.0-lucompat"))
        # The fake root has no /proc/kallsyms: no live query, and the header says why.
        self.assertEqual(doc["current"]["how"],
                         f"the running kernel, proven by /proc/version; not queried live: "
                         f"{root / 'proc/kallsyms'}: no such file")
        self.assertEqual(doc["current"]["modules"], str(root / "lib/modules" / self.RELEASE))
        self.assertEqual(doc["current"]["strings"]["vfio-pci-v2"], ["module kernel/vfio-pci.ko"])
        # Both kernels have one release: the tree is the running kernel's, and
        # crediting it to the next one would prove too much.
        self.assertIsNone(doc["next"]["modules"])
        self.assertIn("the next kernel's modules were not joined", doc["notes"][0])
        # The running kernel's module writes vfio-pci-v2; the next kernel reads v1 only.
        self.assertEqual(families(doc)["vfio-pci"]["verdict"], "incompatible")
        r = lucompat("check", "--json", "--no-modules", "--root", root, "--next", NEW)
        self.assertEqual(r.rc, OK, r)
        self.assertNotIn("vfio-pci-v2", r.json()["current"]["strings"])
        # Without /lib/modules/R there is no shared tree to warn about.
        shutil.rmtree(root / "lib" / "modules" / self.RELEASE)
        r = lucompat("check", "--json", "--root", root, "--next", NEW)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(r.json()["notes"], [])

    def test_rebuilt_image_with_the_same_name_is_refused(self):
        root = self.root("rebuilt", banner_suffix=" (rebuilt)")
        r = lucompat("check", "--root", root, "--next", NEW)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("no image on disk is the running kernel", r.err)
        self.assertIn("boot/vmlinuz-6.99.0-lucompat has the banner", r.err)
        self.assertIn("(rebuilt)", r.err)

    def test_missing_image(self):
        root = self.root("missing", image_at=None)
        r = lucompat("check", "--root", root, "--next", NEW)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("no image of the running kernel 6.99.0-lucompat on disk", r.err)
        self.assertIn("--current PATH", r.err)

    def test_uki_found_by_uname(self):
        image = uki(bzimage(compress("xz", OLD.read_bytes(), trailer=True)), self.dir,
                    uname=(self.RELEASE + "\n").encode())
        root = self.root("uki", image_at="boot/efi/EFI/Linux/lucompat.efi", image=image)
        # A UKI of another release on the same ESP is not considered.
        other = uki(bzimage(compress("xz", NEW.read_bytes(), trailer=True)), self.dir, uname=b"5.10.0\n")
        (root / "boot/efi/EFI/Linux/aaa-other.efi").write_bytes(other)
        r = lucompat("check", "--json", "--root", root, "--next", NEW)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(r.json()["current"]["path"], str(root / "boot/efi/EFI/Linux/lucompat.efi"))

    def test_host_toml_pins(self):
        root = self.root("pinned", image_at="boot/vmlinuz-6.99.0-lucompat", image=NEW.read_bytes())
        (root / "proc" / "version").write_text(
            lucompat("inspect", "--json", NEW).one()["identity"]["banner"] + "\n")
        (root / "etc" / "lucompat").mkdir(parents=True)
        (root / "etc" / "lucompat" / "host.toml").write_text('[emit]\nmemfd = "memfd-v1"\n')
        r = lucompat("check", "--json", "--no-modules", "--root", root, "--next", OLD, "--uses", "memfd")
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(families(r.json())["memfd"]["chosen"], "memfd-v1")


class FamiliesInUse(TempDirTest):
    def test_real_process_with_a_memfd_and_an_eventfd(self):
        child = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import os, sys, time
            m = os.memfd_create("guest-ram")
            e = os.eventfd(0)
            print("ready", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(child.stdout.readline().strip(), "ready")
            r = lucompat("check", "--json", "--no-modules", "--current", NEW, "--next", NEW, "--pid", child.pid)
            doc = r.json()
            fam = families(doc)
            self.assertIn(f"pid {child.pid}", fam["memfd"]["used_by"][0])
            self.assertIn("/memfd:guest-ram (deleted)", fam["memfd"]["used_by"][0])
            self.assertIn("anon_inode:[eventfd]", fam["eventfd"]["used_by"][0])
            # The example kernels have no eventfd handler, so the running one
            # cannot hand eventfds over: a note (every QEMU holds eventfds),
            # never a loss that decides the update.
            self.assertEqual(fam["eventfd"]["verdict"], "not_preservable")
            self.assertIn("cannot preserve eventfd", fam["eventfd"]["reasons"][0])
            self.assertEqual(fam["memfd"]["verdict"], "compatible")
            self.assertEqual(fam["vfio-pci"]["verdict"], "not_used")
            self.assertEqual(r.rc, OK, r)
            # Several pids in one value, as pidof prints them, and by name.
            both = lucompat("check", "--json", "--no-modules", "--current", NEW, "--next", NEW,
                            "--pid", f"{child.pid} {os.getpid()}")
            self.assertEqual(both.rc, OK, both)
            used = families(both.json())["memfd"]["used_by"]
            self.assertTrue(any(f"pid {child.pid} " in u for u in used), used)
            comm = Path(f"/proc/{child.pid}/comm").read_text().strip()
            named = lucompat("check", "--json", "--no-modules", "--current", NEW, "--next", NEW,
                             "--process", comm)
            self.assertEqual(named.rc, OK, named)
            self.assertTrue(any(f"pid {child.pid} " in u
                                for u in families(named.json())["memfd"]["used_by"]))
        finally:
            child.kill()
            child.wait()

    def test_fake_proc_with_vfio_iommufd_kvm_and_guest_memfd(self):
        fd = self.dir / "proc" / "4242" / "fd"
        fd.mkdir(parents=True)
        (self.dir / "proc" / "4242" / "comm").write_text("qemu-system-x86\n")
        links = {3: "/dev/vfio/devices/vfio0", 4: "/dev/iommu", 5: "anon_inode:kvm-vm",
                 6: "anon_inode:[kvm-gmem]", 7: "socket:[991]", 8: "/dev/vfio/vfio"}
        for n, target in links.items():
            os.symlink(target, fd / str(n))
        r = lucompat("check", "--json", "--no-modules", "--root", self.dir, "--current", NEW, "--next", NEW,
                     "--pid", "4242")
        self.assertEqual(r.rc, OK, r)
        fam = families(r.json())
        self.assertEqual(fam["vfio-pci"]["used_by"], ["pid 4242 (qemu-system-x86) fd 3 /dev/vfio/devices/vfio0"])
        self.assertEqual(fam["iommufd"]["used_by"], ["pid 4242 (qemu-system-x86) fd 4 /dev/iommu"])
        self.assertEqual(fam["kvm-vm"]["used_by"], ["pid 4242 (qemu-system-x86) fd 5 anon_inode:kvm-vm"])
        self.assertEqual(fam["guest-memfd"]["used_by"], ["pid 4242 (qemu-system-x86) fd 6 anon_inode:[kvm-gmem]"])
        self.assertEqual(fam["memfd"]["verdict"], "not_used")

    def test_missing_process(self):
        r = lucompat("check", "--no-modules", "--root", self.dir, "--current", NEW, "--next", NEW, "--pid", "999999")
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("no process 999999", r.err)


class CorpusScenarios(TempDirTest):
    """The issue's scenarios on the real corpus kernels, ELF and compressed."""

    def setUp(self):
        if not (CORPUS / "MANIFEST.tsv").is_file():
            self.skipTest("no corpus")

    def run_check(self, current, nxt, *args, rc):
        r = lucompat("check", "--json", "--no-modules", "--current", CORPUS / current, "--next", CORPUS / nxt, *args)
        self.assertEqual(r.rc, rc, r)
        return r.json()

    def test_scenarios(self):
        self.run_check("x86_64-bzImage-gzip-T_OLD", "x86_64-bzImage-xz-T_NEW", rc=OK)
        self.run_check("x86_64-bzImage-gzip-T_OLD", "x86_64-vmlinux-zstd-T_NEW", rc=OK)
        doc = self.run_check("x86_64-vmlinux-zstd-T_NEW", "x86_64-bzImage-lz4-T_BREAK", rc=INCOMPATIBLE)
        self.assertEqual(families(doc)["luo"]["verdict"], "incompatible")
        self.run_check("x86_64-bzImage-zstd-T_NEW", "x86_64-bzImage-gzip-T_OLD", "--uses", "vfio-pci", rc=INCOMPATIBLE)
        self.run_check("x86_64-bzImage-zstd-T_NEW", "x86_64-bzImage-gzip-T_OLD", "--uses", "memfd", rc=UNDECIDABLE)
        self.run_check("x86_64-bzImage-zstd-T_NEW", "x86_64-bzImage-gzip-T_OLD", "--uses", "memfd",
                       "--emit", "memfd=memfd-v1", rc=OK)
        self.run_check("x86_64-bzImage-xz-T_NEW", "x86_64-bzImage-xz-NOTABLE", rc=UNDECIDABLE)
        doc = self.run_check("x86_64-bzImage-xz-T_NEW", "arm64-Image-T_NEW", rc=BAD_INPUT)
        self.assertEqual((doc["verdict"], doc["exit_code"]), ("error", BAD_INPUT))
        self.assertIn("cannot cross architectures", doc["error"]["message"])


if __name__ == "__main__":
    main()
