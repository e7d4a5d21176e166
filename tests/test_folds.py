"""Validation schemes end to end (models_py.folds): kfold, leave one group out and temporal runs write their
folds into metrics.json, predictions.parquet and report.md, keep patients disjoint, and leave the base split
as it is."""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import numpy as np
import polars as pl
import pytest
from conftest import REPO
from sklearn.metrics import roc_auc_score

from models_py import folds as folds_module
from models_py.config import load_config
from models_py.config_cli import cli_config
from models_py.data import MartError, load_marts
from models_py.dataset import prepare
from models_py.experiment import run_experiment
from models_py.report_folds import validation_section
from models_py.synthetic_marts import write_marts
from models_py.warehouse_io import load_run_into_warehouse

# 1 epoch per stage and a tiny network: the folds' plumbing is tested here, not the models
TINY = ["threads=1", "mae.epochs=1", "teacher.epochs=1", "student.epochs=1", "eval.bootstrap_resamples=50",
        "model.d_model=16", "model.n_heads=2", "model.ffn_dim=32", "model.head_hidden=16", "model.lstm_hidden=16"]
N_STAYS = 240


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    """Synthetic marts where patients have two stays each and NEURO is a care unit of 6 stays."""
    folder = write_marts(tmp_path_factory.mktemp("fold_marts"), n_stays=N_STAYS, seed=5)
    cohort = pl.read_parquet(folder / "cohort.parquet")
    units = cohort["first_careunit"].to_numpy().copy()
    units[:6] = "NEURO"
    cohort.with_columns(subject_id=pl.Series(cohort["subject_id"].to_numpy()[np.arange(N_STAYS) // 2 * 2]),
                        first_careunit=pl.Series(units)).write_parquet(folder / "cohort.parquet")
    return folder


def _run(marts, out, scheme, monkeypatch=None):
    """run_experiment under `scheme`; with monkeypatch, also the rows every fold was prepared with."""
    seen = []
    if monkeypatch is not None:
        def spy(data, cfg, seed, device, rows=None):
            seen.append(rows)
            return prepare(data, cfg, seed, device, rows=rows)
        monkeypatch.setattr(folds_module, "prepare", spy)
    cfg = load_config(None, [*TINY, f"split.validation={scheme}"]).with_run(
        marts=marts, out=out, warehouse=None, shap=False)
    run_dir = run_experiment(cfg, progress=False)
    return run_dir, json.loads((run_dir / "metrics.json").read_text()), seen


@pytest.fixture(scope="module")
def cohort(marts):
    return pl.read_parquet(marts / "cohort.parquet").sort("stay_id")


@pytest.fixture(scope="module")
def split_run(marts, tmp_path_factory):
    return _run(marts, tmp_path_factory.mktemp("split_runs"), "split")


@pytest.mark.slow
def test_kfold_run_tests_every_stay_once_with_patients_disjoint(marts, cohort, split_run, tmp_path, monkeypatch):
    run_dir, metrics, seen = _run(marts, tmp_path / "runs", "kfold:3", monkeypatch)
    folds = metrics["folds"]
    assert folds["scheme"] == "kfold:3" and folds["skipped"] == []
    assert list(folds["folds"]) == ["fold1", "fold2", "fold3"] and len(seen) == 3
    subjects, stays = cohort["subject_id"].to_numpy(), cohort["stay_id"].to_numpy()
    for rows in seen:  # the rows each fold really trained, validated and tested on
        sides = [set(subjects[rows[s]].tolist()) for s in ("train", "val", "test")]
        assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    tested = np.concatenate([rows["test"] for rows in seen])
    assert np.array_equal(np.sort(tested), np.arange(N_STAYS))  # every stay tested exactly once

    preds = pl.read_parquet(run_dir / "predictions.parquet")
    base, oof = preds.filter(pl.col("fold").is_null()), preds.filter(pl.col("fold").is_not_null())
    assert base.height == 3 * N_STAYS  # the base split as before: 3 models x every stay (train, val or test)
    assert set(oof["split"]) == {"test"} and set(oof["model"]) == set(base["model"])
    full = oof.filter(model="full")
    assert full.height == N_STAYS and full["stay_id"].n_unique() == N_STAYS
    for name, rows in zip(folds["folds"], seen, strict=True):
        assert set(full.filter(fold=name)["stay_id"]) == set(stays[rows["test"]].tolist())
        assert folds["sizes"][name] == {s: int(rows[s].size) for s in ("train", "val", "test")}

    per_fold = [folds["folds"][f]["full"]["auroc"]["value"] for f in folds["folds"]]
    summary = folds["summary"]["full"]["auroc"]
    assert summary["n_folds"] == 3 and summary["mean"] == pytest.approx(np.mean(per_fold))
    assert summary["sd"] == pytest.approx(np.std(per_fold, ddof=1))
    pooled = folds["pooled"]["full"]
    assert pooled["n"] == N_STAYS and pooled["n_folds"] == 3
    assert pooled["auroc"]["value"] == pytest.approx(roc_auc_score(full["label"], full["probability"]))
    assert pooled["auroc"]["ci_low"] <= pooled["auroc"]["value"] <= pooled["auroc"]["ci_high"]

    # the base split's results are those of a plain `split` run
    split_dir, split_metrics, _ = split_run
    assert "folds" not in split_metrics
    assert metrics["models"] == split_metrics["models"]
    assert base.drop("fold").equals(pl.read_parquet(split_dir / "predictions.parquet").drop("fold"))

    report = (run_dir / "report.md").read_text()
    assert "## Validation scheme: kfold:3" in report and "Pooled AUROC" in report
    assert "## Validation scheme" not in (split_dir / "report.md").read_text()

    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    assert load_run_into_warehouse(run_dir, warehouse)["model_predictions"] == base.height  # base rows only


@pytest.mark.slow
def test_leave_one_group_out_skips_a_tiny_group_with_its_reason(marts, cohort, tmp_path):
    run_dir, metrics, _ = _run(marts, tmp_path / "runs", "group:first_careunit")
    folds = metrics["folds"]
    assert list(folds["folds"]) == ["first_careunit=CVICU", "first_careunit=MICU", "first_careunit=SICU"]
    assert [s["fold"] for s in folds["skipped"]] == ["first_careunit=NEURO"]
    assert "6 test stays (fewer than 10)" in folds["skipped"][0]["reason"]
    oof = pl.read_parquet(run_dir / "predictions.parquet").filter(pl.col("fold").is_not_null(), model="full")
    unit = dict(zip(cohort["stay_id"], cohort["first_careunit"], strict=True))
    for name, frame in oof.group_by("fold"):
        assert {unit[s] for s in frame["stay_id"]} == {name[0].split("=")[1]}  # tests on its own unit only
    report = (run_dir / "report.md").read_text()
    assert "first_careunit=NEURO | 6 test stays (fewer than 10)" in report


@pytest.mark.slow
def test_temporal_tests_only_on_the_latest_value(marts, cohort, tmp_path, monkeypatch):
    run_dir, metrics, seen = _run(marts, tmp_path / "runs", "temporal:anchor_year_group", monkeypatch)
    assert list(metrics["folds"]["folds"]) == ["anchor_year_group=2014 - 2016"]
    years = cohort["anchor_year_group"].to_numpy()
    (rows,) = seen
    assert set(years[rows["test"]]) == {"2014 - 2016"}
    assert np.array_equal(rows["test"], np.flatnonzero(years == "2014 - 2016"))
    assert "2014 - 2016" not in set(years[np.concatenate([rows["train"], rows["val"]])])


def test_validation_flag_and_bad_schemes_are_one_line(marts):
    assert cli_config(["--validation", "group:first_careunit"]).split.validation == "group:first_careunit"
    assert cli_config(["--set", "split.validation=kfold:5"]).split.validation == "kfold:5"
    with pytest.raises(ValueError, match=r"^--set: config split.validation: validation scheme 'kfold:1'; expected"):
        cli_config(["--validation", "kfold:1"])
    with pytest.raises(MartError, match=r"cohort.parquet: no column icu_unit \(nor in static_features.parquet\)"):
        load_marts(marts, ["icu_mortality"], [], fold_column="icu_unit")


def test_a_static_feature_can_be_the_group_column(marts):
    """P12's icu_type lives in static_features.parquet: the scheme's column is looked up there too."""
    data = load_marts(marts, ["icu_mortality"], [], fold_column="gender")
    static = pl.read_parquet(marts / "static_features.parquet").sort("stay_id")
    assert data.fold_groups.tolist() == static["gender"].to_list()


def test_a_fold_from_rows_is_the_split_it_was_given(marts):
    cfg = load_config(None, TINY)
    data = load_marts(marts, ["icu_mortality"], cfg.data.score_columns)
    default = prepare(data, cfg, 0, "cpu")
    given = prepare(data, cfg, 0, "cpu", rows=default.rows)
    for split in ("train", "val", "test"):
        assert np.array_equal(default.rows[split], given.rows[split])
        assert np.array_equal(default.splits[split].series.numpy(), given.splits[split].series.numpy())


def test_report_section_lists_skipped_folds_when_none_could_be_scored():
    lines = validation_section({"folds": {"scheme": "group:icu_type", "folds": {}, "skipped": [
        {"fold": "icu_type=1", "reason": "test stays hold one class only (8 stays, all 0)"}]}})
    text = "\n".join(lines)
    assert "## Validation scheme: group:icu_type" in text and "No fold could be scored." in text
    assert "| icu_type=1 | test stays hold one class only (8 stays, all 0) |" in text
    assert validation_section({"models": {}}) == []


@pytest.mark.slow
def test_bench_folds_times_every_fold(tmp_path):
    tiny = [arg for item in TINY if not item.startswith(("threads", "mae.", "teacher.", "student."))
            for arg in ("--set", item)]
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_folds.py"), "--scheme", "kfold:3",
                           "--stays", "200", "--epochs", "1", "--threads", "1", *tiny],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines if line.startswith("fold")][1:] == ["fold1", "fold2", "fold3"]
    assert any(line.startswith("total ") and "pooled" in line for line in lines)
