"""Preprocessing fitted on the training split only, serialisable to preprocess.json.

- Series channels, per channel (from series_channels.parquet; without it every channel is a VIS dose):
  - fill: `zero` (VIS doses: no infusion = 0; the marts already hold the zeros) or
    `locf_then_train_median`: carry the last observation forward within the stay, then fill what is
    still missing (before the first observation, or never observed) with the median of the channel's
    observed values over the TRAINING stays' hours (stored in preprocess.json);
  - transform: `log1p_zscore` (VIS doses: log(1 + dose), then z-score) or `zscore` (physiological
    variables); mean and sd over all training stay-hours after filling;
  - observation_mask: append a 0/1 channel (1 = measured in that hour, before filling), after all value
    channels, in channel order; with time_since_observed also the hours since the last observation
    divided by the number of hours (1 before the first one), after the masks.
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
    # per channel; the defaults are the VIS doses' (runs written before the metadata marts)
    fill_policy: list[str] = field(default_factory=list)
    transform: list[str] = field(default_factory=list)
    observation_mask: list[bool] = field(default_factory=list)
    fill_median: list[float | None] = field(default_factory=list)  # training median (locf channels)
    time_since_observed: bool = False

    def __post_init__(self):
        n = len(self.channels)
        self.fill_policy = list(self.fill_policy) or ["zero"] * n
        self.transform = list(self.transform) or ["log1p_zscore"] * n
        self.observation_mask = list(self.observation_mask) or [False] * n
        self.fill_median = list(self.fill_median) or [None] * n

    # fit ---------------------------------------------------------------------------------------

    @classmethod
    def fit(cls, series: np.ndarray, static: pl.DataFrame, channels: list[str], static_columns: list[str],
            score_columns: list[str], fill_policy: list[str] | None = None, transform: list[str] | None = None,
            observation_mask: list[bool] | None = None, time_since_observed: bool = False) -> Preprocessor:
        """series (n_train, T, C) raw values (NaN = unmeasured in locf channels) and static (n_train rows):
        the TRAINING stays only. fill_policy / transform / observation_mask: per channel (default: doses)."""
        n = len(channels)
        fill_policy = list(fill_policy or ["zero"] * n)
        medians: list[float | None] = []
        for i, policy in enumerate(fill_policy):
            if policy == "zero":
                medians.append(None)
                continue
            observed = series[..., i][~np.isnan(series[..., i])].astype(np.float64)
            medians.append(float(np.median(observed)) if len(observed) else 0.0)
        pre = cls(channels=list(channels), channel_mean=[], channel_std=[], continuous={}, categorical={},
                  scores={}, fill_policy=fill_policy, transform=list(transform or []),
                  observation_mask=list(observation_mask or []), fill_median=medians,
                  time_since_observed=time_since_observed)
        logged = pre._scaled_input(series).reshape(-1, series.shape[-1])
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
        padding = np.isnan(series).all(axis=-1).reshape(-1)  # hours the leak policy `mask` hides
        if padding.any():
            logged = logged[~padding]
        pre.channel_mean = logged.mean(axis=0).tolist()
        pre.channel_std = [_std(logged[:, i]) for i in range(logged.shape[1])]
        pre.continuous, pre.categorical, pre.scores, pre.targets = continuous, categorical, scores, targets
        return pre

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

    @property
    def output_channels(self) -> list[str]:
        """Names of the model's input channels: the value channels, then masks, then time-since."""
        masked = [c for c, m in zip(self.channels, self.observation_mask) if m]
        return [*self.channels, *(f"{c}__observed" for c in masked),
                *((f"{c}__hours_since_observed" for c in masked) if self.time_since_observed else ())]

    def fill(self, series: np.ndarray) -> np.ndarray:
        """(N, T, C) raw -> float64 filled per channel policy (LOCF within each stay, then the training median)."""
        x = series.astype(np.float64)
        for i, policy in enumerate(self.fill_policy):
            if policy == "zero":
                continue  # the marts hold the zeros (validated in data.py)
            x[..., i] = locf(x[..., i])
            x[..., i] = np.where(np.isnan(x[..., i]), self.fill_median[i], x[..., i])
        return x

    def _scaled_input(self, series: np.ndarray) -> np.ndarray:
        """Filled values, log1p applied to the log1p_zscore channels (float64, before z-scoring)."""
        x = self.fill(series)
        logged = [i for i, t in enumerate(self.transform) if t == "log1p_zscore"]
        x[..., logged] = np.log1p(x[..., logged])
        return x

    def transform_series(self, series: np.ndarray, channels: list[str] | None = None) -> np.ndarray:
        """(N, T, C) raw values -> (N, T, C + extra) float32: z-scored channels, then 0/1 masks, then time-since."""
        if channels is not None and list(channels) != self.channels:
            raise ValueError(f"series mart: channels {channels} differ from the fitted ones {self.channels}")
        mean = np.asarray(self.channel_mean, dtype=np.float64)
        std = np.asarray(self.channel_std, dtype=np.float64)
        values = ((self._scaled_input(series) - mean) / std).astype(np.float32)
        masked = [i for i, m in enumerate(self.observation_mask) if m]
        if not masked:
            return values
        observed = ~np.isnan(series[..., masked])
        extra = [observed.astype(np.float32)]
        if self.time_since_observed:
            extra.append(hours_since_observed(observed))
        return np.concatenate([values, *extra], axis=-1)

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
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the run's files are meant to be read by others
        os.replace(tmp, path)

    @classmethod
    def from_json(cls, path: str | Path) -> Preprocessor:
        return cls(**json.loads(Path(path).read_text()))


