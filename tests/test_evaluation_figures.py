"""Evaluation figures: the ROC band holds the curve, and every figure writes a PNG and nothing else."""
import numpy as np
import pytest

from models_py.evaluation_figures import (
    plot_auroc_forest,
    plot_calibration,
    plot_decision_curve,
    plot_roc_bands,
    plot_subgroup_forest,
    roc_band,
    roc_on_grid,
)
from models_py.subgroups import subgroup_metrics

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scored():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = 1 / (1 + np.exp(-(1.5 * y - 0.75 + rng.normal(size=300))))
    return y, p


def test_roc_band_holds_the_curve_and_a_perfect_model_is_a_corner(scored):
    y, p = scored
    tpr, low, high = roc_band(y, p, n_resamples=100)
    assert np.all(low <= tpr + 1e-9) and np.all(tpr <= high + 1e-9)
    assert tpr[0] >= 0 and tpr[-1] == pytest.approx(1.0)
    perfect = roc_on_grid(y, y.astype(float))
    assert np.allclose(perfect[1:], 1.0)


def test_every_figure_is_a_png(scored, tmp_path):
    y, p = scored
    curves = {"full": (y, p), "lstm": (y, np.clip(p + 0.1, 0, 1))}
    aurocs = {"full": {"value": 0.8, "ci_low": 0.75, "ci_high": 0.85}, "lstm": {"value": 0.7, "ci_low": 0.6,
                                                                               "ci_high": 0.8}}
    plot_roc_bands(curves, aurocs, tmp_path / "roc.png", n_resamples=50)
    plot_auroc_forest(aurocs, tmp_path / "auroc_forest.png")
    plot_calibration(curves, tmp_path / "calibration.png")
    plot_decision_curve(curves, tmp_path / "decision_curve.png")
    groups = np.where(np.arange(300) % 2 == 0, "F", "M")
    plot_subgroup_forest(subgroup_metrics(y, p, 0.5, {"gender": groups}, n_resamples=30), tmp_path / "subgroups.png")
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["auroc_forest.png", "calibration.png", "decision_curve.png", "roc.png", "subgroups.png"]
    assert all((tmp_path / name).read_bytes()[:8] == PNG for name in files)
