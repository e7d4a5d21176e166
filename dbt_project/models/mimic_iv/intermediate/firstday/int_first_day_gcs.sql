-- First-day window [intime - 6 h, intime + 24 h], by stay.
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

gcs as (

    select * from {{ ref('int_gcs') }}

),

final as (

    select
        icu_stays.subject_id,
        icu_stays.stay_id,
        min(gcs.gcs) as gcs_min,
    from icu_stays
    left join gcs
        on icu_stays.stay_id = gcs.stay_id
        and gcs.charttime >= icu_stays.intime - interval 6 hour
        and gcs.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.subject_id, icu_stays.stay_id

)

select * from final
