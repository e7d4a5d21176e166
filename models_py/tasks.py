"""Declared prediction tasks and the indicator-masked multitask loss.

A task is (name, kind binary|multiclass|regression, columns, weight, role, the inputs its head sees);
tasks can be declared in a TOML file (`task_file.py`). Its targets carry a per-sample
observed mask; a sample whose label is missing adds nothing to that task's loss (never imputed into
a target), the masked multi-task loss of the MDMT paper. The default tasks are the paper's:
icu_mortality (binary, weight 1.0) + severity (regression on the four scores, weight 0.1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .config import Config
from .losses import masked_mse, weighted_cross_entropy

KINDS = ("binary", "multiclass", "regression")
ROLES = ("primary", "auxiliary")
INPUTS = ("series", "static", "both")


@dataclass(frozen=True)
class Task:
    """One prediction task. inputs: what its head sees: the series' [CLS] embedding, the static
    features, or both (regression heads never see the score columns: they are its targets).
    classes: the class names of a multiclass task, in code order (code k = classes[k])."""

    name: str
    kind: str
    columns: tuple[str, ...]
    weight: float
    n_classes: int = 2
    role: str = "auxiliary"
    inputs: str = "both"
    classes: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"task {self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind != "regression" and len(self.columns) != 1:
            raise ValueError(f"task {self.name}: a {self.kind} task has exactly one label column")
        if self.role not in ROLES:
            raise ValueError(f"task {self.name}: role must be one of {ROLES}, got {self.role!r}")
        if self.inputs not in INPUTS:
            raise ValueError(f"task {self.name}: inputs must be one of {INPUTS}, got {self.inputs!r}")
        if self.kind == "multiclass" and self.n_classes < 3:
            raise ValueError(f"task {self.name}: a multiclass task has at least 3 classes, got {self.n_classes}")
        if self.classes and len(self.classes) != self.n_classes:
            raise ValueError(f"task {self.name}: {len(self.classes)} class names for {self.n_classes} classes")

    @property
    def n_outputs(self) -> int:
        return len(self.columns) if self.kind == "regression" else (2 if self.kind == "binary" else self.n_classes)


def default_tasks(cfg: Config, multitask: bool = True) -> list[Task]:
    """The primary label task first, then (unless `multitask` is off: the no_mt ablation) severity
    regression and any auxiliary binary labels from the config."""
    tasks = [Task(cfg.data.label_column, "binary", (cfg.data.label_column,), cfg.loss.ce_weight, role="primary")]
    if multitask and cfg.data.score_columns:
        tasks.append(Task("severity", "regression", tuple(cfg.data.score_columns), cfg.loss.mse_weight))
    if multitask:
        tasks += [Task(col, "binary", (col,), cfg.tasks.auxiliary_weight) for col in cfg.tasks.auxiliary_labels]
    return tasks


@dataclass
class TaskTargets:
    """target: (N,) long for classification (0 where missing) or (N, k) float; observed: same leading shape, bool."""

    target: torch.Tensor
    observed: torch.Tensor

    def to(self, device) -> TaskTargets:
        return TaskTargets(self.target.to(device), self.observed.to(device))

    def index(self, rows: torch.Tensor) -> TaskTargets:
        return TaskTargets(self.target[rows], self.observed[rows])


def classification_targets(labels: np.ndarray) -> TaskTargets:
    """(N,) float labels with nan = missing -> TaskTargets."""
    labels = np.asarray(labels, dtype=np.float64)
    observed = ~np.isnan(labels)
    return TaskTargets(torch.from_numpy(np.where(observed, labels, 0).astype(np.int64)), torch.from_numpy(observed))


def multiclass_targets(labels: np.ndarray, n_classes: int, name: str = "label") -> TaskTargets:
    """(N,) class codes 0..K-1 with nan = missing -> TaskTargets; any other value is an error."""
    labels = np.asarray(labels, dtype=np.float64)
    observed = labels[~np.isnan(labels)]
    bad = sorted(set(np.unique(observed).tolist()) - set(range(n_classes)))
    if bad:
        raise ValueError(f"task {name}: labels must be class codes 0..{n_classes - 1} (or missing), found {bad[:5]}")
    return classification_targets(labels)


def regression_targets(z: np.ndarray, observed: np.ndarray) -> TaskTargets:
    return TaskTargets(torch.from_numpy(np.asarray(z, dtype=np.float32)), torch.from_numpy(np.asarray(observed, bool)))


def multitask_loss(outputs: dict[str, torch.Tensor], targets: dict[str, TaskTargets], tasks: list[Task],
                   class_weights: dict[str, torch.Tensor] | None = None
                   ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Weighted sum of the tasks' masked losses -> (total, {task name: unweighted loss})."""
    parts = {}
    for task in tasks:
        out, tgt = outputs[task.name], targets[task.name]
        if task.kind == "regression":
            parts[task.name] = masked_mse(out, tgt.target, tgt.observed)
        else:
            weight = (class_weights or {}).get(task.name)
            parts[task.name] = weighted_cross_entropy(out, tgt.target, tgt.observed, weight)
    total = sum(task.weight * parts[task.name] for task in tasks)
    return total, parts
