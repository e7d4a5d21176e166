-- One row per channel of the hourly series the trainer reads: unit, fill policy and whether the
-- trainer adds a 0/1 observed channel, grouped in channel sets, each held by one mart:
-- - vis (vis_hourly, the default set): VIS doses are 0 where no infusion runs, so every channel fills
--   with zero and needs no mask;
-- - physiology (physiology_hourly): the PhysioNet 2012 channels (seed p12_parameters), carried forward
--   then filled with the training median, with an observation mask (mech_vent_flag: zero, no mask).
-- in_default_set: the channels a trainer reads when no channel set is chosen (the paper's VIS).
with vis_agents as (

    select * from {{ ref('vis_agents') }}

),

p12_parameters as (

    select * from {{ ref('p12_parameters') }}
    where kind = 'timeseries'

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

vis_channels as (

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
        'vis' as channel_set,
        true as in_default_set,
    from (
        select * from agents
        union all by name
        select * from total_vis
    ) as channels

),

physiology_channels as (

    select
        'physiology_hourly' as mart,
        column_name as channel,
        cast(channel_order as integer) as channel_order,
        unit,
        fill_policy,
        -- observed/unobserved is informative; the zero-filled mech_vent_flag already means off
        fill_policy <> 'zero' as observation_mask,
        'zscore' as transform,
        case
            when column_name = 'urine_ml' then 'urine output in the hour (sum of the charted net volumes)'
            else description
        end as description,
        'physiology' as channel_set,
        false as in_default_set,
    from p12_parameters

),

final as (

    select * from vis_channels
    union all by name
    select * from physiology_channels

)

select * from final order by channel_set desc, channel_order asc
