-- O2 flows and up to four O2 delivery devices per patient and charted time.
-- Deliberate deviation (var oxygen_delivery_requires_flow, docs/scores.md): a
-- device charted without an O2 flow at the same time (an 'Endotracheal tube'
-- row, 'None') keeps its own row. mimic-code joins the devices to the flow rows
-- and drops the rest (mimic-code issue #1570); `oxygen_delivery_requires_flow:
-- true` reproduces that.
with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

oxygen_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'oxygen_delivery'

),

oxygen_events as (

    select
        chartevents.subject_id,
        chartevents.stay_id,
        chartevents.charttime,
        chartevents.storetime,
        chartevents.value,
        chartevents.valuenum,
        oxygen_itemids.measurement,
    from chartevents
    inner join oxygen_itemids
        on chartevents.itemid = oxygen_itemids.itemid

),

latest_flows as (

    -- one flow per patient, time and kind: the last stored, then the highest
    select *
    from oxygen_events
    where measurement in ('o2_flow', 'o2_flow_additional')
        and value is not null
    qualify row_number() over (
        partition by subject_id, charttime, measurement
        order by storetime desc nulls last, valuenum desc nulls last
    ) = 1

),

devices as (

    -- device slots 1-4 in the same order: the last stored, then the text descending
    select
        subject_id,
        stay_id,
        charttime,
        value as o2_device,
        row_number() over (
            partition by subject_id, charttime
            order by storetime desc nulls last, value desc nulls last
        ) as device_rank,
    from oxygen_events
    where measurement = 'o2_delivery_device'

),

flows_with_devices as (

    select
        coalesce(latest_flows.subject_id, devices.subject_id) as subject_id,
        coalesce(latest_flows.stay_id, devices.stay_id) as stay_id,
        coalesce(latest_flows.charttime, devices.charttime) as charttime,
        latest_flows.measurement,
        latest_flows.valuenum,
        devices.o2_device,
        devices.device_rank,
    from latest_flows
    full outer join devices
        on latest_flows.subject_id = devices.subject_id
        and latest_flows.charttime = devices.charttime
    {%- if var('oxygen_delivery_requires_flow', false) %}
    -- mimic-code: only charted times with a flow
    where latest_flows.subject_id is not null
    {%- endif %}

),

final as (

    select
        subject_id,
        max(stay_id) as stay_id,
        charttime,
        max(case when measurement = 'o2_flow' then valuenum end) as o2_flow,
        max(case when measurement = 'o2_flow_additional' then valuenum end) as o2_flow_additional,
        max(case when device_rank = 1 then o2_device end) as o2_delivery_device_1,
        max(case when device_rank = 2 then o2_device end) as o2_delivery_device_2,
        max(case when device_rank = 3 then o2_device end) as o2_delivery_device_3,
        max(case when device_rank = 4 then o2_device end) as o2_delivery_device_4,
    from flows_with_devices
    group by subject_id, charttime

)

select * from final
