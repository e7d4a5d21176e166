"""Evaluation metrics of the paper's Table 1, with vectorised bootstrap confidence intervals.

Every binary metric is computed from per-threshold-group counts of positives and negatives, so a
bootstrap resample is just another row of counts: all resamples are drawn at once and scored with
numpy (AUROC by Mann-Whitney ranks, AUPRC as scikit-learn's average precision), not by looping
over scikit-learn calls. The point estimate goes through the same code path as the resamples.
"""
from __future__ import annotations

import math

import numpy as np

BINARY_METRICS = (
    "auroc", "auprc", "ppv", "npv", "sensitivity", "specificity", "plr", "nlr", "accuracy", "brier",
)
# Resamples scored per block; bounds memory at about block x n_unique x 8 bytes per count matrix.
_BLOCK = 256


def _as_binary_inputs(y_true, prob) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).reshape(-1)
    p = np.asarray(prob, dtype=float).reshape(-1)
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} values but prob has {p.size}; expected one probability per label")
    if y.size == 0:
        raise ValueError("y_true is empty; expected at least one labelled stay")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"prob has {int((~np.isfinite(p)).sum())} non-finite values; expected probabilities in [0, 1]")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"y_true has values {sorted(set(np.unique(y).tolist()) - {0, 1})[:5]}; expected 0/1 labels")
    return y.astype(np.int8), p


def _group_by_probability(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct probabilities in ascending order, and each observation's group index."""
    values, group = np.unique(p, return_inverse=True)
    return values, group.reshape(-1)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with nan where the denominator is zero (an undefined metric, not an error)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _metrics_from_counts(pos: np.ndarray, neg: np.ndarray, values: np.ndarray,
                         threshold: float) -> dict[str, np.ndarray]:
    """All binary metrics for each row of (R, U) counts of positives/negatives per distinct probability.

    Columns are the distinct probabilities in ascending order.
    """
    pos = pos.astype(float, copy=False)
    neg = neg.astype(float, copy=False)
    pos_upto = np.cumsum(pos, axis=1)  # positives with prob <= values[u]
    neg_upto = np.cumsum(neg, axis=1)
    n_pos = pos_upto[:, -1]
    n_neg = neg_upto[:, -1]
    n = n_pos + n_neg

    # AUROC (Mann-Whitney): each positive beats the negatives strictly below it, and half-beats ties.
    auroc = _ratio(np.einsum("ru,ru->r", pos, neg_upto - 0.5 * neg), n_pos * n_neg)

    # Average precision (scikit-learn's definition): at each distinct probability, the precision
    # of "prob >= value" weighted by the positives gained there.
    tp_at = n_pos[:, None] - pos_upto + pos
    flagged_at = n[:, None] - (pos_upto + neg_upto) + pos + neg
    precision_gain = np.divide(pos * tp_at, flagged_at, out=np.zeros_like(pos), where=pos > 0)
    auprc = _ratio(precision_gain.sum(axis=1), n_pos)

    # Confusion matrix at the fixed threshold: predicted positive iff prob >= threshold.
    below = int(np.searchsorted(values, threshold, side="left"))  # groups predicted negative
    fn = pos_upto[:, below - 1] if below > 0 else np.zeros_like(n_pos)
    tn = neg_upto[:, below - 1] if below > 0 else np.zeros_like(n_neg)
    tp = n_pos - fn
    fp = n_neg - tn
    sensitivity = _ratio(tp, n_pos)
    specificity = _ratio(tn, n_neg)

    brier = _ratio(pos @ (values - 1.0) ** 2 + neg @ values ** 2, n)
    return {
        "auroc": auroc,
        "auprc": auprc,
        "ppv": _ratio(tp, tp + fp),
        "npv": _ratio(tn, tn + fn),
        "sensitivity": sensitivity,
        "specificity": specificity,
        "plr": _ratio(sensitivity, 1.0 - specificity),
        "nlr": _ratio(1.0 - sensitivity, specificity),
        "accuracy": _ratio(tp + tn, n),
        "brier": brier,
    }


def youden_threshold(y_true, prob) -> float:
    """Threshold maximising Youden's J = sensitivity + specificity - 1 (use on the validation split).

    Candidates are the observed probabilities (predicted positive iff prob >= threshold); among
    thresholds with the same J the higher one wins.
    """
    y, p = _as_binary_inputs(y_true, prob)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"youden_threshold needs both classes; got {n_pos} positives and {n_neg} negatives")
    values, group = _group_by_probability(p)
    pos = np.bincount(group, weights=y, minlength=values.size)
    neg = np.bincount(group, minlength=values.size) - pos
    # Walking thresholds from the highest probability down: tp/fp at "prob >= values[i]".
    # J scaled by n_pos * n_neg stays an exact integer, so ties are exact ties (no rounding).
    tp = np.cumsum(pos[::-1]).astype(np.int64)
    fp = np.cumsum(neg[::-1]).astype(np.int64)
    j = tp * n_neg - fp * n_pos
    # argmax returns the first maximum, which is the highest threshold among ties.
    return float(values[::-1][int(np.argmax(j))])


