"""Run report: ROC and loss-curve plots, SHAP beeswarm and top-k table, and report.md.

report.md reads like the paper's results section: run facts, a table shaped like the paper's
Table 2 for every model, the threshold rule, R^2 per severity score, the SHAP top 10, and the
paper's reported numbers beside ours. Every file is written to a temporary name, then renamed.
"""
from __future__ import annotations

import csv
import math
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures go to files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shap  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from models_py.explain import ShapResult, to_explanation  # noqa: E402
from models_py.metrics import binary_metrics  # noqa: E402

# Row order of every table; models not listed follow in the order they appear.
MODEL_ORDER = (
    "full", "no_kd", "no_mt", "no_mae", "lstm", "logreg",
    "gbm_summary", "logreg_summary", "ensemble_summary", "ensemble_all",
    "score_sofa_first_day", "score_sapsii", "score_lods", "score_oasis",
    "teacher_untrained", "teacher_probe",
)
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


@contextmanager
def _atomic_path(path):
    """Yield a temporary path next to `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save_figure(fig, path) -> None:
    with _atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format="png")
    plt.close(fig)


def _ordered(models) -> list[str]:
    models = list(models)
    known = [m for m in MODEL_ORDER if m in models]
    return known + [m for m in models if m not in MODEL_ORDER]


def _roc_points(y_true: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fpr, tpr) at every distinct probability, from (0, 0) to (1, 1)."""
    order = np.argsort(-prob, kind="mergesort")
    y, p = y_true[order], prob[order]
    last_of_group = np.r_[np.diff(p) != 0, True]
    tps = np.cumsum(y)[last_of_group]
    fps = np.cumsum(1 - y)[last_of_group]
    return np.r_[0.0, fps / max(fps[-1], 1)], np.r_[0.0, tps / max(tps[-1], 1)]


