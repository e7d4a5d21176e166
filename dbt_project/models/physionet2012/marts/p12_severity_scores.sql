{{ config(alias='severity_scores') }}
-- One row per cohort record: the challenge's first-day SOFA and SAPS-I (Outcomes-X.txt; NULL where -1).
with cohort as (

    select * from {{ ref('int_p12__record_steps') }}
    where in_cohort

),

outcomes as (

    select * from {{ ref('stg_p12__outcomes') }}

),

final as (

    select
        cohort.record_id as stay_id,
        outcomes.sofa,
        outcomes.saps_i,
    from cohort
    left join outcomes
        on cohort.record_id = outcomes.record_id

)

select * from final order by stay_id
