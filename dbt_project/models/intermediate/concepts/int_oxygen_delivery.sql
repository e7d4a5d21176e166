-- O2 flows and up to four O2 delivery devices per patient and charted time.
-- mimic-code quirk kept on purpose: only charted times that carry an O2 flow
-- survive (the device rows are attached to flow rows), so device-only
-- documentation (226732 without a flow at that time) is dropped.
with

chartevents as (
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

flows as (
    -- one flow per patient, time and kind: the last stored, then the highest
    select
        *,
        row_number() over (
            partition by subject_id, charttime, measurement
            order by storetime desc nulls last, valuenum desc nulls last
        ) as flow_rank,
    from oxygen_events
    where measurement in ('o2_flow', 'o2_flow_additional')
        and value is not null
),

devices as (
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
        flows.subject_id,
        coalesce(flows.stay_id, devices.stay_id) as stay_id,
        flows.charttime,
        flows.measurement,
        flows.valuenum,
        devices.o2_device,
        devices.device_rank,
    from flows
    left join devices
        on flows.subject_id = devices.subject_id
        and flows.charttime = devices.charttime
    where flows.flow_rank = 1
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
