-- One row per cohort stay: ids, ICU times, care unit, anchor year group, labels (icu_mortality is the
-- primary label) and the first VIS-agent start.
with cohort_steps as (

    select * from {{ cohort_steps_model() }}

),

icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

outcomes as (

    select * from {{ ref('int_stay_outcomes') }}

),

sepsis3 as (

    select * from {{ ref('int_sepsis3') }}

),

final as (

    select
        icu_stays.subject_id,
        icu_stays.hadm_id,
        icu_stays.stay_id,
        icu_stays.intime,
        icu_stays.outtime,
        icu_stays.first_careunit,
        icu_stays.anchor_year_group,
        cast(outcomes.icu_mortality as integer) as icu_mortality,
        cast(outcomes.hospital_mortality as integer) as hospital_mortality,
        cast(outcomes.mortality_28d as integer) as mortality_28d,
        cohort_steps.first_vis_starttime,
        sepsis3.sepsis3_onset_time,
        -- hours of the VIS window (vis_window_hours) that start before ICU outtime: vis_hourly is 0 after outtime
        -- (discharge or death), so a short window is itself informative (docs/warehouse.md)
        cast(least({{ var('vis_window_hours') }}, ceil(epoch(icu_stays.outtime - icu_stays.intime) / 3600)) as integer)
            as icu_hours_in_vis_window,
    from cohort_steps
    inner join icu_stays
        on cohort_steps.stay_id = icu_stays.stay_id
    inner join outcomes
        on cohort_steps.stay_id = outcomes.stay_id
    left join sepsis3
        on cohort_steps.stay_id = sepsis3.stay_id
    where cohort_steps.in_cohort

)

select * from final order by stay_id
