"""The paper's stages for one seed, as named functions, and `train_seed`, the recipe that runs them.

1. `pretrain_mae`: a masked autoencoder on the training split's series (labels unused);
2. `build_teacher`: heads on the frozen MAE encoder, untrained (paper §4.2) or a trained probe (§3);
3. `train_student`: a multitask student distilled from the teacher (and the ablations: no_kd, no_mt,
   no_mae on a random encoder), `train_lstm`, then the scikit-learn baselines (models_py.baselines).

Seeds: every stage seeds torch itself from the run seed with a fixed offset (MAE seed, teacher
seed+1, student heads seed+2, student encoder seed+3, no_mae's random encoder seed+4, LSTM seed+5),
and the stages run in this file's order, so a seed gives the same models every time.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from . import engine
from .baselines import ENSEMBLES, fit_gradient_boosting, fit_logistic, fit_summary_logistic
from .config import Config
from .dataset import Prepared
from .engine import History, StageSettings, fit_supervised, predict_outputs
from .models import LSTMBaseline, MaskedAutoencoder, MultitaskModel, SeriesEncoder, freeze
from .tasks import Task, default_tasks


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class SeedResult:
    """Everything one seed produced, by model name in training order."""

    seed: int
    probabilities: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # model -> split -> (n,)
    regression: dict[str, np.ndarray] = field(default_factory=dict)  # model -> test (n, k) original scale
    histories: dict[str, History] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall-clock per stage
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # process CPU time per stage (load-independent)
    networks: dict[str, nn.Module] = field(default_factory=dict)
    sklearn: dict[str, object] = field(default_factory=dict)  # LogisticRegression, HistGradientBoosting, ...
    recalibrators: dict[str, object] = field(default_factory=dict)  # model -> calibration.Recalibrator (val)

    def timed(self, name: str, fn, *args):
        """fn(*args), its wall-clock and CPU seconds recorded under `name` and logged."""
        start, cpu_start = time.perf_counter(), time.process_time()
        out = fn(*args)
        self.seconds[name] = round(time.perf_counter() - start, 3)
        self.cpu_seconds[name] = round(time.process_time() - cpu_start, 3)
        history = self.histories.get(name)
        detail = ""
        if history is not None and "val_auroc" in history.values:
            detail = (f", {len(history.values['val_auroc'])} epochs, best {history.best_epoch + 1}, "
                      f"val AUROC {max(history.values['val_auroc']):.3f}")
        log(f"[seed {self.seed}] {name}: {self.seconds[name]:.1f} s{detail}")
        return out

    def add_network(self, name: str, model: nn.Module, prep: Prepared, regression: bool) -> None:
        """Keep a trained network and its probabilities on every split (and test regression outputs)."""
        self.networks[name] = model
        self.probabilities[name] = {}
        for split, tensors in prep.splits.items():
            prob, reg = predict_outputs(model, tensors.series, tensors.static)
            self.probabilities[name][split] = prob
            if split == "test" and regression and reg.shape[1]:
                self.regression[name] = prep.preprocessor.inverse_targets(reg)

    def add_fitted(self, name: str, clf, features: np.ndarray, prep: Prepared) -> None:
        """Keep a fitted scikit-learn-style model and its probabilities on every split."""
        self.sklearn[name] = clf
        self.probabilities[name] = {split: clf.predict_proba(features[rows])[:, 1] for split, rows in prep.rows.items()}


def _settings(stage) -> StageSettings:
    return StageSettings(stage.epochs, stage.lr, stage.weight_decay, stage.batch_size, stage.patience)


def fresh_encoder(prep: Prepared, cfg: Config, model_seed: int) -> SeriesEncoder:
    n_steps, n_channels = prep.splits["train"].series.shape[1:]
    torch.manual_seed(model_seed)
    return SeriesEncoder(n_channels=n_channels, n_steps=n_steps, cfg=cfg.model).to(prep.device)


def multitask_model(encoder: SeriesEncoder, tasks: list[Task], prep: Prepared, cfg: Config,
                    model_seed: int) -> MultitaskModel:
    torch.manual_seed(model_seed)
    return MultitaskModel.from_encoder(encoder, n_static=prep.splits["train"].static.shape[1],
                                       score_indices=prep.preprocessor.score_indices, tasks=tasks,
                                       cfg=cfg.model).to(prep.device)


def student_encoder(mae: MaskedAutoencoder, prep: Prepared, cfg: Config) -> SeriesEncoder:
    """The encoder a student starts from: the MAE's (init_from_mae) or a fresh one (seed+3)."""
    return mae.encoder if cfg.student.init_from_mae else fresh_encoder(prep, cfg, prep.seed + 3)


def pretrain_mae(prep: Prepared, cfg: Config, result: SeedResult, progress: bool) -> MaskedAutoencoder:
    """Stage 1: the MAE on the training split's series only."""
    mae, result.histories["mae"] = engine.pretrain_mae(prep.splits["train"].series, cfg.model, cfg, prep.seed,
                                                       progress, val_series=prep.splits["val"].series)
    return mae


