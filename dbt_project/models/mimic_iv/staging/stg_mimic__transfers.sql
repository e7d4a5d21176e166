-- One row per ward transfer event (transfer_id): raw hosp.transfers, typed and selected by read_mimic;
-- MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'transfers')) }}

),

final as (

    select
        subject_id,
        hadm_id,
        transfer_id,
        eventtype,
        careunit,
        intime,
        outtime,
    from source

)

select * from final
