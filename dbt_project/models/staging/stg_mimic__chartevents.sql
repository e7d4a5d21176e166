-- One row per charted ICU observation (stay_id, charttime, itemid): raw icu.chartevents, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic('chartevents') }}

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        charttime,
        storetime,
        itemid,
        value,
        valuenum,
        valueuom,
        warning,
    from source

)

select * from final
