"""A validation scheme's folds trained and evaluated: kfold:K, group:COLUMN, temporal:COLUMN.

The folds come from models_py.validation (patients disjoint, unscorable folds skipped with a reason).
Each fold runs the same recipe as the base split (stages.train_seed with cfg.run.ablations, the base
seed) and is scored by evaluate.evaluate on its own test stays, threshold from its own validation
stays. Per model the run reports the per-fold metrics, their mean ± sd over the folds, and the
pooled out-of-fold metrics: AUROC, AUPRC and Brier on every tested stay's prediction at once (each
stay predicted by the fold that did not train on it), with a bootstrap CI over those stays.
"""
from __future__ import annotations

import numpy as np
import polars as pl
import torch

from . import metrics
from .config import Config
from .data import MartData, MartError
from .dataset import prepare
from .evaluate import evaluate
from .rundir import predictions_frame
from .stages import log, train_seed
from .validation import make_folds, parse_scheme, summarize_folds

POOLED_METRICS = ("auroc", "auprc", "brier")  # threshold-free: each fold has its own threshold
MISSING_GROUP = "(missing)"


def fold_column(cfg: Config) -> str:
    """The cohort (or static feature) column the scheme needs (group:/temporal:), '' for split and kfold."""
    return parse_scheme(cfg.split.validation).column


def run_folds(data: MartData, cfg: Config, device: torch.device, progress: bool = False) -> dict:
    """Train and evaluate every fold of cfg.split.validation; returns metrics.json's "folds" and, under
    "predictions", the out-of-fold test predictions (stay_id, split, model, probability, label, seed, fold).

    {"scheme", "folds": {fold: {model: metrics}}, "sizes": {fold: {split: n}},
     "skipped": [{"fold", "reason"}], "summary": {model: {metric: {mean, sd, n_folds}}},
     "pooled": {model: {auroc|auprc|brier: {value, ci_low, ci_high, n_resamples}, "n", "n_folds"}},
     "seconds" / "cpu_seconds": {fold: wall-clock / process CPU seconds of its training and evaluation}}
    """
    scheme = parse_scheme(cfg.split.validation)
    label = data.labels[cfg.data.label_column]
    val_share = cfg.data.val_fraction / (cfg.data.train_fraction + cfg.data.val_fraction)
    folds, skipped = make_folds(scheme, data.subject_ids, label, cfg.seed, val_share,
                                groups=_groups(data.fold_groups, scheme))
    for fold in skipped:
        log(f"validation {scheme}: {fold.name} skipped ({fold.reason})")
    per_fold, sizes, seconds, cpu_seconds, frames = {}, {}, {}, {}, []
    for fold in folds:
        log(f"validation {scheme}: {fold.name} ({', '.join(f'{s} {v.size}' for s, v in fold.rows.items())} stays)")
        prep = prepare(data, cfg, cfg.seed, device, rows=fold.rows)
        result = train_seed(prep, cfg, cfg.run.ablations, progress)
        per_fold[fold.name] = result.timed("evaluation", evaluate, result, prep, cfg)
        sizes[fold.name] = {split: int(rows.size) for split, rows in fold.rows.items()}
        frames.append(predictions_frame(result, prep).filter(pl.col("split") == "test")
                      .with_columns(fold=pl.lit(fold.name)))
        seconds[fold.name] = round(sum(result.seconds.values()), 3)
        cpu_seconds[fold.name] = round(sum(result.cpu_seconds.values()), 3)
        log(f"validation {scheme}: {fold.name} done in {seconds[fold.name]:.1f} s "
            f"({cpu_seconds[fold.name]:.1f} s CPU), full AUROC {per_fold[fold.name]['full']['auroc']['value']:.3f}")
    predictions = pl.concat(frames) if frames else None
    return {
        "scheme": str(scheme),
        "folds": per_fold,
        "sizes": sizes,
        "skipped": [{"fold": fold.name, "reason": fold.reason} for fold in skipped],
        "summary": _summary(per_fold),
        "pooled": _pooled(predictions, cfg) if predictions is not None else {},
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "predictions": predictions,
    }


def _groups(values: np.ndarray | None, scheme) -> np.ndarray | None:
    """The scheme's column values; a missing value is its own group, and refused by temporal (its time
    is unknown, so it could be later than the test stays)."""
    if values is None:
        return None
    missing = np.array([v is None for v in values])
    if missing.any() and scheme.kind == "temporal":
        raise MartError(f"cohort.parquet: column {scheme.column} has {int(missing.sum())} missing value(s); "
                        f"{scheme} needs every stay's value")
    return np.where(missing, MISSING_GROUP, values).astype(str)


def _summary(per_fold: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """{model: {metric: {mean, sd, n_folds}}} over the folds that trained the model."""
    models = list(dict.fromkeys(model for fold in per_fold.values() for model in fold))
    out = {}
    for model in models:
        values = {name: {metric: entry["value"] if isinstance(entry, dict) else entry
                         for metric, entry in fold[model].items()
                         if isinstance(entry, (int, float)) or (isinstance(entry, dict) and "value" in entry)}
                  for name, fold in per_fold.items() if model in fold}
        out[model] = summarize_folds(values)
    return out


def _pooled(predictions: pl.DataFrame, cfg: Config) -> dict[str, dict]:
    """AUROC, AUPRC and Brier of the pooled out-of-fold test predictions per model, bootstrap CIs."""
    out = {}
    for (model,), frame in predictions.group_by("model", maintain_order=True):
        y, p = frame["label"].to_numpy(), frame["probability"].to_numpy()
        if np.unique(y).size < 2:
            continue
        entry = metrics.bootstrap_binary(y, p, 0.5, n_resamples=cfg.eval.bootstrap_resamples, seed=cfg.seed)
        out[model] = {**{name: entry[name] for name in POOLED_METRICS},
                      "n": int(y.size), "n_folds": int(frame["fold"].n_unique())}
    return out


def with_folds(base: pl.DataFrame, out_of_fold: pl.DataFrame | None) -> pl.DataFrame:
    """predictions.parquet: the base split's rows (fold null) and the out-of-fold test rows (fold named)."""
    base = base.with_columns(fold=pl.lit(None, dtype=pl.Utf8))
    return base if out_of_fold is None else pl.concat([base, out_of_fold.select(base.columns)])