def locf(x: np.ndarray) -> np.ndarray:
    """(N, T) with NaN = unmeasured -> the last observation carried forward along T, within each row
    (each stay) only; NaN before a row's first observation."""
    steps = np.arange(x.shape[-1])
    last = np.maximum.accumulate(np.where(~np.isnan(x), steps, 0), axis=-1)
    return np.take_along_axis(x, last, axis=-1)


def hours_since_observed(observed: np.ndarray) -> np.ndarray:
    """(N, T, K) bool -> (N, T, K) float32: hours since the last observation (0 in an observed hour)
    divided by T; 1 before the first observation."""
    n_steps = observed.shape[1]
    steps = np.arange(n_steps)[None, :, None]
    last = np.maximum.accumulate(np.where(observed, steps, -1), axis=1)
    return np.where(last >= 0, (steps - last) / n_steps, 1.0).astype(np.float32)


def _fit_continuous(column: pl.Series) -> dict[str, float]:
    values = column.cast(pl.Float64).fill_nan(None)
    observed = values.drop_nulls().to_numpy()
    median = float(np.median(observed)) if len(observed) else 0.0
    imputed = values.fill_null(median).to_numpy()
    return {"median": median, "mean": float(imputed.mean()) if len(imputed) else 0.0, "std": _std(imputed)}


def _apply_continuous(column: pl.Series, stats: dict[str, float]) -> np.ndarray:
    values = column.cast(pl.Float64).fill_nan(None).fill_null(stats["median"]).to_numpy()
    return (values - stats["mean"]) / stats["std"]


SUMMARY_STATS = ("min", "max", "mean", "last", "count")


def summary_features(series: np.ndarray, channels: list[str]) -> tuple[np.ndarray, list[str]]:
    """(N, T, C) raw values (NaN = unmeasured) -> (N, 5C) per-channel min, max, mean, last observed value
    and number of observed hours over the window (NaN where a channel was never observed), and the names
    `<channel>__<stat>`. Generic over channels: VIS doses and physiological variables alike."""
    x = series.astype(np.float64)
    observed = ~np.isnan(x)
    count = observed.sum(axis=1)
    any_obs = count > 0
    with np.errstate(all="ignore"):
        lo = np.where(any_obs, np.nanmin(np.where(observed, x, np.inf), axis=1), np.nan)
        hi = np.where(any_obs, np.nanmax(np.where(observed, x, -np.inf), axis=1), np.nan)
        mean = np.where(any_obs, np.where(observed, x, 0).sum(axis=1) / np.maximum(count, 1), np.nan)
    last_idx = np.where(any_obs, x.shape[1] - 1 - np.argmax(observed[:, ::-1, :], axis=1), 0)
    last = np.where(any_obs, np.take_along_axis(x, last_idx[:, None, :], axis=1)[:, 0, :], np.nan)
    blocks = np.stack([lo, hi, mean, last, count.astype(np.float64)], axis=-1)  # (N, C, 5)
    names = [f"{c}__{stat}" for c in channels for stat in SUMMARY_STATS]
    return blocks.reshape(len(x), -1), names
