-- One row per cohort stay: first-day SOFA, SAPS-II, LODS and OASIS with their components (every
-- sofa_/sapsii/lods/oasis column of the score models except probabilities).
with cohort as (

    select * from {{ cohort_steps_model() }}
    where in_cohort

),

first_day_sofa as (

    select stay_id, columns(c -> c like 'sofa%') from {{ ref('int_first_day_sofa') }}

),

sapsii as (

    select stay_id, columns(c -> c like 'sapsii%' and c not like '%prob%') from {{ ref('int_sapsii') }}

),

lods as (

    select stay_id, columns(c -> c like 'lods%' and c not like '%prob%') from {{ ref('int_lods') }}

),

oasis as (

    select stay_id, columns(c -> c like 'oasis%' and c not like '%prob%') from {{ ref('int_oasis') }}

),

final as (

    select
        cohort.stay_id,
        first_day_sofa.* exclude (stay_id),
        sapsii.* exclude (stay_id),
        lods.* exclude (stay_id),
        oasis.* exclude (stay_id),
    from cohort
    left join first_day_sofa
        on cohort.stay_id = first_day_sofa.stay_id
    left join sapsii
        on cohort.stay_id = sapsii.stay_id
    left join lods
        on cohort.stay_id = lods.stay_id
    left join oasis
        on cohort.stay_id = oasis.stay_id

)

select * from final order by stay_id
