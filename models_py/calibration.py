"""Calibration: are the predicted probabilities risks? Measured with bootstrap CIs, and repaired.

- `calibration_metrics`: calibration intercept (calibration-in-the-large: the logistic intercept with
  the logit of the prediction as an offset, 0 when mean risk is right), calibration slope (logistic
  regression of the outcome on that logit, 1 when the spread is right), expected calibration error
  (10 equal-width bins, weighted by their size) and the observed/expected ratio, each as {value,
  ci_low, ci_high, n_resamples} like `metrics.bootstrap_binary`.
- `Recalibrator`: fitted on the validation split only; `logistic` (Platt scaling on the logit, the
  default) or `isotonic`. Its parameters are plain numbers, stored as JSON, so loading runs no code.
- `net_benefit`: the decision curve (Vickers): net benefit of treating when p >= threshold, beside
  treat-all; treat-none is 0 by definition.

Bootstrap resamples enter as integer weights per stay, so every resample's logistic fit runs in one
vectorised Newton iteration over all resamples at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.isotonic import IsotonicRegression

from models_py.metrics import _as_binary_inputs, _percentile_ci

CALIBRATION_METRICS = ("calibration_intercept", "calibration_slope", "ece", "oe_ratio")
RECALIBRATION_METHODS = ("logistic", "isotonic")
ECE_BINS = 10
# probabilities are clipped this far from 0 and 1 before taking the logit (a sigmoid that saturated
# in float32 gives exactly 0 or 1)
_EPS = 1e-6
_NEWTON_STEPS = 25
_BLOCK = 256


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1.0 - _EPS)
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _fit_logistic(y: np.ndarray, x: np.ndarray, w: np.ndarray, slope: bool) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic fits of y on x for each row of weights w (R, n).

    slope=True fits a + b*x; slope=False fits a with x as an offset (b fixed at 1). Returns (a, b) per
    row; nan where a fit does not exist (one class only, or separable data that never converges).
    """
    rows = w.shape[0]
    a = np.zeros(rows)
    b = np.ones(rows)
    for _ in range(_NEWTON_STEPS):
        mu = _sigmoid(a[:, None] + b[:, None] * x[None, :])
        resid = w * (y[None, :] - mu)
        info = w * mu * (1.0 - mu)
        g0 = resid.sum(axis=1)
        h00 = info.sum(axis=1)
        if not slope:
            a = a + np.divide(g0, h00, out=np.zeros(rows), where=h00 > 0)
            continue
        g1 = resid @ x
        h01 = info @ x
        h11 = info @ (x * x)
        det = h00 * h11 - h01 ** 2
        ok = det > 1e-12 * np.maximum(h00 * h11, 1e-300)
        safe = np.where(ok, det, 1.0)
        a = a + np.where(ok, (h11 * g0 - h01 * g1) / safe, 0.0)
        b = b + np.where(ok, (h00 * g1 - h01 * g0) / safe, 0.0)
    n_pos = w @ y
    n_all = w.sum(axis=1)
    undefined = (n_pos == 0) | (n_pos == n_all) | ~np.isfinite(a) | ~np.isfinite(b) | (np.abs(b) > 1e3)
    return np.where(undefined, np.nan, a), np.where(undefined, np.nan, b)


