#!/usr/bin/env python3
"""Every corpus image, measured four ways in one interleaved run: `lucompat
inspect`, `lucompat inspect --early-exit`, the bare decompression of the same
payload by the standard tool (`xz -dc`, `zstd -dc`, ...: the limit for a full
read), and the standard-tool pipeline lucompat replaces
(bench/standard-pipeline.sh: find the payload, decompress to a temporary
file, readelf -x; grep for a raw image). Wall time and peak RSS of each.
Where early exit stops, also the standard tool decompressing only the
compressed bytes early exit read (the stream cut there): the bound for any
reader that must decompress that far.

Writes two tables into docs/performance.md.
Usage: bench/inspect_corpus.py [--corpus DIR] [--lucompat PATH] [--runs N]
"""

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, inspect_json, machine, measure_interleaved, mib, ms, run_once, write_block

DECOMPRESS = {
    "gzip": ["gzip", "-dc"], "xz": ["xz", "-dc", "--single-stream"], "lzma": ["lzma", "-dc"],
    "bzip2": ["bzip2", "-dc"], "lzo": ["lzop", "-dc"], "lz4": ["lz4", "-dc"],
    "zstd": ["zstd", "-dcq"],
}
PIPELINE = str(ROOT / "bench" / "standard-pipeline.sh")


def payload(doc, path, tmp):
    """The first compressed stream of the input, extracted to a file, and its
    codec; (None, None) when the input is not compressed."""
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


def compressed_read(path, lucompat):
    """How many compressed bytes --early-exit read, or None when it read all."""
    doc = inspect_json(lucompat, path, "--early-exit")
    for layer in doc["chain"]:
        if "early_exit" in layer["details"]:
            return layer["size"]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--lucompat", default=str(ROOT / "build" / "lucompat"))
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "MANIFEST.tsv").is_file():
        sys.exit(f"no corpus at {corpus}: pass --corpus")
    with open(corpus / "MANIFEST.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))

    times = ["| image | decompressed | inspect | inspect --early-exit | bare decompression "
             "| standard pipeline | inspect ÷ bare | early exit ÷ bare | its prefix ÷ bare "
             "| pipeline ÷ inspect |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    memory = ["| image | inspect | inspect --early-exit | bare decompression | standard pipeline |",
              "| --- | ---: | ---: | ---: | ---: |"]
    worst = {"rss": 0, "full": 0.0}
    for row in rows:
        path = str(corpus / row["file"])
        doc = inspect_json(args.lucompat, path)
        # The baseline must do the same job: find the table exactly when lucompat does.
        _, _, rc = run_once([PIPELINE, path])
        if (rc == 0) != (row["entries"] != "-"):
            sys.exit(f"{row['file']}: the standard pipeline disagrees with the manifest (exit {rc})")
        with tempfile.TemporaryDirectory() as tmp:
            stream, codec = payload(doc, path, tmp)
            commands = {
                "inspect": ([args.lucompat, "inspect", path], None),
                "early": ([args.lucompat, "inspect", "--early-exit", path], None),
                "pipeline": ([PIPELINE, path], None),
            }
            if stream is not None:
                commands["bare"] = (DECOMPRESS[codec], stream)
                read = compressed_read(path, args.lucompat)
                if read is not None:
                    cut = Path(tmp) / "prefix"
                    cut.write_bytes(stream.read_bytes()[:read])
                    commands["prefix"] = (DECOMPRESS[codec], cut)
            m = measure_interleaved(commands, args.runs)
        size = next((l["decompressed_size"] for l in doc["chain"] if l["compression"]), None)
        full, early, pipe = m["inspect"][0], m["early"][0], m["pipeline"][0]
        bare = m.get("bare", (None, None))
        prefix = m.get("prefix", (None, None))[0]
        worst["rss"] = max(worst["rss"], m["inspect"][1], m["early"][1])
        if bare[0]:
            worst["full"] = max(worst["full"], full / bare[0])
        times.append(
            f"| {row['file']} | {size or '–'} | {ms(full)} | {ms(early)} | "
            f"{ms(bare[0]) if bare[0] else '–'} | {ms(pipe)} | "
            f"{f'{full / bare[0]:.2f}×' if bare[0] else '–'} | "
            f"{f'{early / bare[0]:.2f}×' if bare[0] else '–'} | "
            f"{f'{prefix / bare[0]:.2f}×' if prefix else '–'} | {pipe / full:.1f}× |")
        memory.append(f"| {row['file']} | {mib(m['inspect'][1])} | {mib(m['early'][1])} | "
                      f"{mib(bare[1]) if bare[1] else '–'} | {mib(m['pipeline'][1])} |")
        print(times[-1], flush=True)

    header = [f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; median of {args.runs} "
              "interleaved runs each; `bench/inspect_corpus.py` wrote these tables. "
              f"Worst inspect ÷ bare decompression: {worst['full']:.2f}×; worst peak RSS of "
              f"inspect: {mib(worst['rss'])}.", ""]
    write_block("inspect_corpus", header + times + ["", "Peak RSS (for the pipeline: its largest "
                                                    "process):", ""] + memory)


if __name__ == "__main__":
    main()
