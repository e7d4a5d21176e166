"""The leak check: high leak-only AUROC on data built to leak, near 0.5 on data built not to."""
import numpy as np
import pytest

from models_py.leak import complete_window_rows, leak_check, padding_mask


def _cohort(leaks: bool, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    if leaks:  # deaths leave the ICU early far more often, as in MIMIC-IV
        short = rng.random(n) < np.where(y == 1, 0.7, 0.15)
    else:
        short = rng.random(n) < 0.3
    hours = np.where(short, rng.integers(1, 48, n), 48)
    prob = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.2, n), 0.001, 0.999)
    return y, prob, hours


def test_leak_only_auroc_is_high_when_built_to_leak_and_chance_otherwise():
    y, prob, hours = _cohort(leaks=True)
    assert leak_check(y, prob, hours, 48)["leak_only_auroc"] > 0.7
    y, prob, hours = _cohort(leaks=False)
    assert abs(leak_check(y, prob, hours, 48)["leak_only_auroc"] - 0.5) < 0.04


def test_complete_window_numbers():
    y, prob, hours = _cohort(leaks=True)
    check = leak_check(y, prob, hours, 48)
    complete = hours == 48
    assert check["n_test_complete_window"] == complete.sum()
    assert check["mortality_complete_window"] == pytest.approx(y[complete].mean())
    assert check["mortality_short_window"] > check["mortality_complete_window"]
    assert 0.5 < check["auroc_complete_window"] <= 1


def test_padding_mask_and_rows():
    mask = padding_mask([48, 1, 30], 48)
    assert mask.shape == (3, 48)
    assert mask.sum(axis=1).tolist() == [0, 47, 18]
    assert not mask[2, 29] and mask[2, 30]
    assert complete_window_rows([48, 1, 30, 48], 48).tolist() == [0, 3]
    with pytest.raises(ValueError, match="icu_hours_in_vis_window must lie in 1..48"):
        padding_mask([0, 48], 48)
