"""Score stays with a saved run: any model it saved, with the run's own fitted preprocessing and
threshold, after checking every file against the run's manifest.json (models_py.checkpoints).

Models: the torch networks (students, teachers, LSTM), the logistic regressions (`logreg`,
`score_<name>`), the summary-statistic baselines (`gbm_summary`, `logreg_summary`) and the ensembles
(the mean probability of their members, as in training). Output, one row per stay: the source's key
(`stay_id`, or `record_id` for PhysioNet 2012), model, run_id, probability, threshold (Youden's J on
the run's validation split) and predicted_label (probability >= threshold). The probability is the
recalibrated one by default (the map the run fitted on its validation split; threshold mapped the same way,
so the decisions do not change); `raw=True` gives the model's own. The run's leak policy is applied to the
scored stays as in training (models_py.leak).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from . import checkpoints
from .calibration import Recalibrator
from .config import Config, config_from_dict
from .data import MartData, load_marts
from .leak import apply_policy, mark_padding
from .preprocess import Preprocessor, summary_features

# the source's key, by the series mart the run was trained on (PhysioNet 2012's stay_id is its RecordID)
SOURCE_KEYS = {"hourly_measurements.parquet": "record_id"}
DEFAULT_KEY = "stay_id"
OUTPUT_FORMATS = (".csv", ".parquet")
OUTPUT_COLUMNS = ("model", "run_id", "probability", "threshold", "predicted_label")


class PredictError(ValueError):
    """A run, model or output that cannot be used; the message names it."""


@dataclass
class SavedRun:
    path: Path
    info: dict                  # config.json
    cfg: Config
    preprocessor: Preprocessor
    checkpoints: dict[str, str]  # model -> checkpoint path relative to the run
    ensembles: dict[str, list[str]] = field(default_factory=dict)
    recalibration: dict[str, Recalibrator] = field(default_factory=dict)  # model -> map fitted on validation

    @property
    def run_id(self) -> str:
        return str(self.info.get("run_id") or self.path.resolve().name)

    @property
    def models(self) -> list[str]:
        """Every model the run can serve, in training order."""
        return [*self.checkpoints, *self.ensembles]

    @property
    def selected_model(self) -> str:
        return self.info["selection"]["model"]

    @property
    def marts_dir(self) -> Path:
        return Path(self.info["marts_dir"])

    def threshold(self, model: str) -> float:
        return float(self.info["thresholds"][model])


def open_run(run_dir: str | Path) -> SavedRun:
    """Verify the run's files against its manifest, then read config.json and preprocess.json."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise PredictError(f"{run_dir}: not a run directory (expected runs/<run_id> from pipelines/train.py)")
    checkpoints.verify_manifest(run_dir)
    config_path = run_dir / "config.json"
    try:
        info = json.loads(config_path.read_text())
        cfg = config_from_dict(info["config"])
        models = dict(info["checkpoints"])
        ensembles = {name: list(members) for name, members in (info.get("ensembles") or {}).items()}
        info["selection"]["model"], info["thresholds"], info["marts_dir"]  # noqa: B018 -- present?
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise PredictError(f"{config_path}: not a usable run config ({type(exc).__name__}: {exc})") from None
    try:
        pre = Preprocessor.from_json(run_dir / "checkpoints" / "preprocess.json")
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise PredictError(f"{run_dir / 'checkpoints' / 'preprocess.json'}: unreadable ({exc})") from None
    recalibration = {}
    if info.get("recalibration_file"):
        path = run_dir / info["recalibration_file"]
        try:
            recalibration = {m: Recalibrator.from_dict(d) for m, d in json.loads(path.read_text()).items()}
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise PredictError(f"{path}: unreadable recalibration ({type(exc).__name__}: {exc})") from None
    return SavedRun(run_dir, info, cfg, pre, models, ensembles, recalibration)


def resolve_model(run: SavedRun, name: str | None) -> str:
    """The requested model, or the run's choice on the validation split; an unknown name lists the valid ones."""
    if name is None:
        return run.selected_model
    if name not in run.models:
        raise PredictError(f"--model {name}: not a model of run {run.run_id}; valid: {', '.join(run.models)}")
    return name


def load_data(run: SavedRun, marts_dir: str | Path, notes: list[str] | None = None) -> MartData:
    """The stays of `marts_dir` as the run's trainer read them (labels not needed), under its leak policy;
    what the policy did is appended to `notes`."""
    data_cfg = run.cfg.data
    data = load_marts(marts_dir, [data_cfg.label_column], data_cfg.score_columns, data_cfg.hours,
                      require_labels=False, use_metadata=data_cfg.use_metadata)
    data, note = apply_policy(data, data_cfg.leak_policy)
    if notes is not None:
        notes.append(note)
    return data


