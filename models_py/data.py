"""Read the Parquet marts into arrays and validate them (the splits are in models_py.splits).

The marts are the warehouse <-> model contract (SPEC §2): cohort.parquet, vis_hourly.parquet,
static_features.parquet, severity_scores.parquet under one directory. Channels, static columns and
targets are read from the files, never hard-coded. Every problem raises `MartError` with one line
naming the file, the column and what was expected.

Metadata marts (both sources write them; older marts may lack them):
- series_channels.parquet: the series mart (`mart`), its channels in `channel_order`, per channel a
  `fill_policy` (zero | locf_then_train_median), `observation_mask` (append a 0/1 observed channel)
  and `transform` (log1p_zscore | zscore; when the column is absent: zero -> log1p_zscore, the VIS
  doses, and locf_then_train_median -> zscore, the physiological variables).
- model_targets.parquet: the primary label and the auxiliary regression targets (`resolve_targets`).
Without them: vis_hourly.parquet, every non-key column a zero-filled, log1p-z-scored dose channel.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

MART_FILES = ("cohort.parquet", "vis_hourly.parquet", "static_features.parquet", "severity_scores.parquet")
METADATA_FILES = ("series_channels.parquet", "model_targets.parquet")
FILL_POLICIES = ("zero", "locf_then_train_median")
TRANSFORMS = ("log1p_zscore", "zscore")
DEFAULT_TRANSFORM = {"zero": "log1p_zscore", "locf_then_train_median": "zscore"}
FLOAT32_MAX = float(np.finfo(np.float32).max)  # the models compute in float32


class MartError(ValueError):
    """The marts do not satisfy the contract."""


@dataclass
class MartData:
    """All cohort stays, in cohort order (sorted by stay_id).

    series: (N, T, C) float32 raw doses; static: raw static + score columns (polars, one row per stay);
    labels: label column -> (N,) float64 with nan where missing.
    """

    stay_ids: np.ndarray
    subject_ids: np.ndarray
    series: np.ndarray
    channels: list[str]
    static: pl.DataFrame
    static_columns: list[str]
    score_columns: list[str]
    labels: dict[str, np.ndarray] = field(default_factory=dict)
    fingerprint: dict[str, str] = field(default_factory=dict)
    fill_policy: list[str] = field(default_factory=list)   # per channel (zero | locf_then_train_median)
    transform: list[str] = field(default_factory=list)     # per channel (log1p_zscore | zscore)
    observation_mask: list[bool] = field(default_factory=list)  # per channel: append a 0/1 observed channel
    series_file: str = "vis_hourly.parquet"
    groups: np.ndarray | None = None  # values of the holdout column (cohort order), when asked for
    cohort: pl.DataFrame | None = None  # every cohort.parquet column (cohort order): subgroups, leak check
    padding: np.ndarray | None = None  # (N, T) bool: hours the model must not see (leak policy `mask`)
    build_id: str | None = None  # the warehouse build whose published set was read (check_one_build)
    fold_groups: np.ndarray | None = None  # values of the validation scheme's column (cohort order), when asked for

    def __len__(self) -> int:
        return len(self.stay_ids)


def fingerprint(marts_dir: Path, names=MART_FILES) -> dict[str, str]:
    """sha256 of each mart file (the run's data fingerprint)."""
    out = {}
    for name in names:
        path = Path(marts_dir) / name
        if path.exists():
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            out[name] = digest.hexdigest()
    return out


BUILD_MANIFEST = "_manifest.json"     # written by the warehouse build when it publishes a set of marts
UNFINISHED_BUILD = "_unfinished"      # in a build folder whose dbt run has not (or never) published it


def check_one_build(marts_dir: str | Path) -> str | None:
    """The marts in `marts_dir` are exactly the set one warehouse build published; return its build id.

    The warehouse writes each run's marts into <data_dir>/mart_builds/<build id>/ and, when nothing
    failed, writes `_manifest.json` there (every file's bytes and sha256) and points <data_dir>/marts
    at it (dbt_project/macros/parquet_mart.sql). Refused, naming the marts that disagree: a build
    folder that was never published (its run failed or was killed), a file changed, missing or added
    since. Marts without a manifest (written by other tools) are not checked: None.
    """
    marts_dir = Path(marts_dir)
    if not marts_dir.is_dir():
        return None
    if (marts_dir / UNFINISHED_BUILD).exists():
        raise MartError(f"{marts_dir}: an unfinished warehouse build (its dbt run failed or was killed before "
                        "publishing it); use <data_dir>/marts, the last published set, or rebuild (make warehouse)")
    manifest_path = marts_dir / BUILD_MANIFEST
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
        listed = manifest["files"]
        build_id = str(manifest["build_id"])
    except (ValueError, KeyError, TypeError):
        raise MartError(f"{manifest_path}: unreadable build manifest; rebuild the marts (make warehouse)") from None
    present = {p.name for p in marts_dir.glob("*.parquet")}
    problems = [f"{name} missing" for name in sorted(set(listed) - present)]
    problems += [f"{name} not in the build" for name in sorted(present - set(listed))]
    for name in sorted(set(listed) & present):
        path = marts_dir / name
        entry = listed[name]
        if path.stat().st_size != entry.get("bytes") or fingerprint(marts_dir, [name])[name] != entry.get("sha256"):
            problems.append(f"{name} changed")
    if problems:
        raise MartError(f"{marts_dir}: marts are not the one set of build {build_id} (_manifest.json): "
                        f"{', '.join(problems)}; rebuild the marts (make warehouse)")
    return build_id


@dataclass
class SeriesSpec:
    """Which mart holds the hourly series and how each channel is filled and scaled."""

    mart: str = "vis_hourly"
    channels: list[str] | None = None  # None: every column besides stay_id and hr
    fill_policy: dict[str, str] = field(default_factory=dict)
    transform: dict[str, str] = field(default_factory=dict)
    observation_mask: dict[str, bool] = field(default_factory=dict)


def read_series_spec(marts_dir: str | Path) -> SeriesSpec | None:
    """series_channels.parquet -> SeriesSpec, or None when the marts predate it."""
    path = Path(marts_dir) / "series_channels.parquet"
    if not path.exists():
        return None
    frame = _read(Path(marts_dir), path.name, ["mart", "channel", "channel_order", "fill_policy", "observation_mask"],
                  keyed=False)
    if "in_default_set" in frame.columns:  # marts with channel sets (vis | physiology): the default set
        frame = frame.filter(pl.col("in_default_set"))
    marts = frame["mart"].unique().to_list()
    if len(marts) != 1:
        raise MartError(f"{path}: column mart must name one series mart, found {sorted(map(str, marts))}")
    if frame["channel"].n_unique() != frame.height:
        raise MartError(f"{path}: column channel is not unique (expected one row per channel)")
    bad = sorted(set(frame["fill_policy"].to_list()) - set(FILL_POLICIES))
    if bad:
        raise MartError(f"{path}: column fill_policy must be one of {FILL_POLICIES}, found {bad}")
    frame = frame.sort("channel_order")
    if "transform" not in frame.columns:
        frame = frame.with_columns(transform=pl.col("fill_policy").replace_strict(DEFAULT_TRANSFORM))
    bad = sorted(set(frame["transform"].to_list()) - set(TRANSFORMS))
    if bad:
        raise MartError(f"{path}: column transform must be one of {TRANSFORMS}, found {bad}")
    channels = frame["channel"].to_list()
    return SeriesSpec(
        mart=marts[0], channels=channels,
        fill_policy=dict(zip(channels, frame["fill_policy"].to_list())),
        transform=dict(zip(channels, frame["transform"].to_list())),
        observation_mask=dict(zip(channels, frame["observation_mask"].fill_null(False).to_list())),
    )


def read_model_targets(marts_dir: str | Path) -> pl.DataFrame | None:
    """model_targets.parquet (target, mart, kind, role, static_input), or None when absent."""
    path = Path(marts_dir) / "model_targets.parquet"
    if not path.exists():
        return None
    frame = _read(Path(marts_dir), path.name, ["target", "mart", "kind", "role", "static_input"], keyed=False)
    primary = frame.filter(pl.col("role") == "primary")
    if primary.height != 1 or primary["kind"][0] != "binary":
        raise MartError(f"{path}: expected exactly one binary target with role primary, found "
                        f"{primary.select('target', 'kind').rows()}")
    return frame


def resolve_targets(data_cfg, marts_dir: str | Path):
    """(data_cfg with label_column / score_columns from model_targets.parquet, what changed); the
    given config is left as it is.

    The label becomes the primary target unless label_column was changed from its default; the scores
    become the auxiliary regression targets with static_input (severity_scores columns) unless
    score_columns was changed from its default. Where the default scores are exactly the metadata's
    (MIMIC-IV), their configured order is kept, so the static features are unchanged.
    """
    from .config import DataConfig  # local: config does not import data

    targets = read_model_targets(marts_dir) if data_cfg.use_metadata else None
    if targets is None:
        return data_cfg, []
    defaults, update = DataConfig(), {}
    if data_cfg.label_column == defaults.label_column:
        primary = targets.filter(pl.col("role") == "primary")["target"][0]
        if primary != data_cfg.label_column:
            update["label_column"] = primary
    if list(data_cfg.score_columns) == list(defaults.score_columns):
        scores = targets.filter((pl.col("role") == "auxiliary") & (pl.col("kind") == "regression")
                                & pl.col("static_input").fill_null(False)
                                & (pl.col("mart") == "severity_scores"))["target"].to_list()
        if set(scores) != set(data_cfg.score_columns):
            update["score_columns"] = scores
    changes = [f"{key}={value if isinstance(value, str) else ','.join(value)}" for key, value in update.items()]
    return data_cfg.model_copy(update=update), changes


def _read(marts_dir: Path, name: str, required: list[str], keyed: bool = True) -> pl.DataFrame:
    path = marts_dir / name
    if not path.exists():
        raise MartError(f"{path}: file missing (expected the mart {name} in {marts_dir})")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # a truncated or non-Parquet file
        raise MartError(f"{path}: not a readable Parquet file ({exc.__class__.__name__}: {exc})") from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise MartError(f"{path}: missing column(s) {missing} (has {frame.columns})")
    if keyed and frame.height and frame["stay_id"].n_unique() != frame.height:
        raise MartError(f"{path}: column stay_id is not unique (expected one row per stay)")
    return frame


def load_marts(marts_dir: str | Path, label_columns: list[str], score_columns: list[str], hours: int = 48,
               require_labels: bool = True, use_metadata: bool = True, group_column: str = "",
               label_classes: dict[str, int] | None = None,
               fold_column: str = "") -> MartData:
    """Read and validate the marts.

    label_columns: cohort.parquet columns read as labels (the first one is the primary binary label,
    which must be 0/1 for every stay when require_labels). label_classes: column -> K for multiclass
    labels (integer class codes 0..K-1, null where unknown); every other label must be 0/1.
    With require_labels=False (scoring new
    stays) cohort.parquet is optional and the stays are those of static_features.parquet.
    use_metadata: follow series_channels.parquet when present (else vis_hourly, all channels zero-filled).
    group_column: a cohort.parquet column returned as `groups` (the holdout split's column).
    fold_column: a cohort.parquet (else static_features.parquet) column returned as `fold_groups` (the
    group:/temporal: validation schemes; P12's icu_type is a static feature), null as None.
    """
    marts_dir = Path(marts_dir)
    if not marts_dir.is_dir():
        raise MartError(f"{marts_dir}: marts directory does not exist (build it with `make warehouse`)")
    build_id = check_one_build(marts_dir)

    spec = (read_series_spec(marts_dir) if use_metadata else None) or SeriesSpec()
    series_file = f"{spec.mart}.parquet"
    vis = _read(marts_dir, series_file, ["stay_id", "hr", *(spec.channels or [])], keyed=False)
    static = _read(marts_dir, "static_features.parquet", ["stay_id"])
    scores = _read(marts_dir, "severity_scores.parquet", ["stay_id", *score_columns])

    if require_labels or (marts_dir / "cohort.parquet").exists():
        cohort = _read(marts_dir, "cohort.parquet",
                       ["subject_id", "stay_id", *(label_columns if require_labels else []),
                        *([group_column] if group_column else [])])
    else:
        cohort = static.select("stay_id").with_columns(pl.col("stay_id").alias("subject_id"))
    if cohort.height == 0:
        raise MartError(f"{marts_dir / 'cohort.parquet'}: no rows (empty cohort; nothing to train on)")
    cohort = cohort.sort("stay_id")
    stay_ids = cohort["stay_id"].to_numpy()

    channels = spec.channels or [c for c in vis.columns if c not in ("stay_id", "hr")]
    fill = [spec.fill_policy.get(c, "zero") for c in channels]
    series = _series(vis, stay_ids, hours, marts_dir / series_file, channels, fill)
    static_columns = [c for c in static.columns if c != "stay_id"]
    check_float32(static, marts_dir / "static_features.parquet", static_columns)
    check_float32(scores, marts_dir / "severity_scores.parquet", score_columns)
    joined = _join_one_per_stay(cohort.select("stay_id"), static, marts_dir / "static_features.parquet")
    joined = _join_one_per_stay(joined, scores.select("stay_id", *score_columns), marts_dir / "severity_scores.parquet")
    for col in score_columns:
        if not joined[col].dtype.is_numeric():
            raise MartError(f"{marts_dir / 'severity_scores.parquet'}: column {col} must be numeric, "
                            f"got {joined[col].dtype}")

    labels = {}
    for i, col in enumerate(label_columns):
        if col not in cohort.columns:
            continue
        values = cohort[col].cast(pl.Float64, strict=False).to_numpy().astype(np.float64)
        if i == 0 and require_labels and np.isnan(values).any():
            raise MartError(f"{marts_dir / 'cohort.parquet'}: column {col} has {int(np.isnan(values).sum())} "
                            "missing values (the primary label must be known for every stay)")
        observed = values[~np.isnan(values)]
        n_classes = (label_classes or {}).get(col, 2) if i > 0 else 2
        codes = np.arange(n_classes, dtype=np.float64)
        if require_labels and not np.isin(observed, codes).all():
            expected = "0/1" if n_classes == 2 else f"a class code 0..{n_classes - 1}"
            raise MartError(f"{marts_dir / 'cohort.parquet'}: column {col} must be {expected} (or null for an "
                            f"auxiliary label), found values "
                            f"{sorted(set(np.unique(observed).tolist()) - set(codes.tolist()))[:5]}")
        labels[col] = values

    return MartData(
        stay_ids=stay_ids,
        subject_ids=cohort["subject_id"].to_numpy(),
        series=series,
        channels=channels,
        static=joined,
        static_columns=static_columns,
        score_columns=list(score_columns),
        labels=labels,
        fingerprint=fingerprint(marts_dir, (*MART_FILES, series_file, *METADATA_FILES)),
        build_id=build_id,
        fill_policy=fill,
        transform=[spec.transform.get(c, DEFAULT_TRANSFORM[f]) for c, f in zip(channels, fill)],
        observation_mask=[bool(spec.observation_mask.get(c, False)) for c in channels],
        series_file=series_file,
        groups=cohort[group_column].cast(pl.Utf8).to_numpy() if group_column else None,
        cohort=cohort,
        fold_groups=_cohort_or_static(fold_column, cohort, joined, marts_dir) if fold_column else None,
    )


def subset(data: MartData, rows: np.ndarray) -> MartData:
    """The same marts restricted to these stay rows (cohort order kept)."""
    take = pl.Series(rows)
    return replace(
        data, stay_ids=data.stay_ids[rows], subject_ids=data.subject_ids[rows], series=data.series[rows],
        static=data.static[take], labels={k: v[rows] for k, v in data.labels.items()},
        groups=None if data.groups is None else data.groups[rows],
        cohort=None if data.cohort is None else data.cohort[take],
        padding=None if data.padding is None else data.padding[rows],
        fold_groups=None if data.fold_groups is None else data.fold_groups[rows],
    )


def _cohort_or_static(column: str, cohort: pl.DataFrame, static: pl.DataFrame, marts_dir: Path) -> np.ndarray:
    """A column's values in cohort order as strings (None where null), from cohort.parquet or else from
    static_features.parquet (both in cohort order here)."""
    for frame in (cohort, static):
        if column in frame.columns:
            return frame[column].cast(pl.Utf8).to_numpy()
    raise MartError(f"{marts_dir / 'cohort.parquet'}: no column {column} (nor in static_features.parquet); "
                    f"the validation scheme needs it (has {cohort.columns})")


def check_float32(frame: pl.DataFrame, path: Path, columns: list[str]) -> None:
    """Float input columns hold finite values within float32 (NULL and NaN are missing values): an
    inf or a 1e300 would otherwise surface as "loss is nan" with no column named."""
    for col in columns:
        if col not in frame.columns or not frame[col].dtype.is_float():
            continue  # integers fit float32's range; strings are categorical
        values = frame[col]
        n_inf = int(values.is_infinite().sum())
        if n_inf:
            raise MartError(f"{path}: column {col} has {n_inf} infinite value(s) (expected finite numbers or NULL)")
        n_huge = int((values.abs() > FLOAT32_MAX).sum())
        if n_huge:
            raise MartError(f"{path}: column {col} has {n_huge} value(s) beyond the float32 range (|x| > 3.4e38; "
                            "expected finite numbers or NULL)")


def _join_one_per_stay(left: pl.DataFrame, right: pl.DataFrame, path: Path) -> pl.DataFrame:
    missing = left.join(right.select("stay_id"), on="stay_id", how="anti")
    if missing.height:
        raise MartError(f"{path}: {missing.height} cohort stay(s) have no row, e.g. stay_id "
                        f"{missing['stay_id'][0]} (expected one row per cohort stay)")
    return left.join(right, on="stay_id", how="left")


def _series(vis: pl.DataFrame, stay_ids: np.ndarray, hours: int, path: Path, channels: list[str],
            fill: list[str]) -> np.ndarray:
    """Series rows -> (N, hours, C) float32 in cohort order, NaN where a locf channel is NULL.

    A zero-filled channel (VIS doses: 0 = no infusion) must be finite and >= 0 everywhere; a
    locf_then_train_median channel may be NULL (unmeasured) but not infinite.
    """
    if not channels:
        raise MartError(f"{path}: no channel columns besides stay_id and hr")
    for col, policy in zip(channels, fill):
        if not vis[col].dtype.is_numeric():
            raise MartError(f"{path}: column {col} must be numeric, got {vis[col].dtype}")
        values = vis[col].cast(pl.Float64)
        if policy == "zero":
            bad = values.is_null().sum() + values.is_nan().sum()
            if bad:
                raise MartError(f"{path}: column {col} has {bad} null/NaN value(s) (a zero-filled channel, e.g. "
                                "a dose, must be 0 where nothing was given)")
            if (values < 0).any() or values.is_infinite().any():
                raise MartError(f"{path}: column {col} has negative or infinite values (doses must be finite and >= 0)")
        elif values.is_infinite().any() or values.is_nan().sum():
            raise MartError(f"{path}: column {col} has NaN or infinite values (expected a finite number or NULL)")
    check_float32(vis, path, channels)

    vis = vis.filter(pl.col("stay_id").is_in(stay_ids.tolist()))
    per_stay = vis.group_by("stay_id").agg(
        pl.len().alias("n"), pl.col("hr").min().alias("lo"), pl.col("hr").max().alias("hi"),
        pl.col("hr").n_unique().alias("distinct"),
    )
    wrong = per_stay.filter((pl.col("n") != hours) | (pl.col("lo") != 0) | (pl.col("hi") != hours - 1)
                            | (pl.col("distinct") != hours))
    if wrong.height:
        row = wrong.row(0, named=True)
        raise MartError(f"{path}: column hr must be 0..{hours - 1} once per stay; stay_id {row['stay_id']} has "
                        f"{row['n']} rows, hr {row['lo']}..{row['hi']} ({wrong.height} stay(s) affected)")
    if per_stay.height != len(stay_ids):
        absent = sorted(set(stay_ids.tolist()) - set(per_stay["stay_id"].to_list()))
        raise MartError(f"{path}: {len(absent)} cohort stay(s) have no hourly rows, e.g. stay_id {absent[0]} "
                        f"(expected {hours} rows per cohort stay)")

    order = pl.DataFrame({"stay_id": stay_ids, "_pos": np.arange(len(stay_ids))})
    vis = vis.join(order, on="stay_id").sort("_pos", "hr")
    flat = vis.select([pl.col(c).cast(pl.Float32) for c in channels]).to_numpy()
    return flat.reshape(len(stay_ids), hours, len(channels))
