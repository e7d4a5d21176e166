#!/usr/bin/env python
"""Benchmark the synthetic MIMIC-IV generator: wall time, rows/s per big table, peak RSS.

    python bench/bench_synthesize.py [--stays N] [--profile default|realistic] [--format csv.gz|parquet]

Writes into a temporary directory (removed afterwards) and prints one line per figure.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from synthmimic import DEFAULT_STAYS, generate


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stays", type=int, default=DEFAULT_STAYS)
    p.add_argument("--profile", default="default")
    p.add_argument("--format", default="csv.gz")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_synth_"))
    try:
        t0 = time.perf_counter()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        result = generate(tmp / "raw", stays=args.stays, seed=args.seed, profile=args.profile, fmt=args.format)
        wall = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        rows = result["rows"]
        size = sum(f.stat().st_size for f in (tmp / "raw").rglob("*") if f.is_file())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = sum(rows.values())
    print(f"stays={args.stays} profile={args.profile} format={args.format} seed={args.seed}")
    print(f"wall_s={wall:.1f}  peak_rss_mib={peak_mib:.0f}  output_mib={size / 2**20:.0f}")
    print(f"rows_total={total:,}  rows_per_s={total / wall:,.0f}")
    # CPU seconds do not depend on what else the machine runs: rows per CPU-second x 2 is the rate
    # two idle cores would reach if generation and compression overlapped perfectly.
    print(f"cpu_s={cpu:.1f}  rows_per_cpu_s={total / cpu:,.0f}  "
          f"chartevents_per_cpu_s={rows['chartevents'] / cpu:,.0f}  "
          f"load_avg_1min={os.getloadavg()[0]:.1f}")
    for table in ("chartevents", "labevents", "inputevents", "outputevents"):
        print(f"{table}: rows={rows[table]:,}  per_stay={rows[table] / args.stays:,.0f}  "
              f"rows_per_s_of_total_wall={rows[table] / wall:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
