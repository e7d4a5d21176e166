"""Metrics agree with scikit-learn; bootstrap CIs behave; Youden threshold and undefined ratios."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    r2_score,
    roc_auc_score,
)

from models_py import metrics as M


def _scores(n: int, seed: int, rounding: int | None = None):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    p = 1 / (1 + np.exp(-(1.2 * y + rng.normal(size=n) - 1.0)))
    return y, (np.round(p, rounding) if rounding is not None else p)


@pytest.mark.parametrize("n, seed, rounding", [(50, 0, None), (400, 1, 2), (2000, 2, 1), (31, 3, None)])
@pytest.mark.parametrize("threshold", [0.2, 0.4, 0.7])
def test_binary_metrics_agree_with_sklearn(n, seed, rounding, threshold):
    y, p = _scores(n, seed, rounding)
    got = M.binary_metrics(y, p, threshold)
    assert set(got) == set(M.BINARY_METRICS)

    tn, fp, fn, tp = confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1]).ravel()
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    expected = {
        "auroc": roc_auc_score(y, p),
        "auprc": average_precision_score(y, p),
        "brier": brier_score_loss(y, p),
        "sensitivity": sens,
        "specificity": spec,
        "ppv": tp / (tp + fp) if tp + fp else math.nan,
        "npv": tn / (tn + fn) if tn + fn else math.nan,
        "plr": sens / (1 - spec) if spec < 1 else math.nan,
        "nlr": (1 - sens) / spec if spec > 0 else math.nan,
        "accuracy": (tp + tn) / n,
    }
    for name, value in expected.items():
        if math.isnan(value):
            assert math.isnan(got[name]), name
        else:
            assert got[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name


def test_threshold_is_inclusive():
    # predicted positive iff prob >= threshold
    got = M.binary_metrics([0, 1, 1], [0.2, 0.5, 0.9], 0.5)
    assert got["sensitivity"] == 1.0 and got["specificity"] == 1.0


def test_undefined_ratios_are_nan_not_errors():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.4])
    nothing_flagged = M.binary_metrics(y, p, 0.99)
    assert math.isnan(nothing_flagged["ppv"])  # no predicted positive
    assert nothing_flagged["specificity"] == 1.0 and math.isnan(nothing_flagged["plr"])  # sens / 0
    everything_flagged = M.binary_metrics(y, p, 0.0)
    assert math.isnan(everything_flagged["npv"]) and math.isnan(everything_flagged["nlr"])  # spec = 0
    one_class = M.binary_metrics([1, 1, 1], [0.2, 0.6, 0.9], 0.5)
    assert math.isnan(one_class["auroc"]) and math.isnan(one_class["specificity"])
    assert one_class["sensitivity"] == pytest.approx(2 / 3)


def test_youden_threshold_hand_made_example_prefers_higher_on_ties():
    y = [0, 0, 1, 0, 1, 1]
    p = [0.1, 0.3, 0.35, 0.4, 0.8, 0.9]
    # J = 2/3 both at 0.8 (tpr 2/3, fpr 0) and at 0.35 (tpr 1, fpr 1/3): the higher threshold wins.
    assert M.youden_threshold(y, p) == 0.8
    # Without the tie, the unique maximum is taken.
    assert M.youden_threshold([0, 1, 0, 1, 1], [0.1, 0.3, 0.5, 0.7, 0.9]) == 0.7


def test_youden_threshold_maximises_j_over_observed_probabilities():
    y, p = _scores(500, 7, rounding=2)
    best = M.youden_threshold(y, p)
    j_best = M.binary_metrics(y, p, best)["sensitivity"] + M.binary_metrics(y, p, best)["specificity"]
    for t in np.unique(p):
        m = M.binary_metrics(y, p, t)
        assert m["sensitivity"] + m["specificity"] <= j_best + 1e-12


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match="both classes"):
        M.youden_threshold([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="one probability per label"):
        M.binary_metrics([0, 1], [0.1], 0.5)
    with pytest.raises(ValueError, match="non-finite"):
        M.binary_metrics([0, 1], [0.1, float("nan")], 0.5)
    with pytest.raises(ValueError, match="finite probability cut-off"):
        M.bootstrap_binary([0, 1], [0.1, 0.3], float("nan"))
    with pytest.raises(ValueError, match="0/1 labels"):
        M.binary_metrics([0, 2], [0.1, 0.3], 0.5)


def test_bootstrap_cis_contain_point_and_narrow_with_n():
    widths = []
    for n in (200, 3000):
        y, p = _scores(n, 11)
        boot = M.bootstrap_binary(y, p, 0.3, n_resamples=1000, seed=0)
        point = M.binary_metrics(y, p, 0.3)
        for name in M.BINARY_METRICS:
            entry = boot[name]
            assert entry["value"] == pytest.approx(point[name])
            assert entry["ci_low"] <= entry["value"] <= entry["ci_high"], name
            assert entry["n_resamples"] == 1000
        widths.append(boot["auroc"]["ci_high"] - boot["auroc"]["ci_low"])
    assert widths[1] < widths[0] / 2  # CI width shrinks roughly like 1/sqrt(n)


def test_bootstrap_matches_sklearn_on_the_same_resample():
    # The vectorised resample scoring equals scikit-learn applied to an explicit resample.
    y, p = _scores(300, 5, rounding=2)
    rng = np.random.default_rng(42)
    idx = rng.integers(0, y.size, size=(1, y.size))
    values, group = np.unique(p, return_inverse=True)
    pos = np.bincount(group[idx[0]], weights=y[idx[0]], minlength=values.size)[None]
    neg = np.bincount(group[idx[0]], minlength=values.size)[None] - pos
    scored = M._metrics_from_counts(pos, neg, values, 0.3)
    assert scored["auroc"][0] == pytest.approx(roc_auc_score(y[idx[0]], p[idx[0]]))
    assert scored["auprc"][0] == pytest.approx(average_precision_score(y[idx[0]], p[idx[0]]))
    assert scored["brier"][0] == pytest.approx(brier_score_loss(y[idx[0]], p[idx[0]]))


def test_bootstrap_is_seeded_deterministic():
    y, p = _scores(300, 3)
    a = M.bootstrap_binary(y, p, 0.3, seed=1)
    b = M.bootstrap_binary(y, p, 0.3, seed=1)
    c = M.bootstrap_binary(y, p, 0.3, seed=2)
    assert a == b
    assert a["auroc"]["ci_low"] != c["auroc"]["ci_low"]


def test_bootstrap_skips_single_class_resamples_and_counts_them():
    y = np.array([0, 0, 0, 0, 0, 0, 0, 1])
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    boot = M.bootstrap_binary(y, p, 0.5, n_resamples=1000, seed=0)
    # P(no positive in 8 draws) = (7/8)^8 ~ 0.34: about a third of the resamples are skipped.
    assert 550 < boot["auroc"]["n_resamples"] < 780
    assert boot["auroc"]["value"] == 1.0 and boot["auroc"]["ci_low"] == 1.0


def test_bootstrap_r2_agrees_with_sklearn_and_handles_missing_targets():
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=(400, 3)) * [3.0, 10.0, 2.0] + [5.0, 30.0, 4.0]
    y_pred = y_true + rng.normal(size=(400, 3)) * [1.5, 8.0, 3.0]
    r2 = M.bootstrap_r2(y_true, y_pred, ["sofa", "sapsii", "lods"], n_resamples=500, seed=0)
    assert set(r2) == {"r2_sofa", "r2_sapsii", "r2_lods", "r2_mean"}
    for j, name in enumerate(["sofa", "sapsii", "lods"]):
        assert r2[f"r2_{name}"]["value"] == pytest.approx(r2_score(y_true[:, j], y_pred[:, j]))
        assert r2[f"r2_{name}"]["ci_low"] <= r2[f"r2_{name}"]["value"] <= r2[f"r2_{name}"]["ci_high"]
    assert r2["r2_mean"]["value"] == pytest.approx(r2_score(y_true, y_pred))
    assert r2["r2_lods"]["value"] < 0  # worse than the mean: R^2 is not clipped

    # A missing score leaves that stay out of that score's R^2 only.
    y_missing = y_true.copy()
    y_missing[:50, 0] = np.nan
    r2m = M.bootstrap_r2(y_missing, y_pred, ["sofa", "sapsii", "lods"], n_resamples=200, seed=0)
    assert r2m["r2_sofa"]["value"] == pytest.approx(r2_score(y_true[50:, 0], y_pred[50:, 0]))
    assert r2m["r2_sapsii"]["value"] == pytest.approx(r2_score(y_true[:, 1], y_pred[:, 1]))

    with pytest.raises(ValueError, match="one name per column"):
        M.bootstrap_r2(y_true, y_pred, ["sofa"])


def test_r2_without_spread_is_nan_and_large_offsets_keep_precision():
    rng = np.random.default_rng(1)
    constant = np.full((50, 1), 7.0)
    r2 = M.bootstrap_r2(constant, constant + rng.normal(size=(50, 1)), ["sofa"], n_resamples=50)
    assert math.isnan(r2["r2_sofa"]["value"]) and math.isnan(r2["r2_sofa"]["ci_low"])
    # A score far from zero (e.g. a timestamp-sized offset) still matches scikit-learn.
    y = rng.normal(size=(300, 1)) + 1e7
    pred = y + rng.normal(size=(300, 1)) * 0.5
    assert M.bootstrap_r2(y, pred, ["x"], n_resamples=50)["r2_x"]["value"] == pytest.approx(r2_score(y, pred), rel=1e-9)


def test_summarize_over_seeds():
    per_seed = {
        0: {"full": {"auroc": {"value": 0.80, "ci_low": 0.7, "ci_high": 0.9}, "threshold": 0.4}},
        1: {"full": {"auroc": {"value": 0.84, "ci_low": 0.7, "ci_high": 0.9}, "threshold": 0.5}},
    }
    summary = M.summarize_over_seeds(per_seed)
    assert summary["full"]["auroc"]["mean"] == pytest.approx(0.82)
    assert summary["full"]["auroc"]["sd"] == pytest.approx(np.std([0.80, 0.84], ddof=1))
    assert summary["full"]["threshold"]["n_seeds"] == 2
    assert math.isnan(M.summarize_over_seeds({0: per_seed[0]})["full"]["auroc"]["sd"])


def test_paired_auroc_difference():
    rng = np.random.default_rng(4)
    n = 1500
    y = (rng.random(n) < 0.25).astype(int)
    noise = rng.normal(size=n)
    better = 1.5 * y + noise
    worse = 1.5 * y + noise + rng.normal(size=n)
    diff = M.bootstrap_auroc_difference(y, better, worse, n_resamples=1000, seed=0)
    assert diff["value"] == pytest.approx(roc_auc_score(y, better) - roc_auc_score(y, worse))
    assert 0 < diff["ci_low"] <= diff["value"] <= diff["ci_high"]
    # Pairing: the difference CI is narrower than either model's own AUROC CI.
    own = M.bootstrap_binary(y, worse, 0.5, n_resamples=1000, seed=0)["auroc"]
    assert diff["ci_high"] - diff["ci_low"] < own["ci_high"] - own["ci_low"]
    same = M.bootstrap_auroc_difference(y, better, better, n_resamples=200, seed=0)
    assert same == {"value": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n_resamples": 200}


def test_bootstrap_counts_resamples_per_metric():
    # Only one stay (a negative) is flagged: PPV is undefined in every resample that misses it.
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.9, 0.3, 0.4, 0.5])
    boot = M.bootstrap_binary(y, p, 0.9, n_resamples=1000, seed=0)
    assert boot["ppv"]["value"] == 0.0 and boot["ppv"]["ci_high"] == 0.0
    assert boot["ppv"]["n_resamples"] < boot["auroc"]["n_resamples"] - 200
    assert boot["sensitivity"]["n_resamples"] == boot["auroc"]["n_resamples"]
