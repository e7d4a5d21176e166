"""The synthetic MIMIC-IV source: schema conformance, determinism, cohort rules, bad arguments.

The default-size output is generated once per session; every cohort rule of SPEC §2 and every
Sepsis-3 window of mimic-code must be exercised by some stay, checked with plain DuckDB SQL over the
raw files (no warehouse code involved).
"""
from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from synthmimic import DEFAULT_STAYS, generate
from synthmimic import tables as synth_tables
from synthmimic.schema import KNOWN_NAME_DIFFERENCES, KNOWN_TYPE_DIFFERENCES, TABLES, arrow_schema

CLI = [sys.executable, str(REPO / "pipelines" / "synthesize.py")]
VIS_ITEMIDS = "(221662, 221653, 221289, 221906, 221986, 222315)"


def path_of(root: Path, table: str, fmt: str = "csv.gz") -> str:
    return str(root / TABLES[table][0] / f"{table}.{fmt}")


def sniffed_types(path: str) -> list[tuple[str, str]]:
    con = duckdb.connect()
    rows = con.execute(f"describe select * from read_csv('{path}', sample_size = -1)").fetchall()
    return [(r[0], r[1]) for r in rows]


@pytest.fixture(scope="session")
def small_output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth_small") / "raw"
    generate(out, stays=400, seed=7)
    return out


@pytest.fixture(scope="session")
def default_output(tmp_path_factory) -> Path:
    """The default size and seed, as `make synthetic` writes it, in the Parquet layout (same rows as
    csv.gz, see test_csv_and_parquet_hold_the_same_rows; reading it back is several times faster)."""
    out = tmp_path_factory.mktemp("synth_default") / "raw"
    generate(out, fmt="parquet")
    return out


@pytest.fixture(scope="session")
def raw(default_output) -> duckdb.DuckDBPyConnection:
    """The default output as views in an in-memory DuckDB, one per raw table."""
    con = duckdb.connect()
    con.execute("set threads = 2")
    for table in TABLES:
        con.execute(f"create view {table} as select * from read_parquet('{path_of(default_output, table, 'parquet')}')")
    return con


DUCKDB_TYPES = {"int64": "BIGINT", "double": "DOUBLE", "string": "VARCHAR", "timestamp[s]": "TIMESTAMP",
                "date32[day]": "DATE"}


def one(con, sql: str):
    return con.execute(sql).fetchone()[0]


# ---------------------------------------------------------------- schema conformance
@pytest.mark.parametrize("table", sorted(TABLES))
def test_header_and_types_match_the_real_demo(table, small_output, demo_dir):
    demo = sniffed_types(str(demo_dir / TABLES[table][0] / f"{table}.csv.gz"))
    ours = sniffed_types(path_of(small_output, table))
    assert [c for c, _ in ours] == arrow_schema(table).names
    assert len(ours) == len(demo), f"{table}: {len(ours)} columns, demo has {len(demo)}"
    for (dname, dtype), (name, typ) in zip(demo, ours):
        if (table, name) in KNOWN_NAME_DIFFERENCES:
            assert dname.lower() == name and dname != name
        else:
            assert dname == name, f"{table}: column {name!r} where the demo has {dname!r}"
        if (table, name) in KNOWN_TYPE_DIFFERENCES:
            continue
        assert typ == dtype, f"{table}.{name}: {typ}, demo {dtype}"


def test_known_differences_are_real(demo_dir, small_output):
    """The allow-list must not hide anything: every listed difference exists in the demo today."""
    demo = dict(sniffed_types(str(demo_dir / "icu" / "chartevents.csv.gz")))
    ours = dict(sniffed_types(path_of(small_output, "chartevents")))
    for (table, column) in KNOWN_TYPE_DIFFERENCES:
        assert table == "chartevents" and demo[column] != ours[column]


def small_csv(root: Path) -> Path:
    out = root / "csv"
    if not out.exists():
        generate(out, stays=60, seed=3)
    return out


