"""Read the Parquet marts into arrays, validate them, and split stays by patient.

The marts are the warehouse <-> model contract (SPEC §2): cohort.parquet, vis_hourly.parquet,
static_features.parquet, severity_scores.parquet under one directory. Channels, static columns and
targets are read from the files, never hard-coded. Every problem raises `MartError` with one line
naming the file, the column and what was expected.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.model_selection import train_test_split

MART_FILES = ("cohort.parquet", "vis_hourly.parquet", "static_features.parquet", "severity_scores.parquet")
SPLITS = ("train", "val", "test")


class MartError(ValueError):
    """The marts do not satisfy the contract."""


@dataclass
class MartData:
    """All cohort stays, in cohort order (sorted by stay_id).

    series: (N, T, C) float32 raw doses; static: raw static + score columns (polars, one row per stay);
    labels: label column -> (N,) float64 with nan where missing.
    """

    stay_ids: np.ndarray
    subject_ids: np.ndarray
    series: np.ndarray
    channels: list[str]
    static: pl.DataFrame
    static_columns: list[str]
    score_columns: list[str]
    labels: dict[str, np.ndarray] = field(default_factory=dict)
    fingerprint: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.stay_ids)


def fingerprint(marts_dir: Path, names=MART_FILES) -> dict[str, str]:
    """sha256 of each mart file (the run's data fingerprint)."""
    out = {}
    for name in names:
        path = Path(marts_dir) / name
        if path.exists():
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            out[name] = digest.hexdigest()
    return out


def _read(marts_dir: Path, name: str, required: list[str]) -> pl.DataFrame:
    path = marts_dir / name
    if not path.exists():
        raise MartError(f"{path}: file missing (expected the mart {name} in {marts_dir})")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # a truncated or non-Parquet file
        raise MartError(f"{path}: not a readable Parquet file ({exc.__class__.__name__}: {exc})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MartError(f"{path}: missing column(s) {missing} (has {frame.columns})")
    if frame.height and frame["stay_id"].n_unique() != frame.height and name != "vis_hourly.parquet":
        raise MartError(f"{path}: column stay_id is not unique (expected one row per stay)")
    return frame


def load_marts(marts_dir: str | Path, label_columns: list[str], score_columns: list[str], hours: int = 48,
               require_labels: bool = True) -> MartData:
    """Read and validate the marts.

    label_columns: cohort.parquet columns read as labels (the first one is the primary binary label,
    which must be 0/1 for every stay when require_labels). With require_labels=False (scoring new
    stays) cohort.parquet is optional and the stays are those of static_features.parquet.
    """
    marts_dir = Path(marts_dir)
    if not marts_dir.is_dir():
        raise MartError(f"{marts_dir}: marts directory does not exist (build it with `make warehouse`)")

    vis = _read(marts_dir, "vis_hourly.parquet", ["stay_id", "hr"])
    static = _read(marts_dir, "static_features.parquet", ["stay_id"])
    scores = _read(marts_dir, "severity_scores.parquet", ["stay_id", *score_columns])

    if require_labels or (marts_dir / "cohort.parquet").exists():
        cohort = _read(marts_dir, "cohort.parquet",
                       ["subject_id", "stay_id", *(label_columns if require_labels else [])])
    else:
        cohort = static.select("stay_id").with_columns(pl.col("stay_id").alias("subject_id"))
    if cohort.height == 0:
        raise MartError(f"{marts_dir / 'cohort.parquet'}: no rows (empty cohort; nothing to train on)")
    cohort = cohort.sort("stay_id")
    stay_ids = cohort["stay_id"].to_numpy()

    series, channels = _series(vis, stay_ids, hours, marts_dir / "vis_hourly.parquet")
    static_columns = [c for c in static.columns if c != "stay_id"]
    joined = _join_one_per_stay(cohort.select("stay_id"), static, marts_dir / "static_features.parquet")
    joined = _join_one_per_stay(joined, scores.select("stay_id", *score_columns), marts_dir / "severity_scores.parquet")
    for col in score_columns:
        if not joined[col].dtype.is_numeric():
            raise MartError(f"{marts_dir / 'severity_scores.parquet'}: column {col} must be numeric, got {joined[col].dtype}")

    labels = {}
    for i, col in enumerate(label_columns):
        if col not in cohort.columns:
            continue
        values = cohort[col].cast(pl.Float64, strict=False).to_numpy().astype(np.float64)
        if i == 0 and require_labels and np.isnan(values).any():
            raise MartError(f"{marts_dir / 'cohort.parquet'}: column {col} has {int(np.isnan(values).sum())} "
                            "missing values (the primary label must be known for every stay)")
        observed = values[~np.isnan(values)]
        if require_labels and not np.isin(observed, (0.0, 1.0)).all():
            raise MartError(f"{marts_dir / 'cohort.parquet'}: column {col} must be 0/1 (or null for an auxiliary "
                            f"label), found values {sorted(set(np.unique(observed)) - {0.0, 1.0})[:5]}")
        labels[col] = values

    return MartData(
        stay_ids=stay_ids,
        subject_ids=cohort["subject_id"].to_numpy(),
        series=series,
        channels=channels,
        static=joined,
        static_columns=static_columns,
        score_columns=list(score_columns),
        labels=labels,
        fingerprint=fingerprint(marts_dir),
    )


def _join_one_per_stay(left: pl.DataFrame, right: pl.DataFrame, path: Path) -> pl.DataFrame:
    missing = left.join(right.select("stay_id"), on="stay_id", how="anti")
    if missing.height:
        raise MartError(f"{path}: {missing.height} cohort stay(s) have no row, e.g. stay_id "
                        f"{missing['stay_id'][0]} (expected one row per cohort stay)")
    return left.join(right, on="stay_id", how="left")


def _series(vis: pl.DataFrame, stay_ids: np.ndarray, hours: int, path: Path) -> tuple[np.ndarray, list[str]]:
    """vis_hourly rows -> (N, hours, C) float32 in cohort order; every non-key column is a channel."""
    channels = [c for c in vis.columns if c not in ("stay_id", "hr")]
    if not channels:
        raise MartError(f"{path}: no channel columns besides stay_id and hr")
    for col in channels:
        if not vis[col].dtype.is_numeric():
            raise MartError(f"{path}: column {col} must be numeric (a dose), got {vis[col].dtype}")
        values = vis[col].cast(pl.Float64)
        bad = values.is_null().sum() + values.is_nan().sum()
        if bad:
            raise MartError(f"{path}: column {col} has {bad} null/NaN value(s) (doses must be 0 where no infusion)")
        if (values < 0).any() or values.is_infinite().any():
            raise MartError(f"{path}: column {col} has negative or infinite values (doses must be finite and >= 0)")

    vis = vis.filter(pl.col("stay_id").is_in(stay_ids.tolist()))
    per_stay = vis.group_by("stay_id").agg(
        pl.len().alias("n"), pl.col("hr").min().alias("lo"), pl.col("hr").max().alias("hi"),
        pl.col("hr").n_unique().alias("distinct"),
    )
    wrong = per_stay.filter((pl.col("n") != hours) | (pl.col("lo") != 0) | (pl.col("hi") != hours - 1)
                            | (pl.col("distinct") != hours))
    if wrong.height:
        row = wrong.row(0, named=True)
        raise MartError(f"{path}: column hr must be 0..{hours - 1} once per stay; stay_id {row['stay_id']} has "
                        f"{row['n']} rows, hr {row['lo']}..{row['hi']} ({wrong.height} stay(s) affected)")
    if per_stay.height != len(stay_ids):
        absent = sorted(set(stay_ids.tolist()) - set(per_stay["stay_id"].to_list()))
        raise MartError(f"{path}: {len(absent)} cohort stay(s) have no hourly rows, e.g. stay_id {absent[0]} "
                        f"(expected {hours} rows per cohort stay)")

    order = pl.DataFrame({"stay_id": stay_ids, "_pos": np.arange(len(stay_ids))})
    vis = vis.join(order, on="stay_id").sort("_pos", "hr")
    flat = vis.select([pl.col(c).cast(pl.Float32) for c in channels]).to_numpy()
    return flat.reshape(len(stay_ids), hours, len(channels)), channels


def split_by_patient(subject_ids: np.ndarray, labels: np.ndarray, seed: int, val_fraction: float = 0.08,
                     test_fraction: float = 0.20, label_name: str = "label") -> dict[str, np.ndarray]:
    """Stratified, seeded train/val/test split by patient -> split name -> stay row indices (sorted).

    A patient's stratum is the max label over their stays; all of a patient's stays go to one split.
    """
    frame = pl.DataFrame({"subject_id": subject_ids, "y": labels}).group_by("subject_id").agg(
        pl.col("y").max()).sort("subject_id")
    patients, strata = frame["subject_id"].to_numpy(), frame["y"].to_numpy().astype(int)
    try:
        rest, test = train_test_split(patients, test_size=test_fraction, stratify=strata, random_state=seed)
        rest_strata = strata[np.searchsorted(patients, rest)]
        train, val = train_test_split(rest, test_size=val_fraction / (1 - test_fraction), stratify=rest_strata,
                                      random_state=seed)
    except ValueError as exc:
        raise MartError(f"cohort.parquet: cannot split {len(patients)} patients stratified by {label_name} "
                        f"({int(strata.sum())} positive): {exc}") from None
    out = {name: np.flatnonzero(np.isin(subject_ids, ids)) for name, ids in zip(SPLITS, (train, val, test))}
    for name, rows in out.items():
        present = np.unique(labels[rows])
        if len(present) < 2:
            raise MartError(f"cohort.parquet: split '{name}' has only class {int(present[0]) if len(present) else '-'} "
                            f"of {label_name} ({len(rows)} stays); need both classes in every split")
    return out
