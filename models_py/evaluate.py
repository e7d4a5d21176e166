"""Evaluation of one seed's models on the test split, and the run's choice of model.

Every number is computed on the test split with a percentile bootstrap CI; the decision threshold
and the model choice come from the validation split only (THRESHOLD_RULE, SELECTION_RULE).
"""
from __future__ import annotations

import math

from . import metrics
from .calibration import Recalibrator, calibration_metrics
from .config import Config
from .data import MartError
from .dataset import Prepared
from .stages import SeedResult

THRESHOLD_RULE = ("Youden's J maximised on the validation split (ties -> the higher threshold); "
                  "predicted positive iff probability >= threshold")
SELECTION_RULE = ("the highest validation AUROC (base seed) among the run's models; ties -> the model "
                  "trained first. pipelines/predict.py serves it when no --model is given")
REFERENCE_MODEL = "full"


def evaluate(result: SeedResult, prep: Prepared, cfg: Config) -> dict[str, dict]:
    """Test-split metrics with bootstrap CIs per model; threshold from the validation split."""
    y_val, y_test = prep.splits["val"].label, prep.splits["test"].label
    raw_test = prep.raw_scores[prep.rows["test"]]
    out = {}
    for name, probs in result.probabilities.items():
        threshold = metrics.youden_threshold(y_val, probs["val"])
        entry = metrics.bootstrap_binary(y_test, probs["test"], threshold,
                                         n_resamples=cfg.eval.bootstrap_resamples, seed=prep.seed)
        if name in result.regression:
            entry.update(metrics.bootstrap_r2(raw_test, result.regression[name], cfg.data.score_columns,
                                              n_resamples=cfg.eval.bootstrap_resamples, seed=prep.seed))
        entry.update(calibration_metrics(y_test, probs["test"], n_resamples=cfg.eval.bootstrap_resamples,
                                         seed=prep.seed))
        entry["threshold"] = float(threshold)
        entry["val_auroc"] = metrics.binary_metrics(y_val, probs["val"], threshold)["auroc"]
        out[name] = entry
    return out


def recalibrate(result: SeedResult, prep: Prepared, cfg: Config) -> dict[str, Recalibrator]:
    """Per model, a recalibration map fitted on the validation split only (test rows never seen)."""
    y_val = prep.splits["val"].label
    return {name: Recalibrator.fit(y_val, probs["val"], cfg.eval.recalibration)
            for name, probs in result.probabilities.items()}


def evaluate_recalibrated(result: SeedResult, prep: Prepared, cfg: Config,
                          recalibrators: dict[str, Recalibrator]) -> dict[str, dict]:
    """Every metric of `<model>_recal`: the model's probabilities through its validation-fitted map,
    threshold by the same rule on the recalibrated validation probabilities."""
    y_val, y_test = prep.splits["val"].label, prep.splits["test"].label
    out = {}
    for name, recal in recalibrators.items():
        val, test = (recal.transform(result.probabilities[name][split]) for split in ("val", "test"))
        threshold = metrics.youden_threshold(y_val, val)
        entry = metrics.bootstrap_binary(y_test, test, threshold, n_resamples=cfg.eval.bootstrap_resamples,
                                         seed=prep.seed)
        entry.update(calibration_metrics(y_test, test, n_resamples=cfg.eval.bootstrap_resamples, seed=prep.seed))
        entry["threshold"] = float(threshold)
        out[f"{name}_recal"] = entry
    return out


def auroc_vs_reference(result: SeedResult, prep: Prepared, cfg: Config,
                       reference: str = REFERENCE_MODEL) -> dict[str, dict]:
    """AUROC(reference) - AUROC(model) on the test split for every other model, with a paired
    bootstrap CI (both models scored on the same resamples); {} when the reference was not trained."""
    if reference not in result.probabilities:
        return {}
    y_test, ref = prep.splits["test"].label, result.probabilities[reference]["test"]
    return {name: metrics.bootstrap_auroc_difference(y_test, ref, probs["test"],
                                                     n_resamples=cfg.eval.bootstrap_resamples, seed=prep.seed)
            for name, probs in result.probabilities.items() if name != reference}


def select_model(models: dict[str, dict]) -> str:
    """The model with the highest validation AUROC (SELECTION_RULE); NaN never wins."""
    scored = [(name, entry.get("val_auroc")) for name, entry in models.items()]
    scored = [(name, auc) for name, auc in scored if isinstance(auc, float) and math.isfinite(auc)]
    if not scored:
        raise MartError("validation split: no model has a validation AUROC (the split needs both classes)")
    return max(scored, key=lambda item: item[1])[0]  # max keeps the first of equal values
