-- One row per ICU output measurement (stay_id, charttime, itemid): raw icu.outputevents, typed and selected
-- by read_mimic, only the itemids a concept reads (macros/staged_itemids.sql); MIMIC-IV column names kept.
-- depends_on: {{ ref('score_itemids') }} {{ ref('vis_agents') }} {{ ref('physiology_itemids') }}
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'outputevents')) }}
    where {{ staged_itemid_filter() }}

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        charttime,
        storetime,
        itemid,
        value,
        valueuom,
    from source

)

select * from final
