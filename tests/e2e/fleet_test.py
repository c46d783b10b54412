"""The fleet store, SQLite or PostgreSQL (LUCOMPAT_FLEET_BACKEND): the same
tests for both. Reports in, newest per host wins, concurrent and killed
ingesters, malformed reports, and baseline/status over a small fleet whose
answers are checked by hand."""

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from lucompat_e2e import (BAD_INPUT, EXAMPLES, INCOMPATIBLE, LUCOMPAT, OK, UNDECIDABLE, TempDirTest,
                          lucompat, main)

ROOT = Path(__file__).resolve().parents[2]
BACKEND = os.environ.get("LUCOMPAT_FLEET_BACKEND", "sqlite")
FLEET = ROOT / "examples" / "profiles" / "fleet.toml"
X86 = EXAMPLES / "x86_64"
# Under ASan, RSS is the sanitizer's (shadow memory, a 256 MiB quarantine).
SANITIZED = os.environ.get("LUCOMPAT_SANITIZED", "0") == "1"
# Runs a command with its output dropped and prints its exit status and peak
# RSS (KiB). A small process of its own forks it: Linux counts the memory of
# the image a child's exec replaced in the child's peak, and a child of the
# test would carry the test's.
PEAK_RSS = """
import os, sys
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""
OLD, NEW, BREAK, NOTABLE = (X86 / n for n in ("kernel-old.elf", "kernel.elf", "kernel-break.elf", "notable.elf"))


def report(current, host, staged=None, labels=(), root=None):
    args = ["report", "--no-modules", "--current", current, "--host", host]
    if staged:
        args += ["--next", staged]
    for label in labels:
        args += ["--label", label]
    if root:
        args += ["--root", root]
    r = lucompat(*args)
    assert r.rc == OK, r
    return r.json()


def with_time(doc, when):
    d = json.loads(json.dumps(doc))
    d["collected_at"] = when
    return d


class Fleet(TempDirTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pg = None
        if BACKEND == "postgresql":
            from pg_server import PgServer
            cls.pg = PgServer().start()
        # One report per kernel pair; hosts are copies with other names.
        cls.old_to_new = report(OLD, "x", NEW)
        cls.new_only = report(NEW, "x")
        cls.new_to_break = report(NEW, "x", BREAK)
        cls.notable = report(NOTABLE, "x", NEW)
        # A kernel with a string no catalog family knows.
        cls.unknown = json.loads(json.dumps(cls.new_only))
        cls.unknown["running"]["strings"].append("widget-v3")
        cls.unknown["running"]["build_id"] = "ab" * 20

    @classmethod
    def tearDownClass(cls):
        if cls.pg:
            cls.pg.stop()
        super().tearDownClass()

    def store(self, name):
        if self.pg:
            return self.pg.url(name.replace(".db", ""))
        return f"sqlite:{self.dir / name}"

    def query(self, store, sql):
        if self.pg:
            return self.pg.query(store, sql)
        db = sqlite3.connect(store[len("sqlite:"):])
        try:
            return [tuple(str(v) for v in row) for row in db.execute(sql).fetchall()]
        finally:
            db.close()

    def write_lines(self, name, docs):
        path = self.dir / name
        path.write_text("".join(json.dumps(d) + "\n" for d in docs))
        return path

    def host(self, doc, name, labels=None, when="2026-11-27T00:00:00Z"):
        d = with_time(doc, when)
        d["host"] = name
        if labels is not None:
            d["labels"] = labels
        return d

    def test_report_document(self):
        doc = report(OLD, "h1", NEW, labels=["rack=r1", "az=b"])
        self.assertEqual(doc["schema"], "lucompat.report/2")
        self.assertEqual(doc["running"]["has_version_set"], True)
        self.assertNotIn("has_table", doc["running"])
        self.assertEqual(doc["labels"], {"rack": "r1", "az": "b"})
        self.assertRegex(doc["collected_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(doc["running"]["strings"], ["luo-v1", "memfd-v1"])
        self.assertEqual(doc["staged"]["release"], "6.99.0-lucompat")
        self.assertIsNone(doc["profile"])

    def test_report_from_a_host_with_a_profile(self):
        root = self.dir / "hostroot"
        (root / "proc" / "sys" / "kernel").mkdir(parents=True)
        (root / "proc" / "sys" / "kernel" / "osrelease").write_text("6.99.0-lucompat\n")
        (root / "proc" / "sys" / "kernel" / "hostname").write_text("hv-0042\n")
        banner = lucompat("inspect", "--json", NEW).one()["identity"]["banner"]
        (root / "proc" / "version").write_text(banner + "\n")
        (root / "boot").mkdir()
        (root / "boot" / "vmlinuz-6.99.0-lucompat").write_bytes(NEW.read_bytes())
        (root / "etc" / "lucompat" / "profiles.d").mkdir(parents=True)
        (root / "etc" / "lucompat" / "profiles.d" / "fleet.toml").write_text(FLEET.read_text())
        (root / "etc" / "lucompat" / "host.toml").write_text('profile = "2026.06"\n[emit]\nmemfd = "memfd-v2"\n')
        r = lucompat("report", "--root", root)
        self.assertEqual(r.rc, OK, r)
        doc = r.json()
        self.assertEqual(doc["host"], "hv-0042")
        self.assertEqual(doc["profile"], "2026.06")
        self.assertEqual(doc["vmm_features"], ["iommufd-dirty-tracking", "vfio-cdev"])
        self.assertEqual(doc["emit"], {"memfd": "memfd-v2"})
        self.assertIsNone(doc["staged"])

    def test_newest_report_per_host_wins_and_reingest_is_idempotent(self):
        store = self.store("newest.db")
        early = self.host(self.old_to_new, "h1", when="2026-11-01T00:00:00Z")
        late = self.host(self.new_only, "h1", when="2026-11-02T00:00:00Z")
        path = self.write_lines("order.jsonl", [late, early, late])  # out of order, and a duplicate
        r = lucompat("fleet", "ingest", "--json", "--store", store, path)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual((r.json()["applied"], r.json()["ignored"]), (1, 2))
        r = lucompat("fleet", "ingest", "--json", "--store", store, path)
        self.assertEqual((r.json()["applied"], r.json()["ignored"]), (0, 3))
        status = lucompat("fleet", "status", "--json", "--stale", "100000d", "--store", store).json()
        self.assertEqual(status["hosts"], 1)
        self.assertEqual(status["builds"][0]["build_id"], self.new_only["running"]["build_id"])
        self.assertEqual(self.query(store, "SELECT collected_at FROM hosts"), [("2026-11-02T00:00:00Z",)])
        self.assertEqual(self.query(store, "SELECT MAX(version) FROM schema_migrations"), [("3",)])

    def boot(self, doc, name, when, boot_id, outcome=None, staged_verdict=None, staged_banner=None):
        """A report of `name` from boot `boot_id`: what the live update that
        booted it did, and the kernel-install record of the entry it would
        boot next (made against the kernel it runs)."""
        d = self.host(doc, name, when=when)
        d["boot_id"] = boot_id
        d["live_update"] = outcome and {"result": outcome, "previous_release": "6.98.0",
                                        "kexec_count": 1, "evidence": []}
        d["installed_check"] = staged_verdict and {
            "entry": "tok-6.99.0.conf", "verdict": staged_verdict, "exit_code": 0, "summary": "",
            "against_banner": d["running"]["banner"], "against_running": True,
            "next_banner": staged_banner}
        return d

    def test_outcomes_beside_predictions(self):
        """The verdict kernel-install recorded for the staged entry becomes the
        prediction of the next boot into that entry's kernel; fleet status sets
        it beside what the kernel did, and names the hosts where they disagree."""
        store = self.store("outcomes.db")
        old, new = self.old_to_new, self.new_only
        new_banner = new["running"]["banner"]
        docs = [
            # ok: predicted compatible, handed over (and a later report of that boot keeps it).
            self.boot(old, "ok", "2026-11-01T00:00:00Z", "b1", "cold_boot", "compatible", new_banner),
            self.boot(new, "ok", "2026-11-02T00:00:00Z", "b2", "handed_over"),
            self.boot(new, "ok", "2026-11-03T00:00:00Z", "b2", "handed_over"),
            # lost: predicted compatible, but the kernel lost the sessions.
            self.boot(old, "lost", "2026-11-01T00:00:00Z", "c1", "cold_boot", "compatible", new_banner),
            self.boot(new, "lost", "2026-11-02T00:00:00Z", "c2", "sessions_lost"),
            # other: the record was of another kernel than the one booted.
            self.boot(old, "other", "2026-11-01T00:00:00Z", "d1", "cold_boot", "compatible", "Linux version 1"),
            self.boot(new, "other", "2026-11-02T00:00:00Z", "d2", "handed_over"),
            # staged: nothing booted yet, an entry recorded incompatible.
            self.boot(old, "staged", "2026-11-01T00:00:00Z", "e1", None, "incompatible", new_banner),
        ]
        for d in docs:  # one at a time: each report must meet the previous one stored
            r = lucompat("fleet", "ingest", "--store", store, self.write_lines("one.jsonl", [d]))
            self.assertEqual(r.rc, OK, r)
        self.assertEqual(self.query(store, "SELECT name, predicted, outcome FROM hosts ORDER BY name"),
                         [("lost", "compatible", "sessions_lost"), ("ok", "compatible", "handed_over"),
                          ("other", "", "handed_over"), ("staged", "", "")])
        status = lucompat("fleet", "status", "--json", "--store", store).json()
        self.assertEqual(sorted(((u["predicted"], u["outcome"], u["hosts"]) for u in status["live_updates"]), key=str),
                         sorted([("compatible", "handed_over", 1), ("compatible", "sessions_lost", 1),
                                 (None, "handed_over", 1)], key=str))
        self.assertEqual(status["disagreements"], 1)
        self.assertEqual(status["staged_verdicts"], {"incompatible": 1})
        self.assertEqual(status["disagreeing"],
                         [{"host": "lost", "predicted": "compatible", "outcome": "sessions_lost"}])
        text = lucompat("fleet", "status", "--store", store).out
        self.assertIn("lost  predicted compatible, the kernel: sessions_lost", text)
        prom = lucompat("fleet", "status", "--format", "prometheus", "--store", store).out
        self.assertIn('lucompat_fleet_live_updates{predicted="compatible",outcome="sessions_lost"} 1', prom)
        self.assertIn("lucompat_fleet_live_update_disagreements 1", prom)
        self.assertIn('lucompat_fleet_staged_verdicts{verdict="incompatible"} 1', prom)

    def test_documents_arrays_directories_and_stdin(self):
        store = self.store("shapes.db")
        d = self.dir / "shapes"
        d.mkdir()
        (d / "a.json").write_text(json.dumps(self.host(self.new_only, "pretty"), indent=2))
        (d / "b.json").write_text(json.dumps([self.host(self.new_only, f"arr-{i}") for i in range(3)], indent=1))
        (d / "c.jsonl").write_text(json.dumps(self.host(self.new_only, "line")) + "\n")
        (d / "ignored.txt").write_text("not a report")
        r = lucompat("fleet", "ingest", "--json", "--store", store, d)
        self.assertEqual((r.rc, r.json()["applied"]), (OK, 5), r)
        p = subprocess.run([LUCOMPAT, "fleet", "ingest", "--json", "--store", store, "-"], text=True,
                           input=json.dumps(self.host(self.new_only, "piped")) + "\n", capture_output=True)
        self.assertEqual(json.loads(p.stdout)["applied"], 1, p.stderr)
        self.assertEqual(lucompat("fleet", "status", "--json", "--store", store).json()["hosts"], 6)

    def test_concurrent_ingest_from_eight_processes(self):
        store = self.store("concurrent.db")
        paths = []
        for p in range(8):
            docs = [self.host(self.new_only, f"p{p}-h{i}", {"proc": str(p)}) for i in range(300)]
            paths.append(self.write_lines(f"proc{p}.jsonl", docs))
        procs = [subprocess.Popen([LUCOMPAT, "fleet", "ingest", "--batch", "50", "--store", store, str(p)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for p in paths]
        for p in procs:
            self.assertEqual(p.wait(timeout=120), 0, p.stderr.read())
        status = lucompat("fleet", "status", "--json", "--store", store).json()
        self.assertEqual(status["hosts"], 2400)
        self.assertEqual(len(status["builds"]), 1)

    def test_ingesters_storing_new_builds_in_opposite_orders_both_succeed(self):
        # On PostgreSQL two such batches deadlocked, and, run again at once,
        # deadlocked again until one ingester gave up: every transaction now
        # stores builds and hosts in one order.
        store = self.store("opposite.db")
        self.assertEqual(lucompat("fleet", "ingest", "--store", store,
                                  self.write_lines("seed.jsonl", [self.host(self.new_only, "seed")])).rc, OK)
        for round in range(3):
            paths = []
            for p in range(2):
                docs = []
                for i in range(200):
                    d = self.host(self.new_only, f"r{round}-p{p}-h{i}")
                    d["running"]["build_id"] = f"{round:02x}{i:038x}"
                    docs.append(d)
                paths.append(self.write_lines(f"opposite{round}-{p}.jsonl", docs if p == 0 else docs[::-1]))
            procs = [subprocess.Popen([LUCOMPAT, "fleet", "ingest", "--store", store, str(p)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for p in paths]
            for p in procs:
                self.assertEqual(p.wait(timeout=120), 0, p.stderr.read())
        self.assertEqual(self.query(store, "SELECT COUNT(*) FROM builds"), [("601",)])
        self.assertEqual(self.query(store, "SELECT COUNT(*) FROM hosts"), [("1201",)])

    def test_killed_ingester_loses_no_acknowledged_report_and_leaves_no_half(self):
        store = self.store("killed.db")
        first = self.write_lines("first.jsonl", [self.host(self.old_to_new, f"a{i}") for i in range(100)])
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, first).rc, OK)  # acknowledged
        big = self.write_lines("big.jsonl", [self.host(self.new_only, f"b{i}") for i in range(60000)])
        p = subprocess.Popen([LUCOMPAT, "fleet", "ingest", "--batch", "20000", "--store", store, str(big)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Killed once its first batch has landed, while it writes the next:
        # the store says when, not a clock.
        while p.poll() is None and int(self.query(
                store, "SELECT COUNT(*) FROM hosts WHERE name LIKE 'b%'")[0][0]) == 0:
            pass
        p.send_signal(signal.SIGKILL)
        p.wait()
        if not self.pg:
            self.assertEqual(self.query(store, "PRAGMA integrity_check"), [("ok",)])
        self.assertEqual(self.query(store, "SELECT COUNT(*) FROM hosts WHERE name LIKE 'a%'"), [("100",)])
        landed = int(self.query(store, "SELECT COUNT(*) FROM hosts WHERE name LIKE 'b%'")[0][0])
        self.assertEqual(landed % 20000, 0, "a batch landed in part")
        self.assertEqual(self.query(store, "SELECT COUNT(*) FROM hosts h LEFT JOIN builds b ON h.running = b.id "
                                           "WHERE b.id IS NULL"), [("0",)])
        # A hang guard, not a speed test: 60,000 reports take a minute under
        # the sanitizers on a busy machine (make bench-fleet measures speed).
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, big, timeout=300).rc, OK)

    def test_a_store_that_fails_mid_ingest_ends_it_with_the_error(self):
        # A full disk, made with a file size limit: the store fails on a later
        # batch, while the reader thread waits with the next one parsed.
        if self.pg:
            self.skipTest("a file size limit fails only a local store")
        store = self.store("full.db")
        lines = self.write_lines("full.jsonl", [self.host(self.new_only, f"f{i}") for i in range(20000)])

        def disk_of_one_mib():
            resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

        r = subprocess.run([LUCOMPAT, "fleet", "ingest", "--batch", "1000", "--store", store, str(lines)],
                           preexec_fn=disk_of_one_mib, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, BAD_INPUT, r.stderr)
        self.assertIn("cannot commit the batch: disk I/O error", r.stderr)
        self.assertEqual(self.query(store, "PRAGMA integrity_check"), [("ok",)])
        landed = int(self.query(store, "SELECT COUNT(*) FROM hosts")[0][0])
        self.assertTrue(0 < landed < 20000, landed)
        self.assertEqual(landed % 1000, 0, "a batch landed in part")

    def test_malformed_reports_are_rejected_with_position(self):
        store = self.store("malformed.db")
        good = self.host(self.new_only, "good")
        bad_schema = dict(good, schema="lucompat.report/9", host="s")
        missing = {k: v for k, v in good.items() if k != "running"}
        missing["host"] = "m"
        wrong = json.loads(json.dumps(good))
        wrong["host"] = "w"
        wrong["running"]["strings"][1] = 7
        bad_time = dict(good, collected_at="yesterday", host="t")
        huge = dict(good, host="huge", labels={"junk": "x" * (2 << 20)})
        path = self.write_lines("mixed.jsonl", [good, bad_schema, missing, wrong, bad_time, huge])
        r = lucompat("fleet", "ingest", "--store", store, path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn("1 reports stored", r.out)
        errors = r.err.splitlines()
        self.assertEqual(len(errors), 5, r.err)
        self.assertIn(f'{path}:2: schema: "lucompat.report/9" is not lucompat.report/2 or lucompat.report/1', errors[0])
        self.assertIn(f"{path}:3: running: missing", errors[1])
        self.assertIn(f"{path}:4: running.strings[1]: expected a string", errors[2])
        self.assertIn(f'{path}:5: collected_at: "yesterday" is not a UTC time', errors[3])
        self.assertIn(f"{path}:6: the report is", errors[4])
        # One URL: a second self.store() is a fresh PostgreSQL database.
        strict_store = self.store("strict.db")
        strict = lucompat("fleet", "ingest", "--strict", "--store", strict_store, path)
        self.assertEqual(strict.rc, BAD_INPUT, strict)
        self.assertIn("--strict: nothing stored", strict.out)
        self.assertEqual(lucompat("fleet", "status", "--json", "--store", strict_store).json()["hosts"], 0)

    def ingest_rejecting(self, store, path, stored, rejected):
        """Ingests PATH: STORED reports go in, and one error line per rejected one."""
        r = lucompat("fleet", "ingest", "--store", store, path)
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertIn(f"{stored} reports stored", r.out)
        errors = r.err.splitlines()
        self.assertEqual(len(errors), rejected, r.err)
        return errors

    def test_a_huge_time_fraction_rejects_one_report_and_keeps_the_others(self):
        store = self.store("fraction.db")
        good = [self.host(self.new_only, f"g{i}") for i in range(2)]
        huge = self.host(self.new_only, "huge", when="2026-11-27T00:00:00." + "1" * 30000 + "Z")
        path = self.write_lines("fraction.jsonl", [good[0], huge, good[1]])
        errors = self.ingest_rejecting(store, path, stored=2, rejected=1)
        self.assertIn(f"{path}:2: collected_at:", errors[0])

    def test_out_of_range_numbers_reject_one_report_with_its_position(self):
        store = self.store("numbers.db")
        good = [self.host(self.new_only, f"n{i}") for i in range(2)]
        line = json.dumps(good[0])
        float_text = line[:-1] + ', "x-unknown": 1e400}'
        integer_text = line[:-1] + ', "x-unknown": ' + "9" * 400 + "}"
        path = self.dir / "numbers.jsonl"
        path.write_text("\n".join([float_text, json.dumps(good[0]), integer_text, json.dumps(good[1])]) + "\n")
        errors = self.ingest_rejecting(store, path, stored=2, rejected=2)
        self.assertIn(f"{path}:1: not JSON", errors[0])
        self.assertIn(f"{path}:3: not JSON", errors[1])
        # In an array, the element: the others are kept.
        array = self.dir / "numbers.json"
        array.write_text("[" + float_text + ",\n" + json.dumps(self.host(self.new_only, "n2")) + "]")
        errors = self.ingest_rejecting(store, array, stored=1, rejected=1)
        self.assertIn(f"{array}: [0]: not JSON", errors[0])

    def test_newer_means_a_later_instant_not_a_larger_string(self):
        store = self.store("instants.db")
        whole = self.host(self.old_to_new, "h", when="2026-11-27T00:00:00Z")
        half = self.host(self.new_only, "h", when="2026-11-27T00:00:00.5Z")
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, self.write_lines("whole.jsonl", [whole])).rc, OK)
        r = lucompat("fleet", "ingest", "--json", "--store", store, self.write_lines("half.jsonl", [half]))
        self.assertEqual((r.rc, r.json()["applied"]), (OK, 1), r)
        self.assertEqual(self.query(store, "SELECT collected_at FROM hosts"), [("2026-11-27T00:00:00.5Z",)])
        # In one batch too: PostgreSQL keeps one report per host of a statement.
        store = self.store("instants-batch.db")
        path = self.write_lines("instants-batch.jsonl", [half, whole])
        r = lucompat("fleet", "ingest", "--json", "--store", store, path)
        self.assertEqual(r.rc, OK, r)
        self.assertEqual(self.query(store, "SELECT collected_at FROM hosts"), [("2026-11-27T00:00:00.5Z",)])

    def test_impossible_and_future_times_are_rejected(self):
        store = self.store("dates.db")
        docs = [self.host(self.new_only, "feb30", when="2026-02-30T00:00:00Z"),
                self.host(self.new_only, "leap", when="2024-02-29T00:00:00Z"),
                self.host(self.new_only, "far", when="9999-12-31T23:59:59Z")]
        path = self.write_lines("dates.jsonl", docs)
        errors = self.ingest_rejecting(store, path, stored=1, rejected=2)
        self.assertIn(f"{path}:1: collected_at:", errors[0])
        self.assertIn(f"{path}:3: collected_at:", errors[1])
        self.assertIn("in the future", errors[1])

    def execute(self, store, sql):
        if self.pg:
            return self.pg.query(store, sql)
        db = sqlite3.connect(store[len("sqlite:"):])
        try:
            db.execute(sql)
            db.commit()
        finally:
            db.close()

    def assert_one_error_line(self, r):
        self.assertEqual(r.rc, BAD_INPUT, r)
        self.assertEqual(len(r.err.splitlines()), 1, r.err)
        self.assertTrue(r.err.startswith("lucompat: "), r.err)

    def test_corrupt_stored_data_is_bad_input_not_a_crash(self):
        corruptions = ["UPDATE builds SET strings = 'not json'",
                       "UPDATE builds SET strings = '[1, 2]'",
                       "UPDATE hosts SET emit = '[]'",
                       "UPDATE hosts SET collected_at = 'yesterday'"]
        if not self.pg:  # PostgreSQL's typed columns and its encoding cannot hold these
            corruptions += ["UPDATE hosts SET running = 'abc'", "UPDATE builds SET has_table = 'maybe'",
                            "UPDATE hosts SET running = 424242",
                            # Not UTF-8: JSON output once failed on it with exit 70.
                            "UPDATE hosts SET name = CAST(X'63ff' AS TEXT)",
                            "UPDATE builds SET release = CAST(X'36ff' AS TEXT)"]
        for i, sql in enumerate(corruptions):
            with self.subTest(sql=sql):
                store = self.store(f"corrupt{i}.db")
                path = self.write_lines(f"corrupt{i}.jsonl", [self.host(self.old_to_new, "c")])
                self.assertEqual(lucompat("fleet", "ingest", "--store", store, path).rc, OK)
                self.execute(store, sql)
                self.assert_one_error_line(lucompat("fleet", "status", "--store", store))
                self.assert_one_error_line(lucompat("fleet", "status", "--json", "--store", store))
                if "collected_at" not in sql:  # baseline never reads the time
                    self.assert_one_error_line(lucompat("fleet", "baseline", "--store", store, "--profiles", FLEET))
                self.assert_one_error_line(lucompat("fleet", "plan", "--store", store, "--profiles", FLEET,
                                                    "--profile", "2026.03"))
                self.assert_one_error_line(lucompat("fleet", "plan", "--json", "--store", store, "--profiles", FLEET,
                                                    "--profile", "2026.03"))

    def test_read_only_commands_do_not_create_a_store(self):
        if self.pg:
            self.skipTest("a PostgreSQL database is created by its administrator")
        missing = self.dir / "nowhere" / "fleet.db"
        for args in (["status"], ["baseline", "--profiles", FLEET], ["plan", "--profiles", FLEET, "--profile", "2026.03"]):
            with self.subTest(command=args[0]):
                r = lucompat("fleet", *args, "--store", f"sqlite:{missing}")
                self.assertEqual(r.rc, BAD_INPUT, r)
                self.assertEqual(len(r.err.splitlines()), 1, r.err)
                self.assertIn("no such store", r.err)
                self.assertFalse(missing.parent.exists())

    def test_an_empty_sqlite_path_is_a_usage_error(self):
        for command in ("status", "ingest"):
            with self.subTest(command=command):
                r = lucompat("fleet", command, "--store", "sqlite:", *(["-"] if command == "ingest" else []))
                self.assertEqual(r.rc, 2, r)

    def test_baseline_without_profiles_says_so(self):
        store = self.small_fleet()
        empty_root = self.dir / "empty-root"
        empty_root.mkdir(exist_ok=True)
        r = lucompat("fleet", "baseline", "--store", store, "--root", empty_root)
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertIn("no profiles defined", r.out + r.err)
        self.assertNotIn("no active profile is viable", r.out)

    def test_no_hosts_means_no_profile_is_viable_on_every_host(self):
        store = self.small_fleet()
        r = lucompat("fleet", "baseline", "--store", store, "--profiles", FLEET, "--where", "rack=nowhere")
        self.assertEqual(r.rc, UNDECIDABLE, r)
        self.assertNotIn("viable on every host", r.out)
        doc = self.baseline(store, "--where", "rack=nowhere", rc=UNDECIDABLE)
        self.assertEqual([p["viable"] for p in doc["profiles"]], [False] * len(doc["profiles"]))

    def test_report_refuses_names_that_are_not_utf8(self):
        for extra in ([b"--host", b"h", b"--label", b"rack=\xff"], [b"--host", b"h", b"--label", b"\xfe=r1"],
                      [b"--host", b"h\xc3"]):
            with self.subTest(extra=extra):
                p = subprocess.run([os.fsencode(LUCOMPAT), b"report", b"--no-modules", b"--current", os.fsencode(NEW),
                                    *extra], capture_output=True)
                self.assertEqual(p.returncode, 2, p)
                self.assertIn(b"UTF-8", p.stderr)

    def test_report_output_piped_into_ingest(self):
        store = self.store("piped.db")
        reports = [lucompat("report", "--no-modules", "--current", NEW, "--host", f"piped-{i}") for i in range(3)]
        for r in reports:
            self.assertEqual(r.rc, OK, r)
        p = subprocess.run([LUCOMPAT, "fleet", "ingest", "--json", "--store", store, "-"], text=True,
                           input="".join(r.out for r in reports), capture_output=True)
        self.assertEqual((p.returncode, json.loads(p.stdout)["applied"]), (OK, 3), p.stderr)
        # A broken document costs itself only, named by its position.
        p = subprocess.run([LUCOMPAT, "fleet", "ingest", "--store", store, "-"], text=True,
                           input=reports[0].out + '{"x": 1e400}\n' + reports[1].out, capture_output=True)
        self.assertEqual(p.returncode, BAD_INPUT, p)
        self.assertIn("<stdin>: document 2: not JSON", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn("2 reports stored", p.stdout)

    def test_a_new_sqlite_store_is_private_whatever_the_umask(self):
        if self.pg:
            self.skipTest("PostgreSQL keeps its own files")
        path = self.dir / "private" / "deeper" / "fleet.db"
        doc = self.write_lines("private.jsonl", [self.host(self.new_only, "p")])
        p = subprocess.run([LUCOMPAT, "fleet", "ingest", "--store", f"sqlite:{path}", doc], capture_output=True,
                           text=True, preexec_fn=lambda: os.umask(0))
        self.assertEqual(p.returncode, OK, p.stderr)
        for f in path.parent.glob("fleet.db*"):
            self.assertEqual(f.stat().st_mode & 0o777, 0o600, f)
        for d in (path.parent, path.parent.parent):
            self.assertEqual(d.stat().st_mode & 0o777, 0o700, d)

    def test_a_store_this_user_cannot_write_is_still_read(self):
        # A readers' group, or a copy on read-only media: status, baseline
        # and plan read it as it is; only ingest needs to write.
        if self.pg:
            self.skipTest("PostgreSQL grants reads per role")
        if os.geteuid() != 0:
            self.skipTest("needs root to hand the store to another user")
        store = self.small_fleet()
        path = Path(store[len("sqlite:"):])
        self.dir.chmod(0o755)
        path.chmod(0o644)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        for args in (["status", "--json"], ["baseline", "--json", "--profiles", FLEET],
                     ["plan", "--json", "--profiles", FLEET, "--profile", "2026.03"]):
            with self.subTest(command=args[0]):
                want = lucompat("fleet", *args, "--store", store)
                p = subprocess.run([*nobody, LUCOMPAT, "fleet", *args, "--store", store], capture_output=True,
                                   text=True)
                if "Permission denied" in p.stderr and "lucompat" not in p.stderr:
                    self.skipTest("the build tree is not readable by nobody")
                self.assertEqual((p.returncode, p.stderr), (want.rc, want.err))
                self.assertEqual(json.loads(p.stdout), want.json())
        self.assertEqual(sorted(f.name for f in path.parent.glob("small.db*")), ["small.db"])
        p = subprocess.run([*nobody, LUCOMPAT, "fleet", "ingest", "--store", store,
                            self.write_lines("nobody.jsonl", [self.host(self.new_only, "n")])],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, BAD_INPUT, p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)

    def test_status_and_baseline_count_builds_alike_and_a_slice_its_own(self):
        store = self.small_fleet()
        for where in ([], ["--where", "rack=r1"], ["--where", "rack=r9"]):
            with self.subTest(where=where):
                status = lucompat("fleet", "status", "--json", "--store", store, *where).json()
                base = self.baseline(store, *where, rc=None)
                self.assertEqual((status["hosts"], status["kernel_builds"]), (base["hosts"], base["builds"]))
                text = [lucompat("fleet", c, "--store", store, *where, *(["--profiles", FLEET] if c == "baseline" else []))
                        .out.splitlines()[0] for c in ("status", "baseline")]
                self.assertEqual(text[0], text[1])
        # Hand-counted: r1 is 3 hosts old -> new, 2 builds (the whole store has 5).
        r1 = lucompat("fleet", "status", "--json", "--store", store, "--where", "rack=r1").json()
        self.assertEqual((r1["hosts"], r1["kernel_builds"]), (3, 2))
        self.assertEqual(lucompat("fleet", "status", "--store", store, "--where", "rack=r1").out.splitlines()[0],
                         "fleet: 3 hosts, 2 kernel builds running or staged")

    def test_a_kernel_check_calls_undecided_blocks_every_profile(self):
        # The report carries what check knew: strings that rest on a scan
        # alone, or near misses, cannot make a profile viable fleet-wide.
        store = self.store("undecided.db")
        doc = self.host(self.new_only, "u-0")
        doc["running"]["undecided"] = "its strings rest only on a scan of its bytes (no symbols)"
        doc["running"]["evidence"] = "registrations (scan)"
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, self.write_lines("u.jsonl", [doc])).rc, OK)
        base = self.baseline(store, rc=INCOMPATIBLE)
        self.assertIsNone(base["baseline"])
        for p in base["profiles"]:
            self.assertFalse(p["viable"], p)
            self.assertEqual(p["blockers"][0]["reasons"][0],
                             "the running kernel's strings cannot support a verdict: its strings rest only on a "
                             "scan of its bytes (no symbols)")
            self.assertEqual(p["blockers"][0]["reason_details"][0],
                             {"code": "kernel_undecided", "kernel": "running",
                              "detail": doc["running"]["undecided"]})
        status = lucompat("fleet", "status", "--json", "--store", store).json()
        self.assertEqual((status["builds"][0]["evidence"], status["builds"][0]["undecided"]),
                         ("registrations (scan)", doc["running"]["undecided"]))
        self.assertIn("; evidence: registrations (scan); UNDECIDED: its strings rest only on a scan",
                      lucompat("fleet", "status", "--store", store).out)

    def test_each_host_is_judged_by_the_strings_it_reported(self):
        # Two hosts run one build-id, but one lacks memfd-v1 (its modules
        # differ). The build was stored once with the first host's strings,
        # the second host's were discarded and it was planned ready.
        store = self.store("variants.db")
        full = self.host(self.old_to_new, "full-0")
        lacking = self.host(self.old_to_new, "lacking-0", when="2026-11-27T00:00:01Z")
        lacking["running"]["strings"] = ["luo-v1"]
        path = self.write_lines("variants.jsonl", [full, lacking, self.host(self.old_to_new, "full-1")])
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, path).rc, OK)
        r = lucompat("fleet", "plan", "--json", "--store", store, "--profiles", FLEET, "--profile", "2026.03")
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        doc = r.json()
        self.assertEqual((doc["ready"], doc["blocked"]), (2, 1))
        self.assertEqual(doc["blocked_builds"][0]["hosts"], ["lacking-0"])
        self.assertIn("memfd-v1: the running kernel cannot emit it (not in its table)",
                      doc["blocked_builds"][0]["reasons"])
        # Hosts that report alike share a build; another build-id's facts
        # are never taken for these.
        status = lucompat("fleet", "status", "--json", "--store", store).json()
        self.assertEqual(sorted(b["hosts"] for b in status["builds"]), [1, 2])
        self.assertEqual(self.query(store, "SELECT COUNT(*) FROM builds"), [("3",)])
        text = lucompat("fleet", "status", "--store", store).out
        self.assertIn("strings of its own", text)
        # Re-ingesting in the other order stores nothing new.
        again = self.write_lines("variants-again.jsonl", [lacking, full])
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, again).rc, OK)
        self.assertEqual(self.query(store, "SELECT COUNT(*) FROM builds"), [("3",)])

    def test_a_staged_kernel_of_another_architecture_blocks_its_host(self):
        # check refuses the pair (a kexec cannot cross architectures); plan
        # called the host ready.
        store = self.store("arch.db")
        other = self.host(self.old_to_new, "arm-0")
        other["staged"]["arch"] = "arm64"
        other["staged"]["build_id"] = "cd" * 20
        unknown = self.host(self.old_to_new, "unknown-arch-0")
        unknown["staged"]["arch"] = ""
        unknown["staged"]["build_id"] = "ef" * 20
        docs = [other, unknown, self.host(self.old_to_new, "same-0")]
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, self.write_lines("arch.jsonl", docs)).rc, OK)
        r = lucompat("fleet", "plan", "--json", "--store", store, "--profiles", FLEET, "--profile", "2026.03")
        self.assertEqual(r.rc, INCOMPATIBLE, r)
        doc = r.json()
        self.assertEqual((doc["ready"], doc["blocked"]), (1, 2))
        blocked = {g["hosts"][0]: g for g in doc["blocked_builds"]}
        self.assertEqual(blocked["arm-0"]["reason_details"][0],
                         {"code": "kernel_architectures_differ", "running": ["x86_64"], "next": ["arm64"]})
        self.assertEqual(blocked["arm-0"]["reasons"][0],
                         "the staged kernel is for arm64, the running one for x86_64: a kexec cannot cross "
                         "architectures")
        self.assertEqual(blocked["unknown-arch-0"]["reasons"][0],
                         "the staged kernel is for an unknown architecture, the running one for x86_64: a kexec "
                         "cannot cross architectures")
        base = self.baseline(store, rc=INCOMPATIBLE)
        self.assertEqual({p["name"]: p["blocking_hosts"] for p in base["profiles"]}["2026.03"], 2)

    def test_a_store_of_schema_1_is_migrated_by_ingest_and_its_builds_keep_no_evidence(self):
        if self.pg:
            self.skipTest("the SQLite file is rewound by hand here")
        store = self.store("v1.db")
        self.assertEqual(lucompat("fleet", "ingest", "--store", store,
                                  self.write_lines("v1.jsonl", [self.host(self.new_only, "v1-0")])).rc, OK)
        db = sqlite3.connect(store[len("sqlite:"):])
        db.executescript("ALTER TABLE builds DROP COLUMN evidence; ALTER TABLE builds DROP COLUMN undecided;"
                         + "".join(f"ALTER TABLE hosts DROP COLUMN {c};" for c in (
                             "boot_id", "staged_verdict", "staged_banner",
                             "predicted", "outcome"))
                         + "DELETE FROM schema_migrations WHERE version >= 2;")
        db.close()
        # A query migrates nothing: it says who does.
        status = lucompat("fleet", "status", "--json", "--store", store)
        self.assertEqual(status.rc, BAD_INPUT, status)
        self.assertIn("queries never migrate a store: `lucompat fleet ingest` does", status.err)
        self.assertEqual(self.query(store, "SELECT MAX(version) FROM schema_migrations"), [("1",)])
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, self.write_lines("none.jsonl", [])).rc, OK)
        status = lucompat("fleet", "status", "--json", "--store", store)
        self.assertEqual(status.rc, OK, status)
        self.assertIsNone(status.json()["builds"][0]["evidence"])
        self.assertEqual(self.query(store, "SELECT MAX(version) FROM schema_migrations"), [("3",)])

    def test_queries_never_write_the_store(self):
        """status on an existing empty file once wrote a schema into it: only
        ingest creates or migrates a store."""
        if self.pg:
            store = self.store("empty.db")  # created empty by the server's administrator
        else:
            path = self.dir / "empty.db"
            path.write_bytes(b"")
            store = f"sqlite:{path}"
        for args in (["status"], ["status", "--json"], ["baseline", "--profiles", FLEET],
                     ["plan", "--profiles", FLEET, "--profile", "2026.03"]):
            with self.subTest(command=args):
                self.assert_one_error_line(lucompat("fleet", *args, "--store", store))
                if self.pg:
                    self.assertEqual(self.query(store, "SELECT COUNT(*) FROM information_schema.tables "
                                                       "WHERE table_schema = 'public'"), [("0",)])
                else:
                    self.assertEqual(path.read_bytes(), b"")

    def small_fleet(self):
        """Hand-checked: 3 hosts old→new, 2 new with nothing staged, 1 new→break
        in rack r9, 1 whose running kernel has no table, 1 with an unknown string."""
        docs = [self.host(self.old_to_new, f"old-{i}", {"rack": "r1"}) for i in range(3)]
        docs += [self.host(self.new_only, f"new-{i}", {"rack": "r2"}) for i in range(2)]
        docs += [self.host(self.new_to_break, "break-0", {"rack": "r9"})]
        docs += [self.host(self.notable, "notable-0", {"rack": "r9"})]
        docs += [self.host(self.unknown, "unknown-0", {"rack": "r2"})]
        store = self.store("small.db")
        self.assertEqual(lucompat("fleet", "ingest", "--store", store, self.write_lines("small.jsonl", docs)).rc, OK)
        return store

    def baseline(self, store, *args, rc):
        r = lucompat("fleet", "baseline", "--json", "--store", store, "--profiles", FLEET, *args)
        if rc is not None:
            self.assertEqual(r.rc, rc, r)
        return r.json()

    def test_baseline_over_a_small_fleet(self):
        store = self.small_fleet()
        doc = self.baseline(store, rc=INCOMPATIBLE)  # break-0 and notable-0 block everything
        self.assertIsNone(doc["baseline"])
        self.assertEqual(doc["hosts"], 8)
        p = {x["name"]: x for x in doc["profiles"]}
        self.assertEqual(p["2026.03"]["blocking_hosts"], 2)
        reasons = [r for b in p["2026.03"]["blockers"] for r in b["reasons"]]
        self.assertIn("the running kernel has no live-update version table", reasons)
        self.assertIn("luo-v1: the next kernel does not understand it", reasons)
        # Without rack r9, 2026.03 carries everyone; 2026.06 is blocked by the old hosts.
        doc = self.baseline(store, "--where", "rack=r1", rc=OK)
        self.assertEqual(doc["baseline"], "2026.03")
        self.assertEqual({x["name"]: x["blocking_hosts"] for x in doc["profiles"]}["2026.06"], 3)
        doc = self.baseline(store, "--where", "rack=r2", rc=OK)
        self.assertEqual(doc["baseline"], "2026.06")  # nothing staged: the running kernel must carry it
        self.assertEqual(doc["hosts"], 3)
        self.baseline(store, "--where", "rack=nowhere", rc=UNDECIDABLE)
        text = lucompat("fleet", "baseline", "--store", store, "--profiles", FLEET, "--where", "rack=r1").out
        self.assertIn("2026.06 (active): blocked by 3 hosts", text)
        self.assertIn("(e.g. old-0)", text)

    def test_plan_over_a_small_fleet(self):
        store = self.small_fleet()
        r = lucompat("fleet", "plan", "--json", "--store", store, "--profiles", FLEET, "--profile", "2026.03",
                     "--waves", "2", "--by", "rack")
        self.assertEqual(r.rc, INCOMPATIBLE, r)  # two hosts are blocked
        doc = r.json()
        self.assertEqual((doc["ready"], doc["blocked"]), (6, 2))
        self.assertEqual(sorted(h for g in doc["blocked_builds"] for h in g["hosts"]), ["break-0", "notable-0"])
        waves = [sorted(h for g in w["groups"] for h in g["hosts"]) for w in doc["waves"]]
        # Whole groups, largest first into the lightest wave: the three old
        # hosts of rack r1, then rack r2's two builds together.
        self.assertEqual(waves, [["old-0", "old-1", "old-2"], ["new-0", "new-1", "unknown-0"]])
        self.assertEqual([g["label"] for g in doc["waves"][0]["groups"]], ["r1"])
        r = lucompat("fleet", "plan", "--store", store, "--profiles", FLEET, "--profile", "2026.03", "--where", "rack=r1")
        self.assertEqual(r.rc, OK, r)
        self.assertIn("plan for profile 2026.03: 3 hosts ready, 0 blocked", r.out)
        text = lucompat("fleet", "plan", "--store", store, "--profiles", FLEET, "--profile", "2026.03").out
        self.assertLess(text.index("blocked:"), text.index("wave 1"))  # blocked builds first
        self.assertEqual(lucompat("fleet", "plan", "--store", store, "--profiles", FLEET, "--profile", "nope").rc, 2)

    def test_plan_by_label_never_splits_a_value_across_waves(self):
        store = self.small_fleet()
        # Rack r2 holds two build groups; three waves must still keep it whole.
        r = lucompat("fleet", "plan", "--json", "--store", store, "--profiles", FLEET, "--profile", "2026.03",
                     "--waves", "3", "--by", "rack")
        doc = r.json()
        racks = [{g["label"] for g in w["groups"]} for w in doc["waves"]]
        for value in ("r1", "r2"):
            self.assertEqual(sum(value in w for w in racks), 1, racks)
        text = lucompat("fleet", "plan", "--store", store, "--profiles", FLEET, "--profile", "2026.03",
                        "--by", "rack").out
        self.assertIn(", rack=r1: 3", text)
        r = lucompat("fleet", "plan", "--store", store, "--profiles", FLEET, "--profile", "2026.03", "--by", "row")
        self.assertEqual(r.rc, 2, r)
        self.assertIn("no host has the label row", r.err)
        r = lucompat("fleet", "plan", "--store", store, "--profiles", FLEET, "--profile", "2024.06")
        self.assertIn("warning: profile 2024.06 is retired", r.err)

    def test_queries_hold_builds_not_hosts(self):
        # Peak RSS at 2,000 hosts and at 60,000: status and plan once held
        # every host (630 MiB for status at a million), now they stream them.
        # A JSON plan lists every host by name, so it holds the names: not
        # measured here; docs/performance.md has its numbers.
        if SANITIZED:
            self.skipTest("under the sanitizers RSS is ASan's")
        queries = [["status"], ["status", "--json"], ["baseline", "--profiles", FLEET],
                   ["plan", "--profiles", FLEET, "--profile", "2026.03", "--by", "rack", "--waves", "4"]]
        kinds = [self.old_to_new, self.new_only, self.new_to_break, self.notable]
        rss = {}
        for n in (2000, 60000):
            store = self.store(f"scale{n}.db")
            path = self.write_lines(f"scale{n}.jsonl", [self.host(kinds[i % 4], f"hv-{i:06d}", {"rack": f"r{i % 50}"})
                                                        for i in range(n)])
            self.assertEqual(lucompat("fleet", "ingest", "--batch", "20000", "--store", store, path).rc, OK)
            for q in queries:
                p = subprocess.run([sys.executable, "-c", PEAK_RSS, LUCOMPAT, "fleet", *q, "--store", store],
                                   capture_output=True, text=True)
                rc, peak = map(int, p.stdout.split())
                self.assertIn(rc, (OK, INCOMPATIBLE), p.stderr)
                rss[n, q[0], len(q)] = peak << 10
        for q in queries:
            grown = rss[60000, q[0], len(q)] - rss[2000, q[0], len(q)]
            self.assertLess(grown, 8 << 20, f"{' '.join(map(str, q))} grew {grown >> 20} MiB with 58,000 more hosts")

    def test_status(self):
        store = self.small_fleet()
        # Every report says 2026-11-27T00:00:00Z: over a minute old by now.
        doc = lucompat("fleet", "status", "--json", "--store", store, "--stale", "1m").json()
        self.assertEqual(doc["hosts"], 8)
        self.assertEqual(sum(b["hosts"] for b in doc["builds"]), 8)
        self.assertEqual(len(doc["stale"]), 8)
        doc = lucompat("fleet", "status", "--json", "--store", store, "--stale", "100000d").json()
        self.assertEqual(doc["stale"], [])
        self.assertEqual(lucompat("fleet", "status", "--store", store, "--stale", "soon").rc, 2)


if __name__ == "__main__":
    main()