def test_parquet_has_the_same_schema(tmp_path):
    out = tmp_path / "pq"
    generate(out, stays=60, seed=3, fmt="parquet")
    for table in TABLES:
        schema = pq.read_schema(path_of(out, table, "parquet"))
        assert schema.names == arrow_schema(table).names
        # Parquet has no second-resolution timestamps: they are stored as milliseconds
        norm = lambda t: "timestamp" if pa.types.is_timestamp(t) else str(t)
        assert [norm(f.type) for f in schema] == [norm(f.type) for f in arrow_schema(table)]
        csv_like = duckdb.connect().execute(
            f"describe select * from read_parquet('{path_of(out, table, 'parquet')}')").fetchall()
        assert [r[1] for r in csv_like] == [r[1] for r in sniffed_types(path_of(small_csv(out.parent), table))]
    con = duckdb.connect()
    assert one(con, f"select count(*) from read_parquet('{path_of(out, 'icustays', 'parquet')}')") == 60


def test_csv_and_parquet_hold_the_same_rows(tmp_path):
    generate(tmp_path / "c", stays=80, seed=5)
    generate(tmp_path / "p", stays=80, seed=5, fmt="parquet")
    con = duckdb.connect()
    for table in TABLES:
        # typed read (no sniffing): also checks that every value parses as its declared type
        columns = ", ".join(f"'{f.name}': '{DUCKDB_TYPES[str(f.type)]}'" for f in arrow_schema(table))
        csv = f"""read_csv('{path_of(tmp_path / "c", table)}', header = true, auto_detect = false,
                           columns = {{{columns}}})"""
        par = f"read_parquet('{path_of(tmp_path / 'p', table, 'parquet')}')"
        n_csv, n_par = one(con, f"select count(*) from {csv}"), one(con, f"select count(*) from {par}")
        assert n_csv == n_par > 0, table
        assert one(con, f"select count(*) from (select * from {csv} except all select * from {par})") == 0, table


# ---------------------------------------------------------------- determinism
def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, stays=150, seed=11)
    generate(b, stays=150, seed=11)
    generate(c, stays=150, seed=12)
    da, db, dc = digests(a), digests(b), digests(c)
    assert len(da) == len(TABLES) + 1
    assert da == db
    assert da["icu/chartevents.csv.gz"] != dc["icu/chartevents.csv.gz"]
    assert da["hosp/admissions.csv.gz"] != dc["hosp/admissions.csv.gz"]
    # dictionaries do not depend on the seed
    assert da["icu/d_items.csv.gz"] == dc["icu/d_items.csv.gz"]
    # Parquet output is deterministic too
    generate(tmp_path / "pa", stays=150, seed=11, fmt="parquet")
    generate(tmp_path / "pb", stays=150, seed=11, fmt="parquet")
    assert digests(tmp_path / "pa") == digests(tmp_path / "pb")


def test_exact_stay_count(small_output):
    con = duckdb.connect()
    assert one(con, f"select count(*) from read_csv('{path_of(small_output, 'icustays')}')") == 400
    assert one(con, f"select count(distinct stay_id) from read_csv('{path_of(small_output, 'icustays')}')") == 400


# ---------------------------------------------------------------- cohort rules (default size)
def test_default_size(raw):
    assert one(raw, "select count(*) from icustays") == DEFAULT_STAYS


def test_under_18(raw):
    n = one(raw, """
        select count(*) from icustays i join admissions a using (hadm_id) join patients p on p.subject_id = i.subject_id
        where p.anchor_age + (year(a.admittime) - p.anchor_year) < 18""")
    assert n > 0


def test_several_icu_stays_per_patient_and_per_admission(raw):
    assert one(raw, "select count(*) from (select subject_id from icustays group by 1 having count(*) > 1)") > 0
    assert one(raw, "select count(*) from (select hadm_id from icustays group by 1 having count(*) > 1)") > 0
    # stays of one patient never overlap
    assert one(raw, """
        select count(*) from icustays a join icustays b on a.subject_id = b.subject_id and a.stay_id < b.stay_id
        where a.intime < b.outtime and b.intime < a.outtime""") == 0


