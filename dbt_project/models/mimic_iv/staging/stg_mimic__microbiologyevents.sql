-- One row per microbiology result row (microevent_id; several rows per micro_specimen_id): raw
-- hosp.microbiologyevents, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'microbiologyevents')) }}

),

final as (

    select
        microevent_id,
        subject_id,
        hadm_id,
        micro_specimen_id,
        cast(chartdate as date) as chartdate,
        charttime,
        spec_itemid,
        spec_type_desc,
        test_itemid,
        test_name,
        org_itemid,
        org_name,
        ab_itemid,
        ab_name,
        interpretation,
    from source

)

select * from final
