-- One row per lab measurement (labevent_id): raw hosp.labevents, typed and selected by read_mimic, only the
-- itemids a concept reads (macros/staged_itemids.sql); MIMIC-IV column names kept.
-- depends_on: {{ ref('score_itemids') }} {{ ref('vis_agents') }} {{ ref('physiology_itemids') }}
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'labevents')) }}
    where {{ staged_itemid_filter() }}

),

final as (

    select
        labevent_id,
        subject_id,
        hadm_id,
        specimen_id,
        itemid,
        charttime,
        value,
        valuenum,
        valueuom,
    from source

)

select * from final
