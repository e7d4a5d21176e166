-- First and last heart rate (220045) charted within a month of the stay: the
-- time grid of the hourly scores starts at the first HR, not at intime.
with icustays as (

    select * from {{ ref('stg_mimic__icustays') }}

),

chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

heart_rate as (

    select
        stay_id,
        charttime,
    from chartevents
    where itemid in (
        select itemid from {{ ref('score_itemids') }}
        where concept = 'vitalsign' and measurement = 'heart_rate'
    )

),

heart_rate_span as (

    select
        icustays.stay_id,
        min(heart_rate.charttime) as intime_hr,
        max(heart_rate.charttime) as outtime_hr,
    from icustays
    inner join heart_rate
        on icustays.stay_id = heart_rate.stay_id
        and heart_rate.charttime > icustays.intime - interval 1 month
        and heart_rate.charttime < icustays.outtime + interval 1 month
    group by icustays.stay_id

),

final as (

    select
        icustays.subject_id,
        icustays.hadm_id,
        icustays.stay_id,
        heart_rate_span.intime_hr,
        heart_rate_span.outtime_hr,
    from icustays
    left join heart_rate_span
        on icustays.stay_id = heart_rate_span.stay_id

)

select * from final
