"""The dbt warehouse end to end: real demo build, the Parquet contract, empty input, bad input, synthetic data.

Every test runs the real dbt CLI (tests/conftest.py::run_dbt) into its own tmp data dir.
"""
from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from conftest import DBT_PROJECT, REPO, run_dbt, undocumented_mart_columns

CONTRACT_MARTS = ("cohort", "vis_hourly", "static_features", "severity_scores")
ALL_MARTS = CONTRACT_MARTS + ("icu_stays", "cohort_attrition", "data_quality")
VIS_COLUMNS = [
    "stay_id", "hr", "dopamine_mcg_kg_min", "dobutamine_mcg_kg_min", "epinephrine_mcg_kg_min",
    "norepinephrine_mcg_kg_min", "milrinone_mcg_kg_min", "vasopressin_units_kg_min", "vis",
]
STATIC_COLUMNS = ["stay_id", "gender", "age", "insurance", "marital_status", "race"]
VIS_WEIGHTS = {"dopamine": 1, "dobutamine": 1, "epinephrine": 100, "norepinephrine": 100,
               "milrinone": 10, "vasopressin": 10000}


def mart(data_dir: Path, name: str):
    return pq.read_table(data_dir / "marts" / f"{name}.parquet")


def assert_contract_schema(data_dir: Path) -> None:
    """The modeling layer's contract: file names, key, exact vis/static columns, integer label."""
    for name in ALL_MARTS:
        assert (data_dir / "marts" / f"{name}.parquet").exists(), f"missing mart {name}.parquet"
    vis = mart(data_dir, "vis_hourly")
    assert vis.column_names == VIS_COLUMNS
    for column in VIS_COLUMNS[2:]:
        assert str(vis.schema.field(column).type) == "double", column
    static = mart(data_dir, "static_features")
    assert static.column_names == STATIC_COLUMNS
    assert str(static.schema.field("age").type) == "double"
    for column in ("gender", "insurance", "marital_status", "race"):
        assert str(static.schema.field(column).type) == "string", column
    cohort = mart(data_dir, "cohort")
    assert str(cohort.schema.field("icu_mortality").type) == "int32"
    for column in ("stay_id", "subject_id", "hadm_id", "intime", "outtime", "hospital_mortality",
                   "mortality_28d", "first_careunit", "anchor_year_group", "first_vis_starttime"):
        assert column in cohort.column_names, column
    scores = mart(data_dir, "severity_scores")
    for column in ("stay_id", "sofa_first_day", "sapsii", "lods", "oasis"):
        assert column in scores.column_names, column


# --------------------------------------------------------------------------------------------
# real demo (MIMIC-IV demo v2.2)

