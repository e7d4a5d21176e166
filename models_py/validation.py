"""Validation schemes: which stays each fold trains, validates and tests on.

    split             one seeded, stratified train/val/test split by patient (the paper's; today's default)
    kfold:K           K folds, stratified by the label and grouped by patient; each fold tests on one part
    group:COLUMN      leave one group out (e.g. first_careunit, icu_type): each value of COLUMN is a test set
    temporal:COLUMN   train and validate on the earlier values of COLUMN, test on the latest (anchor_year_group)

In every fold a patient's stays sit on one side only, and train/val is a stratified split by patient of the
stays not tested. A fold whose test or validation stays hold one class only (or too few stays) cannot be
scored; it is skipped and listed with the reason, never silently dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

SCHEMES = ("split", "kfold", "group", "temporal")
MIN_TEST_STAYS = 10


@dataclass(frozen=True)
class Scheme:
    kind: str
    k: int = 0
    column: str = ""

    def __str__(self) -> str:
        return {"split": "split", "kfold": f"kfold:{self.k}"}.get(self.kind, f"{self.kind}:{self.column}")


@dataclass
class Fold:
    name: str
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # train/val/test -> stay row indices (sorted)


@dataclass
class SkippedFold:
    name: str
    reason: str


def parse_scheme(text: str) -> Scheme:
    """'split' | 'kfold:K' | 'group:COLUMN' | 'temporal:COLUMN' -> Scheme (one-line ValueError otherwise)."""
    kind, _, arg = text.partition(":")
    if kind == "split" and not arg:
        return Scheme("split")
    if kind == "kfold" and arg.isdigit() and int(arg) >= 2:
        return Scheme("kfold", k=int(arg))
    if kind in ("group", "temporal") and arg:
        return Scheme(kind, column=arg)
    raise ValueError(f"validation scheme {text!r}; expected split, kfold:K (K >= 2), group:COLUMN or "
                     "temporal:COLUMN")


def _train_val(rows: np.ndarray, subject_ids: np.ndarray, labels: np.ndarray, val_fraction: float,
               seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split by patient of `rows` into train and val rows."""
    patients, inverse = np.unique(subject_ids[rows], return_inverse=True)
    strata = np.zeros(patients.size, dtype=int)
    np.maximum.at(strata, inverse, labels[rows])  # a patient's stratum: their highest label
    train_p, val_p = train_test_split(patients, test_size=val_fraction, stratify=strata, random_state=seed)
    return (np.sort(rows[np.isin(subject_ids[rows], train_p)]),
            np.sort(rows[np.isin(subject_ids[rows], val_p)]))


def _fold(name: str, test: np.ndarray, subject_ids: np.ndarray, labels: np.ndarray, val_fraction: float,
          seed: int) -> Fold | SkippedFold:
    test = np.sort(test)
    if test.size < MIN_TEST_STAYS:
        return SkippedFold(name, f"{test.size} test stays (fewer than {MIN_TEST_STAYS})")
    if np.unique(labels[test]).size < 2:
        return SkippedFold(name, f"test stays hold one class only ({test.size} stays, all {int(labels[test][0])})")
    # every stay of a tested patient leaves training, so patients are disjoint between sides
    rest = np.flatnonzero(~np.isin(subject_ids, subject_ids[test]))
    if np.unique(labels[rest]).size < 2:
        return SkippedFold(name, "the stays left for training hold one class only")
    try:
        train, val = _train_val(rest, subject_ids, labels, val_fraction, seed)
    except ValueError as exc:
        return SkippedFold(name, f"cannot split the remaining stays into train and val: {exc}")
    if np.unique(labels[val]).size < 2:
        return SkippedFold(name, "validation stays hold one class only")
    return Fold(name, {"train": train, "val": val, "test": test})


def make_folds(scheme: Scheme, subject_ids, labels, seed: int, val_fraction: float = 0.1,
               groups=None) -> tuple[list[Fold], list[SkippedFold]]:
    """The folds of a scheme other than `split` (which stays with the trainer's own split)."""
    subject_ids = np.asarray(subject_ids)
    labels = np.asarray(labels).astype(int)
    if scheme.kind == "kfold":
        splitter = StratifiedGroupKFold(n_splits=scheme.k, shuffle=True, random_state=seed)
        tests = [test for _, test in splitter.split(np.zeros(labels.size), labels, subject_ids)]
        names = [f"fold{i + 1}" for i in range(scheme.k)]
    elif scheme.kind in ("group", "temporal"):
        if groups is None:
            raise ValueError(f"validation scheme {scheme} needs the values of column {scheme.column!r}")
        values = np.asarray(groups).astype(str)
        levels = sorted(set(values.tolist()))
        if scheme.kind == "temporal":
            if len(levels) < 2:
                raise ValueError(f"temporal:{scheme.column} needs at least two values; found {levels}")
            levels = levels[-1:]  # test on the latest only; train on everything earlier
        tests = [np.flatnonzero(values == level) for level in levels]
        names = [f"{scheme.column}={level}" for level in levels]
    else:
        raise ValueError(f"make_folds handles kfold, group and temporal; got {scheme}")
    folds, skipped = [], []
    for name, test in zip(names, tests, strict=True):
        result = _fold(name, test, subject_ids, labels, val_fraction, seed)
        (folds if isinstance(result, Fold) else skipped).append(result)
    return folds, skipped


def summarize_folds(per_fold: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """{fold: {metric: value}} -> {metric: {mean, sd, n_folds}} (sd with ddof=1, nan for one fold)."""
    metrics = sorted({m for values in per_fold.values() for m in values})
    out = {}
    for metric in metrics:
        values = np.array([v[metric] for v in per_fold.values() if metric in v], dtype=float)
        values = values[np.isfinite(values)]
        out[metric] = {"mean": float(values.mean()) if values.size else float("nan"),
                       "sd": float(values.std(ddof=1)) if values.size > 1 else float("nan"),
                       "n_folds": int(values.size)}
    return out
