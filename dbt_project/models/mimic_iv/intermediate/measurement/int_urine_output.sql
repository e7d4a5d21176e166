-- GU irrigant volume in (227488) is subtracted: it comes back out through the
-- catheter and would otherwise be counted as urine (227489).
with outputevents as (

    select * from {{ ref('stg_mimic__outputevents') }}

),

urine_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'urine_output'

),

urine_events as (

    select
        outputevents.stay_id,
        outputevents.charttime,
        case
            when urine_itemids.measurement = 'gu_irrigant_in' and outputevents.value > 0
                then -1 * outputevents.value
            else outputevents.value
        end as urine_output_ml,
    from outputevents
    inner join urine_itemids
        on outputevents.itemid = urine_itemids.itemid

),

final as (

    select
        stay_id,
        charttime,
        sum(urine_output_ml) as urine_output_ml,
    from urine_events
    group by stay_id, charttime

)

select * from final
