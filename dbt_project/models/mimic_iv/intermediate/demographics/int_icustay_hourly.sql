-- Hour hr covers (endtime - 1 h, endtime]; hr 0 ends at the first HR rounded
-- up to the hour. Hours -24..-1 exist so that 24 h rolling windows are full.
with icustay_times as (

    select * from {{ ref('int_icustay_times') }}
    where intime_hr is not null

),

hours as (

    select
        stay_id,
        intime_hr,
        -- date_diff counts hour boundaries crossed, as mimic-code does
        unnest(generate_series(-24, date_diff('hour', intime_hr, outtime_hr))) as hr,
    from icustay_times

),

final as (

    select
        stay_id,
        hr,
        date_trunc('hour', intime_hr + interval 59 minute)
            + hr * interval 1 hour as endtime,
    from hours

)

select * from final
