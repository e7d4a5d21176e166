-- One row per lab measurement (labevent_id): raw hosp.labevents, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic('labevents') }}

),

final as (

    select
        labevent_id,
        subject_id,
        hadm_id,
        specimen_id,
        itemid,
        charttime,
        storetime,
        value,
        valuenum,
        valueuom,
        ref_range_lower,
        ref_range_upper,
        flag,
        priority,
    from source

)

select * from final
