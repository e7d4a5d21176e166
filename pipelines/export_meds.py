#!/usr/bin/env python
"""Export the cohort's labels, and a run's predictions, in the MEDS label and prediction schemas.

    python pipelines/export_meds.py --out DIR [--marts DIR] [--run RUN] [--model NAME] [--split test]

Writes DIR/labels.parquet (subject_id, prediction_time = the window's start + its hours, boolean_value;
validated by meds.LabelSchema) and, with --run, DIR/predictions.parquet (the same plus
predicted_boolean_value and predicted_boolean_probability: the run's recalibrated probability and its
threshold). --marts defaults to the run's marts, else $VISTREND_DATA_DIR/marts; the label and window come
from the run's config (default config without --run). A source without a window start time (PhysioNet
2012's records carry none) is refused with one line.
"""
import os
import sys
from pathlib import Path

import polars as pl

from models_py import meds_export, predict
from models_py.config import Config
from pipelines import cli

REPO = Path(__file__).resolve().parents[1]
PROG = "export_meds"
WINDOW_START = "intime"  # hour 0 of the series marts starts at ICU intime (docs/warehouse.md)


def main(argv: list[str] | None = None) -> int:
    """Exit code 0, or 2 with one error line on stderr."""
    return cli.run(_main, argv, prog=PROG, expected=(ValueError,))


def _main(argv: list[str] | None) -> int:
    parser = cli.OneLineParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--marts", type=Path, help="marts folder (default: the run's, else $VISTREND_DATA_DIR/marts)")
    parser.add_argument("--run", type=Path, help="a run directory whose predictions are exported too")
    parser.add_argument("--model", help="a model of the run (default: the run's choice on the validation split)")
    parser.add_argument("--split", default="test", help="the split whose predictions are exported (default test)")
    args = parser.parse_args(argv)

    run = predict.open_run(args.run) if args.run else None
    cfg = run.cfg if run else Config()
    marts = args.marts or (run.marts_dir if run else Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data")) / "marts")
    label, hours = cfg.data.label_column, cfg.data.hours
    labels = meds_export.cohort_labels(marts, label, hours, WINDOW_START)
    meds_export.write_parquet(labels, args.out / "labels.parquet")
    print(f"{labels.num_rows} labels ({label} at the end of the {hours}-hour window) -> {args.out / 'labels.parquet'}")
    if run is not None:
        model = predict.resolve_model(run, args.model)
        frame = pl.read_parquet(run.path / "predictions.parquet")
        recal = run.recalibration.get(model)
        threshold = run.threshold(model)
        if recal is not None:  # the probability predict.py serves, and its threshold mapped the same way
            frame = frame.with_columns(probability=pl.col("probability_recal"))
            threshold = float(recal.transform([threshold])[0])
        table = meds_export.run_predictions(marts, frame, model, threshold, label, hours, WINDOW_START, args.split)
        meds_export.write_parquet(table, args.out / "predictions.parquet")
        print(f"{table.num_rows} {args.split} predictions of {model} -> {args.out / 'predictions.parquet'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
