#!/usr/bin/env python
"""Ingest PhysioNet/CinC 2012 challenge files into Parquet for the dbt models (docs/physionet2012.md).

    python pipelines/ingest_physionet2012.py P12_DIR [--sets a,b] [--out DIR]

P12_DIR holds set-X.tar.gz (or extracted set-X/ folders) and Outcomes-X.txt. Output defaults to
$VISTREND_DATA_DIR/raw/physionet2012 (VISTREND_DATA_DIR defaults to data/ in the repository).
"""
import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from physionet2012 import P12FormatError, ingest  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("p12_dir", type=Path, help="folder with set-X.tar.gz / set-X/ and Outcomes-X.txt")
    parser.add_argument("--sets", help="comma-separated set names (default: every set present), e.g. a,b")
    parser.add_argument("--out", type=Path, help="output folder (default: $VISTREND_DATA_DIR/raw/physionet2012)")
    args = parser.parse_args(argv)
    out = args.out or Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data")) / "raw" / "physionet2012"
    sets = [s.strip() for s in args.sets.split(",") if s.strip()] if args.sets else None
    started = time.perf_counter()
    try:
        result = ingest(args.p12_dir, out, sets)
    except (P12FormatError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"ingested sets {','.join(result.sets)}: {result.n_records} records, "
          f"{result.n_observations} observations, {result.n_outcomes} outcomes -> {result.out_dir} "
          f"in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
