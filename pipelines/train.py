"""Train and evaluate the VIS-trend models on the marts; print the run directory.

    python pipelines/train.py                      # MAE -> teacher -> student (+ teacher reference rows)
    python pipelines/train.py --ablations          # + no_kd, no_mt, no_mae, lstm, logreg, score_* (make demo)
    python pipelines/train.py --seeds 3 --set student.lr=5e-4 --epochs 5

Reads $VISTREND_DATA_DIR/marts (default <repo>/data/marts), writes $VISTREND_DATA_DIR/runs/<run_id>/
and loads the results into $VISTREND_DATA_DIR/warehouse.duckdb when it exists (a warehouse locked by
another process stops it before training). Every failure is one error line, exit code 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines import cli  # noqa: E402

cli.prefer_short_openmp_spin()  # before torch is imported

from models_py.config import load_config  # noqa: E402
from models_py.run import run_experiment  # noqa: E402

PROG = "train"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    data_dir = Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data"))
    parser = cli.OneLineParser(prog=PROG, description=__doc__.splitlines()[0])
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


def check_warehouse_writable(path: Path) -> None:
    """Fail before training when the warehouse exists but another process holds its lock."""
    if path.is_file():
        import duckdb

        duckdb.connect(str(path)).close()


def main(argv: list[str] | None = None) -> int:
    """Exit code 0, or 2 with one error line on stderr."""
    return cli.run(_main, argv, prog=PROG, expected=(ValueError,))


def _main(argv: list[str] | None) -> int:
    args = parse_args(argv)
    overrides = list(args.overrides)
    if args.epochs is not None:
        overrides += [f"mae.epochs={args.epochs}", f"teacher.epochs={args.epochs}", f"student.epochs={args.epochs}"]
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.device is not None:
        overrides.append(f"device={args.device}")
    if args.seeds < 1:
        raise ValueError(f"--seeds must be >= 1, got {args.seeds}")
    cfg = load_config(args.config, overrides)
    check_warehouse_writable(args.warehouse)
    run_dir = run_experiment(args.marts, args.out, cfg, ablations=args.ablations, n_seeds=args.seeds,
                             warehouse=args.warehouse, progress=sys.stderr.isatty(),
                             explain_model=not args.no_shap)
    print(run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
