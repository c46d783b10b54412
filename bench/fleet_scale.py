#!/usr/bin/env python3
"""Fleet scale on both stores: a synthetic fleet of N hosts (default
1,000,000) over 300 kernel builds whose tables come from the corpus manifest
(T_OLD, T_NEW, T_BREAK, T_EMPTY, no table), ingested into SQLite and into a
private PostgreSQL server, then queried by every fleet command, as text and
as JSON. Every report is dated 2026-11-27, so `status` lists every host as
stale: the largest output it can have. Writes the table into
docs/performance.md between its fleet_scale markers.

With --before PATH, a reference build (another commit's lucompat) is measured
in the same run, interleaved with this one on the same stores, and the table
gives both and their ratio: a shared machine's drift hits both alike.

Usage: bench/fleet_scale.py [--hosts N] [--lucompat PATH] [--before PATH] [--corpus DIR]
"""

import argparse
import csv
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, machine, mib, run_once, write_block

sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from pg_server import PgServer  # noqa: E402

PROFILES = ROOT / "examples" / "profiles" / "fleet.toml"
BUILDS = 300
RUNS = 3
PLAN = ["plan", "--profiles", PROFILES, "--profile", "2026.03", "--waves", "10", "--by", "rack"]
QUERIES = {
    "fleet baseline": ["baseline", "--profiles", PROFILES],
    "fleet baseline --json": ["baseline", "--json", "--profiles", PROFILES],
    "fleet status": ["status"],
    "fleet status --json": ["status", "--json"],
    "fleet plan --waves 10 --by rack": PLAN,
    "fleet plan --waves 10 --by rack --json": [*PLAN, "--json"],
}


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


def run(cmd):
    """Wall seconds and peak RSS (KiB) of one run; a failure stops the bench."""
    wall, rss, rc = run_once([str(c) for c in cmd])
    if rc not in (0, 1):  # plan exits 1 when some hosts are blocked
        raise RuntimeError(f"{cmd} exited {rc}")
    return wall, rss


def measure(builds, store_url, fleet, hosts):
    """{command: {build: (wall, rss)}}. Each build ingests into a store of its
    own; the queries then run round-robin on the last one."""
    rows = {}
    for name, binary in builds.items():
        store = store_url(name)
        rows.setdefault("fleet ingest", {})[name] = run([binary, "fleet", "ingest", "--store", store, fleet])
    samples = {q: {name: [] for name in builds} for q in QUERIES}
    for _ in range(RUNS):
        for q, args in QUERIES.items():
            for name, binary in builds.items():
                samples[q][name].append(run([binary, "fleet", *args, "--store", store]))
    for q, per_build in samples.items():
        rows[q] = {name: (statistics.median(w for w, _ in s), statistics.median(r for _, r in s))
                   for name, s in per_build.items()}
    return rows


def table(results, builds, hosts):
    compare = len(builds) > 1
    head = "| store | command | " + (
        "wall before | wall after | ratio | RSS before | RSS after |" if compare else "wall time | peak RSS |")
    lines = [head + " ingest |", "| --- | --- |" + " ---: |" * (6 if compare else 3)]
    for store, rows in results.items():
        for command, per_build in rows.items():
            cells = []
            if compare:
                (wb, rb), (wa, ra) = per_build["before"], per_build["after"]
                cells = [f"{wb:.2f} s", f"{wa:.2f} s", f"{wa / wb:.2f}", mib(rb), mib(ra)]
            else:
                (wa, ra), = per_build.values()
                cells = [f"{wa:.2f} s", mib(ra)]
            rate = ""
            if command == "fleet ingest":  # before → after
                rate = " → ".join(f"{hosts / w:,.0f}" for w, _ in per_build.values()) + " reports/s"
            lines.append(f"| {store} | `{command}` | " + " | ".join(cells) + f" | {rate} |")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=1_000_000)
    ap.add_argument("--lucompat", default=str(ROOT / "build" / "lucompat"))
    ap.add_argument("--before", help="a reference lucompat to measure alongside")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--doc", default=str(ROOT / "docs" / "performance.md"))
    args = ap.parse_args()
    builds = {"before": args.before} if args.before else {}
    builds["after"] = args.lucompat
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="lucompat-fleet-bench-") as tmp:
        fleet = Path(tmp) / "fleet.jsonl"
        start = time.perf_counter()
        write_fleet(fleet, args.hosts, Path(args.corpus))
        print(f"generated {args.hosts} reports ({fleet.stat().st_size >> 20} MiB) in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        results = {"SQLite": measure(builds, lambda name: f"sqlite:{tmp}/{name}.db", fleet, args.hosts)}
        print(results, flush=True)
        pg = PgServer().start()
        try:
            results["PostgreSQL"] = measure(builds, lambda name: pg.url(f"fleet_{name}"), fleet, args.hosts)
        finally:
            pg.stop()
    load.append(os.getloadavg()[0])
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}, load average {load[0]:.1f} before and "
             f"{load[1]:.1f} after; {args.hosts:,} hosts over {BUILDS} kernel builds; "
             f"`bench/fleet_scale.py --hosts {args.hosts}{' --before OLD' if args.before else ''}` wrote this "
             f"table (queries: median of {RUNS} runs{', interleaved' if args.before else ''}).", "",
             *table(results, builds, args.hosts)]
    print("\n".join(lines))
    write_block("fleet_scale", lines, Path(args.doc))


if __name__ == "__main__":
    main()
