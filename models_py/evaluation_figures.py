"""Figures of the evaluation a reader can use: few curves, each with its uncertainty.

- `plot_roc_bands`: ROC curves of a handful of models with pointwise bootstrap bands (95 %).
- `plot_auroc_forest`: every model's AUROC with its CI, sorted.
- `plot_calibration`: reliability curves with a histogram of the predictions below.
- `plot_decision_curve`: net benefit against threshold, with treat-all and treat-none.
- `plot_subgroup_forest`: a metric per subgroup with CIs, one block per attribute.
Each writes a PNG through a temporary file and a rename.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from models_py.calibration import net_benefit, reliability_curve  # noqa: E402

FPR_GRID = np.linspace(0.0, 1.0, 101)


def save_figure(fig, path) -> None:
    """savefig to a temp file beside `path`, then rename (a reader never sees half a PNG)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".png", dir=path.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format="png")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
        plt.close(fig)


def roc_on_grid(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """TPR at FPR_GRID (the ROC curve's upper envelope, interpolated)."""
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    last = np.r_[np.diff(ps) != 0, True]
    tps = np.r_[0, np.cumsum(ys)[last]]
    fps = np.r_[0, np.cumsum(1 - ys)[last]]
    return np.interp(FPR_GRID, fps / max(fps[-1], 1), tps / max(tps[-1], 1))


def roc_band(y, p, n_resamples: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ROC at FPR_GRID and its pointwise 2.5/97.5 % bootstrap percentiles."""
    y = np.asarray(y).astype(int)
    p = np.asarray(p, dtype=float)
    rng = np.random.default_rng(seed)
    curves = []
    for _ in range(n_resamples):
        idx = rng.integers(0, y.size, y.size)
        if 0 < y[idx].sum() < y.size:
            curves.append(roc_on_grid(y[idx], p[idx]))
    curves = np.array(curves)
    return roc_on_grid(y, p), np.percentile(curves, 2.5, axis=0), np.percentile(curves, 97.5, axis=0)


def plot_roc_bands(curves: dict[str, tuple], aurocs: dict[str, dict], path, n_resamples: int = 200) -> None:
    """curves: model -> (y, p) for the few models shown; aurocs: model -> {value, ci_low, ci_high}."""
    fig, ax = plt.subplots(figsize=(6, 6))
    for i, (model, (y, p)) in enumerate(curves.items()):
        tpr, low, high = roc_band(y, p, n_resamples, seed=i)
        colour = plt.get_cmap("tab10")(i)
        a = aurocs.get(model, {})
        ax.plot(FPR_GRID, tpr, color=colour, lw=1.8,
                label=f"{model}: AUROC {a.get('value', float('nan')):.3f} "
                      f"({a.get('ci_low', float('nan')):.3f}-{a.get('ci_high', float('nan')):.3f})")
        ax.fill_between(FPR_GRID, low, high, color=colour, alpha=0.15, lw=0)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", xlim=(0, 1), ylim=(0, 1.01),
           title="ROC, test split (bands: 95 % bootstrap)")
    ax.legend(loc="lower right", fontsize=8)
    save_figure(fig, path)


def plot_auroc_forest(aurocs: dict[str, dict], path, title: str = "AUROC with 95 % CI, test split") -> None:
    names = sorted(aurocs, key=lambda m: aurocs[m]["value"])
    values = np.array([aurocs[m]["value"] for m in names])
    low = np.array([aurocs[m]["ci_low"] for m in names])
    high = np.array([aurocs[m]["ci_high"] for m in names])
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(names) + 1.2))
    y = np.arange(len(names))
    ax.errorbar(values, y, xerr=[values - low, high - values], fmt="o", color="#34495e", capsize=2, ms=4)
    ax.axvline(0.5, color="grey", ls=":", lw=1)
    ax.set_yticks(y, names, fontsize=8)
    ax.set(xlabel="AUROC", title=title)
    save_figure(fig, path)


def plot_calibration(curves: dict[str, tuple], path) -> None:
    """Reliability curves (top) and the distribution of predicted probabilities (bottom)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect calibration")
    bins = np.linspace(0, 1, 21)
    for i, (model, (y, p)) in enumerate(curves.items()):
        colour = plt.get_cmap("tab10")(i)
        curve = reliability_curve(y, p)
        top.plot(curve["predicted"], curve["observed"], marker="o", ms=3, color=colour, label=model)
        bottom.hist(np.asarray(p, dtype=float), bins=bins, histtype="step", color=colour)
    top.set(ylabel="observed mortality", xlim=(0, 1), ylim=(0, 1), title="Calibration, test split")
    top.legend(fontsize=8)
    bottom.set(xlabel="predicted probability", ylabel="stays")
    save_figure(fig, path)


def plot_decision_curve(curves: dict[str, tuple], path, thresholds=None) -> None:
    thresholds = np.linspace(0.01, 0.8, 80) if thresholds is None else np.asarray(thresholds)
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    treat_all = None
    for i, (model, (y, p)) in enumerate(curves.items()):
        nb = net_benefit(y, p, thresholds)
        treat_all = nb["treat_all"]
        ax.plot(thresholds, nb["model"], color=plt.get_cmap("tab10")(i), lw=1.6, label=model)
    if treat_all is not None:
        ax.plot(thresholds, treat_all, color="black", ls="--", lw=1, label="treat all")
        floor = min(-0.05, float(np.nanmin(treat_all[treat_all > -1])) if (treat_all > -1).any() else -0.05)
        ax.set_ylim(max(floor, -0.1), None)
    ax.axhline(0, color="grey", lw=1, label="treat none")
    ax.set(xlabel="threshold probability", ylabel="net benefit", title="Decision curve, test split")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def plot_subgroup_forest(table: pl.DataFrame, path, metric: str = "auroc") -> None:
    """One row per (attribute, group) with the metric and its CI; groups without a value are left out."""
    rows = table.filter(pl.col(metric).is_not_nan()).rows(named=True)
    colour_of = {a: plt.get_cmap("tab10")(i % 10) for i, a in enumerate(dict.fromkeys(r["attribute"] for r in rows))}
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * max(len(rows), 1) + 1.2))
    labels, y = [], np.arange(len(rows))
    for i, row in enumerate(rows):
        v, lo, hi = row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
        lo = v if lo is None or np.isnan(lo) else lo
        hi = v if hi is None or np.isnan(hi) else hi
        ax.errorbar([v], [i], xerr=[[v - lo], [hi - v]], fmt="o", ms=4, capsize=2,
                    color=colour_of[row["attribute"]])
        labels.append(f"{row['attribute']}: {row['group']} (n={row['n']})")
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set(xlabel=metric, title=f"{metric} by subgroup, test split (95 % CI)")
    save_figure(fig, path)
