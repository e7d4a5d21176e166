"""SHAP of P(class 1) w.r.t. static features: shapes, additivity, zero attribution for unused inputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from models_py.explain import ShapResult, shap_static, to_explanation

T, C, F = 12, 3, 5
NAMES = ["age", "sofa_first_day", "gender=F", "insurance=Medicaid", "insurance=Unknown"]


class TinyStudent(nn.Module):
    """The contract's forward on a small scale: [CLS] + transformer encoder over the series, heads on CLS + static."""

    def __init__(self, d_model: int = 16):
        super().__init__()
        self.proj = nn.Linear(C, d_model)
        self.cls = nn.Parameter(torch.randn(1, 1, d_model) * 0.1)
        layer = nn.TransformerEncoderLayer(d_model, 2, 32, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 1)
        self.cls_head = nn.Sequential(nn.Linear(d_model + F, 16), nn.Tanh(), nn.Dropout(0.2), nn.Linear(16, 2))
        self.reg_head = nn.Linear(d_model, 4)

    def forward(self, series, static):
        tokens = torch.cat([self.cls.expand(series.shape[0], -1, -1), self.proj(series)], dim=1)
        cls = self.encoder(tokens)[:, 0]
        return self.cls_head(torch.cat([cls, static], dim=1)), self.reg_head(cls)


class StaticLogit(nn.Module):
    """Class-1 logit linear in the static features; the series is ignored."""

    def __init__(self, weights):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(weights, dtype=torch.float32))

    def forward(self, series, static):
        logit = static @ self.w
        return torch.stack([torch.zeros_like(logit), logit], dim=1), torch.zeros(static.shape[0], 4)


@pytest.fixture(autouse=True)
def one_torch_thread():
    # Many small batches: one thread is as fast alone and far faster on a shared, busy machine.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _inputs(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, T, C)).astype(np.float32), rng.normal(size=(n, F)).astype(np.float32)


def test_shap_static_shapes_names_and_ranking_on_a_transformer():
    torch.manual_seed(0)
    model = TinyStudent().train()  # left in train mode on purpose: explained in eval(), restored after
    series, static = _inputs(120)
    bg_series, bg_static = _inputs(80, seed=1)
    result = shap_static(model, series, static, NAMES, background_size=40, n_explain=60, seed=0,
                         background_series=bg_series, background_static=bg_static)
    assert isinstance(result, ShapResult)
    assert result.values.shape == (60, F) and result.data.shape == (60, F)
    assert np.array_equal(result.data, static[result.row_index])
    assert len(set(result.row_index.tolist())) == 60
    assert result.feature_names == NAMES
    expected = sorted(NAMES, key=lambda n: -np.abs(result.values[:, NAMES.index(n)]).mean())
    assert [name for name, _ in result.mean_abs] == expected
    assert result.mean_abs[0][1] >= result.mean_abs[-1][1] > 0
    assert model.training, "the model's train/eval mode must be restored"

    # Output is P(class 1) of the model in eval mode.
    model.eval()
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(series[result.row_index]),
                                       torch.from_numpy(static[result.row_index]))[0], dim=1)[:, 1].numpy()
    np.testing.assert_allclose(result.output, expected, rtol=1e-5, atol=1e-6)

    # Expected gradients: static + series attributions + expected value ~ model output.
    gap = result.values.sum(axis=1) + result.series_total + result.base_value - result.output
    assert np.median(np.abs(gap)) < 0.02
    assert np.median(np.abs(result.values.sum(axis=1) + result.base_value - result.output)) > np.median(np.abs(gap))

    explanation = to_explanation(result)
    assert explanation.values.shape == (60, F) and list(explanation.feature_names) == NAMES


def test_shap_static_is_seeded_and_leaves_numpy_state_alone():
    torch.manual_seed(0)
    model = TinyStudent()
    series, static = _inputs(50)
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    a = shap_static(model, series, static, NAMES, background_size=20, n_explain=30, seed=3)
    after = np.random.random()
    b = shap_static(model, series, static, NAMES, background_size=20, n_explain=30, seed=3)
    assert before == after
    np.testing.assert_array_equal(a.values, b.values)
    # Another thread count changes float reduction order only, and applies to the call only.
    c = shap_static(model, series, static, NAMES, background_size=20, n_explain=30, seed=3, num_threads=2)
    np.testing.assert_allclose(a.values, c.values, rtol=1e-4, atol=1e-7)
    assert torch.get_num_threads() == 1
    # Without a separate background the background comes from the stays not explained.
    assert a.values.shape == (30, F)


def test_unused_inputs_get_zero_attribution_and_linear_logit_is_additive():
    weights = [1.5, 0.0, -0.7, 0.0, 0.3]
    model = StaticLogit(weights)
    series, static = _inputs(300, seed=2)
    result = shap_static(model, series, static, NAMES, background_size=100, n_explain=100, seed=0, n_samples=200)
    # No gradient reaches features with zero weight, nor the series.
    assert np.all(result.values[:, [1, 3]] == 0)
    assert np.all(result.series_total == 0)
    assert [name for name, _ in result.mean_abs[:3]] == ["age", "gender=F", "insurance=Unknown"]
    # Additivity holds in expectation (Monte-Carlo error of 200 path samples): the attributions
    # account for most of each stay's deviation from the expected value.
    gap = result.values.sum(axis=1) + result.base_value - result.output
    deviation = result.output - result.base_value
    assert np.median(np.abs(gap)) < 0.2 * np.median(np.abs(deviation))
    assert np.corrcoef(result.values.sum(axis=1), deviation)[0, 1] > 0.95


def test_shap_static_rejects_mismatched_names():
    series, static = _inputs(10)
    with pytest.raises(ValueError, match="5 columns but 2 feature_names"):
        shap_static(TinyStudent(), series, static, ["a", "b"])