@pytest.fixture(scope="module")
def demo_build(demo_dir, tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("wh_demo")
    run_dbt(["build"], demo_dir, data_dir)
    return data_dir


def test_demo_build_writes_contract_marts(demo_build):
    assert_contract_schema(demo_build)
    cohort = mart(demo_build, "cohort").to_pylist()
    assert 5 <= len(cohort) <= 60, f"demo cohort of {len(cohort)} stays is implausible (140 ICU stays)"
    assert len({row["subject_id"] for row in cohort}) == len(cohort), "one stay per patient"
    vis = mart(demo_build, "vis_hourly").to_pylist()
    assert len(vis) == 48 * len(cohort)
    assert {row["stay_id"] for row in vis} == {row["stay_id"] for row in cohort}
    static = mart(demo_build, "static_features").to_pylist()
    assert sorted(r["stay_id"] for r in static) == sorted(r["stay_id"] for r in cohort)
    assert all(r["age"] >= 18 for r in static)


def test_demo_attrition_is_consistent(demo_build):
    attrition = mart(demo_build, "cohort_attrition").to_pylist()
    assert [r["step_order"] for r in attrition] == list(range(1, 10))
    assert attrition[0]["n_stays"] == 140 and attrition[0]["n_patients"] == 100
    n = [r["n_stays"] for r in attrition]
    assert all(a >= b for a, b in zip(n, n[1:]))
    assert n[-1] == mart(demo_build, "cohort").num_rows
    icu = mart(demo_build, "icu_stays").to_pylist()
    assert len(icu) == 140
    for step in attrition[1:]:
        assert step["n_excluded"] == sum(1 for r in icu if r["exclusion_step"] == step["step"]), step["step"]


def test_demo_icu_mortality_matches_deathtime_window(demo_build, demo_dir):
    """Labels re-derived in Python from the raw CSVs (deathtime within [intime, outtime])."""
    con = duckdb.connect()
    expected = dict(con.sql(f"""
        select i.stay_id, (a.deathtime between i.intime and i.outtime)::int
        from read_csv('{demo_dir}/icu/icustays.csv.gz') i
        join read_csv('{demo_dir}/hosp/admissions.csv.gz') a using (hadm_id)
    """).fetchall())
    icu = {r["stay_id"]: r["icu_mortality"] for r in mart(demo_build, "icu_stays").to_pylist()}
    assert icu == {k: (v or 0) for k, v in expected.items()}
    assert sum(icu.values()) == 12  # mimic-iv-concepts.md §7: 12 demo stays die within [intime, outtime]


def test_demo_vis_hourly_matches_bruteforce(demo_build, demo_dir):
    """Recompute the hourly time-weighted means minute by minute in Python from raw inputevents."""
    cohort = {r["stay_id"]: r["intime"] for r in mart(demo_build, "cohort").to_pylist()}
    con = duckdb.connect()
    rows = con.sql(f"""
        select stay_id, itemid, starttime, endtime, rate, rateuom, patientweight
        from read_csv('{demo_dir}/icu/inputevents.csv.gz')
        where itemid in (221662, 221653, 221289, 221906, 221986, 222315)
    """).fetchall()
    agents = {221662: "dopamine", 221653: "dobutamine", 221289: "epinephrine",
              221906: "norepinephrine", 221986: "milrinone", 222315: "vasopressin"}
    limits = {"dopamine": 50, "dobutamine": 40, "epinephrine": 5, "norepinephrine": 5,
              "milrinone": 1.5, "vasopressin": 0.004}
    expected: dict[tuple[int, int], float] = {}
    for stay_id, itemid, start, end, rate, rateuom, weight in rows:
        if stay_id not in cohort or rate is None or end <= start:
            continue
        agent = agents[itemid]
        assert rateuom == ("units/hour" if agent == "vasopressin" else "mcg/kg/min")  # demo fact
        value = rate / 60 / weight if agent == "vasopressin" else rate
        if value > limits[agent] or value < 0:
            continue
        intime = cohort[stay_id]
        for hr in range(48):
            lo, hi = intime + timedelta(hours=hr), intime + timedelta(hours=hr + 1)
            seconds = (min(end, hi) - max(start, lo)).total_seconds()
            if seconds > 0:
                key = (stay_id, hr)
                expected[key] = expected.get(key, 0.0) + VIS_WEIGHTS[agent] * value * seconds / 3600
    got = {(r["stay_id"], r["hr"]): r["vis"] for r in mart(demo_build, "vis_hourly").to_pylist()}
    assert len(got) == 48 * len(cohort)
    for key, vis in got.items():
        assert vis == pytest.approx(expected.get(key, 0.0), rel=1e-9, abs=1e-9), key
    assert sum(v > 0 for v in got.values()) > 100


def test_demo_warehouse_views_query_from_another_directory(demo_build, tmp_path):
    """The marts are views over absolute Parquet paths: querying the .duckdb from elsewhere works."""
    script = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.sql('select count(*) from vis_hourly').fetchone()[0], "
        "con.sql('select count(*) from cohort').fetchone()[0])"
    )
    out = subprocess.run([sys.executable, "-c", script, str(demo_build / "warehouse.duckdb")],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) == 48 * int(out[1]) and int(out[1]) > 0


def test_demo_data_quality_counts_every_rule(demo_build):
    rows = {r["rule"]: r for r in mart(demo_build, "data_quality").to_pylist()}
    assert rows["implausible_rate"]["n_rows"] == 2  # two norepinephrine rows at 7.56 mcg/kg/min
    assert rows["vasopressin_units_hour"]["n_rows"] == 55
    assert rows["norepinephrine_mcg_kg_min"]["n_rows"] == 947
    assert rows["missing_weight"]["n_rows"] == 0


