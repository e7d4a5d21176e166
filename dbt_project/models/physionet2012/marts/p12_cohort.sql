{{ config(alias='cohort') }}
-- One row per cohort record (PhysioNet 2012: one ICU stay per patient, stay_id = subject_id =
-- RecordID) with its mortality label and outcome days from Outcomes-X.txt.
with steps as (

    select * from {{ ref('int_p12__record_steps') }}
    where in_cohort

),

outcomes as (

    select * from {{ ref('stg_p12__outcomes') }}

),

final as (

    select
        steps.record_id as stay_id,
        steps.record_id as subject_id,
        steps.set_name,
        outcomes.in_hospital_death as in_hospital_mortality,
        outcomes.length_of_stay_days,
        outcomes.survival_days,
    from steps
    -- left: with var p12_scoring (records to score, no Outcomes) the label is NULL; otherwise the
    -- cohort steps already require an outcome row
    left join outcomes
        on steps.record_id = outcomes.record_id

)

select * from final order by stay_id