def test_vasoactive_start_rules(raw):
    first = """(select i.stay_id, i.intime, i.outtime, min(e.starttime) as first_vis
                from icustays i join inputevents e using (stay_id) where e.itemid in """ + VIS_ITEMIDS + " group by all)"
    assert one(raw, f"select count(*) from {first} where first_vis > intime + interval 24 hour") > 0
    assert one(raw, f"""select count(*) from {first} where first_vis <= intime + interval 24 hour
                        and outtime < first_vis + interval 24 hour""") > 0
    assert one(raw, f"select count(*) from {first} where first_vis < intime") > 0


def test_discharged_against_advice(raw):
    assert one(raw, "select count(*) from admissions where discharge_location = 'AGAINST ADVICE'") > 0


def test_deaths_inside_and_after_the_icu_stay_are_consistent(raw):
    inside = one(raw, """select count(*) from icustays i join admissions a using (hadm_id)
                         where a.deathtime between i.intime and i.outtime""")
    after = one(raw, """select count(*) from icustays i join admissions a using (hadm_id)
                        where a.deathtime > i.outtime and not exists (select 1 from icustays j
                        where j.hadm_id = i.hadm_id and j.intime > i.intime)""")
    assert inside > 0 and after > 0
    inconsistent = one(raw, """select count(*) from admissions a join patients p using (subject_id)
        where a.deathtime is not null and (a.discharge_location <> 'DIED' or a.hospital_expire_flag <> 1
              or p.dod is distinct from cast(a.deathtime as date) or a.dischtime <> a.deathtime)""")
    assert inconsistent == 0
    # a few in-hospital deaths lack deathtime (mimic-code issue #1406): ICU outcome unknown
    missing = one(raw, "select count(*) from admissions where hospital_expire_flag = 1 and deathtime is null")
    deaths = one(raw, "select count(*) from admissions where hospital_expire_flag = 1")
    assert 0 < missing < 0.1 * deaths
    assert one(raw, "select count(*) from admissions where hospital_expire_flag = 1 and discharge_location <> 'DIED'") == 0
    # deaths after discharge exist only in patients.dod (28-day / 1-year labels)
    assert one(raw, """select count(*) from patients p where p.dod is not null and not exists
                       (select 1 from admissions a where a.subject_id = p.subject_id and a.deathtime is not null)""") > 0


SUSPICION = """
    with abx as (
        select r.subject_id, i.stay_id, r.starttime as abx_time
        from prescriptions r
        left join icustays i on i.hadm_id = r.hadm_id and r.starttime >= i.intime and r.starttime < i.outtime
        where r.drug_type = 'MAIN' and r.route not in ('OU', 'OS', 'OD', 'AU', 'AS', 'AD', 'TP')
          and regexp_matches(lower(r.drug), 'vanco|piperacillin|cefepime|ceftriaxone|meropenem|metronidazole|levofloxacin|cipro|cefazolin|erythromycin')
    ),
    cultures as (
        select micro_specimen_id, max(subject_id) as subject_id, max(chartdate) as chartdate, max(charttime) as charttime
        from microbiologyevents group by 1
    ),
    pairs as (
        select a.*, c.charttime, c.chartdate,
            (c.charttime is not null and a.abx_time > c.charttime and a.abx_time <= c.charttime + interval 72 hour)
                or (c.charttime is null and cast(a.abx_time as date) between cast(c.chartdate as date) and cast(c.chartdate as date) + 3)
                as culture_first,
            (c.charttime is not null and a.abx_time >= c.charttime - interval 24 hour and a.abx_time < c.charttime)
                or (c.charttime is null and cast(a.abx_time as date) between cast(c.chartdate as date) - 1 and cast(c.chartdate as date))
                as antibiotic_first
        from abx a join cultures c on c.subject_id = a.subject_id
    )
"""