def test_demo_physiology_hourly_heart_rate_matches_plain_sql(demo_build, demo_dir):
    """physiology_hourly: 48 rows per cohort stay, and heart rate = a plain SQL hourly mean of raw
    chartevents 220045 (hour h = [intime + h h, intime + (h + 1) h), P12 range 1-300 bpm)."""
    cohort = mart(demo_build, "cohort").to_pylist()
    physiology = mart(demo_build, "physiology_hourly")
    p12_channels = [r["channel"] for r in sorted(
        (r for r in mart(demo_build, "series_channels").to_pylist() if r["channel_set"] == "physiology"),
        key=lambda r: r["channel_order"])]
    assert physiology.column_names == ["stay_id", "hr", *p12_channels]
    assert len(p12_channels) == 37 and "heart_rate_bpm" in p12_channels and "mech_vent_flag" in p12_channels
    rows = physiology.to_pylist()
    assert len(rows) == 48 * len(cohort)
    assert {(r["stay_id"], r["hr"]) for r in rows} == {(c["stay_id"], h) for c in cohort for h in range(48)}
    expected = dict(((stay_id, hr), mean) for stay_id, hr, mean in duckdb.connect().sql(f"""
        select c.stay_id, (epoch_us(e.charttime) - epoch_us(c.intime)) // 3600000000 as hr, avg(e.valuenum)
        from read_csv('{demo_dir}/icu/chartevents.csv.gz', types = {{'value': 'VARCHAR'}}) as e
        join read_parquet('{demo_build}/marts/cohort.parquet') as c using (stay_id)
        where e.itemid = 220045 and e.valuenum between 1 and 300
            and e.charttime >= c.intime and e.charttime < c.intime + interval 48 hour
        group by all""").fetchall())
    got = {(r["stay_id"], r["hr"]): r["heart_rate_bpm"] for r in rows if r["heart_rate_bpm"] is not None}
    assert len(got) > 500
    assert got.keys() == expected.keys()
    for key, value in got.items():
        assert value == pytest.approx(expected[key], rel=1e-12), key


def test_demo_series_channels_declare_vis_default_and_physiology(demo_build):
    rows = mart(demo_build, "series_channels").to_pylist()
    sets = {}
    for r in rows:
        sets.setdefault(r["channel_set"], set()).add((r["mart"], r["in_default_set"]))
    assert sets == {"vis": {("vis_hourly", True)}, "physiology": {("physiology_hourly", False)}}
    physiology = {r["channel"]: r for r in rows if r["channel_set"] == "physiology"}
    assert physiology["heart_rate_bpm"]["fill_policy"] == "locf_then_train_median"
    assert physiology["heart_rate_bpm"]["observation_mask"] and physiology["heart_rate_bpm"]["transform"] == "zscore"
    vent = physiology["mech_vent_flag"]
    assert vent["fill_policy"] == "zero" and not vent["observation_mask"]


def test_demo_data_quality_counts_physiology_conversions(demo_build, demo_dir):
    """Each unit conversion is counted row for row: raw chart/lab rows of the converted itemids in the
    cohort stays' first 48 h (labs by subject)."""
    dq = {r["rule"]: r["n_rows"] for r in mart(demo_build, "data_quality").to_pylist()}
    con = duckdb.connect()
    cohort = f"read_parquet('{demo_build}/marts/cohort.parquet')"
    window = "x.charttime >= c.intime and x.charttime < c.intime + interval 48 hour"
    chart = dict(con.sql(f"""
        select itemid, count(*) from read_csv('{demo_dir}/icu/chartevents.csv.gz', types = {{'value': 'VARCHAR'}}) as x
        join {cohort} as c using (stay_id) where itemid in (223761, 223835) and {window} group by all""").fetchall())
    magnesium = con.sql(f"""
        select count(*) from read_csv('{demo_dir}/hosp/labevents.csv.gz', types = {{'value': 'VARCHAR'}}) as x
        join {cohort} as c using (subject_id) where itemid = 50960 and {window}""").fetchone()[0]
    assert dq["temperature_f_to_c"] == chart[223761] > 0
    assert dq["fio2_percent_to_fraction"] == chart[223835] > 0
    assert dq["magnesium_mg_dl_to_mmol_l"] == magnesium > 0
    assert dq["physiology_out_of_range"] > 0  # e.g. arterial MAP -23 and 801 mmHg in the demo


