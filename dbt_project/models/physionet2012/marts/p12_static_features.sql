{{ config(alias='static_features') }}
-- One row per cohort record: descriptors at ICU admission; NULL where missing (-1) or implausible.
with cohort as (

    select * from {{ ref('int_p12__record_steps') }}
    where in_cohort

),

descriptors as (

    select * from {{ ref('int_p12__descriptors') }}

),

final as (

    select
        cohort.record_id as stay_id,
        cast(descriptors.age as double) as age,
        descriptors.gender,
        descriptors.height_cm,
        descriptors.weight_kg,
        descriptors.icu_type,
    from cohort
    inner join descriptors
        on cohort.record_id = descriptors.record_id

)

select * from final order by stay_id
