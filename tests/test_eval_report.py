"""report.md shaped like the paper's Table 2 for every model, plots as PNGs, shap_top.csv, atomic writes."""
from __future__ import annotations

import csv
import re

import numpy as np
import pytest
import torch
from torch import nn

from models_py import metrics as M
from models_py import plots, report
from models_py.explain import shap_static

MODELS = ["full", "no_kd", "no_mt", "no_mae", "lstm", "logreg", "score_sofa_first_day", "score_sapsii",
          "score_lods", "score_oasis", "teacher_untrained", "teacher_probe"]
SCORES = ["sofa_first_day", "sapsii", "lods", "oasis"]
NAMES = ["age", "gender=M", "insurance=Medicaid", "insurance=Medicare", "marital_status=SINGLE",
         "race=WHITE", "sofa_first_day", "sapsii", "lods", "oasis", "insurance=Unknown", "race=Unknown"]
CI = r"-?\d+\.\d{4} \((\d+\.\d{4}-\d+\.\d{4}|-?\d+\.\d{4} to -?\d+\.\d{4})\)"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class StaticLogit(nn.Module):
    def __init__(self, n_static: int):
        super().__init__()
        self.w = nn.Parameter(torch.linspace(1.0, 0.0, n_static))

    def forward(self, series, static):
        logit = static @ self.w + 0.1 * series.mean(dim=(1, 2))
        return torch.stack([torch.zeros_like(logit), logit], dim=1), torch.zeros(static.shape[0], 4)


@pytest.fixture(scope="module")
def evaluated():
    """Test-split labels, probabilities and metrics.json-shaped results for every model name."""
    rng = np.random.default_rng(0)
    n = 400
    y = (rng.random(n) < 0.2).astype(int)
    val_y = (rng.random(n) < 0.2).astype(int)
    scores = rng.normal(size=(n, 4)) * [3, 12, 3, 8] + [6, 40, 5, 30]
    probs, models = {}, {}
    for i, name in enumerate(MODELS):
        strength = 0.4 + 0.1 * i
        p = 1 / (1 + np.exp(-(strength * 3 * y + rng.normal(size=n) - 2)))
        p_val = 1 / (1 + np.exp(-(strength * 3 * val_y + rng.normal(size=n) - 2)))
        threshold = M.youden_threshold(val_y, p_val)
        entry = M.bootstrap_binary(y, p, threshold, n_resamples=200, seed=0)
        if name in ("full", "no_kd", "no_mae", "teacher_probe"):
            entry.update(M.bootstrap_r2(scores, scores + rng.normal(size=(n, 4)) * [2, 10, 2, 7], SCORES,
                                        n_resamples=200, seed=0))
        entry["threshold"] = threshold
        probs[name], models[name] = p, entry
    return y, probs, {"models": models, "threshold_rule": "Youden's J on the validation split"}


@pytest.fixture(scope="module")
def shap_result():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # many tiny batches: one thread avoids oversubscribing a shared machine
    try:
        rng = np.random.default_rng(1)
        series = rng.normal(size=(150, 8, 3)).astype(np.float32)
        static = rng.normal(size=(150, len(NAMES))).astype(np.float32)
        yield shap_static(StaticLogit(len(NAMES)), series, static, NAMES, background_size=50, n_explain=100, seed=0)
    finally:
        torch.set_num_threads(threads)


def _run_info():
    return {
        "run_id": "20260101T000000Z-abc123", "config": {"seed": 0}, "data_fingerprint": "ab" * 32,
        "split_sizes": {"train": 1440, "val": 160, "test": 400}, "label_prevalence": {"train": 0.2, "test": 0.2},
        "threshold_rule": "Youden's J on the validation split", "seeds": [0, 1, 2], "device": "cpu",
        "label": "icu_mortality",
    }


