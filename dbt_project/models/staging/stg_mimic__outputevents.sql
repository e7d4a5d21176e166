-- One row per ICU output measurement (stay_id, charttime, itemid): raw icu.outputevents, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic('outputevents') }}

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
        valueuom,
    from source

)

select * from final
