-- One row per billed diagnosis of an admission (hadm_id, seq_num): raw hosp.diagnoses_icd, typed and selected
-- by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'diagnoses_icd')) }}

),

final as (

    select
        subject_id,
        hadm_id,
        seq_num,
        icd_code,
        icd_version,
    from source

)

select * from final
