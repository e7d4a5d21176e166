"""Run figures and the SHAP table: ROC curves, loss curves, SHAP beeswarm, shap_top.csv.

Every file is written to a temporary name next to it, then renamed (`atomic_path`).
"""
from __future__ import annotations

import csv
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures go to files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shap  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from models_py.explain import ShapResult, to_explanation  # noqa: E402
from models_py.metrics import binary_metrics  # noqa: E402

# Row order of every table; models not listed follow in the order they appear.
MODEL_ORDER = (
    "full", "no_kd", "no_mt", "no_mae", "lstm", "logreg",
    "gbm_summary", "logreg_summary", "ensemble_summary", "ensemble_all",
    "score_sofa_first_day", "score_sapsii", "score_lods", "score_oasis",
    "teacher_untrained", "teacher_probe",
)
@contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save_figure(fig, path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format="png")
    plt.close(fig)


def ordered(models) -> list[str]:
    models = list(models)
    known = [m for m in MODEL_ORDER if m in models]
    return known + [m for m in models if m not in MODEL_ORDER]


def _roc_points(y_true: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fpr, tpr) at every distinct probability, from (0, 0) to (1, 1)."""
    order = np.argsort(-prob, kind="mergesort")
    y, p = y_true[order], prob[order]
    last_of_group = np.r_[np.diff(p) != 0, True]
    tps = np.cumsum(y)[last_of_group]
    fps = np.cumsum(1 - y)[last_of_group]
    return np.r_[0.0, fps / max(fps[-1], 1)], np.r_[0.0, tps / max(tps[-1], 1)]


def plot_roc(curves: dict[str, tuple[np.ndarray, np.ndarray]], path) -> None:
    """One ROC plot for all models (model -> (y_true, prob)), AUROC in the legend."""
    fig, ax = plt.subplots(figsize=(6, 6))
    colours = plt.get_cmap("tab20").colors
    for i, model in enumerate(ordered(curves)):
        y_true, prob = (np.asarray(a) for a in curves[model])
        auroc = binary_metrics(y_true, prob, 0.5)["auroc"]
        fpr, tpr = _roc_points(y_true.astype(int), prob.astype(float))
        # Severity scores dashed, reference teachers dotted, trained models solid.
        style = "--" if model.startswith("score_") else (":" if model.startswith("teacher_") else "-")
        ax.plot(fpr, tpr, lw=1.5, ls=style, color=colours[(2 * i) % 20 + (i // 10) % 2],
                label=f"{model} (AUROC {auroc:.4f})")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.set(xlabel="1 - specificity (false positive rate)", ylabel="sensitivity (true positive rate)",
           title="ROC curves, test split", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower right", fontsize=8)
    _save_figure(fig, path)


def plot_loss_curves(histories: dict[str, dict[str, list[float]]], path,
                     best_epochs: dict[str, int] | None = None) -> None:
    """One panel per stage/model, titled with its model name; losses on the left axis, the validation
    AUROC that early stopping reads on a right axis, and the restored best epoch as a vertical line."""
    histories = {name: {k: v for k, v in h.items() if isinstance(v, list) and v} for name, h in histories.items()}
    names = [name for name in histories if histories[name]]  # stage order as given (mae first)
    if not names:
        raise ValueError("plot_loss_curves got no history to plot")
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.4 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        auroc_ax = None
        for series_name, values in histories[name].items():
            epochs = np.arange(1, len(values) + 1)
            if "auroc" in series_name.lower():
                auroc_ax = auroc_ax or ax.twinx()
                auroc_ax.plot(epochs, values, color="tab:green", ls="--", marker=".", label=series_name)
                auroc_ax.set_ylabel("AUROC")
            else:
                ax.plot(epochs, values, marker=".", label=series_name)
        best = (best_epochs or {}).get(name)
        if best is not None and "auroc" in " ".join(histories[name]):  # early-stopped stages only
            ax.axvline(best + 1, color="grey", ls=":", lw=1, label=f"best epoch {best + 1}")
        ax.set(title=name, xlabel="epoch", ylabel="loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        handles, labels = ax.get_legend_handles_labels()
        if auroc_ax is not None:
            more_handles, more_labels = auroc_ax.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        ax.legend(handles, labels, fontsize=7)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    _save_figure(fig, path)


def plot_shap_beeswarm(result: ShapResult, path, max_display: int = 20) -> None:
    """shap.plots.beeswarm of the static-feature SHAP values."""
    shap.plots.beeswarm(to_explanation(result), max_display=max_display, show=False)
    fig = plt.gcf()
    fig.suptitle("SHAP values of P(ICU death), static features", fontsize=10)
    _save_figure(fig, path)


def write_shap_top(result: ShapResult, path_csv, k: int = 10) -> list[tuple[str, float]]:
    """shap_top.csv with columns feature, mean_abs_shap, rank (1 = largest); returns the rows written."""
    top = result.mean_abs[:k]
    with atomic_path(path_csv) as tmp:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["feature", "mean_abs_shap", "rank"])
            for rank, (feature, value) in enumerate(top, start=1):
                writer.writerow([feature, f"{value:.6f}", rank])
    return top
