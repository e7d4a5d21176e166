#!/usr/bin/env python
"""Ingest PhysioNet/CinC 2012 challenge files into Parquet for the dbt models (docs/physionet2012.md).

    python pipelines/ingest_physionet2012.py P12_DIR [--sets a,b] [--out DIR] [--strict]

P12_DIR holds set-X.tar.gz (or extracted set-X/ folders) and Outcomes-X.txt. Output defaults to
$VISTREND_DATA_DIR/raw/physionet2012 (VISTREND_DATA_DIR defaults to data/ in the repository).
Lines and files that cannot be read are skipped and counted per rule (on stderr and in the
data_quality mart); --strict stops at the first one instead.
"""
import os
import sys
import time
from pathlib import Path

from physionet2012 import P12FormatError, ingest
from pipelines import cli

REPO = Path(__file__).resolve().parents[1]

PROG = "ingest_physionet2012"


def main(argv: list[str] | None = None) -> int:
    """Exit code 0, or 2 with one error line on stderr."""
    return cli.run(_main, argv, prog=PROG, expected=(ValueError, P12FormatError))


def _main(argv: list[str] | None) -> int:
    parser = cli.OneLineParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("p12_dir", type=Path, help="folder with set-X.tar.gz / set-X/ and Outcomes-X.txt")
    parser.add_argument("--sets", help="comma-separated set names (default: every set present), e.g. a,b")
    parser.add_argument("--out", type=Path, help="output folder (default: $VISTREND_DATA_DIR/raw/physionet2012)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first line or file that cannot be read (default: skip and count it)")
    args = parser.parse_args(argv)
    out = args.out or Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data")) / "raw" / "physionet2012"
    sets = [s.strip() for s in args.sets.split(",") if s.strip()] if args.sets else None
    started = time.perf_counter()
    result = ingest(args.p12_dir, out, sets, strict=args.strict)
    if result.skipped:
        print(f"{PROG}: {result.skipped_summary()} (counted in the data_quality mart)", file=sys.stderr)
    print(f"ingested sets {','.join(result.sets)}: {result.n_records} records, "
          f"{result.n_observations} observations, {result.n_outcomes} outcomes -> {result.out_dir} "
          f"in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
