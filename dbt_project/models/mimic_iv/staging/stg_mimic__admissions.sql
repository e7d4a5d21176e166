-- One row per hospital admission (hadm_id): raw hosp.admissions, typed and selected by read_mimic; MIMIC-IV
-- column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'admissions')) }}

),

final as (

    select
        subject_id,
        hadm_id,
        admittime,
        dischtime,
        deathtime,
        admission_type,
        admission_location,
        discharge_location,
        insurance,
        language,
        marital_status,
        race,
        edregtime,
        edouttime,
        hospital_expire_flag,
    from source

)

select * from final
