"""Task interdependence (M3H's TIM score): how learning each auxiliary task beside the primary task
changes the primary task's test metric.

Given `train_and_score(task_names, seed) -> primary metric` (AUROC of the primary task for a binary
primary; the caller decides the metric: macro-AUROC for multiclass, R^2 for regression) that trains
a model on exactly those tasks with that seed (same splits for every call with one seed) and scores
the primary task on the test split, for every auxiliary task j and seed s:

    pair_effect(j, s) = score({primary, j}, s) - score({primary}, s)          (the TIM score)
    loo_effect(j, s)  = score(all tasks, s)    - score(all tasks but j, s)    (leave-one-out)

Each is averaged over the seeds; the CI is a paired Student-t interval over the seeds (the two scores
of a difference share the seed, hence the split and the initialisation, so the seed-to-seed spread
of the difference is what the interval reflects): mean +- t_{0.975, n-1} x sd / sqrt(n), n = seeds.
With 3 seeds t_{0.975, 2} = 4.30, so only a large effect has a CI clear of 0. A bootstrap over 3
seeds would have 10 distinct resamples and no honest tail, hence t. Every distinct task set is
trained once per seed (all-but-j with two tasks left is the pair of the other one, and so on).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl
from scipy import stats

COLUMNS = ("task", "effect", "sd", "ci_low", "ci_high", "n_seeds",
           "loo_effect", "loo_sd", "loo_ci_low", "loo_ci_high")


def paired_t_interval(differences, alpha: float = 0.05) -> tuple[float, float, float, float]:
    """(mean, sd, ci_low, ci_high) of per-seed paired differences; sd and CI nan for one seed."""
    d = np.asarray(differences, dtype=np.float64)
    mean = float(d.mean())
    if d.size < 2:
        return mean, math.nan, math.nan, math.nan
    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf(1 - alpha / 2, d.size - 1)) * sd / math.sqrt(d.size)
    return mean, sd, mean - half, mean + half


def task_interdependence(train_and_score: Callable[[list[str], int], float], primary: str,
                         auxiliaries: Sequence[str], seeds: Sequence[int],
                         alpha: float = 0.05) -> tuple[pl.DataFrame, pl.DataFrame]:
    """-> (one row per auxiliary task with COLUMNS, the per-seed scores: task_set, seed, score).

    Task sets are passed to `train_and_score` as [primary, *auxiliaries in the given order].
    """
    auxiliaries = list(auxiliaries)
    if primary in auxiliaries or len(set(auxiliaries)) != len(auxiliaries) or not auxiliaries:
        raise ValueError(f"task interdependence: need distinct auxiliary tasks besides {primary!r}, got {auxiliaries}")
    scores: dict[tuple[frozenset, int], float] = {}

    def score(tasks: list[str], seed: int) -> float:
        key = (frozenset(tasks), seed)
        if key not in scores:
            value = float(train_and_score([primary, *[a for a in auxiliaries if a in tasks]], seed))
            if not math.isfinite(value):
                raise ValueError(f"task interdependence: score of tasks {sorted(tasks)} at seed {seed} is {value}")
            scores[key] = value
        return scores[key]

    rows = []
    for task in auxiliaries:
        pair = [score([primary, task], s) - score([primary], s) for s in seeds]
        others = [a for a in auxiliaries if a != task]
        loo = [score([primary, *auxiliaries], s) - score([primary, *others], s) for s in seeds]
        effect, sd, lo, hi = paired_t_interval(pair, alpha)
        loo_effect, loo_sd, loo_lo, loo_hi = paired_t_interval(loo, alpha)
        rows.append((task, effect, sd, lo, hi, len(list(seeds)), loo_effect, loo_sd, loo_lo, loo_hi))
    table = pl.DataFrame(rows, schema=list(COLUMNS), orient="row")
    per_seed = pl.DataFrame(
        [("+".join(sorted(key[0] - {primary})) or "(primary alone)", key[1], value) for key, value in scores.items()],
        schema=["task_set", "seed", "score"], orient="row").sort("task_set", "seed")
    return table, per_seed


def plot_interdependence(table: pl.DataFrame, path, primary: str, metric: str = "AUROC") -> None:
    """task_interdependence.png: auxiliary tasks x {pair, leave-one-out} effects, annotated with CIs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from .evaluation_figures import save_figure

    grid = table.select("effect", "loo_effect").to_numpy()
    limit = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.55 * table.height))
    image = ax.imshow(grid, cmap="RdBu", norm=TwoSlopeNorm(0.0, -limit or -1, limit or 1), aspect="auto")
    labels = [f"{primary} + j  vs  {primary} alone", "all tasks  vs  all but j"]
    ax.set_xticks([0, 1], labels, fontsize=8)
    ax.set_yticks(range(table.height), table["task"].to_list(), fontsize=8)
    for i, row in enumerate(table.iter_rows(named=True)):
        for j, prefix in enumerate(("", "loo_")):
            text = f"{row[prefix + 'effect']:+.3f}\n[{row[prefix + 'ci_low']:+.3f}, {row[prefix + 'ci_high']:+.3f}]"
            ax.text(j, i, text, ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label=f"change in {primary} test {metric}")
    ax.set_title(f"Task interdependence (TIM): mean over {table['n_seeds'][0]} seeds, 95 % paired t CI", fontsize=9)
    save_figure(fig, path)
