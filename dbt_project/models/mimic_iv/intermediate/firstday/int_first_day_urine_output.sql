-- Urine volume charted in [intime, intime + 24 h] (no look-back, no
-- extrapolation for stays shorter than a day).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

urine_output as (

    select * from {{ ref('int_urine_output') }}

),

final as (

    select
        icu_stays.subject_id,
        icu_stays.stay_id,
        sum(urine_output.urine_output_ml) as urine_output_ml,
    from icu_stays
    left join urine_output
        on icu_stays.stay_id = urine_output.stay_id
        and urine_output.charttime >= icu_stays.intime
        and urine_output.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.subject_id, icu_stays.stay_id

)

select * from final
