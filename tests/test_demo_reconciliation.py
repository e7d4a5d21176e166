"""Sepsis-3 and first-day scores on the real MIMIC-IV demo, reconciled with a peer's mimic-code output.

The reference (`first_day_sofa_and_sepsis3_full_mimic_2.2.csv`, 140 stays) was computed with the
MIT-LCP mimic-code concepts on the full MIMIC-IV 2.2. The Sepsis-3 flag must agree for every stay.
First-day SOFA cannot agree everywhere: the demo's reconstructed chartevents lost its text values
(ventilation status, 'No Response-ETT') and the reference predates mimic-code's arterial-only
first-day PaO2/FiO2. Every disagreeing stay must show one of those documented causes
(docs/scores.md), and the exact-agreement floor below is what we measured.
"""
from __future__ import annotations

import duckdb
import pytest
from conftest import DEMO_REFERENCE, run_dbt

REFERENCE_CSV = DEMO_REFERENCE / "first_day_sofa_and_sepsis3_full_mimic_2.2.csv"
SCORE_MODELS = "+int_sepsis3 +int_first_day_sofa +int_sapsii +int_lods +int_oasis"
# measured on the demo v2.2 (docs/scores.md): 92 of 140 stays exactly equal
FIRST_DAY_SOFA_EXACT_FLOOR = 92
DEMO_STAYS = 140


@pytest.fixture(scope="module")
def warehouse(demo_dir, tmp_path_factory):
    if not REFERENCE_CSV.exists():
        pytest.skip(f"demo reference not found at {REFERENCE_CSV} (read in place from ../shared/data)")
    data_dir = tmp_path_factory.mktemp("wh_scores_demo")
    run_dbt(["build", "--select", SCORE_MODELS], demo_dir, data_dir)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    con.execute(f"create temp view reference as select * from read_csv('{REFERENCE_CSV}')")
    yield con
    con.close()


def test_sepsis3_flag_agrees_with_reference_for_every_stay(warehouse):
    rows = warehouse.execute("""
        select reference.stay_id, reference.sepsis, int_sepsis3.stay_id is not null as ours
        from reference
        left join int_sepsis3 on reference.stay_id = int_sepsis3.stay_id
    """).fetchall()
    assert len(rows) == DEMO_STAYS
    disagreeing = [(stay_id, ref, ours) for stay_id, ref, ours in rows if ref != ours]
    assert disagreeing == [], f"Sepsis-3 flag differs (stay_id, reference, ours): {disagreeing}"
    assert sum(ours for _, _, ours in rows) == 62


def test_sepsis3_onset_lies_in_the_suspicion_window(warehouse):
    outside = warehouse.execute("""
        select stay_id from int_sepsis3
        where sepsis3_onset_time < suspected_infection_time - interval 48 hour
            or sepsis3_onset_time > suspected_infection_time + interval 24 hour
            or sofa_24hours_at_onset < 2
    """).fetchall()
    assert outside == []


def test_first_day_sofa_agreement_floor(warehouse):
    exact, within_one, total = warehouse.execute("""
        select
            count(*) filter (where int_first_day_sofa.sofa_first_day = reference.first_day_sofa),
            count(*) filter (where abs(int_first_day_sofa.sofa_first_day - reference.first_day_sofa) <= 1),
            count(*),
        from reference
        inner join int_first_day_sofa on reference.stay_id = int_first_day_sofa.stay_id
    """).fetchone()
    print(f"first-day SOFA vs reference: {exact}/{total} exact, {within_one}/{total} within 1 point")
    assert total == DEMO_STAYS
    assert exact >= FIRST_DAY_SOFA_EXACT_FLOOR


