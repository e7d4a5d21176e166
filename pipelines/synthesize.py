#!/usr/bin/env python
"""Write a schema-exact synthetic MIMIC-IV source (hosp/*.csv.gz, icu/*.csv.gz); see synthmimic/ and data/README.md."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines import cli  # noqa: E402
from synthmimic.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(cli.run(main, prog="synthesize", expected=(ValueError,)))
