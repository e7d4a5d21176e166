{{ config(alias='cohort_attrition') }}
-- One row per cohort step, in order: records (= stays = patients) remaining after the step, and
-- records excluded by it (previous step's n_stays - this step's n_stays).
with record_steps as (

    select * from {{ ref('int_p12__record_steps') }}

),

step_rules as (

    select * from {{ ref('p12_cohort_steps') }}

),

passes_long as (

    unpivot record_steps
    on columns('^passes_')
    into name step_column value passes

),

counts as (

    select
        replace(step_column, 'passes_', '') as step,
        count(*) filter (where passes) as n_stays,
        count(distinct record_id) filter (where passes) as n_patients,
    from passes_long
    group by step_column

),

final as (

    select
        step_rules.step_order,
        step_rules.step,
        step_rules.rule,
        coalesce(counts.n_stays, 0) as n_stays,
        coalesce(counts.n_patients, 0) as n_patients,
        coalesce(lag(counts.n_stays) over (order by step_rules.step_order) - counts.n_stays, 0) as n_excluded,
    from step_rules
    left join counts
        on step_rules.step = counts.step

)

select * from final order by step_order
