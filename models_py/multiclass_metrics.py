"""Metrics of a multiclass task (K classes), with percentile bootstrap CIs.

- macro one-vs-rest AUROC: per class k the AUROC of P(class k) for "class k" against the rest,
  averaged over the K classes (scikit-learn's roc_auc_score(multi_class="ovr", average="macro")); a
  resample missing a class has no AUROC for it and is left out of that CI, as sklearn refuses it;
- accuracy of the argmax class;
- macro-F1 over the K classes (a class neither present nor predicted scores 0, scikit-learn's
  f1_score(labels=range(K), average="macro", zero_division=0)).

Stays whose label is missing (nan) are left out. Every resample is scored from counts (the binary
AUROC draws of `metrics`, one confusion matrix per resample), not by looping over scikit-learn.
"""
from __future__ import annotations

import numpy as np

from .metrics import _BLOCK, _auroc_draws, _percentile_ci

MULTICLASS_METRICS = ("macro_auroc", "accuracy", "macro_f1")


def _inputs(y_true, prob) -> tuple[np.ndarray, np.ndarray]:
    """(labels int (n,), probabilities (n, K)) over the stays whose label is known."""
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    p = np.asarray(prob, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] != y.size:
        raise ValueError(f"prob has shape {p.shape}; expected (n, K) with n = {y.size} labels")
    known = ~np.isnan(y)
    y, p = y[known], p[known]
    k = p.shape[1]
    if y.size == 0:
        raise ValueError("no known labels; expected at least one labelled stay")
    if not np.all(np.isin(y, np.arange(k))):
        unknown = sorted(set(np.unique(y).tolist()) - set(range(k)))[:5]
        raise ValueError(f"labels {unknown} are not class codes 0..{k - 1}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"prob has {int((~np.isfinite(p)).sum())} non-finite values")
    return y.astype(np.int64), p


def _confusion(y: np.ndarray, pred: np.ndarray, k: int, idx: np.ndarray) -> np.ndarray:
    """(R, K, K) confusion matrices [true, predicted] of the resamples (rows of idx)."""
    rows = idx.shape[0]
    cell = (np.arange(rows)[:, None] * k * k + y[idx] * k + pred[idx]).ravel()
    return np.bincount(cell, minlength=rows * k * k).reshape(rows, k, k).astype(np.float64)


def _accuracy_f1(conf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tp = np.diagonal(conf, axis1=1, axis2=2)
    fp, fn = conf.sum(axis=1) - tp, conf.sum(axis=2) - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return tp.sum(axis=1) / conf.sum(axis=(1, 2)), f1.mean(axis=1)


def _macro_auroc(y: np.ndarray, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Macro one-vs-rest AUROC per resample; nan where a resample lacks some class."""
    per_class = [_auroc_draws((y == c).astype(np.int8), p[:, c], idx) for c in range(p.shape[1])]
    return np.mean(per_class, axis=0)


def multiclass_metrics(y_true, prob) -> dict[str, float]:
    """Point estimates: macro OvR AUROC (nan unless every class is present), accuracy, macro-F1."""
    y, p = _inputs(y_true, prob)
    idx = np.arange(y.size)[None, :]
    accuracy, f1 = _accuracy_f1(_confusion(y, p.argmax(axis=1), p.shape[1], idx))
    return {"macro_auroc": float(_macro_auroc(y, p, idx)[0]), "accuracy": float(accuracy[0]),
            "macro_f1": float(f1[0])}


def bootstrap_multiclass(y_true, prob, n_resamples: int = 1000, seed: int = 0,
                         alpha: float = 0.05) -> dict[str, dict]:
    """{metric: {"value", "ci_low", "ci_high", "n_resamples"}} like metrics.bootstrap_binary."""
    y, p = _inputs(y_true, prob)
    point = multiclass_metrics(y, p)
    k, pred = p.shape[1], p.argmax(axis=1)
    idx = np.random.default_rng(seed).integers(0, y.size, size=(n_resamples, y.size))
    draws = {name: [] for name in MULTICLASS_METRICS}
    for start in range(0, n_resamples, _BLOCK):
        block = idx[start:start + _BLOCK]
        accuracy, f1 = _accuracy_f1(_confusion(y, pred, k, block))
        draws["accuracy"].append(accuracy)
        draws["macro_f1"].append(f1)
        draws["macro_auroc"].append(_macro_auroc(y, p, block))
    out = {}
    for name in MULTICLASS_METRICS:
        samples = np.concatenate(draws[name])
        lo, hi = _percentile_ci(samples, alpha)
        out[name] = {"value": point[name], "ci_low": lo, "ci_high": hi,
                     "n_resamples": int(np.isfinite(samples).sum())}
    return out