def test_sepsis3_suspicion_windows_and_near_misses(raw):
    counts = raw.execute(SUSPICION + """
        select
            count(distinct stay_id) filter (where stay_id is not null and culture_first) as culture_then_abx,
            count(distinct stay_id) filter (where stay_id is not null and antibiotic_first) as abx_then_culture,
            count(*) filter (where stay_id is null and (culture_first or antibiotic_first)) as pre_icu_abx_pairs,
            count(*) filter (where charttime is null) as date_only_culture_pairs,
            count(*) filter (where stay_id is not null and not culture_first and not antibiotic_first
                             and abx_time > charttime + interval 72 hour) as abx_too_late,
            count(*) filter (where stay_id is not null and not culture_first and not antibiotic_first
                             and charttime > abx_time + interval 24 hour) as culture_too_late
        from pairs""").fetchone()
    assert all(c > 0 for c in counts), counts
    # eye ointment antibiotics are excluded by route; some stays have them with a culture
    assert one(raw, "select count(*) from prescriptions where route = 'OU' and lower(drug) like '%ophth oint%'") > 0
    # every specimen counts as a culture; some positive, some cancelled
    assert one(raw, "select count(distinct micro_specimen_id) from microbiologyevents where org_name is not null and org_name <> 'CANCELLED'") > 0
    assert one(raw, "select count(*) from microbiologyevents where org_itemid = 90760") > 0
    assert one(raw, "select count(*) from microbiologyevents where spec_type_desc = 'BLOOD CULTURE'") > 0


def test_sepsis_without_vasoactives_and_vasoactives_without_suspicion(raw):
    suspected = SUSPICION + """, suspected as (select distinct stay_id from pairs
                                 where stay_id is not null and (culture_first or antibiotic_first))"""
    vis = f"(select distinct stay_id from inputevents where itemid in {VIS_ITEMIDS})"
    assert one(raw, suspected + f" select count(*) from suspected where stay_id not in {vis}") > 0
    assert one(raw, suspected + f" select count(*) from {vis} v where v.stay_id not in (select stay_id from suspected)") > 0


def test_infusion_details(raw):
    agents = raw.execute(f"select distinct itemid from inputevents where itemid in {VIS_ITEMIDS} or itemid = 221749").fetchall()
    assert len(agents) == 7
    units = dict(raw.execute("""select itemid || ' ' || rateuom, count(*) from inputevents
                                where itemid in (221906, 222315) group by 1""").fetchall())
    assert units.get("221906 mcg/kg/min", 0) > 0 and units.get("221906 mg/kg/min", 0) > 0
    assert units.get("222315 units/hour", 0) > 0 and units.get("222315 units/min", 0) > 0
    # rate changes are consecutive rows of one order (shared linkorderid)
    assert one(raw, "select max(n) from (select count(*) as n from inputevents where itemid = 221906 group by linkorderid)") > 3
    # overlapping rows of one drug (two orders running at once)
    assert one(raw, """select count(*) from inputevents a join inputevents b on a.stay_id = b.stay_id and a.itemid = b.itemid
                       and a.orderid < b.orderid and a.linkorderid <> b.linkorderid
                       where a.itemid = 221906 and a.starttime < b.endtime and b.starttime < a.endtime""") > 0
    assert one(raw, "select count(*) from inputevents where itemid = 221906 and rateuom = 'mcg/kg/min' and rate > 5") > 0
    assert one(raw, f"select count(*) from inputevents where itemid in {VIS_ITEMIDS} and patientweight is null") > 0
    assert one(raw, "select count(*) from inputevents where endtime <= starttime") == 0
    assert one(raw, """select count(*) from inputevents e join icustays i using (stay_id)
                       where e.endtime > i.outtime or e.starttime < i.intime - interval 2 hour""") == 0
    statuses = {r[0] for r in raw.execute("select distinct statusdescription from inputevents").fetchall()}
    assert {"ChangeDose/Rate", "FinishedRunning", "Stopped"} <= statuses


