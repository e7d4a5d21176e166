-- One row per cohort stay: the static features in raw form (numeric = continuous, string =
-- categorical; the modeling layer encodes them).
with cohort as (

    select * from {{ cohort_steps_model() }}
    where in_cohort

),

icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

final as (

    select
        icu_stays.stay_id,
        icu_stays.gender,
        cast(icu_stays.age as double) as age,
        icu_stays.insurance,
        icu_stays.marital_status,
        icu_stays.race,
    from cohort
    inner join icu_stays
        on cohort.stay_id = icu_stays.stay_id

)

select * from final order by stay_id
