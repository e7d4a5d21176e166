with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

vitalsign_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'vitalsign'

),

vitalsign_events as (

    select
        chartevents.subject_id,
        chartevents.stay_id,
        chartevents.charttime,
        chartevents.valuenum,
        vitalsign_itemids.measurement,
    from chartevents
    inner join vitalsign_itemids
        on chartevents.itemid = vitalsign_itemids.itemid
    where chartevents.stay_id is not null
        and chartevents.valuenum is not null

),

final as (

    select
        subject_id,
        stay_id,
        charttime,
        avg(case when measurement = 'heart_rate' and valuenum > 0 and valuenum < 300 then valuenum end) as heart_rate,
        avg(case when measurement = 'sbp' and valuenum > 0 and valuenum < 400 then valuenum end) as sbp,
        avg(case when measurement = 'dbp' and valuenum > 0 and valuenum < 300 then valuenum end) as dbp,
        avg(case when measurement = 'mbp' and valuenum > 0 and valuenum < 300 then valuenum end) as mbp,
        avg(case when measurement = 'resp_rate' and valuenum > 0 and valuenum < 70 then valuenum end) as resp_rate,
        round(avg(case
            when measurement = 'temperature_f' and valuenum > 70 and valuenum < 120
                then (valuenum - 32) / 1.8
            when measurement = 'temperature_c' and valuenum > 10 and valuenum < 50
                then valuenum
        end), 2) as temperature_c,
        avg(case when measurement = 'spo2' and valuenum > 0 and valuenum <= 100 then valuenum end) as spo2,
        avg(case when measurement = 'glucose' and valuenum > 0 then valuenum end) as glucose,
    from vitalsign_events
    group by subject_id, stay_id, charttime

)

select * from final
