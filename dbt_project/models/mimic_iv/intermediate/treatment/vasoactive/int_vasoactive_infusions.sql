-- One row per icu.inputevents row of a VIS agent: the rate normalised to the agent's canonical unit
-- (seed vis_unit_conversions), the weight used, and a data-quality status. Nothing is dropped here:
-- rows that cannot enter VIS keep is_valid = false and the reason in dq_status (counted in the
-- data_quality mart).
with inputevents as (

    select * from {{ ref('stg_mimic__inputevents') }}

),

vis_agents as (

    select * from {{ ref('vis_agents') }}

),

vis_unit_conversions as (

    select * from {{ ref('vis_unit_conversions') }}

),

vis_rate_limits as (

    select * from {{ ref('vis_rate_limits') }}

),

weight_plausibility as (

    select * from {{ ref('weight_plausibility') }}

),

first_day_weight as (

    select * from {{ ref('int_first_day_weight') }}

),

agent_rows as (

    select
        inputevents.subject_id,
        inputevents.hadm_id,
        inputevents.stay_id,
        inputevents.orderid,
        inputevents.linkorderid,
        inputevents.itemid,
        vis_agents.agent,
        vis_agents.canonical_rate_unit,
        inputevents.starttime,
        inputevents.endtime,
        inputevents.rate,
        inputevents.rateuom,
        inputevents.amount,
        inputevents.amountuom,
        inputevents.statusdescription,
        inputevents.patientweight,
    from inputevents
    inner join vis_agents
        on inputevents.itemid = vis_agents.itemid

),

weighted as (

    -- weight: the order's patientweight when plausible, else the first-day charted weight
    select
        agent_rows.*,
        agent_rows.patientweight between weight_plausibility.min_weight_kg
            and weight_plausibility.max_weight_kg as is_patientweight_plausible,
        case
            when agent_rows.patientweight between weight_plausibility.min_weight_kg
                and weight_plausibility.max_weight_kg
                then agent_rows.patientweight
            when first_day_weight.weight_kg between weight_plausibility.min_weight_kg
                and weight_plausibility.max_weight_kg
                then first_day_weight.weight_kg
        end as weight_kg,
        case
            when agent_rows.patientweight between weight_plausibility.min_weight_kg
                and weight_plausibility.max_weight_kg
                then 'inputevents'
            when first_day_weight.weight_kg between weight_plausibility.min_weight_kg
                and weight_plausibility.max_weight_kg
                then 'first_day_chartevents'
        end as weight_source,
    from agent_rows
    cross join weight_plausibility
    left join first_day_weight
        on agent_rows.stay_id = first_day_weight.stay_id

),

converted as (

    select
        weighted.*,
        vis_unit_conversions.rule as unit_rule,
        vis_unit_conversions.multiply_by <> 1
            or vis_unit_conversions.divide_by <> 1
            or vis_unit_conversions.divide_by_weight as is_unit_converted,
        coalesce(vis_unit_conversions.divide_by_weight, false) as needs_weight,
        weighted.rate * vis_unit_conversions.multiply_by / vis_unit_conversions.divide_by
            / case when vis_unit_conversions.divide_by_weight then weighted.weight_kg else 1 end
            as rate_canonical,
        vis_rate_limits.max_rate,
    from weighted
    left join vis_unit_conversions
        on weighted.agent = vis_unit_conversions.agent
        -- units as charted vary in case and spacing (MCG/KG/MIN): matched case-insensitively, trimmed
        and lower(trim(weighted.rateuom)) = lower(vis_unit_conversions.rateuom)
        and (
            vis_unit_conversions.when_patientweight_is_1 is null
            or vis_unit_conversions.when_patientweight_is_1 = (coalesce(weighted.patientweight, -1) = 1)
        )
    left join vis_rate_limits
        on weighted.agent = vis_rate_limits.agent

),

checked as (

    select
        subject_id,
        hadm_id,
        stay_id,
        orderid,
        linkorderid,
        itemid,
        agent,
        starttime,
        endtime,
        rate,
        rateuom,
        amount,
        amountuom,
        statusdescription,
        patientweight,
        weight_kg,
        weight_source,
        unit_rule,
        coalesce(is_unit_converted, false) as is_unit_converted,
        rate_canonical,
        canonical_rate_unit,
        max_rate,
        -- first failing check wins; order = most basic problem first
        case
            when stay_id is null then 'missing_stay_id'
            when starttime is null or endtime is null or endtime <= starttime then 'invalid_interval'
            -- NaN is a missing rate, not an implausible one (DuckDB orders NaN above every number)
            when rate is null or isnan(rate) then 'missing_rate'
            when unit_rule is null then 'unknown_rate_unit'
            when needs_weight and weight_kg is null then 'missing_weight'
            when rate_canonical < 0 then 'negative_rate'
            when rate_canonical > max_rate then 'implausible_rate'
            else 'ok'
        end as dq_status,
    from converted

),

final as (

    select
        *,
        dq_status = 'ok' as is_valid,
    from checked

)

select * from final
