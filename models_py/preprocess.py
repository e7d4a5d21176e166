"""Preprocessing fitted on the training split only, serialisable to preprocess.json.

- VIS channels: log(1 + dose), then z-score per channel (statistics over all training stay-hours).
- Continuous static columns (numeric columns of static_features) and the severity scores used as
  inputs: median-imputed, then z-scored.
- Categorical static columns (string columns): one-hot over the training levels plus "Unknown";
  nulls and levels unseen in training map to "Unknown".
- Regression targets (the severity scores): z-scored for the loss (missing stays stay missing and
  are masked out of the loss), inverse-transformed for reporting.

Static feature order: continuous, one-hot categoricals, then the score columns last, so the model
can drop the scores (`score_indices`) for the regression head.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

UNKNOWN = "Unknown"


def _std(values: np.ndarray) -> float:
    std = float(np.std(values)) if len(values) else 0.0
    return std if std > 1e-8 else 1.0  # a constant column becomes 0 after centring, not inf


@dataclass
class Preprocessor:
    channels: list[str]
    channel_mean: list[float]
    channel_std: list[float]
    continuous: dict[str, dict[str, float]]  # column -> median, mean, std (after imputation)
    categorical: dict[str, list[str]]        # column -> levels (last is "Unknown")
    scores: dict[str, dict[str, float]]      # score -> median, mean, std (input scaling)
    targets: dict[str, dict[str, float]] = field(default_factory=dict)  # score -> mean, std (non-missing)

    # fit ---------------------------------------------------------------------------------------

    @classmethod
    def fit(cls, series: np.ndarray, static: pl.DataFrame, channels: list[str], static_columns: list[str],
            score_columns: list[str]) -> "Preprocessor":
        """series (n_train, T, C) raw doses and static (n_train rows): the TRAINING stays only."""
        logged = np.log1p(series.astype(np.float64)).reshape(-1, series.shape[-1])
        continuous, categorical = {}, {}
        for col in static_columns:
            if static[col].dtype.is_numeric():
                continuous[col] = _fit_continuous(static[col])
            else:
                seen = static[col].cast(pl.Utf8).drop_nulls().unique().sort().to_list()
                categorical[col] = [v for v in seen if v != UNKNOWN] + [UNKNOWN]
        scores = {col: _fit_continuous(static[col]) for col in score_columns}
        targets = {}
        for col in score_columns:
            observed = static[col].cast(pl.Float64).drop_nulls().drop_nans().to_numpy()
            targets[col] = {"mean": float(observed.mean()) if len(observed) else 0.0, "std": _std(observed)}
        return cls(
            channels=list(channels),
            channel_mean=logged.mean(axis=0).tolist(),
            channel_std=[_std(logged[:, i]) for i in range(logged.shape[1])],
            continuous=continuous,
            categorical=categorical,
            scores=scores,
            targets=targets,
        )

    # transform ---------------------------------------------------------------------------------

    @property
    def feature_names(self) -> list[str]:
        names = list(self.continuous)
        for col, levels in self.categorical.items():
            names += [f"{col}={level}" for level in levels]
        return names + list(self.scores)

    @property
    def score_indices(self) -> list[int]:
        n = len(self.feature_names)
        return list(range(n - len(self.scores), n))

    def transform_series(self, series: np.ndarray, channels: list[str] | None = None) -> np.ndarray:
        """(N, T, C) raw doses -> (N, T, C) float32 z-scored log doses."""
        if channels is not None and list(channels) != self.channels:
            raise ValueError(f"vis_hourly.parquet: channels {channels} differ from the fitted ones {self.channels}")
        mean = np.asarray(self.channel_mean, dtype=np.float64)
        std = np.asarray(self.channel_std, dtype=np.float64)
        return ((np.log1p(series.astype(np.float64)) - mean) / std).astype(np.float32)

    def transform_static(self, static: pl.DataFrame) -> np.ndarray:
        """One row per stay -> (N, F) float32 in `feature_names` order."""
        missing = [c for c in [*self.continuous, *self.categorical, *self.scores] if c not in static.columns]
        if missing:
            raise ValueError(f"static_features/severity_scores: missing column(s) {missing} the run was fitted on")
        blocks = [_apply_continuous(static[col], stats) for col, stats in self.continuous.items()]
        for col, levels in self.categorical.items():
            values = static[col].cast(pl.Utf8).fill_null(UNKNOWN).to_numpy()
            index = {level: i for i, level in enumerate(levels)}
            codes = np.array([index.get(v, len(levels) - 1) for v in values])  # unseen -> Unknown
            blocks.append(np.eye(len(levels))[codes].T if len(values) else np.zeros((len(levels), 0)))
        blocks += [_apply_continuous(static[col], stats) for col, stats in self.scores.items()]
        rows = [b.reshape(1, -1) if b.ndim == 1 else b for b in blocks]
        return np.vstack(rows).T.astype(np.float32) if rows else np.zeros((static.height, 0), np.float32)

    def transform_targets(self, static: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Scores -> (z-scored targets (N, k) with 0 where missing, observed mask (N, k) bool)."""
        raw = np.column_stack([static[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in self.targets])
        observed = ~np.isnan(raw)
        mean = np.array([s["mean"] for s in self.targets.values()])
        std = np.array([s["std"] for s in self.targets.values()])
        z = np.where(observed, (raw - mean) / std, 0.0)
        return z.astype(np.float32), observed

    def inverse_targets(self, z: np.ndarray) -> np.ndarray:
        """(N, k) z-scored predictions -> original score scale."""
        mean = np.array([s["mean"] for s in self.targets.values()])
        std = np.array([s["std"] for s in self.targets.values()])
        return z * std + mean

    # persistence -------------------------------------------------------------------------------

    def to_json(self, path: str | Path) -> None:
        """Write atomically (temp file + rename)."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".preprocess.", suffix=".json")
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(self), handle, indent=2)
        os.replace(tmp, path)

    @classmethod
    def from_json(cls, path: str | Path) -> "Preprocessor":
        return cls(**json.loads(Path(path).read_text()))


def _fit_continuous(column: pl.Series) -> dict[str, float]:
    values = column.cast(pl.Float64).fill_nan(None)
    observed = values.drop_nulls().to_numpy()
    median = float(np.median(observed)) if len(observed) else 0.0
    imputed = values.fill_null(median).to_numpy()
    return {"median": median, "mean": float(imputed.mean()) if len(imputed) else 0.0, "std": _std(imputed)}


def _apply_continuous(column: pl.Series, stats: dict[str, float]) -> np.ndarray:
    values = column.cast(pl.Float64).fill_nan(None).fill_null(stats["median"]).to_numpy()
    return (values - stats["mean"]) / stats["std"]
