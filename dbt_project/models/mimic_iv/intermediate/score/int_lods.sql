-- LODS (Le Gall 1996) from the first_day_* helpers ([intime - 6 h, intime +
-- 24 h]; urine [intime, intime + 24 h]). Pulmonary PaO2/FiO2: gases of the
-- same admission of any specimen type (mimic-code: no 'ART.' filter), kept
-- while invasively ventilated or inside the CPAP interval (CPAP / BiPAP mask
-- charted in [intime, intime + 24 h], first - 1 h to last + 4 h), within the
-- first 24 h (var lods_pao2fio2_window; mimic-code's whole-stay window leaks
-- late gases into a first-day score, see docs/scores.md).
-- Hepatic: the standard PT is assumed to be 12 s (mimic-code).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

oxygen_device_chartings as (

    select * from {{ ref('int_oxygen_device_chartings') }}

),

blood_gas as (

    select * from {{ ref('int_blood_gas') }}

),

ventilation as (

    select * from {{ ref('int_ventilation') }}

),

first_day_vitalsign as (

    select * from {{ ref('int_first_day_vitalsign') }}

),

first_day_lab as (

    select * from {{ ref('int_first_day_lab') }}

),

first_day_gcs as (

    select * from {{ ref('int_first_day_gcs') }}

),

first_day_urine_output as (

    select * from {{ ref('int_first_day_urine_output') }}

),

cpap as (

    select
        icu_stays.stay_id,
        min(oxygen_device_chartings.charttime - interval 1 hour) as starttime,
        max(oxygen_device_chartings.charttime + interval 4 hour) as endtime,
    from icu_stays
    inner join oxygen_device_chartings
        on icu_stays.stay_id = oxygen_device_chartings.stay_id
        and oxygen_device_chartings.charttime >= icu_stays.intime
        and oxygen_device_chartings.charttime <= icu_stays.intime + interval 1 day
    where lower(oxygen_device_chartings.value) like '%cpap%'
        or lower(oxygen_device_chartings.value) like '%bipap mask%'
    group by icu_stays.stay_id

),

ventilated_pafi as (

    select
        icu_stays.stay_id,
        min(blood_gas.pao2fio2ratio) as pao2fio2_vent_min,
    from blood_gas
    inner join icu_stays
        on blood_gas.hadm_id = icu_stays.hadm_id
        and blood_gas.charttime >= icu_stays.intime
        and blood_gas.charttime < icu_stays.outtime
        {%- if var('lods_pao2fio2_window', 'first_day') == 'first_day' %}
        -- deliberate deviation (docs/scores.md): mimic-code takes gases over the whole ICU stay, which
        -- lets terminal gases of patients who die into a first-day score the model uses as input
        and blood_gas.charttime <= icu_stays.intime + interval 1 day
        {%- endif %}
    left join ventilation
        on icu_stays.stay_id = ventilation.stay_id
        and blood_gas.charttime >= ventilation.starttime
        and blood_gas.charttime <= ventilation.endtime
        and ventilation.ventilation_status = 'InvasiveVent'
    left join cpap
        on icu_stays.stay_id = cpap.stay_id
        and blood_gas.charttime >= cpap.starttime
        and blood_gas.charttime <= cpap.endtime
    where ventilation.stay_id is not null
        or cpap.stay_id is not null
    group by icu_stays.stay_id

),

inputs as (

    select
        icu_stays.subject_id,
        icu_stays.hadm_id,
        icu_stays.stay_id,
        first_day_gcs.gcs_min,
        first_day_vitalsign.heart_rate_max,
        first_day_vitalsign.heart_rate_min,
        first_day_vitalsign.sbp_max,
        first_day_vitalsign.sbp_min,
        ventilated_pafi.pao2fio2_vent_min,
        first_day_lab.bun_max,
        first_day_lab.wbc_max,
        first_day_lab.wbc_min,
        first_day_lab.bilirubin_total_max as bilirubin_max,
        first_day_lab.creatinine_max,
        first_day_lab.pt_min,
        first_day_lab.pt_max,
        first_day_lab.platelets_min as platelet_min,
        first_day_urine_output.urine_output_ml,
    from icu_stays
    left join first_day_gcs on icu_stays.stay_id = first_day_gcs.stay_id
    left join first_day_vitalsign on icu_stays.stay_id = first_day_vitalsign.stay_id
    left join ventilated_pafi on icu_stays.stay_id = ventilated_pafi.stay_id
    left join first_day_lab on icu_stays.stay_id = first_day_lab.stay_id
    left join first_day_urine_output on icu_stays.stay_id = first_day_urine_output.stay_id

),

points as (

    select
        *,
        case
            when gcs_min < 3 then null
            when gcs_min <= 5 then 5
            when gcs_min <= 8 then 3
            when gcs_min <= 13 then 1
            when gcs_min is not null then 0
        end as lods_neurologic,
        case
            when heart_rate_max is null and sbp_min is null then null
            when heart_rate_min < 30 then 5
            when sbp_min < 40 then 5
            when sbp_min < 70 then 3
            when sbp_max >= 270 then 3
            when heart_rate_max >= 140 then 1
            when sbp_max >= 240 then 1
            when sbp_min < 90 then 1
            else 0
        end as lods_cardiovascular,
        case
            when bun_max is null or urine_output_ml is null or creatinine_max is null then null
            when urine_output_ml < 500.0 then 5
            when bun_max >= 56.0 then 5
            when creatinine_max >= 1.60 then 3
            when urine_output_ml < 750.0 then 3
            when bun_max >= 28.0 then 3
            when urine_output_ml >= 10000.0 then 3
            when creatinine_max >= 1.20 then 1
            when bun_max >= 7.50 then 1
            else 0
        end as lods_renal,
        case
            when pao2fio2_vent_min is null then 0
            when pao2fio2_vent_min >= 150 then 1
            when pao2fio2_vent_min < 150 then 3
        end as lods_pulmonary,
        case
            when wbc_max is null and platelet_min is null then null
            when wbc_min < 1.0 then 3
            when wbc_min < 2.5 then 1
            when platelet_min < 50.0 then 1
            when wbc_max >= 50.0 then 1
            else 0
        end as lods_hematologic,
        case
            when pt_max is null and bilirubin_max is null then null
            when bilirubin_max >= 2.0 then 1
            when pt_max > (12 + 3) then 1
            when pt_min < (12 * 0.25) then 1
            else 0
        end as lods_hepatic,
    from inputs

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        coalesce(lods_neurologic, 0)
            + coalesce(lods_cardiovascular, 0)
            + coalesce(lods_renal, 0)
            + coalesce(lods_pulmonary, 0)
            + coalesce(lods_hematologic, 0)
            + coalesce(lods_hepatic, 0) as lods,
        lods_neurologic,
        lods_cardiovascular,
        lods_renal,
        lods_pulmonary,
        lods_hematologic,
        lods_hepatic,
    from points

)

select * from final
