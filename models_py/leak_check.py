"""The report's "Label leak check": how much of the AUROC the window's length could explain.

Numbers (metrics.json `leak_check`): the AUROC of the ICU hours in the window alone over every cohort
stay; the run's full model on all test stays and on those with a complete window; and, when the run's
policy lets the leak in (paper, mask), the full model retrained on complete windows (leak-free).
"""
from __future__ import annotations

import numpy as np
import torch

from .config import Config
from .data import MartData
from .dataset import Prepared, prepare
from .evaluate import evaluate
from .leak import apply_policy, complete_window_rows, hours_in_window, leak_check
from .stages import SeedResult, log, train_seed


def run_leak_check(raw: MartData, data: MartData, prep: Prepared, result: SeedResult, full_auroc: dict | None,
                   cfg: Config, device: torch.device, progress: bool) -> dict:
    """full_auroc: the run's own full-model AUROC entry ({value, ci_low, ci_high}) or None."""
    hours_all = hours_in_window(raw)
    steps = raw.series.shape[1]
    if hours_all is None:
        return {"applicable": False, "policy": cfg.data.leak_policy,
                "reason": "cohort.parquet has no icu_hours_in_vis_window: every window is complete"}
    label = cfg.data.label_column
    y_all = raw.labels[label]
    whole = leak_check(y_all, np.full(y_all.size, 0.5), hours_all, steps)
    test_rows = prep.rows["test"]
    hours_test = hours_in_window(data)[test_rows]
    out = {"applicable": True, "policy": cfg.data.leak_policy, "window_hours": steps,
           "leak_only_auroc_all_stays": whole["leak_only_auroc"], "n_stays": whole["n_test"],
           "n_stays_complete_window": whole["n_test_complete_window"],
           "mortality_short_window": whole["mortality_short_window"],
           "mortality_complete_window": whole["mortality_complete_window"]}
    if "full" in result.probabilities:
        check = leak_check(prep.splits["test"].label, result.probabilities["full"]["test"], hours_test, steps)
        out.update({"full_auroc_test_all": check["auroc_all"],
                    "full_auroc_test_complete_window": check["auroc_complete_window"],
                    "n_test": check["n_test"], "n_test_complete_window": check["n_test_complete_window"],
                    "leak_only_auroc_test": check["leak_only_auroc"]})
    if cfg.data.leak_policy == "complete_window":
        out["leak_free_full_auroc"] = full_auroc
        out["leak_free_source"] = "this run (complete_window)"
    elif cfg.eval.leak_check_retrain and complete_window_rows(hours_all, steps).size:
        free, _ = apply_policy(raw, "complete_window")
        free_prep = prepare(free, cfg, prep.seed, device)
        log("leak check: retraining the full model on complete windows")
        free_result = train_seed(free_prep, cfg, ablations=False, progress=progress)
        entry = evaluate(free_result, free_prep, cfg)["full"]
        out["leak_free_full_auroc"] = entry["auroc"]
        out["leak_free_source"] = "the full model retrained with leak_policy=complete_window"
    return out
