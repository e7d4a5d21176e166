"""Command line: python pipelines/synthesize.py [--out DIR] [--stays N] [--seed S] [--profile P] [--format F]."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .generate import DEFAULT_SEED, DEFAULT_STAYS, generate
from .profiles import PROFILES
from .writer import FORMATS

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "data" / "raw" / "synthetic"


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"synthesize: error: {message}\n")


def parse_args(argv=None) -> argparse.Namespace:
    p = OneLineParser(prog="synthesize", description="Write a schema-exact synthetic MIMIC-IV source (hosp/, icu/).")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: data/raw/synthetic)")
    p.add_argument("--stays", type=int, default=DEFAULT_STAYS, help=f"number of ICU stays (default {DEFAULT_STAYS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--profile", default="default", help=f"one of: {', '.join(PROFILES)}")
    p.add_argument("--format", default="csv.gz", help=f"one of: {', '.join(FORMATS)}")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    shown = []

    def progress(done, total):
        if not args.quiet:
            print(f"\rsynthesize: {done}/{total} stays", end="", file=sys.stderr, flush=True)
            shown.append(done)

    try:
        result = generate(args.out, stays=args.stays, seed=args.seed, profile=args.profile,
                          fmt=args.format, progress=progress)
    except (ValueError, OSError) as e:
        if shown:
            print(file=sys.stderr)   # end the progress line
        print(f"synthesize: error: {e}", file=sys.stderr)
        return 2
    if not args.quiet:
        rows = result["rows"]
        print(f"\rsynthesize: wrote {args.out} ({args.stays} stays, {rows['chartevents']:,} chartevents, "
              f"{rows['labevents']:,} labevents, {rows['inputevents']:,} inputevents) in {result['seconds']:.1f} s",
              file=sys.stderr)
    return 0
