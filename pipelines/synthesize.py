"""Write a schema-exact synthetic MIMIC-IV source (hosp/*.csv.gz, icu/*.csv.gz); see synthmimic/ and docs/synthetic.md.

    python pipelines/synthesize.py --out data/raw/synthetic [--stays N]   (or: vistrend-synthesize ...)
"""
from __future__ import annotations

import sys

from pipelines import cli


def main(argv: list[str] | None = None) -> int:
    """Exit code 0, or 2 with one error line on stderr."""
    from synthmimic.cli import main as synthesize

    return cli.run(synthesize, argv, prog="synthesize", expected=(ValueError,))


if __name__ == "__main__":
    sys.exit(main())
