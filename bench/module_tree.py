#!/usr/bin/env python3
"""A real module tree: the 4,000-odd modules of Debian's amd64 kernel package
(the release of the corpus's Debian vmlinuz), as shipped (.ko) and compressed
by this script to .ko.xz and .ko.zst copies the way the kernel's
modules_install does (`xz --check=crc32 --lzma2=dict=1MiB`, `zstd -T0`).
Each tree is read by `lucompat inspect -j2` and by the standard pipeline
(bench/standard-pipeline.sh) run once per module with `xargs -P2`, both cores
busy in both; the package itself is read by `lucompat inspect` too. Beside
them, the bound for any reader: decompressing every module once, on one core,
halved for two.

The package and the trees are kept in build/bench-cache (about 700 MB).
Writes a table into docs/performance.md.
Usage: bench/module_tree.py [--lucompat PATH] [--package DEB] [--runs N]
"""

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

from benchlib import ROOT, machine, measure_interleaved, mib, run_once, write_block

PIPELINE = str(ROOT / "bench" / "standard-pipeline.sh")
COMPRESS = {"xz": ["xz", "-q", "--check=crc32", "--lzma2=dict=1MiB"], "zst": ["zstd", "-q", "--rm"]}
DECOMPRESS = {"ko": ["cat"], "xz": ["xz", "-dc"], "zst": ["zstd", "-dcq"]}


def debian_release(corpus):
    with open(corpus / "MANIFEST.tsv", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["file"].startswith("debian/vmlinuz-") and row["arch"] == "x86_64":
                return row["kernelrelease"]
    sys.exit("the corpus manifest lists no Debian amd64 vmlinuz")


def fetch_package(cache, release):
    found = sorted(cache.glob(f"linux-image-{release}_*_amd64.deb"))
    if found:
        return found[0]
    print(f"downloading linux-image-{release} with apt-get download", flush=True)
    subprocess.run(["apt-get", "download", f"linux-image-{release}"], cwd=cache, check=True)
    return sorted(cache.glob(f"linux-image-{release}_*_amd64.deb"))[0]


def prepare_trees(cache, deb, release):
    """{'ko': dir, 'xz': dir, 'zst': dir}, built once and reused."""
    trees = {}
    plain = cache / "tree-ko"
    if not (plain / ".done").exists():
        subprocess.run(["rm", "-rf", str(plain)], check=True)
        plain.mkdir()
        subprocess.run(["dpkg-deb", "-x", str(deb), str(plain)], check=True)
        (plain / ".done").touch()
    trees["ko"] = plain / "lib" / "modules" / release
    for kind, cmd in COMPRESS.items():
        tree = cache / f"tree-{kind}"
        if not (tree / ".done").exists():
            print(f"making the .ko.{kind} copy (once)", flush=True)
            subprocess.run(["rm", "-rf", str(tree)], check=True)
            subprocess.run(["cp", "-a", str(trees["ko"]), str(tree)], check=True)
            subprocess.run(f"find {tree} -name '*.ko' -print0 | xargs -0 -P2 -n64 "
                           + " ".join(cmd), shell=True, check=True)
            (tree / ".done").touch()
        trees[kind] = tree
    return trees


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--lucompat", default=str(ROOT / "build" / "lucompat"))
    ap.add_argument("--package", help="the linux-image .deb (default: fetched with apt-get download)")
    ap.add_argument("--cache", default=str(ROOT / "build" / "bench-cache"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    release = debian_release(Path(args.corpus))
    deb = Path(args.package) if args.package else fetch_package(cache, release)
    trees = prepare_trees(cache, deb, release)

    lines = ["| input | modules | lucompat inspect -j2 | per-module pipeline, xargs -P2 | speed-up "
             "| decompression alone ÷ 2 cores | lucompat peak RSS |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    counts = {}
    for kind, tree in trees.items():
        files = sorted(str(p) for p in tree.rglob(f"*.ko{'' if kind == 'ko' else '.' + kind}"))
        counts[kind] = len(files)
        listing = cache / f"list-{kind}"
        listing.write_text("\0".join(files) + "\0")
        pipeline = ["sh", "-c", f"xargs -0 -P2 -n1 {PIPELINE} >/dev/null < {listing}"]
        bound = ["sh", "-c", f"xargs -0 cat < {listing} | {' '.join(DECOMPRESS[kind])} >/dev/null"]
        m = measure_interleaved({
            "lucompat": ([args.lucompat, "inspect", "-j2", str(tree)], None),
            "pipeline": (pipeline, None),
            "bound": (bound, None),
        }, args.runs)
        t, p, b = m["lucompat"][0], m["pipeline"][0], m["bound"][0] / 2
        lines.append(f"| tree of .ko{'' if kind == 'ko' else '.' + kind} | {len(files)} | {t:.2f} s "
                     f"| {p:.2f} s | {p / t:.1f}× | {b:.2f} s | {mib(m['lucompat'][1])} |")
        print(lines[-1], flush=True)
    m = measure_interleaved({"deb": ([args.lucompat, "inspect", "-j2", str(deb)], None)}, args.runs)
    lines.append(f"| {deb.name} (vmlinuz and every module, read in place) | {counts['ko']} | "
                 f"{m['deb'][0]:.2f} s | – | – | – | {mib(m['deb'][1])} |")
    print(lines[-1])
    header = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; median of {args.runs} "
              "interleaved runs; `bench/module_tree.py` wrote this table.", ""]
    write_block("module_tree", header + lines)


if __name__ == "__main__":
    main()
