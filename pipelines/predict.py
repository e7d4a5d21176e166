"""Score stays with a saved run: the run's own fitted preprocessing and its student checkpoint.

    python pipelines/predict.py --run data/runs/latest --output preds.csv [--marts DIR] [--model full]

Writes a CSV with columns stay_id, probability (of the positive class of the run's label).
cohort.parquet is optional here (new stays need no labels); vis_hourly, static_features and
severity_scores are required.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Idle OpenMP threads sleep instead of spinning: on a shared 2-core machine spinning threads steal
# the CPU from the working one (measured 7-10x slower training steps). Must precede `import torch`.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(REPO))

from models_py.data import MartError  # noqa: E402
from models_py.run import score_stays  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    data_dir = Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a run directory (e.g. data/runs/latest)")
    parser.add_argument("--output", type=Path, required=True, help="CSV to write (stay_id, probability)")
    parser.add_argument("--marts", type=Path, default=data_dir / "marts", help="folder of the Parquet marts to score")
    parser.add_argument("--model", default="full", help="checkpoint to use (default: the student, full)")
    args = parser.parse_args(argv)

    checkpoint = args.run / "checkpoints" / f"{args.model}.pt"
    for needed in (args.run / "config.json", args.run / "checkpoints" / "preprocess.json", checkpoint):
        if not needed.exists():
            print(f"error: {needed} not found (expected a complete run directory from pipelines/train.py)",
                  file=sys.stderr)
            return 2
    try:
        scores = score_stays(args.run, args.marts, args.model)
    except (MartError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.output.parent, prefix=f".{args.output.name}.")
    os.close(fd)
    scores.write_csv(tmp, float_precision=10)
    os.replace(tmp, args.output)
    print(f"{scores.height} stays scored -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