def test_charting_conventions(raw):
    # vitals about hourly: median gap between heart-rate rows of a stay is one hour
    gap = one(raw, """select median(g) from (select date_diff('minute', lag(charttime) over (partition by stay_id order by charttime),
                      charttime) as g from chartevents where itemid = 220045)""")
    assert gap == 60
    # a few stays without any heart rate (they cannot have an hourly SOFA grid)
    no_hr = one(raw, "select count(*) from icustays where stay_id not in (select stay_id from chartevents where itemid = 220045)")
    assert 0 < no_hr < 0.01 * DEFAULT_STAYS
    # GCS text values, intubated verbal response
    verbal = dict(raw.execute("select value, min(valuenum) from chartevents where itemid = 223900 group by 1").fetchall())
    assert verbal["No Response-ETT"] == 1 and verbal["Oriented"] == 5
    assert one(raw, "select count(*) from chartevents where itemid = 223849 and value = 'CMV/ASSIST/AutoFlow'") > 0
    # O2 device with an O2 flow at the same charttime (mimic-code oxygen_delivery keeps only those)
    assert one(raw, """select count(*) from chartevents d join chartevents f on f.stay_id = d.stay_id and f.charttime = d.charttime
                       and f.itemid = 223834 where d.itemid = 226732 and d.value = 'Nasal cannula'""") > 0
    assert one(raw, "select count(*) from chartevents where itemid = 223835 and valuenum between 21 and 100") > 0
    assert one(raw, "select count(*) from chartevents where itemid in (223761, 223762)") > 0
    assert one(raw, "select count(*) from chartevents where itemid in (226512, 224639)") > 0


def test_times_are_consistent(raw):
    assert one(raw, """select count(*) from chartevents e join icustays i using (stay_id)
                       where e.charttime > i.outtime + interval 1 hour or e.charttime < i.intime - interval 1 hour""") == 0
    assert one(raw, """select count(*) from outputevents e join icustays i using (stay_id)
                       where e.charttime > i.outtime or e.charttime < i.intime""") == 0
    assert one(raw, """select count(*) from icustays i join admissions a using (hadm_id)
                       where i.intime < a.admittime or i.outtime > a.dischtime + interval 1 hour""") == 0
    assert one(raw, "select count(*) from icustays where outtime <= intime") == 0
    assert one(raw, "select count(*) from prescriptions where stoptime < starttime") == 0
    # a few stays have no outtime (ICU outcome unknown)
    assert 0 < one(raw, "select count(*) from icustays where outtime is null") < 0.01 * DEFAULT_STAYS


def test_labs_and_blood_gases(raw):
    # chemistry every 6-24 h
    gap = one(raw, """select median(g) from (select date_diff('minute', lag(charttime) over (partition by hadm_id order by charttime),
                      charttime) / 60.0 as g from labevents where itemid = 50912)""")
    assert 6 <= gap <= 24
    # arterial blood gas: specimen type 'ART.' with pO2, pCO2 and (on the ventilator) FiO2 on one specimen_id
    n = one(raw, """select count(*) from labevents s
                    join labevents o on o.specimen_id = s.specimen_id and o.itemid = 50821
                    join labevents c on c.specimen_id = s.specimen_id and c.itemid = 50818
                    join labevents f on f.specimen_id = s.specimen_id and f.itemid = 50816
                    where s.itemid = 52033 and s.value = 'ART.'""")
    assert n > 0
    for itemid in (50912, 51006, 51265, 51301, 50885, 50882, 50983, 50971, 51274):
        assert one(raw, f"select count(*) from labevents where itemid = {itemid} and valuenum > 0") > 0, itemid
    assert one(raw, "select count(*) from outputevents where itemid = 226559") > 0