class _Inputs:
    """Each model's inputs from the marts and the run's preprocessing, built once when first needed."""

    def __init__(self, run: SavedRun, data: MartData):
        self.run, self.data, self._cache = run, data, {}

    def _once(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def static(self) -> np.ndarray:
        return self._once("static", lambda: self.run.preprocessor.transform_static(self.data.static))

    def series(self):
        import torch

        return self._once("series", lambda: torch.from_numpy(mark_padding(
            self.run.preprocessor.transform_series(self.data.series, self.data.channels), self.data.padding)))

    def summary(self) -> np.ndarray:
        return self._once("summary", lambda: np.concatenate(
            [summary_features(self.data.series, self.data.channels)[0], self.static()], axis=1))

    def score(self, column: str) -> np.ndarray:
        values = self.data.static[column].cast(pl.Float64).fill_null(np.nan).to_numpy()
        median = self.run.preprocessor.scores[column]["median"]
        return np.where(np.isnan(values), median, values)[:, None]

    def tabular(self, checkpoint: checkpoints.Checkpoint) -> np.ndarray:
        if checkpoint.inputs == checkpoints.STATIC_INPUTS:
            return self.static()
        if checkpoint.inputs == checkpoints.SUMMARY_INPUTS:
            return self.summary()
        if checkpoint.inputs == checkpoints.SCORE_INPUT:
            return self.score(checkpoint.header["score"])
        raise PredictError(f"{checkpoint.name}: unknown inputs {checkpoint.inputs!r} in its checkpoint")


def probabilities(run: SavedRun, data: MartData, model: str, inputs: _Inputs | None = None) -> np.ndarray:
    """(N,) class-1 probabilities of `model` for the stays of `data`, in data.stay_ids order."""
    inputs = inputs or _Inputs(run, data)
    if model in run.ensembles:
        return np.mean([probabilities(run, data, member, inputs) for member in run.ensembles[model]], axis=0)
    checkpoint = checkpoints.load(run.path / run.checkpoints[model], model)
    if checkpoint.kind == "network":
        import torch

        from .engine import predict_outputs

        n_static = inputs.static().shape[1]
        if checkpoint.header["n_static"] != n_static:
            raise PredictError(f"{run.checkpoints[model]}: expects {checkpoint.header['n_static']} static features, "
                               f"preprocess.json gives {n_static}")
        prob, _ = predict_outputs(checkpoint.model, inputs.series(), torch.from_numpy(inputs.static()))
        return prob
    return checkpoint.model.predict_proba(inputs.tabular(checkpoint))


def predictions(run: SavedRun, data: MartData, model: str, raw: bool = False) -> pl.DataFrame:
    """key, model, run_id, probability, threshold, predicted_label for every stay of `data`
    (recalibrated probability and threshold unless raw or the run has no recalibration)."""
    prob = probabilities(run, data, model)
    threshold = run.threshold(model)
    label = (prob >= threshold).astype(np.int32)  # decisions on the model's own scale
    recal = None if raw else run.recalibration.get(model)
    if recal is not None:
        prob, threshold = recal.transform(prob), float(recal.transform(np.array([threshold]))[0])
    key = SOURCE_KEYS.get(data.series_file, DEFAULT_KEY)
    return pl.DataFrame({
        key: data.stay_ids.astype(np.int64), "model": model, "run_id": run.run_id,
        "probability": prob.astype(np.float64), "threshold": threshold, "predicted_label": label,
    }, schema_overrides={"threshold": pl.Float64})


def score_stays(run_dir: str | Path, marts_dir: str | Path, model: str | None = "full") -> pl.DataFrame:
    """Score every stay of the marts with one model of a saved run (None: the run's selected model)."""
    run = open_run(run_dir)
    return predictions(run, load_data(run, marts_dir), resolve_model(run, model))


def check_output(path: str | Path) -> str:
    """The output format from the file's extension (.csv or .parquet); anything else is refused."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise PredictError(f"{path}: output format {suffix or '(no extension)'!r} not supported "
                           f"(expected {' or '.join(OUTPUT_FORMATS)})")
    return suffix


def write_output(frame: pl.DataFrame, path: str | Path) -> None:
    """CSV or Parquet by extension; written to a temp sibling and renamed, so a failure leaves nothing."""
    path = Path(path)
    suffix = check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(fd)
        if suffix == ".parquet":
            frame.write_parquet(tmp)
        else:
            frame.write_csv(tmp, float_precision=10)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None:  # name the user's file, not the temp sibling
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
