"""report.md of a run (the figures and shap_top.csv are in models_py.plots).

report.md reads like the paper's results section: run facts, a table shaped like the paper's
Table 2 for every model, the threshold rule, R^2 per severity score, the SHAP top 10, and the
paper's reported numbers beside ours. It is written to a temporary name, then renamed.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from . import report_assessment as sections
from . import report_folds
from .plots import atomic_path, ordered
from .report_format import fmt as _fmt
from .report_format import fmt_ci as _fmt_ci
from .report_format import table as _table

# (knowledge distillation, multitask) per model as in Table 2; None = not applicable.
MODEL_FLAGS = {
    "full": (True, True), "no_kd": (False, True), "no_mt": (True, False), "no_mae": (True, True),
    "teacher_untrained": (None, True), "teacher_probe": (None, True),
}
TABLE2_METRICS = (
    ("auroc", "AUROC (95% CI)"), ("ppv", "PPV"), ("npv", "NPV"), ("plr", "PLR"), ("nlr", "NLR"),
    ("accuracy", "ACC"), ("sensitivity", "Sensitivity"), ("specificity", "Specificity"),
)
# Jin et al. 2025, Table 2 (MIMIC-IV 3.0 test set), for reference only; None = not reported.
PAPER_TABLE2 = {
    "baseline (full)": {"kd": True, "mt": True, "r2": "0.2171", "auroc": "0.8223 (0.7998-0.8434)",
                        "ppv": "0.4483 (0.4070-0.4917)",
                        "npv": "0.9103 (0.8959-0.9245)", "plr": "3.1573 (2.8139-3.5333)",
                        "nlr": "0.3821 (0.3263-0.4434)", "accuracy": "0.7616 (0.7421-0.7806)",
                        "sensitivity": "0.7033 (0.6553-0.7446)", "specificity": "0.7767 (0.7543-0.7990)"},
    "no_kd": {"kd": False, "mt": True, "r2": "0.2214", "auroc": "0.8172 (0.7946-0.8396)",
              "ppv": "0.4864 (0.4403-0.5303)",
              "npv": "0.9041 (0.8881-0.9187)", "plr": "3.6830 (3.2217-4.2358)", "nlr": "0.4113 (0.3538-0.4733)",
              "accuracy": "0.7873 (0.7679-0.8070)", "sensitivity": "0.6631 (0.6139-0.7086)",
              "specificity": "0.8193 (0.7988-0.8401)"},
    "no_mt": {"kd": True, "mt": False, "r2": "-5.9291", "auroc": "0.8084 (0.7825-0.8324)",
              "ppv": "0.4776 (0.4315-0.5222)",
              "npv": "0.8972 (0.8819-0.9130)", "plr": "3.5559 (3.1208-4.0695)", "nlr": "0.4445 (0.3867-0.5033)",
              "accuracy": "0.7827 (0.7642-0.8012)", "sensitivity": "0.6352 (0.5868-0.6807)",
              "specificity": "0.8208 (0.8001-0.8418)"},
    "LSTM (Jin ref. [10])": {"kd": False, "mt": False, "r2": None, "auroc": "0.74 (0.70-0.77)",
                             "ppv": "0.39 (0.35-0.44)",
                             "npv": "0.89 (0.87-0.91)", "plr": "2.56 (2.25-2.91)", "nlr": "0.47 (0.40-0.55)",
                             "accuracy": None, "sensitivity": None, "specificity": None},
}
PAPER_SHAP_TOP = "SOFA 0.147, LODS 0.033, marital_status=Single 0.031, insurance=Medicaid 0.023, SAPS-II 0.020"


def _flag(value) -> str:
    return "—" if value is None else ("✓" if value else "✗")


def _r2_names(models: dict) -> list[str]:
    names: list[str] = []
    for metrics in models.values():
        for key in metrics:
            if key.startswith("r2_") and key != "r2_mean" and key[3:] not in names:
                names.append(key[3:])
    return names


def _facts(run: dict) -> list[str]:
    """The run facts of config.json (models_py.experiment writes every key read here)."""
    split_sizes = run.get("split_sizes") or {}
    prevalence = run.get("label_prevalence") or {}
    facts = [
        ("run id", run.get("run_id")),
        ("data fingerprint (sha256 of the marts)", run.get("data_fingerprint")),
        ("cohort stays", sum(split_sizes.values()) if split_sizes else None),
        ("split sizes (stays)", ", ".join(f"{k} {v}" for k, v in split_sizes.items()) if split_sizes else None),
        ("label", run.get("label")),
        ("label prevalence", ", ".join(f"{k} {_fmt(v)}" for k, v in prevalence.items())),
        ("seeds", ", ".join(str(s) for s in run.get("seeds") or [])),
        ("device", run.get("device")),
        ("served by predict.py without --model (best validation AUROC)", (run.get("selection") or {}).get("model")),
        ("bootstrap", run.get("bootstrap")),
    ]
    return [f"- {name}: {value if value not in (None, '') else 'n/a'}" for name, value in facts]


def _value(models: dict, model: str, metric: str):
    entry = models.get(model, {}).get(metric)
    value = entry.get("value") if isinstance(entry, dict) else entry
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def _summary_sentence(models: dict, run: dict, paired: dict, compare_with_paper: bool = True) -> str:
    """A results-section sentence: the best model, the full model against the paper and the baselines."""
    ranked = sorted((m for m in models if _value(models, m, "auroc") is not None),
                    key=lambda m: -_value(models, m, "auroc"))
    test_size = (run.get("split_sizes") or {}).get("test")
    parts = []
    if ranked:
        best = ranked[0]
        parts.append(f"On the {test_size or 'n/a'} test stays, the highest AUROC is {best}'s, "
                     f"{_fmt_ci(models[best]['auroc'])}.")
    if "full" in models and _value(models, "full", "auroc") is not None:
        full = (f"The full model (MAE + KD + MT) reaches AUROC {_fmt_ci(models['full']['auroc'])}, "
                f"sensitivity {_fmt(_value(models, 'full', 'sensitivity'))} and specificity "
                f"{_fmt(_value(models, 'full', 'specificity'))}")
        if _value(models, "full", "r2_mean") is not None:
            full += f", with a mean severity-score R^2 of {_fmt(_value(models, 'full', 'r2_mean'))}"
        paper = " (the paper: AUROC 0.8223, sensitivity 0.7033, specificity 0.7767, R^2 0.2171)"
        parts.append(full + (paper if compare_with_paper else "") + ".")
        for other in ("no_kd", "no_mt", "lstm", "logreg"):
            if other in paired:
                parts.append(f"AUROC difference full - {other}: {_fmt_ci(paired[other])} (paired bootstrap).")
            elif _value(models, other, "auroc") is not None:
                diff = _value(models, "full", "auroc") - _value(models, other, "auroc")
                parts.append(f"AUROC difference full - {other}: {diff:+.4f}.")
    return " ".join(parts) or "No model has an AUROC in this run."


def write_report_md(path, run: dict, metrics: dict, shap_top: list[tuple[str, float]]) -> None:
    """Write report.md for one run (`metrics` is the metrics.json dict: {"models": {...}, ...})."""
    models = metrics.get("models") or {}
    if not models:
        raise ValueError("metrics has no 'models' entry; expected metrics.json's {'models': {model: {...}}}")
    order = ordered(models)
    thresholds = {m: metrics_m.get("threshold") for m, metrics_m in models.items()}
    rule = metrics.get("threshold_rule") or "n/a"
    # {model: metrics.bootstrap_auroc_difference(y, prob_full, prob_model)} (models_py.evaluate)
    paired = {m: e for m, e in (metrics.get("auroc_vs_full") or {}).items() if isinstance(e, dict)}

    lines = [f"# Results: run {run.get('run_id', 'n/a')}", "", "## Run", ""]
    lines += _facts(run)

    guard = sections.small_sample_lines(metrics)
    # the paper's numbers are MIMIC-IV ICU mortality on a large test split; compared only on the same label
    # and a test split large enough for stable CIs
    compare = not guard and run.get("label") == "icu_mortality"
    lines += ["", "## Summary", "", *guard, _summary_sentence(models, run, paired, compare)]
    lines += ["", "## Test-split performance (shaped like Table 2 of Jin et al. 2025)", "",
              "Point estimate on the test split with its 95 % bootstrap CI. R^2 is the mean over the "
              "severity scores of the regression head (original scale); n/a where a model has none. "
              f"Decision threshold per model: {rule}.", ""]
    header = ["Config", "KD", "MT", "R^2"] + [label for _, label in TABLE2_METRICS]
    rows = []
    for model in order:
        kd, mt = MODEL_FLAGS.get(model, (None, None))
        m = models[model]
        rows.append([model, _flag(kd), _flag(mt), _fmt_ci(m["r2_mean"]) if "r2_mean" in m else "n/a"]
                    + [_fmt_ci(m.get(key)) if key in m else "n/a" for key, _ in TABLE2_METRICS])
    lines += _table(header, rows)

    lines += ["", "Also on the test split:", ""]
    lines += _table(["Config", "AUPRC (95% CI)", "Brier (95% CI)"],
                    [[m, _fmt_ci(models[m].get("auprc")), _fmt_ci(models[m].get("brier"))] for m in order])

    if paired:
        lines += ["", "Paired bootstrap of the AUROC difference (same resamples for both models):", ""]
        lines += _table(["Comparison", "AUROC difference (95% CI)"],
                        [[f"full - {m}", _fmt_ci(paired[m])] for m in ordered(paired)])

    lines += ["", "## Decision threshold", "", f"Rule: {rule}.", ""]
    lines += _table(["Config", "Threshold"], [[m, _fmt(thresholds.get(m))] for m in order])

    r2_names = _r2_names(models)
    lines += ["", "## Severity-score regression (R^2, original scale, test split)", ""]
    r2_models = [m for m in order if any(f"r2_{n}" in models[m] for n in r2_names)]
    if r2_models:
        lines += _table(["Config"] + r2_names + ["mean"],
                        [[m] + [_fmt_ci(models[m].get(f"r2_{n}")) if f"r2_{n}" in models[m] else "n/a"
                                for n in r2_names] + [_fmt_ci(models[m].get("r2_mean"))] for m in r2_models])
    else:
        lines.append("No model in this run has a regression head.")

    for section in (sections.calibration_lines(metrics), sections.leak_lines(metrics),
                    sections.subgroup_lines(metrics)):
        lines += ["", *section]

    lines += ["", "## SHAP: static features of the student (mean |SHAP| on P(ICU death))", ""]
    if shap_top:
        lines += _table(["Rank", "Feature", "mean abs SHAP"],
                        [[str(i), name, f"{value:.4f}"] for i, (name, value) in enumerate(shap_top, start=1)])
    else:
        lines.append("No SHAP values in this run.")
    lines += ["", f"The paper reports: {PAPER_SHAP_TOP}."]

    summary = metrics.get("summary") or {}
    summary_models = {m: s for m, s in summary.items() if isinstance(s, dict)}
    if summary_models:
        n_seeds = {e.get("n_seeds") for s in summary_models.values() for e in s.values() if isinstance(e, dict)}
        counts = "/".join(str(n) for n in sorted(n_seeds - {None})) or "?"
        lines += ["", f"## Over seeds (mean ± sd, {counts} seeds)", ""]
        keys = ["auroc", "auprc", "ppv", "npv", "sensitivity", "specificity", "accuracy", "brier", "r2_mean"]
        rows = []
        for m in ordered(summary_models):
            cells = []
            for key in keys:
                e = summary_models[m].get(key)
                cells.append(f"{_fmt(e.get('mean'))} ± {_fmt(e.get('sd'))}" if isinstance(e, dict) else "n/a")
            rows.append([m] + cells)
        lines += _table(["Config"] + keys, rows)

    lines += report_folds.validation_section(metrics)  # kfold / group / temporal runs only

    lines += ["", "## Reference: numbers reported by Jin et al. 2025 (Table 2, MIMIC-IV 3.0, 9,476 patients)", "",
              "Not computed here; for comparison only. Their test set, cohort and data version differ from "
              "this run's.", ""]
    lines += _table(header, [[name, _flag(ref["kd"]), _flag(ref["mt"]), _fmt(ref["r2"]) if ref["r2"] else "x"]
                             + [ref[key] or "x" for key, _ in TABLE2_METRICS]
                             for name, ref in PAPER_TABLE2.items()])
    folder = Path(path).parent
    histories = folder / "histories.json"
    panels = list(json.loads(histories.read_text())) if histories.exists() else []
    for section in (sections.figure_lines(metrics, panels), sections.cohort_lines(folder),
                    sections.model_card_lines(run, metrics)):
        lines += ["", *section]
    lines.append("")

    with atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(lines), encoding="utf-8")
