-- Urine output over the 6 / 12 / 24 h before each urine charting, and the time
-- those charted volumes cover (each volume covers the time since the previous
-- charting; the first one the time since the first heart rate). Windows are
-- elapsed-time RANGE frames ([t - 23 h, t] for "24 h", as mimic-code: each
-- charting is assumed to hold one hour of urine).
with

icustay_times as (
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
    select
        stay_id,
        charttime,
        urine_output_ml,
        sum(urine_output_ml) over last_6h as urine_output_6hr_ml,
        sum(minutes_since_last_uo) over last_6h / 60.0 as uo_tm_6hr,
        sum(urine_output_ml) over last_12h as urine_output_12hr_ml,
        sum(minutes_since_last_uo) over last_12h / 60.0 as uo_tm_12hr,
        sum(urine_output_ml) over last_24h as urine_output_24hr_ml,
        sum(minutes_since_last_uo) over last_24h / 60.0 as uo_tm_24hr,
    from time_since_last
    window
        last_6h as (
            partition by stay_id order by charttime
            range between interval 5 hour preceding and current row
        ),
        last_12h as (
            partition by stay_id order by charttime
            range between interval 11 hour preceding and current row
        ),
        last_24h as (
            partition by stay_id order by charttime
            range between interval 23 hour preceding and current row
        )
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
