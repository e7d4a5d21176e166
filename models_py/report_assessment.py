"""report.md sections beyond Table 2: calibration, the label leak check, subgroups, figures, Table 1 and the
model card (TRIPOD+AI headings). Each function returns markdown lines from metrics.json and config.json.
"""
from __future__ import annotations

from pathlib import Path

from .plots import ordered
from .report_format import fmt, fmt_ci, table

CALIBRATION_COLUMNS = (("calibration_intercept", "intercept (0 = right)"), ("calibration_slope", "slope (1 = right)"),
                       ("ece", "ECE"), ("oe_ratio", "observed/expected"), ("brier", "Brier"))


def small_sample_lines(metrics: dict) -> list[str]:
    guard = metrics.get("small_sample") or {}
    if not guard.get("unstable"):
        return []
    return [f"**Small test split: {guard['test_positives']} positives and {guard['test_negatives']} negatives "
            f"(fewer than {guard['threshold']} of a class). Every CI below is unstable and no number here should "
            "be compared with the paper's.**", ""]


def calibration_lines(metrics: dict) -> list[str]:
    models = metrics.get("models") or {}
    recal = metrics.get("recalibrated") or {}
    method = metrics.get("recalibration", "logistic")
    lines = ["## Calibration (test split)", "",
             "Are the probabilities risks? Class-weighted training inflates them. Each model's probabilities are "
             f"recalibrated by a {method} map fitted on the validation split only (`<model>_recal`, "
             "`probability_recal` in predictions.parquet; `pipelines/predict.py` serves it by default). "
             "Calibration intercept and slope from a logistic recalibration fit, expected calibration error "
             "(10 equal-width bins) and observed/expected ratio, with 95 % bootstrap CIs.", ""]
    rows = []
    for model in ordered(models):
        for name, entry in ((model, models[model]), (f"{model}_recal", recal.get(f"{model}_recal"))):
            if entry:
                rows.append([name] + [fmt_ci(entry.get(key)) for key, _ in CALIBRATION_COLUMNS]
                            + [fmt_ci(entry.get("auroc"))])
    lines += table(["Model"] + [label for _, label in CALIBRATION_COLUMNS] + ["AUROC"], rows)
    lines += ["", "![calibration](calibration.png)", "",
              "Decision curve: net benefit of treating the stays above a threshold probability, against treating "
              "everyone or no one.", "", "![decision curve](decision_curve.png)"]
    return lines


def leak_lines(metrics: dict) -> list[str]:
    leak = metrics.get("leak_check") or {}
    lines = ["## Label leak check", ""]
    if not leak.get("applicable"):
        return lines + [f"Not applicable: {leak.get('reason', 'no leak check in this run')}."]
    h = leak["window_hours"]
    lines += [
        f"vis_hourly holds 0 for the hours of the {h}-hour window after ICU outtime, and stays that leave the ICU "
        f"inside the window die more often ({fmt(leak['mortality_short_window'], 3)} vs "
        f"{fmt(leak['mortality_complete_window'], 3)} with a complete window), so a model can read the label from "
        f"trailing zeros. This run's policy: **{leak['policy']}** (config `data.leak_policy`: paper | mask | "
        "complete_window).", ""]
    rows = [["AUROC of the ICU hours in the window alone (all cohort stays)", fmt(leak["leak_only_auroc_all_stays"]),
             str(leak["n_stays"])]]
    if "full_auroc_test_all" in leak:
        rows += [["full model, all test stays", fmt(leak["full_auroc_test_all"]), str(leak["n_test"])],
                 ["full model, test stays with a complete window", fmt(leak["full_auroc_test_complete_window"]),
                  str(leak["n_test_complete_window"])]]
    if leak.get("leak_free_full_auroc"):
        rows.append([f"full model without the leak ({leak['leak_free_source']})",
                     fmt_ci(leak["leak_free_full_auroc"]), ""])
    return lines + table(["Check", "AUROC", "stays"], rows)


