-- Ventilation episodes: each charted time gets the highest-priority status its
-- device / vent mode implies (Tracheostomy > InvasiveVent > NonInvasiveVent >
-- HFNC > SupplementalOxygen > None); consecutive rows with the same status
-- form an episode, and a gap of >= 14 h (hour boundaries) since the previous
-- same-status row starts a new one. An episode ends at the next charted time
-- of any status (or at its own last row when that is >= 14 h away). Episodes
-- with a single timestamp are dropped.
with

ventilator_setting as (
    select * from {{ ref('int_ventilator_setting') }}
),

oxygen_delivery as (
    select * from {{ ref('int_oxygen_delivery') }}
),

status_map as (
    select * from {{ ref('ventilation_status_map') }}
),

charted_values as (
    -- only the first device slot counts, as in mimic-code
    select stay_id, charttime, 'o2_delivery_device' as source, o2_delivery_device_1 as charted_value
    from oxygen_delivery
    union all
    select stay_id, charttime, 'ventilator_mode' as source, ventilator_mode as charted_value
    from ventilator_setting
    union all
    select stay_id, charttime, 'ventilator_mode_hamilton' as source, ventilator_mode_hamilton as charted_value
    from ventilator_setting
),

status_per_time as (
    select
        charted_values.stay_id,
        charted_values.charttime,
        arg_min(status_map.ventilation_status, status_map.priority) as ventilation_status,
    from charted_values
    inner join status_map
        on charted_values.source = status_map.source
        and trim(charted_values.charted_value) = trim(status_map.charted_value)
    where charted_values.stay_id is not null
    group by charted_values.stay_id, charted_values.charttime
),

with_neighbours as (
    select
        stay_id,
        charttime,
        ventilation_status,
        lag(charttime) over (partition by stay_id, ventilation_status order by charttime) as previous_same_status_charttime,
        lag(ventilation_status) over by_time as previous_status,
        lead(charttime) over by_time as next_charttime,
    from status_per_time
    window by_time as (partition by stay_id order by charttime)
),

flagged as (
    select
        *,
        case
            when date_diff('hour', previous_same_status_charttime, charttime) >= 14 then 1
            when previous_status is null then 1
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
