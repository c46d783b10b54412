#!/usr/bin/env python3
"""Fleet scale on both stores: a synthetic fleet of N hosts (default
1,000,000) over 300 kernel builds whose tables come from the corpus manifest
(T_OLD, T_NEW, T_BREAK, T_EMPTY, no table), ingested into SQLite and into a
private PostgreSQL server, then queried. Writes the table into
docs/performance.md between its fleet_scale markers.

Usage: bench/fleet_scale.py [--hosts N] [--lucompat PATH] [--corpus DIR]
"""

import argparse
import csv
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from pg_server import PgServer  # noqa: E402

PROFILES = ROOT / "examples" / "profiles" / "fleet.toml"
BUILDS = 300


def tables(corpus):
    """The distinct tables of the manifest: lists of strings, or None (no table)."""
    out = {}
    with open(corpus / "MANIFEST.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            e = row["entries"]
            out[e] = None if e == "-" else (e.split(",") if e else [])
    return list(out.values())


def write_fleet(path, hosts, corpus):
    ts = tables(corpus)
    builds = []
    for i in range(BUILDS):
        strings = ts[i % len(ts)]
        builds.append({"release": f"6.1.{i}", "banner": f"Linux version 6.1.{i} (bench@fleet) (gcc) #1 SMP",
                       "build_id": hashlib.sha1(f"build-{i}".encode()).hexdigest(), "arch": "x86_64",
                       "has_table": strings is not None, "strings": strings or []})
    with open(path, "w") as f:
        for h in range(hosts):
            running = (h * 7919) % BUILDS
            doc = {"schema": "lucompat.report/1", "host": f"hv-{h:07d}",
                   "labels": {"rack": f"r{h % 1000}", "az": f"az{h % 3}"},
                   "collected_at": "2026-11-27T00:00:00Z", "running": builds[running],
                   "staged": builds[(running + 1) % BUILDS] if h % 2 else None,
                   "profile": "2026.03", "vmm_features": [], "emit": {}}
            f.write(json.dumps(doc, separators=(",", ":")) + "\n")


def timed(cmd, runs=1):
    """Median wall seconds and peak RSS (KiB) of cmd."""
    walls, rss = [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", *map(str, cmd)], stdout=subprocess.DEVNULL, stderr=err)
            walls.append(time.perf_counter() - start)
            err.seek(0)
            lines = err.read().decode().strip().splitlines()
            if r.returncode not in (0, 1):
                raise RuntimeError(f"{cmd} failed: {lines}")
            rss.append(int(lines[-1]))
    return statistics.median(walls), statistics.median(rss)


def measure(lucompat, store, fleet, hosts):
    rows = []
    wall, rss = timed([lucompat, "fleet", "ingest", "--store", store, fleet])
    rows.append(("fleet ingest", wall, rss, f"{hosts / wall:,.0f} reports/s"))
    for name, args in (("fleet baseline", ["baseline", "--profiles", PROFILES]),
                       ("fleet status", ["status"]),
                       ("fleet plan --waves 10 --by rack", ["plan", "--profiles", PROFILES, "--profile", "2026.03",
                                                            "--waves", "10", "--by", "rack"])):
        wall, rss = timed([lucompat, "fleet", *args, "--store", store], runs=3)
        rows.append((name, wall, rss, ""))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=1_000_000)
    ap.add_argument("--lucompat", default=str(ROOT / "build" / "lucompat"))
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--doc", default=str(ROOT / "docs" / "performance.md"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lucompat-fleet-bench-") as tmp:
        fleet = Path(tmp) / "fleet.jsonl"
        start = time.perf_counter()
        write_fleet(fleet, args.hosts, Path(args.corpus))
        print(f"generated {args.hosts} reports ({fleet.stat().st_size >> 20} MiB) in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        results = {"SQLite": measure(args.lucompat, f"sqlite:{tmp}/fleet.db", fleet, args.hosts)}
        print(results, flush=True)
        pg = PgServer().start()
        try:
            results["PostgreSQL"] = measure(args.lucompat, pg.url("fleet_bench"), fleet, args.hosts)
        finally:
            pg.stop()
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores; {args.hosts:,} hosts over "
             f"{BUILDS} kernel builds; `bench/fleet_scale.py --hosts {args.hosts}` wrote this table "
             "(queries: median of 3 runs).", "",
             "| store | command | wall time | peak RSS | throughput |", "| --- | --- | ---: | ---: | ---: |"]
    for store, rows in results.items():
        for name, wall, rss, note in rows:
            lines.append(f"| {store} | `{name}` | {wall:.2f} s | {rss / 1024:.0f} MiB | {note} |")
    print("\n".join(lines))
    doc = Path(args.doc)
    text = doc.read_text()
    begin, end = "<!-- BEGIN fleet_scale -->", "<!-- END fleet_scale -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    doc.write_text(f"{head}{begin}\n" + "\n".join(lines) + f"\n{end}{tail}")


if __name__ == "__main__":
    main()
