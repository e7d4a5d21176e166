"""One seed's data: the split, preprocessing fitted on its training stays, and device tensors.

`prepare` is the only place that turns MartData into what the stages read: per split the series,
static inputs and task targets on the device, plus the arrays of the scikit-learn baselines.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import torch

from .config import Config
from .data import MartData, MartError
from .engine import SplitTensors
from .leak import mark_padding
from .losses import class_weights
from .preprocess import Preprocessor, summary_features
from .splits import split_by_patient, split_holdout
from .tasks import TaskTargets, classification_targets, regression_targets


@dataclass
class Prepared:
    """One seed's split, fitted preprocessing and device tensors."""

    seed: int
    rows: dict[str, np.ndarray]
    preprocessor: Preprocessor
    splits: dict[str, SplitTensors]
    class_weights: dict[str, torch.Tensor]
    raw_scores: np.ndarray  # (N, k) original scale, nan where missing (all stays)
    static_x: np.ndarray    # (N, F) preprocessed (all stays)
    score_inputs: np.ndarray  # (N, k) raw scores, training-median imputed (score-alone models)
    summary_x: np.ndarray | None = None  # (N, 5C + F) summary statistics + static features (all stays)

    @property
    def device(self) -> torch.device:
        return self.splits["train"].series.device


def prepare(data: MartData, cfg: Config, seed: int, device: torch.device,
            rows: dict[str, np.ndarray] | None = None) -> Prepared:
    """rows: train/val/test stay row indices to use (a validation fold) instead of the configured split."""
    label_name = cfg.data.label_column
    label = data.labels[label_name]
    if rows is not None:
        rows = {split: np.sort(np.asarray(rows[split], dtype=np.int64)) for split in ("train", "val", "test")}
    elif cfg.split.holdout_column:
        val_share = cfg.data.val_fraction / (cfg.data.train_fraction + cfg.data.val_fraction)
        rows = split_holdout(data.subject_ids, label, data.groups, cfg.split.holdout_values, seed, val_share,
                             cfg.split.holdout_column, label_name)
    else:
        rows = split_by_patient(data.subject_ids, label, seed, cfg.data.val_fraction, cfg.data.test_fraction,
                                label_name)
    train = rows["train"]
    pre = Preprocessor.fit(data.series[train], data.static[train], data.channels, data.static_columns,
                           data.score_columns, fill_policy=data.fill_policy, transform=data.transform,
                           observation_mask=data.observation_mask,
                           time_since_observed=cfg.data.time_since_observed)
    # leak policy mask: every channel of the hours after ICU outtime is NaN, the encoders' padding signal
    series = torch.from_numpy(mark_padding(pre.transform_series(data.series, data.channels), data.padding))
    static_x = pre.transform_static(data.static)
    static = torch.from_numpy(static_x)
    z, observed = pre.transform_targets(data.static) if data.score_columns else (None, None)
    targets = {label_name: classification_targets(label)}
    if z is not None:
        targets["severity"] = regression_targets(z, observed)
    weights = {label_name: class_weights(label[train])}
    for col in cfg.tasks.auxiliary_labels:
        targets[col] = classification_targets(data.labels[col])
        try:
            weights[col] = class_weights(data.labels[col][train])
        except ValueError as exc:
            raise MartError(f"cohort.parquet: auxiliary label {col} in the training split: {exc}") from None

    def split_tensors(idx: np.ndarray) -> SplitTensors:
        index = torch.from_numpy(idx)
        return SplitTensors(
            series=series[index].to(device), static=static[index].to(device),
            targets={name: TaskTargets(t.target[index], t.observed[index]).to(device) for name, t in targets.items()},
            label=label[idx], stay_ids=data.stay_ids[idx],
        )

    raw_scores = np.column_stack([data.static[c].cast(pl.Float64).fill_null(np.nan).to_numpy()
                                  for c in data.score_columns]) if data.score_columns else np.zeros((len(data), 0))
    medians = np.array([pre.scores[c]["median"] for c in data.score_columns])
    score_inputs = np.where(np.isnan(raw_scores), medians, raw_scores)
    summary, _ = summary_features(data.series, data.channels)
    return Prepared(seed=seed, rows=rows, preprocessor=pre, splits={k: split_tensors(v) for k, v in rows.items()},
                    class_weights=weights, raw_scores=raw_scores,
                    static_x=static_x, score_inputs=score_inputs,
                    summary_x=np.concatenate([summary, static_x], axis=1))
