-- One row per data-quality rule (seed data_quality_rules) and per unit-conversion rule (seed
-- vis_unit_conversions): how many rows and stays it touched, so nothing is silently discarded or
-- changed. Rules that touched nothing are listed with 0. Physiology rules count the values of cohort
-- stays' first 48 h (int_physiology_measurements).
with infusions as (

    select * from {{ ref('int_vasoactive_infusions') }}

),

outcomes as (

    select * from {{ ref('int_stay_outcomes') }}

),

icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

cohort_steps as (

    select * from {{ cohort_steps_model() }}

),

chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

unmapped_ventilation_text as (

    select * from {{ ref('int_unmapped_ventilation_text') }}

),

weight_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'weight'

),

physiology as (

    select * from {{ ref('int_physiology_measurements') }}

),

rules as (

    select * from {{ ref('data_quality_rules') }}

),

unit_rules as (

    select * from {{ ref('vis_unit_conversions') }}

),

rule_hits as (

    select dq_status as rule, stay_id from infusions where dq_status <> 'ok'
    union all
    select 'zero_rate', stay_id from infusions where is_valid and rate_canonical = 0
    union all
    select 'patientweight_implausible', stay_id from infusions
    where not coalesce(weight_source = 'inputevents', false)
    union all
    select 'weight_from_first_day_chart', stay_id from infusions
    where weight_source = 'first_day_chartevents'
    union all
    select 'icu_outcome_unknown', stay_id from outcomes where not is_outcome_known
    union all
    select 'age_missing', stay_id from icu_stays where age is null
    union all
    select 'outside_48h_window', infusions.stay_id
    from infusions
    inner join cohort_steps
        on infusions.stay_id = cohort_steps.stay_id
    where infusions.is_valid
        and cohort_steps.in_cohort
        and (
            infusions.endtime <= cohort_steps.intime
            or infusions.starttime >= cohort_steps.intime + to_hours({{ var('vis_window_hours') }})
        )
    union all
    select 'charted_weight_out_of_range', stay_id
    from chartevents
    where itemid in (select itemid from weight_itemids)
        and not coalesce(valuenum > 0 and valuenum < 1500, false)
    union all
    select 'unmapped_' || source, stay_id from unmapped_ventilation_text
    union all
    select 'physiology_' || dq_status, stay_id from physiology where dq_status <> 'ok'
    union all
    select conversion_rule, stay_id from physiology where conversion_rule is not null

),

rule_counts as (

    select
        rules.rule,
        rules.category,
        rules.model,
        rules.action,
        rules.description,
        count(rule_hits.rule) as n_rows,
        count(distinct rule_hits.stay_id) as n_stays,
    from rules
    left join rule_hits
        on rules.rule = rule_hits.rule
    group by all

),

unit_counts as (

    select
        unit_rules.rule,
        'unit_conversion' as category,
        'int_vasoactive_infusions' as model,
        case
            when unit_rules.multiply_by = 1 and unit_rules.divide_by = 1 and not unit_rules.divide_by_weight
                then 'kept (canonical unit)'
            else 'rate converted'
        end as action,
        unit_rules.agent || ' ' || unit_rules.rateuom || ': ' || unit_rules.note as description,
        count(infusions.unit_rule) as n_rows,
        count(distinct infusions.stay_id) as n_stays,
    from unit_rules
    left join infusions
        on unit_rules.rule = infusions.unit_rule
    group by all

),

final as (

    select * from rule_counts
    union all
    select * from unit_counts

)

select * from final order by category, rule
