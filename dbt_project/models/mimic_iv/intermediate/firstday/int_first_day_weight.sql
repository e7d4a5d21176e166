-- One row per ICU stay with a charted weight: first-day weight in kg (mimic-code first_day_weight:
-- the mean of weight intervals starting on or before intime + 24 h).
with weight_durations as (

    select * from {{ ref('int_weight_durations') }}

),

icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

final as (

    select
        icu_stays.stay_id,
        avg(weight_durations.weight_kg) as weight_kg,
        avg(weight_durations.weight_kg) filter (where weight_durations.weight_type = 'admit') as weight_admit_kg,
        min(weight_durations.weight_kg) as weight_min_kg,
        max(weight_durations.weight_kg) as weight_max_kg,
    from icu_stays
    inner join weight_durations
        on icu_stays.stay_id = weight_durations.stay_id
        and weight_durations.starttime <= icu_stays.intime + interval 24 hour
    group by icu_stays.stay_id

)

select * from final
