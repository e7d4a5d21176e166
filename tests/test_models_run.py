"""End to end: small marts -> run directory -> predict.py; CLI errors; multi-seed summary."""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import numpy as np
import polars as pl
import pytest
from conftest import QUICK_RUN as QUICK
from conftest import REPO

from models_py import plots
from models_py.checkpoints import read_header
from models_py.config import load_config
from models_py.experiment import run_experiment

RUN_FILES = ["config.json", "metrics.json", "histories.json", "report.md", "roc.png", "loss_curves.png",
             "shap_beeswarm.png", "shap_top.csv", "predictions.parquet", "checkpoints/preprocess.json",
             "manifest.json", "checkpoints/recalibration.json", "report.html", "calibration.png",
             "decision_curve.png", "auroc_forest.png", "subgroups.csv", "subgroups.png", "table1.csv", "table1.md"]
MODELS = ["full", "no_kd", "no_mt", "no_mae", "lstm", "logreg", "gbm_summary", "logreg_summary", "ensemble_summary",
          "ensemble_all", "score_sofa_first_day", "score_sapsii", "score_lods", "score_oasis", "teacher_untrained",
          "teacher_probe"]


@pytest.fixture(scope="module")
def marts(small_marts):
    return small_marts


@pytest.fixture(scope="module")
def run(small_run):
    return small_run


@pytest.mark.slow
def test_run_directory_has_every_file_and_model(run, marts):
    run_dir, _ = run
    for name in RUN_FILES:
        assert (run_dir / name).is_file() and (run_dir / name).stat().st_size > 0, name
    for model in MODELS:
        if not model.startswith("ensemble_"):  # ensembles are rebuilt from their members
            assert (run_dir / "checkpoints" / f"{model}.safetensors").is_file(), model
    assert not [p for p in (run_dir / "checkpoints").iterdir() if p.suffix in (".pt", ".pkl")]
    assert (run_dir.parent / "latest").resolve() == run_dir.resolve()
    assert not [p for p in run_dir.parent.iterdir() if p.name.startswith(".")]  # no temp leftovers

    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert sorted(metrics["models"]) == sorted(MODELS)
    full = metrics["models"]["full"]
    for key in ["auroc", "auprc", "ppv", "npv", "sensitivity", "specificity", "plr", "nlr", "accuracy", "brier",
                "r2_sofa_first_day", "r2_mean"]:
        assert {"value", "ci_low", "ci_high"} <= set(full[key]), key
    assert 0 < full["threshold"] < 1 and "Youden" in metrics["threshold_rule"]
    assert 0 <= full["val_auroc"] <= 1
    assert "r2_mean" not in metrics["models"]["no_mt"]  # no regression head trained
    for key in ["calibration_intercept", "calibration_slope", "ece", "oe_ratio"]:
        assert {"value", "ci_low", "ci_high"} <= set(full[key]), key
        assert {"value", "ci_low", "ci_high"} <= set(metrics["recalibrated"]["full_recal"][key]), key
    assert sorted(metrics["recalibrated"]) == sorted(f"{m}_recal" for m in MODELS)

    config = json.loads((run_dir / "config.json").read_text())
    assert config["config"]["student"]["epochs"] == 3 and config["seed"] == 0 and config["device"] == "cpu"
    assert set(config["data_files_sha256"]) == {"cohort.parquet", "vis_hourly.parquet", "static_features.parquet",
                                                "severity_scores.parquet"}
    assert len(config["data_fingerprint"]) == 64 and config["packages"]["torch"]
    assert {"mae", "full", "teacher_probe", "evaluation", "shap"} <= set(config["stage_seconds"]["0"])
    assert sum(config["split_sizes"].values()) == 240
    # the model predict.py serves by default: the best validation AUROC, recorded with every model's
    selection = config["selection"]
    assert selection["validation_auroc"] == {m: metrics["models"][m]["val_auroc"] for m in MODELS}
    assert selection["model"] == max(MODELS, key=lambda m: selection["validation_auroc"][m])
    assert config["ensembles"] == {"ensemble_summary": ["gbm_summary", "logreg_summary"],
                                   "ensemble_all": ["full", "gbm_summary", "logreg_summary"]}
    manifest = json.loads((run_dir / "manifest.json").read_text())["files"]
    assert set(manifest) == {"config.json", "checkpoints/preprocess.json", "checkpoints/recalibration.json",
                             *config["checkpoints"].values()}

    preds = pl.read_parquet(run_dir / "predictions.parquet")
    assert {"stay_id", "split", "model", "probability", "label"} <= set(preds.columns)
    assert preds.filter(model="full").height == 240 and preds["probability"].is_between(0, 1).all()
    test_ids = set(preds.filter(model="full", split="test")["stay_id"])
    train_ids = set(preds.filter(model="full", split="train")["stay_id"])
    assert not test_ids & train_ids
    assert "full" in (run_dir / "report.md").read_text()


