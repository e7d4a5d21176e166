-- One row per patient (subject_id): raw hosp.patients, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'patients')) }}

),

final as (

    select
        subject_id,
        gender,
        anchor_age,
        anchor_year,
        anchor_year_group,
        cast(dod as date) as dod,
    from source

)

select * from final
