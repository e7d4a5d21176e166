"""The scikit-learn baselines of the ablation table and the ensembles built from them.

- logreg: logistic regression on the static features + scores;
- score_<name>: one severity score alone, a monotone map of its value to a probability;
- gbm_summary / logreg_summary: per-channel min, max, mean, last, count + static features;
- ENSEMBLES: the mean probability of their members.
Each `fit_*` returns the fitted estimator; `SeedResult.add_fitted` scores every split with it.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from .dataset import Prepared

ENSEMBLES = {"ensemble_summary": ("gbm_summary", "logreg_summary"),
             "ensemble_all": ("full", "gbm_summary", "logreg_summary")}


def _training(features: np.ndarray, prep: Prepared) -> tuple[np.ndarray, np.ndarray]:
    return features[prep.rows["train"]], prep.splits["train"].label.astype(int)


def fit_logistic(features: np.ndarray, prep: Prepared, seed: int) -> LogisticRegression:
    """Class-balanced logistic regression (logreg on static features, score_<name> on one score)."""
    clf = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed)
    return clf.fit(*_training(features, prep))


def fit_gradient_boosting(features: np.ndarray, prep: Prepared, seed: int) -> HistGradientBoostingClassifier:
    """Gradient boosting on summary statistics + static features (missing values handled natively);
    early stopping on an internal 10 % of the training split, never on val/test."""
    clf = HistGradientBoostingClassifier(learning_rate=0.05, max_iter=500, max_leaf_nodes=15, min_samples_leaf=20,
                                         l2_regularization=1.0, early_stopping=True, validation_fraction=0.1,
                                         n_iter_no_change=30, random_state=seed)
    return clf.fit(*_training(features, prep))


def fit_summary_logistic(features: np.ndarray, prep: Prepared, seed: int) -> SummaryLogistic:
    return SummaryLogistic(seed).fit(*_training(features, prep))


class SummaryLogistic:
    """Training-median imputation + missing indicators + z-scoring, then an L2 logistic regression."""

    def __init__(self, seed: int):
        self.clf = LogisticRegression(C=0.1, max_iter=3000, random_state=seed)

    def _design(self, x: np.ndarray) -> np.ndarray:
        missing = np.isnan(x[:, self.sometimes_missing])
        filled = np.where(np.isnan(x), self.median, x)
        return np.concatenate([(filled - self.mean) / self.std, missing], axis=1)

    def fit(self, x: np.ndarray, y: np.ndarray) -> SummaryLogistic:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            self.median = np.nan_to_num(np.nanmedian(x, axis=0))
        self.sometimes_missing = np.isnan(x).any(axis=0)
        filled = np.where(np.isnan(x), self.median, x)
        self.mean, self.std = filled.mean(axis=0), filled.std(axis=0)
        self.std[self.std < 1e-8] = 1.0
        self.clf.fit(self._design(x), y)
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.clf.predict_proba(self._design(x))
