-- Urine output over the 6 / 12 / 24 h before each urine charting, and the time
-- those charted volumes cover (each volume covers the time since the previous
-- charting; the first one the time since the first heart rate). Windows as
-- mimic-code: "24 h" = chartings in [t - 23 h, t] (each charting is assumed to
-- hold one hour of urine); "12 h" / "6 h" count hour boundaries (<= 11 / <= 5).
with icustay_times as (

    select * from {{ ref('int_icustay_times') }}

),

urine_output as (

    select * from {{ ref('int_urine_output') }}

),

time_since_last as (

    select
        urine_output.stay_id,
        urine_output.charttime,
        urine_output.urine_output_ml,
        epoch(
            urine_output.charttime
            - coalesce(
                lag(urine_output.charttime) over by_time,
                icustay_times.intime_hr
            )
        ) / 60.0 as minutes_since_last_uo,
    from urine_output
    inner join icustay_times
        on urine_output.stay_id = icustay_times.stay_id
    where icustay_times.intime_hr is not null
    window by_time as (partition by urine_output.stay_id order by urine_output.charttime)

),

windowed as (

    -- every charting of the stay in [t - 23 h, t] counts for "24 h" (elapsed time); "12 h" / "6 h"
    -- keep those at most 11 / 5 hour boundaries before t (mimic-code DATETIME_DIFF(..., HOUR))
    select
        current_uo.stay_id,
        current_uo.charttime,
        current_uo.urine_output_ml,
        sum(previous_uo.urine_output_ml) filter (
            where date_diff('hour', previous_uo.charttime, current_uo.charttime) <= 5
        ) as urine_output_6hr_ml,
        sum(previous_uo.minutes_since_last_uo) filter (
            where date_diff('hour', previous_uo.charttime, current_uo.charttime) <= 5
        ) / 60.0 as uo_tm_6hr,
        sum(previous_uo.urine_output_ml) filter (
            where date_diff('hour', previous_uo.charttime, current_uo.charttime) <= 11
        ) as urine_output_12hr_ml,
        sum(previous_uo.minutes_since_last_uo) filter (
            where date_diff('hour', previous_uo.charttime, current_uo.charttime) <= 11
        ) / 60.0 as uo_tm_12hr,
        sum(previous_uo.urine_output_ml) as urine_output_24hr_ml,
        sum(previous_uo.minutes_since_last_uo) / 60.0 as uo_tm_24hr,
    from time_since_last as current_uo
    inner join time_since_last as previous_uo
        on current_uo.stay_id = previous_uo.stay_id
        and previous_uo.charttime >= current_uo.charttime - interval 23 hour
        and previous_uo.charttime <= current_uo.charttime
    group by current_uo.stay_id, current_uo.charttime, current_uo.urine_output_ml

),

final as (

    select
        stay_id,
        charttime,
        urine_output_ml,
        urine_output_6hr_ml,
        urine_output_12hr_ml,
        urine_output_24hr_ml,
        -- rounded to 2 dp as mimic-code does before SOFA tests 22 <= h <= 30
        round(uo_tm_6hr, 2) as uo_tm_6hr,
        round(uo_tm_12hr, 2) as uo_tm_12hr,
        round(uo_tm_24hr, 2) as uo_tm_24hr,
    from windowed

)

select * from final