def test_every_first_day_sofa_difference_has_a_documented_cause(warehouse):
    # Causes (docs/scores.md): (1) a GCS verbal 'No Response' charted on day 1 - the demo lost the
    # text that says whether it was 'No Response-ETT' (=> GCS 15); (2) ventilator modes charted on
    # day 1 next to arterial gases - the demo lost the mode text, so no InvasiveVent episode exists;
    # (3) a non-arterial gas with a PaO2/FiO2 on day 1 - the reference's mimic-code release still
    # scored any specimen.
    rows = warehouse.execute("""
        with stays as (
            select * from int_icu_stays
        ),

        day1_chart as (
            select stays.stay_id, chartevents.itemid, chartevents.valuenum,
            from stays
            inner join stg_mimic__chartevents as chartevents
                on stays.stay_id = chartevents.stay_id
                and chartevents.charttime between stays.intime - interval 6 hour
                    and stays.intime + interval 24 hour
            where chartevents.itemid in (223900, 223849, 229314)
        ),

        day1_gas as (
            select stays.stay_id, blood_gas.specimen, blood_gas.pao2fio2ratio,
            from stays
            inner join int_blood_gas as blood_gas
                on stays.subject_id = blood_gas.subject_id
                and blood_gas.charttime between stays.intime - interval 6 hour
                    and stays.intime + interval 24 hour
        ),

        causes as (
            select
                stays.stay_id,
                exists (select 1 from day1_chart as c where c.stay_id = stays.stay_id
                        and c.itemid = 223900 and c.valuenum = 1) as has_verbal_no_response,
                exists (select 1 from day1_chart as c where c.stay_id = stays.stay_id
                        and c.itemid in (223849, 229314))
                    and exists (select 1 from day1_gas as g where g.stay_id = stays.stay_id
                        and g.specimen = 'ART.' and g.pao2fio2ratio is not null) as has_untyped_ventilation,
                exists (select 1 from day1_gas as g where g.stay_id = stays.stay_id
                        and coalesce(g.specimen, '') != 'ART.'
                        and g.pao2fio2ratio is not null) as has_non_arterial_pafi,
            from stays
        )

        select reference.stay_id, reference.first_day_sofa, int_first_day_sofa.sofa_first_day,
            causes.has_verbal_no_response, causes.has_untyped_ventilation, causes.has_non_arterial_pafi,
        from reference
        inner join int_first_day_sofa on reference.stay_id = int_first_day_sofa.stay_id
        inner join causes on reference.stay_id = causes.stay_id
        where reference.first_day_sofa != int_first_day_sofa.sofa_first_day
    """).fetchall()
    unexplained = [row[:3] for row in rows if not any(row[3:])]
    assert unexplained == [], \
        f"first-day SOFA differs without a documented cause (stay_id, reference, ours): {unexplained}"


@pytest.mark.parametrize("model, column, low, high", [
    ("int_first_day_sofa", "sofa_first_day", 0, 24),
    ("int_lods", "lods", 0, 22),
    ("int_sapsii", "sapsii", 0, 163),
    ("int_oasis", "oasis", 0, 75),
])
def test_scores_cover_every_stay_within_range(warehouse, model, column, low, high):
    n_rows, n_stays, n_null, lowest, highest = warehouse.execute(f"""
        select count(*), count(distinct {model}.stay_id), count(*) - count({column}), min({column}), max({column})
        from int_icu_stays
        left join {model} on int_icu_stays.stay_id = {model}.stay_id
    """).fetchone()
    assert (n_rows, n_stays, n_null) == (DEMO_STAYS, DEMO_STAYS, 0)
    assert low <= lowest and highest <= high
    # a real spread, not a constant: the demo holds both mild and severe stays
    assert highest - lowest >= 10


def test_probabilities_follow_the_published_equations(warehouse):
    worst = warehouse.execute("""
        select
            max(abs(sapsii_prob - 1 / (1 + exp(-(-7.7631 + 0.0737 * sapsii + 0.9971 * ln(sapsii + 1)))))),
            (select max(abs(oasis_prob - 1 / (1 + exp(-(-6.1746 + 0.1275 * oasis))))) from int_oasis),
        from int_sapsii
    """).fetchone()
    assert max(worst) < 1e-12