def binary_metrics(y_true, prob, threshold) -> dict[str, float]:
    """Point estimates of the Table 1 metrics plus AUPRC and Brier; undefined ratios are nan."""
    y, p = _as_binary_inputs(y_true, prob)
    if not math.isfinite(float(threshold)):
        raise ValueError(f"threshold is {threshold}; expected a finite probability cut-off")
    values, group = _group_by_probability(p)
    pos = np.bincount(group, weights=y, minlength=values.size)[None, :]
    neg = np.bincount(group, minlength=values.size)[None, :] - pos
    out = _metrics_from_counts(pos, neg, values, float(threshold))
    return {name: float(out[name][0]) for name in BINARY_METRICS}


def _percentile_ci(samples: np.ndarray, alpha: float) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return math.nan, math.nan
    lo, hi = np.percentile(finite, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi)


def _resample_counts(y: np.ndarray, group: np.ndarray, n_groups: int,
                     block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, U) counts of positives and negatives per distinct probability for R resamples (rows of block)."""
    rows = block.shape[0]
    # Flattened (resample, group) cell of each drawn observation -> counts per cell.
    cell = (np.arange(rows)[:, None] * n_groups + group[block]).ravel()
    is_pos = y[block].ravel().astype(bool)
    pos = np.bincount(cell[is_pos], minlength=rows * n_groups).reshape(rows, n_groups)
    neg = np.bincount(cell[~is_pos], minlength=rows * n_groups).reshape(rows, n_groups)
    return pos, neg


def bootstrap_binary(y_true, prob, threshold, n_resamples: int = 1000, seed: int = 0,
                     alpha: float = 0.05) -> dict[str, dict]:
    """Point estimates with percentile bootstrap CIs for every binary metric.

    Returns {metric: {"value", "ci_low", "ci_high", "n_resamples"}}; "n_resamples" counts the
    resamples behind that CI: resamples holding a single class are skipped (they have no AUROC),
    and a metric undefined in some resamples (PPV with no predicted positive) uses the others.
    """
    y, p = _as_binary_inputs(y_true, prob)
    threshold = float(threshold)
    point = binary_metrics(y, p, threshold)
    values, group = _group_by_probability(p)
    n, n_groups = y.size, values.size
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))

    draws: dict[str, list[np.ndarray]] = {name: [] for name in BINARY_METRICS}
    for start in range(0, n_resamples, _BLOCK):
        block = idx[start:start + _BLOCK]
        pos, neg = _resample_counts(y, group, n_groups, block)
        both_classes = (pos.sum(axis=1) > 0) & (neg.sum(axis=1) > 0)
        scored = _metrics_from_counts(pos[both_classes], neg[both_classes], values, threshold)
        for name in BINARY_METRICS:
            draws[name].append(scored[name])

    result = {}
    for name in BINARY_METRICS:
        samples = np.concatenate(draws[name])
        lo, hi = _percentile_ci(samples, alpha)
        result[name] = {"value": point[name], "ci_low": lo, "ci_high": hi,
                        "n_resamples": int(np.isfinite(samples).sum())}
    return result


def _auroc_draws(y: np.ndarray, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """AUROC of each resample (rows of idx); nan for a resample with a single class."""
    values, group = _group_by_probability(p)
    n_groups = values.size
    out = []
    for start in range(0, idx.shape[0], _BLOCK):
        block = idx[start:start + _BLOCK]
        pos, neg = _resample_counts(y, group, n_groups, block)
        pos, neg = pos.astype(float), neg.astype(float)
        neg_upto = np.cumsum(neg, axis=1)
        out.append(_ratio(np.einsum("ru,ru->r", pos, neg_upto - 0.5 * neg), pos.sum(axis=1) * neg_upto[:, -1]))
    return np.concatenate(out)


def bootstrap_auroc_difference(y_true, prob_a, prob_b, n_resamples: int = 1000, seed: int = 0,
                               alpha: float = 0.05) -> dict[str, float]:
    """AUROC(a) - AUROC(b) on the same stays, with a paired percentile bootstrap CI.

    Both models are scored on the same resamples, so the CI reflects the difference itself (two
    overlapping marginal CIs do not mean "no difference"). Returns {"value", "ci_low", "ci_high",
    "n_resamples"}.
    """
    y, p_a = _as_binary_inputs(y_true, prob_a)
    _, p_b = _as_binary_inputs(y_true, prob_b)
    point = binary_metrics(y, p_a, 0.5)["auroc"] - binary_metrics(y, p_b, 0.5)["auroc"]
    idx = np.random.default_rng(seed).integers(0, y.size, size=(n_resamples, y.size))
    diff = _auroc_draws(y, p_a, idx) - _auroc_draws(y, p_b, idx)
    lo, hi = _percentile_ci(diff, alpha)
    return {"value": float(point), "ci_low": lo, "ci_high": hi, "n_resamples": int(np.isfinite(diff).sum())}


def _r2_columns(y_true: np.ndarray, y_pred: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """R^2 per (resample, column) from observation weights (R, n) over (n, k) arrays.

    Every sum R^2 needs is a weighted sum over stays, so all resamples come from one matrix
    product. Missing targets (nan) carry zero weight; a column with no spread gives nan.
    """
    present = np.isfinite(y_true) & np.isfinite(y_pred)
    # Centred on the full-sample mean, so sum(w y^2) - (sum(w y))^2 / sum(w) loses no precision.
    centre = np.where(present, y_true, 0.0).sum(axis=0) / np.maximum(present.sum(axis=0), 1)
    yt = np.where(present, y_true - centre, 0.0)
    residual = np.where(present, y_true - y_pred, 0.0)
    k = y_true.shape[1]
    sums = weights @ np.hstack([present.astype(float), yt, yt ** 2, residual ** 2])
    w_sum, wy, wy2, ss_res = (sums[:, i * k:(i + 1) * k] for i in range(4))
    ss_tot = wy2 - _ratio(wy ** 2, w_sum)
    no_spread = ~(ss_tot > 1e-12 * wy2)  # also true where a resample has no stay with this score
    return 1.0 - _ratio(ss_res, np.where(no_spread, 0.0, ss_tot))


def bootstrap_r2(y_true, y_pred, names, n_resamples: int = 1000, seed: int = 0,
                 alpha: float = 0.05) -> dict[str, dict]:
    """R^2 per severity score (original scale) and their mean, with percentile bootstrap CIs.

    Keys are "r2_<name>" per column and "r2_mean" (the unweighted mean over columns, as
    scikit-learn's multioutput="uniform_average"). Stays with a missing score are left out of
    that score's R^2 only.
    """
    yt = np.asarray(y_true, dtype=float)
    yp = np.asarray(y_pred, dtype=float)
    names = list(names)
    if yt.ndim == 1:
        yt, yp = yt[:, None], yp.reshape(-1, 1)
    if yt.shape != yp.shape or yt.ndim != 2:
        raise ValueError(f"y_true {yt.shape} and y_pred {yp.shape} must both be (n, k) arrays")
    if yt.shape[1] != len(names):
        raise ValueError(f"{len(names)} names {names} for {yt.shape[1]} score columns; expected one name per column")
    n, k = yt.shape

    point = _r2_columns(yt, yp, np.ones((1, n)))[0]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    blocks = []
    for start in range(0, n_resamples, _BLOCK):
        block = idx[start:start + _BLOCK]
        rows = block.shape[0]
        weights = np.bincount((np.arange(rows)[:, None] * n + block).ravel(),
                              minlength=rows * n).reshape(rows, n).astype(float)
        blocks.append(_r2_columns(yt, yp, weights))
    draws = np.concatenate(blocks)  # (n_resamples, k)

    result = {}
    columns = [(f"r2_{name}", point[j], draws[:, j]) for j, name in enumerate(names)]
    with np.errstate(invalid="ignore"):
        columns.append(("r2_mean", float(np.mean(point)), draws.mean(axis=1)))
    for key, value, samples in columns:
        lo, hi = _percentile_ci(samples, alpha)
        result[key] = {"value": float(value), "ci_low": lo, "ci_high": hi,
                       "n_resamples": int(np.isfinite(samples).sum())}
    return result


def summarize_over_seeds(per_seed: dict) -> dict[str, dict[str, dict]]:
    """Mean and sample sd over seeds of every metric value.

    `per_seed` maps seed -> {model: {metric: {"value": ...} | float}} (the "models" part of one
    seed's metrics.json); returns {model: {metric: {"mean", "sd", "n_seeds"}}}, sd nan for one seed.
    """
    collected: dict[str, dict[str, list[float]]] = {}
    for models in per_seed.values():
        for model, metrics in models.items():
            for metric, entry in metrics.items():
                value = entry.get("value") if isinstance(entry, dict) else entry
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    collected.setdefault(model, {}).setdefault(metric, []).append(float(value))
    summary: dict[str, dict[str, dict]] = {}
    for model, metrics in collected.items():
        for metric, values in metrics.items():
            arr = np.asarray(values, dtype=float)
            sd = float(np.std(arr, ddof=1)) if arr.size > 1 else math.nan
            summary.setdefault(model, {})[metric] = {"mean": float(np.mean(arr)), "sd": sd, "n_seeds": int(arr.size)}
    return summary
