"""The leak check: high leak-only AUROC on data built to leak, near 0.5 on data built not to."""
import json

import numpy as np
import pytest

from models_py.leak import complete_window_rows, leak_check, padding_mask


def _cohort(leaks: bool, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    if leaks:  # deaths leave the ICU early far more often, as in MIMIC-IV
        short = rng.random(n) < np.where(y == 1, 0.7, 0.15)
    else:
        short = rng.random(n) < 0.3
    hours = np.where(short, rng.integers(1, 48, n), 48)
    prob = np.clip(0.2 + 0.3 * y + rng.normal(0, 0.2, n), 0.001, 0.999)
    return y, prob, hours


def test_leak_only_auroc_is_high_when_built_to_leak_and_chance_otherwise():
    y, prob, hours = _cohort(leaks=True)
    assert leak_check(y, prob, hours, 48)["leak_only_auroc"] > 0.7
    y, prob, hours = _cohort(leaks=False)
    assert abs(leak_check(y, prob, hours, 48)["leak_only_auroc"] - 0.5) < 0.04


def test_complete_window_numbers():
    y, prob, hours = _cohort(leaks=True)
    check = leak_check(y, prob, hours, 48)
    complete = hours == 48
    assert check["n_test_complete_window"] == complete.sum()
    assert check["mortality_complete_window"] == pytest.approx(y[complete].mean())
    assert check["mortality_short_window"] > check["mortality_complete_window"]
    assert 0.5 < check["auroc_complete_window"] <= 1


def test_padding_mask_and_rows():
    mask = padding_mask([48, 1, 30], 48)
    assert mask.shape == (3, 48)
    assert mask.sum(axis=1).tolist() == [0, 47, 18]
    assert not mask[2, 29] and mask[2, 30]
    assert complete_window_rows([48, 1, 30, 48], 48).tolist() == [0, 3]
    with pytest.raises(ValueError, match="icu_hours_in_vis_window must lie in 1..48"):
        padding_mask([0, 48], 48)


TINY = ["threads=1", "mae.epochs=1", "teacher.epochs=1", "student.epochs=2", "eval.bootstrap_resamples=50",
        "model.d_model=16", "model.ffn_dim=32", "model.n_heads=2", "model.n_layers=1"]


def _leaky_marts(tmp_path_factory):
    from models_py.synthetic_marts import write_marts
    return write_marts(tmp_path_factory.mktemp("leaky_marts"), n_stays=300, seed=4, leak=True)


def test_mask_hides_the_hours_after_outtime_whatever_they_hold(tmp_path_factory):
    import torch

    from models_py.config import Config
    from models_py.data import load_marts
    from models_py.dataset import prepare
    from models_py.leak import apply_policy

    marts = _leaky_marts(tmp_path_factory)
    cfg = Config()
    data = load_marts(marts, ["icu_mortality"], cfg.data.score_columns)
    changed = load_marts(marts, ["icu_mortality"], cfg.data.score_columns)
    after = padding_mask(changed.cohort["icu_hours_in_vis_window"].to_numpy(), 48)
    changed.series[after] = 7.5  # what the mart holds after outtime does not matter
    first = prepare(apply_policy(data, "mask")[0], cfg, 0, torch.device("cpu"))
    second = prepare(apply_policy(changed, "mask")[0], cfg, 0, torch.device("cpu"))
    for split in ("train", "val", "test"):
        a, b = first.splits[split].series, second.splits[split].series
        assert torch.equal(torch.isnan(a), torch.isnan(b)) and torch.equal(a.nan_to_num(), b.nan_to_num())
        padded = torch.isnan(a).all(dim=-1)
        assert padded.any() and not (torch.isnan(a).any(dim=-1) & ~padded).any()  # whole hours, every channel
    np.testing.assert_array_equal(first.summary_x, second.summary_x)
    # complete_window keeps exactly the stays in the ICU for the whole window
    kept, note = apply_policy(data, "complete_window")
    assert len(kept) == int((data.cohort["icu_hours_in_vis_window"] == 48).sum()) and "left out" in note


@pytest.mark.slow
def test_a_paper_policy_run_reports_the_leak_and_a_leak_free_retrain(tmp_path_factory):
    from html.parser import HTMLParser

    from models_py.config import load_config
    from models_py.experiment import run_experiment

    marts = _leaky_marts(tmp_path_factory)
    cfg = load_config(None, [*TINY, "data.leak_policy=paper"]).with_run(
        marts=marts, out=tmp_path_factory.mktemp("runs"), ablations=False, shap=False)
    run_dir = run_experiment(cfg, progress=False)
    leak = json.loads((run_dir / "metrics.json").read_text())["leak_check"]
    assert leak["applicable"] and leak["policy"] == "paper"
    assert leak["leak_only_auroc_all_stays"] > 0.65  # built to leak
    assert {"value", "ci_low", "ci_high"} <= set(leak["leak_free_full_auroc"])
    assert leak["n_test_complete_window"] < leak["n_test"]
    report = (run_dir / "report.md").read_text()
    for heading in ("## Label leak check", "## Calibration", "## Subgroups", "## Cohort (Table 1)",
                    "## Model card (TRIPOD+AI)", "## Figures"):
        assert heading in report, heading
    # the small-sample guard: 60 test stays, fewer than 50 deaths -> said first, no comparison with the paper
    summary = report.split("## Summary")[1].split("## ")[0]
    assert summary.strip().startswith("**Small test split:") and "the paper:" not in summary
    page = (run_dir / "report.html").read_text()
    HTMLParser().feed(page)
    assert "http://" not in page and "https://" not in page and page.count("data:image/png;base64,") >= 5


@pytest.mark.slow
def test_saliency_stage_and_the_full_init_mae_variant_write_their_outputs(tmp_path_factory):
    import polars as pl

    from models_py.config import load_config
    from models_py.experiment import run_experiment

    marts = _leaky_marts(tmp_path_factory)
    cfg = load_config(None, [*TINY, "eval.saliency_stays=8", "run.variants=full_init_mae"]).with_run(
        marts=marts, out=tmp_path_factory.mktemp("runs"), ablations=False, shap=False)
    run_dir = run_experiment(cfg, progress=False)
    assert "full_init_mae" in json.loads((run_dir / "metrics.json").read_text())["models"]
    frame = pl.read_parquet(run_dir / "saliency.parquet")
    assert frame["stay_id"].n_unique() == 8 and frame.height == 8 * 48 * 7
    per_stay = frame.group_by("stay_id").agg(pl.col("attribution").sum(), pl.col("output").first(),
                                             pl.col("baseline_output").first())
    gap = (per_stay["output"] - per_stay["baseline_output"]).abs().clip(lower_bound=0.01)
    assert ((per_stay["attribution"] - (per_stay["output"] - per_stay["baseline_output"])).abs() / gap).max() <= 0.01
    assert (run_dir / "saliency.png").exists() and (run_dir / "saliency_top.png").exists()
