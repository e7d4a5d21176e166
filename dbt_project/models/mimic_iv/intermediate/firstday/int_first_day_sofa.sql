-- SOFA over the first ICU day: [intime - 6 h, intime + 24 h] for gases, vitals,
-- labs (by subject_id), GCS and vasopressor start times; urine output summed
-- over [intime, intime + 24 h]. Unlike hourly SOFA, a ventilated-only PaO2/FiO2
-- of 200-399 scores 0 here (mimic-code first_day_sofa has no vent < 300 / < 400
-- arms). Vasopressors count by start time only: an infusion started before
-- intime - 6 h and still running is not seen (mimic-code).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

blood_gas as (

    select * from {{ ref('int_blood_gas') }}

),

ventilation as (

    select * from {{ ref('int_ventilation') }}

),

vasopressor_infusions as (

    select * from {{ ref('int_sofa_vasopressor_infusions') }}

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

vasopressor_first_day as (

    select
        icu_stays.stay_id,
        max(case
            when vasopressor_infusions.vasopressor = 'norepinephrine' then vasopressor_infusions.rate_mcg_kg_min
        end) as rate_norepinephrine,
        max(case
            when vasopressor_infusions.vasopressor = 'epinephrine' then vasopressor_infusions.rate_mcg_kg_min
        end) as rate_epinephrine,
        max(case
            when vasopressor_infusions.vasopressor = 'dopamine' then vasopressor_infusions.rate_mcg_kg_min
        end) as rate_dopamine,
        max(case
            when vasopressor_infusions.vasopressor = 'dobutamine' then vasopressor_infusions.rate_mcg_kg_min
        end) as rate_dobutamine,
    from icu_stays
    inner join vasopressor_infusions
        on icu_stays.stay_id = vasopressor_infusions.stay_id
        and vasopressor_infusions.starttime >= icu_stays.intime - interval 6 hour
        and vasopressor_infusions.starttime <= icu_stays.intime + interval 1 day
    group by icu_stays.stay_id

),

arterial_pafi as (

    select
        icu_stays.stay_id,
        blood_gas.pao2fio2ratio,
        ventilation.stay_id is not null as is_ventilated,
    from icu_stays
    inner join blood_gas
        on icu_stays.subject_id = blood_gas.subject_id
        and blood_gas.charttime >= icu_stays.intime - interval 6 hour
        and blood_gas.charttime <= icu_stays.intime + interval 1 day
        and blood_gas.specimen = 'ART.'
    left join ventilation
        on icu_stays.stay_id = ventilation.stay_id
        and blood_gas.charttime >= ventilation.starttime
        and blood_gas.charttime <= ventilation.endtime
        and ventilation.ventilation_status = 'InvasiveVent'

),

pafi_first_day as (

    select
        stay_id,
        min(case when not is_ventilated then pao2fio2ratio end) as pao2fio2_novent_min,
        min(case when is_ventilated then pao2fio2ratio end) as pao2fio2_vent_min,
    from arterial_pafi
    group by stay_id

),

inputs as (

    select
        icu_stays.subject_id,
        icu_stays.hadm_id,
        icu_stays.stay_id,
        first_day_vitalsign.mbp_min,
        vasopressor_first_day.rate_norepinephrine,
        vasopressor_first_day.rate_epinephrine,
        vasopressor_first_day.rate_dopamine,
        vasopressor_first_day.rate_dobutamine,
        first_day_lab.creatinine_max,
        first_day_lab.bilirubin_total_max as bilirubin_max,
        first_day_lab.platelets_min as platelet_min,
        pafi_first_day.pao2fio2_novent_min,
        pafi_first_day.pao2fio2_vent_min,
        first_day_urine_output.urine_output_ml,
        first_day_gcs.gcs_min,
    from icu_stays
    left join vasopressor_first_day
        on icu_stays.stay_id = vasopressor_first_day.stay_id
    left join pafi_first_day
        on icu_stays.stay_id = pafi_first_day.stay_id
    left join first_day_vitalsign
        on icu_stays.stay_id = first_day_vitalsign.stay_id
    left join first_day_lab
        on icu_stays.stay_id = first_day_lab.stay_id
    left join first_day_urine_output
        on icu_stays.stay_id = first_day_urine_output.stay_id
    left join first_day_gcs
        on icu_stays.stay_id = first_day_gcs.stay_id

),

points as (

    select
        *,
        {{ sofa_respiration_points('pao2fio2_vent_min', 'pao2fio2_novent_min', include_ventilated_300_400=false) }}
            as sofa_respiration,
        {{ sofa_coagulation_points('platelet_min') }} as sofa_coagulation,
        {{ sofa_liver_points('bilirubin_max') }} as sofa_liver,
        {{ sofa_cardiovascular_points(
            'rate_dopamine', 'rate_dobutamine', 'rate_epinephrine', 'rate_norepinephrine', 'mbp_min'
        ) }} as sofa_cardiovascular,
        {{ sofa_cns_points('gcs_min') }} as sofa_cns,
        {{ sofa_renal_points('creatinine_max', 'urine_output_ml') }} as sofa_renal,
    from inputs

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        coalesce(sofa_respiration, 0)
            + coalesce(sofa_coagulation, 0)
            + coalesce(sofa_liver, 0)
            + coalesce(sofa_cardiovascular, 0)
            + coalesce(sofa_cns, 0)
            + coalesce(sofa_renal, 0) as sofa_first_day,
        sofa_respiration,
        sofa_coagulation,
        sofa_liver,
        sofa_cardiovascular,
        sofa_cns,
        sofa_renal,
    from points

)

select * from final