def test_paper_style_cohort_is_large_enough_with_plausible_mortality(raw):
    """A SQL approximation of SPEC §2 without the SOFA >= 2 step: the warehouse cohort should land near it."""
    row = raw.execute(SUSPICION + f""",
        suspected as (select distinct stay_id from pairs where stay_id is not null and (culture_first or antibiotic_first)),
        vis as (select stay_id, min(starttime) as first_vis from inputevents where itemid in {VIS_ITEMIDS} and rate > 0 group by 1),
        stays as (
            select i.*, a.discharge_location, v.first_vis,
                coalesce((a.deathtime between i.intime and i.outtime)::int, 0) as icu_death,
                p.anchor_age + (year(a.admittime) - p.anchor_year) as age
            from icustays i join admissions a using (hadm_id) join patients p on p.subject_id = i.subject_id
            left join vis v using (stay_id)
            where i.stay_id in (select stay_id from suspected)
        ),
        first_stay as (
            select * from stays where age >= 18 qualify row_number() over (partition by subject_id order by intime) = 1
        )
        select count(*), avg(icu_death) from first_stay
        where first_vis <= intime + interval 24 hour and outtime > first_vis + interval 24 hour
          and discharge_location is distinct from 'AGAINST ADVICE'""").fetchone()
    cohort, mortality = row
    assert cohort >= 5000, cohort
    assert 0.12 <= mortality <= 0.28, mortality


def test_dose_trend_carries_mortality_signal(raw):
    """The latent slope drives both the norepinephrine titration and death: stays whose dose is still
    rising at 36-48 h die far more often than stays weaned off by 36 h."""
    rows = dict(raw.execute("""
        with ne as (
            select e.stay_id, e.starttime, e.endtime, e.rate, i.intime, i.outtime, i.hadm_id
            from inputevents e join icustays i using (stay_id)
            where e.itemid = 221906 and e.rateuom = 'mcg/kg/min'
        ),
        per_stay as (
            select stay_id, hadm_id, outtime, max(endtime) as last_end, min(starttime) as first_start,
                arg_min(rate, starttime) as first_rate,
                max(rate) filter (where starttime between intime + interval 36 hour and intime + interval 48 hour) as late_rate,
                min(intime) as intime
            from ne group by all
        ),
        grouped as (
            select p.*, case
                when last_end < intime + interval 36 hour and outtime > intime + interval 48 hour then 'weaned'
                when late_rate > 1.5 * first_rate then 'rising' end as trend
            from per_stay p where first_start <= intime + interval 12 hour
        )
        select trend, avg(coalesce((a.deathtime between g.intime and g.outtime)::int, 0))
        from grouped g join admissions a using (hadm_id) where trend is not null group by 1""").fetchall())
    assert rows["rising"] > 2 * rows["weaned"] and rows["rising"] > 0.25, rows


def test_realistic_profile_densities(tmp_path):
    out = tmp_path / "real"
    result = generate(out, stays=150, seed=4, profile="realistic")
    rows = result["rows"]
    assert 3000 < rows["chartevents"] / 150 < 6500
    assert 1000 < rows["labevents"] / 150 < 2500
    assert 60 < rows["inputevents"] / 150 < 200
    con = duckdb.connect()
    vaso = one(con, f"""select count(distinct stay_id) from read_csv('{path_of(out, "inputevents")}')
                        where itemid in {VIS_ITEMIDS}""")
    assert vaso < 0.5 * 150     # MIMIC-like: a minority of stays on vasoactives (default: about 70 %)


def test_ragged_helpers():
    import numpy as np
    owner, local = synth_tables.ragged(np.array([2, 0, 3]))
    assert owner.tolist() == [0, 0, 2, 2, 2] and local.tolist() == [0, 1, 0, 1, 2]
    x = np.array([1, 0, 1, 1, 1])
    assert synth_tables.group_cumsum(x, np.array([2, 0, 3])).tolist() == [1, 1, 1, 2, 3]


def test_gzip_members_are_one_stream(tmp_path):
    import gzip
    from synthmimic.writer import gzip_member
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip_member(b"a,b\n") + gzip_member(b"1,2\n") + gzip_member(b"3,4\n"))
    assert gzip.decompress(path.read_bytes()) == b"a,b\n1,2\n3,4\n"
    assert duckdb.connect().execute(f"select sum(a + b) from read_csv('{path}')").fetchone()[0] == 10
    assert gzip_member(b"x") == gzip_member(b"x")   # no timestamp in the header


