"""Train and evaluate the VIS-trend models on the marts; print the run directory.

    python pipelines/train.py                      # MAE -> teacher -> student (+ teacher reference rows)
    python pipelines/train.py --ablations          # + no_kd, no_mt, no_mae, lstm, logreg, score_* (make demo)
    python pipelines/train.py --seeds 3 --set student.lr=5e-4 --epochs 5

Reads $VISTREND_DATA_DIR/marts (default <repo>/data/marts), writes $VISTREND_DATA_DIR/runs/<run_id>/
and loads the results into $VISTREND_DATA_DIR/warehouse.duckdb when it exists.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# OpenMP idle threads spin ~0.1 ms (GOMP_SPINCOUNT 10000), then sleep: on 2 idle cores the second
# torch thread then halves a training step (sleeping at once, PASSIVE, made it useless; the default
# long spin made steps 7-10x slower when another process held a core). On a busy machine set
# OMP_WAIT_POLICY=PASSIVE (docs/modeling.md, Speed). Must precede `import torch`.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
sys.path.insert(0, str(REPO))

from models_py.config import load_config  # noqa: E402
from models_py.data import MartError  # noqa: E402
from models_py.run import run_experiment  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    data_dir = Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marts", type=Path, default=data_dir / "marts", help="folder of the Parquet marts")
    parser.add_argument("--out", type=Path, default=data_dir / "runs", help="runs folder (a run_id folder is created)")
    parser.add_argument("--warehouse", type=Path, default=data_dir / "warehouse.duckdb",
                        help="DuckDB file to load the results into (skipped with a warning when absent)")
    parser.add_argument("--ablations", action=argparse.BooleanOptionalAction, default=False,
                        help="also train no_kd, no_mt, no_mae, lstm, logreg and the score-alone models")
    parser.add_argument("--seeds", type=int, default=1, help="repeat with seeds seed..seed+N-1; report mean ± sd")
    parser.add_argument("--config", type=Path, help="JSON or TOML config file (see models_py/config.py)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set student.lr=5e-4 (repeatable)")
    parser.add_argument("--epochs", type=int, help="epochs for every stage (MAE, teacher probe, student): quick runs")
    parser.add_argument("--seed", type=int, help="base seed (same as --set seed=N)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], help="same as --set device=...")
    parser.add_argument("--no-shap", action="store_true", help="skip the SHAP explanation (faster)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    overrides = list(args.overrides)
    if args.epochs is not None:
        overrides += [f"mae.epochs={args.epochs}", f"teacher.epochs={args.epochs}", f"student.epochs={args.epochs}"]
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.device is not None:
        overrides.append(f"device={args.device}")
    if args.seeds < 1:
        print("error: --seeds must be >= 1", file=sys.stderr)
        return 2
    try:
        cfg = load_config(args.config, overrides)
        run_dir = run_experiment(args.marts, args.out, cfg, ablations=args.ablations, n_seeds=args.seeds,
                                 warehouse=args.warehouse, progress=sys.stderr.isatty(),
                                 explain_model=not args.no_shap)
    except (MartError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