def subgroup_lines(metrics: dict) -> list[str]:
    sub = metrics.get("subgroups") or {}
    lines = ["## Subgroups (test split)", ""]
    if not sub.get("attributes"):
        return lines + ["No subgroup attribute in these marts."]
    lines += [f"Model {sub['model']}: AUROC, calibration-in-the-large, sensitivity and specificity by group with CIs "
              "and n in subgroups.csv. Largest AUROC gap per attribute (groups of 20+ stays with both classes):", ""]
    rows = [[g["attribute"], f"{g['lowest_group']} {fmt(g['lowest'], 3)}",
             f"{g['highest_group']} {fmt(g['highest'], 3)}", fmt(g["gap"], 3)] for g in sub.get("gaps") or []]
    lines += table(["Attribute", "lowest", "highest", "gap"], rows) if rows else ["No attribute has two such groups."]
    return lines + ["", "![subgroups](subgroups.png)"]


def figure_lines(metrics: dict, histories: list[str]) -> list[str]:
    shown = (metrics.get("figures") or {}).get("roc") or {}
    lines = ["## Figures", "",
             "ROC (95 % bootstrap bands): " + ", ".join(f"{role} = {name}" for role, name in shown.items())
             + " (chosen by validation AUROC).", "", "![ROC](roc.png)", "",
             "Every model's test AUROC with its 95 % CI:", "", "![AUROC forest](auroc_forest.png)", ""]
    if histories:
        lines += ["Training curves, one panel per stage: " + ", ".join(histories) + ". Losses on the left axis, "
                  "the validation AUROC early stopping reads on the right, the restored epoch dotted.", "",
                  "![loss curves](loss_curves.png)"]
    return lines


def cohort_lines(folder: Path) -> list[str]:
    lines = ["## Cohort (Table 1)", "", "From the marts, in SQL (table1.csv): every cohort stay, overall and by "
             "outcome; median [IQR] or n (%), missing counts.", ""]
    md = folder / "table1.md"
    lines += md.read_text(encoding="utf-8").splitlines() if md.exists() else ["No Table 1 in this run."]
    if (folder / "cohort_flow.png").exists():
        lines += ["", "![cohort flow](cohort_flow.png)"]
    return lines


def model_card_lines(run: dict, metrics: dict) -> list[str]:
    """A model card following TRIPOD+AI's headings, filled from the run's facts."""
    cfg = run.get("config") or {}
    sizes = run.get("split_sizes") or {}
    full = (metrics.get("models") or {}).get("full") or {}
    leak = metrics.get("leak_check") or {}
    sub = metrics.get("subgroups") or {}
    guard = metrics.get("small_sample") or {}
    items = [
        ("Source of data", f"the marts at {run.get('marts_dir')} (sha256 {str(run.get('data_fingerprint'))[:12]}…), "
                           "built by the dbt warehouse from the raw source files"),
        ("Participants", f"{sum(sizes.values()) if sizes else 'n/a'} cohort stays after the leak policy "
                         f"({run.get('leak_policy', 'n/a')}); eligibility in cohort_attrition and the flow diagram"),
        ("Outcome", f"{run.get('label')} (0/1, one per stay); prevalence "
                    + ", ".join(f"{k} {fmt(v, 3)}" for k, v in (run.get("label_prevalence") or {}).items())),
        ("Predictors", f"{len(run.get('input_channels') or [])} hourly channels over "
                       f"{cfg.get('data', {}).get('hours')} hours and {len(run.get('feature_names') or [])} "
                       "static features (config.json)"),
        ("Sample size", ", ".join(f"{k} {v}" for k, v in sizes.items())
         + (" — below 50 positives or negatives in test: unstable" if guard.get("unstable") else "")),
        ("Missing data", "series: per-channel fill policy from series_channels (zero for doses, LOCF then training "
                         "median for physiology); static: training median / 'missing' category"),
        ("Model", "MAE-pretrained Transformer teacher, multitask student with knowledge distillation (Jin et al. "
                  "2025); baselines and ablations beside it"),
        ("Performance", f"full: AUROC {fmt_ci(full.get('auroc'))}, calibration slope "
                        f"{fmt_ci(full.get('calibration_slope'))}, ECE {fmt_ci(full.get('ece'))}"),
        ("Subgroups", ", ".join(f"{g['attribute']} gap {fmt(g['gap'], 3)}" for g in sub.get("gaps") or []) or "n/a"),
        ("Limitations", f"single-centre data; label leak check: window length alone AUROC "
                        f"{fmt(leak.get('leak_only_auroc_all_stays'))}; threshold chosen on validation "
                        "(Youden's J); no prospective or external validation in this run"),
    ]
    return ["## Model card (TRIPOD+AI)", ""] + [f"- **{name}**: {text}" for name, text in items]
