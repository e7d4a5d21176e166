-- One row per cohort stay per hour hr 0..vis_window_hours - 1 (hour h = [intime + h h, intime + (h + 1) h)): the six
-- agents' time-weighted mean rates and the total VIS. Columns are the modeling contract: stay_id,
-- hr, the agents of seed vis_agents in channel order, vis; nothing else (the trainer takes every non-key
-- column as a channel).
with cohort as (

    select * from {{ cohort_steps_model() }}
    where in_cohort

),

vasoactive_hourly as (

    select * from {{ ref('int_vasoactive_hourly') }}

),

spine as (

    select
        cohort.stay_id,
        unnest(range(0, {{ var('vis_window_hours') }})) as hr,
    from cohort

),

final as (

    select
        spine.stay_id,
        cast(spine.hr as integer) as hr,
        {%- for agent in vis_agents() %}
        coalesce(vasoactive_hourly.{{ agent.column }}, 0) as {{ agent.column }},
        {%- endfor %}
        coalesce(vasoactive_hourly.vis, 0) as vis,
    from spine
    left join vasoactive_hourly
        on spine.stay_id = vasoactive_hourly.stay_id
        and spine.hr = vasoactive_hourly.hr

)

select * from final order by stay_id, hr
