"""Calibration metrics, recalibration and decision curves on data whose true risk is known."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from models_py.calibration import (
    Recalibrator,
    calibration_metrics,
    calibration_point,
    logit,
    net_benefit,
    reliability_curve,
)


def _known_risk(n: int, seed: int):
    """Outcomes drawn from a logistic model: `risk` is the true probability of each stay."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    risk = 1.0 / (1.0 + np.exp(-(-1.5 + 1.2 * x)))
    return (rng.random(n) < risk).astype(int), risk


def _inflated(risk):
    """A monotone distortion like class-weighted training: probabilities pushed up and squeezed."""
    return 1.0 / (1.0 + np.exp(-(1.0 + 0.5 * logit(risk))))


def test_true_risk_is_calibrated_and_distorted_risk_is_not():
    y, risk = _known_risk(20000, 0)
    good = calibration_point(y, risk)
    assert abs(good["calibration_intercept"]) < 0.05
    assert abs(good["calibration_slope"] - 1) < 0.05
    assert good["ece"] < 0.02
    assert abs(good["oe_ratio"] - 1) < 0.05
    bad = calibration_point(y, _inflated(risk))
    assert bad["calibration_intercept"] < -0.5  # predicted risks too high
    assert bad["calibration_slope"] > 1.5  # and too narrow
    assert bad["oe_ratio"] < 0.8
    assert bad["ece"] > 0.1


def test_slope_and_intercept_agree_with_unpenalised_logistic_regression():
    y, risk = _known_risk(3000, 1)
    p = _inflated(risk)
    x = logit(p)
    fitted = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(x[:, None], y)
    point = calibration_point(y, p)
    assert point["calibration_slope"] == pytest.approx(fitted.coef_[0][0], abs=1e-4)
    # calibration-in-the-large: with the logit as offset the fitted mean risk equals the observed rate
    fitted_mean = np.mean(1 / (1 + np.exp(-(point["calibration_intercept"] + x))))
    assert fitted_mean == pytest.approx(y.mean(), abs=1e-6)


def test_bootstrap_cis_cover_the_point_and_are_reproducible():
    y, risk = _known_risk(1500, 2)
    first = calibration_metrics(y, risk, n_resamples=300, seed=5)
    assert first == calibration_metrics(y, risk, n_resamples=300, seed=5)
    for name, entry in first.items():
        assert entry["ci_low"] <= entry["value"] <= entry["ci_high"], name
        assert entry["n_resamples"] == 300
    assert first["calibration_slope"]["ci_low"] < 1 < first["calibration_slope"]["ci_high"]


@pytest.mark.parametrize("method", ["logistic", "isotonic"])
def test_recalibration_on_validation_repairs_the_test_split(method):
    y, risk = _known_risk(8000, 3)
    p = _inflated(risk)
    val, test = slice(0, 4000), slice(4000, None)
    recal = Recalibrator.fit(y[val], p[val], method)
    assert recal.n_fit == 4000
    raw = calibration_point(y[test], p[test])
    fixed = calibration_point(y[test], recal.transform(p[test]))
    assert abs(fixed["calibration_slope"] - 1) < 0.1
    assert fixed["ece"] < raw["ece"]
    # stored as plain numbers and restored to the same map
    again = Recalibrator.from_dict(recal.to_dict())
    np.testing.assert_allclose(again.transform(p[test]), recal.transform(p[test]))


def test_recalibration_refuses_a_single_class_and_unknown_method():
    with pytest.raises(ValueError, match="both classes"):
        Recalibrator.fit(np.zeros(10), np.linspace(0.1, 0.9, 10))
    with pytest.raises(ValueError, match="expected one of logistic, isotonic"):
        Recalibrator.fit(np.array([0, 1]), np.array([0.2, 0.8]), "beta")


def test_net_benefit_matches_hand_counts():
    y = np.array([1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
    p = np.array([0.9, 0.6, 0.55, 0.3, 0.2, 0.15, 0.1, 0.05, 0.05, 0.01])
    curve = net_benefit(y, p, [0.25, 0.5])
    # t=0.25: treated 0.9,0.6,0.55,0.3 -> TP 2, FP 2; NB = 2/10 - 2/10 * 1/3
    assert curve["model"][0] == pytest.approx(0.2 - 0.2 / 3)
    # t=0.5: TP 2, FP 1 -> 0.2 - 0.1
    assert curve["model"][1] == pytest.approx(0.1)
    assert curve["treat_all"][1] == pytest.approx(0.3 - 0.7)


def test_reliability_curve_bins():
    y = np.array([0, 1, 0, 1])
    p = np.array([0.05, 0.08, 0.91, 0.95])
    curve = reliability_curve(y, p)
    np.testing.assert_allclose(curve["observed"], [0.5, 0.5])
    np.testing.assert_allclose(curve["count"], [2, 2])


def test_logistic_recalibration_never_reverses_the_ranking():
    rng = np.random.default_rng(4)
    p = rng.uniform(0.05, 0.95, 40)
    y = (rng.random(40) < 1 - p).astype(int)  # a validation split where the model looks inverted
    recal = Recalibrator.fit(y, p)
    assert recal.b == 1.0
    order = np.argsort(p)
    assert np.all(np.diff(recal.transform(p)[order]) >= 0)
