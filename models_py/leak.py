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

import numpy as np

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
