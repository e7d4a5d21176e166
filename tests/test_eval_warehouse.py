"""Write-back of a run into DuckDB: queryable with the cohort, idempotent, safe when locked or missing."""
from __future__ import annotations

import json
import subprocess
import sys
import warnings

import duckdb
import polars as pl
import pytest

from models_py.warehouse_io import load_run_into_warehouse

STAYS = [101, 102, 103, 104]


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute("create table cohort as select * from "
                "(values (101, 'MICU'), (102, 'SICU'), (103, 'MICU'), (104, 'CCU')) "
                "as t(stay_id, first_careunit)")
    con.close()
    return path


def _run_dir(tmp_path, run_id="20260101T000000Z-abc123", seeds=(0,), label=None):
    run_dir = tmp_path / "runs" / run_id
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({
        "run_id": run_id, "data_fingerprint": "f" * 64, "seed": seeds[0], "device": "cpu",
        "config": {"model": {"d_model": 64}},
    }))
    models = {
        "full": {"auroc": {"value": 0.81, "ci_low": 0.78, "ci_high": 0.84},
                 "ppv": {"value": None, "ci_low": None, "ci_high": None},
                 "r2_sofa_first_day": {"value": 0.2, "ci_low": 0.1, "ci_high": 0.3}, "threshold": 0.43},
        "logreg": {"auroc": {"value": 0.75, "ci_low": 0.7, "ci_high": 0.8}, "threshold": 0.5},
    }
    per_seed = {str(s): models for s in seeds}
    (run_dir / "metrics.json").write_text(json.dumps({"models": models, "threshold_rule": "Youden's J on validation",
                                                       "per_seed": per_seed, "summary": {}}))
    rows = [(stay, "test", model, 0.1 * i, i % 2, seed) for seed in seeds
            for i, stay in enumerate(STAYS) for model in ("full", "logreg")]
    frame = pl.DataFrame(rows, schema=["stay_id", "split", "model", "probability", "label", "seed"], orient="row")
    if label is not None:
        frame = frame.with_columns(pl.lit(label).alias("label"))
    frame.write_parquet(run_dir / "predictions.parquet")
    return run_dir


def test_load_is_queryable_with_the_cohort_and_idempotent(tmp_path):
    db = _warehouse(tmp_path / "warehouse.duckdb")
    run_dir = _run_dir(tmp_path, seeds=(0, 1))
    first = load_run_into_warehouse(run_dir, db)
    second = load_run_into_warehouse(run_dir, db)
    assert first == second == {"model_runs": 1, "model_metrics": 2 * 6, "model_predictions": 2 * 2 * len(STAYS)}

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from model_runs").fetchone()[0] == 1
    assert con.execute("select count(*) from model_predictions").fetchone()[0] == 16
    run = con.execute("select run_id, data_fingerprint, seed, threshold_rule, config_json->>'$.config.model.d_model' "
                      "from model_runs").fetchone()
    assert run == ("20260101T000000Z-abc123", "f" * 64, 0, "Youden's J on validation", "64")
    auroc = con.execute("select value, ci_low, ci_high from model_metrics "
                        "where model = 'full' and metric = 'auroc' and seed = 0").fetchone()
    assert auroc == (0.81, 0.78, 0.84)
    # A metric without a value (undefined ratio) is kept as null; the threshold has no CI.
    assert con.execute("select value from model_metrics where metric = 'ppv' and seed = 0").fetchone() == (None,)
    assert con.execute("select value, ci_low from model_metrics where model = 'logreg' and metric = 'threshold' "
                       "and seed = 1").fetchone() == (0.5, None)
    by_unit = dict(con.execute("""
        select c.first_careunit, count(*)
        from model_predictions as p
        inner join cohort as c on p.stay_id = c.stay_id
        where p.model = 'full' and p.seed = 0
        group by 1
    """).fetchall())
    assert by_unit == {"MICU": 2, "SICU": 1, "CCU": 1}
    con.close()

    # A second run adds its rows next to the first one's.
    load_run_into_warehouse(_run_dir(tmp_path, run_id="20260102T000000Z-def456"), db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(distinct run_id), count(*) from model_predictions").fetchone() == (2, 24)
    con.close()


def test_failed_load_leaves_the_earlier_load_intact(tmp_path):
    db = _warehouse(tmp_path / "warehouse.duckdb")
    run_dir = _run_dir(tmp_path)
    load_run_into_warehouse(run_dir, db)
    # The same run re-written with labels that are not integers: the load fails after its deletes.
    pl.read_parquet(run_dir / "predictions.parquet").with_columns(pl.lit("dead").alias("label")) \
        .write_parquet(run_dir / "predictions.parquet")
    with pytest.raises(duckdb.ConversionException):
        load_run_into_warehouse(run_dir, db)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from model_predictions").fetchone()[0] == 8
    assert con.execute("select count(*) from model_metrics").fetchone()[0] == 6
    con.close()


def test_predictions_without_required_columns_name_the_file(tmp_path):
    db = _warehouse(tmp_path / "warehouse.duckdb")
    run_dir = _run_dir(tmp_path)
    pl.read_parquet(run_dir / "predictions.parquet").drop("probability").write_parquet(run_dir / "predictions.parquet")
    with pytest.raises(ValueError, match=r"predictions\.parquet lacks columns \['probability'\]"):
        load_run_into_warehouse(run_dir, db)


def test_missing_warehouse_warns_and_creates_nothing(tmp_path):
    run_dir = _run_dir(tmp_path)
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    with pytest.warns(UserWarning, match="not found"):
        assert load_run_into_warehouse(run_dir, missing) is None
    assert not missing.exists()


def test_locked_warehouse_warns_instead_of_failing(tmp_path):
    db = _warehouse(tmp_path / "warehouse.duckdb")
    run_dir = _run_dir(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)",
         str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert load_run_into_warehouse(run_dir, db) is None
        assert any("could not be opened" in str(w.message) for w in caught)
    finally:
        holder.kill()
        holder.wait()
