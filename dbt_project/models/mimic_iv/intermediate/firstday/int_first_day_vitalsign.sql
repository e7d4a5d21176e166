-- First-day window [intime - 6 h, intime + 24 h], by stay.
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

vitalsign as (

    select * from {{ ref('int_vitalsign') }}

),

final as (

    select
        icu_stays.subject_id,
        icu_stays.stay_id,
        min(vitalsign.heart_rate) as heart_rate_min,
        max(vitalsign.heart_rate) as heart_rate_max,
        min(vitalsign.sbp) as sbp_min,
        max(vitalsign.sbp) as sbp_max,
        min(vitalsign.dbp) as dbp_min,
        max(vitalsign.dbp) as dbp_max,
        min(vitalsign.mbp) as mbp_min,
        max(vitalsign.mbp) as mbp_max,
        min(vitalsign.resp_rate) as resp_rate_min,
        max(vitalsign.resp_rate) as resp_rate_max,
        min(vitalsign.temperature_c) as temperature_c_min,
        max(vitalsign.temperature_c) as temperature_c_max,
        min(vitalsign.spo2) as spo2_min,
        min(vitalsign.glucose) as glucose_min,
        max(vitalsign.glucose) as glucose_max,
    from icu_stays
    left join vitalsign
        on icu_stays.stay_id = vitalsign.stay_id
        and vitalsign.charttime >= icu_stays.intime - interval 6 hour
        and vitalsign.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.subject_id, icu_stays.stay_id

)

select * from final
