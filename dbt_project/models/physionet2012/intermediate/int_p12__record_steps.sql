-- One row per record file: whether it passes each cohort step of seed p12_cohort_steps
-- (passes_<step> columns, cumulative), in_cohort, and the first failed step.
with records as (

    select * from {{ ref('stg_p12__records') }}

),

outcomes as (

    select * from {{ ref('stg_p12__outcomes') }}

),

checks as (

    select
        records.record_id,
        records.set_name,
        true as passes_all_records,
        -- var p12_scoring (pipelines/predict.py): records without Outcomes are scored, not excluded
        {{ var('p12_scoring', false) }} or outcomes.record_id is not null as has_outcome,
        records.has_timeseries,
        {{ var('p12_scoring', false) }} or outcomes.in_hospital_death is not null as has_mortality_label,
    from records
    left join outcomes
        on records.record_id = outcomes.record_id

),

steps as (

    select
        record_id,
        set_name,
        passes_all_records,
        passes_all_records and has_outcome as passes_has_outcome,
        passes_all_records and has_outcome and has_timeseries as passes_has_timeseries,
        passes_all_records and has_outcome and has_timeseries and has_mortality_label
            as passes_mortality_label_known,
    from checks

),

final as (

    select
        *,
        passes_mortality_label_known as in_cohort,
        case
            when not passes_has_outcome then 'has_outcome'
            when not passes_has_timeseries then 'has_timeseries'
            when not passes_mortality_label_known then 'mortality_label_known'
        end as exclusion_step,
    from steps

)

select * from final