@pytest.fixture(scope="module")
def demo_p12_style_build(demo_build, demo_dir, tmp_path_factory) -> Path:
    """The demo built for the PhysioNet-2012-style cohort (var cohort: p12_style), reusing the demo
    build's staging Parquet (same raw files and staging SQL: the cache key matches)."""
    data_dir = tmp_path_factory.mktemp("wh_demo_p12_style")
    shutil.copytree(demo_build / "staging", data_dir / "staging")
    run_dbt(["build", "--exclude-resource-type", "unit_test", "--vars", "{cohort: p12_style}"], demo_dir, data_dir)
    return data_dir


def test_demo_p12_style_cohort_is_adult_first_stays_of_48h(demo_p12_style_build, demo_dir):
    """Re-derived from the raw CSVs: adults' first ICU stays (by intime) lasting at least 48 h."""
    expected = {row[0] for row in duckdb.connect().sql(f"""
        with stays as (
            select i.stay_id, i.intime, i.outtime,
                p.anchor_age + year(a.admittime) - p.anchor_year as age,
                row_number() over (partition by i.subject_id order by i.intime, i.stay_id) as seq,
            from read_csv('{demo_dir}/icu/icustays.csv.gz') i
            join read_csv('{demo_dir}/hosp/admissions.csv.gz') a using (hadm_id)
            join read_csv('{demo_dir}/hosp/patients.csv.gz') p on p.subject_id = i.subject_id)
        select stay_id from stays where seq = 1 and age >= 18 and outtime >= intime + interval 48 hour
    """).fetchall()}
    cohort = mart(demo_p12_style_build, "cohort").to_pylist()
    assert {r["stay_id"] for r in cohort} == expected and len(expected) > 30
    attrition = mart(demo_p12_style_build, "cohort_attrition").to_pylist()
    assert [r["step"] for r in attrition] == ["all_icu_stays", "adult", "first_icu_stay",
                                              "icu_stay_at_least_48h", "icu_outcome_known"]
    assert attrition[-1]["n_stays"] == len(cohort)
    physiology = mart(demo_p12_style_build, "physiology_hourly").to_pylist()
    assert len(physiology) == 48 * len(cohort)
    vis = mart(demo_p12_style_build, "vis_hourly").to_pylist()
    assert len(vis) == 48 * len(cohort)
    assert_contract_schema(demo_p12_style_build)


# --------------------------------------------------------------------------------------------
# hand-made raw files (no real data needed)

def mimic_columns() -> dict[str, tuple[str, list[str]]]:
    """Table -> (module, required column names), read from the dbt source that declares what is read."""
    spec = yaml.safe_load((DBT_PROJECT / "models" / "mimic_iv" / "staging" / "_mimic_iv__sources.yml").read_text())
    (source,) = [s for s in spec["sources"] if s["name"] == "mimic_iv"]
    return {table["name"]: (table["meta"]["module"],
                            [c["name"] for c in table["columns"] if c["meta"]["required"]])
            for table in source["tables"]}


def write_raw(root: Path, rows: dict[str, list[dict]]) -> Path:
    """A MIMIC-IV layout of .csv.gz files with the required columns; given rows, others empty."""
    for table, (module, columns) in mimic_columns().items():
        path = root / module / f"{table}.csv.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [",".join(columns)]
        for row in rows.get(table, []):
            lines.append(",".join("" if row.get(c) is None else str(row[c]) for c in columns))
        with gzip.open(path, "wt") as f:
            f.write("\n".join(lines) + "\n")
    return root


