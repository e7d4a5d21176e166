"""Task interdependence (M3H's TIM, models_py/task_interdependence.py).

The statistics are tested on a deterministic scorer that is not one of our components (training the
student 4 task sets x seeds times does not fit in make test): regularised multitask ridge regression
in closed form (Evgeniou & Pontil 2004: task t's weights are w0 + v_t, the shared w0 and the per-task
v_t ridge-penalised, solved jointly), scored by the primary task's test AUROC. The primary label is
observed on 50 of 500 training rows; an auxiliary task equal to the label (observed on all 500) lends
the shared weights its data: a clearly positive effect. A pure-noise auxiliary fits its own v_t
and leaves the shared weights nearly alone: an effect within noise of zero.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from models_py.task_interdependence import (
    paired_t_interval,
    plot_interdependence,
    task_interdependence,
)

D, SHARED_PENALTY, TASK_PENALTY = 30, 1.0, 0.2


def _data(seed: int, n: int = 500, n_primary: int = 50):
    rng = np.random.default_rng(seed)
    beta = np.r_[np.ones(3), np.zeros(D - 3)]
    x, x_test = rng.normal(size=(n, D)), rng.normal(size=(2000, D))
    y = (x @ beta + rng.normal(size=n) > 0).astype(float)
    y_test = (x_test @ beta + rng.normal(size=2000) > 0).astype(float)
    labels = {"died": np.where(np.arange(n) < n_primary, y, np.nan), "label_copy": y,
              "noise": rng.integers(0, 2, n).astype(float)}
    return x, labels, x_test, y_test


def multitask_ridge_auroc(task_names: list[str], seed: int) -> float:
    x, labels, x_test, y_test = _data(seed)
    k = len(task_names)
    gram, rhs = np.zeros((D * (k + 1),) * 2), np.zeros(D * (k + 1))
    for i, name in enumerate(task_names):
        known = ~np.isnan(labels[name])
        z = np.zeros((known.sum(), D * (k + 1)))
        z[:, :D] = z[:, D * (i + 1):D * (i + 2)] = x[known]  # shared block + this task's block
        target = labels[name][known] - labels[name][known].mean()
        gram += z.T @ z / known.sum()
        rhs += z.T @ target / known.sum()
    gram += np.diag(np.r_[np.full(D, SHARED_PENALTY), np.full(D * k, TASK_PENALTY)])
    w = np.linalg.solve(gram, rhs)
    return roc_auc_score(y_test, x_test @ (w[:D] + w[D:2 * D]))  # the primary is task 0


def test_label_copy_is_clearly_positive_and_noise_is_within_noise_of_zero(tmp_path):
    calls = []

    def scorer(tasks, seed):
        calls.append((tuple(tasks), seed))
        return multitask_ridge_auroc(tasks, seed)

    table, per_seed = task_interdependence(scorer, "died", ["label_copy", "noise"], seeds=range(5))
    assert table.columns[:5] == ["task", "effect", "sd", "ci_low", "ci_high"]
    copy, noise = (table.filter(table["task"] == name).row(0, named=True) for name in ("label_copy", "noise"))
    assert copy["ci_low"] > 0 and copy["loo_ci_low"] > 0
    assert noise["ci_low"] <= 0 <= noise["ci_high"]
    assert abs(noise["effect"]) < copy["effect"] / 5
    # each distinct task set trained once per seed: {p}, {p, copy}, {p, noise}, {p, copy, noise}
    assert len(calls) == len(set(calls)) == 4 * 5 and per_seed.height == 20
    assert all(tasks[0] == "died" for tasks, _ in calls)

    # the effect is exactly the mean paired difference of the recorded scores
    score = {(row["task_set"], row["seed"]): row["score"] for row in per_seed.iter_rows(named=True)}
    diffs = [score["label_copy", s] - score["(primary alone)", s] for s in range(5)]
    assert copy["effect"] == pytest.approx(np.mean(diffs), abs=1e-15)

    plot_interdependence(table, tmp_path / "task_interdependence.png", "died")
    assert (tmp_path / "task_interdependence.png").stat().st_size > 10_000


def test_paired_t_interval_matches_scipy():
    d = np.array([0.02, 0.035, 0.011])
    mean, sd, lo, hi = paired_t_interval(d)
    expected = stats.t.interval(0.95, df=2, loc=d.mean(), scale=stats.sem(d))
    assert (lo, hi) == pytest.approx(expected, abs=1e-12) and sd == pytest.approx(d.std(ddof=1))
    assert mean == pytest.approx(d.mean())
    assert np.isnan(paired_t_interval([0.1])[2])


def test_bad_task_lists_are_clear():
    with pytest.raises(ValueError, match="distinct auxiliary tasks besides 'died'"):
        task_interdependence(multitask_ridge_auroc, "died", ["died"], seeds=[0])
    with pytest.raises(ValueError, match=r"score of tasks .* is nan"):
        task_interdependence(lambda tasks, seed: float("nan"), "died", ["noise"], seeds=[0])
