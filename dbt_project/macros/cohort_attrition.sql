{#
    cohort_attrition(steps_model, step_rules, patient_column): the attrition table of a cohort.

    steps_model holds one row per stay with a boolean passes_<step> column per cohort step (cumulative:
    true when the stay passes that step and every earlier one); step_rules is the seed listing the steps
    (step_order, step, rule). Returns one row per step, in order: stays and patients remaining after it
    and stays it excluded (previous step's n_stays - this step's n_stays). Shared by every source's
    cohort_attrition mart.
#}
{% macro cohort_attrition(steps_model, step_rules, patient_column) %}
with cohort_steps as (

    select * from {{ steps_model }}

),

step_rules as (

    select * from {{ step_rules }}

),

passes_long as (

    unpivot cohort_steps
    on columns('^passes_')
    into name step_column value passes

),

counts as (

    select
        replace(step_column, 'passes_', '') as step,
        count(*) filter (where passes) as n_stays,
        count(distinct {{ patient_column }}) filter (where passes) as n_patients,
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
        coalesce(
            lag(counts.n_stays) over (order by step_rules.step_order) - counts.n_stays,
            0
        ) as n_excluded,
    from step_rules
    left join counts
        on step_rules.step = counts.step

)

select * from final order by step_order
{% endmacro %}
