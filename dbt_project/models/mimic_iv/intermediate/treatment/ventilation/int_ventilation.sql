-- Ventilation episodes from the status per charted time (int_ventilation_status):
-- consecutive times with the same status form an episode, and a gap of >= 14 h
-- (hour boundaries) since the previous time with that status starts a new one.
-- An episode ends at the next charted time of any status (or at its own last
-- time when that is >= 14 h away). Episodes with a single timestamp are
-- dropped (mimic-code ventilation).
with ventilation_status as (

    select * from {{ ref('int_ventilation_status') }}

),

with_neighbours as (

    select
        stay_id,
        charttime,
        ventilation_status,
        lag(charttime) over (partition by stay_id, ventilation_status order by charttime)
            as previous_same_status_charttime,
        lag(ventilation_status) over by_time as previous_status,
        lead(charttime) over by_time as next_charttime,
    from ventilation_status
    window by_time as (partition by stay_id order by charttime)

),

flagged as (

    select
        *,
        case
            when previous_status is null then 1
            when date_diff('hour', previous_same_status_charttime, charttime) >= 14 then 1
            when previous_status != ventilation_status then 1
            else 0
        end as is_new_episode,
    from with_neighbours

),

numbered as (

    select
        *,
        sum(is_new_episode) over (partition by stay_id order by charttime) as episode_number,
    from flagged

),

final as (

    select
        stay_id,
        min(charttime) as starttime,
        max(case
            when next_charttime is null or date_diff('hour', charttime, next_charttime) >= 14
                then charttime
            else next_charttime
        end) as endtime,
        max(ventilation_status) as ventilation_status,
    from numbered
    group by stay_id, episode_number
    having min(charttime) != max(charttime)

)

select * from final
