"""Labels and predictions in the MEDS schemas, so MEDS tools can read this project's cohort and runs.

- labels: MEDS `LabelSchema` (subject_id int64, prediction_time timestamp[us], boolean_value), one row per
  cohort stay; the prediction time is the end of the input window (nothing after it is used).
- predictions: the columns MEDS evaluation tools read (subject_id, prediction_time, boolean_value,
  predicted_boolean_value, predicted_boolean_probability).
Both tables are validated against the `meds` package's schema before they are written (temp + rename).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from meds import LabelSchema

PREDICTION_COLUMNS = ("predicted_boolean_value", "predicted_boolean_probability")


def _label_columns(subject_id, prediction_time, label) -> dict[str, pa.Array]:
    label = np.asarray(label, dtype=float)
    if np.isnan(label).any():
        raise ValueError(f"{int(np.isnan(label).sum())} stays have no label; MEDS labels must be present")
    return {
        "subject_id": pa.array(np.asarray(subject_id, dtype=np.int64)),
        "prediction_time": pa.array(np.asarray(prediction_time, dtype="datetime64[us]")),
        "boolean_value": pa.array(label.astype(bool)),
    }


def label_table(subject_id, prediction_time, label) -> pa.Table:
    """The cohort's labels as a MEDS label table (validated)."""
    table = pa.table(_label_columns(subject_id, prediction_time, label))
    LabelSchema.validate(table)  # raises TableValidationError on a wrong type or column
    return table


def prediction_table(subject_id, prediction_time, label, probability, threshold: float) -> pa.Table:
    """A run's predictions in the MEDS evaluation layout; the label part is validated by LabelSchema."""
    columns = _label_columns(subject_id, prediction_time, label)
    LabelSchema.validate(pa.table(columns))
    probability = np.asarray(probability, dtype=float)
    columns["predicted_boolean_value"] = pa.array(probability >= threshold)
    columns["predicted_boolean_probability"] = pa.array(probability)
    return pa.table(columns)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write to a temp file beside `path`, then rename: a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _cohort_times(marts_dir: Path, label: str, window_hours: int, anchor_column: str) -> pl.DataFrame:
    """stay_id, subject_id, prediction_time (= window start + window_hours) and the label, per cohort stay."""
    path = Path(marts_dir) / "cohort.parquet"
    columns = pl.read_parquet_schema(path)
    for column in ("stay_id", "subject_id", anchor_column, label):
        if column not in columns:
            raise ValueError(f"{path}: no column {column}; MEDS export needs stay_id, subject_id, the window start "
                             f"({anchor_column}) and the label")
    return (pl.read_parquet(path, columns=["stay_id", "subject_id", anchor_column, label])
            .with_columns(prediction_time=pl.col(anchor_column).cast(pl.Datetime("us"))
                          + pl.duration(hours=window_hours))
            .sort("stay_id"))


def cohort_labels(marts_dir: str | Path, label: str, window_hours: int, anchor_column: str) -> pa.Table:
    """Every cohort stay's label at the end of its input window, as a MEDS label table."""
    stays = _cohort_times(Path(marts_dir), label, window_hours, anchor_column)
    return label_table(stays["subject_id"].to_numpy(), stays["prediction_time"].to_numpy(),
                       stays[label].to_numpy().astype(float))


def run_predictions(marts_dir: str | Path, predictions: pl.DataFrame, model: str, threshold: float, label: str,
                    window_hours: int, anchor_column: str, split: str = "test") -> pa.Table:
    """One model's predictions on one split of a run (its first seed), in the MEDS evaluation layout."""
    chosen = predictions.filter((pl.col("model") == model) & (pl.col("split") == split))
    if chosen.is_empty():
        raise ValueError(f"predictions.parquet has no rows for model {model!r} on split {split!r}")
    chosen = chosen.filter(pl.col("seed") == chosen["seed"].min())
    stays = _cohort_times(Path(marts_dir), label, window_hours, anchor_column).join(
        chosen.select("stay_id", "probability"), on="stay_id", how="inner")
    if stays.height != chosen.height:
        raise ValueError(f"{chosen.height - stays.height} predicted stays are not in cohort.parquet; "
                         "export with the marts the run was trained on")
    return prediction_table(stays["subject_id"].to_numpy(), stays["prediction_time"].to_numpy(),
                            stays[label].to_numpy().astype(float), stays["probability"].to_numpy(), threshold)
