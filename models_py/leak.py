"""The label leak of the paper's series, measured and guarded.

vis_hourly holds 0 for the hours of the window after ICU outtime, and stays that leave the ICU inside the
window (alive or dead) die far more often than the rest, so "trailing zeros" can stand in for the label.
`cohort.icu_hours_in_vis_window` (1..window) says how many hours of each stay's window were in the ICU.

Policies for those hours (config `data.leak_policy`):
    paper            the paper's zeros (reproduction; leaks)
    mask             the hours are padding: the encoder never attends to them, no channel marks them
    complete_window  only stays whose ICU stay covers the whole window (a landmark cohort: "alive and in
                     the ICU at hour 48"); leak-free by construction
`leak_check` gives the numbers the report's "Label leak check" section prints.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from models_py.data import MartData, subset
from models_py.metrics import binary_metrics

LEAK_POLICIES = ("paper", "mask", "complete_window")
HOURS_COLUMN = "icu_hours_in_vis_window"


def padding_mask(hours_in_window, steps: int) -> np.ndarray:
    """(N, steps) bool: True for the hours at or after ICU outtime (the hours `mask` hides)."""
    hours = np.asarray(hours_in_window, dtype=np.int64)
    if hours.size and (hours.min() < 1 or hours.max() > steps):
        raise ValueError(f"{HOURS_COLUMN} must lie in 1..{steps}; found {int(hours.min())}..{int(hours.max())}")
    return np.arange(steps)[None, :] >= hours[:, None]


def complete_window_rows(hours_in_window, steps: int) -> np.ndarray:
    """Row indices of the stays in the ICU for the whole window."""
    return np.flatnonzero(np.asarray(hours_in_window) >= steps)


def _auroc(y, score) -> float:
    y = np.asarray(y)
    if y.size == 0 or np.unique(y).size < 2:
        return float("nan")
    return binary_metrics(y, np.asarray(score, dtype=float), 0.5)["auroc"]


def leak_check(y_test, prob_test, hours_test, steps: int) -> dict[str, float]:
    """How much of a model's test AUROC the window's length could explain.

    leak_only_auroc: the AUROC of the ICU hours alone (fewer hours = higher risk) on the test split;
    auroc_all / auroc_complete_window: the model on every test stay and on the complete-window ones.
    """
    y = np.asarray(y_test)
    hours = np.asarray(hours_test, dtype=float)
    # scaled into [0, 1): binary_metrics takes probabilities; the order is what AUROC reads
    leak_score = (steps - hours) / steps
    complete = complete_window_rows(hours, steps)
    return {
        "leak_only_auroc": _auroc(y, leak_score),
        "auroc_all": _auroc(y, prob_test),
        "auroc_complete_window": _auroc(y[complete], np.asarray(prob_test)[complete]),
        "n_test": int(y.size),
        "n_test_complete_window": int(complete.size),
        "mortality_short_window": float(y[hours < steps].mean()) if (hours < steps).any() else float("nan"),
        "mortality_complete_window": float(y[complete].mean()) if complete.size else float("nan"),
    }


def hours_in_window(data: MartData) -> np.ndarray | None:
    """Each stay's ICU hours in the window, or None when the cohort mart has no such column (a source
    whose windows are complete by design, such as PhysioNet 2012's 48-hour records)."""
    if data.cohort is None or HOURS_COLUMN not in data.cohort.columns:
        return None
    return data.cohort[HOURS_COLUMN].cast(float).fill_null(float(data.series.shape[1])).to_numpy()


def apply_policy(data: MartData, policy: str) -> tuple[MartData, str]:
    """The stays and series a model sees under the leak policy, and one line saying what it did."""
    if policy not in LEAK_POLICIES:
        raise ValueError(f"leak policy {policy!r}; expected one of {', '.join(LEAK_POLICIES)}")
    hours = hours_in_window(data)
    steps = data.series.shape[1]
    if hours is None:
        return data, f"leak policy {policy}: not applicable (cohort.parquet has no {HOURS_COLUMN}; windows complete)"
    short = int((hours < steps).sum())
    if policy == "paper":
        return data, f"leak policy paper: {short} stays with hours after ICU outtime keep the paper's zeros"
    if policy == "complete_window":
        rows = complete_window_rows(hours, steps)
        return subset(data, rows), (f"leak policy complete_window: {short} of {len(data)} stays left the ICU "
                                    f"inside the {steps}-hour window and are left out")
    padding = padding_mask(np.maximum(hours, 1), steps)
    series = data.series.copy()
    series[padding] = np.nan  # preprocessing statistics and summary features skip these hours
    return replace(data, series=series, padding=padding), (
        f"leak policy mask: the hours after ICU outtime of {short} stays are padding the models never see")


def mark_padding(series: np.ndarray, padding: np.ndarray | None) -> np.ndarray:
    """Preprocessed (N, T, C') series with every channel of the padding hours NaN (the encoders'
    padding signal: models.split_padding); unchanged when there is no padding."""
    if padding is None or not padding.any():
        return series
    series = series.copy()
    series[padding] = np.nan
    return series
