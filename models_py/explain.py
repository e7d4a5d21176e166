"""SHAP values of the student's mortality probability with respect to the static features.

The model sees two inputs, the VIS series and the static vector; shap.GradientExplainer (expected
gradients) attributes the probability to both and we keep the static part. It works with
nn.TransformerEncoder because it only needs autograd (DeepExplainer needs per-op rules that
attention layers lack). Expected gradients are additive in expectation: the static attributions
plus the series attributions plus the expected value approximate the model output, so the series
total is kept too (`series_total`) to make that checkable.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shap
import torch
from torch import nn

# Interpolation samples per explained stay; all of one stay's samples go through one batch.
N_SAMPLES = 64


@dataclass
class ShapResult:
    """Static-feature SHAP values for the explained stays (rows in the order of `data`)."""

    values: np.ndarray  # (n, F) attribution of P(class 1) to each static feature
    data: np.ndarray  # (n, F) the static model inputs that were explained (preprocessed scale)
    feature_names: list[str]
    base_value: float  # expected P(class 1) over the background stays
    series_total: np.ndarray  # (n,) attribution of P(class 1) to the whole VIS series
    output: np.ndarray  # (n,) the model's P(class 1) for the explained stays
    row_index: np.ndarray  # (n,) positions of the explained stays in the arrays passed in
    mean_abs: list[tuple[str, float]] = field(default_factory=list)  # (feature, mean |SHAP|), desc


class _ClassOneProbability(nn.Module):
    """Wraps a (series, static) -> (cls_logits, reg) model into (series, static) -> P(class 1), shape (B, 1)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, series: torch.Tensor, static: torch.Tensor) -> torch.Tensor:
        out = self.model(series, static)
        logits = out[0] if isinstance(out, (tuple, list)) else out
        prob = torch.sigmoid(logits) if logits.shape[-1] == 1 else torch.softmax(logits, dim=-1)[:, 1:2]
        # Keeps both inputs in the autograd graph, so a model ignoring one gets zero attribution
        # for it instead of an autograd error.
        return prob + 0.0 * (series.sum(dim=(1, 2)) + static.sum(dim=1)).unsqueeze(1)


def _model_device(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def shap_static(model: nn.Module, series, static, feature_names, background_size: int = 100,
                n_explain: int = 500, seed: int = 0, background_series=None, background_static=None,
                n_samples: int = N_SAMPLES, num_threads: int | None = 1) -> ShapResult:
    """Explain P(class 1) of `model` w.r.t. the static features of up to `n_explain` stays.

    `series` (n, T, C) and `static` (n, F) are the preprocessed model inputs of the stays to explain
    (the test split). The background is a seeded sample of `background_size` stays from
    `background_series`/`background_static` (pass the training split); without them it is drawn
    from the passed stays that are not explained. Global numpy random state is left untouched.
    `num_threads` sets torch's CPU threads for this call only (None: leave them as they are). The
    work is one small batch of `n_samples` rows per stay; on a busy 2-core machine one thread was
    5x faster than two (bench/bench_shap.py --threads), hence the default of 1.
    """
    series = np.asarray(series, dtype=np.float32)
    static = np.asarray(static, dtype=np.float32)
    feature_names = [str(name) for name in feature_names]
    if series.ndim != 3 or static.ndim != 2 or series.shape[0] != static.shape[0]:
        raise ValueError(f"expected series (n, T, C) and static (n, F) with the same n; "
                         f"got {series.shape} and {static.shape}")
    if static.shape[1] != len(feature_names):
        raise ValueError(f"static has {static.shape[1]} columns but {len(feature_names)} feature_names were given")

    rng = np.random.default_rng(seed)
    order = rng.permutation(series.shape[0])
    explain_idx = np.sort(order[:n_explain])
    if background_series is None or background_static is None:
        pool_series, pool_static = series[order[n_explain:]], static[order[n_explain:]]
        if pool_series.shape[0] == 0:  # every stay is explained: the background comes from them too
            pool_series, pool_static = series, static
    else:
        pool_series = np.asarray(background_series, dtype=np.float32)
        pool_static = np.asarray(background_static, dtype=np.float32)
        if pool_series.shape[1:] != series.shape[1:] or pool_static.shape[1:] != static.shape[1:]:
            raise ValueError(f"background shapes {pool_series.shape}, {pool_static.shape} do not match "
                             f"the explained inputs {series.shape}, {static.shape}")
    background_idx = rng.choice(pool_series.shape[0], size=min(background_size, pool_series.shape[0]), replace=False)

    device = _model_device(model)
    was_training = model.training
    model.eval()
    wrapped = _ClassOneProbability(model).eval()
    bg = [torch.from_numpy(pool_series[background_idx]).to(device),
          torch.from_numpy(pool_static[background_idx]).to(device)]
    x = [torch.from_numpy(series[explain_idx]).to(device), torch.from_numpy(static[explain_idx]).to(device)]

    numpy_state = np.random.get_state()  # GradientExplainer seeds numpy's global generator
    threads = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    try:
        with torch.no_grad():
            base_value = float(wrapped(*bg).mean())
            output = wrapped(*x)[:, 0].cpu().numpy()
        explainer = shap.GradientExplainer(wrapped, bg, batch_size=n_samples)
        phis = explainer.shap_values(x, nsamples=n_samples, rseed=seed)
    finally:
        np.random.set_state(numpy_state)
        torch.set_num_threads(threads)
        model.train(was_training)

    series_phi, static_phi = (np.asarray(p) for p in phis)
    # One explained output: drop the trailing output axis shap adds.
    if static_phi.ndim == 3:
        static_phi, series_phi = static_phi[..., 0], series_phi[..., 0]
    mean_abs = np.abs(static_phi).mean(axis=0)
    ranking = sorted(zip(feature_names, mean_abs.tolist()), key=lambda item: -item[1])
    return ShapResult(
        values=static_phi,
        data=static[explain_idx],
        feature_names=feature_names,
        base_value=base_value,
        series_total=series_phi.reshape(series_phi.shape[0], -1).sum(axis=1),
        output=output,
        row_index=explain_idx,
        mean_abs=[(name, float(value)) for name, value in ranking],
    )


def to_explanation(result: ShapResult) -> shap.Explanation:
    """The static SHAP values as a shap.Explanation (for shap.plots.*)."""
    return shap.Explanation(
        values=result.values,
        base_values=np.full(result.values.shape[0], result.base_value),
        data=result.data,
        feature_names=result.feature_names,
    )
