"""Performance by subgroup: does the model work as well for every group of patients?

For each attribute (gender, age band, insurance, ...) and each of its groups: n, positives, AUROC,
calibration-in-the-large (the calibration intercept of `calibration.py`), sensitivity and specificity at
the model's threshold, each with a percentile bootstrap CI. Point estimates come from fairlearn's
`MetricFrame` (the field's reference implementation of disaggregated metrics); the CIs from this
project's vectorised bootstraps. A group with one class only has no AUROC (nan) and is listed anyway, so
a reader sees it was there.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl
from fairlearn.metrics import MetricFrame, true_negative_rate, true_positive_rate
from sklearn.metrics import roc_auc_score

from models_py.calibration import calibration_metrics
from models_py.metrics import bootstrap_binary

AGE_BANDS = ((18, 45, "18-44"), (45, 65, "45-64"), (65, 80, "65-79"), (80, math.inf, "80+"))
SUBGROUP_METRICS = ("auroc", "calibration_intercept", "sensitivity", "specificity")
MISSING_GROUP = "missing"


def age_band(age) -> np.ndarray:
    """Age in years -> the band label of AGE_BANDS ('missing' for null; under 18 is '<18')."""
    a = np.asarray(age, dtype=float)
    out = np.full(a.shape, MISSING_GROUP, dtype=object)
    out[a < AGE_BANDS[0][0]] = f"<{AGE_BANDS[0][0]}"
    for low, high, label in AGE_BANDS:
        out[(a >= low) & (a < high)] = label
    return out


def _auroc_or_nan(y_true, y_pred) -> float:
    return float(roc_auc_score(y_true, y_pred)) if len(set(np.asarray(y_true).tolist())) == 2 else math.nan


def _as_groups(values: Sequence) -> np.ndarray:
    return np.array([MISSING_GROUP if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                     for v in values], dtype=object)


def subgroup_metrics(y_true, prob, threshold: float, attributes: Mapping[str, Sequence],
                     n_resamples: int = 500, seed: int = 0) -> pl.DataFrame:
    """One row per (attribute, group): n, n_pos and each SUBGROUP_METRICS value with ci_low/ci_high."""
    y = np.asarray(y_true).astype(int)
    p = np.asarray(prob, dtype=float)
    predicted = (p >= threshold).astype(int)
    rows = []
    for attribute, values in attributes.items():
        groups = _as_groups(values)
        if groups.size != y.size:
            raise ValueError(f"subgroup attribute {attribute!r} has {groups.size} values for {y.size} stays")
        frame = MetricFrame(
            metrics={"auroc": _auroc_or_nan},
            y_true=y, y_pred=p, sensitive_features=groups,
        )
        at_threshold = MetricFrame(
            metrics={"sensitivity": true_positive_rate, "specificity": true_negative_rate},
            y_true=y, y_pred=predicted, sensitive_features=groups,
        )
        for group in sorted(set(groups.tolist())):
            member = groups == group
            yg, pg = y[member], p[member]
            row = {"attribute": attribute, "group": group, "n": int(member.sum()), "n_pos": int(yg.sum())}
            both = 0 < yg.sum() < yg.size
            boot = bootstrap_binary(yg, pg, threshold, n_resamples, seed) if both else {}
            calib = calibration_metrics(yg, pg, n_resamples, seed) if both else {}
            points = {"auroc": frame.by_group["auroc"][group],
                      "sensitivity": at_threshold.by_group["sensitivity"][group],
                      "specificity": at_threshold.by_group["specificity"][group],
                      "calibration_intercept": calib.get("calibration_intercept", {}).get("value", math.nan)}
            for metric in SUBGROUP_METRICS:
                entry = calib.get(metric) or boot.get(metric) or {}
                row[metric] = float(points[metric])
                row[f"{metric}_ci_low"] = entry.get("ci_low", math.nan)
                row[f"{metric}_ci_high"] = entry.get("ci_high", math.nan)
            rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)


def largest_gaps(table: pl.DataFrame, metric: str = "auroc", min_n: int = 20) -> pl.DataFrame:
    """Per attribute: the groups with the highest and lowest `metric` among groups of at least min_n
    stays with both classes, and the gap between them."""
    eligible = table.filter((pl.col("n") >= min_n) & pl.col(metric).is_not_nan())
    out = []
    for attribute, part in eligible.group_by("attribute", maintain_order=True):
        ordered = part.sort(metric)
        if ordered.height < 2:
            continue
        low, high = ordered.row(0, named=True), ordered.row(-1, named=True)
        out.append({"attribute": attribute[0], "metric": metric, "lowest_group": low["group"],
                    "lowest": low[metric], "highest_group": high["group"], "highest": high[metric],
                    "gap": high[metric] - low[metric]})
    schema = {"attribute": pl.String, "metric": pl.String, "lowest_group": pl.String, "lowest": pl.Float64,
              "highest_group": pl.String, "highest": pl.Float64, "gap": pl.Float64}
    return pl.DataFrame(out, schema=schema)


def subgroup_attributes(static: pl.DataFrame, cohort: pl.DataFrame | None, columns: list[str],
                        min_group: int = 10, age_column: str = "age") -> dict[str, np.ndarray]:
    """The attributes to report, from static_features (first) or cohort, for the same rows.

    The age column is banded (AGE_BANDS); other numeric columns are left out. Text levels are grouped
    by what precedes ' - ' (MIMIC's 'ASIAN - CHINESE' -> 'ASIAN'), and levels with fewer than
    `min_group` stays are merged into 'other', so no group is too small to mean anything.
    """
    out = {}
    for column in columns:
        frame = static if column in static.columns else cohort if cohort is not None and column in cohort.columns \
            else None
        if frame is None:
            continue
        values = frame[column]
        if column == age_column and values.dtype.is_numeric():
            out[column + "_band"] = age_band(values.cast(pl.Float64).fill_null(np.nan).to_numpy())
            continue
        if values.dtype.is_numeric() and values.n_unique() > 12:
            continue
        text = values.cast(pl.Utf8).str.split(" - ").list.first()
        counts = text.value_counts()
        small = set(counts.filter(pl.col("count") < min_group)[column].drop_nulls().to_list())
        grouped = text.map_elements(lambda v, small=small: "other" if v in small else v, return_dtype=pl.Utf8)
        out[column] = _as_groups(grouped.to_list())
    return out
