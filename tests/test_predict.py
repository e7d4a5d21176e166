"""pipelines/predict.py serves every model a run saved, in the format the output's extension names,
defaults to the run's own marts and to the model the run chose on its validation split."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipelines import predict as predict_cli  # noqa: E402

pytestmark = pytest.mark.slow

COLUMNS = ["stay_id", "model", "run_id", "probability", "threshold", "predicted_label"]
EVERY_MODEL = ["teacher_untrained", "teacher_probe", "full", "no_kd", "no_mt", "no_mae", "lstm", "logreg",
               "gbm_summary", "logreg_summary", "score_sofa_first_day", "score_sapsii", "score_lods", "score_oasis",
               "ensemble_summary", "ensemble_all"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_model_of_a_run_scores_as_in_training(small_run, tmp_path, suffix):
    run_dir, _ = small_run
    config = json.loads((run_dir / "config.json").read_text())
    saved = pl.read_parquet(run_dir / "predictions.parquet")
    assert sorted(config["thresholds"]) == sorted(EVERY_MODEL)
    for model in EVERY_MODEL:
        out = tmp_path / f"{model}{suffix}"
        # no --marts: the marts the run was trained on (config.json marts_dir)
        assert predict_cli.main(["--run", str(run_dir), "--output", str(out), "--model", model]) == 0, model
        if suffix == ".parquet":
            assert out.read_bytes()[:4] == b"PAR1"  # real Parquet, not CSV text
            scored = pl.read_parquet(out)
        else:
            scored = pl.read_csv(out)
        assert scored.columns == COLUMNS and scored.height == 240, model
        assert set(scored["model"]) == {model} and set(scored["run_id"]) == {config["run_id"]}
        assert scored["threshold"].n_unique() == 1
        assert (scored["predicted_label"] == (scored["probability"] >= scored["threshold"]).cast(pl.Int64)).all()
        # the recalibrated probabilities the run itself computed, every split (train, val, test)
        joined = saved.filter(model=model).join(scored, on="stay_id", suffix="_predict")
        assert joined.height == 240, model
        np.testing.assert_allclose(joined["probability_predict"], joined["probability_recal"], rtol=1e-6, atol=1e-6,
                                   err_msg=model)


def test_raw_serves_the_models_own_probability_and_the_same_decisions(small_run, tmp_path):
    run_dir, _ = small_run
    config = json.loads((run_dir / "config.json").read_text())
    saved = pl.read_parquet(run_dir / "predictions.parquet").filter(model="full")
    raw, recal = tmp_path / "raw.parquet", tmp_path / "recal.parquet"
    assert predict_cli.main(["--run", str(run_dir), "--output", str(raw), "--model", "full", "--raw"]) == 0
    assert predict_cli.main(["--run", str(run_dir), "--output", str(recal), "--model", "full"]) == 0
    raw, recal = pl.read_parquet(raw), pl.read_parquet(recal)
    assert raw["threshold"].to_list() == pytest.approx([config["thresholds"]["full"]] * 240)
    np.testing.assert_allclose(raw.join(saved, on="stay_id")["probability_right"],
                               raw.join(saved, on="stay_id")["probability"], rtol=1e-6, atol=1e-6)
    assert raw["predicted_label"].to_list() == recal["predicted_label"].to_list()
    assert not np.allclose(raw["probability"], recal["probability"])


def test_without_model_the_runs_validation_choice_is_served_and_named(small_run, tmp_path):
    run_dir, _ = small_run
    selection = json.loads((run_dir / "config.json").read_text())["selection"]
    out = tmp_path / "preds.parquet"
    proc = subprocess.run([sys.executable, str(REPO / "pipelines" / "predict.py"), "--run", str(run_dir),
                           "--output", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"model {selection['model']}: the run's choice on the validation split" in proc.stderr
    assert set(pl.read_parquet(out)["model"]) == {selection["model"]}
    best = max(selection["validation_auroc"].values())
    assert selection["validation_auroc"][selection["model"]] == best


def test_an_unknown_model_lists_the_valid_names(small_run, tmp_path, capsys):
    run_dir, _ = small_run
    assert predict_cli.main(["--run", str(run_dir), "--output", str(tmp_path / "p.csv"), "--model", "ful"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--model ful: not a model of run" in lines[0]
    assert lines[0].endswith("valid: " + ", ".join(EVERY_MODEL))


@pytest.mark.parametrize("name", ["preds.txt", "preds.json", "preds"])
def test_an_output_format_other_than_csv_or_parquet_is_refused(small_run, tmp_path, capsys, name):
    run_dir, _ = small_run
    assert predict_cli.main(["--run", str(run_dir), "--output", str(tmp_path / name)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and f"{tmp_path / name}: output format" in lines[0]
    assert list(tmp_path.iterdir()) == []
