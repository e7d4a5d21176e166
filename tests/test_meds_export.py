"""MEDS export: labels and predictions validate against the meds package's schemas."""
from datetime import timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from meds import LabelSchema

from models_py.meds_export import label_table, prediction_table, write_parquet

TIMES = np.array(["2150-01-03T02:00", "2151-06-01T10:30", "2149-12-31T23:00"], dtype="datetime64[m]")


def test_labels_validate_and_round_trip(tmp_path):
    table = label_table([10, 11, 12], TIMES, [0, 1, 0])
    path = tmp_path / "labels" / "cohort.parquet"
    write_parquet(table, path)
    read = pq.read_table(path)
    LabelSchema.validate(read)
    assert read.schema.field("prediction_time").type == pa.timestamp("us")
    assert read.column("boolean_value").to_pylist() == [False, True, False]
    assert [p.name for p in path.parent.iterdir()] == ["cohort.parquet"]  # no temp file left


def test_predictions_carry_label_probability_and_decision():
    table = prediction_table([10, 11, 12], TIMES, [0, 1, 0], [0.2, 0.7, 0.5], threshold=0.5)
    LabelSchema.validate(table.select(["subject_id", "prediction_time", "boolean_value"]))
    assert table.column("predicted_boolean_value").to_pylist() == [False, True, True]
    assert table.column("predicted_boolean_probability").to_pylist() == [0.2, 0.7, 0.5]


def test_a_missing_label_is_refused():
    with pytest.raises(ValueError, match="1 stays have no label"):
        label_table([1, 2], TIMES[:2], [0, float("nan")])


def test_the_schema_check_is_real():
    bad = pa.table({"subject_id": pa.array(["a"]), "prediction_time": pa.array(TIMES[:1].astype("datetime64[us]")),
                    "boolean_value": pa.array([True])})
    with pytest.raises(Exception, match=r"subject_id \(want int64, got string\)"):
        LabelSchema.validate(bad)


def test_cohort_and_run_export_from_marts(tmp_path):
    import polars as pl

    from models_py.meds_export import cohort_labels, run_predictions
    from models_py.synthetic_marts import write_marts
    marts = write_marts(tmp_path / "marts", n_stays=40)
    cohort = pl.read_parquet(marts / "cohort.parquet")
    labels = cohort_labels(marts, "icu_mortality", 48, "intime")
    LabelSchema.validate(labels)
    assert labels.num_rows == cohort.height
    first = cohort.sort("stay_id").row(0, named=True)
    assert labels.column("prediction_time")[0].as_py() == first["intime"] + timedelta(hours=48)
    predictions = pl.DataFrame({"stay_id": cohort["stay_id"][:10], "split": "test", "model": "full",
                                "probability": [0.1 * i for i in range(10)], "seed": 0})
    table = run_predictions(marts, predictions, "full", 0.45, "icu_mortality", 48, "intime")
    assert table.num_rows == 10
    assert sum(table.column("predicted_boolean_value").to_pylist()) == 5
    with pytest.raises(ValueError, match="no rows for model 'lstm'"):
        run_predictions(marts, predictions, "lstm", 0.5, "icu_mortality", 48, "intime")
    with pytest.raises(ValueError, match="no column admittime"):
        cohort_labels(marts, "icu_mortality", 48, "admittime")


def test_export_command_writes_valid_labels_and_run_predictions(small_run, tmp_path):
    from pipelines import export_meds
    run_dir, _ = small_run
    out = tmp_path / "meds"
    assert export_meds.main(["--run", str(run_dir), "--out", str(out), "--model", "full"]) == 0
    labels, preds = pq.read_table(out / "labels.parquet"), pq.read_table(out / "predictions.parquet")
    LabelSchema.validate(labels)
    LabelSchema.validate(preds.select(["subject_id", "prediction_time", "boolean_value"]))
    assert labels.num_rows == 240
    saved = pl.read_parquet(run_dir / "predictions.parquet").filter(model="full", split="test", seed=0)
    assert preds.num_rows == saved.height
    assert sorted(preds.column("predicted_boolean_probability").to_pylist()) == \
        pytest.approx(sorted(saved["probability_recal"].to_list()))


def test_export_refuses_marts_without_a_window_start(tmp_path, capsys):
    from pipelines import export_meds
    marts = tmp_path / "marts"
    marts.mkdir()
    pl.DataFrame({"stay_id": [1], "subject_id": [1], "icu_mortality": [0]}).write_parquet(marts / "cohort.parquet")
    assert export_meds.main(["--marts", str(marts), "--out", str(tmp_path / "o")]) == 2
    assert "no column intime" in capsys.readouterr().err
