"""Saliency over the 48 hours: integrated gradients of the student's mortality log-odds w.r.t. every
(hour, channel) input of the series, the static inputs held fixed (ICH's saliency maps, for a series).

Explained output: the log-odds of death, z_1 - z_0 of the primary head's two logits (= logit P(death)).
Log-odds, not the probability: attributions add up on the scale the model computes in (a +0.5 from
norepinephrine at hour 40 means the same shift whatever the rest of the stay), and the integrand is
smoother than the sigmoid's, so the quadrature needs fewer steps for completeness.

Baseline (the reference series every attribution is measured against), in model input space (after
preprocessing):
- "median" (default): per channel, the median of the preprocessed TRAINING series over stays and hours,
  the same value every hour. For a VIS dose that is mostly 0 (most stays are off most agents) it is
  the preprocessed value of "no infusion"; for a physiological variable it is a typical value; for an
  observation-mask channel it is the usual "measured or not". The attribution then answers "how much
  did this hour's value move the prediction away from a typical stay's".
- "zero": the all-zero series. After z-scoring that is every channel at its TRAINING MEAN (of the
  log1p dose for VIS channels): for a sparse agent that is a small positive dose every hour, which is
  no patient's course, hence not the default.
- an array (T, C) or (C,): any other reference, in model input space.

Completeness (the IG axiom): per stay, sum over (hour, channel) of attribution = output(x) -
output(baseline), up to the quadrature error. Gauss-Legendre quadrature (captum's default) is used;
stays whose error exceeds `tolerance` x max(|output - baseline_output|, 0.01) are redone with 4x the
steps, up to `max_steps`; the remaining error is in the result (`completeness_error`, relative). The
0.01 floor (a 1 % change in the odds) only matters for stays whose series barely moves the output:
there 1 % of the difference is below the float32 noise of summing a few hundred gradients. The
integrand has kinks (ReLUs), so the quadrature error falls like 1 / steps, not faster: most stays
meet 1 % at 16 steps, a few need 64-256.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import torch
from captum.attr import IntegratedGradients
from torch import nn

OUTPUT = "log-odds of death (z_1 - z_0 of the primary head; logit P(death))"


class MortalityLogOdds(nn.Module):
    """(series, static) -> (B,) log-odds of class 1 of a (series, static) -> (logits, ...) model."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, series: torch.Tensor, static: torch.Tensor) -> torch.Tensor:
        out = self.model(series, static)
        logits = out[0] if isinstance(out, (tuple, list)) else out
        if logits.shape[-1] == 1:
            return logits[:, 0]
        return logits[:, 1] - logits[:, 0]


@dataclass
class SaliencyResult:
    """Attributions of the explained stays, in the order they were passed."""

    stay_ids: np.ndarray         # (n,)
    channels: list[str]          # model input channels (C)
    attributions: np.ndarray     # (n, T, C) float32
    output: np.ndarray           # (n,) log-odds at the stay's series
    baseline_output: np.ndarray  # (n,) log-odds at the baseline series (same static inputs)
    completeness_error: np.ndarray  # (n,) |sum attr - (output - baseline_output)| / max(|output - baseline|, 0.01)
    n_steps: np.ndarray          # (n,) quadrature steps that stay needed
    baseline: np.ndarray         # (T, C) the baseline series

    def frame(self) -> pl.DataFrame:
        """Long format (saliency.parquet): stay_id, hr, channel, attribution, output, baseline_output."""
        n, hours, n_ch = self.attributions.shape
        return pl.DataFrame({
            "stay_id": np.repeat(self.stay_ids.astype(np.int64), hours * n_ch),
            "hr": np.tile(np.repeat(np.arange(hours, dtype=np.int32), n_ch), n),
            "channel": np.tile(np.asarray(self.channels, dtype=object), n * hours).tolist(),
            "attribution": self.attributions.reshape(-1).astype(np.float64),
            "output": np.repeat(self.output.astype(np.float64), hours * n_ch),
            "baseline_output": np.repeat(self.baseline_output.astype(np.float64), hours * n_ch),
        })


