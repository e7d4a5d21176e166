"""Integrated-gradients saliency over the 48 hours (models_py/saliency.py) on a real, trained student.

The series are noise except one channel in known hours, which alone decides the label: a model that
learned it must put its attribution mass there, and every stay's attributions must add up to its
output minus the baseline output (completeness) within 1 %.
"""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import torch

from models_py.config import ModelConfig
from models_py.engine import SplitTensors, StageSettings, fit_supervised, safe_auroc
from models_py.models import MultitaskModel, SeriesEncoder
from models_py.saliency import (
    channel_baseline,
    integrated_gradients,
    plot_saliency,
    plot_top_stays,
)
from models_py.tasks import Task, classification_targets

HOURS, CHANNELS, INFORMATIVE, WINDOW = 48, 4, 2, slice(30, 36)


def _split(series, static, label, rows):
    return SplitTensors(series=torch.from_numpy(series[rows]), static=torch.from_numpy(static[rows]),
                        targets={"died": classification_targets(label[rows])}, label=label[rows],
                        stay_ids=np.asarray(rows))


@pytest.fixture(scope="module")
def trained():
    return train_window_student()


def train_window_student():
    """A small student trained on series where only channel 2 in hours 30-35 carries the label."""
    rng = np.random.default_rng(0)
    n = 600
    series = rng.normal(size=(n, HOURS, CHANNELS)).astype(np.float32)
    static = rng.normal(size=(n, 3)).astype(np.float32)
    signal = series[:, WINDOW, INFORMATIVE].mean(axis=1)
    label = (signal > 0.3).astype(np.float64)
    series[:, WINDOW, INFORMATIVE] += (2 * label[:, None] - 1) * 0.5  # make the window clearly separable
    torch.manual_seed(0)
    cfg = ModelConfig(d_model=16, n_heads=2, ffn_dim=32, n_layers=1, head_hidden=16, dropout=0.0,
                      attention_dropout=0.0, head_dropout=0.0)
    tasks = [Task("died", "binary", ("died",), 1.0)]
    model = MultitaskModel(encoder=SeriesEncoder(n_channels=CHANNELS, n_steps=HOURS, cfg=cfg), n_static=3,
                           score_indices=[], tasks=tasks, cfg=cfg)
    train, test = np.arange(0, 480), np.arange(480, n)
    fit_supervised(model, _split(series, static, label, train), _split(series, static, label, test), tasks,
                   StageSettings(epochs=20, lr=3e-3, weight_decay=0.0, batch_size=64, patience=20),
                   {"died": torch.ones(2)}, seed=0, progress=False)
    return model, series, static, label, train, test


def test_attribution_mass_lands_on_the_informative_channel_and_hours(trained):
    model, series, static, label, train, test = trained
    with torch.no_grad():
        prob = torch.softmax(model(torch.from_numpy(series[test]), torch.from_numpy(static[test]))[0], -1)[:, 1]
    assert safe_auroc(label[test], prob.numpy()) > 0.9, "the student did not learn the informative window"

    base = channel_baseline(series[train])
    rows = test[:60]
    result = integrated_gradients(model, series[rows], static[rows], rows, ["a", "b", "c", "d"], base)
    mass = np.abs(result.attributions)
    inside = mass[:, WINDOW, INFORMATIVE].sum() / mass.sum()
    # the window is 6 of 48 x 4 = 192 cells (3 %): a model that reads it puts ~45 % of its mass there
    # (the rest is spread thin over the other 186 cells), a model that does not about 3 %
    assert inside > 0.3, f"only {inside:.1%} of the attribution mass is on channel 2, hours 30-35"
    by_channel = mass.sum(axis=(0, 1))
    assert np.argmax(by_channel) == INFORMATIVE


def test_completeness_within_one_percent_for_every_stay(trained):
    model, series, static, _, train, test = trained
    rows = test[:60]  # every explained stay is checked; 60 keeps make test quick
    for kind in ("median", "zero"):
        base = channel_baseline(series[train], kind)
        result = integrated_gradients(model, series[rows], static[rows], rows, ["a", "b", "c", "d"], base)
        diff = result.output - result.baseline_output
        total = result.attributions.reshape(len(rows), -1).sum(axis=1, dtype=np.float64)
        # relative to |diff|, or to 0.01 log-odds (a 1 % odds change) for stays the series barely moves
        gap = np.abs(total - diff) / np.maximum(np.abs(diff), 0.01)
        assert gap.max() <= 0.01, f"{kind}: completeness error {gap.max():.2%} (stay {rows[np.argmax(gap)]})"
        np.testing.assert_allclose(result.completeness_error, gap, rtol=1e-6, atol=1e-9)


def test_frame_is_long_format_and_sums_back(trained, tmp_path):
    model, series, static, label, train, test = trained
    rows = test[:5]
    result = integrated_gradients(model, series[rows], static[rows], rows + 1000, ["a", "b", "c", "d"],
                                  channel_baseline(series[train]))
    frame = result.frame()
    assert frame.columns == ["stay_id", "hr", "channel", "attribution", "output", "baseline_output"]
    assert frame.height == 5 * HOURS * CHANNELS
    per_stay = frame.group_by("stay_id").agg(pl.col("attribution").sum(), pl.col("output").first(),
                                             pl.col("baseline_output").first()).sort("stay_id")
    np.testing.assert_array_equal(per_stay["stay_id"].to_numpy(), rows + 1000)
    np.testing.assert_allclose(per_stay["attribution"], per_stay["output"] - per_stay["baseline_output"],
                               rtol=0.01, atol=1e-5)
    one = frame.filter((pl.col("stay_id") == rows[0] + 1000) & (pl.col("hr") == 31) & (pl.col("channel") == "c"))
    assert one["attribution"][0] == pytest.approx(float(result.attributions[0, 31, 2]))

    outcome = label[rows]
    plot_saliency(result, outcome, tmp_path / "saliency.png")
    plot_top_stays(result, series[rows], tmp_path / "saliency_top.png", n_stays=3)
    assert (tmp_path / "saliency.png").stat().st_size > 10_000
    assert (tmp_path / "saliency_top.png").stat().st_size > 10_000


def test_bad_inputs_are_one_clear_line(trained):
    model, series, static, *_ = trained
    with pytest.raises(ValueError, match="channels"):
        integrated_gradients(model, series[:2], static[:2], [1, 2], ["a"], np.zeros(4))
    with pytest.raises(ValueError, match="baseline"):
        channel_baseline(series[:2], "mean")
