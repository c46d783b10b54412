#!/usr/bin/env python3
"""Real 7.x kernels, measured in one interleaved run: `lucompat inspect`
against the bare decompression of the same payload by the standard tool
(`xz -dc`, `zstd -dc`), which no reader of a compressed kernel can beat.
With --before OLD, a reference lucompat too, on the same images in the
same run. Wall time, CPU time (user + system) and peak RSS of each, medians
of interleaved runs; the ratios are what to read (the machine is shared).

The images are ../shared/corpus/real/ (its MANIFEST.tsv: mainline LUO
kernels whose registrations inspect derives from kallsyms) and any given
with --kernel PATH, such as Debian's 7.3.4 kernels, which are built
without LUO (inspect must show that from their complete kallsyms: exit 4,
"liveupdate": "absent"). Those are not in the corpus, and this machine's
package sources do not carry them, so they are measured when given.

Writes a table into docs/performance.md.
Usage: bench/real_kernels.py [--corpus DIR] [--lucompat PATH] [--before OLD]
                             [--kernel PATH]... [--runs N]
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, inspect_json, machine, mib, ms, run_timed, write_block
from inspect_corpus import DECOMPRESS, payload

INSPECT_LIMIT = 1.15  # issue 22: inspect within 1.15x the bare decompression
RSS_LIMIT = 64 * 1024  # KiB


def measure(commands, runs):
    """{name: (median wall, median CPU, median RSS)} for {name: (cmd, stdin)},
    run round-robin."""
    samples = {name: ([], [], []) for name in commands}
    for _ in range(runs):
        for name, (cmd, stdin_path) in commands.items():
            for into, value in zip(samples[name], run_timed(cmd, stdin_path)):
                into.append(value)
    return {n: tuple(statistics.median(v) for v in s) for n, s in samples.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--lucompat", default=str(ROOT / "build" / "lucompat"))
    ap.add_argument("--before", help="a reference lucompat, measured beside this one")
    ap.add_argument("--kernel", action="append", default=[], help="another image to measure")
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    real = Path(args.corpus) / "real"
    if not (real / "MANIFEST.tsv").is_file():
        sys.exit(f"no corpus at {real}: pass --corpus")
    with open(real / "MANIFEST.tsv", newline="") as f:
        images = [str(real / row["file"]) for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
                  if row["compression"] != "-"]
    images += args.kernel

    before = ["before ÷ bare", "before RSS"] if args.before else []
    head = ["image", "codec", "decompressed", "bare wall", "inspect wall", "inspect ÷ bare (wall)",
            "inspect ÷ bare (CPU)", *before[:1], "bare RSS", "inspect RSS", *before[1:], "liveupdate"]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * 2 + " ---: |" * (len(head) - 3) + " --- |"]
    worst = {"wall": 0.0, "cpu": 0.0, "rss": 0}
    for path in images:
        doc = inspect_json(args.lucompat, path)
        with tempfile.TemporaryDirectory() as tmp:
            stream, codec = payload(doc, path, tmp)
            if stream is None:
                sys.exit(f"{path}: no compressed payload to compare with")
            commands = {"bare": (DECOMPRESS[codec], stream),
                        "inspect": ([args.lucompat, "inspect", path], None)}
            if args.before:
                commands["before"] = ([args.before, "inspect", path], None)
            m = measure(commands, args.runs)
        size = next(l["decompressed_size"] for l in doc["chain"] if l["compression"])
        bare, inspect = m["bare"], m["inspect"]
        wall, cpu = inspect[0] / bare[0], inspect[1] / bare[1]
        worst["wall"], worst["cpu"] = max(worst["wall"], wall), max(worst["cpu"], cpu)
        worst["rss"] = max(worst["rss"], inspect[2])
        old = m.get("before")
        cells = [os.path.basename(os.path.dirname(path)) + "/" + os.path.basename(path)
                 if path in args.kernel else os.path.basename(path), codec, str(size),
                 ms(bare[0]), ms(inspect[0]), f"{wall:.2f}×", f"{cpu:.2f}×",
                 *([f"{old[0] / bare[0]:.2f}×"] if old else []), mib(bare[2]), mib(inspect[2]),
                 *([mib(old[2])] if old else []), doc["liveupdate"]]
        rows.append("| " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)

    given = "".join(f" --kernel {k}" for k in args.kernel)
    header = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}, load average "
              f"{os.getloadavg()[0]:.1f}; median of {args.runs} interleaved runs each; "
              f"`bench/real_kernels.py{' --before OLD' if args.before else ''}{given}` wrote this "
              f"table. Worst inspect ÷ bare decompression: {worst['wall']:.2f}× wall, "
              f"{worst['cpu']:.2f}× CPU (target {INSPECT_LIMIT}×); worst peak RSS of inspect: "
              f"{mib(worst['rss'])} (target {mib(RSS_LIMIT)}).", ""]
    write_block("real_kernels", header + rows)


if __name__ == "__main__":
    main()
