-- The O2 delivery device chartings (226732, free text such as 'CPAP mask',
-- 'Bipap mask'), filtered once from chartevents (433 M rows in MIMIC-IV) for
-- the CPAP intervals of SAPS II and LODS. Each score keeps its own text
-- pattern and window.
with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

oxygen_device_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'oxygen_delivery'
        and measurement = 'o2_delivery_device'

),

final as (

    select
        chartevents.subject_id,
        chartevents.stay_id,
        chartevents.charttime,
        chartevents.value,
    from chartevents
    inner join oxygen_device_itemids
        on chartevents.itemid = oxygen_device_itemids.itemid

)

select * from final
