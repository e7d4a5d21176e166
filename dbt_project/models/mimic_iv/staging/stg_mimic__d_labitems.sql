-- One row per lab item definition (itemid): raw hosp.d_labitems, typed and selected by read_mimic; MIMIC-IV
-- column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'd_labitems')) }}

),

final as (

    select
        itemid,
        label,
        fluid,
        category,
    from source

)

select * from final
