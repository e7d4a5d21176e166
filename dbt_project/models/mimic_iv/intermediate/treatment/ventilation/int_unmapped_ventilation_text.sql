-- Charted ventilation text the status map does not know: chartevents rows of
-- the ventilator modes (223849, 229314) and the O2 delivery device (226732)
-- whose value is not in seed ventilation_status_map for that source (e.g.
-- 'Standby', 'T-piece'). Such text implies no ventilation status; data_quality
-- counts it (rules unmapped_<source>) so that it is never silently ignored.
with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

text_itemids as (

    select * from {{ ref('score_itemids') }}
    where measurement in ('ventilator_mode', 'ventilator_mode_hamilton', 'o2_delivery_device')

),

status_map as (

    select * from {{ ref('ventilation_status_map') }}

),

final as (

    select
        chartevents.subject_id,
        chartevents.stay_id,
        chartevents.charttime,
        chartevents.itemid,
        text_itemids.measurement as source,
        chartevents.value,
    from chartevents
    inner join text_itemids
        on chartevents.itemid = text_itemids.itemid
    anti join status_map
        on text_itemids.measurement = status_map.source
        and chartevents.value = status_map.charted_value
    where chartevents.value is not null

)

select * from final