# ---------------------------------------------------------------- bad arguments, atomic output
@pytest.mark.parametrize("args, needle", [
    (["--stays", "0"], "--stays"),
    (["--stays", "-5"], "--stays"),
    (["--stays", "ten"], "--stays"),
    (["--profile", "huge"], "--profile"),
    (["--format", "xml"], "--format"),
    (["--seed", "-1"], "--seed"),
])
def test_bad_arguments_one_line_error_exit_2(args, needle, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(CLI + ["--out", str(out), *args], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synthesize: error:") and needle in lines[0], proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_or_foreign_output_is_refused(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    targets = [a_file, a_file / "out", foreign]
    if os.geteuid() != 0:           # root writes through permission bits
        targets.append(locked / "out")
    try:
        for target in targets:
            proc = subprocess.run(CLI + ["--out", str(target), "--stays", "5", "--quiet"], capture_output=True, text=True)
            assert proc.returncode == 2, (target, proc.stderr)
            assert len(proc.stderr.strip().splitlines()) == 1 and "synthesize: error:" in proc.stderr
    finally:
        locked.chmod(0o700)
    assert (foreign / "keep.txt").read_text() == "mine" and sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "locked", "notes"]
    assert list(locked.iterdir()) == []


def test_failure_midway_leaves_no_partial_output(tmp_path, monkeypatch):
    out = tmp_path / "raw"
    generate(out, stays=20, seed=1)
    before = digests(out)

    def broken(*a, **k):
        raise RuntimeError("disk full (simulated)")
    monkeypatch.setattr(synth_tables, "labevents", broken)
    with pytest.raises(RuntimeError):
        generate(out, stays=30, seed=2)
    assert digests(out) == before                       # the previous output is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]   # no temporary sibling left
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    monkeypatch.setattr(synth_tables, "labevents", broken)
    with pytest.raises(RuntimeError):
        generate(fresh, stays=30, seed=2)
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]


def test_respiratory_text_charts_every_mapped_string(small_output):
    """Every text the ventilation status map knows (seed ventilation_status_map, trailing spaces
    included) is charted for its item even in a 400-stay output, plus unmapped text, devices
    without an O2 flow at that time and several devices at one time, so that the warehouse's text path
    runs in every synthetic build."""
    items = {"ventilator_mode": 223849, "ventilator_mode_hamilton": 229314, "o2_delivery_device": 226732}
    seed = REPO / "dbt_project" / "seeds" / "mimic_iv" / "treatment" / "ventilation" / "ventilation_status_map.csv"
    with open(seed, newline="") as f:
        mapped = {(items[r["source"]], r["charted_value"]) for r in csv.DictReader(f)}
    con = duckdb.connect()
    con.execute(f"""create view ce as select * from read_csv('{path_of(small_output, "chartevents")}',
                    types = {{'value': 'VARCHAR'}})""")
    charted = set(con.execute("select distinct itemid, value from ce where itemid in (223849, 229314, 226732)").fetchall())
    assert mapped - charted == set()
    assert {(223849, "Standby"), (226732, "T-piece"), (226732, "Other")} <= charted
    # devices charted without an O2 flow at that time (mimic-code drops them; issue 16)
    assert one(con, """select count(*) from ce d where d.itemid = 226732 and d.value = 'Endotracheal tube'
                       and not exists (select 1 from ce f where f.subject_id = d.subject_id and f.charttime = d.charttime
                                       and f.itemid in (223834, 227582, 227287))""") > 0
    # several devices at one time, among them a NIV mask next to a nasal cannula
    assert one(con, """select count(*) from (select subject_id, charttime from ce where itemid = 226732 group by all
                       having count(*) > 1 and bool_or(value = 'Nasal cannula') and bool_or(value like '%ap mask '))""") > 0
    assert one(con, "select count(*) from ce where itemid in (227582, 227287) and valuenum > 0") > 0
