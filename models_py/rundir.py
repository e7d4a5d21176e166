"""The run directory: assembled in a hidden temp folder and renamed into place when complete.

$VISTREND_DATA_DIR/runs/<run_id>/ (`runs/latest` points at the newest): config.json, metrics.json,
histories.json, report.md, roc.png, loss_curves.png, shap_beeswarm.png, shap_top.csv,
predictions.parquet (stay_id, split, model, probability, label, seed, fold: null, or the fold of an
out-of-fold test row of a validation scheme, models_py.folds),
checkpoints/<model>.safetensors + checkpoints/preprocess.json (base seed; models_py.checkpoints) and
manifest.json (sha256 of config.json and the checkpoints). A failed run leaves nothing half-written.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from . import checkpoints
from .baselines import SummaryLogistic
from .config import Config
from .dataset import Prepared
from .stages import SeedResult

PACKAGES = ("torch", "numpy", "polars", "pyarrow", "scikit-learn", "shap", "duckdb", "dbt-core", "dbt-duckdb")


@contextmanager
def assembling(runs_dir: Path, run_id: str) -> Iterator[Path]:
    """Yield a hidden temp folder in `runs_dir`; on success it becomes runs_dir/run_id and runs/latest
    points at it, on any failure it is removed (an OSError then names the runs folder)."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", dir=runs_dir))
    except OSError as exc:  # name the runs folder, not the temp name inside it
        raise OSError(exc.errno, exc.strerror, str(runs_dir)) from None
    try:
        yield tmp
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700; a run is meant to be read by others
        os.replace(tmp, runs_dir / run_id)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno is not None and str(exc.filename or "").startswith(str(tmp)):
            raise OSError(exc.errno, exc.strerror, f"{runs_dir} (writing run {run_id})") from None
        raise
    _point_latest(runs_dir, runs_dir / run_id)


def _point_latest(runs_dir: Path, final: Path) -> None:
    link = runs_dir / "latest"
    tmp_link = runs_dir / f".latest.{uuid.uuid4().hex[:6]}"
    tmp_link.symlink_to(final.name)  # relative: the runs folder can move
    os.replace(tmp_link, link)


def combined_fingerprint(files: dict[str, str]) -> str:
    """One sha256 over the per-file hashes (name-sorted): equal iff every mart file is equal."""
    return hashlib.sha256("".join(f"{name}:{digest};" for name, digest in sorted(files.items())).encode()).hexdigest()


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(path: Path, payload) -> None:
    """Indented JSON; NaN and inf are written as null (strict readers such as duckdb and jq reject them)."""
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value
    path.write_text(json.dumps(clean(json.loads(json.dumps(payload, default=_json_default))), indent=2))


def save_checkpoints(folder: Path, result: SeedResult, prep: Prepared, cfg: Config) -> dict[str, str]:
    """Every fitted model of the base seed as checkpoints/<model>.safetensors (no pickles: loading
    runs no code) + preprocess.json; returns model -> path relative to the run directory."""
    folder.mkdir(parents=True, exist_ok=True)
    prep.preprocessor.to_json(folder / "preprocess.json")
    n_steps, n_channels = prep.splits["train"].series.shape[1:]
    n_static = prep.splits["train"].static.shape[1]
    saved = {}
    for name in result.probabilities:  # training order
        path = folder / f"{name}{checkpoints.SUFFIX}"
        if name in result.networks:
            architecture = checkpoints.network_architecture(
                result.networks[name], name, n_steps, n_channels, n_static, prep.preprocessor.score_indices,
                cfg.data.label_column, cfg.model)
            checkpoints.save_network(path, name, result.networks[name], architecture)
        elif name in result.sklearn:
            _save_fitted(path, name, result.sklearn[name], prep)
        else:
            continue  # an ensemble: rebuilt from its members
        saved[name] = f"{folder.name}/{path.name}"
    return saved


def _save_fitted(path: Path, name: str, clf, prep: Prepared) -> None:
    if name.startswith("score_"):
        checkpoints.save_logistic(path, name, clf, checkpoints.SCORE_INPUT, score=name.removeprefix("score_"))
    elif isinstance(clf, LogisticRegression):
        checkpoints.save_logistic(path, name, clf, checkpoints.STATIC_INPUTS)
    elif isinstance(clf, SummaryLogistic):
        checkpoints.save_summary_logistic(path, name, clf.median, clf.sometimes_missing, clf.mean, clf.std, clf.clf,
                                          checkpoints.SUMMARY_INPUTS)
    elif isinstance(clf, HistGradientBoostingClassifier):
        checkpoints.save_gradient_boosting(path, name, clf, checkpoints.SUMMARY_INPUTS,
                                           prep.summary_x[prep.rows["train"]])
    else:
        raise TypeError(f"{name}: no checkpoint format for {type(clf).__name__}")


def predictions_frame(result: SeedResult, prep: Prepared) -> pl.DataFrame:
    """One row per (model, split, stay) of this seed."""
    frames = []
    for name, probs in result.probabilities.items():
        recal = result.recalibrators.get(name)
        for split, prob in probs.items():
            tensors = prep.splits[split]
            frames.append(pl.DataFrame({
                "stay_id": tensors.stay_ids, "split": split, "model": name, "probability": prob,
                "label": tensors.label.astype(np.int64), "seed": prep.seed,
                "probability_recal": recal.transform(prob) if recal is not None else np.full(len(prob), np.nan),
            }, schema_overrides={"stay_id": pl.Int64, "probability": pl.Float64, "probability_recal": pl.Float64}))
    return pl.concat(frames)


RECALIBRATION_FILE = "checkpoints/recalibration.json"


def save_recalibration(run_dir: Path, result: SeedResult) -> str:
    """Every model's validation-fitted recalibration map as plain numbers (loading runs no code)."""
    write_json(run_dir / RECALIBRATION_FILE, {name: recal.to_dict() for name, recal in result.recalibrators.items()})
    return RECALIBRATION_FILE
