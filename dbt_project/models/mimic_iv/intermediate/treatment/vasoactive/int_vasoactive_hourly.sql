-- One row per ICU stay with any valid VIS-agent infusion per hour hr 0..vis_window_hours - 1 (hour h covers
-- [intime + h h, intime + (h + 1) h)): each agent's time-weighted mean rate in the hour and the VIS.
-- Mean rate = sum over the agent's infusion rows of rate x overlap seconds / 3600, so concurrent
-- infusions of one agent add up and an hour with no infusion is 0. VIS weights come from the
-- vis_agents seed, and so are the agent columns (macros/vis_agents.sql).
with infusions as (

    select * from {{ ref('int_vasoactive_infusions') }}

),

icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

vis_agents as (

    select * from {{ ref('vis_agents') }}

),

valid_infusions as (

    select
        infusions.stay_id,
        infusions.agent,
        infusions.starttime,
        infusions.endtime,
        infusions.rate_canonical,
        icu_stays.intime,
    from infusions
    inner join icu_stays
        on infusions.stay_id = icu_stays.stay_id
    where infusions.is_valid

),

infusion_hours as (

    -- each infusion row expanded to the window hours it overlaps (no row-by-hour cross join)
    select
        stay_id,
        agent,
        starttime,
        endtime,
        rate_canonical,
        intime,
        unnest(range(
            greatest(0, floor((epoch(starttime) - epoch(intime)) / 3600))::bigint,
            least({{ var('vis_window_hours') }}, ceil((epoch(endtime) - epoch(intime)) / 3600))::bigint
        )) as hr,
    from valid_infusions
    where endtime > intime
        and starttime < intime + to_hours({{ var('vis_window_hours') }})

),

hour_overlaps as (

    select
        stay_id,
        agent,
        hr,
        rate_canonical
            * (
                epoch(least(endtime, intime + to_hours(hr + 1)))
                - epoch(greatest(starttime, intime + to_hours(hr)))
            ) / 3600 as rate_x_hour_fraction,
    from infusion_hours

),

agent_hours as (

    select
        stay_id,
        hr,
        agent,
        -- ordered: floating-point sums then do not depend on the scan order, so a rebuild of the
        -- same input gives the same bits (and the same mart fingerprint)
        sum(rate_x_hour_fraction order by rate_x_hour_fraction) as mean_rate,
    from hour_overlaps
    group by stay_id, hr, agent

),

stays as (

    select distinct stay_id from valid_infusions

),

spine as (

    select
        stays.stay_id,
        unnest(range(0, {{ var('vis_window_hours') }})) as hr,
    from stays

),

final as (

    select
        spine.stay_id,
        spine.hr,
        {%- for agent in vis_agents() %}
        coalesce(sum(agent_hours.mean_rate) filter (where agent_hours.agent = '{{ agent.agent }}'), 0)
            as {{ agent.column }},
        {%- endfor %}
        coalesce(sum(agent_hours.mean_rate * vis_agents.vis_weight order by agent_hours.agent), 0) as vis,
    from spine
    left join agent_hours
        on spine.stay_id = agent_hours.stay_id
        and spine.hr = agent_hours.hr
    left join vis_agents
        on agent_hours.agent = vis_agents.agent
    group by spine.stay_id, spine.hr

)

select * from final