def _ece_and_oe(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ECE (equal-width bins) and observed/expected ratio for each row of weights w (R, n)."""
    bins = np.minimum((p * ECE_BINS).astype(int), ECE_BINS - 1)
    onehot = np.zeros((p.size, ECE_BINS))
    onehot[np.arange(p.size), bins] = 1.0
    observed = w @ (onehot * y[:, None])
    expected = w @ (onehot * p[:, None])
    n = w.sum(axis=1)
    ece = np.abs(observed - expected).sum(axis=1) / n
    total_expected = expected.sum(axis=1)
    oe = np.divide(observed.sum(axis=1), total_expected, out=np.full(n.shape, np.nan), where=total_expected > 0)
    return ece, oe


def _calibration_rows(y: np.ndarray, p: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    x = logit(p)
    intercept, _ = _fit_logistic(y, x, w, slope=False)
    _, slope = _fit_logistic(y, x, w, slope=True)
    ece, oe = _ece_and_oe(y, p, w)
    return {"calibration_intercept": intercept, "calibration_slope": slope, "ece": ece, "oe_ratio": oe}


def calibration_point(y_true, prob) -> dict[str, float]:
    y, p = _as_binary_inputs(y_true, prob)
    rows = _calibration_rows(y.astype(float), p, np.ones((1, y.size)))
    return {name: float(rows[name][0]) for name in CALIBRATION_METRICS}


def calibration_metrics(y_true, prob, n_resamples: int = 1000, seed: int = 0,
                        alpha: float = 0.05) -> dict[str, dict]:
    """Point estimates and percentile bootstrap CIs of the four calibration metrics."""
    y, p = _as_binary_inputs(y_true, prob)
    y = y.astype(float)
    point = calibration_point(y, p)
    idx = np.random.default_rng(seed).integers(0, y.size, size=(n_resamples, y.size))
    draws: dict[str, list[np.ndarray]] = {name: [] for name in CALIBRATION_METRICS}
    for start in range(0, n_resamples, _BLOCK):
        block = idx[start:start + _BLOCK]
        rows = block.shape[0]
        w = np.bincount((np.arange(rows)[:, None] * y.size + block).ravel(),
                        minlength=rows * y.size).reshape(rows, y.size).astype(float)
        for name, values in _calibration_rows(y, p, w).items():
            draws[name].append(values)
    result = {}
    for name in CALIBRATION_METRICS:
        samples = np.concatenate(draws[name])
        lo, hi = _percentile_ci(samples, alpha)
        result[name] = {"value": point[name], "ci_low": lo, "ci_high": hi,
                        "n_resamples": int(np.isfinite(samples).sum())}
    return result


def reliability_curve(y_true, prob, n_bins: int = ECE_BINS) -> dict[str, np.ndarray]:
    """Per equal-width bin: mean predicted probability, observed rate and count (empty bins dropped)."""
    y, p = _as_binary_inputs(y_true, prob)
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    keep = count > 0
    predicted = np.bincount(bins, weights=p, minlength=n_bins)[keep] / count[keep]
    observed = np.bincount(bins, weights=y, minlength=n_bins)[keep] / count[keep]
    return {"predicted": predicted, "observed": observed, "count": count[keep]}


@dataclass
class Recalibrator:
    """A monotone map from a model's probability to a recalibrated one, fitted on validation rows.

    logistic: p' = sigmoid(a + b * logit(p)); isotonic: a step function through (x, y) knots,
    interpolated linearly and clipped at the ends. `to_dict`/`from_dict` hold plain numbers only.
    """

    method: str
    a: float = 0.0
    b: float = 1.0
    knots_x: list[float] = field(default_factory=list)
    knots_y: list[float] = field(default_factory=list)
    n_fit: int = 0

    @classmethod
    def fit(cls, y_val, prob_val, method: str = "logistic") -> Recalibrator:
        if method not in RECALIBRATION_METHODS:
            raise ValueError(f"recalibration method {method!r}; expected one of {', '.join(RECALIBRATION_METHODS)}")
        y, p = _as_binary_inputs(y_val, prob_val)
        if y.min() == y.max():
            raise ValueError(f"recalibration needs both classes on the validation split; got {y.size} stays of "
                             f"one class")
        if method == "logistic":
            x, w = logit(p), np.ones((1, y.size))
            a, b = _fit_logistic(y.astype(float), x, w, slope=True)
            if not (math.isfinite(a[0]) and math.isfinite(b[0]) and b[0] > 0):
                # a slope <= 0 (a small or noisy validation split) would reverse the model's ranking: shift
                # the mean risk only (intercept with the logit as offset), which keeps the order
                a, _ = _fit_logistic(y.astype(float), x, w, slope=False)
                b = np.ones(1)
            if not math.isfinite(a[0]):
                raise ValueError("logistic recalibration did not converge (the validation split is separable)")
            return cls(method, a=float(a[0]), b=float(b[0]), n_fit=int(y.size))
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
        return cls(method, knots_x=[float(v) for v in iso.X_thresholds_],
                   knots_y=[float(v) for v in iso.y_thresholds_], n_fit=int(y.size))

    def transform(self, prob) -> np.ndarray:
        p = np.asarray(prob, dtype=float)
        if self.method == "logistic":
            return _sigmoid(self.a + self.b * logit(p))
        return np.interp(p, self.knots_x, self.knots_y)

    def to_dict(self) -> dict:
        return {"method": self.method, "a": self.a, "b": self.b, "knots_x": self.knots_x,
                "knots_y": self.knots_y, "n_fit": self.n_fit}

    @classmethod
    def from_dict(cls, data: dict) -> Recalibrator:
        return cls(str(data["method"]), float(data["a"]), float(data["b"]),
                   [float(v) for v in data["knots_x"]], [float(v) for v in data["knots_y"]], int(data["n_fit"]))


def net_benefit(y_true, prob, thresholds) -> dict[str, np.ndarray]:
    """Decision curve: net benefit of the model and of treating everyone at each threshold probability.

    net benefit = TP/n - FP/n * t/(1-t), treating when p >= t; treat-none is 0 everywhere.
    """
    y, p = _as_binary_inputs(y_true, prob)
    t = np.asarray(thresholds, dtype=float)
    if np.any((t <= 0) | (t >= 1)):
        raise ValueError("decision-curve thresholds must lie strictly between 0 and 1")
    n = y.size
    treated = p[None, :] >= t[:, None]
    tp = (treated & (y[None, :] == 1)).sum(axis=1)
    fp = (treated & (y[None, :] == 0)).sum(axis=1)
    odds = t / (1.0 - t)
    prevalence = y.mean()
    return {"threshold": t, "model": tp / n - fp / n * odds, "treat_all": prevalence - (1 - prevalence) * odds}
