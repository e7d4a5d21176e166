"""Train/val/test splits of the cohort by patient: random stratified, or a held-out set as test.

Every split names row indices into the cohort (cohort order) and must hold both classes of the
primary label; a split that cannot be made is a one-line `MartError` naming cohort.parquet.
"""
from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.model_selection import train_test_split

from .data import MartError

SPLITS = ("train", "val", "test")


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


def split_holdout(subject_ids: np.ndarray, labels: np.ndarray, groups: np.ndarray, holdout_values: list[str],
                  seed: int, val_fraction: float, column: str = "group",
                  label_name: str = "label") -> dict[str, np.ndarray]:
    """Test = the stays whose `groups` value is in holdout_values (e.g. set_name = b); train/val = a
    stratified, seeded split by patient of the other stays (val_fraction of them go to val)."""
    groups = np.asarray(groups).astype(str)
    test_mask = np.isin(groups, [str(v) for v in holdout_values])
    if not test_mask.any():
        raise MartError(f"cohort.parquet: column {column} has no stay with a holdout value in {holdout_values} "
                        f"(found {sorted(set(groups.tolist()))[:10]})")
    if test_mask.all():
        raise MartError(f"cohort.parquet: every stay has {column} in {holdout_values}; nothing left to train on")
    if np.intersect1d(subject_ids[test_mask], subject_ids[~test_mask]).size:
        raise MartError(f"cohort.parquet: some patients have stays on both sides of the {column} holdout")
    rest = np.flatnonzero(~test_mask)
    frame = pl.DataFrame({"subject_id": subject_ids[rest], "y": labels[rest]}).group_by("subject_id").agg(
        pl.col("y").max()).sort("subject_id")
    patients, strata = frame["subject_id"].to_numpy(), frame["y"].to_numpy().astype(int)
    try:
        train, val = train_test_split(patients, test_size=val_fraction, stratify=strata, random_state=seed)
    except ValueError as exc:
        raise MartError(f"cohort.parquet: cannot split {len(patients)} patients stratified by {label_name}: "
                        f"{exc}") from None
    out = {"train": rest[np.isin(subject_ids[rest], train)], "val": rest[np.isin(subject_ids[rest], val)],
           "test": np.flatnonzero(test_mask)}
    for name, rows in out.items():
        if len(np.unique(labels[rows])) < 2:
            raise MartError(f"cohort.parquet: split '{name}' of the {column} holdout has one class of {label_name} "
                            f"({len(rows)} stays); need both classes in every split")
    return out
