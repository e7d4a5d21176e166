-- One row per channel of the hourly series the trainer reads (vis_hourly): unit, fill policy and
-- whether the trainer adds a 0/1 observed channel. VIS doses are 0 where no infusion runs, so every
-- channel fills with zero and needs no mask.
with vis_agents as (

    select * from {{ ref('vis_agents') }}

),

agents as (

    select
        vis_column as channel,
        channel_order,
        canonical_rate_unit as unit,
        'time-weighted mean ' || agent || ' rate in the hour' as description,
    from vis_agents

),

total_vis as (

    select
        'vis' as channel,
        (select count(*) from vis_agents) + 1 as channel_order,
        'points' as unit,
        'vasoactive-inotropic score: sum of agent rates x vis_weight (seed vis_agents)' as description,

),

final as (

    select
        'vis_hourly' as mart,
        channel,
        cast(channel_order as integer) as channel_order,
        unit,
        'zero' as fill_policy,
        false as observation_mask,
        -- doses are right-skewed with many zeros: log(1 + dose), then z-score
        'log1p_zscore' as transform,
        description,
    from (
        select * from agents
        union all by name
        select * from total_vis
    ) as channels

)

select * from final order by channel_order
