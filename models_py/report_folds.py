"""report.md's "Validation scheme" section, from metrics.json's "folds" (models_py.folds).

Per fold: its sizes and the AUROC (95 % CI) of the main models; over the folds, per model: mean ± sd
of AUROC, AUPRC and Brier, and the pooled out-of-fold AUROC, AUPRC and Brier with bootstrap CIs; the
skipped folds with their reasons. A run without "folds" (scheme `split`) gets no section.
"""
from __future__ import annotations

import math

from .plots import ordered

PER_FOLD_MODELS = ("full", "teacher_probe", "lstm", "logreg", "gbm_summary", "ensemble_all")
SCHEME_TEXT = {
    "kfold": "{k} folds stratified by the label and grouped by patient; each fold tests on one part and trains "
             "and validates on the others",
    "group": "leave one {column} out: each value of {column} is a test set, trained and validated on the others",
    "temporal": "train and validate on the earlier values of {column}, test on the latest",
}


def _num(value, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) and math.isfinite(value) else "n/a"


def _ci(entry) -> str:
    if not isinstance(entry, dict):
        return "n/a"
    return f"{_num(entry.get('value'))} ({_num(entry.get('ci_low'))}-{_num(entry.get('ci_high'))})"


def _mean_sd(entry) -> str:
    if not isinstance(entry, dict) or not entry.get("n_folds"):
        return "n/a"
    sd = f" ± {_num(entry.get('sd'))}" if entry.get("n_folds", 0) > 1 else ""
    return f"{_num(entry.get('mean'))}{sd}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _describe(scheme: str) -> str:
    kind, _, arg = scheme.partition(":")
    template = SCHEME_TEXT.get(kind)
    return template.format(k=arg, column=arg) if template else scheme


def validation_section(metrics: dict) -> list[str]:
    """The report lines of the "Validation scheme" section ([] when the run has no folds)."""
    folds = metrics.get("folds")
    if not isinstance(folds, dict) or not folds.get("scheme"):
        return []
    scheme, per_fold = folds["scheme"], folds.get("folds") or {}
    skipped, sizes = folds.get("skipped") or [], folds.get("sizes") or {}
    lines = ["", f"## Validation scheme: {scheme}", "",
             f"{_describe(scheme).capitalize()}. Patients never sit on both sides of a fold. Every fold trains "
             "the run's models with the base seed; its threshold comes from its own validation stays. "
             f"{len(per_fold)} fold(s) scored, {len(skipped)} skipped. The tables above are the base split's.", ""]
    if per_fold:
        models = [m for m in PER_FOLD_MODELS if any(m in fold for fold in per_fold.values())]
        rows = []
        for name, fold in per_fold.items():
            size = sizes.get(name, {})
            rows.append([name, *(str(size.get(s, "n/a")) for s in ("train", "val", "test"))]
                        + [_ci(fold.get(m, {}).get("auroc")) for m in models])
        lines += ["AUROC (95 % CI) per fold, on the fold's test stays:", ""]
        lines += _table(["Fold", "Train", "Val", "Test"] + models, rows)

        summary, pooled = folds.get("summary") or {}, folds.get("pooled") or {}
        lines += ["", "Over the folds: mean ± sd of the per-fold values, and pooled out-of-fold (every tested "
                  "stay's prediction by the fold that did not train on it, 95 % bootstrap CI over those stays; "
                  "the folds' models differ, so pooling also measures how comparable their probabilities are):", ""]
        rows = []
        for model in ordered(summary):
            s, p = summary[model], pooled.get(model, {})
            rows.append([model, str(s.get("auroc", {}).get("n_folds", "n/a")), _mean_sd(s.get("auroc")),
                         _mean_sd(s.get("auprc")), _mean_sd(s.get("brier")), _ci(p.get("auroc")),
                         _ci(p.get("auprc")), _ci(p.get("brier")), str(p.get("n", "n/a"))])
        lines += _table(["Config", "Folds", "AUROC mean ± sd", "AUPRC mean ± sd", "Brier mean ± sd",
                         "Pooled AUROC (95% CI)", "Pooled AUPRC (95% CI)", "Pooled Brier (95% CI)", "Pooled n"],
                        rows)
    else:
        lines.append("No fold could be scored.")
    if skipped:
        lines += ["", "Skipped folds:", ""]
        lines += _table(["Fold", "Reason"], [[s.get("fold", "?"), s.get("reason", "?")] for s in skipped])
    return lines
