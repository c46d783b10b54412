"""What the benchmark scripts share: timing a command with its peak RSS,
interleaved runs with medians, the machine's description, and writing a
block between markers in docs/performance.md."""

import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"


def _timed(cmd, stdin_path=None, env=None):
    """Wall seconds, peak RSS (KiB, the largest process of the command's
    tree), CPU seconds (user + system) and exit status of one run."""
    with open(stdin_path or os.devnull, "rb") as stdin, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%x %M %U %S", *cmd], stdin=stdin,
                           stdout=subprocess.DEVNULL, stderr=err, env=env)
        wall = time.perf_counter() - start
        err.seek(0)
        last = err.read().decode(errors="replace").strip().splitlines()[-1].split()
        rc = int(last[0]) if p.returncode == 0 else p.returncode
        return wall, int(last[1]), float(last[2]) + float(last[3]), rc


def inspect_json(lucompat, path, *flags):
    """The one document `lucompat inspect --json` prints for one input (it
    prints an array of documents, one per input)."""
    out = subprocess.run([str(lucompat), "inspect", "--json", *flags, str(path)],
                         capture_output=True, text=True).stdout
    docs = json.loads(out)
    if not isinstance(docs, list) or len(docs) != 1:
        raise ValueError(f"{path}: inspect --json printed {type(docs).__name__}, not one document")
    return docs[0]


def run_once(cmd, stdin_path=None, env=None):
    """Wall seconds and peak RSS (KiB) of one run; the command's exit status
    is returned too."""
    wall, rss, _, rc = _timed(cmd, stdin_path, env)
    return wall, rss, rc


def run_timed(cmd, stdin_path=None):
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run: on a shared
    machine, CPU time drifts less than wall time."""
    wall, rss, cpu, _ = _timed(cmd, stdin_path)
    return wall, cpu, rss


def measure_interleaved(commands, runs):
    """{name: (median wall, median RSS)} for commands given as
    {name: (cmd, stdin_path)}, run round-robin so that drift on a shared
    machine hits every command alike."""
    samples = {name: ([], []) for name in commands}
    for _ in range(runs):
        for name, (cmd, stdin_path) in commands.items():
            wall, rss, _ = run_once(cmd, stdin_path)
            samples[name][0].append(wall)
            samples[name][1].append(rss)
    return {n: (statistics.median(w), statistics.median(r)) for n, (w, r) in samples.items()}


def machine():
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{platform.machine()}, {os.cpu_count()} cores, {cpu}, Linux {platform.release()}"


def write_block(name, lines, doc=DOC):
    """Replaces what lies between <!-- BEGIN name --> and <!-- END name -->."""
    text = doc.read_text()
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    doc.write_text(f"{head}{begin}\n" + "\n".join(lines) + f"\n{end}{tail}")
    print(f"wrote the {name} table of {doc}")


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"
