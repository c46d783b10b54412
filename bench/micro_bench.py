#!/usr/bin/env python3
"""Runs the Google Benchmark microbenchmarks (bench/micro) and writes their
medians into docs/performance.md: the table decoder, the marker scan beside
memchr over the same buffer (a kernel that fits in the last-level cache, the
corpus vmlinux, and one that does not, Debian's decompressed vmlinux), and
the policy computations.

Usage: bench/micro_bench.py [--binary PATH] [--corpus DIR]
"""

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, machine, write_block


def run(binary, image, pattern):
    env = dict(os.environ, LUCOMPAT_BENCH_IMAGE=str(image)) if image else dict(os.environ)
    out = subprocess.run([binary, f"--benchmark_filter={pattern}", "--benchmark_format=json",
                          "--benchmark_repetitions=7", "--benchmark_report_aggregates_only=true"],
                         env=env, capture_output=True, text=True, check=True).stdout
    return {b["run_name"]: b for b in json.loads(out)["benchmarks"] if b["aggregate_name"] == "median"}


def fmt_time(b):
    return f"{b['real_time']:.3g} {b['time_unit']}"


def fmt_rate(b):
    return f"{b['bytes_per_second'] / 1e9:.1f} GB/s" if "bytes_per_second" in b else "–"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=str(ROOT / "build" / "bench" / "micro" / "lucompat_micro_bench"))
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    args = ap.parse_args()
    corpus = Path(args.corpus)
    lines = ["| benchmark | buffer | median time | throughput | ÷ memchr |",
             "| --- | --- | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as tmp:
        buffers = []
        small = corpus / "x86_64-vmlinux-zstd-T_NEW"
        if small.is_file():
            buffers.append(("corpus vmlinux, 12 MB (fits in cache)", small))
        debian = corpus / "debian" / "vmlinuz-6.1.0-56-amd64"
        if debian.is_file():
            data = debian.read_bytes()
            big = Path(tmp) / "vmlinux"
            subprocess.run(["xz", "-dc", "--single-stream"], input=data[data.index(b"\xfd7zXZ\x00"):],
                           stdout=big.open("wb"), check=True)
            buffers.append(("Debian vmlinux, 66 MB (does not)", big))
        if not buffers:
            buffers.append(("synthetic, 32 MB", None))
        for label, image in buffers:
            r = run(args.binary, image, "marker_scan|memchr_rarest")
            scan, mem = r["marker_scan"], r["memchr_rarest"]
            ratio = scan["bytes_per_second"] / mem["bytes_per_second"]
            lines.append(f"| marker scan | {label} | {fmt_time(scan)} | {fmt_rate(scan)} | {ratio:.0%} |")
            lines.append(f"| memchr, rarest byte | {label} | {fmt_time(mem)} | {fmt_rate(mem)} | 100% |")
        r = run(args.binary, None, "decode_table|check_update|select_profile")
        for name, label in [("decode_table/7", "table decoder, 7 entries"),
                            ("decode_table/4096", "table decoder, 4096 entries"),
                            ("check_update", "check: T_NEW → T_BREAK, shipped catalog"),
                            ("select_profile", "profile selection, examples/profiles/fleet.toml")]:
            lines.append(f"| {label} | – | {fmt_time(r[name])} | {fmt_rate(r[name])} | – |")
    header = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; median of 7 repetitions; "
              "`bench/micro_bench.py` wrote this table.", ""]
    write_block("micro", header + lines)


if __name__ == "__main__":
    main()