@pytest.mark.slow
def test_results_are_written_back_to_the_warehouse(run):
    run_dir, warehouse = run
    con = duckdb.connect(str(warehouse), read_only=True)
    run_id = json.loads((run_dir / "config.json").read_text())["run_id"]
    assert con.execute("select count(*) from model_runs where run_id = ?", [run_id]).fetchone()[0] == 1
    n_pred = con.execute("select count(*) from model_predictions where run_id = ? and model = 'full'",
                         [run_id]).fetchone()[0]
    assert n_pred == 240
    con.close()


@pytest.mark.slow
def test_predict_reproduces_the_runs_test_probabilities(run, marts, tmp_path):
    run_dir, _ = run
    out = tmp_path / "preds.csv"
    proc = subprocess.run([sys.executable, str(REPO / "pipelines" / "predict.py"), "--run",
                           str(run_dir.parent / "latest"), "--output", str(out), "--marts", str(marts),
                           "--model", "full"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    scored = pl.read_csv(out)
    assert scored.columns == ["stay_id", "model", "run_id", "probability", "threshold", "predicted_label"]
    assert scored.height == 240
    saved = pl.read_parquet(run_dir / "predictions.parquet").filter(model="full", split="test")
    joined = saved.join(scored, on="stay_id", suffix="_predict")
    assert joined.height == saved.height
    # served recalibrated by default (predictions.parquet keeps both)
    np.testing.assert_allclose(joined["probability_predict"], joined["probability_recal"], rtol=1e-5, atol=1e-7)


@pytest.mark.slow
def test_predict_scores_new_stays_without_labels(run, marts, tmp_path):
    run_dir, _ = run
    new = tmp_path / "new"
    new.mkdir()
    for name in ["vis_hourly.parquet", "static_features.parquet", "severity_scores.parquet"]:
        (new / name).write_bytes((marts / name).read_bytes())
    out = tmp_path / "new.csv"
    proc = subprocess.run([sys.executable, str(REPO / "pipelines" / "predict.py"), "--run", str(run_dir),
                           "--output", str(out), "--marts", str(new)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert pl.read_csv(out).height == 240


def test_train_cli_reports_bad_marts_in_one_line(marts, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    for path in marts.glob("*.parquet"):
        (bad / path.name).write_bytes(path.read_bytes())
    pl.read_parquet(bad / "cohort.parquet").drop("icu_mortality").write_parquet(bad / "cohort.parquet")
    proc = subprocess.run([sys.executable, str(REPO / "pipelines" / "train.py"), "--marts", str(bad),
                           "--out", str(tmp_path / "runs"), "--epochs", "1"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "cohort.parquet: missing column(s) ['icu_mortality']" in proc.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.mark.slow
def test_a_failing_run_leaves_nothing_half_written(marts, tmp_path, monkeypatch):
    def broken_plot(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(plots, "plot_loss_curves", broken_plot)  # inject a failure after training
    runs = tmp_path / "runs"
    with pytest.raises(RuntimeError, match="disk full"):
        run_experiment(load_config(None, QUICK + ["mae.epochs=1", "student.epochs=1"]).with_run(
            marts=marts, out=runs, ablations=False, shap=False), progress=False)
    assert list(runs.iterdir()) == []


@pytest.mark.slow
def test_several_seeds_give_mean_and_sd(marts, tmp_path):
    cfg = load_config(None, QUICK + ["student.epochs=2"])
    run_dir = run_experiment(cfg.with_run(marts=marts, out=tmp_path / "runs", ablations=False, seeds=2, shap=False),
                             progress=False)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert sorted(metrics["per_seed"]) == ["0", "1"]
    auroc = metrics["summary"]["full"]["auroc"]
    values = [metrics["per_seed"][s]["full"]["auroc"]["value"] for s in ("0", "1")]
    assert auroc["mean"] == pytest.approx(np.mean(values)) and auroc["sd"] == pytest.approx(np.std(values, ddof=1))
    preds = pl.read_parquet(run_dir / "predictions.parquet")
    assert sorted(preds["seed"].unique().to_list()) == [0, 1]


@pytest.mark.slow
def test_an_auxiliary_label_with_missing_values_trains_as_a_masked_task(marts, tmp_path):
    folder = tmp_path / "marts"
    folder.mkdir()
    for path in marts.glob("*.parquet"):
        (folder / path.name).write_bytes(path.read_bytes())
    cohort = pl.read_parquet(folder / "cohort.parquet")
    cohort.with_columns(mortality_28d=pl.when(pl.int_range(pl.len()) % 3 == 0).then(None)
                        .otherwise(pl.col("mortality_28d"))).write_parquet(folder / "cohort.parquet")
    cfg = load_config(None, QUICK + ["tasks.auxiliary_labels=mortality_28d", "student.epochs=8"])
    run_dir = run_experiment(cfg.with_run(marts=folder, out=tmp_path / "runs", ablations=False, shap=False),
                             progress=False)
    from safetensors.torch import load_file

    path = run_dir / "checkpoints" / "full.safetensors"
    assert [t["name"] for t in read_header(path)["tasks"]] == ["icu_mortality", "severity", "mortality_28d"]
    assert "heads.mortality_28d.0.weight" in load_file(path)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    # the fixture's label is learnable: a run whose auxiliary task broke training would fall to chance
    assert metrics["models"]["full"]["auroc"]["value"] > 0.6