def build_teacher(encoder: SeriesEncoder, heads: str, name: str, prep: Prepared, cfg: Config, result: SeedResult,
                  progress: bool) -> MultitaskModel:
    """Stage 2: multitask heads on a frozen copy of `encoder`; 'probe' trains the heads on the labels."""
    tasks = default_tasks(cfg, multitask=True)
    teacher = multitask_model(encoder, tasks, prep, cfg, prep.seed + 1)
    if heads == "probe":
        freeze(teacher.encoder)
        result.histories[name] = fit_supervised(
            teacher, prep.splits["train"], prep.splits["val"], tasks, _settings(cfg.teacher), prep.class_weights,
            prep.seed, frozen=teacher.encoder, desc=name, progress=progress)
    return freeze(teacher)


def train_student(name: str, teacher: nn.Module | None, tasks: list[Task], encoder: SeriesEncoder, prep: Prepared,
                  cfg: Config, result: SeedResult, progress: bool) -> MultitaskModel:
    """Stage 3: a student on a copy of `encoder`, distilled from `teacher` unless it is None."""
    model = multitask_model(encoder, tasks, prep, cfg, prep.seed + 2)
    result.histories[name] = fit_supervised(
        model, prep.splits["train"], prep.splits["val"], tasks, _settings(cfg.student), prep.class_weights,
        prep.seed, teacher=teacher, kd_weight=cfg.loss.kd_weight if teacher is not None else 0.0,
        desc=name, progress=progress)
    return model


def train_no_mae(prep: Prepared, cfg: Config, result: SeedResult, progress: bool) -> MultitaskModel:
    """The MAE stage skipped: teacher and (with init_from_mae) student start from a random encoder."""
    random_encoder = fresh_encoder(prep, cfg, prep.seed + 4)
    random_teacher = build_teacher(random_encoder, cfg.teacher.heads, "no_mae_teacher", prep, cfg, result, progress)
    start_encoder = random_encoder if cfg.student.init_from_mae else fresh_encoder(prep, cfg, prep.seed + 3)
    return train_student("no_mae", random_teacher, default_tasks(cfg, multitask=True), start_encoder, prep, cfg,
                         result, progress)


def train_lstm(prep: Prepared, cfg: Config, result: SeedResult, progress: bool) -> LSTMBaseline:
    train = prep.splits["train"]
    torch.manual_seed(prep.seed + 5)
    net = LSTMBaseline(n_channels=train.series.shape[2], n_static=train.static.shape[1], cfg=cfg.model,
                       task_name=cfg.data.label_column).to(prep.device)
    result.histories["lstm"] = fit_supervised(net, train, prep.splits["val"], default_tasks(cfg, multitask=False),
                                              _settings(cfg.student), prep.class_weights, prep.seed, desc="lstm",
                                              progress=progress)
    return net


def train_seed(prep: Prepared, cfg: Config, ablations: bool, progress: bool = True) -> SeedResult:
    """All models of one seed on the same split: teachers, full, and (with ablations) the rest."""
    seed, result = prep.seed, SeedResult(prep.seed)
    mt_tasks, st_tasks = default_tasks(cfg, multitask=True), default_tasks(cfg, multitask=False)

    mae = result.timed("mae", pretrain_mae, prep, cfg, result, progress)
    # both teacher readings are reported; cfg.teacher.heads is the one the students learn from
    teachers = {}
    for heads in ("untrained", "probe"):
        name = f"teacher_{heads}"
        teachers[heads] = result.timed(name, build_teacher, mae.encoder, heads, name, prep, cfg, result, progress)
        result.add_network(name, teachers[heads], prep, regression=heads == "probe")
    teacher = teachers[cfg.teacher.heads]

    students = [("full", teacher, mt_tasks, True)]
    if ablations:
        students += [("no_kd", None, mt_tasks, True), ("no_mt", teacher, st_tasks, False)]
    if "full_init_mae" in cfg.run.variants:  # ICH/M3H-style question: what MAE adds as an initialisation
        students.append(("full_init_mae", teacher, mt_tasks, True))
    for name, student_teacher, tasks, regression in students:
        encoder = mae.encoder if name == "full_init_mae" else student_encoder(mae, prep, cfg)
        model = result.timed(name, train_student, name, student_teacher, tasks, encoder, prep, cfg, result, progress)
        result.add_network(name, model, prep, regression=regression)
    if not ablations:
        return result

    result.add_network("no_mae", result.timed("no_mae", train_no_mae, prep, cfg, result, progress), prep,
                       regression=True)
    result.add_network("lstm", result.timed("lstm", train_lstm, prep, cfg, result, progress), prep,
                       regression=False)
    for name, fit, features in (("logreg", fit_logistic, prep.static_x),
                                ("gbm_summary", fit_gradient_boosting, prep.summary_x),
                                ("logreg_summary", fit_summary_logistic, prep.summary_x)):
        result.add_fitted(name, result.timed(name, fit, features, prep, seed), features, prep)
    for name, members in ENSEMBLES.items():
        result.probabilities[name] = {split: np.mean([result.probabilities[m][split] for m in members], axis=0)
                                      for split in prep.rows}
    for j, score in enumerate(cfg.data.score_columns):
        features = prep.score_inputs[:, [j]]
        name = f"score_{score}"
        result.add_fitted(name, result.timed(name, fit_logistic, features, prep, seed), features, prep)
    return result