def tiny_raw(root: Path) -> Path:
    """Two ICU stays, a vasopressor but no antibiotics or cultures: nobody can meet Sepsis-3."""
    t0 = datetime(2150, 1, 1, 8, 0, 0)
    ts = lambda h: (t0 + timedelta(hours=h)).strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    rows = {
        "patients": [dict(subject_id=1, gender="F", anchor_age=60, anchor_year=2150,
                          anchor_year_group="2017 - 2019"),
                     dict(subject_id=2, gender="M", anchor_age=70, anchor_year=2150,
                          anchor_year_group="2017 - 2019")],
        "admissions": [dict(subject_id=s, hadm_id=100 + s, admittime=ts(-5), dischtime=ts(200),
                            admission_type="URGENT", discharge_location="HOME", insurance="Other",
                            marital_status="SINGLE", race="WHITE", hospital_expire_flag=0)
                       for s in (1, 2)],
        "icustays": [dict(subject_id=s, hadm_id=100 + s, stay_id=1000 + s, first_careunit="MICU",
                          last_careunit="MICU", intime=ts(0), outtime=ts(96), los=4.0) for s in (1, 2)],
        "chartevents": [dict(subject_id=1, hadm_id=101, stay_id=1001, charttime=ts(h), itemid=220045,
                             value="90", valuenum=90, valueuom="bpm") for h in range(0, 30, 2)],
        "inputevents": [dict(subject_id=1, hadm_id=101, stay_id=1001, starttime=ts(1), endtime=ts(5),
                             itemid=221906, amount=1, amountuom="mg", rate=0.1, rateuom="mcg/kg/min",
                             orderid=1, linkorderid=1, patientweight=70,
                             statusdescription="FinishedRunning")],
    }
    return write_raw(root, rows)


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory) -> tuple[Path, Path]:
    """(raw dir, data dir) of one full `dbt build` on the tiny hand-made source."""
    root = tmp_path_factory.mktemp("wh_tiny")
    raw = tiny_raw(root / "raw")
    data_dir = root / "data"
    run_dbt(["build"], raw, data_dir)
    return raw, data_dir


def test_empty_cohort_gives_zero_row_parquet_with_schema(tiny_build):
    _, data_dir = tiny_build
    assert_contract_schema(data_dir)
    for name in CONTRACT_MARTS:
        assert mart(data_dir, name).num_rows == 0, f"{name}.parquet should have 0 rows"
    assert mart(data_dir, "icu_stays").num_rows == 2
    attrition = mart(data_dir, "cohort_attrition").to_pylist()
    assert [r["n_stays"] for r in attrition][:2] == [2, 0] and attrition[-1]["n_stays"] == 0
    leftovers = [p.name for p in (data_dir / "marts").iterdir() if not p.name.endswith(".parquet")
                 and p.name != "_manifest.json" or p.name.startswith("tmp_")]
    assert leftovers == []


def test_every_mart_column_carries_its_description_as_a_comment(tiny_build):
    _, data_dir = tiny_build
    undocumented = undocumented_mart_columns(data_dir)
    assert not undocumented, f"mart columns without a description (add it to the marts yml): {undocumented}"


def test_contract_mart_publishes_what_the_models_read(tiny_build):
    _, data_dir = tiny_build
    rows = mart(data_dir, "contract").to_pylist()
    entries = {(r["section"], r["name"]): r["value"] for r in rows}
    assert entries[("source", "source")] == "mimic_iv" and entries[("hours", "vis_window_hours")] == "48"
    assert entries[("primary_label", "icu_mortality")] == "ICU death"
    assert entries[("series", "mart")] == "vis_hourly"
    assert entries[("file", "vis_hourly")] == "vis_hourly.parquet"
    channels = sorted((r["position"], r["name"]) for r in rows if r["section"] == "series_channel")
    assert [name for _, name in channels] == VIS_COLUMNS[2:]
    static = sorted((r["position"], r["name"]) for r in rows if r["section"] == "static_column")
    assert [name for _, name in static] == STATIC_COLUMNS[1:]


