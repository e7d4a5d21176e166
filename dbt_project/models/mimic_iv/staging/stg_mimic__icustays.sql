-- One row per ICU stay (stay_id): raw icu.icustays, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'icustays')) }}

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        first_careunit,
        last_careunit,
        intime,
        outtime,
        los,
    from source

)

select * from final
