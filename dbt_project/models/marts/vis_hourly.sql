-- One row per cohort stay per hour hr 0..47 (hour h = [intime + h h, intime + (h + 1) h)): the six
-- agents' time-weighted mean rates and the total VIS. Columns are the modeling contract: stay_id,
-- hr, the six agents, vis; nothing else (the trainer takes every non-key column as a channel).
with cohort as (

    select * from {{ cohort_steps_model() }}
    where in_cohort

),

vasoactive_hourly as (

    select * from {{ ref('int_vasoactive_hourly') }}

),

spine as (

    select
        cohort.stay_id,
        unnest(range(0, 48)) as hr,
    from cohort

),

final as (

    select
        spine.stay_id,
        cast(spine.hr as integer) as hr,
        coalesce(vasoactive_hourly.dopamine_mcg_kg_min, 0) as dopamine_mcg_kg_min,
        coalesce(vasoactive_hourly.dobutamine_mcg_kg_min, 0) as dobutamine_mcg_kg_min,
        coalesce(vasoactive_hourly.epinephrine_mcg_kg_min, 0) as epinephrine_mcg_kg_min,
        coalesce(vasoactive_hourly.norepinephrine_mcg_kg_min, 0) as norepinephrine_mcg_kg_min,
        coalesce(vasoactive_hourly.milrinone_mcg_kg_min, 0) as milrinone_mcg_kg_min,
        coalesce(vasoactive_hourly.vasopressin_units_kg_min, 0) as vasopressin_units_kg_min,
        coalesce(vasoactive_hourly.vis, 0) as vis,
    from spine
    left join vasoactive_hourly
        on spine.stay_id = vasoactive_hourly.stay_id
        and spine.hr = vasoactive_hourly.hr

)

select * from final order by stay_id, hr
