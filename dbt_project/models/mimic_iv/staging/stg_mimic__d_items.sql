-- One row per ICU item definition (itemid): raw icu.d_items, typed and selected by read_mimic; MIMIC-IV
-- column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'd_items')) }}

),

final as (

    select
        itemid,
        label,
        abbreviation,
        linksto,
        category,
        unitname,
        param_type,
        lownormalvalue,
        highnormalvalue,
    from source

)

select * from final