def _no_temp_files(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_report_md_has_every_model_row_in_table2_shape(tmp_path, evaluated, shap_result):
    y, probs, metrics_json = evaluated
    paired = {m: M.bootstrap_auroc_difference(y, probs["full"], probs[m], n_resamples=200) for m in ("no_kd", "lstm")}
    metrics_json = {**metrics_json, "auroc_vs_full": paired,
                    "summary": M.summarize_over_seeds({0: metrics_json["models"], 1: metrics_json["models"]})}
    path = tmp_path / "report.md"
    report.write_report_md(path, _run_info(), metrics_json, shap_result.mean_abs[:10])
    text = path.read_text()

    header = "| Config | KD | MT | R^2 | AUROC (95% CI) | PPV | NPV | PLR | NLR | ACC | Sensitivity | Specificity |"
    assert header in text
    table = text.split(header)[1].split("\n\n")[0].strip().splitlines()[1:]
    assert [row.split("|")[1].strip() for row in table] == MODELS  # every model, in the paper's order
    for row in table:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 12
        for cell in cells[4:]:
            assert re.fullmatch(CI, cell), (cells[0], cell)
    full = [c.strip() for c in table[0].strip("|").split("|")]
    assert full[1:3] == ["✓", "✓"] and re.fullmatch(CI, full[3])
    assert [c.strip() for c in table[1].strip("|").split("|")][1:3] == ["✗", "✓"]  # no_kd
    assert [c.strip() for c in table[2].strip("|").split("|")][1:3] == ["✓", "✗"]  # no_mt
    assert [c.strip() for c in table[5].strip("|").split("|")][3] == "n/a"  # logreg has no regression head

    auroc = metrics_json["models"]["full"]["auroc"]
    assert f"{auroc['value']:.4f} ({auroc['ci_low']:.4f}-{auroc['ci_high']:.4f})" in text
    # Run facts, threshold rule and each model's threshold.
    for fact in ("20260101T000000Z-abc123", "ab" * 32, "train 1440, val 160, test 400", "cpu", "0, 1, 2"):
        assert fact in text
    assert "Youden's J on the validation split" in text
    for name in MODELS:
        assert f"| {name} | {metrics_json['models'][name]['threshold']:.4f} |" in text
    # R^2 per severity score, SHAP top 10, over-seed summary and the paper's numbers.
    assert "| Config | sofa_first_day | sapsii | lods | oasis | mean |" in text
    for rank, (feature, value) in enumerate(shap_result.mean_abs[:10], start=1):
        assert f"| {rank} | {feature} | {value:.4f} |" in text
    assert re.search(r"\| full \| \d\.\d{4} ± n?a?\d?", text) and "mean ± sd" in text
    assert f"| full - no_kd | {report._fmt_ci(paired['no_kd'])} |" in text
    assert f"AUROC difference full - lstm: {report._fmt_ci(paired['lstm'])} (paired bootstrap)" in text
    for paper_number in ("0.8223 (0.7998-0.8434)", "0.8172 (0.7946-0.8396)", "0.8084 (0.7825-0.8324)",
                         "0.74 (0.70-0.77)"):
        assert paper_number in text
    assert _no_temp_files(tmp_path)


def test_report_md_handles_nulls_and_rejects_empty_metrics(tmp_path):
    # metrics.json stores nan as null: the report shows n/a instead of failing.
    models = {"full": {"auroc": {"value": 0.8, "ci_low": 0.7, "ci_high": 0.9},
                       "ppv": {"value": None, "ci_low": None, "ci_high": None}, "threshold": 0.5}}
    report.write_report_md(tmp_path / "report.md", {"run_id": "r"}, {"models": models}, [])
    text = (tmp_path / "report.md").read_text()
    assert "0.8000 (0.7000-0.9000)" in text and "n/a (n/a-n/a)" in text
    # A negative bound reads "lo to hi", not "-0.1726--0.0207".
    assert report._fmt_ci({"value": -0.07, "ci_low": -0.17, "ci_high": -0.02}) == "-0.0700 (-0.1700 to -0.0200)"
    assert report._fmt_ci({"value": 0.2, "ci_low": -0.01, "ci_high": 0.3}) == "0.2000 (-0.0100 to 0.3000)"
    with pytest.raises(ValueError, match="no 'models' entry"):
        report.write_report_md(tmp_path / "other.md", {"run_id": "r"}, {"models": {}}, [])
    assert not (tmp_path / "other.md").exists()


def test_plots_are_non_empty_pngs(tmp_path, evaluated, shap_result):
    y, probs, _ = evaluated
    plots.plot_roc({name: (y, p) for name, p in probs.items()}, tmp_path / "roc.png")
    plots.plot_loss_curves({
        "mae": {"train_loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.7, 0.5]},
        "full": {"train_loss": [0.7, 0.5, 0.4, 0.38], "val_loss": [0.72, 0.6, 0.58, 0.6],
                 "val_auroc": [0.6, 0.7, 0.74, 0.73]},
        "no_kd": {"train_loss": [0.7, 0.55], "val_loss": [0.71, 0.66]},
    }, tmp_path / "loss_curves.png")
    plots.plot_shap_beeswarm(shap_result, tmp_path / "shap_beeswarm.png", max_display=10)
    for name in ("roc.png", "loss_curves.png", "shap_beeswarm.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 10_000, name
        assert (tmp_path / name).stat().st_mode & 0o044 == 0o044, "readable by group and others"
    assert _no_temp_files(tmp_path)


def test_roc_points_match_sklearn(evaluated):
    from sklearn.metrics import auc, roc_curve

    y, probs, _ = evaluated
    fpr, tpr = plots._roc_points(y, probs["full"])
    ref_fpr, ref_tpr, _ = roc_curve(y, probs["full"], drop_intermediate=False)
    assert auc(fpr, tpr) == pytest.approx(auc(ref_fpr, ref_tpr))
    assert auc(fpr, tpr) == pytest.approx(M.binary_metrics(y, probs["full"], 0.5)["auroc"])


def test_failed_plot_leaves_no_file(tmp_path):
    with pytest.raises(ValueError, match="one probability per label"):
        plots.plot_roc({"full": (np.array([0, 1, 1]), np.array([0.2, 0.5]))}, tmp_path / "roc.png")
    assert list(tmp_path.iterdir()) == []


def test_shap_top_csv(tmp_path, shap_result):
    rows = plots.write_shap_top(shap_result, tmp_path / "shap_top.csv", k=10)
    with open(tmp_path / "shap_top.csv", newline="") as f:
        written = list(csv.DictReader(f))
    assert list(written[0]) == ["feature", "mean_abs_shap", "rank"]
    assert [r["rank"] for r in written] == [str(i) for i in range(1, 11)]
    values = [float(r["mean_abs_shap"]) for r in written]
    assert values == sorted(values, reverse=True)
    assert [r["feature"] for r in written] == [name for name, _ in rows]
    # The linear logit's weights fall from the first feature to the last: so does the ranking.
    assert written[0]["feature"] == "age" and "race=Unknown" not in [r["feature"] for r in written]
