"""Subgroup metrics agree with scikit-learn on fixed inputs; gaps and bands behave."""
import math

import numpy as np
import pytest
from sklearn.metrics import recall_score, roc_auc_score

from models_py.subgroups import age_band, largest_gaps, subgroup_metrics


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], size=n)
    y = rng.integers(0, 2, size=n)
    # the model is sharper for men than for women
    noise = np.where(sex == "M", 0.5, 2.0)
    p = 1 / (1 + np.exp(-(2 * y - 1 + noise * rng.normal(size=n))))
    return y, p, sex


def test_subgroup_metrics_agree_with_scikit_learn():
    y, p, sex = _data()
    table = subgroup_metrics(y, p, 0.5, {"gender": sex}, n_resamples=100)
    assert table.height == 2
    for row in table.iter_rows(named=True):
        member = sex == row["group"]
        assert row["n"] == member.sum()
        assert row["n_pos"] == y[member].sum()
        assert row["auroc"] == pytest.approx(roc_auc_score(y[member], p[member]))
        assert row["sensitivity"] == pytest.approx(recall_score(y[member], p[member] >= 0.5))
        assert row["specificity"] == pytest.approx(recall_score(1 - y[member], p[member] < 0.5))
        assert row["auroc_ci_low"] <= row["auroc"] <= row["auroc_ci_high"]
        assert math.isfinite(row["calibration_intercept"])


def test_largest_gap_names_the_weaker_group():
    y, p, sex = _data()
    gaps = largest_gaps(subgroup_metrics(y, p, 0.5, {"gender": sex}, n_resamples=50))
    row = gaps.row(0, named=True)
    assert (row["lowest_group"], row["highest_group"]) == ("F", "M")
    assert row["gap"] > 0.1


def test_single_class_group_is_listed_without_auroc_and_missing_values_form_a_group():
    y = np.array([0, 0, 0, 1, 0, 1, 1, 0])
    p = np.linspace(0.1, 0.8, 8)
    unit = ["A", "A", "A", None, "B", "B", "B", "B"]
    table = subgroup_metrics(y, p, 0.5, {"unit": unit}, n_resamples=20)
    by_group = {r["group"]: r for r in table.iter_rows(named=True)}
    assert set(by_group) == {"A", "B", "missing"}
    assert math.isnan(by_group["A"]["auroc"])
    assert by_group["A"]["specificity"] == pytest.approx(1.0)
    assert largest_gaps(table, min_n=1).height == 0  # only B has both classes


def test_age_bands():
    assert list(age_band([17, 18, 44.9, 45, 64, 65, 79, 80, 101, float("nan")])) == [
        "<18", "18-44", "18-44", "45-64", "45-64", "65-79", "65-79", "80+", "80+", "missing"]


def test_mismatched_attribute_length_is_one_line_naming_it():
    with pytest.raises(ValueError, match="'gender' has 2 values for 3 stays"):
        subgroup_metrics([0, 1, 0], [0.1, 0.9, 0.2], 0.5, {"gender": ["F", "M"]})
