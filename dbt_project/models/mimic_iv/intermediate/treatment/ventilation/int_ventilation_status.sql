-- Ventilation status per ICU stay and charted time: every time with a
-- ventilator setting or an O2 delivery row gets the highest-priority status
-- its charted text implies (seed ventilation_status_map): the O2 device of
-- slot 1, the NIV masks of slots 1-4 (max_slot), the ventilator mode
-- (223849) and the Hamilton mode (229314). Text is matched exactly as charted.
-- A time whose text implies no status (nothing charted, or text not in the
-- map) has no row (mimic-code ventilation, CTE vs).
with ventilator_setting as (

    select * from {{ ref('int_ventilator_setting') }}

),

oxygen_delivery as (

    select * from {{ ref('int_oxygen_delivery') }}

),

status_map as (

    select * from {{ ref('ventilation_status_map') }}

),

charted_text as (

    select stay_id, charttime, 'ventilator_mode' as source, 1 as slot, ventilator_mode as charted_value
    from ventilator_setting
    union all
    select stay_id, charttime, 'ventilator_mode_hamilton', 1, ventilator_mode_hamilton
    from ventilator_setting
    union all
    select stay_id, charttime, 'o2_delivery_device', 1, o2_delivery_device_1 from oxygen_delivery
    union all
    select stay_id, charttime, 'o2_delivery_device', 2, o2_delivery_device_2 from oxygen_delivery
    union all
    select stay_id, charttime, 'o2_delivery_device', 3, o2_delivery_device_3 from oxygen_delivery
    union all
    select stay_id, charttime, 'o2_delivery_device', 4, o2_delivery_device_4 from oxygen_delivery

),

final as (

    select
        charted_text.stay_id,
        charted_text.charttime,
        arg_min(status_map.ventilation_status, status_map.priority) as ventilation_status,
    from charted_text
    inner join status_map
        on charted_text.source = status_map.source
        and charted_text.charted_value = status_map.charted_value
        and charted_text.slot <= status_map.max_slot
    where charted_text.stay_id is not null
    group by charted_text.stay_id, charted_text.charttime

)

select * from final
