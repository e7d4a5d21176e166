"""End to end on real PhysioNet 2012 data: ingest 200 records of set a (extracted into tmp from the
shared archive), `dbt build --vars '{source: physionet2012}'`, and check the marts against the
contract and against the raw files."""
from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

import duckdb
import pytest
from conftest import PHYSIONET2012_DIR, REPO, run_dbt, undocumented_mart_columns

if str(REPO) not in sys.path:  # importable once pyproject lists the package
    sys.path.insert(0, str(REPO))

from physionet2012 import ingest  # noqa: E402

pytestmark = pytest.mark.slow

N_RECORDS = 200
DESCRIPTORS_ONLY_A = {140501, 140936, 141264}  # NOTE.md of the shared data


@pytest.fixture(scope="module")
def p12_subset(tmp_path_factory) -> Path:
    """set-a/ with the first 200 records by id plus the three descriptors-only records, and their outcomes;
    as archives come in the wild, also a README, a 0-byte record and a line with an empty parameter name
    (skipped by the ingest and counted in data_quality)."""
    archive_path = PHYSIONET2012_DIR / "set-a.tar.gz"
    if not archive_path.exists():
        pytest.skip(f"PhysioNet 2012 set a not found at {archive_path} (read in place from ../shared/data)")
    root = tmp_path_factory.mktemp("p12_subset")
    with tarfile.open(archive_path, "r:gz") as archive:
        members = {Path(m.name).stem: m for m in archive.getmembers() if m.name.endswith(".txt")}
        keep = sorted(members, key=int)[:N_RECORDS - len(DESCRIPTORS_ONLY_A)] + [str(r) for r in DESCRIPTORS_ONLY_A]
        for record_id in keep:
            target = root / "set-a" / f"{record_id}.txt"
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(archive.extractfile(members[record_id]).read())
    (root / "set-a" / "README").write_text("PhysioNet 2012 challenge, set a\n")
    (root / "set-a" / "999999.txt").write_bytes(b"")
    last = root / "set-a" / f"{max(int(r) for r in keep if int(r) not in DESCRIPTORS_ONLY_A)}.txt"
    last.write_text(last.read_text().rstrip("\n") + "\n06:32,,2.7\n")
    outcome_lines = (PHYSIONET2012_DIR / "Outcomes-a.txt").read_text().splitlines()
    kept = set(keep)
    (root / "Outcomes-a.txt").write_text(
        "\n".join([outcome_lines[0], *(o for o in outcome_lines[1:] if o.split(",")[0] in kept)]) + "\n")
    return root


