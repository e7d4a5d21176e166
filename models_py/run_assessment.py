"""What a reviewer reads besides Table 2: figures with uncertainty, subgroups, Table 1 and the flow
diagram, the small-sample guard, and report.html.

`assess` writes into the run folder being assembled and returns what goes into metrics.json:
    roc.png            the full model, the LSTM, the best baseline and the best single score, with
                       95 % bootstrap bands (chosen by validation AUROC, never by test)
    auroc_forest.png   every model's test AUROC with its CI
    calibration.png    reliability curves + prediction histograms; decision_curve.png: net benefit
    subgroups.csv/.png the reported model by subgroup (models_py.subgroups)
    table1.csv/.md, cohort_flow.png   from the marts, in SQL (models_py.cohort_tables)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import cohort_tables, evaluation_figures
from .config import Config
from .data import MartData
from .dataset import Prepared
from .html_report import render_html
from .stages import SeedResult
from .subgroups import largest_gaps, subgroup_attributes, subgroup_metrics

SMALL_SAMPLE = 50  # positives or negatives in the test split below which CIs are flagged unstable
BASELINES = ("logreg", "gbm_summary", "logreg_summary")


def _best(models: dict, names) -> str | None:
    scored = [(models[n].get("val_auroc") or float("-inf"), n) for n in names if n in models]
    return max(scored)[1] if scored else None


def shown_models(models: dict) -> dict[str, str]:
    """role -> model for the figures: full, LSTM, best baseline, best single score (validation AUROC)."""
    roles = {"full": "full" if "full" in models else None, "lstm": "lstm" if "lstm" in models else None,
             "best baseline": _best(models, BASELINES),
             "best single score": _best(models, [m for m in models if m.startswith("score_")])}
    return {role: name for role, name in roles.items() if name}


def small_sample(prep: Prepared) -> dict:
    y = prep.splits["test"].label
    positives, negatives = int(y.sum()), int(y.size - y.sum())
    return {"test_positives": positives, "test_negatives": negatives, "threshold": SMALL_SAMPLE,
            "unstable": positives < SMALL_SAMPLE or negatives < SMALL_SAMPLE}


def assess(folder: Path, data: MartData, prep: Prepared, result: SeedResult, models: dict, cfg: Config) -> dict:
    test = prep.splits["test"]
    shown = shown_models(models)
    curves = {name: (test.label, result.probabilities[name]["test"]) for name in shown.values()}
    evaluation_figures.plot_roc_bands(curves, {n: models[n]["auroc"] for n in curves}, folder / "roc.png",
                                      n_resamples=min(200, cfg.eval.bootstrap_resamples))
    evaluation_figures.plot_auroc_forest({n: m["auroc"] for n, m in models.items()}, folder / "auroc_forest.png")

    reported = "full" if "full" in models else next(iter(models))
    recal = result.recalibrators[reported]
    calibration_curves = {reported: curves.get(reported, (test.label, result.probabilities[reported]["test"])),
                          f"{reported}_recal": (test.label, recal.transform(result.probabilities[reported]["test"]))}
    calibration_curves.update({n: c for n, c in curves.items() if n != reported})
    evaluation_figures.plot_calibration(calibration_curves, folder / "calibration.png")
    decision = {f"{reported}_recal": calibration_curves[f"{reported}_recal"]}
    decision.update({n: c for n, c in curves.items() if n not in (reported, "lstm")})
    evaluation_figures.plot_decision_curve(decision, folder / "decision_curve.png")

    out = {"figures": {"roc": shown, "calibration": list(calibration_curves), "decision_curve": list(decision)},
           "small_sample": small_sample(prep)}
    out["subgroups"] = _subgroups(folder, data, prep, result, reported, models[reported]["threshold"], cfg)
    out["table1"] = _cohort_description(folder, cfg)
    return out


def _subgroups(folder: Path, data: MartData, prep: Prepared, result: SeedResult, model: str, raw_threshold: float,
               cfg: Config) -> dict:
    rows = prep.rows["test"]
    cohort = data.cohort[rows] if data.cohort is not None else None
    attributes = subgroup_attributes(data.static[rows], cohort, cfg.eval.subgroup_columns)
    if not attributes:
        return {"model": model, "attributes": [], "gaps": []}
    recal = result.recalibrators[model]
    y = prep.splits["test"].label
    prob = recal.transform(result.probabilities[model]["test"])
    threshold = float(recal.transform(np.array([raw_threshold]))[0])  # a monotone map: the same decisions
    table = subgroup_metrics(y, prob, threshold, attributes, n_resamples=min(500, cfg.eval.bootstrap_resamples),
                             seed=prep.seed)
    table.write_csv(folder / "subgroups.csv", float_precision=6)
    evaluation_figures.plot_subgroup_forest(table, folder / "subgroups.png")
    return {"model": f"{model}_recal", "attributes": list(attributes),
            "gaps": largest_gaps(table).to_dicts()}


def _cohort_description(folder: Path, cfg: Config) -> dict:
    marts = Path(cfg.run.marts)
    table = cohort_tables.table1(marts, cfg.data.label_column)
    table.write_csv(folder / "table1.csv")
    (folder / "table1.md").write_text(cohort_tables.table1_markdown(table), encoding="utf-8")
    flow = (marts / "cohort_attrition.parquet").exists()
    if flow:
        cohort_tables.cohort_flow_figure(cohort_tables.read_attrition(marts), folder / "cohort_flow.png")
    return {"rows": table.height, "flow_diagram": flow}


def write_html(folder: Path, run_id: str) -> None:
    """report.html: report.md with every figure inlined (temp file, then rename)."""
    page = render_html((folder / "report.md").read_text(encoding="utf-8"), folder, f"vistrend run {run_id}")
    tmp = folder / ".report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(folder / "report.html")
