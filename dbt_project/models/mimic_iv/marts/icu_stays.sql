-- One row per ICU stay in the source: Sepsis-3 flag and onset, first-day scores, labels, cohort
-- membership and the first cohort step the stay fails.
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

cohort_steps as (

    select * from {{ cohort_steps_model() }}

),

outcomes as (

    select * from {{ ref('int_stay_outcomes') }}

),

sepsis3 as (

    select * from {{ ref('int_sepsis3') }}

),

first_day_sofa as (

    select * from {{ ref('int_first_day_sofa') }}

),

sapsii as (

    select * from {{ ref('int_sapsii') }}

),

lods as (

    select * from {{ ref('int_lods') }}

),

oasis as (

    select * from {{ ref('int_oasis') }}

),

final as (

    select
        icu_stays.subject_id,
        icu_stays.hadm_id,
        icu_stays.stay_id,
        icu_stays.intime,
        icu_stays.outtime,
        icu_stays.first_careunit,
        icu_stays.age,
        cohort_steps.is_sepsis3,
        sepsis3.sepsis3_onset_time,
        first_day_sofa.sofa_first_day,
        sapsii.sapsii,
        lods.lods,
        oasis.oasis,
        outcomes.icu_mortality,
        outcomes.hospital_mortality,
        outcomes.mortality_28d,
        cohort_steps.first_vis_starttime,
        cohort_steps.in_cohort,
        cohort_steps.exclusion_step,
    from icu_stays
    inner join cohort_steps
        on icu_stays.stay_id = cohort_steps.stay_id
    left join outcomes
        on icu_stays.stay_id = outcomes.stay_id
    left join sepsis3
        on icu_stays.stay_id = sepsis3.stay_id
    left join first_day_sofa
        on icu_stays.stay_id = first_day_sofa.stay_id
    left join sapsii
        on icu_stays.stay_id = sapsii.stay_id
    left join lods
        on icu_stays.stay_id = lods.stay_id
    left join oasis
        on icu_stays.stay_id = oasis.stay_id

)

select * from final
