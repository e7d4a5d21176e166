-- One row per ICU stay: whether it passes each cohort step (cumulatively, in the order of the
-- cohort_steps seed) and the first step it fails (exclusion_step; NULL for cohort stays).
-- Edge semantics (docs/warehouse.md): VIS starts use valid infusion rows (int_vasoactive_infusions,
-- is_valid) with rate > 0; an infusion already running at intime counts as started by then; "within
-- 24 h" is starttime < intime + 24 h; "> 24 h after" is outtime > first start + 24 h (strict).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

sepsis3 as (

    select * from {{ ref('int_sepsis3') }}

),

infusions as (

    select * from {{ ref('int_vasoactive_infusions') }}

),

outcomes as (

    select * from {{ ref('int_stay_outcomes') }}

),

vis_starts as (

    select
        infusions.stay_id,
        min(infusions.starttime) as first_vis_starttime,
        bool_or(
            infusions.endtime > icu_stays.intime
            and infusions.starttime < icu_stays.intime + to_hours({{ var('vis_window_hours') }})
        ) as has_vis_in_48h,
    from infusions
    inner join icu_stays
        on infusions.stay_id = icu_stays.stay_id
    where infusions.is_valid
        and infusions.rate_canonical > 0
    group by infusions.stay_id

),

step_inputs as (

    select
        icu_stays.subject_id,
        icu_stays.hadm_id,
        icu_stays.stay_id,
        icu_stays.intime,
        icu_stays.outtime,
        vis_starts.first_vis_starttime,
        sepsis3.stay_id is not null as is_sepsis3,
        coalesce(icu_stays.age >= 18, false) as is_adult,
        coalesce(vis_starts.first_vis_starttime < icu_stays.intime + interval 24 hour, false)
            as has_vis_within_24h,
        coalesce(icu_stays.outtime > vis_starts.first_vis_starttime + interval 24 hour, false)
            as has_icu_over_24h_after_vis,
        coalesce(outcomes.is_outcome_known, false) as is_outcome_known,
        (icu_stays.discharge_location is distinct from 'AGAINST ADVICE') as is_not_against_advice,
        coalesce(vis_starts.has_vis_in_48h, false) as has_vis_in_48h,
    from icu_stays
    left join sepsis3
        on icu_stays.stay_id = sepsis3.stay_id
    left join vis_starts
        on icu_stays.stay_id = vis_starts.stay_id
    left join outcomes
        on icu_stays.stay_id = outcomes.stay_id

),

first_stays as (

    -- step 4: the first stay by intime among the patient's stays passing steps 1-3
    select
        stay_id,
        row_number() over (partition by subject_id order by intime, stay_id) = 1 as is_first_stay,
    from step_inputs
    where is_sepsis3 and is_adult

),

cumulative as (

    -- passes_<step>: the stay passes this step and every earlier one (each builds on the
    -- previous alias: DuckDB resolves column aliases defined earlier in the same select)
    select
        step_inputs.*,
        true as passes_all_icu_stays,
        is_sepsis3 as passes_sepsis3,
        is_sepsis3 and is_adult as passes_adult,
        coalesce(first_stays.is_first_stay, false) as passes_first_qualifying_stay,
        passes_first_qualifying_stay
            and has_vis_within_24h as passes_vis_within_24h,
        passes_vis_within_24h
            and has_icu_over_24h_after_vis as passes_icu_stay_over_24h_after_vis,
        passes_icu_stay_over_24h_after_vis
            and is_outcome_known as passes_icu_outcome_known,
        passes_icu_outcome_known
            and is_not_against_advice as passes_not_against_advice,
        passes_not_against_advice
            and has_vis_in_48h as passes_vis_data_in_48h,
    from step_inputs
    left join first_stays
        on step_inputs.stay_id = first_stays.stay_id

),

final as (

    select
        *,
        passes_vis_data_in_48h as in_cohort,
        case
            when not passes_sepsis3 then 'sepsis3'
            when not passes_adult then 'adult'
            when not passes_first_qualifying_stay then 'first_qualifying_stay'
            when not passes_vis_within_24h then 'vis_within_24h'
            when not passes_icu_stay_over_24h_after_vis then 'icu_stay_over_24h_after_vis'
            when not passes_icu_outcome_known then 'icu_outcome_known'
            when not passes_not_against_advice then 'not_against_advice'
            when not passes_vis_data_in_48h then 'vis_data_in_48h'
        end as exclusion_step,
    from cumulative

)

select * from final
