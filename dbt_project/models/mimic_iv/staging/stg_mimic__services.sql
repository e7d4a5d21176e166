-- One row per service change within an admission (hadm_id, transfertime): raw hosp.services, typed and
-- selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'services')) }}

),

final as (

    select
        subject_id,
        hadm_id,
        transfertime,
        prev_service,
        curr_service,
    from source

)

select * from final