def plot_roc(curves: dict[str, tuple[np.ndarray, np.ndarray]], path) -> None:
    """One ROC plot for all models (model -> (y_true, prob)), AUROC in the legend."""
    fig, ax = plt.subplots(figsize=(6, 6))
    colours = plt.get_cmap("tab20").colors
    for i, model in enumerate(_ordered(curves)):
        y_true, prob = (np.asarray(a) for a in curves[model])
        auroc = binary_metrics(y_true, prob, 0.5)["auroc"]
        fpr, tpr = _roc_points(y_true.astype(int), prob.astype(float))
        # Severity scores dashed, reference teachers dotted, trained models solid.
        style = "--" if model.startswith("score_") else (":" if model.startswith("teacher_") else "-")
        ax.plot(fpr, tpr, lw=1.5, ls=style, color=colours[(2 * i) % 20 + (i // 10) % 2],
                label=f"{model} (AUROC {auroc:.4f})")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.set(xlabel="1 - specificity (false positive rate)", ylabel="sensitivity (true positive rate)",
           title="ROC curves, test split", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower right", fontsize=8)
    _save_figure(fig, path)


def plot_loss_curves(histories: dict[str, dict[str, list[float]]], path) -> None:
    """One panel per stage/model; losses on the left axis, AUROC series on a right axis."""
    names = [name for name in histories if histories[name]]  # stage order as given (mae first)
    if not names:
        raise ValueError("plot_loss_curves got no history to plot")
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.4 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names):
        auroc_ax = None
        for series_name, values in histories[name].items():
            epochs = np.arange(1, len(values) + 1)
            if "auroc" in series_name.lower():
                auroc_ax = auroc_ax or ax.twinx()
                auroc_ax.plot(epochs, values, color="tab:green", ls="--", marker=".", label=series_name)
                auroc_ax.set_ylabel("AUROC")
            else:
                ax.plot(epochs, values, marker=".", label=series_name)
        ax.set(title=name, xlabel="epoch", ylabel="loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        handles, labels = ax.get_legend_handles_labels()
        if auroc_ax is not None:
            more_handles, more_labels = auroc_ax.get_legend_handles_labels()
            handles, labels = handles + more_handles, labels + more_labels
        ax.legend(handles, labels, fontsize=7)
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    _save_figure(fig, path)


def plot_shap_beeswarm(result: ShapResult, path, max_display: int = 20) -> None:
    """shap.plots.beeswarm of the static-feature SHAP values."""
    shap.plots.beeswarm(to_explanation(result), max_display=max_display, show=False)
    fig = plt.gcf()
    fig.suptitle("SHAP values of P(ICU death), static features", fontsize=10)
    _save_figure(fig, path)


def write_shap_top(result: ShapResult, path_csv, k: int = 10) -> list[tuple[str, float]]:
    """shap_top.csv with columns feature, mean_abs_shap, rank (1 = largest); returns the rows written."""
    top = result.mean_abs[:k]
    with _atomic_path(path_csv) as tmp:
        with open(tmp, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["feature", "mean_abs_shap", "rank"])
            for rank, (feature, value) in enumerate(top, start=1):
                writer.writerow([feature, f"{value:.6f}", rank])
    return top


def _fmt(value, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, (int, float)):
        return f"{value:.{digits}f}"
    return str(value)


def _fmt_ci(entry) -> str:
    """'0.8223 (0.7998-0.8434)' from {"value", "ci_low", "ci_high"}; a bare number without CI.

    A negative bound (R^2 can be negative) switches the separator to ' to ', which stays readable.
    """
    if isinstance(entry, dict):
        value = _fmt(entry.get("value"))
        if "ci_low" in entry and "ci_high" in entry:
            low, high = entry["ci_low"], entry["ci_high"]
            negative = any(isinstance(b, (int, float)) and b < 0 for b in (low, high))
            return f"{value} ({_fmt(low)}{' to ' if negative else '-'}{_fmt(high)})"
        return value
    return _fmt(entry)


def _flag(value) -> str:
    return "—" if value is None else ("✓" if value else "✗")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


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


def _summary_sentence(models: dict, run: dict, paired: dict) -> str:
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
        parts.append(full + " (the paper: AUROC 0.8223, sensitivity 0.7033, specificity 0.7767, R^2 0.2171).")
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
    order = _ordered(models)
    thresholds = {m: metrics_m.get("threshold") for m, metrics_m in models.items()}
    rule = metrics.get("threshold_rule") or "n/a"
    # {model: metrics.bootstrap_auroc_difference(y, prob_full, prob_model)} (models_py.evaluate)
    paired = {m: e for m, e in (metrics.get("auroc_vs_full") or {}).items() if isinstance(e, dict)}

    lines = [f"# Results: run {run.get('run_id', 'n/a')}", "", "## Run", ""]
    lines += _facts(run)

    lines += ["", "## Summary", "", _summary_sentence(models, run, paired)]
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
                        [[f"full - {m}", _fmt_ci(paired[m])] for m in _ordered(paired)])

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
        for m in _ordered(summary_models):
            cells = []
            for key in keys:
                e = summary_models[m].get(key)
                cells.append(f"{_fmt(e.get('mean'))} ± {_fmt(e.get('sd'))}" if isinstance(e, dict) else "n/a")
            rows.append([m] + cells)
        lines += _table(["Config"] + keys, rows)

    lines += ["", "## Reference: numbers reported by Jin et al. 2025 (Table 2, MIMIC-IV 3.0, 9,476 patients)", "",
              "Not computed here; for comparison only. Their test set, cohort and data version differ from "
              "this run's.", ""]
    lines += _table(header, [[name, _flag(ref["kd"]), _flag(ref["mt"]), _fmt(ref["r2"]) if ref["r2"] else "x"]
                             + [ref[key] or "x" for key, _ in TABLE2_METRICS]
                             for name, ref in PAPER_TABLE2.items()])
    lines.append("")

    with _atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(lines), encoding="utf-8")
