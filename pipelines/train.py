"""Train and evaluate the VIS-trend models on the marts; print the run directory.

    python pipelines/train.py                      # MAE -> teacher -> student (+ teacher reference rows)
    python pipelines/train.py --ablations          # + no_kd, no_mt, no_mae, lstm, logreg, score_* (make demo)
    python pipelines/train.py --seeds 3 --set student.lr=5e-4 --epochs 5
    python pipelines/train.py --student.lr 5e-4 --teacher.heads untrained   # any config field (--help)
    python pipelines/train.py --config data/runs/latest/config.json          # rerun a run exactly
    python pipelines/train.py --validation kfold:5                           # + 5 folds (group:COL, temporal:COL)

Reads $VISTREND_DATA_DIR/marts (default <repo>/data/marts), writes $VISTREND_DATA_DIR/runs/<run_id>/
and loads the results into $VISTREND_DATA_DIR/warehouse.duckdb when it exists (a warehouse locked by
another process stops it before training). Every failure is one error line, exit code 2.
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipelines import cli

cli.prefer_short_openmp_spin()  # before torch is imported

from models_py.config import data_dir  # noqa: E402
from models_py.config_cli import cli_config  # noqa: E402

PROG = "train"


def check_warehouse_writable(path: Path | None) -> None:
    """Fail before training when the warehouse exists but another process holds its lock."""
    if path is not None and path.is_file():
        import duckdb

        duckdb.connect(str(path)).close()


def main(argv: list[str] | None = None) -> int:
    """Exit code 0, or 2 with one error line on stderr."""
    return cli.run(_main, argv, prog=PROG, expected=(ValueError,))


def _main(argv: list[str] | None) -> int:
    cfg = cli_config(argv, data_dir(), prog=PROG, description=__doc__.splitlines()[0])
    check_warehouse_writable(cfg.run.warehouse)
    from models_py.experiment import run_experiment  # torch: after the arguments are checked

    print(run_experiment(cfg, progress=sys.stderr.isatty()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
