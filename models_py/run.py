"""One experiment run: split -> preprocess -> MAE -> teacher -> student (+ ablations) -> evaluate -> run dir.

Run directory ($VISTREND_DATA_DIR/runs/<run_id>/, `runs/latest` points at the newest):
config.json, metrics.json, histories.json, report.md, roc.png, loss_curves.png, shap_beeswarm.png,
shap_top.csv, predictions.parquet (stay_id, split, model, probability, label, seed),
checkpoints/<model>.safetensors + checkpoints/preprocess.json (base seed; models_py.checkpoints) and
manifest.json (sha256 of config.json and the checkpoints). It is assembled in a hidden temp folder and
renamed into place when complete, so a failed run leaves nothing half-written.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import polars as pl
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from torch import nn

from . import checkpoints, explain, metrics, report, warehouse_io
from .config import Config
from .data import MartData, MartError, load_marts, resolve_targets, split_by_patient, split_holdout
from .losses import class_weights
from .models import LSTMBaseline, MaskedAutoencoder, MultitaskModel, SeriesEncoder, freeze
from .preprocess import Preprocessor, summary_features
from .tasks import Task, TaskTargets, classification_targets, default_tasks, regression_targets
from .train import (History, SplitTensors, StageSettings, fit_supervised, predict_outputs, pretrain_mae,
                    resolve_device)

PAPER_MODELS = ("full", "no_kd", "no_mt", "no_mae", "lstm", "logreg")
# with the ablations: summary-statistic baselines gbm_summary and logreg_summary (per-channel min,
# max, mean, last, count + static features) and two ensembles (mean probability of their members)
ENSEMBLES = {"ensemble_summary": ("gbm_summary", "logreg_summary"),
             "ensemble_all": ("full", "gbm_summary", "logreg_summary")}
TEACHERS = ("teacher_untrained", "teacher_probe")
THRESHOLD_RULE = ("Youden's J maximised on the validation split (ties -> the higher threshold); "
                  "predicted positive iff probability >= threshold")
SELECTION_RULE = ("the highest validation AUROC (base seed) among the run's models; ties -> the model "
                  "trained first. pipelines/predict.py serves it when no --model is given")
PACKAGES = ("torch", "numpy", "polars", "pyarrow", "scikit-learn", "shap", "duckdb", "dbt-core", "dbt-duckdb")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# data preparation -------------------------------------------------------------------------------


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


def prepare(data: MartData, cfg: Config, seed: int, device: torch.device) -> Prepared:
    label_name = cfg.data.label_column
    label = data.labels[label_name]
    if cfg.split.holdout_column:
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
    series = torch.from_numpy(pre.transform_series(data.series, data.channels))
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


# training ---------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    seed: int
    probabilities: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # model -> split -> (n,)
    regression: dict[str, np.ndarray] = field(default_factory=dict)  # model -> test (n, k) original scale
    histories: dict[str, History] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall-clock per stage
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # process CPU time per stage (load-independent)
    networks: dict[str, nn.Module] = field(default_factory=dict)
    sklearn: dict[str, object] = field(default_factory=dict)  # LogisticRegression, HistGradientBoosting


def _settings(stage) -> StageSettings:
    return StageSettings(stage.epochs, stage.lr, stage.weight_decay, stage.batch_size, stage.patience)


def _record(result: SeedResult, name: str, model: nn.Module, prep: Prepared, regression: bool) -> None:
    result.networks[name] = model
    result.probabilities[name] = {}
    for split, tensors in prep.splits.items():
        prob, reg = predict_outputs(model, tensors.series, tensors.static)
        result.probabilities[name][split] = prob
        if split == "test" and regression and reg.shape[1]:
            result.regression[name] = prep.preprocessor.inverse_targets(reg)


def train_models(prep: Prepared, cfg: Config, ablations: bool, progress: bool = True) -> SeedResult:
    """All models of one seed on the same split: teachers, full, and (with ablations) the rest."""
    seed, result = prep.seed, SeedResult(prep.seed)
    train, val = prep.splits["train"], prep.splits["val"]
    n_steps, n_channels = train.series.shape[1:]
    n_static = train.static.shape[1]
    score_idx = prep.preprocessor.score_indices
    mt_tasks, st_tasks = default_tasks(cfg, multitask=True), default_tasks(cfg, multitask=False)
    device = train.series.device

    def multitask_model(encoder: SeriesEncoder, tasks: list[Task], model_seed: int) -> MultitaskModel:
        torch.manual_seed(model_seed)
        return MultitaskModel.from_encoder(encoder, n_static=n_static, score_indices=score_idx, tasks=tasks,
                                           cfg=cfg.model).to(device)

    def fresh_encoder(model_seed: int) -> SeriesEncoder:
        torch.manual_seed(model_seed)
        return SeriesEncoder(n_channels=n_channels, n_steps=n_steps, cfg=cfg.model).to(device)

    def timed(name: str, fn):
        start, cpu_start = time.perf_counter(), time.process_time()
        out = fn()
        result.seconds[name] = round(time.perf_counter() - start, 3)
        result.cpu_seconds[name] = round(time.process_time() - cpu_start, 3)
        history = result.histories.get(name)
        detail = ""
        if history is not None and "val_auroc" in history.values:
            detail = (f", {len(history.values['val_auroc'])} epochs, best {history.best_epoch + 1}, "
                      f"val AUROC {max(history.values['val_auroc']):.3f}")
        log(f"[seed {seed}] {name}: {result.seconds[name]:.1f} s{detail}")
        return out

    def build_teacher(encoder: SeriesEncoder, heads: str, name: str) -> MultitaskModel:
        teacher = multitask_model(encoder, mt_tasks, seed + 1)
        if heads == "probe":
            freeze(teacher.encoder)
            result.histories[name] = fit_supervised(
                teacher, train, val, mt_tasks, _settings(cfg.teacher), prep.class_weights, seed,
                frozen=teacher.encoder, desc=name, progress=progress)
        return freeze(teacher)

    def student(name: str, teacher: nn.Module | None, tasks: list[Task], encoder: SeriesEncoder) -> MultitaskModel:
        model = multitask_model(encoder, tasks, seed + 2)
        result.histories[name] = fit_supervised(
            model, train, val, tasks, _settings(cfg.student), prep.class_weights, seed,
            teacher=teacher, kd_weight=cfg.loss.kd_weight if teacher is not None else 0.0,
            desc=name, progress=progress)
        return model

    # stage 1: MAE on the training split's series only
    def stage_mae():
        mae, history = pretrain_mae(train.series, cfg.model, cfg, seed, progress)
        result.histories["mae"] = history
        return mae
    mae: MaskedAutoencoder = timed("mae", stage_mae)

    # stage 2: teachers on the frozen MAE encoder (both readings reported; cfg.teacher.heads guides KD)
    teachers = {}
    for heads in ("untrained", "probe"):
        name = f"teacher_{heads}"
        teachers[heads] = timed(name, lambda: build_teacher(mae.encoder, heads, name))
        _record(result, name, teachers[heads], prep, regression=heads == "probe")
    teacher = teachers[cfg.teacher.heads]

    # stage 3: the student, and the ablations on the same split and seed
    def student_encoder(model_seed: int) -> SeriesEncoder:
        return mae.encoder if cfg.student.init_from_mae else fresh_encoder(model_seed)

    full = timed("full", lambda: student("full", teacher, mt_tasks, student_encoder(seed + 3)))
    _record(result, "full", full, prep, regression=True)
    if not ablations:
        return result

    model = timed("no_kd", lambda: student("no_kd", None, mt_tasks, student_encoder(seed + 3)))
    _record(result, "no_kd", model, prep, regression=True)
    model = timed("no_mt", lambda: student("no_mt", teacher, st_tasks, student_encoder(seed + 3)))
    _record(result, "no_mt", model, prep, regression=False)

    def no_mae():
        random_encoder = fresh_encoder(seed + 4)  # the MAE stage skipped: the teacher's encoder is random
        random_teacher = build_teacher(random_encoder, cfg.teacher.heads, "no_mae_teacher")
        start_encoder = random_encoder if cfg.student.init_from_mae else fresh_encoder(seed + 3)
        return student("no_mae", random_teacher, mt_tasks, start_encoder)
    model = timed("no_mae", no_mae)
    _record(result, "no_mae", model, prep, regression=True)

    def lstm():
        torch.manual_seed(seed + 5)
        net = LSTMBaseline(n_channels=n_channels, n_static=n_static, cfg=cfg.model,
                           task_name=cfg.data.label_column).to(device)
        result.histories["lstm"] = fit_supervised(net, train, val, st_tasks, _settings(cfg.student),
                                                  prep.class_weights, seed, desc="lstm", progress=progress)
        return net
    model = timed("lstm", lstm)
    _record(result, "lstm", model, prep, regression=False)

    timed("logreg", lambda: _fit_logistic(result, "logreg", prep.static_x, prep, seed))
    timed("gbm_summary", lambda: _fit_gbm(result, "gbm_summary", prep.summary_x, prep, seed))
    timed("logreg_summary", lambda: _fit_logistic_summary(result, "logreg_summary", prep.summary_x, prep, seed))
    for name, members in ENSEMBLES.items():
        result.probabilities[name] = {split: np.mean([result.probabilities[m][split] for m in members], axis=0)
                                      for split in prep.rows}
    for j, score in enumerate(cfg.data.score_columns):
        timed(f"score_{score}", lambda: _fit_logistic(result, f"score_{score}", prep.score_inputs[:, [j]], prep, seed))
    return result


def _fit_logistic(result: SeedResult, name: str, features: np.ndarray, prep: Prepared, seed: int) -> None:
    """logreg: static features + scores; score_<name>: one score, a monotone map of its value to a probability."""
    train = prep.rows["train"]
    y = prep.splits["train"].label.astype(int)
    clf = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed)
    clf.fit(features[train], y)
    result.sklearn[name] = clf
    result.probabilities[name] = {split: clf.predict_proba(features[rows])[:, 1] for split, rows in prep.rows.items()}


def _fit_gbm(result: SeedResult, name: str, features: np.ndarray, prep: Prepared, seed: int) -> None:
    """Gradient boosting on summary statistics + static features (missing values handled natively);
    early stopping on an internal 10 % of the training split, never on val/test."""
    train = prep.rows["train"]
    y = prep.splits["train"].label.astype(int)
    clf = HistGradientBoostingClassifier(learning_rate=0.05, max_iter=500, max_leaf_nodes=15, min_samples_leaf=20,
                                         l2_regularization=1.0, early_stopping=True, validation_fraction=0.1,
                                         n_iter_no_change=30, random_state=seed)
    clf.fit(features[train], y)
    result.sklearn[name] = clf
    result.probabilities[name] = {split: clf.predict_proba(features[rows])[:, 1] for split, rows in prep.rows.items()}


class _SummaryLogistic:
    """Training-median imputation + missing indicators + z-scoring, then an L2 logistic regression."""

    def __init__(self, seed: int):
        self.clf = LogisticRegression(C=0.1, max_iter=3000, random_state=seed)

    def _design(self, x: np.ndarray) -> np.ndarray:
        missing = np.isnan(x[:, self.sometimes_missing])
        filled = np.where(np.isnan(x), self.median, x)
        return np.concatenate([(filled - self.mean) / self.std, missing], axis=1)

    def fit(self, x: np.ndarray, y: np.ndarray) -> "_SummaryLogistic":
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


def _fit_logistic_summary(result: SeedResult, name: str, features: np.ndarray, prep: Prepared, seed: int) -> None:
    train = prep.rows["train"]
    clf = _SummaryLogistic(seed).fit(features[train], prep.splits["train"].label.astype(int))
    result.sklearn[name] = clf
    result.probabilities[name] = {split: clf.predict_proba(features[rows])[:, 1] for split, rows in prep.rows.items()}


# evaluation -------------------------------------------------------------------------------------


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
        entry["threshold"] = float(threshold)
        entry["val_auroc"] = metrics.binary_metrics(y_val, probs["val"], threshold)["auroc"]
        out[name] = entry
    return out


def select_model(models: dict[str, dict]) -> str:
    """The model with the highest validation AUROC (SELECTION_RULE); NaN never wins."""
    scored = [(name, entry.get("val_auroc")) for name, entry in models.items()]
    scored = [(name, auc) for name, auc in scored if isinstance(auc, float) and math.isfinite(auc)]
    if not scored:
        raise MartError("validation split: no model has a validation AUROC (the split needs both classes)")
    return max(scored, key=lambda item: item[1])[0]  # max keeps the first of equal values


# the run ----------------------------------------------------------------------------------------


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
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _write_json(path: Path, payload) -> None:
    # NaN is written as null: strict JSON readers (duckdb, jq) reject bare NaN
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        return value
    path.write_text(json.dumps(clean(json.loads(json.dumps(payload, default=_json_default))), indent=2))


def _save_checkpoints(folder: Path, result: SeedResult, prep: Prepared, cfg: Config) -> dict[str, str]:
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
            _save_fitted(path, name, result.sklearn[name], prep, cfg)
        else:
            continue  # an ensemble: rebuilt from its members
        saved[name] = f"{folder.name}/{path.name}"
    return saved


def _save_fitted(path: Path, name: str, clf, prep: Prepared, cfg: Config) -> None:
    train = prep.rows["train"]
    if name.startswith("score_"):
        checkpoints.save_logistic(path, name, clf, checkpoints.SCORE_INPUT, score=name.removeprefix("score_"))
    elif isinstance(clf, LogisticRegression):
        checkpoints.save_logistic(path, name, clf, checkpoints.STATIC_INPUTS)
    elif isinstance(clf, _SummaryLogistic):
        checkpoints.save_summary_logistic(path, name, clf.median, clf.sometimes_missing, clf.mean, clf.std, clf.clf,
                                          checkpoints.SUMMARY_INPUTS)
    elif isinstance(clf, HistGradientBoostingClassifier):
        checkpoints.save_gradient_boosting(path, name, clf, checkpoints.SUMMARY_INPUTS, prep.summary_x[train])
    else:
        raise TypeError(f"{name}: no checkpoint format for {type(clf).__name__}")


def _predictions_frame(result: SeedResult, prep: Prepared) -> pl.DataFrame:
    frames = []
    for name, probs in result.probabilities.items():
        for split, prob in probs.items():
            tensors = prep.splits[split]
            frames.append(pl.DataFrame({
                "stay_id": tensors.stay_ids, "split": split, "model": name, "probability": prob,
                "label": tensors.label.astype(np.int64), "seed": prep.seed,
            }, schema_overrides={"stay_id": pl.Int64, "probability": pl.Float64}))
    return pl.concat(frames)


def _loss_histories(results: SeedResult) -> dict[str, dict[str, list[float]]]:
    return {name: {k: v for k, v in h.values.items() if k.endswith("loss")} for name, h in results.histories.items()}


def run_experiment(marts_dir: str | Path, runs_dir: str | Path, cfg: Config, *, ablations: bool = True,
                   n_seeds: int = 1, warehouse: str | Path | None = None, progress: bool = True,
                   explain_model: bool = True) -> Path:
    """Train and evaluate everything, write the run directory, return its final path."""
    cfg.validate()
    torch.set_num_threads(max(1, cfg.threads))
    device = resolve_device(cfg.device)
    runs_dir = Path(runs_dir)
    runs_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for change in resolve_targets(cfg.data, marts_dir):
        log(f"model_targets.parquet: {change}")
    data = load_marts(marts_dir, [cfg.data.label_column, *cfg.tasks.auxiliary_labels], cfg.data.score_columns,
                      cfg.data.hours, use_metadata=cfg.data.use_metadata, group_column=cfg.split.holdout_column)
    run_id = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    seeds = list(range(cfg.seed, cfg.seed + n_seeds))
    log(f"run {run_id}: {len(data)} stays, {len(data.channels)} channels, device {device}, seeds {seeds}")

    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{run_id}.", dir=runs_dir))
    except OSError as exc:  # name the runs folder, not the temp name inside it
        raise OSError(exc.errno, exc.strerror, str(runs_dir)) from None
    try:
        per_seed_metrics, seconds, cpu_seconds, base = {}, {}, {}, None
        for seed in seeds:
            prep = prepare(data, cfg, seed, device)
            result = train_models(prep, cfg, ablations, progress)
            start = time.perf_counter()
            per_seed_metrics[str(seed)] = evaluate(result, prep, cfg)
            result.seconds["evaluation"] = round(time.perf_counter() - start, 3)
            seconds[str(seed)] = result.seconds
            cpu_seconds[str(seed)] = result.cpu_seconds
            predictions = _predictions_frame(result, prep)
            if base is None:
                base = (prep, result)
                all_predictions = [predictions]
            else:
                all_predictions.append(predictions)
                for net in result.networks.values():  # free memory; only the base seed is checkpointed
                    net.cpu()
                result.networks.clear()
        prep, result = base
        pl.concat(all_predictions).write_parquet(tmp / "predictions.parquet")
        saved = _save_checkpoints(tmp / "checkpoints", result, prep, cfg)
        base_metrics = per_seed_metrics[str(cfg.seed)]
        selected = select_model(base_metrics)
        log(f"selected on the validation split: {selected} (AUROC {base_metrics[selected]['val_auroc']:.3f})")

        summary = metrics.summarize_over_seeds(per_seed_metrics) if n_seeds > 1 else {}
        metrics_json = {"models": per_seed_metrics[str(cfg.seed)], "threshold_rule": THRESHOLD_RULE,
                        "per_seed": per_seed_metrics, "summary": summary}
        _write_json(tmp / "metrics.json", metrics_json)
        _write_json(tmp / "histories.json", {name: {**h.values, "best_epoch": h.best_epoch}
                                             for name, h in result.histories.items()})

        test = prep.splits["test"]
        report.plot_roc({name: (test.label, probs["test"]) for name, probs in result.probabilities.items()},
                        tmp / "roc.png")
        report.plot_loss_curves(_loss_histories(result), tmp / "loss_curves.png")
        shap_top: list[tuple[str, float]] = []
        if explain_model:
            start = time.perf_counter()
            train = prep.splits["train"]
            shap_result = explain.shap_static(
                result.networks["full"], test.series.cpu().numpy(), test.static.cpu().numpy(),
                prep.preprocessor.feature_names, background_size=cfg.eval.shap_background,
                n_explain=cfg.eval.shap_stays, seed=cfg.seed,
                background_series=train.series.cpu().numpy(), background_static=train.static.cpu().numpy())
            report.plot_shap_beeswarm(shap_result, tmp / "shap_beeswarm.png")
            report.write_shap_top(shap_result, tmp / "shap_top.csv", k=10)
            shap_top = list(shap_result.mean_abs[:10])
            seconds[str(cfg.seed)]["shap"] = round(time.perf_counter() - start, 3)

        run_info = {
            "run_id": run_id,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "config": cfg.to_dict(),
            "data_fingerprint": combined_fingerprint(data.fingerprint),
            "data_files_sha256": data.fingerprint,
            "label": cfg.data.label_column,
            # absolute but not resolved: <data_dir>/marts is a symlink to the build of the day, and old
            # builds are deleted, so the run names the link (its data_files_sha256 pins the content)
            "marts_dir": os.path.abspath(marts_dir),
            "marts_build": data.build_id,
            "packages": package_versions(),
            "seed": cfg.seed,
            "seeds": seeds,
            "device": str(device),
            "ablations": ablations,
            "channels": data.channels,
            "series_file": data.series_file,
            "input_channels": prep.preprocessor.output_channels,
            "feature_names": prep.preprocessor.feature_names,
            "split_sizes": {split: int(len(rows)) for split, rows in prep.rows.items()},
            "label_prevalence": {split: float(np.mean(prep.splits[split].label)) for split in prep.rows},
            "threshold_rule": THRESHOLD_RULE,
            "bootstrap": f"{cfg.eval.bootstrap_resamples} resamples of the test split, percentile 95 % CI",
            "thresholds": {name: entry["threshold"] for name, entry in metrics_json["models"].items()},
            "checkpoints": saved,
            "ensembles": {name: list(members) for name, members in ENSEMBLES.items() if name in result.probabilities},
            "selection": {"model": selected, "rule": SELECTION_RULE,
                          "validation_auroc": {name: entry["val_auroc"] for name, entry in base_metrics.items()}},
            "stage_seconds": seconds,
            "stage_cpu_seconds": cpu_seconds,
            "total_seconds": round(time.perf_counter() - started, 3),
        }
        _write_json(tmp / "config.json", run_info)
        checkpoints.write_manifest(tmp, ["config.json", "checkpoints/preprocess.json", *saved.values()])
        report.write_report_md(tmp / "report.md", run_info, metrics_json, shap_top)

        final = runs_dir / run_id
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700; a run is meant to be read by others
        os.replace(tmp, final)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and exc.errno is not None and str(exc.filename or "").startswith(str(tmp)):
            raise OSError(exc.errno, exc.strerror, f"{runs_dir} (writing run {run_id})") from None
        raise
    _point_latest(runs_dir, final)
    if warehouse is not None:
        try:
            warehouse_io.load_run_into_warehouse(final, warehouse)
        except Exception as exc:  # the run is complete on disk; a warehouse problem must not lose it
            warnings.warn(f"run {run_id} written but not loaded into {warehouse}: {exc}", stacklevel=2)
    log(f"run {run_id} done in {time.perf_counter() - started:.1f} s: {final}")
    return final


def _point_latest(runs_dir: Path, final: Path) -> None:
    link = runs_dir / "latest"
    tmp_link = runs_dir / f".latest.{uuid.uuid4().hex[:6]}"
    tmp_link.symlink_to(final.name)  # relative: the runs folder can move
    os.replace(tmp_link, link)