@pytest.fixture(scope="module")
def built(p12_subset, tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("p12_data")
    raw_dir = data_dir / "raw" / "physionet2012"
    result = ingest(p12_subset, raw_dir)
    assert result.n_records == N_RECORDS
    vars_ = json.dumps({"source": "physionet2012", "p12_raw_dir": str(raw_dir)})
    proc = run_dbt(["build", "--vars", vars_], mimic_iv_dir=data_dir / "no_mimic", data_dir=data_dir)
    run_results = json.loads((data_dir / "dbt_target" / "run_results.json").read_text())
    executed = [r["unique_id"] for r in run_results["results"]]
    assert not [u for u in executed if "mimic" in u], "a PhysioNet 2012 build must not touch MIMIC models"
    assert "PASS=" in proc.stdout and "ERROR=0" in proc.stdout
    return data_dir


def mart(data_dir: Path, name: str) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(f"select * from read_parquet('{data_dir / 'marts' / (name + '.parquet')}')")


def schema(data_dir: Path, name: str) -> dict[str, str]:
    relation = mart(data_dir, name)
    return dict(zip(relation.columns, (str(t) for t in relation.types)))


def test_cohort_contract_and_labels_match_outcomes(built, p12_subset):
    assert schema(built, "cohort") == {
        "stay_id": "BIGINT", "subject_id": "BIGINT", "set_name": "VARCHAR", "in_hospital_mortality": "INTEGER",
        "length_of_stay_days": "INTEGER", "survival_days": "INTEGER"}
    cohort = {r[0]: r for r in mart(built, "cohort").fetchall()}
    assert len(cohort) == N_RECORDS - len(DESCRIPTORS_ONLY_A)
    assert not DESCRIPTORS_ONLY_A & set(cohort)
    for line in (p12_subset / "Outcomes-a.txt").read_text().splitlines()[1:]:
        record_id, _, _, los, _, death = (int(x) for x in line.split(","))
        if record_id in cohort:
            assert cohort[record_id][3] == death
            assert cohort[record_id][4] == (None if los == -1 else los)


def test_attrition_counts_descriptors_only_records(built):
    rows = mart(built, "cohort_attrition").fetchall()
    assert [(r[1], r[3], r[5]) for r in rows] == [
        ("all_records", 200, 0), ("has_outcome", 200, 0), ("has_timeseries", 197, 3),
        ("mortality_label_known", 197, 0)]
    quality = dict(mart(built, "data_quality").select("rule, n_rows").fetchall())
    assert quality["descriptors_only"] == 3
    assert quality["missing_marker"] > 0 and quality["unknown_parameter"] == 0


def test_data_quality_counts_what_the_ingest_skipped(built):
    quality = {r[0]: r[1:] for r in mart(built, "data_quality").select("rule, category, n_rows, n_stays").fetchall()}
    assert quality["line_empty_parameter"] == ("line", 1, 1)
    assert quality["file_empty"] == ("file", 1, 1)       # 999999.txt: the id comes from the file name
    assert quality["member_not_txt"] == ("file", 1, 0)   # the README belongs to no record
    assert quality["line_bad_value"] == ("line", 0, 0)   # every rule is listed, 0 where nothing was skipped


def test_hourly_measurements_follow_series_channels(built):
    channels = mart(built, "series_channels").order("channel_order").fetchall()
    names = [r[1] for r in channels]
    assert len(names) == 37 and {"heart_rate_bpm", "map_mmhg", "temp_c", "weight_kg"} <= set(names)
    columns = schema(built, "hourly_measurements")
    assert list(columns) == ["stay_id", "hr", *names]
    assert all(columns[n] == "DOUBLE" for n in names)
    per_stay = mart(built, "hourly_measurements").aggregate(
        "stay_id, count(*) as n, min(hr) as lo, max(hr) as hi", "stay_id").fetchall()
    assert len(per_stay) == 197 and all(r[1:] == (48, 0, 47) for r in per_stay)
    meta = schema(built, "series_channels")
    assert {"mart", "channel", "unit", "fill_policy", "observation_mask"} <= set(meta)
    assert meta["observation_mask"] == "BOOLEAN"


def test_hourly_mean_reconciles_with_raw_file(built, p12_subset):
    """Heart rate per hour recomputed in Python from one raw file equals the mart."""
    stay_id = mart(built, "cohort").order("stay_id").fetchone()[0]
    sums: dict[int, list[float]] = {}
    for line in (p12_subset / "set-a" / f"{stay_id}.txt").read_text().splitlines()[1:]:
        time, parameter, value = line.split(",")
        hours, minutes = (int(x) for x in time.split(":"))
        if parameter == "HR" and float(value) != -1 and hours * 60 + minutes <= 48 * 60:
            sums.setdefault(min(hours, 47), []).append(float(value))
    expected = {hr: sum(v) / len(v) for hr, v in sums.items() if 1 <= sum(v) / len(v) <= 300}
    got = {hr: v for hr, v in mart(built, "hourly_measurements")
           .filter(f"stay_id = {stay_id}").select("hr, heart_rate_bpm").fetchall() if v is not None}
    assert expected and got == pytest.approx(expected)


def test_static_features_severity_and_targets_contract(built):
    assert schema(built, "static_features") == {
        "stay_id": "BIGINT", "age": "DOUBLE", "gender": "VARCHAR", "height_cm": "DOUBLE",
        "weight_kg": "DOUBLE", "icu_type": "VARCHAR"}
    assert schema(built, "severity_scores") == {"stay_id": "BIGINT", "sofa": "INTEGER", "saps_i": "INTEGER"}
    assert mart(built, "static_features").count("*").fetchone()[0] == 197
    targets = mart(built, "model_targets").select("target, mart, kind, role, static_input").fetchall()
    assert sorted(targets) == [
        ("in_hospital_mortality", "cohort", "binary", "primary", False),
        ("saps_i", "severity_scores", "regression", "auxiliary", True),
        ("sofa", "severity_scores", "regression", "auxiliary", True)]
    for target, mart_name, *_ in targets:  # every target names a column of its mart
        assert target in schema(built, mart_name)


def test_every_mart_column_carries_its_description_as_a_comment(built):
    undocumented = undocumented_mart_columns(built)
    assert not undocumented, f"mart columns without a description (add it to _p12__marts.yml): {undocumented}"


def test_contract_mart_names_the_p12_label_and_series(built):
    entries = {(s, n): v for s, n, v in mart(built, "contract").select("section, name, value").fetchall()}
    assert entries[("source", "source")] == "physionet2012"
    assert entries[("primary_label", "in_hospital_mortality")] == "in-hospital death (PhysioNet 2012 outcome)"
    assert entries[("series", "mart")] == "hourly_measurements"
    assert entries[("hours", "vis_window_hours")] == "48"
