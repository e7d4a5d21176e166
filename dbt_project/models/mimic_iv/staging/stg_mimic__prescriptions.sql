-- One row per prescription order line (pharmacy_id, drug): raw hosp.prescriptions, typed and selected by
-- read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'prescriptions')) }}

),

final as (

    select
        subject_id,
        hadm_id,
        pharmacy_id,
        poe_id,
        starttime,
        stoptime,
        drug_type,
        drug,
        formulary_drug_cd,
        gsn,
        ndc,
        prod_strength,
        dose_val_rx,
        dose_unit_rx,
        route,
    from source

)

select * from final