def test_bare_dbt_run_on_fresh_warehouse(tmp_path):
    """`dbt run` (no seed step) works on a fresh warehouse: the on-run-start hook loads the seeds."""
    raw = tiny_raw(tmp_path / "raw")
    data_dir = tmp_path / "data"
    proc = run_dbt(["run"], raw, data_dir)
    assert "loaded missing seed vis_agents" in proc.stdout
    assert mart(data_dir, "icu_stays").num_rows == 2
    assert mart(data_dir, "vis_hourly").column_names == VIS_COLUMNS


def test_missing_table_fails_naming_table_and_path(tmp_path):
    raw = tiny_raw(tmp_path / "raw")
    (raw / "icu" / "inputevents.csv.gz").unlink()
    proc = run_dbt(["run", "--select", "stg_mimic__inputevents"], raw, tmp_path / "data", check=False)
    assert proc.returncode != 0
    assert "icu/inputevents not found" in proc.stdout
    assert str(raw / "icu" / "inputevents") in proc.stdout
    assert "expected columns: subject_id BIGINT" in proc.stdout


def test_unknown_layout_fails_naming_missing_column(tmp_path):
    raw = tiny_raw(tmp_path / "raw")
    path = raw / "icu" / "icustays.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("subject_id,hadm_id,icustay_id,intime,outtime\n")
    proc = run_dbt(["run", "--select", "stg_mimic__icustays"], raw, tmp_path / "data", check=False)
    assert proc.returncode != 0
    assert "icu/icustays" in proc.stdout and "missing column(s) stay_id" in proc.stdout


def test_upper_case_headers_parquet_and_optional_columns(tmp_path):
    """Headers match case-insensitively; a Parquet copy is accepted; absent optional columns are NULL."""
    raw = tiny_raw(tmp_path / "raw")
    con = duckdb.connect()
    # inputevents as Parquet with upper-case names and no optional columns
    src = raw / "icu" / "inputevents.csv.gz"
    con.sql(f"""copy (select subject_id as SUBJECT_ID, hadm_id as HADM_ID, stay_id as STAY_ID,
        starttime as STARTTIME, endtime as ENDTIME, itemid as ITEMID, amount as AMOUNT,
        amountuom as AMOUNTUOM, rate as RATE, rateuom as RATEUOM, orderid as ORDERID,
        linkorderid as LINKORDERID, patientweight as PATIENTWEIGHT, statusdescription as STATUSDESCRIPTION
        from read_csv('{src}')) to '{raw}/icu/inputevents.parquet'""")
    src.unlink()
    data_dir = tmp_path / "data"
    run_dbt(["run", "--select", "stg_mimic__inputevents"], raw, data_dir)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    row = con.sql("select stay_id, rate, originalrate, storetime from stg_mimic__inputevents").fetchone()
    assert row == (1001, 0.1, None, None)
    types = dict(con.sql("select column_name, column_type from (describe stg_mimic__inputevents)").fetchall())
    assert types["rate"] == "DOUBLE" and types["stay_id"] == "BIGINT" and types["starttime"] == "TIMESTAMP"


def test_failed_build_keeps_previous_parquet_intact(tiny_build, tmp_path):
    """A build that fails (missing table) leaves the earlier marts readable, never half-written."""
    raw, built = tiny_build
    raw = Path(shutil.copytree(raw, tmp_path / "raw"))
    data_dir = Path(shutil.copytree(built, tmp_path / "data"))
    before = (data_dir / "marts" / "icu_stays.parquet").read_bytes()
    (raw / "icu" / "icustays.csv.gz").unlink()
    proc = run_dbt(["build"], raw, data_dir, check=False)
    assert proc.returncode != 0 and "icu/icustays not found" in proc.stdout
    assert (data_dir / "marts" / "icu_stays.parquet").read_bytes() == before
    assert pq.read_table(data_dir / "marts" / "icu_stays.parquet").num_rows == 2


def staged_files(data_dir: Path) -> dict[str, int]:
    """Staged Parquet file name -> modification time (ns): a rewritten file gets a new one."""
    return {p.name: p.stat().st_mtime_ns for p in (data_dir / "staging").glob("*.parquet")}


def append_gz_line(path: Path, line: str) -> None:
    with gzip.open(path, "rt") as f:
        text = f.read()
    with gzip.open(path, "wt") as f:
        f.write(text + line + "\n")


