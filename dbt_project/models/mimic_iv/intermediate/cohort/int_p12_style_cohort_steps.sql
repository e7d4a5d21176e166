{{ config(materialized='table', enabled=var('source', 'mimic_iv') == 'mimic_iv') }}
-- One row per ICU stay: whether it passes each step of the PhysioNet-2012-style cohort (seed
-- p12_style_cohort_steps; cumulative passes_<step>), in_cohort and the first failed step. The per-stay
-- inputs (age, outcome known, Sepsis-3, first VIS start) come from int_cohort_steps, so the columns the
-- marts read are the paper cohort's; only the steps differ.
with stay_inputs as (

    select * from {{ ref('int_cohort_steps') }}

),

first_stays as (

    select
        stay_id,
        row_number() over (partition by subject_id order by intime, stay_id) = 1 as is_first_icu_stay,
    from stay_inputs

),

step_inputs as (

    select
        stay_inputs.subject_id,
        stay_inputs.hadm_id,
        stay_inputs.stay_id,
        stay_inputs.intime,
        stay_inputs.outtime,
        stay_inputs.first_vis_starttime,
        stay_inputs.is_sepsis3,
        stay_inputs.is_adult,
        first_stays.is_first_icu_stay,
        coalesce(stay_inputs.outtime >= stay_inputs.intime + interval 48 hour, false) as lasts_at_least_48h,
        stay_inputs.is_outcome_known,
    from stay_inputs
    inner join first_stays
        on stay_inputs.stay_id = first_stays.stay_id

),

cumulative as (

    -- passes_<step>: this step and every earlier one. Spelled out from the inputs (no aliases reused):
    -- int_cohort_steps has passes_* columns of the same names, which would shadow them
    select
        *,
        true as passes_all_icu_stays,
        is_adult as passes_adult,
        is_adult and is_first_icu_stay as passes_first_icu_stay,
        is_adult and is_first_icu_stay and lasts_at_least_48h as passes_icu_stay_at_least_48h,
        is_adult and is_first_icu_stay and lasts_at_least_48h and is_outcome_known as passes_icu_outcome_known,
    from step_inputs

),

final as (

    select
        *,
        passes_icu_outcome_known as in_cohort,
        case
            when not passes_adult then 'adult'
            when not passes_first_icu_stay then 'first_icu_stay'
            when not passes_icu_stay_at_least_48h then 'icu_stay_at_least_48h'
            when not passes_icu_outcome_known then 'icu_outcome_known'
        end as exclusion_step,
    from cumulative

)

select * from final
