"""End to end on real PhysioNet 2012 records: ingest 300 records of set a (extracted into tmp from the
shared archive), dbt build, train a quick configuration from the metadata marts, then score raw
records without outcomes with pipelines/predict.py --input."""
from __future__ import annotations

import csv
import json
import sys
import tarfile
from pathlib import Path

import polars as pl
import pytest
from conftest import PHYSIONET2012_DIR, REPO, run_dbt

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from models_py.config import load_config  # noqa: E402
from models_py.experiment import run_experiment  # noqa: E402
from models_py.predict import score_stays  # noqa: E402
from physionet2012 import ingest  # noqa: E402

pytestmark = pytest.mark.slow

N_RECORDS = 300
QUICK = ["threads=1", "mae.epochs=2", "teacher.epochs=2", "student.epochs=2", "eval.bootstrap_resamples=30",
         "eval.shap_stays=20", "eval.shap_background=10", "model.d_model=16", "model.ffn_dim=32",
         "model.n_heads=2", "model.n_layers=1", "data.time_since_observed=true"]


@pytest.fixture(scope="module")
def p12_records(tmp_path_factory) -> Path:
    """set-a/ with the first 300 records by id and their outcomes."""
    archive_path = PHYSIONET2012_DIR / "set-a.tar.gz"
    if not archive_path.exists():
        pytest.skip(f"PhysioNet 2012 set a not found at {archive_path} (read in place from ../shared/data)")
    root = tmp_path_factory.mktemp("p12_records")
    with tarfile.open(archive_path, "r:gz") as archive:
        members = {Path(m.name).stem: m for m in archive.getmembers() if m.name.endswith(".txt")}
        keep = sorted(members, key=int)[:N_RECORDS]
        (root / "set-a").mkdir()
        for record_id in keep:
            (root / "set-a" / f"{record_id}.txt").write_bytes(archive.extractfile(members[record_id]).read())
    lines = (PHYSIONET2012_DIR / "Outcomes-a.txt").read_text().splitlines()
    kept = set(keep)
    outcomes = [lines[0], *(line for line in lines[1:] if line.split(",")[0] in kept)]
    (root / "Outcomes-a.txt").write_text("\n".join(outcomes) + "\n")
    return root


@pytest.fixture(scope="module")
def p12_run(p12_records, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("p12_data")
    raw_dir = data_dir / "raw" / "physionet2012"
    ingest(p12_records, raw_dir)
    run_dbt(["build", "--vars", json.dumps({"source": "physionet2012", "p12_raw_dir": str(raw_dir)})],
            mimic_iv_dir=data_dir / "no_mimic", data_dir=data_dir)
    cfg = load_config(None, QUICK).with_run(marts=data_dir / "marts", out=data_dir / "runs", ablations=True,
                                            shap=False)
    run_dir = run_experiment(cfg, progress=False)
    return data_dir, run_dir


def test_trains_from_the_metadata_marts(p12_run):
    data_dir, run_dir = p12_run
    config = json.loads((run_dir / "config.json").read_text())
    assert config["label"] == "in_hospital_mortality"
    assert config["config"]["data"]["score_columns"] == ["saps_i", "sofa"]
    assert config["series_file"] == "hourly_measurements.parquet" and len(config["channels"]) == 37
    masked = [c for c in config["input_channels"] if c.endswith("__observed")]
    assert len(masked) == 36 and "mech_vent_flag__observed" not in masked  # zero-filled: no mask
    assert len(config["input_channels"]) == 37 + 2 * 36  # + hours-since-observed channels
    pre = json.loads((run_dir / "checkpoints" / "preprocess.json").read_text())
    assert pre["fill_policy"][pre["channels"].index("heart_rate_bpm")] == "locf_then_train_median"
    assert 40 < pre["fill_median"][pre["channels"].index("heart_rate_bpm")] < 140
    metrics = json.loads((run_dir / "metrics.json").read_text())["models"]
    assert {"full", "gbm_summary", "logreg_summary", "score_saps_i", "score_sofa", "lstm"} <= set(metrics)
    for name in ("full", "gbm_summary"):
        auroc = metrics[name]["auroc"]
        assert 0 <= auroc["ci_low"] <= auroc["value"] <= auroc["ci_high"] <= 1
    assert "gbm_summary" in (run_dir / "report.md").read_text()
    assert (run_dir / "checkpoints" / "gbm_summary.safetensors").stat().st_size > 0


def test_predict_scores_raw_records_without_outcomes(p12_run, p12_records, tmp_path, capsys):
    _, run_dir = p12_run
    folder = tmp_path / "new_records"
    folder.mkdir()
    record_files = sorted((p12_records / "set-a").glob("*.txt"))[:15]
    for path in record_files:
        (folder / path.name).write_bytes(path.read_bytes())
    # as records come: a README, a 0-byte record and a line with an empty parameter name (counted, skipped)
    (folder / "README").write_text("new records\n")
    (folder / "999999.txt").write_bytes(b"")
    last = folder / record_files[-1].name
    last.write_text(last.read_text().rstrip("\n") + "\n06:32,,2.7\n")
    output = tmp_path / "preds.csv"
    from pipelines import predict

    assert predict.main(["--run", str(run_dir), "--input", str(folder), "--output", str(output),
                         "--model", "full"]) == 0
    stderr = capsys.readouterr().err
    assert "skipped: 1 file_empty, 1 line_empty_parameter, 1 member_not_txt" in stderr
    assert "data_quality: " in stderr and "line_empty_parameter 1 (1 records)" in stderr
    assert str(tmp_path) not in stderr.replace(str(folder), "")  # no temporary path shown
    rows = list(csv.DictReader(output.open()))
    assert list(rows[0]) == ["record_id", "model", "run_id", "probability", "threshold", "predicted_label"]
    assert {int(r["record_id"]) for r in rows} == {int(p.stem) for p in record_files}
    assert all(0 <= float(r["probability"]) <= 1 for r in rows)
    assert all(int(r["predicted_label"]) == (float(r["probability"]) >= float(r["threshold"])) for r in rows)
    # --strict: the empty-parameter line stops the batch, naming file and line
    assert predict.main(["--run", str(run_dir), "--input", str(folder), "--output", str(tmp_path / "strict.csv"),
                         "--model", "full", "--strict"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and f"{last}: line" in error[0] and "expected a parameter name" in error[0]
    assert not (tmp_path / "strict.csv").exists()
    # the same records scored from the training marts get the same probabilities once their severity
    # scores (from Outcomes-a.txt, absent for new records) are missing there too: same ingest, marts
    # and fitted preprocessing on both paths
    marts = tmp_path / "marts_without_scores"
    marts.mkdir()
    for path in (run_dir.parents[1] / "marts").glob("*.parquet"):
        frame = pl.read_parquet(path)
        if path.name == "severity_scores.parquet":
            frame = frame.with_columns(pl.lit(None, dtype=pl.Int32).alias(c) for c in ("sofa", "saps_i"))
        frame.write_parquet(marts / path.name)
    scored = score_stays(run_dir, marts, "full")
    same = dict(zip(scored["record_id"].to_list(), scored["probability"].to_list()))
    for r in rows:
        assert float(r["probability"]) == pytest.approx(same[int(r["record_id"])], abs=1e-5)
    # a missing input is a one-line error
    assert predict.main(["--run", str(run_dir), "--input", str(tmp_path / "absent"), "--output", str(output)]) == 2