def test_staging_converts_each_raw_table_once_until_it_changes(tmp_path):
    """Staging writes <data_dir>/staging/*.parquet once; a rebuild reuses them, a changed raw file or
    --full-refresh rewrites (only) what changed, and the views always show the current rows."""
    raw = tiny_raw(tmp_path / "raw")
    data_dir = tmp_path / "data"
    run_dbt(["run", "--select", "tag:staging"], raw, data_dir)
    first = staged_files(data_dir)
    assert len(first) == 15, sorted(first)
    fingerprint = duckdb.sql(
        f"select decode(value) from parquet_kv_metadata('{data_dir}/staging/stg_mimic__icustays.parquet') "
        "where decode(key) = 'vistrend_fingerprint'").fetchone()
    assert fingerprint and re.fullmatch(r"[0-9a-f]{32}", fingerprint[0])

    run_dbt(["run", "--select", "tag:staging"], raw, data_dir)
    assert staged_files(data_dir) == first, "an unchanged raw file was converted again"

    append_gz_line(raw / "icu" / "icustays.csv.gz", "3,103,1003,MICU,MICU,2150-01-01 08:00:00,2150-01-02 08:00:00,1.0")
    run_dbt(["run", "--select", "tag:staging"], raw, data_dir)
    third = staged_files(data_dir)
    assert {name for name in first if third[name] != first[name]} == {"stg_mimic__icustays.parquet"}
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    assert con.sql("select count(*) from stg_mimic__icustays").fetchone()[0] == 3
    con.close()

    run_dbt(["run", "--select", "tag:staging", "--full-refresh"], raw, data_dir)
    fourth = staged_files(data_dir)
    assert all(fourth[name] != third[name] for name in third)
    assert not list((data_dir / "staging").glob("*tmp*")), "a temporary file was left behind"


def test_staging_keeps_only_the_itemids_a_concept_reads(tmp_path):
    """chartevents rows of an item no concept reads (227969, safety checks) are not staged, unless
    stage_all_itemids is set; heart rate (220045) and the charted weights (226512) are."""
    raw = tiny_raw(tmp_path / "raw")
    path = raw / "icu" / "chartevents.csv.gz"
    append_gz_line(path, "1,101,1001,2150-01-01 09:00:00,226512,80,80,kg")
    append_gz_line(path, "1,101,1001,2150-01-01 09:00:00,227969,Done,,")
    staged = {}
    for name, extra in (("pruned", []), ("all", ["--vars", "{stage_all_itemids: true}"])):
        data_dir = tmp_path / name
        run_dbt(["run", "--select", "stg_mimic__chartevents", *extra], raw, data_dir)
        con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
        staged[name] = dict(con.sql(
            "select itemid, count(*) from stg_mimic__chartevents group by itemid").fetchall())
        con.close()
    assert staged["pruned"] == {220045: 15, 226512: 1}
    assert staged["all"] == {220045: 15, 226512: 1, 227969: 1}


# --------------------------------------------------------------------------------------------
# synthetic data (when the generator exists)

SYNTHESIZE = REPO / "pipelines" / "synthesize.py"


def build_synthetic(tmp_path: Path, profile: str, stays: int) -> Path:
    raw = tmp_path / "raw"
    subprocess.run([sys.executable, str(SYNTHESIZE), "--out", str(raw), "--stays", str(stays),
                    "--profile", profile, "--quiet"], check=True, cwd=REPO, capture_output=True, text=True)
    data_dir = tmp_path / "data"
    run_dbt(["build"], raw, data_dir)
    assert_contract_schema(data_dir)
    return data_dir