def channel_baseline(train_series: np.ndarray, kind: str = "median") -> np.ndarray:
    """(T, C) baseline from the preprocessed TRAINING series (n, T, C): per-channel median, or zeros."""
    train_series = np.asarray(train_series, dtype=np.float32)
    if kind == "zero":
        return np.zeros(train_series.shape[1:], dtype=np.float32)
    if kind != "median":
        raise ValueError(f"saliency baseline must be 'median' or 'zero', got {kind!r}")
    median = np.median(train_series.reshape(-1, train_series.shape[-1]), axis=0)
    return np.broadcast_to(median, train_series.shape[1:]).astype(np.float32).copy()


def integrated_gradients(model: nn.Module, series, static, stay_ids, channels: list[str], baseline,
                         n_steps: int = 16, max_steps: int = 1024, tolerance: float = 0.01,
                         floor: float = 0.01, batch_size: int = 64, num_threads: int | None = None) -> SaliencyResult:
    """Integrated gradients of the mortality log-odds w.r.t. the series of every stay passed.

    series (n, T, C) and static (n, F): preprocessed model inputs; baseline: (T, C) or (C,) in the same
    space (see `channel_baseline`). Each stay starts at `n_steps` Gauss-Legendre nodes; stays whose
    completeness error exceeds `tolerance` (relative to |output - baseline_output|, or to `floor` where
    that difference is smaller: a stay whose series moves the odds by under 1 %, where 1 % of the
    difference would be below float32 noise of the summed gradients) are redone at 4x the steps up to
    `max_steps`. The model is put in eval mode (dropout off) and restored afterwards.
    """
    series = np.asarray(series, dtype=np.float32)
    static = np.asarray(static, dtype=np.float32)
    if series.ndim != 3 or static.ndim != 2 or series.shape[0] != static.shape[0]:
        raise ValueError(f"saliency: expected series (n, T, C) and static (n, F) with the same n; got "
                         f"{series.shape} and {static.shape}")
    if series.shape[2] != len(channels):
        raise ValueError(f"saliency: series has {series.shape[2]} channels but {len(channels)} names were given")
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float32), series.shape[1:]).copy()
    n = series.shape[0]
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    was_training = model.training
    model.eval()
    threads = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    wrapped = MortalityLogOdds(model).eval()
    ig = IntegratedGradients(wrapped)
    attributions = np.zeros_like(series)
    output, baseline_output = np.zeros(n), np.zeros(n)
    steps_used, error = np.zeros(n, dtype=np.int64), np.full(n, np.inf)
    try:
        base_t = torch.from_numpy(base).to(device)
        with torch.no_grad():
            for start in range(0, n, 1024):
                x = torch.from_numpy(series[start:start + 1024]).to(device)
                s = torch.from_numpy(static[start:start + 1024]).to(device)
                output[start:start + len(x)] = wrapped(x, s).double().cpu().numpy()
                baseline_output[start:start + len(x)] = wrapped(base_t.expand_as(x), s).double().cpu().numpy()
        todo, steps = np.arange(n), n_steps
        while todo.size and steps <= max_steps:
            # stays per call so that one forward pass holds about batch_size x 16 series
            chunk = max(1, batch_size * 16 // steps)
            for start in range(0, todo.size, chunk):
                rows = todo[start:start + chunk]
                x = torch.from_numpy(series[rows]).to(device)
                s = torch.from_numpy(static[rows]).to(device)
                attr = ig.attribute(x, baselines=base_t.unsqueeze(0).expand_as(x), additional_forward_args=(s,),
                                    n_steps=steps, method="gausslegendre")
                attributions[rows] = attr.detach().cpu().numpy()
            steps_used[todo] = steps
            diff = output[todo] - baseline_output[todo]
            total = attributions[todo].reshape(todo.size, -1).sum(axis=1, dtype=np.float64)
            error[todo] = np.abs(total - diff) / np.maximum(np.abs(diff), floor)
            todo = todo[error[todo] > tolerance]
            steps *= 4
    finally:
        torch.set_num_threads(threads)
        model.train(was_training)
    return SaliencyResult(stay_ids=np.asarray(stay_ids), channels=list(channels), attributions=attributions,
                          output=output, baseline_output=baseline_output, completeness_error=error,
                          n_steps=steps_used, baseline=base)


def write_parquet(result: SaliencyResult, path) -> Path:
    """saliency.parquet (long format, `SaliencyResult.frame`) through a temp file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".parquet", dir=path.parent)
    os.close(fd)
    try:
        result.frame().write_parquet(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def plot_saliency(result: SaliencyResult, outcome, path) -> None:
    """saliency.png: mean |attribution| by hour x channel, deaths and survivors side by side (one scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .evaluation_figures import save_figure

    outcome = np.asarray(outcome)
    groups = [(f"deaths (n={int((outcome == 1).sum())})", outcome == 1),
              (f"survivors (n={int((outcome == 0).sum())})", outcome == 0)]
    maps = [np.abs(result.attributions[rows]).mean(axis=0) if rows.any()
            else np.zeros(result.attributions.shape[1:]) for _, rows in groups]
    vmax = max(float(m.max()) for m in maps) or 1.0
    n_ch = len(result.channels)
    fig, axes = plt.subplots(1, 2, figsize=(13, 1.2 + 0.32 * n_ch), sharey=True, squeeze=False)
    for ax, (title, _), grid in zip(axes[0], groups, maps):
        image = ax.imshow(grid.T, aspect="auto", cmap="magma", vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(title)
        ax.set_xlabel("hour since ICU admission")
    axes[0, 0].set_yticks(range(n_ch), result.channels, fontsize=8)
    fig.colorbar(image, ax=axes[0].tolist(), label="mean |attribution| (log-odds)")
    fig.suptitle("Integrated gradients of the mortality log-odds over the 48 hours", y=1.02)
    save_figure(fig, path)


def plot_top_stays(result: SaliencyResult, curves, path, curve_names: list[str] | None = None,
                   n_stays: int = 6) -> None:
    """Per-stay figure for the `n_stays` highest-risk stays: the dose curves (`curves` (n, T, C'), e.g. the
    raw doses, rows in result order) over hours shaded by the hour's total attribution (red raises the
    predicted risk, blue lowers it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from .evaluation_figures import save_figure

    curves = np.asarray(curves, dtype=np.float64)
    names = curve_names or result.channels[:curves.shape[2]]
    top = np.argsort(-result.output)[:n_stays]
    per_hour = result.attributions[top].sum(axis=2)  # (k, T)
    limit = float(np.abs(per_hour).max()) or 1.0
    norm, cmap = TwoSlopeNorm(0.0, -limit, limit), plt.get_cmap("coolwarm")
    fig, axes = plt.subplots(len(top), 1, figsize=(11, 2.2 * len(top)), sharex=True, squeeze=False)
    for ax, row, hours in zip(axes[:, 0], top, per_hour):
        for t, value in enumerate(hours):
            ax.axvspan(t - 0.5, t + 0.5, color=cmap(norm(value)), alpha=0.5, lw=0)
        active = [c for c in range(curves.shape[2]) if np.nanmax(np.abs(curves[row, :, c])) > 0]
        for c in active:
            ax.plot(np.arange(curves.shape[1]), curves[row, :, c], lw=1.4, label=names[c])
        ax.set_title(f"stay {result.stay_ids[row]}: log-odds {result.output[row]:.2f} "
                     f"(baseline {result.baseline_output[row]:.2f})", fontsize=9, loc="left")
        if active:
            ax.legend(fontsize=7, loc="upper left", ncol=min(4, len(active)))
    axes[-1, 0].set_xlabel("hour since ICU admission")
    fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes[:, 0].tolist(),
                 label="attribution of the hour (log-odds)")
    save_figure(fig, path)
