"""Run ``deskbot`` in this process and print its peak resident memory at exit, to stderr, as
``peak-rss-mb N``.

Why not ``os.wait4``'s ``ru_maxrss``: Linux carries a forked child's high-water mark across
``exec``, so a child of a large parent (the benchmark, holding generated rows) reports the
parent's size. ``VmHWM`` in ``/proc/self/status`` belongs to the process image after ``exec``.

    python benchmarks/peak_memory.py export tickets --output tickets.csv
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path


def _report() -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(f"peak-rss-mb {int(line.split()[1]) / 1024:.1f}", file=sys.stderr)


if __name__ == "__main__":
    atexit.register(_report)
    from bot.cli import main

    sys.argv[0] = "deskbot"
    main()