@pytest.mark.skipif(not SYNTHESIZE.exists(), reason="pipelines/synthesize.py not present yet")
def test_vis_window_hours_var_gives_24_hour_marts(tmp_path):
    """One var sets the series window: vis_window_hours 24 builds (data tests included) 24-hour marts
    whose hours are the first 24 of the default 48-hour build."""
    raw = tmp_path / "raw"
    subprocess.run([sys.executable, str(SYNTHESIZE), "--out", str(raw), "--stays", "150", "--quiet"],
                   check=True, cwd=REPO, capture_output=True, text=True)
    data_dir = tmp_path / "data"
    run_dbt(["build", "--exclude-resource-type", "unit_test"], raw, data_dir)
    vis48 = mart(data_dir, "vis_hourly").to_pylist()
    cohort48 = {r["stay_id"] for r in mart(data_dir, "cohort").to_pylist()}
    run_dbt(["build", "--exclude-resource-type", "unit_test", "--vars", "{vis_window_hours: 24}"], raw, data_dir)
    vis24 = mart(data_dir, "vis_hourly").to_pylist()
    cohort24 = mart(data_dir, "cohort").to_pylist()
    assert cohort24 and {r["stay_id"] for r in cohort24} <= cohort48
    assert max(r["icu_hours_in_vis_window"] for r in cohort24) == 24
    assert sorted({r["hr"] for r in vis24}) == list(range(24))
    assert len(vis24) == 24 * len(cohort24)
    first_day48 = {(r["stay_id"], r["hr"]): r for r in vis48 if r["hr"] < 24}
    assert all(first_day48[(r["stay_id"], r["hr"])] == r for r in vis24)


def cohort_fraction_and_mortality(data_dir: Path) -> tuple[float, float]:
    n_stays = mart(data_dir, "icu_stays").num_rows
    cohort = mart(data_dir, "cohort").to_pylist()
    assert cohort, "synthetic cohort is empty"
    return len(cohort) / n_stays, sum(r["icu_mortality"] for r in cohort) / len(cohort)


@pytest.mark.skipif(not SYNTHESIZE.exists(), reason="pipelines/synthesize.py not present yet")
def test_synthetic_default_builds_enriched_cohort(tmp_path):
    """The default profile is enriched for septic shock (synthmimic/latent.py: 72 % of first stays)."""
    data_dir = build_synthetic(tmp_path, "default", 1000)
    fraction, mortality = cohort_fraction_and_mortality(data_dir)
    assert 0.3 <= fraction <= 0.8, fraction
    assert 0.1 <= mortality <= 0.5, mortality  # ICU mortality in septic shock on vasopressors
    # charted ventilation text the status map does not know is counted by item, row for row
    dq = {r["rule"]: r["n_rows"] for r in mart(data_dir, "data_quality").to_pylist()}
    chartevents = f"read_csv('{tmp_path}/raw/icu/chartevents.csv.gz', types = {{'value': 'VARCHAR'}})"
    raw_counts = dict(duckdb.connect().execute(f"""
        select itemid, count(*) filter (where (itemid = 223849 and value = 'Standby')
                                        or (itemid = 226732 and value in ('T-piece', 'Other')))
        from {chartevents} where itemid in (223849, 229314, 226732) group by all""").fetchall())
    assert dq["unmapped_ventilator_mode"] == raw_counts[223849] > 0
    assert dq["unmapped_o2_delivery_device"] == raw_counts[226732] > 0
    assert dq["unmapped_ventilator_mode_hamilton"] == raw_counts[229314] == 0


@pytest.mark.skipif(not SYNTHESIZE.exists(), reason="pipelines/synthesize.py not present yet")
def test_synthetic_realistic_profile_matches_paper_proportions(tmp_path):
    """The realistic profile: the paper keeps 9,476 of ~94k MIMIC-IV stays (about 10 %)."""
    fraction, mortality = cohort_fraction_and_mortality(build_synthetic(tmp_path, "realistic", 2000))
    assert 0.04 <= fraction <= 0.2, fraction
    assert 0.05 <= mortality <= 0.5, mortality


def test_bare_dbt_run_with_nothing_to_read_fails_once_saying_what_to_do(tmp_path):
    proc = run_dbt(["run"], tmp_path / "no_raw_data", tmp_path / "data", check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    lines = [line for line in output.splitlines() if "nothing to read" in line]
    assert len(lines) == 1, output[-3000:]
    assert "make synthetic" in lines[0] and "MIMIC_IV_DIR" in lines[0] and str(tmp_path / "no_raw_data") in lines[0]
