#!/usr/bin/env python3
"""Wall time and peak RSS of `lucompat inspect` on every corpus image, next to
the bare decompression of the same payload by the standard tool (the lower
bound: inspect cannot be faster than decompressing, unless it stops early).

Writes the table into docs/performance.md between its BEGIN/END markers.
Usage: bench/inspect_corpus.py [--corpus DIR] [--lucompat PATH] [--runs N]
"""

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DECOMPRESS = {
    "gzip": ["gzip", "-dc"], "xz": ["xz", "-dc"], "lzma": ["lzma", "-dc"],
    "bzip2": ["bzip2", "-dc"], "lzo": ["lzop", "-dc"], "lz4": ["lz4", "-dc"],
    "zstd": ["zstd", "-dcq"],
}


def measure(cmd, stdin_path, runs):
    """Median wall seconds and median peak RSS (KiB) of `cmd` over `runs`."""
    walls, rss = [], []
    for _ in range(runs):
        with open(stdin_path or os.devnull, "rb") as stdin, tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], stdin=stdin,
                           stdout=subprocess.DEVNULL, stderr=err)
            walls.append(time.perf_counter() - start)
            err.seek(0)
            rss.append(int(err.read().decode().strip().splitlines()[-1]))
    return statistics.median(walls), statistics.median(rss)


def payload(doc, path, tmp):
    """The first compressed stream of the input, extracted to a file, and its
    codec; None when the input is not compressed."""
    base = 0
    for layer in doc["chain"]:
        if layer["compression"]:
            out = Path(tmp) / "payload"
            with open(path, "rb") as f:
                f.seek(base)
                out.write_bytes(f.read(layer["size"]))
            return out, layer["compression"]
        base += layer["offset"]
    return None, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--lucompat", default=str(ROOT / "build" / "lucompat"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--doc", default=str(ROOT / "docs" / "performance.md"))
    args = ap.parse_args()
    corpus = Path(args.corpus)
    with open(corpus / "MANIFEST.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

    lines = ["| image | chain | decompressed | inspect: time | inspect: peak RSS "
             "| bare decompression: time | bare: peak RSS | time ratio |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    worst_rss = 0
    for row in rows:
        path = corpus / row["file"]
        doc = json.loads(subprocess.run([args.lucompat, "inspect", "--json", str(path)],
                                        capture_output=True, text=True).stdout)
        chain = " ▸ ".join([l["format"] for l in doc["chain"]] + [doc["format"]])
        size = next((l["decompressed_size"] for l in doc["chain"] if l["compression"]), None)
        t, rss = measure([args.lucompat, "inspect", str(path)], None, args.runs)
        worst_rss = max(worst_rss, rss)
        with tempfile.TemporaryDirectory() as tmp:
            stream, codec = payload(doc, path, tmp)
            if stream is not None:
                bt, brss = measure(DECOMPRESS[codec], stream, args.runs)
                bare = f"{bt * 1000:.1f} ms | {brss / 1024:.1f} MiB | {t / bt:.2f}×"
            else:
                bare = "– | – | –"
        lines.append(f"| {row['file']} | {chain} | {size or '–'} | {t * 1000:.1f} ms "
                     f"| {rss / 1024:.1f} MiB | {bare} |")
        print(lines[-1], flush=True)

    machine = (f"{platform.machine()}, {os.cpu_count()} cores, "
               f"{open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}")
    block = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}; median of {args.runs} runs each;",
        "`bench/inspect_corpus.py` wrote this table. Worst peak RSS of inspect: "
        f"{worst_rss / 1024:.1f} MiB.", "", *lines])
    doc_path = Path(args.doc)
    text = doc_path.read_text()
    begin, end = "<!-- BEGIN inspect_corpus -->", "<!-- END inspect_corpus -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    doc_path.write_text(f"{head}{begin}\n{block}\n{end}{tail}")
    print(f"wrote {doc_path}")


if __name__ == "__main__":
    main()
