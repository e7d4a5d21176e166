-- Glasgow Coma Scale per charted time. 'No Response-ETT' (intubated) marks the
-- verbal part 0 and the total is then set to 15 (pre-sedation GCS assumed
-- normal, as mimic-code and the SAPS-II authors do). Missing components are
-- carried forward from the previous charted row only when it is < 6 h old.
with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

gcs_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'gcs'

),

gcs_pivoted as (

    select
        chartevents.subject_id,
        chartevents.stay_id,
        chartevents.charttime,
        max(case when gcs_itemids.measurement = 'gcs_motor' then chartevents.valuenum end) as gcs_motor,
        max(case
            when gcs_itemids.measurement = 'gcs_verbal' and chartevents.value = 'No Response-ETT' then 0
            when gcs_itemids.measurement = 'gcs_verbal' then chartevents.valuenum
        end) as gcs_verbal,
        max(case when gcs_itemids.measurement = 'gcs_eyes' then chartevents.valuenum end) as gcs_eyes,
        max(case
            when gcs_itemids.measurement = 'gcs_verbal' and chartevents.value = 'No Response-ETT' then 1
            else 0
        end) as gcs_unable,
    from chartevents
    inner join gcs_itemids
        on chartevents.itemid = gcs_itemids.itemid
    group by chartevents.subject_id, chartevents.stay_id, chartevents.charttime

),

with_previous as (

    select
        *,
        lag(charttime) over by_time as previous_charttime,
        lag(gcs_motor) over by_time as previous_gcs_motor_any_age,
        lag(gcs_verbal) over by_time as previous_gcs_verbal_any_age,
        lag(gcs_eyes) over by_time as previous_gcs_eyes_any_age,
    from gcs_pivoted
    window by_time as (partition by stay_id order by charttime)

),

previous_within_6h as (

    -- the previous row is only used when it is less than 6 hours old
    select
        *,
        case when previous_charttime > charttime - interval 6 hour then previous_gcs_motor_any_age end
            as previous_gcs_motor,
        case when previous_charttime > charttime - interval 6 hour then previous_gcs_verbal_any_age end
            as previous_gcs_verbal,
        case when previous_charttime > charttime - interval 6 hour then previous_gcs_eyes_any_age end
            as previous_gcs_eyes,
    from with_previous

),

final as (

    select
        subject_id,
        stay_id,
        charttime,
        case
            when gcs_verbal = 0 then 15
            when gcs_verbal is null and previous_gcs_verbal = 0 then 15
            -- intubated before but not now: do not carry the old components forward
            when previous_gcs_verbal = 0
                then coalesce(gcs_motor, 6) + coalesce(gcs_verbal, 5) + coalesce(gcs_eyes, 4)
            else coalesce(gcs_motor, previous_gcs_motor, 6)
                + coalesce(gcs_verbal, previous_gcs_verbal, 5)
                + coalesce(gcs_eyes, previous_gcs_eyes, 4)
        end as gcs,
        coalesce(gcs_motor, previous_gcs_motor) as gcs_motor,
        coalesce(gcs_verbal, previous_gcs_verbal) as gcs_verbal,
        coalesce(gcs_eyes, previous_gcs_eyes) as gcs_eyes,
        gcs_unable,
    from previous_within_6h

)

select * from final
