"""Table 1 and the cohort flow diagram, computed in SQL over the marts, agree with hand counts."""
import numpy as np
import polars as pl
import pytest

from models_py.cohort_tables import cohort_flow_figure, read_attrition, table1, table1_markdown
from models_py.synthetic_marts import write_marts, write_metadata


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    folder = write_marts(tmp_path_factory.mktemp("marts"), n_stays=200, seed=3)
    write_metadata(folder)
    pl.DataFrame({"step_order": [1, 2, 3], "step": ["icu_stays", "adults", "sepsis3"],
                  "n_stays": [500, 420, 200], "n_excluded": [0, 80, 220]},
                 ).write_parquet(folder / "cohort_attrition.parquet")
    return folder


def test_table1_counts_and_medians_match_polars(marts):
    table = table1(marts, "icu_mortality")
    cohort = pl.read_parquet(marts / "cohort.parquet")
    static = pl.read_parquet(marts / "static_features.parquet").join(cohort, on="stay_id")
    n = table.filter(pl.col("variable") == "n").row(0, named=True)
    assert int(n["overall"]) == cohort.height
    assert int(n["icu_mortality=1"]) == int(cohort["icu_mortality"].sum())
    age = table.filter(pl.col("variable") == "age").row(0, named=True)
    died = static.filter(pl.col("icu_mortality") == 1)["age"]
    assert age["icu_mortality=1"].startswith(f"{died.median():.1f} [")
    gender = table.filter(pl.col("variable") == "gender")
    for row in gender.iter_rows(named=True):
        expected = int((static["gender"] == row["level"]).sum())
        assert row["overall"].startswith(f"{expected} (")
    # series channels are summarised per stay
    assert table.filter(pl.col("variable").str.starts_with("mean_")).height > 0
    assert table1_markdown(table).count("\n") == table.height + 2


def test_missing_values_are_counted(marts, tmp_path):
    static = pl.read_parquet(marts / "static_features.parquet")
    static = static.with_columns(age=pl.when(pl.int_range(pl.len()) < 7).then(None).otherwise(pl.col("age")))
    for name in ("cohort", "severity_scores", "vis_hourly", "series_channels"):
        (tmp_path / f"{name}.parquet").write_bytes((marts / f"{name}.parquet").read_bytes())
    static.write_parquet(tmp_path / "static_features.parquet")
    row = table1(tmp_path, "icu_mortality").filter(pl.col("variable") == "age").row(0, named=True)
    assert row["missing"] == static["age"].null_count() >= 7


def test_flow_figure_is_written(marts, tmp_path):
    attrition = read_attrition(marts)
    assert attrition["step"].to_list() == ["icu_stays", "adults", "sepsis3"]
    out = tmp_path / "cohort_flow.png"
    cohort_flow_figure(attrition, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.diff(attrition["n_stays"].to_numpy()).max() <= 0
